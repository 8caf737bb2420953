"""Behaviour-tree nodes: composites, decorators, conditions and tool actions.

A tree is ticked once per planning of an agent; each tick returns
:attr:`BtStatus.SUCCESS`, :attr:`BtStatus.FAILURE` or :attr:`BtStatus.RUNNING`.
Actions do not act: they add steps (tool arguments) to the plan the tick produces.
Every node keeps its per-agent state in the :class:`TickContext`'s memory, so one
tree serves many agents and a running node resumes on that agent's next tick.

Composites:

- :class:`Sequence`: children in order until one fails. With ``memory`` (default)
  it resumes at the running child; without, it starts over each tick.
- :class:`Selector`: children in order until one does not fail. Reactive by default
  (a higher child that succeeds or runs preempts a lower running one, which is
  halted); with ``memory`` it resumes at the running child.
- :class:`Parallel`: ticks every unfinished child; succeeds when ``success``
  children succeeded (default all), fails when ``failure`` children failed (default 1).

Decorators: :class:`Inverter`, :class:`Repeat` (``times`` successes, or forever),
:class:`Retry` (up to ``times`` attempts; a failed attempt retries on the next tick),
:class:`Cooldown` (after the child finishes it fails for ``seconds`` of world time or
``ticks`` world ticks), :class:`Timeout` (fails a child running longer than
``seconds``/``ticks``), :class:`ForceSuccess`, :class:`ForceFailure`.

Leaves: :class:`Condition` (a fact, a numeric check, or a Python predicate over the
:class:`~astraweave.ai._goap_bind.Situation`) and :class:`Action` (a tool bound to a
target; see its docstring for when it succeeds).

Time comes from the snapshot (``time_s``, ``tick``), never from the clock, so trees
are deterministic.
"""

from __future__ import annotations

import enum
import itertools
import math
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

from astraweave.ai._goap import subject_facts
from astraweave.ai._goap_bind import Situation, Subject, bind_step
from astraweave.core import EnemyView, ToolArgs, ToolRegistry
from astraweave.errors import BehaviorTreeError, ToolError

__all__ = [
    "CHECKS",
    "TARGETS",
    "Action",
    "BtNode",
    "BtStatus",
    "Condition",
    "Cooldown",
    "ForceFailure",
    "ForceSuccess",
    "Inverter",
    "Parallel",
    "Repeat",
    "Retry",
    "Selector",
    "Sequence",
    "TickContext",
    "Timeout",
    "estimated_duration",
]


class BtStatus(enum.Enum):
    """What a node's tick returns."""

    SUCCESS = "success"
    FAILURE = "failure"
    RUNNING = "running"


S, F, R = BtStatus.SUCCESS, BtStatus.FAILURE, BtStatus.RUNNING


@dataclass
class TickContext:
    """One tick of one agent's tree.

    Attributes:
        sit: the situation (from the snapshot). registry: the tools.
        conds: condition facts (FACTS and the situation facts).
        memory: the agent's node states (node id -> state dict), kept between ticks.
        steps: the steps actions added this tick, with the id of the node that added
            each. failed: ids of action nodes to fail this tick (their last plan was
            rejected by the sandbox). trace: ``"name: status"`` of every ticked node.
    """

    sit: Situation
    registry: ToolRegistry
    conds: frozenset[str]
    memory: dict[int, dict[str, Any]]
    steps: list[tuple[int, ToolArgs]] = field(default_factory=list)
    failed: frozenset[int] = frozenset()
    trace: list[str] = field(default_factory=list)

    @property
    def time_s(self) -> float:
        """World time of the snapshot."""
        return float(self.sit.snap.time_s)

    @property
    def tick(self) -> int:
        """World tick of the snapshot."""
        return int(self.sit.snap.tick)


class BtNode:
    """Base of every node. ``id`` is its pre-order index in its tree (set by
    :class:`~astraweave.ai._bt_planner.BehaviorTree`); ``name`` labels it in traces."""

    kind: ClassVar[str] = "node"

    def __init__(self, name: str | None = None) -> None:
        self.name = name or self.kind
        self.id = -1

    @property
    def children(self) -> list[BtNode]:
        """The node's children (none for leaves)."""
        return []

    def walk(self) -> Iterator[BtNode]:
        """This node and its descendants, pre-order."""
        yield self
        for c in self.children:
            yield from c.walk()

    def state(self, ctx: TickContext) -> dict[str, Any]:
        """This node's state for the ticking agent (created empty)."""
        st = ctx.memory.get(self.id)
        if st is None:
            st = {}
            ctx.memory[self.id] = st
        return st

    def reset(self, ctx: TickContext) -> None:
        """Forget this node's running state and its descendants' (a halt), and drop
        the steps they added in this tick."""
        ctx.memory.pop(self.id, None)
        if ctx.steps and any(i == self.id for i, _ in ctx.steps):
            ctx.steps[:] = [(i, s) for i, s in ctx.steps if i != self.id]
        for c in self.children:
            c.reset(ctx)

    def tick(self, ctx: TickContext) -> BtStatus:
        """Run the node once and record it in the trace."""
        status = self._tick(ctx)
        ctx.trace.append(f"{self.name}: {status.value}")
        return status

    def _tick(self, ctx: TickContext) -> BtStatus:
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.name!r})"


# ------------------------------------------------------------------ composites
class _Composite(BtNode):
    def __init__(self, children: list[BtNode], *, memory: bool, name: str | None = None) -> None:
        super().__init__(name)
        if not children:
            raise BehaviorTreeError(
                f"{self.kind} {self.name!r} needs at least one child", key=self.name
            )
        self._children = list(children)
        self.memory = memory

    @property
    def children(self) -> list[BtNode]:
        return self._children


class Sequence(_Composite):
    """Children in order until one fails (see the module docstring).

    Args:
        children: the children. memory: resume at the running child (default).
        name: a label.
    """

    kind = "sequence"

    def __init__(
        self, children: list[BtNode], *, memory: bool = True, name: str | None = None
    ) -> None:
        super().__init__(children, memory=memory, name=name)

    def _tick(self, ctx: TickContext) -> BtStatus:
        st = self.state(ctx)
        start = int(st.get("i", 0)) if self.memory else 0
        prev = st.get("i")
        for i in range(start, len(self._children)):
            status = self._children[i].tick(ctx)
            if status is R:
                if prev is not None and prev != i and not self.memory:
                    self._children[int(prev)].reset(ctx)
                self.state(ctx)["i"] = i
                return R
            if status is F:
                self.reset(ctx)
                return F
        self.reset(ctx)
        return S


class Selector(_Composite):
    """Children in order until one succeeds or runs (see the module docstring).

    Args:
        children: the children. memory: resume at the running child (default: no,
            re-check higher children every tick). name: a label.
    """

    kind = "selector"

    def __init__(
        self, children: list[BtNode], *, memory: bool = False, name: str | None = None
    ) -> None:
        super().__init__(children, memory=memory, name=name)

    def _tick(self, ctx: TickContext) -> BtStatus:
        st = self.state(ctx)
        prev = st.get("i")
        start = int(prev) if self.memory and prev is not None else 0
        for i in range(start, len(self._children)):
            status = self._children[i].tick(ctx)
            if status is F:
                continue
            if prev is not None and int(prev) != i:
                self._children[int(prev)].reset(ctx)
            if status is R:
                self.state(ctx)["i"] = i
                return R
            self.reset(ctx)
            return S
        self.reset(ctx)
        return F


class Parallel(_Composite):
    """Ticks every unfinished child each tick.

    Args:
        children: the children.
        success: successes needed to succeed (default: all children).
        failure: failures that make it fail (default 1).
        name: a label.
    """

    kind = "parallel"

    def __init__(
        self,
        children: list[BtNode],
        *,
        success: int | None = None,
        failure: int = 1,
        name: str | None = None,
    ) -> None:
        super().__init__(children, memory=True, name=name)
        n = len(self._children)
        self.success = n if success is None else success
        self.failure = failure
        if not 1 <= self.success <= n or not 1 <= self.failure <= n:
            raise BehaviorTreeError(
                f"parallel {self.name!r}: success ({self.success}) and failure "
                f"({self.failure}) must lie in 1..{n}",
                key=self.name,
            )

    def _tick(self, ctx: TickContext) -> BtStatus:
        st = self.state(ctx)
        done: dict[int, str] = dict(st.get("done", {}))
        for i, child in enumerate(self._children):
            if i in done:
                continue
            status = child.tick(ctx)
            if status is not R:
                done[i] = status.value
        wins = sum(1 for v in done.values() if v == "success")
        losses = sum(1 for v in done.values() if v == "failure")
        if wins >= self.success:
            self.reset(ctx)
            return S
        if losses >= self.failure or len(done) == len(self._children):
            self.reset(ctx)
            return F
        self.state(ctx)["done"] = done
        return R


# ------------------------------------------------------------------ decorators
class _Decorator(BtNode):
    def __init__(self, child: BtNode, name: str | None = None) -> None:
        super().__init__(name)
        if not isinstance(child, BtNode):
            raise BehaviorTreeError(f"{self.kind} {self.name!r} needs a child node", key=self.name)
        self.child = child

    @property
    def children(self) -> list[BtNode]:
        return [self.child]


class Inverter(_Decorator):
    """Success becomes failure and failure success; running stays running."""

    kind = "inverter"

    def _tick(self, ctx: TickContext) -> BtStatus:
        status = self.child.tick(ctx)
        return F if status is S else S if status is F else R


class ForceSuccess(_Decorator):
    """Failure becomes success."""

    kind = "force_success"

    def _tick(self, ctx: TickContext) -> BtStatus:
        return R if self.child.tick(ctx) is R else S


class ForceFailure(_Decorator):
    """Success becomes failure."""

    kind = "force_failure"

    def _tick(self, ctx: TickContext) -> BtStatus:
        return R if self.child.tick(ctx) is R else F


class Repeat(_Decorator):
    """Run the child until it has succeeded ``times`` times (``None``: forever, one
    success per tick); a failure fails it. An instant success is repeated in the same
    tick (up to ``times``).

    Args:
        child: the child. times: successes needed (>= 1) or ``None``. name: a label.
    """

    kind = "repeat"

    def __init__(self, child: BtNode, *, times: int | None = None, name: str | None = None) -> None:
        super().__init__(child, name)
        if times is not None and times < 1:
            raise BehaviorTreeError(f"repeat {self.name!r}: times must be >= 1", key=self.name)
        self.times = times

    def _tick(self, ctx: TickContext) -> BtStatus:
        count = int(self.state(ctx).get("count", 0))
        while True:
            status = self.child.tick(ctx)
            if status is R:
                self.state(ctx)["count"] = count
                return R
            if status is F:
                self.reset(ctx)
                return F
            count += 1
            self.child.reset(ctx)
            if self.times is None:
                self.state(ctx)["count"] = count
                return R
            if count >= self.times:
                self.reset(ctx)
                return S


class Retry(_Decorator):
    """Give the child up to ``times`` attempts: a failed attempt (before the last)
    makes the decorator run and the child is tried again on the next tick.

    Args:
        child: the child. times: attempts (>= 1). name: a label.
    """

    kind = "retry"

    def __init__(self, child: BtNode, *, times: int = 3, name: str | None = None) -> None:
        super().__init__(child, name)
        if times < 1:
            raise BehaviorTreeError(f"retry {self.name!r}: times must be >= 1", key=self.name)
        self.times = times

    def attempts(self, ctx: TickContext) -> int:
        """Failed attempts so far in the current run."""
        return int(ctx.memory.get(self.id, {}).get("failed", 0))

    def _tick(self, ctx: TickContext) -> BtStatus:
        status = self.child.tick(ctx)
        if status is R:
            return R
        if status is S:
            self.reset(ctx)
            return S
        failed = self.attempts(ctx) + 1
        self.child.reset(ctx)
        if failed >= self.times:
            self.reset(ctx)
            return F
        self.state(ctx)["failed"] = failed
        return R


def _check_limit(kind: str, name: str, seconds: float | None, ticks: int | None) -> None:
    if (seconds is None) == (ticks is None):
        raise BehaviorTreeError(f"{kind} {name!r}: give exactly one of seconds or ticks", key=name)
    if seconds is not None and not (seconds > 0 and math.isfinite(seconds)):
        raise BehaviorTreeError(f"{kind} {name!r}: seconds must be > 0", key=name)
    if ticks is not None and ticks < 1:
        raise BehaviorTreeError(f"{kind} {name!r}: ticks must be >= 1", key=name)


class _Timed(_Decorator):
    """A decorator with a limit in world seconds or world ticks (exactly one)."""

    def __init__(
        self,
        child: BtNode,
        *,
        seconds: float | None = None,
        ticks: int | None = None,
        name: str | None = None,
    ) -> None:
        super().__init__(child, name)
        _check_limit(self.kind, self.name, seconds, ticks)
        self.seconds = seconds
        self.ticks = ticks

    def _now(self, ctx: TickContext) -> float:
        """World time in the limit's unit: seconds, or ticks."""
        return ctx.time_s if self.seconds is not None else float(ctx.tick)


class Cooldown(_Timed):
    """After the child finishes (success or failure), fail without ticking it until
    ``seconds`` of world time (or ``ticks`` world ticks) have passed.

    Args:
        child: the child. seconds / ticks: the cooldown (exactly one). name: a label.
    """

    kind = "cooldown"

    def reset(self, ctx: TickContext) -> None:
        # The cooldown survives halts: keep "until" while clearing the child.
        until = ctx.memory.get(self.id, {}).get("until")
        super().reset(ctx)
        if until is not None:
            ctx.memory[self.id] = {"until": until}

    def _tick(self, ctx: TickContext) -> BtStatus:
        until = self.state(ctx).get("until")
        now = self._now(ctx)
        if until is not None and now < until:
            return F
        status = self.child.tick(ctx)
        if status is not R:
            self.child.reset(ctx)
            span = self.seconds if self.seconds is not None else float(self.ticks or 0)
            ctx.memory[self.id] = {"until": now + span}
        return status


class Timeout(_Timed):
    """Fail (and halt the child) when the child has been running for more than
    ``seconds`` of world time (or ``ticks`` world ticks) since its first tick.

    Args:
        child: the child. seconds / ticks: the limit (exactly one). name: a label.
    """

    kind = "timeout"

    def _tick(self, ctx: TickContext) -> BtStatus:
        st = self.state(ctx)
        now = self._now(ctx)
        started = st.setdefault("started", now)
        limit = self.seconds if self.seconds is not None else float(self.ticks or 0)
        if now - started > limit:
            self.reset(ctx)
            return F
        status = self.child.tick(ctx)
        if status is not R:
            self.reset(ctx)
        return status


# ---------------------------------------------------------------------- leaves
def _nearest_enemy_distance(sit: Situation) -> float:
    return sit.visible[0].distance if sit.visible else math.inf


CHECKS: dict[str, tuple[str, Callable[[Situation, Any], bool]]] = {
    "hp_below": ("own hp fraction < value", lambda s, v: s.hp_frac < float(v)),
    "hp_at_least": ("own hp fraction >= value", lambda s, v: s.hp_frac >= float(v)),
    "ammo_below": ("rounds in the magazine < value", lambda s, v: s.me.ammo < int(v)),
    "enemies_at_least": ("visible enemies >= value", lambda s, v: len(s.visible) >= int(v)),
    "enemy_within": (
        "nearest visible enemy within value metres",
        lambda s, v: _nearest_enemy_distance(s) <= float(v),
    ),
    "leader_farther_than": (
        "the leader is farther than value metres",
        lambda s, v: s.leader is not None and s.leader.distance > float(v),
    ),
    "role": ("the agent's role equals value", lambda s, v: s.me.role == str(v)),
    "has_item": ("carries at least one of item value", lambda s, v: s.me.items.get(str(v), 0) > 0),
    "tool_ready": ("tool value is allowed and off cooldown", lambda s, v: s.ready(str(v))),
    "target_cover_at_least": (
        "the target's cover (0..0.9) >= value",
        lambda s, v: s.target is not None and s.target.cover >= float(v),
    ),
}
"""Numeric and named checks for :class:`Condition`: name -> (meaning, predicate)."""


class Condition(BtNode):
    """Succeeds when its test holds, fails otherwise (never runs).

    Give exactly one of ``fact`` (a fact name: :data:`~astraweave.core.FACTS` or
    a situation fact), ``check`` with ``value`` (see :data:`CHECKS`), or ``fn`` (a
    Python predicate over the :class:`Situation`). ``negate`` inverts the test.
    """

    kind = "condition"

    def __init__(
        self,
        *,
        fact: str | None = None,
        check: str | None = None,
        value: Any = None,
        fn: Callable[[Situation], bool] | None = None,
        negate: bool = False,
        name: str | None = None,
    ) -> None:
        given = [x is not None for x in (fact, check, fn)]
        if sum(given) != 1:
            raise BehaviorTreeError("a condition needs exactly one of fact, check or fn")
        if check is not None and check not in CHECKS:
            raise BehaviorTreeError(
                f"unknown check {check!r}; checks: {', '.join(sorted(CHECKS))}", key=name
            )
        label = fact or (f"{check}({value})" if check else "fn")
        super().__init__(name or (("not " if negate else "") + str(label)))
        self.fact, self.check, self.value, self.fn, self.negate = fact, check, value, fn, negate

    def _tick(self, ctx: TickContext) -> BtStatus:
        if self.fact is not None:
            ok = self.fact in ctx.conds
        elif self.check is not None:
            ok = bool(CHECKS[self.check][1](ctx.sit, self.value))
        else:
            fn = self.fn
            ok = bool(fn(ctx.sit)) if fn is not None else False
        return S if ok != self.negate else F


TARGETS = (
    "target",
    "threat",
    "weakest_enemy",
    "downed_ally",
    "hurt_ally",
    "leader",
    "objective",
    "remembered",
    "blocking_door",
    "key",
    "none",
)
"""Target selectors of :class:`Action`."""


def _resolve(target: str, sit: Situation) -> Subject | None:
    if target == "none":
        return Subject()
    if target in ("target", "threat", "weakest_enemy"):
        e: EnemyView | None
        if target == "weakest_enemy" and sit.visible:
            e = min(sit.visible, key=lambda v: (v.hp, v.distance, v.id))
        else:
            e = sit.target if target == "target" else sit.threat
        return None if e is None else Subject("enemy", e.id, e.pos)
    if target in ("downed_ally", "hurt_ally", "leader"):
        pool = {"downed_ally": sit.downed, "hurt_ally": sit.hurt_allies}.get(target)
        a = (pool[0] if pool else None) if pool is not None else sit.leader
        return None if a is None else Subject("ally", a.id, a.pos)
    if target in ("objective", "blocking_door", "key"):
        p = {
            "objective": sit.objectives[0] if sit.objectives else None,
            "blocking_door": sit.blocking_door,
            "key": sit.key,
        }[target]
        return None if p is None else Subject("poi", p.id, p.pos)
    if not sit.remembered:
        return None
    return Subject("point", -1, sit.remembered[0].pos)


_DURATIONS: dict[str, Callable[[Any], float]] = {
    "Attack": lambda s: (s.shots - 1) * 0.25,
    "AimedShot": lambda s: 1.0,
    "CoverFire": lambda s: s.seconds,
    "ThrowSmoke": lambda s: 0.5,
    "ThrowExplosive": lambda s: 0.5,
    "Heal": lambda s: 1.0,
    "Revive": lambda s: 2.0,
    "Reload": lambda s: 1.5,
    "UseItem": lambda s: 1.0 if s.item == "medkit" else 0.25,
    "Interact": lambda s: 0.5,
    "Distract": lambda s: 0.5,
    "Wait": lambda s: s.seconds,
}

_MOVE_UNTIL: dict[tuple[str, str], tuple[str, ...]] = {
    ("Approach", "enemy"): ("enemy_in_range",),
    ("Approach", "ally"): ("near_ally",),
    ("Approach", "poi"): ("near_poi",),
    ("TakeCover", "none"): ("in_cover",),
    ("TakeCover", "enemy"): ("in_cover",),
}


def estimated_duration(step: ToolArgs, sit: Situation | None = None) -> float:
    """The least time a built-in step takes (seconds; 0 for instant and unknown
    steps). An :class:`Action` stays running at least this long. With ``sit``,
    ``Patrol`` and ``Retreat`` are estimated from straight-line distances and speed.

    Example:
        >>> from astraweave.core import AttackArgs
        >>> estimated_duration(AttackArgs(target=3, shots=3))
        0.5
    """
    fn = _DURATIONS.get(step.tool)
    if fn is not None:
        return float(fn(step))
    if sit is None or sit.me.speed_mps <= 0:
        return 0.0
    if step.tool == "Patrol":
        pts = [(p.x, p.y) for p in getattr(step, "waypoints", [])]
        loops = int(getattr(step, "loops", 1))
        legs = [sit.me.pos, *(pts * loops)]
        length = sum(math.hypot(b[0] - a[0], b[1] - a[1]) for a, b in itertools.pairwise(legs))
        return length / sit.me.speed_mps
    if step.tool == "Retreat":
        return float(getattr(step, "distance", 0.0)) / sit.me.speed_mps
    return 0.0


class Action(BtNode):
    """Adds one tool step to the plan.

    On its first tick the action fails when the tool is not allowed, cools down, or
    cannot be bound to its target; when its ``until`` facts already hold it succeeds
    without a step; otherwise it adds its step and runs. On later ticks it fails when
    the sandbox rejected its plan, succeeds once its ``until`` facts hold (about its
    target: ``enemy_in_range`` means the target is in range) or, without ``until``,
    once the step's :func:`estimated_duration` has passed; until then it adds its step
    again (the AI system keeps a running plan with the same steps). When the bound
    step changes (its target went down and another became the target), the action
    starts over as on a first tick.

    Movement without ``until`` gets a default: ``Approach`` until in range / near,
    ``TakeCover`` until in cover; ``MoveTo`` until within 0.75 m of the point;
    ``Regroup`` until the leader is within the radius.

    Args:
        tool: the tool's name.
        target: a selector (:data:`TARGETS`; default ``"none"``, which binds the
            tool's usual target, e.g. the situation's target for Attack).
        args: argument values to set over the bound ones (e.g. ``{"shots": 2}``).
        until: facts that end the action successfully.
        name: a label.
    """

    kind = "action"

    def __init__(
        self,
        tool: str,
        *,
        target: str = "none",
        args: Mapping[str, Any] | None = None,
        until: tuple[str, ...] | list[str] = (),
        name: str | None = None,
    ) -> None:
        if target not in TARGETS:
            raise BehaviorTreeError(
                f"action {tool!r}: unknown target {target!r}; targets: {', '.join(TARGETS)}",
                key=name,
            )
        super().__init__(name or (tool if target == "none" else f"{tool}@{target}"))
        self.tool = tool
        self.target = target
        self.args = dict(args or {})
        self.until = tuple(until)

    def _bind(self, ctx: TickContext) -> tuple[ToolArgs | None, Subject | None]:
        subject = _resolve(self.target, ctx.sit)
        if subject is None:
            return None, None
        step = bind_step(ctx.sit, ctx.registry, self.tool, subject)
        if self.args:
            base = step.model_dump() if step is not None else {"tool": self.tool}
            base.update(self.args)
            try:
                step = ctx.registry.parse_step(base, len(ctx.steps))
            except ToolError:
                return None, subject
        return step, subject

    def _settled(self, subject: Subject) -> bool:
        """Whether the action ends on a state (``until`` facts, arrival) rather than
        on time, so that it can already be done before it starts."""
        return (
            bool(self.until)
            or self.tool in ("MoveTo", "Regroup")
            or ((self.tool, subject.kind) in _MOVE_UNTIL)
        )

    def _done(self, ctx: TickContext, step: ToolArgs, subject: Subject, st: dict[str, Any]) -> bool:
        until = self.until or _MOVE_UNTIL.get((self.tool, subject.kind), ())
        if until:
            facts = subject_facts(ctx.sit, subject) | (ctx.conds - ctx.sit.facts)
            return all(f in facts for f in until)
        me = ctx.sit.me
        if self.tool == "MoveTo":
            x, y = getattr(step, "x", me.pos[0]), getattr(step, "y", me.pos[1])
            return math.hypot(x - me.pos[0], y - me.pos[1]) <= 0.75
        if self.tool == "Regroup":
            radius = float(getattr(step, "radius", 3.0))
            lead = ctx.sit.leader
            return lead is None or lead.distance <= radius + 0.25
        if "started_s" not in st:
            return False
        return ctx.time_s - float(st["started_s"]) >= float(st.get("duration_s", 0.0)) - 1e-9

    def _tick(self, ctx: TickContext) -> BtStatus:
        st = ctx.memory.get(self.id)
        if self.id in ctx.failed:
            self.reset(ctx)
            return F
        if self.tool not in ctx.sit.allowed or self.tool not in ctx.registry:
            self.reset(ctx)
            return F
        if st is not None and "duration_s" in st and not self.until:
            # a step that ends on time is done once its time has passed, even when it
            # can no longer be bound (a full magazine after Reload, a marked target)
            subject0 = _resolve(self.target, ctx.sit)
            timed = subject0 is None or not self._settled(subject0)
            if timed and ctx.time_s - float(st["started_s"]) >= float(st["duration_s"]) - 1e-9:
                self.reset(ctx)
                return S
        step, subject = self._bind(ctx)
        if step is None or subject is None:
            self.reset(ctx)
            return F
        if st is not None and st.get("step") != repr(step):
            # the target changed (the old one went down or moved): start over
            self.reset(ctx)
            st = None
        if st is None:
            if self._settled(subject) and self._done(ctx, step, subject, {}):
                return S
            if ctx.sit.cooldown(self.tool) > 0:
                return F
            st = self.state(ctx)
            st["started_s"] = ctx.time_s
            st["duration_s"] = estimated_duration(step, ctx.sit)
            st["step"] = repr(step)
            ctx.steps.append((self.id, step))
            return R
        if self._done(ctx, step, subject, st):
            self.reset(ctx)
            return S
        ctx.steps.append((self.id, step))
        return R
