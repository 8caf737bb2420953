"""Runs: what to run (:class:`PlannerConfig`, :class:`RunTask`), one run
(:func:`run_one`, a pure function of scenario, seed and configuration), and many
(:func:`evaluate`, on any backend, resumable).

**Determinism.** :func:`run_one` builds the scenario's world with the task's seed,
hands the evaluated agents to the configured planner (every other agent keeps the
planner its scenario names), and ticks the simulation, replanning as the engine
does, until the outcome is decided, a ``sequence`` goal is completed, or the
scenario's ``max_ticks`` run out. Nothing in the simulation reads the wall clock, so
the same task gives the same :class:`RunResult` (apart from the ``wall_s`` and
``worker`` metadata) in this process, in a local worker pool and on Ray.

**Failures.** A planner that raises (anything but the
:class:`~astraweave.errors.PlannerError` the AI system already falls back on) ends
its run as ``status="failed"`` with the reason; a run that exceeds its wall-clock
``timeout_s`` is stopped by the backend and recorded as ``failed: timeout``. The
evaluation goes on either way.
"""

from __future__ import annotations

import importlib
import os
import platform
import time
import traceback
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from astraweave.ai import DEFAULT_BUDGET_S, Planner, create_planner, plan_log, planner_names
from astraweave.ai import plugin as ai_plugin
from astraweave.core import Agent, GameEvent
from astraweave.ecs import App, EventReader
from astraweave.errors import EvalConfigError
from astraweave.eval._metrics import Metrics, score
from astraweave.eval._record import Recorder, RunRecord
from astraweave.eval._scenarios import EvalScenario, resolve_source

if TYPE_CHECKING:
    from astraweave.eval._backends import Backend

__all__ = [
    "DEFAULT_RUN_TIMEOUT_S",
    "PlannerConfig",
    "RunResult",
    "RunTask",
    "build_planner",
    "check_configs",
    "evaluate",
    "make_tasks",
    "run_one",
    "simulate",
]

DEFAULT_RUN_TIMEOUT_S = 300.0
"""Wall-clock limit of one run, in seconds (a hung planner fails its run, not the
evaluation). Raise it for slow LLM servers with ``--timeout``."""


class PlannerConfig(BaseModel):
    """One configuration under evaluation: a registered planner, and for the LLM
    planner the backend and model.

    Attributes:
        name: a planner registered in :mod:`astraweave.ai` (``rule``, ``goap``,
            ``llm``, ...).
        label: how reports call it (default: ``name``, or ``name:model``); two
            configurations of one evaluation need different labels.
        llm_url: API root of an OpenAI-compatible server (``llm`` planner only).
        model: the model name on that server.
        llm_backend: ``"local"`` for the embedded model (``llm`` planner only).
        llm_timeout_s: per-request timeout (default: 30 s, 120 s for the local model).
        api_key_env: the environment variable holding the API key (the key itself is
            never stored in a report).
        budget_s: planning time budget per agent and planning, seconds (overruns are
            counted, never scored).

    Example:
        >>> PlannerConfig(name="llm", model="qwen2.5:3b").display
        'llm:qwen2.5:3b'
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1)
    label: str = ""
    llm_url: str | None = None
    model: str | None = None
    llm_backend: Literal["local"] | None = None
    llm_timeout_s: float | None = Field(default=None, gt=0.0)
    api_key_env: str = "OPENAI_API_KEY"
    budget_s: float = Field(default=DEFAULT_BUDGET_S, gt=0.0)

    @property
    def display(self) -> str:
        """The label reports use."""
        if self.label:
            return self.label
        if self.model:
            return f"{self.name}:{self.model}"
        return f"{self.name}:{self.llm_backend}" if self.llm_backend else self.name

    @property
    def uses_llm_options(self) -> bool:
        """True when an LLM backend option is set."""
        return bool(self.llm_url or self.model or self.llm_backend or self.llm_timeout_s)


class RunTask(BaseModel):
    """One run to do: a scenario (source id), a seed, a configuration.

    ``source`` is ``<builtin>/NAME.toml`` for a shipped scenario or a file path.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    source: str
    scenario: str
    category: str
    seed: int
    seed_index: int = Field(ge=0)
    config: PlannerConfig
    timeout_s: float = Field(default=DEFAULT_RUN_TIMEOUT_S, gt=0.0)
    imports: tuple[str, ...] = Field(
        default=(),
        description="modules to import before the run (they register custom planners)",
    )

    def key(self) -> tuple[str, str, int]:
        """``(config label, scenario, seed)``: what identifies a run in a report."""
        return (self.config.display, self.scenario, self.seed)


class RunResult(BaseModel):
    """The outcome of one run: what happened (:class:`RunRecord`), its scores
    (:class:`Metrics`), and metadata.

    ``wall_s`` and ``worker`` are wall-clock metadata: they differ between runs and
    are excluded from :meth:`deterministic`; everything else is a pure function of
    the task.
    """

    model_config = ConfigDict(extra="forbid")

    scenario: str
    category: str
    source: str
    seed: int
    seed_index: int
    config: str
    planner: str
    model: str | None = None
    status: Literal["ok", "failed"]
    failure: str | None = None
    metrics: Metrics
    record: RunRecord | None = None
    wall_s: float = 0.0
    worker: str = ""

    def key(self) -> tuple[str, str, int]:
        """``(config label, scenario, seed)``."""
        return (self.config, self.scenario, self.seed)

    def deterministic(self) -> dict[str, Any]:
        """Everything but the wall-clock metadata (equal across backends)."""
        return self.model_dump(mode="json", exclude={"wall_s", "worker"})

    @classmethod
    def failed(
        cls, task: RunTask, reason: str, *, wall_s: float = 0.0, worker: str = ""
    ) -> RunResult:
        """The result of a run that crashed or timed out (every metric 0)."""
        return cls(
            scenario=task.scenario,
            category=task.category,
            source=task.source,
            seed=task.seed,
            seed_index=task.seed_index,
            config=task.config.display,
            planner=task.config.name,
            model=task.config.model,
            status="failed",
            failure=reason[:2000],
            metrics=Metrics.zero(),
            wall_s=round(wall_s, 3),
            worker=worker,
        )


def worker_id() -> str:
    """``host:pid`` of this process (run metadata)."""
    return f"{platform.node()}:{os.getpid()}"


def _llm_planner(config: PlannerConfig) -> Planner:
    # Mirrors astraweave.cli._llm_options.llm_client_from_options, which eval cannot
    # import (cli sits above eval); built here so that every worker process builds its
    # own client from the serialisable configuration.
    from astraweave.ai._llm_planner import LlmPlanner, _default_client
    from astraweave.llm import LOCAL_INSTALL, LocalLlm, OpenAiClient, ResilientClient
    from astraweave.llm import local_available as _local_available

    if config.llm_backend == "local" and config.llm_url:
        raise EvalConfigError("pass either --llm local or --llm-url, not both", option="--llm")
    if config.llm_backend == "local":
        if not _local_available():
            raise EvalConfigError(
                "--llm local needs the embedded model, which is not installed",
                option="--llm",
                hint=LOCAL_INSTALL,
            )
        timeout = config.llm_timeout_s or 120.0
        client: Any = ResilientClient(
            LocalLlm(timeout_s=timeout), timeout_s=timeout, budget_s=2 * timeout
        )
    elif config.llm_url:
        if not config.model:
            raise EvalConfigError("--llm-url needs --model NAME", option="--model")
        timeout = config.llm_timeout_s or 30.0
        inner = OpenAiClient(
            config.llm_url,
            model=config.model,
            api_key=os.environ.get(config.api_key_env) or None,
            timeout_s=timeout,
        )
        client = ResilientClient(inner, timeout_s=timeout, budget_s=3 * timeout)
    else:
        client = _default_client()
    return LlmPlanner(client, blocking=True)


def build_planner(config: PlannerConfig) -> Planner:
    """A new planner instance for ``config``.

    The ``llm`` planner gets the client its options describe (an OpenAI-compatible
    server, the embedded model, or the default), wrapped for retries and a circuit
    breaker, and plans blocking (reproducible with deterministic backends); every
    other configuration comes from the planner registry.

    Raises:
        UnknownPlannerError: no planner has that name.
        EvalConfigError: LLM options given for a planner that is not ``llm``, or
            inconsistent LLM options.
    """
    if config.name == "llm":
        return _llm_planner(config)
    if config.uses_llm_options:
        raise EvalConfigError(
            f"the LLM options (--llm-url, --model, --llm) apply to the 'llm' planner, "
            f"not {config.name!r}",
            option="--llm-url",
        )
    return create_planner(config.name)


def check_configs(configs: Sequence[PlannerConfig]) -> None:
    """Check configurations before any run starts.

    Raises:
        EvalConfigError: no configuration, an unknown planner name, LLM options on
            another planner, or two configurations with the same label.
    """
    if not configs:
        raise EvalConfigError("name at least one planner (--planner NAME)", option="--planner")
    labels: set[str] = set()
    known = [*planner_names(), "llm"]
    for cfg in configs:
        if cfg.name not in known:
            raise EvalConfigError(
                f"unknown planner {cfg.name!r}; registered: {', '.join(sorted(set(known)))}",
                option="--planner",
                value=cfg.name,
            )
        if cfg.uses_llm_options and cfg.name != "llm":
            raise EvalConfigError(
                f"the LLM options (--llm-url, --model, --llm) apply to the 'llm' planner, "
                f"not {cfg.name!r}",
                option="--llm-url",
            )
        if cfg.display in labels:
            raise EvalConfigError(
                f"two configurations are both called {cfg.display!r}",
                option="--planner",
                value=cfg.display,
                hint="evaluate each planner once, or give them different models",
            )
        labels.add(cfg.display)


def simulate(esc: EvalScenario, seed: int, planner: Planner, config: PlannerConfig) -> RunRecord:
    """Run one scenario with ``planner`` driving its evaluated agents.

    Args:
        esc: the scenario.
        seed: the world seed.
        planner: the planner instance for the evaluated agents.
        config: the configuration (its ``name`` keys the planner, ``budget_s`` is
            the planning budget).

    Returns:
        The :class:`RunRecord`.
    """
    sc = esc.scenario
    world = sc.build_world(seed)
    agents = [sc.entity_id(world, name) for name in esc.spec.agents]
    for entity in agents:
        agent = world.get(entity, Agent)
        agent.planner = config.name
        world.set(entity, agent)
    app = App(world=world)
    app.add_plugin(ai_plugin, planners={config.name: planner}, budget_s=config.budget_s)
    log = plan_log(app)
    reader = EventReader(GameEvent, "astraweave.eval.recorder")
    recorder = Recorder(world, esc.spec, agents)
    for _ in range(sc.max_ticks):
        start = len(log.records)
        app.tick()
        recorder.observe(world, reader.read(world), log.since(start))
        if recorder.finished(world):
            break
    app.close()
    return recorder.finish(world)


def run_one(task: RunTask) -> RunResult:
    """Do one run: a pure function of the task (see the module docstring).

    Never raises for a crashing planner: the run is recorded as failed with the
    exception's type, message and the innermost frames.

    Example:
        >>> from astraweave.eval import make_tasks, select_scenarios
        >>> [task] = make_tasks(select_scenarios(["irrelevance_pizza"]),
        ...                     [PlannerConfig(name="rule")], seeds=1)
        >>> result = run_one(task)
        >>> result.status, result.metrics.validity
        ('ok', 1.0)
    """
    t0 = time.perf_counter()
    try:
        for module in task.imports:
            importlib.import_module(module)
        esc = resolve_source(task.source)
        planner = build_planner(task.config)
        record = simulate(esc, task.seed, planner, task.config)
        metrics = score(record, esc.spec)
    except Exception as exc:  # noqa: BLE001  (a crashing planner is a failed run, recorded with its reason)
        frames = traceback.format_exception(exc)[-3:]
        reason = f"crash: {type(exc).__name__}: {exc}\n{''.join(frames)}"
        return RunResult.failed(task, reason, wall_s=time.perf_counter() - t0, worker=worker_id())
    return RunResult(
        scenario=task.scenario,
        category=task.category,
        source=task.source,
        seed=task.seed,
        seed_index=task.seed_index,
        config=task.config.display,
        planner=task.config.name,
        model=task.config.model,
        status="ok",
        metrics=metrics,
        record=record,
        wall_s=round(time.perf_counter() - t0, 3),
        worker=worker_id(),
    )


def make_tasks(
    scenarios: Iterable[EvalScenario],
    configs: Iterable[PlannerConfig],
    *,
    seeds: int = 1,
    timeout_s: float = DEFAULT_RUN_TIMEOUT_S,
    imports: Sequence[str] = (),
) -> list[RunTask]:
    """Every (configuration, scenario, seed) run; seeds are the scenario's seed
    plus ``0 .. seeds - 1``.

    Args:
        scenarios: the scenarios.
        configs: the configurations.
        seeds: seeds per scenario (at least 1).
        timeout_s: wall-clock limit of each run.
        imports: modules every run imports first (where custom planners register
            themselves, so that worker processes know them too).

    Returns:
        The tasks, configuration by configuration, scenario by scenario.

    Raises:
        EvalConfigError: ``seeds`` below 1.
    """
    if seeds < 1:
        raise EvalConfigError(
            f"--seeds must be at least 1, got {seeds}", option="--seeds", value=seeds
        )
    scs = list(scenarios)
    return [
        RunTask(
            source=esc.source,
            scenario=esc.name,
            category=esc.category,
            seed=esc.scenario.seed + i,
            seed_index=i,
            config=cfg,
            timeout_s=timeout_s,
            imports=tuple(imports),
        )
        for cfg in configs
        for esc in scs
        for i in range(seeds)
    ]


def evaluate(
    tasks: Sequence[RunTask],
    backend: Backend,
    *,
    previous: Iterable[RunResult] = (),
    on_result: Callable[[RunResult], None] | None = None,
) -> list[RunResult]:
    """Run ``tasks`` on ``backend``, skipping those already in ``previous``.

    Args:
        tasks: the runs to do.
        backend: where they run (:func:`~astraweave.eval.make_backend`).
        previous: results of an earlier, interrupted evaluation (``--resume``);
            their runs are not done again.
        on_result: called with each new result as it arrives (progress, saving).

    Returns:
        One result per task, in task order (the previous ones included).
    """
    done = {r.key(): r for r in previous}
    todo = [t for t in tasks if t.key() not in done]
    fresh: dict[tuple[str, str, int], RunResult] = {}

    def take(result: RunResult) -> None:
        fresh[result.key()] = result
        if on_result is not None:
            on_result(result)

    backend.run(todo, take)
    out = []
    for task in tasks:
        res = fresh.get(task.key()) or done.get(task.key())
        out.append(res if res is not None else RunResult.failed(task, "not run"))
    return out
