"""The world: entities, archetype tables, resources, events, the seeded RNG."""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence
from typing import Any, TypeVar

import numpy as np
import numpy.typing as npt

from astraweave.ecs._commands import Commands
from astraweave.ecs._component import (
    ComponentBatch,
    ComponentInfo,
    coerce_scalar,
    component_info,
)
from astraweave.ecs._entity import EntityAllocator
from astraweave.ecs._events import EventBus
from astraweave.ecs._query import Query
from astraweave.ecs._storage import Archetype
from astraweave.errors import (
    ComponentShapeError,
    ComponentTypeError,
    DeadEntityError,
    MissingComponentError,
    MissingResourceError,
    StructuralChangeError,
    UnknownComponentError,
)

__all__ = ["DEFAULT_DT", "World"]

T = TypeVar("T")
R = TypeVar("R")

DEFAULT_DT = 1.0 / 60.0
"""Default fixed time step in seconds (60 Hz)."""


class _SystemContext:
    """Per-running-system buffers (commands and events), applied at the stage's sync point."""

    __slots__ = ("commands", "events", "name")

    def __init__(self, name: str) -> None:
        self.name = name
        self.commands = Commands()
        self.events: list[Any] = []


class _Column:
    """Marks a prepared field value that holds one value per entity (a batch column)."""

    __slots__ = ("data",)

    def __init__(self, data: npt.NDArray[Any]) -> None:
        self.data = data


# A prepared value for one component: per field, either a scalar/array for every
# entity (broadcast) or a column with one value per entity.
_Prepared = tuple[ComponentInfo, dict[str, Any], bool]


class World:
    """All entities, their components, resources, events and the world's RNG.

    Args:
        seed: seed of the world's random generator (numpy ``Generator(PCG64)``);
            randomness in the simulation must come from :attr:`rng`.
        dt: fixed time step in seconds (default 1/60).

    Example:
        >>> from astraweave.ecs import World, Position, Velocity
        >>> world = World(seed=7)
        >>> e = world.spawn(Position(1.0, 2.0), Velocity(0.5, 0.0))
        >>> for chunk in world.query(Position, Velocity):
        ...     chunk[Position].x += chunk[Velocity].x
        >>> world.get(e, Position)
        Position(x=1.5, y=2.0)
    """

    def __init__(self, *, seed: int = 0, dt: float = DEFAULT_DT) -> None:
        self.seed = int(seed)
        self.dt = float(dt)
        self.tick = 0
        self.rng = np.random.Generator(np.random.PCG64(self.seed))
        self._alloc = EntityAllocator()
        self._archetypes: list[Archetype] = []
        self._arch_by_key: dict[frozenset[type], Archetype] = {}
        self._resources: dict[type, Any] = {}
        self._events = EventBus()
        self._commands = Commands()
        self._local = threading.local()
        self._running = False
        self._epoch: object = object()
        self._query_cache: dict[Any, Query] = {}
        self._archetype(frozenset())

    # ------------------------------------------------------------------ time
    @property
    def time(self) -> float:
        """Simulated seconds since tick 0 (``tick * dt``; no accumulated rounding)."""
        return self.tick * self.dt

    # -------------------------------------------------------------- archetypes
    def _archetype(self, key: frozenset[type]) -> Archetype:
        arch = self._arch_by_key.get(key)
        if arch is None:
            arch = Archetype(len(self._archetypes), key)
            self._archetypes.append(arch)
            self._arch_by_key[key] = arch
        return arch

    @property
    def archetypes(self) -> tuple[Archetype, ...]:
        """Every archetype table, in creation order."""
        return tuple(self._archetypes)

    # ----------------------------------------------------------------- guards
    def _guard(self, op: str) -> None:
        if self._running and getattr(self._local, "ctx", None) is not None:
            raise StructuralChangeError(
                f"{op} inside running system {self._local.ctx.name!r} changes the world's "
                "structure while the schedule runs",
                system=self._local.ctx.name,
                hint=f"record it with world.commands().{op}(...) instead",
            )

    def commands(self) -> Commands:
        """The command buffer to record deferred structural changes in.

        Inside a running system this is the system's own buffer (applied at the end of
        its stage); outside the schedule it is the world's buffer, applied by
        :meth:`apply_commands` or at the next sync point.
        """
        ctx = getattr(self._local, "ctx", None)
        return self._commands if ctx is None else ctx.commands

    def apply_commands(self) -> None:
        """Apply the world-level command buffer now."""
        self._commands.apply(self)

    # ---------------------------------------------------------------- preparing
    def _prepare(self, value: Any, count: int | None, entity: Any = None) -> _Prepared:
        """Validate a component instance or batch; returns (info, field values, is_batch)."""
        if isinstance(value, ComponentBatch):
            info = value.info
            out: dict[str, Any] = {}
            for spec in info.fields:
                raw = value.data.get(spec.name, spec.default)
                if spec.name not in value.data:
                    out[spec.name] = coerce_scalar(info, spec, raw, entity)
                    continue
                arr = np.asarray(raw, dtype=object if spec.is_object else None)
                if arr.ndim == len(spec.shape):  # one value for every entity
                    out[spec.name] = coerce_scalar(info, spec, raw, entity)
                    continue
                if arr.shape[1:] != spec.shape or (count is not None and arr.shape[0] != count):
                    raise ComponentShapeError(
                        f"{info.name}.{spec.name}: batch column has shape {arr.shape}, "
                        f"expected {(count, *spec.shape)}",
                        component=info.name,
                        field=spec.name,
                    )
                if not spec.is_object and (
                    arr.dtype == np.dtype(object)
                    or not np.can_cast(arr.dtype, spec.dtype, casting="same_kind")
                ):
                    raise ComponentTypeError(
                        f"{info.name}.{spec.name} holds {spec.dtype.name}, "
                        f"got a column of {arr.dtype.name}",
                        component=info.name,
                        field=spec.name,
                    )
                out[spec.name] = _Column(arr)
            return info, out, True
        cls = type(value)
        if isinstance(value, type):
            raise UnknownComponentError(
                f"got the class {value.__qualname__} where a component value was expected",
                component=value.__qualname__,
                entity=entity,
                hint=f"pass an instance, e.g. {value.__qualname__}()",
            )
        try:
            info = component_info(cls)
        except UnknownComponentError as exc:
            raise UnknownComponentError(
                f"{cls.__qualname__} is not a component (value {value!r:.60})",
                component=cls.__qualname__,
                entity=entity,
                hint="decorate the class with @astraweave.ecs.component",
            ) from exc
        return (
            info,
            {s.name: coerce_scalar(info, s, getattr(value, s.name), entity) for s in info.fields},
            False,
        )

    @staticmethod
    def _write(arch: Archetype, rows: slice | npt.NDArray[np.int64], prepared: _Prepared) -> None:
        info, values, _ = prepared
        cols = arch.cols[info.type]
        for spec in info.fields:
            v = values[spec.name]
            if isinstance(v, _Column):
                cols[spec.name][rows] = v.data
            elif spec.is_object:
                target = cols[spec.name]
                if isinstance(rows, slice):
                    for r in range(*rows.indices(len(target))):
                        target[r] = v
                else:
                    for r in rows:
                        target[r] = v
            else:
                cols[spec.name][rows] = v

    @staticmethod
    def _check_unique(prepared: Sequence[_Prepared]) -> None:
        seen: set[type] = set()
        for info, _, _ in prepared:
            if info.type in seen:
                raise ComponentTypeError(
                    f"component {info.name} given twice",
                    component=info.name,
                )
            seen.add(info.type)

    # ------------------------------------------------------------------ spawn
    def spawn(self, *components: Any) -> int:
        """Create an entity with ``components`` and return its id.

        Raises:
            UnknownComponentError: a value is not an instance of a ``@component`` class.
            ComponentTypeError / ComponentShapeError: a field value does not fit.
            StructuralChangeError: called inside a running system.
        """
        return int(self.spawn_batch(1, *components)[0])

    def spawn_batch(self, count: int, *components: Any) -> npt.NDArray[np.int64]:
        """Create ``count`` entities with the same component types, vectorised.

        Each argument is a component instance (its values go to every entity) or a
        :func:`columns` batch (one value per entity per field).

        Returns:
            The new ids, an int64 array of length ``count``.

        Example:
            >>> import numpy as np
            >>> from astraweave.ecs import World, Position, columns
            >>> world = World()
            >>> ids = world.spawn_batch(3, columns(Position, x=np.arange(3.0)))
            >>> world.get(int(ids[2]), Position)
            Position(x=2.0, y=0.0)
        """
        self._guard("spawn")
        if not isinstance(count, (int, np.integer)) or isinstance(count, bool) or count < 0:
            raise ComponentShapeError(f"spawn_batch count must be an int >= 0, got {count!r}")
        prepared = [self._prepare(c, int(count)) for c in components]
        self._check_unique(prepared)
        arch = self._archetype(frozenset(p[0].type for p in prepared))
        ids = self._alloc.allocate(int(count))
        start = arch.append(ids)
        rows = slice(start, start + int(count))
        for p in prepared:
            self._write(arch, rows, p)
        idx = ids & 0xFFFFFFFF
        self._alloc.arch[idx] = arch.id
        self._alloc.row[idx] = np.arange(start, start + int(count), dtype=np.int64)
        return ids

    # ------------------------------------------------------------ single entity
    def is_alive(self, entity: Any) -> bool:
        """True when ``entity`` is a live handle of this world."""
        return self._alloc.is_alive(entity)

    def _locate(self, entity: Any) -> tuple[int, Archetype, int]:
        idx = self._alloc.check(entity)
        return idx, self._archetypes[int(self._alloc.arch[idx])], int(self._alloc.row[idx])

    def _read_row(self, arch: Archetype, row: int, cls: type[T]) -> T:
        info = component_info(cls)
        cols = arch.cols[cls]
        kwargs: dict[str, Any] = {}
        for spec in info.fields:
            v = cols[spec.name][row]
            kwargs[spec.name] = v.copy() if spec.shape else (v if spec.is_object else v.item())
        return cls(**kwargs)

    def get(self, entity: int, cls: type[T]) -> T:
        """A copy of ``entity``'s ``cls`` component.

        Raises:
            DeadEntityError: the handle is stale or unknown.
            MissingComponentError: the entity has no ``cls``.
        """
        _, arch, row = self._locate(entity)
        if cls not in arch.cols:
            component_info(cls)
            raise MissingComponentError(
                f"entity {entity} has no {cls.__qualname__}; it has "
                f"{[t.__qualname__ for t in arch.types]}",
                entity=entity,
                component=cls.__qualname__,
            )
        return self._read_row(arch, row, cls)

    def try_get(self, entity: int, cls: type[T]) -> T | None:
        """Like :meth:`get`, but ``None`` when the entity is dead or lacks ``cls``."""
        if not self._alloc.is_alive(entity):
            return None
        _, arch, row = self._locate(entity)
        return self._read_row(arch, row, cls) if cls in arch.cols else None

    def has(self, entity: int, cls: type) -> bool:
        """True when live ``entity`` has component ``cls``.

        Raises:
            DeadEntityError: the handle is stale or unknown.
        """
        _, arch, _ = self._locate(entity)
        return cls in arch.cols

    def components_of(self, entity: int) -> tuple[type, ...]:
        """The component types of ``entity`` (sorted by qualified name)."""
        _, arch, _ = self._locate(entity)
        return arch.types

    def set(self, entity: int, *components: Any) -> None:
        """Overwrite components ``entity`` already has (no structural change).

        Raises:
            MissingComponentError: the entity lacks one of them (nothing is written).
        """
        _, arch, row = self._locate(entity)
        prepared = [self._prepare(c, None, entity) for c in components]
        for info, _, _ in prepared:
            if info.type not in arch.cols:
                raise MissingComponentError(
                    f"entity {entity} has no {info.name} to set",
                    entity=entity,
                    component=info.name,
                    hint="use world.insert() to add a component",
                )
        for p in prepared:
            self._write(arch, slice(row, row + 1), p)

    def insert(self, entity: int, *components: Any) -> None:
        """Add (or overwrite) components on ``entity``, moving it to a new archetype.

        All values are validated first: on error the world is unchanged.
        """
        self._guard("insert")
        idx, arch, row = self._locate(entity)
        prepared = [self._prepare(c, None, entity) for c in components]
        self._check_unique(prepared)
        key = arch.key | {p[0].type for p in prepared}
        if key == arch.key:
            for p in prepared:
                self._write(arch, slice(row, row + 1), p)
            return
        target = self._archetype(key)
        new_row = self._move(idx, arch, row, target)
        for p in prepared:
            self._write(target, slice(new_row, new_row + 1), p)

    def remove(self, entity: int, *types: type) -> None:
        """Remove component types from ``entity``.

        Raises:
            MissingComponentError: the entity lacks one of them (nothing is removed).
        """
        self._guard("remove")
        idx, arch, row = self._locate(entity)
        for cls in types:
            component_info(cls)
            if cls not in arch.cols:
                raise MissingComponentError(
                    f"entity {entity} has no {cls.__qualname__} to remove",
                    entity=entity,
                    component=cls.__qualname__,
                )
        target = self._archetype(arch.key - set(types))
        if target is not arch:
            self._move(idx, arch, row, target)

    def _move(self, idx: int, src: Archetype, row: int, dst: Archetype) -> int:
        ent = int(src.entities[row])
        new_row = dst.append(np.array([ent], dtype=np.int64))
        for cls, fields in dst.cols.items():
            src_fields = src.cols.get(cls)
            if src_fields is not None:
                for name, col in fields.items():
                    col[new_row] = src_fields[name][row]
        moved = src.swap_remove(row)
        if moved >= 0:
            self._alloc.row[moved & 0xFFFFFFFF] = row
        self._alloc.arch[idx] = dst.id
        self._alloc.row[idx] = new_row
        return new_row

    def despawn(self, entity: int) -> None:
        """Remove ``entity`` and all its components; its handle becomes stale."""
        self._guard("despawn")
        idx, arch, row = self._locate(entity)
        moved = arch.swap_remove(row)
        if moved >= 0:
            self._alloc.row[moved & 0xFFFFFFFF] = row
        self._alloc.free(np.array([idx], dtype=np.int64))

    # ------------------------------------------------------------------ batches
    def _check_batch(self, entities: Sequence[int] | npt.NDArray[Any]) -> npt.NDArray[np.int64]:
        ids = np.asarray(entities)
        if ids.ndim != 1 or (ids.size and ids.dtype.kind not in "iu"):
            raise DeadEntityError(f"entity batches are 1-D int arrays, got {ids.dtype} {ids.shape}")
        ids = ids.astype(np.int64, copy=False)
        ok = self._alloc.alive_mask(ids)
        if not ok.all():
            bad = int(ids[~ok][0])
            raise DeadEntityError(
                f"{int((~ok).sum())} of {len(ids)} entities are stale or unknown (first: {bad})",
                entity=bad,
            )
        idx = ids & 0xFFFFFFFF
        counts = np.bincount(idx, minlength=0) if len(idx) else idx
        if len(idx) and counts.max() > 1:
            dup = int(np.flatnonzero(counts > 1)[0])
            raise DeadEntityError(
                f"the entity batch holds entity index {dup} more than once", entity=None
            )
        return ids

    def _groups(self, ids: npt.NDArray[np.int64]) -> list[tuple[Archetype, npt.NDArray[np.int64]]]:
        """Split ``ids`` by current archetype (archetype id order; ids keep their order)."""
        idx = ids & 0xFFFFFFFF
        arch_ids = self._alloc.arch[idx]
        order = np.argsort(arch_ids, kind="stable")
        out: list[tuple[Archetype, npt.NDArray[np.int64]]] = []
        sorted_arch = arch_ids[order]
        bounds = np.flatnonzero(np.diff(sorted_arch)) + 1
        for part in np.split(order, bounds):
            if len(part):
                out.append((self._archetypes[int(arch_ids[part[0]])], part))
        return out

    def _move_batch(
        self, ids: npt.NDArray[np.int64], src: Archetype, dst: Archetype
    ) -> npt.NDArray[np.int64]:
        idx = ids & 0xFFFFFFFF
        rows = self._alloc.row[idx]
        start = dst.append(ids)
        new_rows = np.arange(start, start + len(ids), dtype=np.int64)
        for cls, fields in dst.cols.items():
            src_fields = src.cols.get(cls)
            if src_fields is not None:
                for name, col in fields.items():
                    col[start : start + len(ids)] = src_fields[name][rows]
        moved, at = src.remove_rows(rows)
        self._alloc.row[moved & 0xFFFFFFFF] = at
        self._alloc.arch[idx] = dst.id
        self._alloc.row[idx] = new_rows
        return new_rows

    def insert_batch(
        self, entities: Sequence[int] | npt.NDArray[np.int64], *components: Any
    ) -> None:
        """Add (or overwrite) components on many entities at once, vectorised.

        Values are component instances (same for all) or :func:`columns` batches (one
        value per entity, in the order of ``entities``). Validated first; on error
        the world is unchanged.
        """
        self._guard("insert")
        ids = self._check_batch(entities)
        prepared = [self._prepare(c, len(ids)) for c in components]
        self._check_unique(prepared)
        types = {p[0].type for p in prepared}
        for src, part in self._groups(ids):
            dst = self._archetype(src.key | types)
            if dst is src:
                rows = self._alloc.row[ids[part] & 0xFFFFFFFF]
            else:
                rows = self._move_batch(ids[part], src, dst)
            for info, values, is_batch in prepared:
                sub = {
                    k: (_Column(v.data[part]) if isinstance(v, _Column) else v)
                    for k, v in values.items()
                }
                self._write(dst, rows, (info, sub, is_batch))

    def remove_batch(self, entities: Sequence[int] | npt.NDArray[np.int64], *types: type) -> None:
        """Remove component types from many entities at once.

        Raises:
            MissingComponentError: some entity lacks one of the types (nothing removed).
        """
        self._guard("remove")
        ids = self._check_batch(entities)
        groups = self._groups(ids)
        for cls in types:
            component_info(cls)
            for src, _ in groups:
                if cls not in src.cols:
                    raise MissingComponentError(
                        f"entities of archetype {src.names} have no {cls.__qualname__} to remove",
                        component=cls.__qualname__,
                    )
        for src, part in groups:
            self._move_batch(ids[part], src, self._archetype(src.key - set(types)))

    def despawn_batch(self, entities: Sequence[int] | npt.NDArray[np.int64]) -> None:
        """Despawn many entities at once (freed slots are reused in this order).

        Rows from the end of each table move into the holes: the cost grows with the
        number despawned, not with the table's size.
        """
        self._guard("despawn")
        ids = self._check_batch(entities)
        for src, part in self._groups(ids):
            moved, at = src.remove_rows(self._alloc.row[ids[part] & 0xFFFFFFFF])
            self._alloc.row[moved & 0xFFFFFFFF] = at
        self._alloc.free(ids & 0xFFFFFFFF)

    # ------------------------------------------------------------------ queries
    def query(
        self,
        *required: type,
        optional: Iterable[type] = (),
        exclude: Iterable[type] = (),
    ) -> Query:
        """A query over entities having all ``required`` components and none of ``exclude``.

        Raises:
            UnknownComponentError: a type is not a component.
        """
        key = (required, tuple(optional), tuple(exclude))
        q = self._query_cache.get(key)
        if q is None:
            q = Query(self, required, key[1], key[2])
            self._query_cache[key] = q
        return q

    def entity_count(self) -> int:
        """Number of live entities."""
        return sum(a.len for a in self._archetypes)

    def entities(self) -> npt.NDArray[np.int64]:
        """Every live entity id, sorted."""
        parts = [a.entities[: a.len] for a in self._archetypes if a.len]
        return np.sort(np.concatenate(parts)) if parts else np.zeros(0, dtype=np.int64)

    # ---------------------------------------------------------------- resources
    def insert_resource(self, resource: Any) -> None:
        """Store ``resource``, keyed by its type (replacing one of the same type)."""
        self._resources[type(resource)] = resource

    def resource(self, cls: type[R]) -> R:
        """The resource of type ``cls``.

        Raises:
            MissingResourceError: none is stored.
        """
        try:
            return self._resources[cls]  # type: ignore[no-any-return]  # keyed by its own type
        except KeyError:
            raise MissingResourceError(
                f"no {cls.__qualname__} resource in the world",
                resource=cls.__qualname__,
                hint="insert it with world.insert_resource(...) or add the plugin that does",
            ) from None

    def try_resource(self, cls: type[R]) -> R | None:
        """The resource of type ``cls``, or ``None``."""
        return self._resources.get(cls)

    def has_resource(self, cls: type) -> bool:
        """True when a resource of type ``cls`` is stored."""
        return cls in self._resources

    def remove_resource(self, cls: type[R]) -> R:
        """Remove and return the resource of type ``cls``.

        Raises:
            MissingResourceError: none is stored.
        """
        res = self.resource(cls)
        del self._resources[cls]
        return res

    @property
    def resources(self) -> dict[type, Any]:
        """A copy of the resource map (type -> resource)."""
        return dict(self._resources)

    # ------------------------------------------------------------------- events
    def send(self, event: Any) -> None:
        """Send an event (see :mod:`astraweave.ecs._events` for its lifetime)."""
        ctx = getattr(self._local, "ctx", None)
        if ctx is not None:
            ctx.events.append(event)
        else:
            self._events.push(self.tick, event)

    def read_events(self, cls: type[T]) -> list[T]:
        """Every live event of type ``cls`` (this tick's and the previous tick's)."""
        return self._events.read(cls)

    # -------------------------------------------------------- hash and snapshot
    def hash(self) -> str:
        """A stable hex digest of the world's state (see :func:`world_hash`)."""
        from astraweave.ecs._snapshot import world_hash

        return world_hash(self)

    def snapshot(self) -> bytes:
        """The whole world as bytes (see :mod:`astraweave.ecs._snapshot`)."""
        from astraweave.ecs._snapshot import snapshot

        return snapshot(self)

    @classmethod
    def from_snapshot(cls, data: bytes) -> World:
        """A new world rebuilt from :meth:`snapshot` bytes.

        Raises:
            SnapshotError: the bytes are corrupted or name unknown components.
        """
        from astraweave.ecs._snapshot import restore

        return restore(data)

    def restore(self, data: bytes) -> None:
        """Replace this world's state with a snapshot's, atomically.

        The bytes are decoded and checked completely before anything changes; on
        error this world is untouched.

        Raises:
            SnapshotError: the bytes are corrupted or name unknown components.
        """
        from astraweave.ecs._snapshot import restore

        other = restore(data)
        running, local = self._running, self._local
        self.__dict__.clear()
        self.__dict__.update(other.__dict__)
        self._running, self._local = running, local
        self._query_cache = {}

    def __repr__(self) -> str:
        return (
            f"World(tick={self.tick}, entities={self.entity_count()}, "
            f"archetypes={len(self._archetypes)}, resources={len(self._resources)})"
        )
