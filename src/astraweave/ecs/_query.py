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
    """Writable numpy views of one component's columns in one archetype.

    Reading ``view.x`` gives the live rows of field ``x`` (a view, not a copy);
    ``view.x += 1`` and ``view.x = array`` write into the table. Each component
    gets a generated subclass with one property per field, so field access is a
    plain attribute lookup.
    """

    __slots__ = ("_arch", "_cols", "_last")
    _type: type = object

    def __init__(self, arch: Archetype, cols: dict[str, npt.NDArray[Any]]) -> None:
        self._arch = arch
        self._cols = cols
        self._last: dict[str, npt.NDArray[Any]] = {}

    def _set(self, name: str, value: Any) -> None:
        col = self._cols[name]
        n = self._arch.len
        try:
            col[:n] = value
        except ValueError as exc:
            raise ComponentShapeError(
                f"cannot assign {np.shape(value)} to {self._type.__qualname__}.{name} "
                f"of shape {(n, *col.shape[1:])}",
                component=self._type.__qualname__,
                field=name,
            ) from exc

    def __getattr__(self, name: str) -> Any:
        # Only reached for names that are not fields: give the typed error.
        component_info(self._type).field(name)
        raise AttributeError(name)  # pragma: no cover  (field() raises for unknown names)

    def __len__(self) -> int:
        return self._arch.len

    def __repr__(self) -> str:
        return f"ColumnView({self._type.__qualname__}, {self._arch.len} rows)"


_VIEW_CLASSES: dict[type, type[ColumnView]] = {}


def _field_property(name: str) -> property:
    def fget(self: ColumnView) -> npt.NDArray[Any]:
        view = self._cols[name][: self._arch.len]
        self._last[name] = view
        return view

    def fset(self: ColumnView, value: Any) -> None:
        last = self._last.get(name)
        if (
            value is last
            and last is not None
            and last.base is self._cols[name]
            and len(last) == self._arch.len
        ):
            return  # an in-place operator (``view.x += 1``) already wrote into the column
        self._set(name, value)

    return property(fget, fset, doc=f"column view of field {name!r}")


def view_class(cls: type) -> type[ColumnView]:
    """The generated :class:`ColumnView` subclass for component ``cls``."""
    vc = _VIEW_CLASSES.get(cls)
    if vc is None:
        info = component_info(cls)
        attrs: dict[str, Any] = {f.name: _field_property(f.name) for f in info.fields}
        attrs["__slots__"] = ()
        attrs["_type"] = cls
        vc = type(f"{cls.__qualname__}View", (ColumnView,), attrs)
        _VIEW_CLASSES[cls] = vc
    return vc


class Chunk:
    """One archetype's rows matched by a query (cached per archetype)."""

    __slots__ = ("_views", "archetype")

    def __init__(self, archetype: Archetype) -> None:
        self.archetype = archetype
        self._views: dict[type, ColumnView] = {
            cls: view_class(cls)(archetype, cols) for cls, cols in archetype.cols.items()
        }

    @property
    def entities(self) -> npt.NDArray[np.int64]:
        """Entity ids of the chunk's rows, in row order (read-only by convention)."""
        return self.archetype.entities[: self.archetype.len]

    def __len__(self) -> int:
        return self.archetype.len

    def __getitem__(self, cls: type) -> Any:
        try:
            return self._views[cls]
        except KeyError:
            raise MissingComponentError(
                f"this chunk's archetype has no {getattr(cls, '__qualname__', cls)}",
                component=getattr(cls, "__qualname__", repr(cls)),
                hint="list it as required in the query, or use chunk.get() for optional ones",
            ) from None

    def get(self, cls: type) -> Any:
        """The view of ``cls``, or ``None`` when this archetype lacks it (optional components)."""
        return self._views.get(cls)

    def has(self, cls: type) -> bool:
        """True when this archetype has ``cls``."""
        return cls in self._views


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
                yield arch.chunk

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
