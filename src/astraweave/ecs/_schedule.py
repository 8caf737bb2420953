"""Stages, systems and the scheduler.

Every tick runs the seven stages of the loop in order. Within a stage, systems are
ordered by their explicit ``after``/``before`` constraints and, between systems whose
declared data access conflicts (one writes what the other reads or writes), by
registration order. Systems that do not conflict may run at the same time on a
thread pool (``threads=N``); because conflicting systems keep their order and
structural changes and events are deferred to the stage's sync point (applied in the
sequential order), a threaded run is bit-identical to a sequential one.

A system that declares neither ``reads`` nor ``writes`` is *exclusive*: it conflicts
with every other system of its stage and never runs in parallel.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from enum import IntEnum
from typing import TYPE_CHECKING, Any

from astraweave.errors import (
    DuplicateSystemError,
    SystemConflictError,
    SystemCycleError,
    UnknownStageError,
)
from astraweave.profiling import span

if TYPE_CHECKING:
    from astraweave.ecs._world import World, _SystemContext

__all__ = ["Schedule", "Stage", "SystemFn", "SystemSpec"]

SystemFn = Callable[["World"], None]


class Stage(IntEnum):
    """The seven stages of a tick, in execution order."""

    PRE_SIMULATION = 0
    """Inputs, commands, scheduled events."""
    PERCEPTION = 1
    """What each agent may know (snapshots; vectorised for crowds)."""
    SIMULATION = 2
    """Game rules: cooldowns, status effects, damage over time."""
    AI_PLANNING = 3
    """Planners propose, the sandbox validates, the executor runs plan steps."""
    PHYSICS = 4
    """Movement, collisions, raycasts, character control."""
    POST_SIMULATION = 5
    """Events delivered, dead entities removed, replay capture."""
    PRESENTATION = 6
    """Rendering, telemetry, editor views."""

    @classmethod
    def parse(cls, value: Any) -> Stage:
        """A :class:`Stage` from a member, its name (any case) or its number.

        Raises:
            UnknownStageError: no such stage.
        """
        if isinstance(value, Stage):
            return value
        if isinstance(value, str) and value.upper() in cls.__members__:
            return cls[value.upper()]
        if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < len(cls):
            return cls(value)
        raise UnknownStageError(
            f"unknown stage {value!r}; stages are {', '.join(cls.__members__)}",
            stage=value,
        )


@dataclass(eq=False)
class SystemSpec:
    """A registered system: its function, stage, declared access and ordering."""

    name: str
    fn: SystemFn
    stage: Stage
    reads: frozenset[Any]
    writes: frozenset[Any]
    after: tuple[str, ...] = ()
    before: tuple[str, ...] = ()
    order: int = 0
    calls: int = field(default=0, compare=False)

    @property
    def exclusive(self) -> bool:
        """True when the system declared no access (it then runs alone)."""
        return not self.reads and not self.writes

    def conflicts(self, other: SystemSpec) -> bool:
        """True when the two systems may not run at the same time."""
        if self.exclusive or other.exclusive:
            return True
        return bool(
            self.writes & (other.reads | other.writes) or other.writes & (self.reads | self.writes)
        )


def _access_name(item: Any) -> str:
    return getattr(item, "__qualname__", None) or repr(item)


class Schedule:
    """Systems per stage, their order, and their (optionally threaded) execution."""

    def __init__(self) -> None:
        self._systems: dict[Stage, list[SystemSpec]] = {s: [] for s in Stage}
        self._names: dict[str, SystemSpec] = {}
        self._plans: dict[Stage, tuple[list[SystemSpec], dict[str, set[str]]]] | None = None
        self._count = 0

    def add(
        self,
        fn: SystemFn,
        *,
        stage: Stage | str | int,
        reads: Iterable[Any] = (),
        writes: Iterable[Any] = (),
        after: Iterable[str] = (),
        before: Iterable[str] = (),
        name: str | None = None,
    ) -> SystemSpec:
        """Register ``fn`` (see :meth:`App.add_system`)."""
        st = Stage.parse(stage)
        sys_name = name or f"{getattr(fn, '__module__', '?')}.{getattr(fn, '__qualname__', fn)}"
        if not callable(fn):
            raise SystemConflictError(f"system {sys_name!r} is not callable", system=sys_name)
        if sys_name in self._names:
            raise DuplicateSystemError(
                f"a system named {sys_name!r} is already registered "
                f"(stage {self._names[sys_name].stage.name})",
                system=sys_name,
                hint="pass name=... to register the same function twice",
            )
        r, w = frozenset(reads), frozenset(writes)
        both = r & w
        if both:
            raise SystemConflictError(
                f"system {sys_name!r} declares {sorted(map(_access_name, both))} in both reads "
                "and writes",
                system=sys_name,
                hint="list data the system modifies in writes only (writes imply reads)",
            )
        spec = SystemSpec(sys_name, fn, st, r, w, tuple(after), tuple(before), self._count)
        for other in (*spec.after, *spec.before):
            if other == sys_name:
                raise SystemConflictError(
                    f"system {sys_name!r} is ordered relative to itself", system=sys_name
                )
        self._count += 1
        self._systems[st].append(spec)
        self._names[sys_name] = spec
        self._plans = None
        return spec

    def systems(self, stage: Stage | str | int | None = None) -> list[SystemSpec]:
        """Registered systems (of one stage, or all), in execution order."""
        plans = self.build()
        if stage is None:
            return [s for st in Stage for s in plans[st][0]]
        return list(plans[Stage.parse(stage)][0])

    def build(self) -> dict[Stage, tuple[list[SystemSpec], dict[str, set[str]]]]:
        """Order every stage; returns per stage the order and each system's predecessors.

        Raises:
            SystemConflictError: ``after``/``before`` names an unknown system or one in
                another stage.
            SystemCycleError: the constraints of a stage form a cycle.
        """
        if self._plans is not None:
            return self._plans
        plans: dict[Stage, tuple[list[SystemSpec], dict[str, set[str]]]] = {}
        for st in Stage:
            plans[st] = self._order(st, self._systems[st])
        self._plans = plans
        return plans

    def _order(
        self, stage: Stage, specs: list[SystemSpec]
    ) -> tuple[list[SystemSpec], dict[str, set[str]]]:
        preds: dict[str, set[str]] = {s.name: set() for s in specs}
        explicit: set[tuple[str, str]] = set()
        for s in specs:
            for dep in s.after:
                self._check_ref(s, dep, stage)
                explicit.add((dep, s.name))
            for dep in s.before:
                self._check_ref(s, dep, stage)
                explicit.add((s.name, dep))
        for first, then in explicit:
            preds[then].add(first)
        for i, a in enumerate(specs):
            for b in specs[i + 1 :]:
                if a.conflicts(b) and (b.name, a.name) not in explicit:
                    preds[b.name].add(a.name)
        # Kahn's algorithm with registration order as the tie-break.
        by_name = {s.name: s for s in specs}
        remaining = {k: set(v) for k, v in preds.items()}
        ready = [(by_name[n].order, n) for n, p in remaining.items() if not p]
        heapq.heapify(ready)
        order: list[SystemSpec] = []
        while ready:
            _, n = heapq.heappop(ready)
            order.append(by_name[n])
            for m, p in remaining.items():
                if n in p:
                    p.discard(n)
                    if not p:
                        heapq.heappush(ready, (by_name[m].order, m))
        if len(order) != len(specs):
            stuck = sorted(n for n, p in remaining.items() if p)
            raise SystemCycleError(
                f"ordering constraints in stage {stage.name} form a cycle among {stuck}",
                stage=stage.name,
                cycle=stuck,
                hint="check the after=/before= declarations of these systems",
            )
        # Transitive closure is not needed: a conflicting pair always has a direct edge.
        return order, preds

    def _check_ref(self, spec: SystemSpec, dep: str, stage: Stage) -> None:
        other = self._names.get(dep)
        if other is None:
            raise SystemConflictError(
                f"system {spec.name!r} is ordered relative to {dep!r}, which is not registered",
                system=spec.name,
            )
        if other.stage is not stage:
            raise SystemConflictError(
                f"system {spec.name!r} (stage {stage.name}) is ordered relative to {dep!r}, "
                f"which runs in stage {other.stage.name}; stages already run in order",
                system=spec.name,
            )

    def run_stage(self, world: World, stage: Stage, pool: ThreadPoolExecutor | None) -> None:
        """Run one stage's systems, then its sync point (commands and events applied)."""
        order, preds = self.build()[stage]
        if not order:
            world._commands.apply(world)
            return
        contexts: dict[str, _SystemContext] = {}
        world._running = True
        try:
            if pool is None or len(order) == 1:
                for spec in order:
                    contexts[spec.name] = _run_one(world, spec)
            else:
                self._run_parallel(world, order, preds, pool, contexts)
        finally:
            world._running = False
        # Sync point: world-level buffer first, then each system's, in sequential order.
        world._commands.apply(world)
        for spec in order:
            ctx = contexts.get(spec.name)
            if ctx is None:
                continue
            for ev in ctx.events:
                world._events.push(world.tick, ev)
            ctx.commands.apply(world)

    @staticmethod
    def _run_parallel(
        world: World,
        order: list[SystemSpec],
        preds: dict[str, set[str]],
        pool: ThreadPoolExecutor,
        contexts: dict[str, _SystemContext],
    ) -> None:
        waiting = {s.name: set(preds[s.name]) for s in order}
        by_name = {s.name: s for s in order}
        running: dict[Future[_SystemContext], str] = {}
        done: set[str] = set()
        error: BaseException | None = None
        while len(done) < len(order):
            if error is None:
                for s in order:
                    n = s.name
                    if n in waiting and not waiting[n]:
                        del waiting[n]
                        running[pool.submit(_run_one, world, by_name[n])] = n
            if not running:
                break
            finished, _ = wait(list(running), return_when=FIRST_COMPLETED)
            for fut in sorted(finished, key=lambda f: by_name[running[f]].order):
                n = running.pop(fut)
                done.add(n)
                exc = fut.exception()
                if exc is not None:
                    error = error or exc
                    continue
                contexts[n] = fut.result()
                for w in waiting.values():
                    w.discard(n)
        if error is not None:
            raise error


def _run_one(world: World, spec: SystemSpec) -> _SystemContext:
    from astraweave.ecs._world import _SystemContext

    ctx = _SystemContext(spec.name)
    world._local.ctx = ctx
    try:
        with span(spec.name):
            spec.fn(world)
    except Exception as exc:
        exc.add_note(f"in system {spec.name!r} (stage {spec.stage.name}, tick {world.tick})")
        raise
    finally:
        world._local.ctx = None
    spec.calls += 1
    return ctx
