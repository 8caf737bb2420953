"""Typed events with a defined lifetime.

An event is any object (a frozen dataclass is typical). Events are grouped by type.
Lifetime: an event sent during tick ``t`` can be read during the rest of tick ``t``
and all of tick ``t + 1``; the scheduler drops it when tick ``t + 2`` begins. Events
sent by a system while the schedule runs become visible at the end of that system's
stage (the stage's sync point), in system order, so parallel and sequential runs see
the same events in the same order.

``World.read_events(T)`` returns every live event of type ``T``; a reader that must
see each event exactly once uses :class:`EventReader`, whose cursor lives in the world
(so it survives snapshot/restore).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, TypeVar

if TYPE_CHECKING:
    from astraweave.ecs._world import World

__all__ = ["EventBus", "EventReader"]

E = TypeVar("E")


class EventBus:
    """Per-type queues of ``(tick, sequence, event)``; see the module docstring."""

    __slots__ = ("cursors", "queues", "seq")

    def __init__(self) -> None:
        self.queues: dict[type, list[tuple[int, int, Any]]] = {}
        self.cursors: dict[str, int] = {}
        self.seq = 0

    def push(self, tick: int, event: Any) -> None:
        """Append ``event`` (sent at ``tick``)."""
        self.queues.setdefault(type(event), []).append((tick, self.seq, event))
        self.seq += 1

    def read(self, cls: type[E]) -> list[E]:
        """Every live event of exactly type ``cls``, oldest first."""
        return [ev for _, _, ev in self.queues.get(cls, ())]

    def read_new(self, cls: type[E], key: str) -> list[E]:
        """Live events of type ``cls`` not yet returned for ``key``; advances the cursor."""
        cursor = self.cursors.get(key, -1)
        out = [ev for _, seq, ev in self.queues.get(cls, ()) if seq > cursor]
        self.cursors[key] = self.seq - 1
        return out

    def drop_before(self, tick: int) -> None:
        """Forget events sent before ``tick``."""
        for cls in list(self.queues):
            kept = [item for item in self.queues[cls] if item[0] >= tick]
            if kept:
                self.queues[cls] = kept
            else:
                del self.queues[cls]

    def count(self) -> int:
        """Number of live events of all types."""
        return sum(len(q) for q in self.queues.values())


@dataclass(frozen=True, slots=True)
class EventReader(Generic[E]):
    """Reads each event of type ``event_type`` once, under a unique ``key``.

    Example:
        >>> from dataclasses import dataclass
        >>> from astraweave.ecs import World
        >>> @dataclass(frozen=True)
        ... class Ping:
        ...     n: int
        >>> world = World()
        >>> reader = EventReader(Ping, "doc.ping")
        >>> world.send(Ping(1)); world.send(Ping(2))
        >>> [p.n for p in reader.read(world)], reader.read(world)
        ([1, 2], [])
    """

    event_type: type[E]
    key: str

    def read(self, world: World) -> list[E]:
        """Events sent since this reader last read (oldest first)."""
        return world._events.read_new(self.event_type, self.key)
