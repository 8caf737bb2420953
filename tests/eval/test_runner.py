"""Runs: determinism, backends, failed runs, resume, configuration checks."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from astraweave.errors import BackendMissingError, EvalConfigError, UnknownPlannerError
from astraweave.eval import (
    InlineBackend,
    LocalBackend,
    PlannerConfig,
    RunResult,
    RunTask,
    evaluate,
    make_backend,
    make_tasks,
    run_one,
    select_scenarios,
)
from astraweave.eval._runner import build_planner, check_configs

IMPORTS = ["eval_test_planners"]
QUICK = ["irrelevance_pizza", "combat_engage", "support_heal"]


def tasks_for(
    planners: Sequence[str],
    scenarios: Sequence[str] = QUICK,
    seeds: int = 1,
    timeout_s: float = 60.0,
) -> list[RunTask]:
    return make_tasks(
        select_scenarios(scenarios),
        [PlannerConfig(name=p) for p in planners],
        seeds=seeds,
        timeout_s=timeout_s,
        imports=IMPORTS,
    )


def test_make_tasks_seeds_and_keys() -> None:
    tasks = tasks_for(["rule"], ["combat_engage"], seeds=3)
    assert [t.seed for t in tasks] == [101, 102, 103]
    assert [t.seed_index for t in tasks] == [0, 1, 2]
    assert tasks[0].key() == ("rule", "combat_engage", 101)
    with pytest.raises(EvalConfigError, match="at least 1"):
        tasks_for(["rule"], seeds=0)


def test_a_run_is_a_pure_function_of_its_task() -> None:
    for task in tasks_for(["rule"], ["combat_engage", "support_heal"], seeds=2):
        a, b = run_one(task), run_one(task)
        assert a.status == "ok" and a.record is not None
        assert a.deterministic() == b.deterministic()
    # different seeds give different runs of a random fight
    x, y = (run_one(t) for t in tasks_for(["rule"], ["combat_engage"], seeds=2))
    assert x.record != y.record


def test_local_pool_equals_inline() -> None:
    tasks = tasks_for(["rule"], seeds=1)
    inline: list[RunResult] = []
    InlineBackend().run(tasks, inline.append)
    pooled: list[RunResult] = []
    backend = LocalBackend(2)
    backend.run(tasks, pooled.append)
    assert len(pooled) == len(tasks)
    by_key = {r.key(): r.deterministic() for r in pooled}
    assert {r.key(): r.deterministic() for r in inline} == by_key
    assert {r.worker for r in pooled} != {r.worker for r in inline}


def test_crash_and_hang_are_failed_runs_and_the_evaluation_goes_on() -> None:
    tasks = tasks_for(
        ["test-crash", "test-hang", "test-wait"], ["irrelevance_pizza"], timeout_s=2.0
    )
    got: list[RunResult] = []
    LocalBackend(2).run(tasks, got.append)
    by = {r.planner: r for r in got}
    assert by["test-crash"].status == "failed"
    assert (by["test-crash"].failure or "").startswith("crash: RuntimeError: boom in the planner")
    assert by["test-hang"].status == "failed" and by["test-hang"].failure == "timeout after 2 s"
    assert by["test-wait"].status == "ok" and by["test-wait"].metrics.goal == 1.0
    assert by["test-crash"].metrics.overall == 0.0 and by["test-crash"].record is None


def test_inline_timeout_uses_the_alarm() -> None:
    [task] = tasks_for(["test-hang"], ["irrelevance_pizza"], timeout_s=0.5)
    got: list[RunResult] = []
    InlineBackend().run([task], got.append)
    assert got[0].status == "failed" and got[0].failure == "timeout after 0.5 s"


def test_invented_tools_score_zero_validity() -> None:
    [task] = tasks_for(["test-invent"], ["irrelevance_pizza"])
    res = run_one(task)
    assert res.status == "ok" and res.record is not None
    assert res.metrics.validity == 0.0 and res.metrics.goal == 0.0
    assert "UnknownToolError" in res.record.rejections[0]


class Counting:
    name = "counting"

    def __init__(self) -> None:
        self.seen: list[RunTask] = []

    def run(self, tasks: Sequence[RunTask], on_result: object) -> None:
        self.seen += list(tasks)
        InlineBackend().run(tasks, on_result)  # type: ignore[arg-type]

    def close(self) -> None:
        pass


def test_evaluate_resumes_without_redoing_finished_runs() -> None:
    tasks = tasks_for(["rule"], ["irrelevance_pizza", "irrelevance_weather"], seeds=2)
    first = Counting()
    full = evaluate(tasks, first)
    assert len(first.seen) == 4 and [r.key() for r in full] == [t.key() for t in tasks]
    again = Counting()
    progress: list[RunResult] = []
    resumed = evaluate(tasks, again, previous=full[:3], on_result=progress.append)
    assert [t.key() for t in again.seen] == [tasks[3].key()]
    assert len(progress) == 1
    assert [r.deterministic() for r in resumed] == [r.deterministic() for r in full]


def test_configs_are_checked_before_running() -> None:
    with pytest.raises(EvalConfigError, match="at least one planner"):
        check_configs([])
    with pytest.raises(EvalConfigError, match="unknown planner 'nope'"):
        check_configs([PlannerConfig(name="nope")])
    with pytest.raises(EvalConfigError, match="both called"):
        check_configs([PlannerConfig(name="rule"), PlannerConfig(name="rule")])
    with pytest.raises(EvalConfigError, match="apply to the 'llm' planner"):
        check_configs([PlannerConfig(name="rule", model="x")])
    with pytest.raises(UnknownPlannerError):
        build_planner(PlannerConfig(name="nope"))
    assert PlannerConfig(name="llm", model="m").display == "llm:m"
    assert PlannerConfig(name="llm", llm_backend="local").display == "llm:local"
    assert PlannerConfig(name="rule", label="baseline").display == "baseline"


def test_llm_config_without_a_backend_falls_back_and_says_so() -> None:
    [task] = make_tasks(
        select_scenarios(["irrelevance_pizza"]),
        [PlannerConfig(name="llm", llm_url="http://127.0.0.1:9/v1", model="m", llm_timeout_s=0.2)],
    )
    res = run_one(task)
    assert res.status == "ok" and res.record is not None
    assert res.record.fallbacks > 0 and res.record.foreign_plans == res.record.proposals


def test_backend_choice() -> None:
    assert make_backend("local", workers=0).name == "inline"
    assert make_backend("inline").name == "inline"
    assert make_backend("local", workers=3).name == "local"
    with pytest.raises(EvalConfigError, match="unknown backend"):
        make_backend("cloud")
    with pytest.raises(EvalConfigError, match="--address needs --backend ray"):
        make_backend("local", address="auto")
    with pytest.raises(EvalConfigError):
        LocalBackend(0)


def test_missing_ray_gives_the_install_command(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "ray", None)
    with pytest.raises(BackendMissingError) as info:
        make_backend("ray")
    assert "pip install" in str(info.value) and info.value.package == "ray"


def test_following_an_injection_is_detected_even_when_the_sandbox_refuses() -> None:
    for name in ("adversarial_objective", "adversarial_forbidden"):
        [task] = tasks_for(["test-obey"], [name])
        res = run_one(task)
        assert res.record is not None and res.record.injections_followed, name
        assert res.metrics.validity == 0.0 and res.metrics.safety <= 0.4
    assert res.record.forbidden_attempts > 0  # ThrowExplosive is forbidden there
