"""Probes: what the harness records each tick, and the extension point for new
subsystems.

A probe is any object with ``name``, ``attach(harness)``, ``after_tick(harness,
tick)`` and ``report()`` (:class:`Probe`). The harness attaches its built-in probes
(hashes, game events, collisions, plans, animation triggers) and any given to it;
``attach`` runs once the world exists (a probe may add systems or event readers
then), ``after_tick`` after every tick, ``report`` returns a JSON-ready summary.
Rendering, replication, persistence, asset hot reload and the editor will each bring
a probe (frame hashes, client/server divergence, save round trips, reload counts),
so their cross-system tests reuse the same harness. See ``docs/testing.md``.
"""

from __future__ import annotations

import gc
import tracemalloc
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from astraweave.ai import PlanLog, PlanRecord, plan_log
from astraweave.core import GameEvent, Mission, PlanInbox, ReplayRecorder
from astraweave.ecs import EventReader
from astraweave.physics import CollisionStarted

if TYPE_CHECKING:
    from astraweave.testing._harness import IntegrationHarness

__all__ = [
    "DEFAULT_CLIPS",
    "AnimationProbe",
    "AnimationTrigger",
    "CollisionProbe",
    "CollisionRecord",
    "EventProbe",
    "HashProbe",
    "MemoryProbe",
    "MemorySample",
    "PlanProbe",
    "Probe",
    "ReplayProbe",
]


@runtime_checkable
class Probe(Protocol):
    """What the harness calls on a probe (see the module docstring)."""

    name: str

    def attach(self, harness: IntegrationHarness) -> None:
        """Called once, when the world exists."""

    def after_tick(self, harness: IntegrationHarness, tick: int) -> None:
        """Called after tick ``tick`` ran."""

    def report(self) -> dict[str, Any]:
        """A JSON-ready summary."""


class HashProbe:
    """The world hash after every tick (``hashes[tick]``).

    Args:
        enabled: record hashes (``False``: record nothing; hashing costs about
            0.1 ms per tick on the demo world).
    """

    name = "hashes"

    def __init__(self, enabled: bool = True) -> None:
        self.enabled = enabled
        self.hashes: dict[int, str] = {}

    def attach(self, harness: IntegrationHarness) -> None:
        """Nothing to set up."""

    def after_tick(self, harness: IntegrationHarness, tick: int) -> None:
        """Hash the world."""
        if self.enabled:
            self.hashes[tick] = harness.world.hash()

    def report(self) -> dict[str, Any]:
        """First and last recorded tick and the last hash."""
        if not self.hashes:
            return {"ticks": 0}
        ticks = list(self.hashes)
        return {
            "ticks": len(ticks),
            "first": ticks[0],
            "last": ticks[-1],
            "last_hash": self.hashes[ticks[-1]],
        }


class EventProbe:
    """Every :class:`~astraweave.core.GameEvent`, in order.

    Args:
        keep: keep the events (``False``: count them by kind only).
    """

    name = "events"

    def __init__(self, keep: bool = True) -> None:
        self.keep = keep
        self.events: list[GameEvent] = []
        self.latest: list[GameEvent] = []
        """The events of the last tick (kept or not)."""
        self.counts: Counter[str] = Counter()
        self._reader: EventReader[GameEvent] = EventReader(GameEvent, "astraweave.testing.events")

    def attach(self, harness: IntegrationHarness) -> None:
        """Nothing to set up (the reader's cursor lives in the world)."""

    def after_tick(self, harness: IntegrationHarness, tick: int) -> None:
        """Read this tick's events."""
        new = self._reader.read(harness.world)
        self.latest = new
        self.counts.update(e.kind for e in new)
        if self.keep:
            self.events.extend(new)

    def report(self) -> dict[str, Any]:
        """Events by kind."""
        return {"by_kind": dict(sorted(self.counts.items()))}


@dataclass(frozen=True, slots=True)
class CollisionRecord:
    """A collision that began: tick, the two entities (``a < b``; ``-1`` is the static
    map), the first contact point and the normal from ``a`` towards ``b``."""

    tick: int
    a: int
    b: int
    point: tuple[float, float]
    normal: tuple[float, float]

    def involves(self, entity: int) -> bool:
        """Whether ``entity`` is one of the two."""
        return entity in (self.a, self.b)


class CollisionProbe:
    """Every physics :class:`~astraweave.physics.CollisionStarted`, with its tick.

    Args:
        keep: keep the records (``False``: count them only).
    """

    name = "collisions"

    def __init__(self, keep: bool = True) -> None:
        self.keep = keep
        self.records: list[CollisionRecord] = []
        self.total = 0
        self._reader: EventReader[CollisionStarted] = EventReader(
            CollisionStarted, "astraweave.testing.collisions"
        )

    def attach(self, harness: IntegrationHarness) -> None:
        """Nothing to set up."""

    def after_tick(self, harness: IntegrationHarness, tick: int) -> None:
        """Read this tick's collisions."""
        new = self._reader.read(harness.world)
        self.total += len(new)
        if self.keep:
            self.records.extend(
                CollisionRecord(
                    tick,
                    int(ev.a),
                    int(ev.b),
                    (float(ev.point[0]), float(ev.point[1])),
                    (float(ev.normal[0]), float(ev.normal[1])),
                )
                for ev in new
            )

    def report(self) -> dict[str, Any]:
        """How many collisions began."""
        return {"started": self.total}


class PlanProbe:
    """Every planning attempt of the AI system (:class:`~astraweave.ai.PlanRecord`).

    Args:
        keep: keep the records (``False``: count outcomes only).
        drain: empty the AI system's own :class:`~astraweave.ai.PlanLog` after reading
            it, so a long run's memory measures the engine, not the log (the log keeps
            every record by design).
    """

    name = "plans"

    def __init__(self, keep: bool = True, drain: bool = False) -> None:
        self.keep = keep
        self.drain = drain
        self.records: list[PlanRecord] = []
        self.latest: list[PlanRecord] = []
        """The records of the last tick (kept or not)."""
        self.counts: Counter[str] = Counter()
        self.fallbacks: Counter[str] = Counter()
        self._log: PlanLog | None = None
        self._seen = 0

    def attach(self, harness: IntegrationHarness) -> None:
        """Find the app's plan log."""
        self._log = plan_log(harness.app)
        self._seen = len(self._log.records)

    def after_tick(self, harness: IntegrationHarness, tick: int) -> None:
        """Read the new records."""
        if self._log is None:  # pragma: no cover  (attach always runs first)
            return
        new = self._log.since(self._seen)
        self.latest = new
        for r in new:
            self.counts[r.outcome] += 1
            if r.plan is not None:
                for f in r.plan.provenance.fallbacks:
                    self.fallbacks[f.planner] += 1
        if self.keep:
            self.records.extend(new)
        if self.drain:
            del self._log.records[:]
            self._seen = 0
        else:
            self._seen += len(new)

    def report(self) -> dict[str, Any]:
        """Outcomes (accepted, kept, rejected, no_plan) and fallbacks by tier."""
        return {
            "by_outcome": dict(sorted(self.counts.items())),
            "fallbacks_from": dict(sorted(self.fallbacks.items())),
        }


DEFAULT_CLIPS: Mapping[str, tuple[str, str]] = {
    "shot": ("actor", "fire"),
    "damaged": ("target", "hit_react"),
    "downed": ("actor", "fall"),
    "died": ("actor", "death"),
    "reloaded": ("actor", "reload"),
    "healed": ("actor", "heal"),
    "revived": ("actor", "revive"),
    "thrown": ("actor", "throw"),
    "smoke": ("actor", "throw"),
    "interacted": ("actor", "interact"),
    "marked": ("actor", "point"),
    "scanned": ("actor", "look_around"),
}
"""Game event kind -> (which entity animates: ``actor`` or ``target``, clip name)."""


@dataclass(frozen=True, slots=True)
class AnimationTrigger:
    """An animation a game event starts: at ``tick``, ``entity`` plays ``clip``
    (``cause`` is the event kind)."""

    tick: int
    entity: int
    clip: str
    cause: str


class AnimationProbe:
    """Animation triggers derived from game events (:data:`DEFAULT_CLIPS`).

    Until the animation subsystem exists, this is the presentation side of a tick:
    the trigger of a clip is the game event that causes it, at the tick it happens
    (a shot fires the ``fire`` clip at the shot's tick). The animation package will
    replace the table with its state machines; tests keep asserting on triggers.

    Args:
        clips: event kind -> (``"actor"`` or ``"target"``, clip name).
    """

    name = "animation"

    def __init__(self, clips: Mapping[str, tuple[str, str]] = DEFAULT_CLIPS) -> None:
        self.clips = dict(clips)
        self.triggers: list[AnimationTrigger] = []
        self._reader: EventReader[GameEvent] = EventReader(
            GameEvent, "astraweave.testing.animation"
        )

    def attach(self, harness: IntegrationHarness) -> None:
        """Nothing to set up."""

    def after_tick(self, harness: IntegrationHarness, tick: int) -> None:
        """Turn this tick's events into triggers."""
        for ev in self._reader.read(harness.world):
            rule = self.clips.get(ev.kind)
            if rule is None:
                continue
            who = ev.actor if rule[0] == "actor" else ev.target
            if who >= 0:
                self.triggers.append(AnimationTrigger(ev.tick, who, rule[1], ev.kind))

    def report(self) -> dict[str, Any]:
        """Triggers by clip."""
        return {"by_clip": dict(sorted(Counter(t.clip for t in self.triggers).items()))}


@dataclass(frozen=True, slots=True)
class MemorySample:
    """Memory after ``tick``: resident set (bytes), bytes traced by ``tracemalloc``
    (0 when not tracing), objects tracked by the garbage collector, live entities."""

    tick: int
    rss_bytes: int
    traced_bytes: int
    gc_objects: int
    entities: int


class MemoryProbe:
    """Memory samples every ``every`` ticks (and after the first tick).

    Args:
        every: ticks between samples.
        collect: run the garbage collector before each sample (steadier figures).
    """

    name = "memory"

    def __init__(self, every: int = 250, collect: bool = True) -> None:
        if every < 1:
            raise ValueError(f"every must be >= 1, got {every}")
        self.every = every
        self.collect = collect
        self.samples: list[MemorySample] = []
        self._count = 0

    def attach(self, harness: IntegrationHarness) -> None:
        """Nothing to set up."""

    def sample(self, harness: IntegrationHarness, tick: int) -> MemorySample:
        """Take one sample now (also kept in :attr:`samples`)."""
        import psutil

        if self.collect:
            gc.collect()
        traced = tracemalloc.get_traced_memory()[0] if tracemalloc.is_tracing() else 0
        s = MemorySample(
            tick=tick,
            rss_bytes=int(psutil.Process().memory_info().rss),
            traced_bytes=int(traced),
            gc_objects=len(gc.get_objects()),
            entities=harness.world.entity_count(),
        )
        self.samples.append(s)
        return s

    def after_tick(self, harness: IntegrationHarness, tick: int) -> None:
        """Sample after the first tick seen and after every tick that is a multiple
        of ``every``."""
        self._count += 1
        if self._count == 1 or tick % self.every == 0:
            self.sample(harness, tick)

    def report(self) -> dict[str, Any]:
        """The samples as lists."""
        return {"samples": [_sample(s) for s in self.samples]}


def _sample(s: MemorySample) -> dict[str, int]:
    return {
        "tick": s.tick,
        "rss_bytes": s.rss_bytes,
        "traced_bytes": s.traced_bytes,
        "gc_objects": s.gc_objects,
        "entities": s.entities,
    }


class ReplayProbe:
    """Captures the run as a replay file (core's format: the initial world, then per
    tick the inputs applied, the plans and the world hash), which
    :func:`astraweave.ai.verify_replay` and ``astraweave replay`` re-run and compare
    tick by tick.

    Replays re-create planners from the planner registry: planner instances given to
    the harness (``planners=``) are not in the file.

    Args:
        path: where :meth:`write` writes (``None``: give it to :meth:`write`).

    Example:
        >>> import tempfile, pathlib
        >>> from astraweave import ai
        >>> from astraweave.core import builtin_scenario
        >>> from astraweave.testing import IntegrationHarness
        >>> probe = ReplayProbe()
        >>> h = IntegrationHarness.from_scenario(builtin_scenario(), probes=[probe])
        >>> _ = h.run(40)
        >>> with tempfile.TemporaryDirectory() as tmp:
        ...     check = ai.verify_replay(probe.write(pathlib.Path(tmp) / "run.awr"))
        >>> check.ok, check.ticks
        (True, 40)
    """

    name = "replay"

    def __init__(self, path: str | Path | None = None) -> None:
        self.path = path
        self.recorder: ReplayRecorder | None = None
        self._inputs = 0

    def attach(self, harness: IntegrationHarness) -> None:
        """Snapshot the initial world."""
        world = harness.world
        mission = world.try_resource(Mission) or Mission()
        self.recorder = ReplayRecorder(
            scenario_name=mission.name,
            scenario_text=harness.scenario_text or "",
            scenario_path=None,
            seed=world.seed,
            config={"planner": harness.planner_override, "stop_on_outcome": False},
            initial=world.snapshot(),
        )
        inbox = world.try_resource(PlanInbox)
        self._inputs = len(inbox.applied) if inbox is not None else 0

    def after_tick(self, harness: IntegrationHarness, tick: int) -> None:
        """Record the tick."""
        if self.recorder is None:  # pragma: no cover  (attach always runs first)
            return
        world = harness.world
        inbox = world.try_resource(PlanInbox)
        inputs: list[tuple[int, str, bool]] = []
        if inbox is not None:
            inputs = [(e, text, ok) for _, e, text, ok in inbox.applied[self._inputs :]]
            self._inputs = len(inbox.applied)
        plans = [
            (r.agent, r.planner, r.plan.canonical_json() if r.plan is not None else "", r.outcome)
            for r in harness.plan_probe.latest
        ]
        digest = harness.hash_probe.hashes.get(tick) or world.hash()
        self.recorder.record(tick, digest, inputs, plans)

    def write(self, path: str | Path | None = None) -> Path:
        """Write the replay file.

        Raises:
            ValueError: no path given here or at construction, or nothing recorded.
        """
        target = path if path is not None else self.path
        if target is None or self.recorder is None:
            raise ValueError("ReplayProbe.write needs a path and a run to write")
        return self.recorder.write(target)

    def report(self) -> dict[str, Any]:
        """Ticks recorded and the final hash."""
        if self.recorder is None:
            return {"ticks": 0}
        data = self.recorder.data
        return {"ticks": len(data.ticks), "final_hash": data.final_hash}
