"""Deferred structural changes.

Systems must not change the world's structure while the schedule runs; they record
spawn / insert / remove / despawn in their :class:`Commands` buffer instead
(``world.commands()``). Each stage ends with a sync point that applies every buffer of
that stage, in system order, so threaded and sequential runs give the same result.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from astraweave.errors import EcsError

if TYPE_CHECKING:
    from astraweave.ecs._world import World

__all__ = ["Commands", "SpawnHandle"]


class SpawnHandle:
    """The future id of an entity spawned through :class:`Commands`.

    ``handle.entity`` (or ``handle.entities`` for batches) is available once the
    commands were applied.
    """

    __slots__ = ("_ids",)

    def __init__(self) -> None:
        self._ids: npt.NDArray[np.int64] | None = None

    @property
    def applied(self) -> bool:
        """True once the spawn happened."""
        return self._ids is not None

    @property
    def entities(self) -> npt.NDArray[np.int64]:
        """The spawned ids.

        Raises:
            EcsError: the commands were not applied yet.
        """
        if self._ids is None:
            raise EcsError(
                "this spawn is deferred and has not been applied yet",
                hint="read the id after the stage's sync point (next stage or next tick)",
            )
        return self._ids

    @property
    def entity(self) -> int:
        """The id of a single spawned entity (see :attr:`entities`)."""
        return int(self.entities[0])


class Commands:
    """A buffer of deferred structural changes, applied in recording order."""

    __slots__ = ("_ops",)

    def __init__(self) -> None:
        self._ops: list[Callable[[World], None]] = []

    def __len__(self) -> int:
        return len(self._ops)

    def spawn(self, *components: Any) -> SpawnHandle:
        """Spawn one entity with ``components`` at the sync point."""
        handle = SpawnHandle()

        def op(world: World) -> None:
            handle._ids = np.array([world.spawn(*components)], dtype=np.int64)

        self._ops.append(op)
        return handle

    def spawn_batch(self, count: int, *components: Any) -> SpawnHandle:
        """Spawn ``count`` entities (see :meth:`World.spawn_batch`) at the sync point."""
        handle = SpawnHandle()

        def op(world: World) -> None:
            handle._ids = world.spawn_batch(count, *components)

        self._ops.append(op)
        return handle

    def insert(self, entity: int, *components: Any) -> None:
        """Insert or overwrite components on ``entity`` at the sync point."""
        self._ops.append(lambda world: world.insert(entity, *components))

    def insert_batch(
        self, entities: Sequence[int] | npt.NDArray[np.int64], *components: Any
    ) -> None:
        """Insert components on many entities at the sync point."""
        ids = np.asarray(entities, dtype=np.int64).copy()
        self._ops.append(lambda world: world.insert_batch(ids, *components))

    def remove(self, entity: int, *types: type) -> None:
        """Remove component types from ``entity`` at the sync point."""
        self._ops.append(lambda world: world.remove(entity, *types))

    def remove_batch(self, entities: Sequence[int] | npt.NDArray[np.int64], *types: type) -> None:
        """Remove component types from many entities at the sync point."""
        ids = np.asarray(entities, dtype=np.int64).copy()
        self._ops.append(lambda world: world.remove_batch(ids, *types))

    def despawn(self, entity: int) -> None:
        """Despawn ``entity`` at the sync point (a no-op if it is already gone by then)."""

        def op(world: World) -> None:
            if world.is_alive(entity):
                world.despawn(entity)

        self._ops.append(op)

    def despawn_batch(self, entities: Sequence[int] | npt.NDArray[np.int64]) -> None:
        """Despawn many entities at the sync point (ids already gone are skipped)."""
        ids = np.asarray(entities, dtype=np.int64).copy()

        def op(world: World) -> None:
            alive = ids[world._alloc.alive_mask(ids)]
            if len(alive):
                world.despawn_batch(np.unique(alive))

        self._ops.append(op)

    def add(self, fn: Callable[[World], None]) -> None:
        """Run an arbitrary ``fn(world)`` at the sync point (structural changes allowed)."""
        self._ops.append(fn)

    def apply(self, world: World) -> None:
        """Apply and clear the buffer (called by the scheduler at sync points)."""
        ops, self._ops = self._ops, []
        for op in ops:
            op(world)
