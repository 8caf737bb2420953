"""Queries: required, optional and excluded components; per-archetype chunks.

A query yields one :class:`Chunk` per matching, non-empty archetype. ``chunk[C]``
is a :class:`ColumnView` whose attributes are numpy views of C's columns, so a
system updates every entity of the chunk with one vectorised expression::

    for chunk in world.query(Position, Velocity):
        chunk[Position].x += chunk[Velocity].x * world.dt
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from astraweave.ecs._component import component_info
from astraweave.errors import ComponentShapeError, MissingComponentError

if TYPE_CHECKING:
    from astraweave.ecs._storage import Archetype
    from astraweave.ecs._world import World

__all__ = ["Chunk", "ColumnView", "Query"]


class ColumnView:
    """Writable numpy views of one component's columns in one chunk.

    Reading ``view.x`` gives the live rows of field ``x`` (a view, not a copy);
    ``view.x += 1`` and ``view.x = array`` write into the table.
    """

    __slots__ = ("_cols", "_n", "_type")
    _type: type
    _cols: dict[str, npt.NDArray[Any]]
    _n: int

    def __init__(self, cls: type, cols: dict[str, npt.NDArray[Any]], n: int) -> None:
        object.__setattr__(self, "_type", cls)
        object.__setattr__(self, "_cols", cols)
        object.__setattr__(self, "_n", n)

    def __getattr__(self, name: str) -> npt.NDArray[Any]:
        try:
            return self._cols[name][: self._n]
        except KeyError:
            component_info(self._type).field(name)  # raises ComponentTypeError with field list
            raise  # pragma: no cover  (field() always raises for unknown names)

    def __setattr__(self, name: str, value: Any) -> None:
        try:
            col = self._cols[name]
        except KeyError:
            component_info(self._type).field(name)
            raise  # pragma: no cover
        if (
            isinstance(value, np.ndarray)
            and value.base is col
            and value.shape[:1] == (self._n,)
            and value.strides == col.strides
            and value.__array_interface__["data"][0] == col.__array_interface__["data"][0]
        ):
            return  # in-place operator already wrote into the column
        try:
            col[: self._n] = value
        except ValueError as exc:
            raise ComponentShapeError(
                f"cannot assign {np.shape(value)} to {self._type.__qualname__}.{name} "
                f"of shape {(self._n, *col.shape[1:])}",
                component=self._type.__qualname__,
                field=name,
            ) from exc

    def __len__(self) -> int:
        return self._n

    def __repr__(self) -> str:
        return f"ColumnView({self._type.__qualname__}, {self._n} rows)"


class Chunk:
    """One archetype's rows matched by a query."""

    __slots__ = ("archetype",)

    def __init__(self, archetype: Archetype) -> None:
        self.archetype = archetype

    @property
    def entities(self) -> npt.NDArray[np.int64]:
        """Entity ids of the chunk's rows, in row order (read-only by convention)."""
        return self.archetype.entities[: self.archetype.len]

    def __len__(self) -> int:
        return self.archetype.len

    def __getitem__(self, cls: type) -> ColumnView:
        cols = self.archetype.cols.get(cls)
        if cols is None:
            raise MissingComponentError(
                f"this chunk's archetype has no {getattr(cls, '__qualname__', cls)}",
                component=getattr(cls, "__qualname__", repr(cls)),
                hint="list it as required in the query, or use chunk.get() for optional ones",
            )
        return ColumnView(cls, cols, self.archetype.len)

    def get(self, cls: type) -> ColumnView | None:
        """The view of ``cls``, or ``None`` when this archetype lacks it (optional components)."""
        cols = self.archetype.cols.get(cls)
        return None if cols is None else ColumnView(cls, cols, self.archetype.len)

    def has(self, cls: type) -> bool:
        """True when this archetype has ``cls``."""
        return cls in self.archetype.cols


class Query:
    """A cached match of archetypes against required / optional / excluded components.

    Create it with :meth:`World.query`. The list of matching archetypes is refreshed
    when new archetypes appear. Iterating yields :class:`Chunk` objects in archetype
    creation order (deterministic).
    """

    __slots__ = (
        "_epoch",
        "_matched",
        "_required_order",
        "_seen",
        "_world",
        "exclude",
        "optional",
        "required",
    )

    def __init__(
        self,
        world: World,
        required: tuple[type, ...],
        optional: tuple[type, ...] = (),
        exclude: tuple[type, ...] = (),
    ) -> None:
        for cls in (*required, *optional, *exclude):
            component_info(cls)
        self._world = world
        self.required = frozenset(required)
        self.optional = tuple(optional)
        self.exclude = frozenset(exclude)
        self._required_order = required
        self._matched: list[Archetype] = []
        self._seen = 0
        self._epoch: object = world._epoch

    def archetypes(self) -> list[Archetype]:
        """Matching archetypes (empty ones included), in creation order."""
        world = self._world
        if self._epoch is not world._epoch:  # the world was restored from a snapshot
            self._matched, self._seen, self._epoch = [], 0, world._epoch
        archs = world._archetypes
        if self._seen != len(archs):
            for arch in archs[self._seen :]:
                if self.required <= arch.key and not (self.exclude & arch.key):
                    self._matched.append(arch)
            self._seen = len(archs)
        return self._matched

    def __iter__(self) -> Iterator[Chunk]:
        for arch in self.archetypes():
            if arch.len:
                yield Chunk(arch)

    def chunks(self) -> list[Chunk]:
        """All non-empty chunks as a list."""
        return list(self)

    def count(self) -> int:
        """Number of matching entities."""
        return sum(a.len for a in self.archetypes())

    def entities(self) -> npt.NDArray[np.int64]:
        """Ids of all matching entities (archetype order, then row order)."""
        parts = [a.entities[: a.len] for a in self.archetypes() if a.len]
        return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)

    def iter(self) -> Iterator[tuple[Any, ...]]:
        """Per-entity convenience: yields ``(entity, *required, *optional)`` copies.

        Required components come in the order given to :meth:`World.query`;
        optional ones are ``None`` where absent. Writing to the yielded objects does
        not change the world: use :meth:`World.set`.
        """
        world = self._world
        for arch in self.archetypes():
            for row in range(arch.len):
                values: list[Any] = [int(arch.entities[row])]
                values.extend(world._read_row(arch, row, c) for c in self._required_order)
                values.extend(
                    world._read_row(arch, row, c) if c in arch.cols else None for c in self.optional
                )
                yield tuple(values)

    def __repr__(self) -> str:
        req = ", ".join(c.__qualname__ for c in self._required_order)
        return f"Query({req}; {self.count()} entities)"
