"""``run_planners_bench`` on a small workload: the JSON's shape and its checks."""

from __future__ import annotations

import json

import pytest

from astraweave.cli._bench_planners import DEFAULT_PLANNERS, run_planners_bench
from astraweave.core import builtin_scenario
from astraweave.errors import CliError


def test_small_run_reports_rates_validity_and_the_goap_cache() -> None:
    out = run_planners_bench(repeats=1, ticks=60, every_ticks=20)
    json.dumps(out)  # JSON-ready
    assert out["benchmark"] == "planners" and "cpu" in out["machine"]
    work = out["workload"]
    assert work["scenarios"] == ["hello_companion"] and work["snapshots"] > 0
    assert sorted(out["planners"]) == sorted(DEFAULT_PLANNERS)
    for name, entry in out["planners"].items():
        assert entry["plans"] == work["snapshots"], name
        assert entry["plans_per_s"] > 0 and entry["us_per_plan"] > 0
        assert entry["validity"] == 1.0, name
    assert out["planners"]["rule"]["ratio_vs_rule"] == 1.0
    assert out["planners"]["goap"]["cache_hit_rate"] == 1.0  # warmed by a first pass


def test_scenario_objects_and_the_hybrid() -> None:
    out = run_planners_bench(
        [builtin_scenario()], repeats=1, ticks=30, every_ticks=30, planners=["hybrid"]
    )
    assert list(out["planners"]) == ["hybrid"]
    assert out["planners"]["hybrid"]["ratio_vs_rule"] is None  # no rule run to compare


@pytest.mark.parametrize(
    "kwargs",
    [
        {"planners": ["telepathy"]},
        {"repeats": 0},
        {"every_ticks": 0},
        {"ticks": 0},
        {"ticks": 5, "every_ticks": 10},  # nothing captured
    ],
)
def test_bad_arguments_are_cli_errors(kwargs: dict[str, object]) -> None:
    with pytest.raises(CliError):
        run_planners_bench(**kwargs)  # type: ignore[arg-type]  # deliberately mixed
