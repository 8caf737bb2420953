"""The hybrid arbiter: a fast planner every planning, a slow one in the background.

:class:`HybridPlanner` answers every planning with its **fast** planner (``goap`` by
default) while a **slow** planner (an LLM, or the built-in stand-in: the utility
planner delivered ``slow_delay_ticks`` later) works asynchronously through the non-blocking API of
:class:`~astraweave.ai._llm_planner.LlmPlanner` (``submit(snapshot, registry)`` returns
a ticket at once; ``collect(ticket, snapshot, registry, rng=..., budget_s=...)``
returns the plan, or ``None`` while pending). Any object with that API can be the
slow planner; a plain :class:`~astraweave.ai.Planner` is wrapped in
:class:`TickDelayPlanner`.

**Modes and switches.** In ``fast`` mode each planning returns the fast plan. When a
slow plan arrives and still validates against the current snapshot (allowed tools,
arguments, targets still there and up, items in hand), the arbiter switches to
``slow`` and returns it; while in ``slow`` mode it returns the same plan (which the
AI system keeps running) until one of these switches back to ``fast``:

- ``new_threat``: an enemy in sight that was not in sight at adoption;
- ``target_dead``: an enemy the plan aims at is down or gone;
- ``step_invalid``: a step of the plan no longer validates;
- ``hurt``: the agent lost ``hurt_drop`` of its max hp since adoption;
- the sandbox rejected the slow plan (:meth:`HybridPlanner.replan`);
- the plan should be over: it has been held for :func:`expected_ticks` (a plan
  that ended must not start again), or for ``hold_ticks`` at most.

A slow request that fails (:class:`~astraweave.errors.PlannerError`, an LLM error,
or an LLM planner answering from its fallbacks) or stays unanswered for
``slow_timeout_ticks`` is dropped and recorded; a new one is submitted
``resubmit_ticks`` after the last one ended, so the arbiter never stays in one mode
for good. Every switch and every slow failure is written into the provenance
``notes`` (``switch fast->slow at tick 120: ...``) of the next plan, and kept in
:meth:`HybridPlanner.switches`.

**Determinism.** Nothing depends on the wall clock when the slow planner is
deterministic by construction (:class:`TickDelayPlanner`: its plan is handed over at
a fixed tick). For a truly asynchronous planner, ``deterministic = true`` (default)
looks at a request only at the first planning ``adopt_after_ticks`` after its
submission, waiting up to ``wait_s`` for the reply there, and drops it (recorded as
late) when it is still missing; ``deterministic = false`` adopts replies whenever
they arrive (lowest latency, timing-dependent).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol, runtime_checkable

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from astraweave.ai._bt import estimated_duration
from astraweave.ai._goap_bind import AgentConfigs, Situation, parse_config
from astraweave.ai._planner import Planner, RepairingPlanner, create_planner
from astraweave.core import Fallback, PlanIntent, Provenance, ToolRegistry, WorldSnapshot
from astraweave.errors import LlmError, PlannerConfigError, PlannerError, ToolError

__all__ = [
    "HybridConfig",
    "HybridPlanner",
    "SlowPlanner",
    "Switch",
    "TickDelayPlanner",
    "TickDelayTicket",
    "check_plan",
    "expected_ticks",
]

Mode = Literal["fast", "slow"]
Trigger = Literal["new_threat", "target_dead", "step_invalid", "hurt"]
TRIGGERS: tuple[Trigger, ...] = ("new_threat", "target_dead", "step_invalid", "hurt")
"""Interrupt triggers of an adopted slow plan."""

_ENEMY_TOOLS = frozenset({"Attack", "AimedShot", "CoverFire", "MarkTarget", "Retreat"})
_ALLY_TOOLS = frozenset({"Heal", "Revive"})
_MOVES = frozenset({"MoveTo", "Approach", "Retreat", "TakeCover", "Patrol", "Regroup"})


def _reach(tool: str, weapon_m: float, sight_m: float) -> float:
    if tool == "AimedShot":
        return 1.25 * weapon_m
    if tool == "MarkTarget":
        return sight_m
    if tool == "Retreat":
        return float("inf")
    return weapon_m


@runtime_checkable
class SlowPlanner(Protocol):
    """The non-blocking planning API (that of the LLM planner)."""

    name: str

    def submit(self, snapshot: WorldSnapshot, registry: ToolRegistry) -> Any:
        """Start planning for ``snapshot``; returns a ticket at once."""
        ...  # pragma: no cover

    def collect(
        self,
        ticket: Any,
        snapshot: WorldSnapshot,
        registry: ToolRegistry,
        *,
        rng: np.random.Generator,
        budget_s: float = 0.05,
    ) -> PlanIntent | None:
        """The ticket's plan, or ``None`` while it is pending."""
        ...  # pragma: no cover


@dataclass(frozen=True, slots=True)
class TickDelayTicket:
    """A request to a :class:`TickDelayPlanner`: its snapshot and when it is ready."""

    snapshot: WorldSnapshot
    ready_tick: int

    def done(self) -> bool:
        """Always ``False``: readiness depends on the tick (see ``collect``)."""
        return False


class TickDelayPlanner:
    """A synchronous planner made slow: the plan of a request is handed over
    ``delay_ticks`` world ticks after its submission (computed then from the snapshot
    it was submitted with), so results never depend on the wall clock. Stands in for
    an LLM in tests and demos.

    Args:
        inner: the planner that does the work.
        delay_ticks: ticks between submission and answer (>= 0).
        name: the name (default ``inner.name``).

    Example:
        >>> import numpy as np
        >>> from astraweave.core import WorldSnapshot, default_registry
        >>> from astraweave.ai._goap import GoapPlanner
        >>> slow = TickDelayPlanner(GoapPlanner(), delay_ticks=30)
        >>> snap, reg, rng = WorldSnapshot.example(), default_registry(), np.random.default_rng(0)
        >>> ticket = slow.submit(snap, reg)
        >>> slow.collect(ticket, snap, reg, rng=rng) is None
        True
        >>> later = snap.model_copy(update={"tick": snap.tick + 30})
        >>> slow.collect(ticket, later, reg, rng=rng).provenance.planner
        'goap'
    """

    deterministic = True

    def __init__(self, inner: Planner, delay_ticks: int = 30, *, name: str | None = None) -> None:
        if isinstance(delay_ticks, bool) or not isinstance(delay_ticks, int) or delay_ticks < 0:
            raise PlannerConfigError(
                f"delay_ticks must be an int >= 0, got {delay_ticks!r}",
                planner="hybrid",
                key="slow_delay_ticks",
            )
        self.inner = inner
        self.delay_ticks = delay_ticks
        self.name = name or inner.name

    def submit(self, snapshot: WorldSnapshot, registry: ToolRegistry) -> TickDelayTicket:
        """Queue a request; its answer is ready ``delay_ticks`` later."""
        return TickDelayTicket(snapshot, snapshot.tick + self.delay_ticks)

    def collect(
        self,
        ticket: TickDelayTicket,
        snapshot: WorldSnapshot,
        registry: ToolRegistry,
        *,
        rng: np.random.Generator,
        budget_s: float = 0.05,
    ) -> PlanIntent | None:
        """The inner planner's plan for the submitted snapshot once ``snapshot.tick``
        reaches the ready tick, else ``None``.

        Raises:
            PlannerError: the inner planner failed.
        """
        if snapshot.tick < ticket.ready_tick:
            return None
        return self.inner.plan(ticket.snapshot, registry, rng=rng, budget_s=budget_s)


class HybridConfig(BaseModel):
    """The arbiter's configuration (a scenario's planner table).

    Attributes:
        fast: the fast planner's registered name (default ``goap``).
        slow: the slow planner's registered name (default ``utility``, a stand-in
            delivered after ``slow_delay_ticks``; name ``llm`` for the LLM planner).
        slow_delay_ticks: the delay given to a synchronous slow planner (default 30).
        resubmit_ticks: ticks between the end of a slow request and the next (60).
        slow_timeout_ticks: a request unanswered this long is dropped (600).
        hold_ticks: the longest an adopted slow plan is kept (180).
        interrupt_on: triggers that end an adopted plan (default: all of
            ``new_threat``, ``target_dead``, ``step_invalid``, ``hurt``).
        hurt_drop: the ``hurt`` trigger's hp loss as a share of max hp (0.25).
        deterministic: adopt asynchronous replies only at a fixed tick offset (True).
        adopt_after_ticks: that offset (30).
        wait_s: how long to wait there for a missing reply (5 s).
    """

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)

    fast: str = "goap"
    slow: str = "utility"
    slow_delay_ticks: int = Field(default=30, ge=0, le=100_000)
    resubmit_ticks: int = Field(default=60, ge=1, le=100_000)
    slow_timeout_ticks: int = Field(default=600, ge=1, le=1_000_000)
    hold_ticks: int = Field(default=180, ge=1, le=1_000_000)
    interrupt_on: tuple[Trigger, ...] = Field(default=TRIGGERS, strict=False)
    hurt_drop: float = Field(default=0.25, gt=0.0, le=1.0)
    deterministic: bool = True
    adopt_after_ticks: int = Field(default=30, ge=0, le=100_000)
    wait_s: float = Field(default=5.0, ge=0.0, le=600.0)


@dataclass(frozen=True)
class Switch:
    """One mode switch of one agent: at ``tick``, ``frm`` -> ``to``, because ``reason``."""

    tick: int
    frm: Mode
    to: Mode
    reason: str

    def note(self) -> str:
        """The provenance note of the switch."""
        return f"switch {self.frm}->{self.to} at tick {self.tick}: {self.reason}"


@dataclass
class _Agent:
    mode: Mode = "fast"
    ticket: Any = None
    submitted_tick: int = -1
    next_submit: int = 0
    adopted: PlanIntent | None = None
    adopted_tick: int = -1
    expected_ticks: int = 0
    seen: frozenset[int] = frozenset()
    hp: float = 0.0
    last: Mode = "fast"
    notes: list[str] = field(default_factory=list)
    fallbacks: list[Fallback] = field(default_factory=list)
    history: list[Switch] = field(default_factory=list)


class HybridPlanner:
    """A fast planner now, a slow planner's plan when it arrives (module docstring).

    Args:
        fast: the fast planner (default: created from ``config.fast``).
        slow: the slow planner: a :class:`SlowPlanner`, or a plain planner (wrapped in
            :class:`TickDelayPlanner` with ``config.slow_delay_ticks``); default:
            created from ``config.slow``.
        config: a :class:`HybridConfig` or a mapping.

    Raises:
        PlannerConfigError: an invalid configuration.

    Example:
        >>> import numpy as np
        >>> from astraweave.core import WorldSnapshot, default_registry
        >>> from astraweave.ai import RulePlanner
        >>> from astraweave.ai._goap import GoapPlanner
        >>> hy = HybridPlanner(RulePlanner(), TickDelayPlanner(GoapPlanner(), 10))
        >>> snap, reg, rng = WorldSnapshot.example(), default_registry(), np.random.default_rng(0)
        >>> hy.plan(snap, reg, rng=rng, budget_s=0.01).provenance.notes[:2]
        ['mode: fast', 'fast: rule']
        >>> later = snap.model_copy(update={"tick": snap.tick + 10})
        >>> notes = hy.plan(later, reg, rng=rng, budget_s=0.01).provenance.notes
        >>> notes[:2], notes[2][:40]
        (['mode: slow', 'slow: goap'], 'switch fast->slow at tick 130: slow plan')
    """

    name = "hybrid"

    def __init__(
        self,
        fast: Planner | None = None,
        slow: SlowPlanner | Planner | None = None,
        *,
        config: HybridConfig | Mapping[str, Any] | None = None,
    ) -> None:
        self.configs: AgentConfigs[HybridConfig] = AgentConfigs(
            parse_config(HybridConfig, config, self.name)
        )
        self._fast_given = fast
        self._slow_given = self._as_slow(slow, self.configs.default) if slow is not None else None
        self._made: dict[str, Any] = {}
        self._agents: dict[int, _Agent] = {}

    # ------------------------------------------------------------ configuration
    def configure(
        self, config: HybridConfig | Mapping[str, Any], *, agent: str | None = None
    ) -> None:
        """Set the configuration of one agent (name or ``role:<role>``) or the default.

        Raises:
            PlannerConfigError: the configuration is invalid.
        """
        self.configs.set(agent, parse_config(HybridConfig, config, self.name))

    @staticmethod
    def _as_slow(planner: Any, cfg: HybridConfig) -> SlowPlanner:
        if isinstance(planner, SlowPlanner):
            return planner
        if isinstance(planner, Planner):
            return TickDelayPlanner(planner, cfg.slow_delay_ticks)
        raise PlannerConfigError(
            f"hybrid: the slow planner {planner!r} has neither submit/collect nor plan",
            planner="hybrid",
            key="slow",
        )

    def _fast(self, cfg: HybridConfig) -> Planner:
        if self._fast_given is not None:
            return self._fast_given
        key = f"fast:{cfg.fast}"
        if key not in self._made:
            self._made[key] = self._create(cfg.fast, "fast")
        planner: Planner = self._made[key]
        return planner

    def _slow(self, cfg: HybridConfig) -> SlowPlanner:
        if self._slow_given is not None:
            return self._slow_given
        key = f"slow:{cfg.slow}:{cfg.slow_delay_ticks}"
        if key not in self._made:
            self._made[key] = self._as_slow(self._create(cfg.slow, "slow"), cfg)
        slow: SlowPlanner = self._made[key]
        return slow

    def _create(self, name: str, role: str) -> Planner:
        if name == self.name:
            raise PlannerConfigError(
                f"hybrid: the {role} planner cannot be the hybrid itself",
                planner="hybrid",
                key=role,
            )
        try:
            return create_planner(name)
        except PlannerError as exc:
            raise PlannerConfigError(
                f"hybrid: {role} planner {name!r}: {exc}", planner="hybrid", key=role
            ) from exc

    # ---------------------------------------------------------------- history
    def switches(self, agent: int) -> list[Switch]:
        """Every switch of agent ``agent`` so far, in order."""
        st = self._agents.get(agent)
        return list(st.history) if st is not None else []

    def mode(self, agent: int) -> Mode:
        """The agent's current mode."""
        st = self._agents.get(agent)
        return st.mode if st is not None else "fast"

    def reset(self, agent: int | None = None) -> None:
        """Forget the state (mode, pending request, history) of one agent or all."""
        if agent is None:
            self._agents.clear()
        else:
            self._agents.pop(agent, None)

    # ---------------------------------------------------------------- planning
    def plan(
        self,
        snapshot: WorldSnapshot,
        registry: ToolRegistry,
        *,
        rng: np.random.Generator,
        budget_s: float,
    ) -> PlanIntent:
        """The fast plan, or the adopted slow plan (see the module docstring).

        Raises:
            PlannerError: the fast planner failed (the AI system falls back).
        """
        cfg = self.configs.for_snapshot(snapshot)
        st = self._agents.setdefault(snapshot.agent.id, _Agent())
        tick = snapshot.tick
        if st.mode == "slow" and st.adopted is not None:
            reason = self._interrupt(st, snapshot, registry, cfg)
            if reason is not None:
                self._switch(st, tick, "fast", reason)
        if st.ticket is not None:
            self._poll(st, snapshot, registry, rng, budget_s, cfg)
        if st.ticket is None and st.mode == "fast" and tick >= st.next_submit:
            self._submit(st, snapshot, registry, cfg)
        if st.mode == "slow" and st.adopted is not None:
            return self._out(snapshot, st, st.adopted, "slow", self._slow(cfg).name)
        fast = self._fast(cfg)
        plan = fast.plan(snapshot, registry, rng=rng, budget_s=budget_s)
        return self._out(snapshot, st, plan, "fast", fast.name)

    def replan(
        self,
        snapshot: WorldSnapshot,
        registry: ToolRegistry,
        *,
        rng: np.random.Generator,
        budget_s: float,
        rejected: Sequence[PlanIntent],
        errors: Sequence[ToolError],
    ) -> PlanIntent | None:
        """After a sandbox rejection: a rejected slow plan switches to ``fast`` (with the
        first error as the reason) and the fast plan is returned; a rejected fast plan
        is repaired by the fast planner when it can, else ``None``."""
        cfg = self.configs.for_snapshot(snapshot)
        st = self._agents.setdefault(snapshot.agent.id, _Agent())
        first = f"{type(errors[0]).__name__}: {errors[0]}" if errors else "rejected"
        fast = self._fast(cfg)
        if st.last == "slow":
            self._switch(st, snapshot.tick, "fast", f"the sandbox rejected the slow plan ({first})")
            plan = fast.plan(snapshot, registry, rng=rng, budget_s=budget_s)
            return self._out(snapshot, st, plan, "fast", fast.name)
        if not isinstance(fast, RepairingPlanner):
            return None
        nxt = fast.replan(
            snapshot, registry, rng=rng, budget_s=budget_s, rejected=rejected, errors=errors
        )
        return None if nxt is None else self._out(snapshot, st, nxt, "fast", fast.name)

    # ---------------------------------------------------------------- helpers
    def _out(
        self, snapshot: WorldSnapshot, st: _Agent, plan: PlanIntent, mode: Mode, source: str
    ) -> PlanIntent:
        st.last = mode
        inner = plan.provenance
        notes = [f"mode: {mode}", f"{mode}: {source}", *st.notes, *inner.notes]
        fallbacks = [*inner.fallbacks, *st.fallbacks]
        st.notes = []
        st.fallbacks = []
        return PlanIntent(
            plan_id=f"hybrid-{snapshot.agent.id}-{snapshot.tick}",
            steps=list(plan.steps),
            provenance=Provenance(planner=self.name, fallbacks=fallbacks, notes=notes),
        )

    def _switch(self, st: _Agent, tick: int, to: Mode, reason: str) -> None:
        sw = Switch(tick, st.mode, to, reason)
        st.history.append(sw)
        st.notes.append(sw.note())
        st.mode = to
        if to == "fast":
            st.adopted = None

    def _fail(self, st: _Agent, tick: int, name: str, reason: str, cfg: HybridConfig) -> None:
        st.notes.append(
            f"slow planner {name} gave no plan (request of tick {st.submitted_tick}): {reason}"
        )
        st.fallbacks.append(Fallback(planner=name, reason=reason))
        st.ticket = None
        st.next_submit = tick + cfg.resubmit_ticks

    def _submit(
        self, st: _Agent, snapshot: WorldSnapshot, registry: ToolRegistry, cfg: HybridConfig
    ) -> None:
        slow = self._slow(cfg)
        st.submitted_tick = snapshot.tick
        try:
            st.ticket = slow.submit(snapshot, registry)
        except (PlannerError, LlmError) as exc:
            self._fail(st, snapshot.tick, slow.name, f"{type(exc).__name__}: {exc}", cfg)

    def _poll(
        self,
        st: _Agent,
        snapshot: WorldSnapshot,
        registry: ToolRegistry,
        rng: np.random.Generator,
        budget_s: float,
        cfg: HybridConfig,
    ) -> None:
        slow = self._slow(cfg)
        tick = snapshot.tick
        age = tick - st.submitted_tick
        exact = bool(getattr(slow, "deterministic", False))
        if cfg.deterministic and not exact:
            if age < cfg.adopt_after_ticks:
                return
            _wait(st.ticket, cfg.wait_s)
        try:
            plan = slow.collect(st.ticket, snapshot, registry, rng=rng, budget_s=budget_s)
        except (PlannerError, LlmError) as exc:
            self._fail(st, tick, slow.name, f"{type(exc).__name__}: {exc}", cfg)
            return
        if plan is None:
            if cfg.deterministic and not exact:
                _cancel(st.ticket)
                self._fail(
                    st,
                    tick,
                    slow.name,
                    f"late: no reply within {cfg.wait_s:g} s after {age} ticks",
                    cfg,
                )
            elif age >= cfg.slow_timeout_ticks:
                _cancel(st.ticket)
                self._fail(st, tick, slow.name, f"timed out after {age} ticks", cfg)
            return
        submitted = st.submitted_tick
        st.ticket = None
        st.next_submit = tick + cfg.resubmit_ticks
        if plan.provenance.planner != slow.name:
            why = "; ".join(f"{f.planner}: {f.reason}" for f in plan.provenance.fallbacks)
            self._fail(
                st, tick, slow.name, f"answered from its fallbacks ({why or 'no reason'})", cfg
            )
            return
        problem = check_plan(plan, snapshot, registry)
        if problem is not None:
            st.notes.append(f"slow plan of tick {submitted} discarded: {problem}")
            return
        st.adopted = plan
        st.adopted_tick = tick
        st.expected_ticks = expected_ticks(plan, snapshot)
        st.seen = frozenset(e.id for e in snapshot.visible_enemies())
        st.hp = snapshot.agent.hp
        self._switch(
            st, tick, "slow", f"slow plan submitted at tick {submitted} arrived and validates"
        )

    def _interrupt(
        self, st: _Agent, snapshot: WorldSnapshot, registry: ToolRegistry, cfg: HybridConfig
    ) -> str | None:
        plan = st.adopted
        if plan is None:  # pragma: no cover  (callers check)
            return None
        on = set(cfg.interrupt_on)
        if "new_threat" in on:
            new = sorted(e.id for e in snapshot.visible_enemies() if e.id not in st.seen)
            if new:
                return f"new threat: enemy {new[0]} in sight"
        if "target_dead" in on:
            known = {e.id: e for e in snapshot.enemies}
            for i, step in enumerate(plan.steps):
                target = getattr(step, "target", None)
                if step.tool in _ENEMY_TOOLS and isinstance(target, int):
                    e = known.get(target)
                    if e is None or e.downed:
                        return f"target {target} of step {i} ({step.tool}) is down or gone"
        if "hurt" in on:
            lost = st.hp - snapshot.agent.hp
            if lost >= cfg.hurt_drop * snapshot.agent.max_hp:
                return f"hurt: lost {lost:g} hp since the slow plan was adopted"
        if "step_invalid" in on:
            problem = check_plan(plan, snapshot, registry)
            if problem is not None:
                return f"step invalid: {problem}"
        if snapshot.tick - st.adopted_tick >= min(cfg.hold_ticks, st.expected_ticks):
            if st.expected_ticks < cfg.hold_ticks:
                return f"slow plan done (expected to take {st.expected_ticks} ticks)"
            return f"slow plan held for {cfg.hold_ticks} ticks"
        return None


def _wait(ticket: Any, timeout_s: float) -> None:
    """Block up to ``timeout_s`` for an asynchronous ticket (deterministic mode)."""
    inner = getattr(ticket, "ticket", ticket)
    wait = getattr(inner, "wait", None)
    done = getattr(inner, "done", None)
    if wait is None or (callable(done) and done()):
        return
    try:
        wait(timeout_s)
    except (TimeoutError, LlmError):
        return


def _cancel(ticket: Any) -> None:
    inner = getattr(ticket, "ticket", ticket)
    cancel = getattr(inner, "cancel", None)
    if callable(cancel):
        cancel()


def expected_ticks(plan: PlanIntent, snapshot: WorldSnapshot) -> int:
    """About how many ticks ``plan`` runs from ``snapshot`` (straight-line distances at
    the agent's speed, times 1.3, plus the built-in tools' durations) plus 10 ticks of
    slack. The arbiter returns an adopted slow plan for this long at most, since a
    plan that ended must not be started again.

    Example:
        >>> from astraweave.core import default_registry
        >>> step = default_registry().parse_step({"tool": "Wait", "seconds": 1.0})
        >>> expected_ticks(PlanIntent(steps=[step]), WorldSnapshot.example())
        70
    """
    sit = Situation(snapshot)
    me = snapshot.agent
    speed = me.speed_mps if me.speed_mps > 0 else 1.0
    total = 0.0
    for step in plan.steps:
        total += estimated_duration(step, sit)
        x = getattr(step, "x", None)
        y = getattr(step, "y", None)
        if step.tool == "MoveTo" and isinstance(x, float) and isinstance(y, float):
            total += 1.3 * math.hypot(x - me.pos[0], y - me.pos[1]) / speed
        elif step.tool == "Approach":
            target = getattr(step, "target", -1)
            reach = float(getattr(step, "distance", 0.0))
            d = _distance_to(snapshot, target)
            total += 1.3 * max(0.0, d - reach) / speed
        elif step.tool == "Regroup" and sit.leader is not None:
            total += (
                1.3 * max(0.0, sit.leader.distance - float(getattr(step, "radius", 0.0))) / speed
            )
        elif step.tool == "TakeCover":
            total += 1.3 * float(getattr(step, "max_distance", 8.0)) / 2 / speed
    dt = snapshot.time_s / snapshot.tick if snapshot.tick > 0 and snapshot.time_s > 0 else 1 / 60
    return math.ceil(total / dt) + 10


def _distance_to(snapshot: WorldSnapshot, target: Any) -> float:
    for group in (snapshot.enemies, snapshot.allies, snapshot.pois):
        for v in group:
            if v.id == target:
                return float(v.distance)
    return 0.0


def check_plan(plan: PlanIntent, snapshot: WorldSnapshot, registry: ToolRegistry) -> str | None:
    """What the snapshot says is wrong with ``plan`` now, or ``None``.

    Checks that the steps parse against the registry with only the agent's allowed
    tools, that no tool is still cooling down when its step starts (after the plan's
    waits), that the magazine holds the rounds the steps fire (reloads included),
    that enemy targets are known and up, that ally targets are known, and that the
    plan's item costs (smoke, grenades, medkits, keys) are in hand.

    Example:
        >>> from astraweave.core import default_registry
        >>> snap = WorldSnapshot.example()
        >>> step = default_registry().parse_step({"tool": "Attack", "target": 9})
        >>> plan = PlanIntent(steps=[step])
        >>> check_plan(plan, snap, default_registry())
        'step 0 (Attack) cools down for 0.25 s more'
        >>> wait = default_registry().parse_step({"tool": "Wait", "seconds": 0.3})
        >>> check_plan(PlanIntent(steps=[wait, step]), snap, default_registry())
        'step 1 (Attack): target 9 is down or unknown'
    """
    forbidden = [n for n in registry.names() if n not in set(snapshot.tools)]
    try:
        registry.parse_plan(plan.model_dump(mode="python"), forbidden)
    except ToolError as exc:
        return str(exc)
    waited = 0.0
    first: set[str] = set()
    for i, step in enumerate(plan.steps):
        if step.tool == "Wait":
            waited += float(getattr(step, "seconds", 0.0))
        elif step.tool not in first:
            first.add(step.tool)
            left = snapshot.agent.cooldowns.get(step.tool, 0.0) - waited
            if left > 1e-6:
                return f"step {i} ({step.tool}) cools down for {left:.2f} s more"
    me = snapshot.agent
    ammo = me.ammo
    for i, step in enumerate(plan.steps):
        if step.tool == "Reload":
            if ammo >= me.magazine:
                return f"step {i} (Reload): the magazine is already full"
            ammo = min(me.magazine, ammo + me.reserve)
            continue
        need = int(registry.get(step.tool).costs(step).get("ammo", 0))
        if need > ammo:
            return f"step {i} ({step.tool}): needs {need} ammo, has {ammo}"
        ammo -= need
    enemies = {e.id: e for e in snapshot.enemies}
    allies = {a.id for a in snapshot.allies}
    pois = {p.id: p for p in snapshot.pois}
    items: dict[str, int] = {}
    moved = False
    for i, step in enumerate(plan.steps):
        target = getattr(step, "target", None)
        if isinstance(target, int):
            if step.tool in _ENEMY_TOOLS:
                e = enemies.get(target)
                if e is None or e.downed:
                    return f"step {i} ({step.tool}): target {target} is down or unknown"
                reach = _reach(step.tool, me.weapon_range_m, me.perception_radius_m)
                if not moved and e.distance > reach:
                    return f"step {i} ({step.tool}): target {target} is {e.distance:g} m away"
            elif step.tool == "Interact":
                poi = pois.get(target)
                if poi is None or (poi.kind in ("key", "terminal", "objective") and poi.active):
                    return f"step {i} (Interact): point of interest {target} is gone or used"
            elif step.tool in _ALLY_TOOLS and target not in allies:
                return f"step {i} ({step.tool}): ally {target} is unknown"
        moved = moved or step.tool in _MOVES
        for res, n in registry.get(step.tool).costs(step).items():
            if res in ("smoke", "grenade", "medkit", "keys"):
                items[res] = items.get(res, 0) + int(n)
    for res, n in sorted(items.items()):
        have = snapshot.agent.items.get(res, 0)
        if have < n:
            return f"needs {n} {res}, has {have}"
    return None
