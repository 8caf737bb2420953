"""Grid storage: the padded walkability array, legal-move masks, the change log.

:class:`GridStore` is the base of :class:`~astraweave.nav.GridMap`; it owns the data
and its updates, ``GridMap`` the constructors and queries.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from astraweave.errors import NavConfigError, OutOfBoundsError
from astraweave.nav._astar import move_masks, move_table, padded
from astraweave.nav._geometry import as_point
from astraweave.nav._jps import JumpTables

__all__ = ["Cell", "CellLike", "GridStore", "Region"]

#: A cell ``(x, y)``: column and row, 0-based from the top-left.
Cell = tuple[int, int]
#: A rectangle of cells ``(x0, y0, x1, y1)``, half-open like slices: ``x0 <= x < x1``.
Region = tuple[int, int, int, int]

BoolGrid = npt.NDArray[np.bool_]
CellLike = Sequence[int] | npt.NDArray[np.integer[Any]]


class GridStore:
    """Walkability of a tile map with a one-cell blocked border, flattened for search,
    with per-cell legal-move masks kept up to date and a log of changed regions.

    Args:
        walkable: boolean array of shape ``(H, W)``, indexed ``[y, x]``; it is copied.

    Raises:
        NavConfigError: the array is not 2-D boolean with ``H, W >= 1``.
    """

    def __init__(self, walkable: npt.ArrayLike) -> None:
        arr = np.asarray(walkable)
        if arr.dtype != np.bool_ or arr.ndim != 2 or 0 in arr.shape:
            raise NavConfigError(
                f"walkable must be a 2-D boolean array with at least one cell, got dtype "
                f"{arr.dtype} and shape {arr.shape}",
                parameter="walkable",
                value=arr.shape,
                hint="index it [y, x]; convert with `array != 0` or `.astype(bool)`",
            )
        self._pad = padded(arr)
        self._height, self._width = int(arr.shape[0]), int(arr.shape[1])
        self._row = self._width + 2
        self._table = move_table(self._row)
        self._masks = move_masks(self._pad)
        self._mask_bytes: bytes | None = None
        self._jump: JumpTables | None = None
        self._graph: Any = None
        self._version: int = 0
        self._changes: list[tuple[int, Region]] = []

    # ------------------------------------------------------------------ basics
    @property
    def width(self) -> int:
        """Number of columns."""
        return self._width

    @property
    def height(self) -> int:
        """Number of rows."""
        return self._height

    @property
    def shape(self) -> tuple[int, int]:
        """``(height, width)``, as numpy orders it."""
        return (self._height, self._width)

    @property
    def walkable(self) -> BoolGrid:
        """A read-only view of the walkability array, indexed ``[y, x]``."""
        view = self._pad[1:-1, 1:-1]
        view.flags.writeable = False
        return view

    @property
    def version(self) -> int:
        """Incremented by every change of walkability."""
        return self._version

    def __repr__(self) -> str:
        free = int(self.walkable.sum())
        return f"GridMap(width={self._width}, height={self._height}, walkable={free})"

    def to_ascii(self) -> str:
        """The map as ``.`` (floor) and ``#`` (wall) rows.

        Example:
            >>> from astraweave.nav import GridMap
            >>> print(GridMap.from_ascii("S.#").to_ascii())
            ..#
        """
        return "\n".join("".join("." if v else "#" for v in row) for row in self.walkable)

    def _cell(self, point: CellLike, role: str) -> Cell:
        try:
            x, y = (operator.index(v) for v in point)
        except (TypeError, ValueError) as exc:
            raise NavConfigError(
                f"{role} must be an (x, y) pair of integers, got {point!r}",
                parameter=role,
                value=point,
                hint="cells are integers; use grid.cell_at(position) for world positions",
            ) from exc
        if not (0 <= x < self._width and 0 <= y < self._height):
            raise OutOfBoundsError(
                f"{role} {(x, y)} is outside the {self._width}x{self._height} map",
                point=(x, y),
                role=role,
                width=self._width,
                height=self._height,
            )
        return (x, y)

    def cell_at(self, position: Sequence[float]) -> Cell:
        """The cell containing a world position (floor of each coordinate; may be
        outside the map).

        Raises:
            NavConfigError: not a finite ``(x, y)`` pair.

        Example:
            >>> from astraweave.nav import GridMap
            >>> GridMap.from_ascii("..").cell_at((1.7, 0.2))
            (1, 0)
        """
        x, y = as_point(position, "position")
        return (math.floor(x), math.floor(y))

    @staticmethod
    def cell_center(cell: Sequence[int]) -> tuple[float, float]:
        """The world position of a cell's centre.

        Example:
            >>> from astraweave.nav import GridMap
            >>> GridMap.cell_center((2, 0))
            (2.5, 0.5)
        """
        return (cell[0] + 0.5, cell[1] + 0.5)

    def is_walkable(self, x: int, y: int) -> bool:
        """Whether cell ``(x, y)`` is walkable; ``False`` outside the map.

        Args:
            x: column.
            y: row.

        Returns:
            ``True`` for a walkable cell inside the map.

        Example:
            >>> from astraweave.nav import GridMap
            >>> grid = GridMap.from_ascii(".#")
            >>> grid.is_walkable(0, 0), grid.is_walkable(1, 0), grid.is_walkable(5, 0)
            (True, False, False)
        """
        if not (0 <= x < self._width and 0 <= y < self._height):
            return False
        return bool(self._pad[y + 1, x + 1])

    def neighbors(self, x: int, y: int) -> list[Cell]:
        """The cells reachable in one legal move from ``(x, y)``, in the order N, NE,
        E, SE, S, SW, W, NW (y grows downwards); empty for a blocked cell.

        Args:
            x: column.
            y: row.

        Returns:
            The neighbouring cells ``(x, y)``; a diagonal one only when both
            orthogonal neighbours are walkable.

        Raises:
            OutOfBoundsError: the cell is outside the map.

        Example:
            >>> from astraweave.nav import GridMap
            >>> GridMap.from_ascii('''
            ... ..
            ... #.
            ... ''').neighbors(0, 0)
            [(1, 0)]
        """
        x, y = self._cell((x, y), "cell")
        i = (y + 1) * self._row + x + 1
        out: list[Cell] = []
        for off, _ in self._table[int(self._masks.flat[i])]:
            ny, nx = divmod(i + off, self._row)
            out.append((nx - 1, ny - 1))
        return out

    # ------------------------------------------------------------------ changes
    def set_blocked(self, x: int, y: int, blocked: bool = True) -> None:
        """Block (or unblock) one cell; see :meth:`set_region_blocked`.

        Args:
            x: column.
            y: row.
            blocked: ``True`` to block, ``False`` to make walkable.

        Raises:
            OutOfBoundsError: the cell is outside the map.

        Example:
            >>> from astraweave.nav import GridMap
            >>> grid = GridMap.from_ascii("...")
            >>> grid.set_blocked(1, 0)
            >>> grid.find_path((0, 0), (2, 0)) is None, grid.version
            (True, 1)
        """
        x, y = self._cell((x, y), "cell")
        self.set_region_blocked((x, y, x + 1, y + 1), blocked)

    def set_region_blocked(self, region: Sequence[int], blocked: bool = True) -> None:
        """Block (or unblock) a rectangle of cells ``(x0, y0, x1, y1)`` (half-open,
        clipped to the map; a region entirely outside changes nothing but is still
        recorded in :meth:`changes_since`). Move masks are updated around the region;
        JPS tables and the flow-field graph are rebuilt on their next use.

        Args:
            region: ``(x0, y0, x1, y1)``.
            blocked: ``True`` to block, ``False`` to make walkable.

        Raises:
            NavConfigError: ``x1 < x0`` or ``y1 < y0``, or not four integers.

        Example:
            >>> from astraweave.nav import GridMap
            >>> grid = GridMap.from_ascii("....")
            >>> grid.set_region_blocked((1, 0, 3, 1))
            >>> grid.to_ascii(), grid.changes_since(0)
            ('.##.', [(1, 0, 3, 1)])
        """
        try:
            x0, y0, x1, y1 = (operator.index(v) for v in region)
        except (TypeError, ValueError) as exc:
            raise NavConfigError(
                f"region must be four integers (x0, y0, x1, y1), got {region!r}",
                parameter="region",
                value=region,
            ) from exc
        if x1 < x0 or y1 < y0:
            raise NavConfigError(
                f"region {region!r} has x1 < x0 or y1 < y0",
                parameter="region",
                value=region,
                hint="regions are half-open (x0, y0, x1, y1) with x0 <= x1, y0 <= y1",
            )
        cx0, cy0 = max(x0, 0), max(y0, 0)
        cx1, cy1 = min(x1, self._width), min(y1, self._height)
        if cx0 < cx1 and cy0 < cy1:
            self._pad[cy0 + 1 : cy1 + 1, cx0 + 1 : cx1 + 1] = not blocked
            # masks change in the region and one cell around it
            wy0, wx0 = max(cy0 - 1, 0), max(cx0 - 1, 0)
            wy1, wx1 = min(cy1 + 3, self._height + 2), min(cx1 + 3, self._width + 2)
            window = self._pad[wy0:wy1, wx0:wx1]
            local = move_masks(window)
            self._masks[wy0 + 1 : wy1 - 1, wx0 + 1 : wx1 - 1] = local[1:-1, 1:-1]
            self._mask_bytes = None
            self._jump = None
            self._graph = None
        self._version += 1
        self._changes.append((self._version, (x0, y0, x1, y1)))

    def changes_since(self, version: int) -> list[Region]:
        """Regions changed after ``version`` (as passed to the setters), oldest first.

        Args:
            version: a value of :attr:`version` seen earlier.

        Returns:
            The regions ``(x0, y0, x1, y1)`` changed since then.
        """
        return [r for v, r in self._changes if v > version]
