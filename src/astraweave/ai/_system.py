"""The AI_PLANNING system: perceive, plan, validate, hand accepted plans to core.

Each tick, every agent that is up and due (``tick >= Agent.next_plan_tick``) is
considered in id order. An idle agent plans; an agent whose plan has run for at
least ``Agent.replan_ticks`` plans again unless its running step is not
interruptible (``Tool.interruptible``: a paid-for heal, reload or burst runs to its
end); its running plan is kept when the new plan has the same steps. A planned
agent is due again ``cadence_ticks`` later (the executor makes it due on the next
tick when its plan ends or fails).

Planning: build the agent's snapshot (:func:`~astraweave.core.perceive`), call its
planner with the world's RNG, measure the time (an overrun of ``budget_s`` is
recorded in the provenance, never acted on), then :func:`~astraweave.core.submit_plan`
(the sandbox validates the whole plan; only an accepted plan starts). A rejected
plan is recorded with its typed errors; a planner implementing ``replan`` is asked
for another plan (at most :data:`MAX_REPAIRS` times). A planner that raises
:class:`~astraweave.errors.PlannerError` falls back to the ``rule`` planner, with
the reason recorded in the provenance's ``fallbacks``.

Planner instances live in the system, not in the world (they may hold clients or
caches that cannot be snapshotted); :class:`PlanLog` keeps the records.
"""

from __future__ import annotations

import json
import time
import weakref
from collections.abc import Mapping
from dataclasses import dataclass, field

from astraweave.ai._planner import MAX_REPAIRS, Planner, RepairingPlanner, create_planner
from astraweave.core import (
    EXECUTOR_SYSTEM,
    ActivePlan,
    Agent,
    Fallback,
    PlanIntent,
    Status,
    ToolRegistry,
    WorldSnapshot,
    perceive,
    registry_of,
    submit_plan,
)
from astraweave.core import plugin as core_plugin
from astraweave.ecs import App, Stage, World
from astraweave.errors import PlannerError, PluginError

__all__ = [
    "DEFAULT_BUDGET_S",
    "AiSystem",
    "PlanLog",
    "PlanRecord",
    "ai_system",
    "plan_log",
    "plugin",
]

DEFAULT_BUDGET_S = 0.05
"""Planning time budget per agent and planning, in seconds."""

FALLBACK_PLANNER = "rule"


@dataclass(frozen=True)
class PlanRecord:
    """One planning attempt of one agent.

    ``outcome`` is ``"accepted"``, ``"rejected"``, ``"kept"`` (same steps as the
    running plan) or ``"no_plan"``. ``errors`` are ``"ErrorType: message"`` strings.
    ``elapsed_ms`` is wall-clock time and varies between runs; everything else is
    deterministic.
    """

    tick: int
    agent: int
    planner: str
    plan: PlanIntent | None
    outcome: str
    errors: tuple[str, ...] = ()
    elapsed_ms: float = 0.0

    def key(self) -> tuple[int, int, str, str, str, tuple[str, ...]]:
        """The deterministic part (for comparing runs)."""
        text = self.plan.canonical_json() if self.plan is not None else ""
        return (self.tick, self.agent, self.planner, text, self.outcome, self.errors)


@dataclass
class PlanLog:
    """Every planning attempt, in order; ``since(n)`` for incremental readers."""

    records: list[PlanRecord] = field(default_factory=list)

    def since(self, index: int) -> list[PlanRecord]:
        """Records from position ``index`` on."""
        return self.records[index:]

    def counts(self) -> dict[str, int]:
        """How many records of each outcome."""
        out: dict[str, int] = {}
        for r in self.records:
            out[r.outcome] = out.get(r.outcome, 0) + 1
        return dict(sorted(out.items()))


def _interruptible(reg: ToolRegistry, ap: ActivePlan) -> bool:
    """Whether the running step of ``ap`` may be cut short by a new plan."""
    steps = reg.cached_plan(ap.plan_json).steps
    if ap.step >= len(steps):
        return True
    return not ap.started or reg.get(steps[ap.step].tool).interruptible


def _steps_json(plan: PlanIntent) -> str:
    return json.dumps(plan.canonical()["steps"], sort_keys=True)


class AiSystem:
    """The planning system (a callable registered in AI_PLANNING).

    Args:
        planners: planner instances by name to use instead of creating them from the
            registry (for tests and custom setups).
        budget_s: the planning time budget per agent (default 0.05 s).
    """

    def __init__(
        self, planners: Mapping[str, Planner] | None = None, budget_s: float = DEFAULT_BUDGET_S
    ) -> None:
        self._planners: dict[str, Planner] = dict(planners or {})
        self.budget_s = float(budget_s)
        self.log = PlanLog()

    def planner(self, name: str, config_json: str = "") -> Planner:
        """The instance for planner ``name`` with settings ``config_json`` (canonical
        JSON of a scenario's ``planner_config``; ``""``: defaults), created on first use.
        Agents with the same planner and settings share one instance.

        Raises:
            UnknownPlannerError: no planner has that name.
            PlannerConfigError: the planner rejects the settings.
        """
        key = name if not config_json else f"{name}#{config_json}"
        p = self._planners.get(key)
        if p is None:
            p = create_planner(name, json.loads(config_json) if config_json else None)
            self._planners[key] = p
        return p

    def __call__(self, world: World) -> None:
        due: list[int] = []
        for chunk in world.query(Agent, ActivePlan, Status):
            st = chunk[Status]
            mask = (chunk[Agent].next_plan_tick <= world.tick) & ~st.dead & ~st.downed
            due.extend(int(e) for e in chunk.entities[mask])
        if not due:
            return
        reg = registry_of(world)
        for entity in sorted(due):
            self._plan_for(world, reg, entity)

    def _call(
        self,
        name: str,
        snapshot: WorldSnapshot,
        reg: ToolRegistry,
        world: World,
        config_json: str = "",
    ) -> tuple[PlanIntent | None, float, str, list[Fallback]]:
        fallbacks: list[Fallback] = []
        t0 = time.perf_counter()
        try:
            plan = self.planner(name, config_json).plan(
                snapshot, reg, rng=world.rng, budget_s=self.budget_s
            )
        except PlannerError as exc:
            if name == FALLBACK_PLANNER:
                return None, (time.perf_counter() - t0) * 1000, name, fallbacks
            fallbacks.append(Fallback(planner=name, reason=f"{type(exc).__name__}: {exc}"))
            name = FALLBACK_PLANNER
            plan = self.planner(name).plan(snapshot, reg, rng=world.rng, budget_s=self.budget_s)
        return plan, (time.perf_counter() - t0) * 1000, name, fallbacks

    def _stamp(self, plan: PlanIntent, elapsed_ms: float, fallbacks: list[Fallback]) -> PlanIntent:
        prov = plan.provenance
        update = {
            "elapsed_ms": round(elapsed_ms, 3),
            "budget_overrun": elapsed_ms > self.budget_s * 1000,
            "fallbacks": [*prov.fallbacks, *fallbacks],
        }
        return plan.model_copy(update={"provenance": prov.model_copy(update=update)})

    def _plan_for(self, world: World, reg: ToolRegistry, entity: int) -> None:
        agent = world.get(entity, Agent)
        ap = world.get(entity, ActivePlan)
        running = ap.plan_json is not None
        agent.next_plan_tick = world.tick + agent.cadence_ticks
        world.set(entity, agent)
        if running and (
            world.tick - ap.started_tick < agent.replan_ticks or not _interruptible(reg, ap)
        ):
            return
        snapshot = perceive(world, entity, registry=reg)
        config_json = str(agent.planner_config or "")
        plan, elapsed, used, fallbacks = self._call(
            str(agent.planner), snapshot, reg, world, config_json
        )
        if plan is None:
            self.log.records.append(
                PlanRecord(world.tick, entity, used, None, "no_plan", elapsed_ms=elapsed)
            )
            return
        plan = self._stamp(plan, elapsed, fallbacks)
        if running:
            current = json.loads(ap.plan_json)["steps"]
            if json.loads(_steps_json(plan)) == current:
                self.log.records.append(
                    PlanRecord(world.tick, entity, used, plan, "kept", elapsed_ms=elapsed)
                )
                return
        rejected: list[PlanIntent] = []
        planner = self.planner(used, config_json if used == agent.planner else "")
        for attempt in range(MAX_REPAIRS + 1):
            report = submit_plan(world, entity, plan, registry=reg)
            errors = tuple(f"{type(e).__name__}: {e}" for e in report.errors)
            outcome = "accepted" if report.ok else "rejected"
            self.log.records.append(
                PlanRecord(world.tick, entity, used, plan, outcome, errors, elapsed)
            )
            if report.ok or attempt == MAX_REPAIRS or not isinstance(planner, RepairingPlanner):
                return
            rejected.append(plan)
            t0 = time.perf_counter()
            nxt = planner.replan(
                snapshot,
                reg,
                rng=world.rng,
                budget_s=self.budget_s,
                rejected=rejected,
                errors=list(report.errors),
            )
            elapsed = (time.perf_counter() - t0) * 1000
            if nxt is None:
                return
            plan = self._stamp(nxt, elapsed, fallbacks)


_SYSTEMS: weakref.WeakKeyDictionary[App, AiSystem] = weakref.WeakKeyDictionary()


def plugin(
    app: App,
    *,
    planners: Mapping[str, Planner] | None = None,
    budget_s: float = DEFAULT_BUDGET_S,
) -> None:
    """Add core's plugin (if missing) and the planning system ``ai.planning``,
    ordered before core's executor in AI_PLANNING.

    Args:
        app: the app.
        planners: planner instances by name (default: created from the registry).
        budget_s: planning time budget per agent, seconds.

    Raises:
        PluginError: the app already has an AI system.

    Example:
        >>> from astraweave.ecs import App
        >>> from astraweave import ai
        >>> app = App()
        >>> app.add_plugin(ai.plugin)  # doctest: +ELLIPSIS
        <astraweave.ecs._app.App object at ...>
        >>> [s.name for s in app.schedule.systems("AI_PLANNING")]
        ['ai.planning', 'core.executor']
    """
    if app in _SYSTEMS:
        raise PluginError("this app already has an AI planning system", plugin="ai.plugin")
    app.add_plugin(core_plugin)
    system = AiSystem(planners, budget_s)
    _SYSTEMS[app] = system
    app.add_system(system, stage=Stage.AI_PLANNING, name="ai.planning", before=[EXECUTOR_SYSTEM])


def plan_log(app: App) -> PlanLog:
    """The :class:`PlanLog` of the app's AI system.

    Raises:
        PluginError: the app has no AI system (add ``ai.plugin``).
    """
    system = _SYSTEMS.get(app)
    if system is None:
        raise PluginError("this app has no AI system; add astraweave.ai.plugin", plugin="ai")
    return system.log


def ai_system(app: App) -> AiSystem:
    """The app's :class:`AiSystem`.

    Raises:
        PluginError: the app has no AI system.
    """
    system = _SYSTEMS.get(app)
    if system is None:
        raise PluginError("this app has no AI system; add astraweave.ai.plugin", plugin="ai")
    return system
