"""Generational entity ids.

An entity is a plain ``int``: ``generation << 32 | index``. The index names a slot;
the generation counts how often that slot was reused, so a handle kept after its
entity was despawned is detected as stale instead of reaching the slot's new tenant.
"""

from __future__ import annotations

from typing import Any, NewType

import numpy as np
import numpy.typing as npt

from astraweave.errors import DeadEntityError

__all__ = ["Entity", "EntityAllocator", "entity_generation", "entity_index", "make_entity"]

Entity = NewType("Entity", int)
"""An entity handle: ``generation << 32 | index`` (a plain ``int`` at run time)."""

_INDEX_MASK = (1 << 32) - 1


def make_entity(index: int, generation: int) -> Entity:
    """Pack an index and a generation into an :data:`Entity`."""
    return Entity((generation << 32) | index)


def entity_index(entity: int) -> int:
    """The slot index of ``entity``."""
    return entity & _INDEX_MASK


def entity_generation(entity: int) -> int:
    """The generation of ``entity``."""
    return entity >> 32


class EntityAllocator:
    """Slot allocation with generations and a deterministic free list (FIFO reuse).

    Per slot it tracks the current generation, whether it is alive, and where the
    entity's row is (archetype id and row). Reuse order is first-freed, first-reused,
    so the same sequence of operations always yields the same ids.
    """

    __slots__ = ("_free", "_free_head", "alive", "arch", "generation", "row", "size")

    def __init__(self, capacity: int = 1024) -> None:
        self.generation: npt.NDArray[np.int64] = np.zeros(capacity, dtype=np.int64)
        self.alive: npt.NDArray[np.bool_] = np.zeros(capacity, dtype=np.bool_)
        self.arch: npt.NDArray[np.int64] = np.full(capacity, -1, dtype=np.int64)
        self.row: npt.NDArray[np.int64] = np.full(capacity, -1, dtype=np.int64)
        self.size = 0  # slots ever handed out
        self._free: npt.NDArray[np.int64] = np.zeros(0, dtype=np.int64)
        self._free_head = 0

    def _grow(self, needed: int) -> None:
        cap = len(self.generation)
        if needed <= cap:
            return
        new_cap = max(needed, cap * 2)
        for name, fill in (("generation", 0), ("alive", False), ("arch", -1), ("row", -1)):
            old = getattr(self, name)
            new = np.full(new_cap, fill, dtype=old.dtype)
            new[:cap] = old
            setattr(self, name, new)

    @property
    def free_count(self) -> int:
        """Number of freed slots waiting for reuse."""
        return len(self._free) - self._free_head

    def allocate(self, count: int) -> npt.NDArray[np.int64]:
        """Hand out ``count`` entity ids (reused slots first, in free order)."""
        reuse = min(count, self.free_count)
        idx_reused = self._free[self._free_head : self._free_head + reuse]
        self._free_head += reuse
        if self._free_head > 4096 and self._free_head * 2 > len(self._free):
            self._free = self._free[self._free_head :].copy()
            self._free_head = 0
        fresh = count - reuse
        idx_fresh = np.arange(self.size, self.size + fresh, dtype=np.int64)
        self._grow(self.size + fresh)
        self.size += fresh
        idx = np.concatenate([idx_reused, idx_fresh]) if reuse else idx_fresh
        self.alive[idx] = True
        ids: npt.NDArray[np.int64] = (self.generation[idx] << 32) | idx
        return ids

    def free(self, indices: npt.NDArray[np.int64]) -> None:
        """Release slots: bump their generation and queue them for reuse (in order)."""
        self.alive[indices] = False
        self.generation[indices] += 1
        self.arch[indices] = -1
        self.row[indices] = -1
        pending = self._free[self._free_head :]
        self._free = np.concatenate([pending, indices.astype(np.int64)])
        self._free_head = 0

    def check(self, entity: Any) -> int:
        """Return the slot index of a live ``entity``.

        Raises:
            DeadEntityError: the handle is stale, never allocated, or not an int.
        """
        if isinstance(entity, (bool, np.bool_)) or not isinstance(entity, (int, np.integer)):
            raise DeadEntityError(
                f"entity handles are ints, got {type(entity).__name__} {entity!r:.40}",
                entity=entity,
            )
        ent = int(entity)
        idx = ent & _INDEX_MASK
        gen = ent >> 32
        if ent < 0 or idx >= self.size:
            raise DeadEntityError(
                f"entity {ent} (index {idx}, generation {gen}) was never spawned in this world",
                entity=ent,
                index=idx,
                generation=gen,
            )
        if not self.alive[idx] or self.generation[idx] != gen:
            raise DeadEntityError(
                f"entity {ent} (index {idx}, generation {gen}) is stale: it was despawned"
                + (
                    f" and slot {idx} now holds generation {int(self.generation[idx])}"
                    if self.alive[idx]
                    else ""
                ),
                entity=ent,
                index=idx,
                generation=gen,
                hint="drop handles of despawned entities; check world.is_alive(entity)",
            )
        return idx

    def is_alive(self, entity: Any) -> bool:
        """True when ``entity`` is a live handle (never raises)."""
        if isinstance(entity, (bool, np.bool_)) or not isinstance(entity, (int, np.integer)):
            return False
        ent = int(entity)
        idx = ent & _INDEX_MASK
        if ent < 0 or idx >= self.size:
            return False
        return bool(self.alive[idx]) and int(self.generation[idx]) == ent >> 32

    def alive_mask(self, entities: npt.NDArray[np.int64]) -> npt.NDArray[np.bool_]:
        """Vectorised :meth:`is_alive` over an int64 array."""
        idx = entities & _INDEX_MASK
        ok = (entities >= 0) & (idx < self.size)
        out = np.zeros(len(entities), dtype=np.bool_)
        sel = idx[ok]
        out[ok] = self.alive[sel] & (self.generation[sel] == (entities[ok] >> 32))
        return out

    # -- snapshot support -------------------------------------------------------
    def state(self) -> dict[str, Any]:
        """The allocator as plain arrays (for snapshots)."""
        n = self.size
        return {
            "size": n,
            "generation": self.generation[:n].copy(),
            "alive": self.alive[:n].copy(),
            "free": self._free[self._free_head :].copy(),
        }

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> EntityAllocator:
        """Rebuild an allocator from :meth:`state` (rows are filled in by the world)."""
        n = int(state["size"])
        alloc = cls(max(1024, n))
        alloc.size = n
        alloc.generation[:n] = state["generation"]
        alloc.alive[:n] = state["alive"]
        alloc._free = np.asarray(state["free"], dtype=np.int64).copy()
        return alloc
