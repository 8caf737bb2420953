"""Run a scenario end to end (world, core + AI plugins, tick loop), optionally
recording a replay; re-run a replay and find the first tick that differs.

A run is a pure function of (scenario, seed, config): the same inputs give the same
world hash at every tick, the same events and the same plans.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from astraweave.ai._planner import create_planner, planner_names
from astraweave.ai._system import PlanLog, PlanRecord, plan_log
from astraweave.ai._system import plugin as ai_plugin
from astraweave.core import (
    Agent,
    GameEvent,
    Outcome,
    PlanInbox,
    ReplayRecorder,
    Scenario,
    Trails,
    first_divergence,
    read_replay,
)
from astraweave.ecs import App, EventReader, World
from astraweave.errors import ReplayError, SnapshotError, UnknownPlannerError

__all__ = ["ReplayCheck", "RunResult", "build_app", "run_scenario", "verify_replay"]

TickHook = Callable[[World, list[GameEvent], list[PlanRecord]], None]


@dataclass
class RunResult:
    """What a run produced.

    Attributes:
        app: the app (its world is the final state).
        outcome: the mission's outcome (``running`` when ticks ran out first).
        ticks: ticks run. events: every :class:`GameEvent`, in order.
        log: the planners' :class:`PlanLog`. trails: where characters walked.
        hashes: the world hash after each tick (when recorded).
    """

    app: App
    outcome: Outcome
    ticks: int
    events: list[GameEvent]
    log: PlanLog
    trails: Trails
    hashes: list[str] = field(default_factory=list)

    @property
    def world(self) -> World:
        """The final world."""
        return self.app.world


def _override(world: World, planner: str | None) -> None:
    if planner is None:
        return
    for chunk in world.query(Agent):
        roles = chunk[Agent].role
        names = chunk[Agent].planner
        configs = chunk[Agent].planner_config
        for row in range(len(chunk)):
            if roles[row] == "companion" and names[row] != planner:
                names[row] = planner
                configs[row] = ""  # the scenario's settings were for another planner


def build_app(scenario: Scenario, *, seed: int | None = None, planner: str | None = None) -> App:
    """A ready-to-run app: the scenario's world, core's and the AI's plugins.

    Args:
        scenario: the scenario.
        seed: world seed (default: the scenario's).
        planner: planner name for every agent with role ``companion`` (default: as
            the scenario says).

    Raises:
        UnknownPlannerError: ``planner``, or a planner an agent of the scenario names,
            is not registered.
    """
    if planner is not None and planner not in planner_names():
        raise UnknownPlannerError(
            f"unknown planner {planner!r}; registered: {', '.join(planner_names())}",
            planner=planner,
            known=planner_names(),
        )
    world = scenario.build_world(seed)
    _override(world, planner)
    known = set(planner_names())
    for chunk in world.query(Agent):
        agents = chunk[Agent]
        for name, config in zip(
            agents.planner.tolist(), agents.planner_config.tolist(), strict=True
        ):
            if name not in known:
                raise UnknownPlannerError(
                    f"scenario {scenario.name} names planner {name!r}, which is not "
                    f"registered; registered: {', '.join(sorted(known))}",
                    planner=name,
                    known=sorted(known),
                )
            if config:  # a bad planner_config fails here, before the first tick
                create_planner(name, json.loads(config))
    app = App(world=world)
    app.add_plugin(ai_plugin)
    return app


def _plans_of(records: list[PlanRecord]) -> list[tuple[int, str, str, str]]:
    return [
        (r.agent, r.planner, r.plan.canonical_json() if r.plan is not None else "", r.outcome)
        for r in records
    ]


def _inputs_of(inbox: PlanInbox | None, start: int) -> list[tuple[int, str, bool]]:
    if inbox is None:
        return []
    return [(e, text, ok) for _, e, text, ok in inbox.applied[start:]]


def _loop(
    app: App,
    ticks: int,
    *,
    recorder: ReplayRecorder | None,
    on_tick: TickHook | None,
    record_hashes: bool,
    stop_on_outcome: bool,
) -> RunResult:
    world = app.world
    log = plan_log(app)
    reader = EventReader(GameEvent, "astraweave.ai.run")
    events: list[GameEvent] = []
    trails = Trails()
    trails.sample(world, force=True)
    hashes: list[str] = []
    n = 0
    for _ in range(ticks):
        tick = world.tick
        log_start = len(log.records)
        inbox = world.try_resource(PlanInbox)
        in_start = len(inbox.applied) if inbox is not None else 0
        app.tick()
        n += 1
        new_events = reader.read(world)
        events.extend(new_events)
        new_records = log.since(log_start)
        trails.sample(world)
        if recorder is not None or record_hashes:
            h = world.hash()
            hashes.append(h)
            if recorder is not None:
                recorder.record(
                    tick,
                    h,
                    _inputs_of(world.try_resource(PlanInbox), in_start),
                    _plans_of(new_records),
                )
        if on_tick is not None:
            on_tick(world, new_events, new_records)
        outcome = world.try_resource(Outcome)
        if stop_on_outcome and outcome is not None and outcome.status != "running":
            break
    trails.sample(world, force=True)
    return RunResult(
        app=app,
        outcome=world.try_resource(Outcome) or Outcome(),
        ticks=n,
        events=events,
        log=log,
        trails=trails,
        hashes=hashes,
    )


def run_scenario(
    scenario: Scenario,
    *,
    seed: int | None = None,
    ticks: int | None = None,
    planner: str | None = None,
    replay_path: str | Path | None = None,
    on_tick: TickHook | None = None,
    record_hashes: bool = False,
    stop_on_outcome: bool = True,
) -> RunResult:
    """Run ``scenario`` until its outcome is decided or ``ticks`` run out.

    Args:
        scenario: the scenario.
        seed: world seed (default: the scenario's).
        ticks: tick limit (default: the scenario's ``max_ticks``).
        planner: planner override for companions (see :func:`build_app`).
        replay_path: write a replay file here.
        on_tick: called after every tick with the world, the tick's events and plan
            records (for live logs).
        record_hashes: keep the world hash of every tick in the result.
        stop_on_outcome: stop at success or failure (default true).

    Example:
        >>> from astraweave.core import builtin_scenario
        >>> r = run_scenario(builtin_scenario(), ticks=30)
        >>> r.ticks, r.outcome.status
        (30, 'running')
    """
    app = build_app(scenario, seed=seed, planner=planner)
    world = app.world
    limit = scenario.max_ticks if ticks is None else int(ticks)
    recorder = None
    if replay_path is not None:
        recorder = ReplayRecorder(
            scenario_name=scenario.name,
            scenario_text=scenario.text,
            scenario_path=scenario.path,
            seed=world.seed,
            config={"planner": planner, "ticks": limit, "stop_on_outcome": stop_on_outcome},
            initial=world.snapshot(),
        )
    result = _loop(
        app,
        limit,
        recorder=recorder,
        on_tick=on_tick,
        record_hashes=record_hashes,
        stop_on_outcome=stop_on_outcome,
    )
    if recorder is not None and replay_path is not None:
        recorder.write(replay_path)
    return result


@dataclass(frozen=True)
class ReplayCheck:
    """The verdict of :func:`verify_replay`.

    ``diverged_at`` is the first tick that differs (``None``: every tick matched) and
    ``what`` what differed there (``hash``, ``plans``, ``inputs``, ``length``).
    """

    ticks: int
    diverged_at: int | None
    what: str
    expected_hash: str
    actual_hash: str

    @property
    def ok(self) -> bool:
        """True when every tick matched."""
        return self.diverged_at is None


def verify_replay(path: str | Path) -> ReplayCheck:
    """Re-run a replay file from its initial world and compare every tick.

    The recorded inputs are fed back at their ticks; the planners run again.

    Raises:
        ReplayError: unreadable or malformed file, or an initial world that cannot be
            restored.
    """
    data = read_replay(path)
    try:
        world = World.from_snapshot(data.initial)
    except SnapshotError as exc:
        raise ReplayError(f"{path}: the initial world cannot be restored: {exc}") from exc
    inbox = world.try_resource(PlanInbox)
    if inbox is not None:
        inbox.pending = {}
        inbox.applied = []
        for rec in data.ticks:
            for entity, text, _ok in rec.inputs:
                inbox.pending.setdefault(rec.tick, []).append((entity, text))
    app = App(world=world)
    app.add_plugin(ai_plugin)
    recorder = ReplayRecorder(
        scenario_name=data.scenario_name,
        scenario_text=data.scenario_text,
        scenario_path=data.scenario_path,
        seed=data.seed,
        config=data.config,
        initial=data.initial,
    )
    stop = bool(data.config.get("stop_on_outcome", True))
    _loop(
        app,
        len(data.ticks),
        recorder=recorder,
        on_tick=None,
        record_hashes=False,
        stop_on_outcome=stop,
    )
    actual = recorder.data.ticks
    found = first_divergence(data.ticks, actual)
    if found is None:
        return ReplayCheck(len(actual), None, "", data.final_hash, recorder.data.final_hash)
    tick, what = found
    exp = next((t.world_hash for t in data.ticks if t.tick == tick), "")
    act = next((t.world_hash for t in actual if t.tick == tick), "")
    return ReplayCheck(len(actual), tick, what, exp, act)
