"""Archetype tables: one table per distinct set of component types.

Each table stores its entities' ids and, per component field, one numpy column
(structure of arrays). Columns have spare capacity and grow by doubling, so
appending rows is amortised O(1); removing one row swaps the last row into the
hole; removing many rows compacts the table and keeps the survivors' order.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from astraweave.ecs._component import ComponentInfo, component_info

if TYPE_CHECKING:
    from astraweave.ecs._query import Chunk

__all__ = ["Archetype"]


def _alloc(spec_dtype: np.dtype[Any], shape: tuple[int, ...], capacity: int) -> npt.NDArray[Any]:
    if spec_dtype == np.dtype(object):
        return np.full((capacity, *shape), None, dtype=object)
    return np.zeros((capacity, *shape), dtype=spec_dtype)


class Archetype:
    """The table of all entities that have exactly the component set ``types``."""

    __slots__ = (
        "_chunk",
        "cols",
        "entities",
        "id",
        "infos",
        "key",
        "len",
        "types",
    )

    def __init__(self, arch_id: int, types: frozenset[type], capacity: int = 16) -> None:
        self.id = arch_id
        self.key = types
        infos = sorted((component_info(t) for t in types), key=lambda i: i.name)
        self.infos: tuple[ComponentInfo, ...] = tuple(infos)
        self.types: tuple[type, ...] = tuple(i.type for i in infos)
        self.len = 0
        self.entities: npt.NDArray[np.int64] = np.zeros(capacity, dtype=np.int64)
        self.cols: dict[type, dict[str, npt.NDArray[Any]]] = {
            info.type: {f.name: _alloc(f.dtype, f.shape, capacity) for f in info.fields}
            for info in infos
        }
        self._chunk: Chunk | None = None

    @property
    def chunk(self) -> Chunk:
        """The cached query chunk (column views) of this table."""
        if self._chunk is None:
            from astraweave.ecs._query import Chunk

            self._chunk = Chunk(self)
        return self._chunk

    @property
    def names(self) -> tuple[str, ...]:
        """Qualified names of the component types, sorted (the table's identity)."""
        return tuple(i.name for i in self.infos)

    @property
    def capacity(self) -> int:
        """Rows allocated (including spare)."""
        return len(self.entities)

    def reserve(self, extra: int) -> None:
        """Make room for ``extra`` more rows."""
        needed = self.len + extra
        cap = len(self.entities)
        if needed <= cap:
            return
        new_cap = max(needed, cap * 2, 16)
        ent = np.zeros(new_cap, dtype=np.int64)
        ent[: self.len] = self.entities[: self.len]
        self.entities = ent
        for info in self.infos:
            fields = self.cols[info.type]
            for spec in info.fields:
                new = _alloc(spec.dtype, spec.shape, new_cap)
                new[: self.len] = fields[spec.name][: self.len]
                fields[spec.name] = new

    def append(self, entities: npt.NDArray[np.int64]) -> int:
        """Append rows for ``entities`` (the caller fills the columns); returns the first row."""
        n = len(entities)
        self.reserve(n)
        start = self.len
        self.entities[start : start + n] = entities
        self.len += n
        return start

    def swap_remove(self, row: int) -> int:
        """Remove ``row`` by moving the last row into it.

        Returns:
            The entity id that moved into ``row``, or -1 when ``row`` was the last row.
        """
        last = self.len - 1
        moved = -1
        if row != last:
            self.entities[row] = self.entities[last]
            for fields in self.cols.values():
                for col in fields.values():
                    col[row] = col[last]
            moved = int(self.entities[row])
        for info in self.infos:
            for spec in info.fields:
                if spec.is_object:
                    self.cols[info.type][spec.name][last] = None  # drop the reference
        self.len = last
        return moved

    def compact(self, keep: npt.NDArray[np.bool_]) -> None:
        """Keep only rows where ``keep`` is true, preserving their order."""
        n = self.len
        kept = int(np.count_nonzero(keep))
        self.entities[:kept] = self.entities[:n][keep]
        for info in self.infos:
            for spec in info.fields:
                col = self.cols[info.type][spec.name]
                col[:kept] = col[:n][keep]
                if spec.is_object:
                    col[kept:n] = None
        self.len = kept

    def remove_rows(
        self, rows: npt.NDArray[np.int64]
    ) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
        """Remove many rows by moving rows from the end of the table into the holes.

        Costs O(len(rows)) per column instead of a full compaction. ``rows`` must be
        unique.

        Returns:
            ``(moved_entities, new_rows)``: the entities that moved and where to.
        """
        n = self.len
        k = len(rows)
        new_n = n - k
        removed = np.zeros(n - new_n, dtype=np.bool_)
        tail_rows = rows[rows >= new_n]
        removed[tail_rows - new_n] = True
        src = np.flatnonzero(~removed) + new_n  # rows at the end that stay
        dst = np.sort(rows[rows < new_n])  # holes before the end
        if len(dst):
            self.entities[dst] = self.entities[src]
            for fields in self.cols.values():
                for col in fields.values():
                    col[dst] = col[src]
        for info in self.infos:
            for spec in info.fields:
                if spec.is_object:
                    self.cols[info.type][spec.name][new_n:n] = None
        self.len = new_n
        return self.entities[dst], dst

    def column(self, cls: type, field: str) -> npt.NDArray[Any]:
        """The live rows of one column (a view)."""
        return self.cols[cls][field][: self.len]

    def __repr__(self) -> str:
        names = ", ".join(i.type.__qualname__ for i in self.infos) or "<empty>"
        return f"Archetype({self.id}: {names}; {self.len} rows)"
