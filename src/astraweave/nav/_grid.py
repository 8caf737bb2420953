"""The tile grid: walkability, path search, line of sight, dynamic blocking."""

from __future__ import annotations

import operator
from collections.abc import Sequence
from pathlib import Path
from typing import Literal

import numpy as np
import numpy.typing as npt

from astraweave.errors import (
    BlockedCellError,
    NavConfigError,
    UnknownAlgorithmError,
)
from astraweave.nav._astar import astar_search
from astraweave.nav._flow import FlowField, move_graph
from astraweave.nav._gridstore import Cell, CellLike, GridStore, Region
from astraweave.nav._jps import JumpTables, jps_search
from astraweave.nav._los import (
    cell_path_blocked,
    cell_paths_touching,
    check_cell_pairs,
    supercover_clear,
    supercover_clear_many,
)
from astraweave.nav._parse import parse_ascii, parse_movingai
from astraweave.nav._paths import compress_path

__all__ = ["ALGORITHMS", "Cell", "GridMap", "Region"]

#: The path search algorithms of :meth:`GridMap.find_path`.
ALGORITHMS: tuple[str, ...] = ("astar", "jps")


class GridMap(GridStore):
    """A tile map (1 tile = 1 m) for 8-connected path search without corner cutting.

    Cells are ``(x, y)`` = (column, row) from the top-left; cell ``(x, y)`` covers the
    world square ``[x, x + 1) x [y, y + 1)``, centre ``(x + 0.5, y + 0.5)``. A straight
    step costs 1, a diagonal step ``sqrt(2)`` and needs both orthogonal neighbours
    walkable.

    Args:
        walkable: boolean array of shape ``(H, W)``, indexed ``[y, x]``; it is copied.

    Raises:
        NavConfigError: the array is not 2-D boolean with ``H, W >= 1``.

    Example:
        >>> import numpy as np
        >>> grid = GridMap(np.array([[True, True], [False, True]]))
        >>> grid.find_path((0, 0), (1, 1))
        [(0, 0), (1, 0), (1, 1)]
    """

    def __init__(self, walkable: npt.ArrayLike) -> None:
        super().__init__(walkable)
        self.markers: dict[str, list[Cell]] = {}
        """Marker characters of an ASCII map and their cells (``from_ascii`` only)."""

    # ------------------------------------------------------------------ constructors
    @classmethod
    def from_ascii(
        cls,
        text: str,
        walkable: set[str] | frozenset[str] | str | None = None,
        blocked: set[str] | frozenset[str] | str | None = None,
    ) -> GridMap:
        """Build a grid from an ASCII map, one character per tile.

        By default ``.`` and every ASCII letter and digit are floor (letters and digits
        are scenario markers, e.g. ``S``, ``G``, ``P``, ``E``, ``C``, ``1``), except
        ``O``, ``T`` and ``W``, which are blocked like ``#`` and ``@``. Any other
        character (space, ``~``, ...) is an error. Marker cells are recorded in
        :attr:`markers`.

        Args:
            text: the map, one row per line; common indentation and surrounding blank
                lines are ignored.
            walkable: floor characters, replacing the default set.
            blocked: wall characters, replacing the default set.

        Returns:
            The grid.

        Raises:
            MapFormatError: empty map, ragged rows, or an unknown character.

        Example:
            >>> grid = GridMap.from_ascii('''
            ...     S.#
            ...     ..G
            ... ''')
            >>> grid.width, grid.height, grid.markers
            (3, 2, {'G': [(2, 1)], 'S': [(0, 0)]})
            >>> grid.find_path((0, 0), (2, 1))
            [(0, 0), (1, 1), (2, 1)]
        """
        arr, markers = parse_ascii(text, walkable, blocked)
        grid = cls(arr)
        grid.markers = markers
        return grid

    @classmethod
    def from_movingai(cls, path: str | Path) -> GridMap:
        """Read a Moving AI ``.map`` file (``type octile``): passable ``.`` ``G`` ``S``;
        blocked ``@`` ``O`` ``T`` ``W``.

        Args:
            path: the file.

        Returns:
            The grid.

        Raises:
            MapFormatError: wrong header, wrong row length or count, unknown terrain
                (with ``path`` and ``line``).
            OSError: the file cannot be read.
        """
        text = Path(path).read_text(encoding="utf-8")
        return cls(parse_movingai(text, str(path)))

    def copy(self) -> GridMap:
        """An independent copy (markers included, change history not)."""
        grid = GridMap(self.walkable)
        grid.markers = {k: list(v) for k, v in self.markers.items()}
        return grid

    # ------------------------------------------------------------------ search
    def _index(self, cell: Cell) -> int:
        return (cell[1] + 1) * self._row + cell[0] + 1

    def find_path(
        self,
        start: CellLike,
        goal: CellLike,
        algorithm: Literal["astar", "jps"] | str = "jps",
        *,
        waypoints: bool = False,
    ) -> list[Cell] | None:
        """An optimal path from ``start`` to ``goal``.

        Both algorithms return the same kind of result: every cell of a shortest path
        (octile length, no corner cutting), start and goal included. Ties between
        equally short paths are broken deterministically (never by hash order).
        ``"jps"`` (jump point search with precomputed jump distances) is much faster
        on open maps; its tables are rebuilt on the first query after the map changes.

        Args:
            start: start cell ``(x, y)``.
            goal: goal cell ``(x, y)``.
            algorithm: ``"jps"`` (default) or ``"astar"``.
            waypoints: return only the endpoints and the cells where the direction
                changes (see :func:`~astraweave.nav.compress_path`).

        Returns:
            The cells; ``[start]`` when ``start == goal``; ``None`` when the goal is
            unreachable.

        Raises:
            UnknownAlgorithmError: ``algorithm`` is not ``"astar"`` or ``"jps"``.
            OutOfBoundsError: ``start`` or ``goal`` is outside the map.
            BlockedCellError: ``start`` or ``goal`` is not walkable.
            NavConfigError: a cell is not a pair of integers.

        Example:
            >>> grid = GridMap.from_ascii('''
            ... ...
            ... .#.
            ... ...
            ... ''')
            >>> grid.find_path((0, 0), (2, 2))
            [(0, 0), (1, 0), (2, 0), (2, 1), (2, 2)]
            >>> grid.find_path((0, 0), (2, 2), "astar", waypoints=True)
            [(0, 0), (2, 0), (2, 2)]
        """
        if algorithm not in ALGORITHMS:
            raise UnknownAlgorithmError(
                f"unknown path search algorithm {algorithm!r}",
                algorithm=algorithm,
                known=ALGORITHMS,
                hint="use 'astar' or 'jps'",
            )
        s = self._cell(start, "start")
        g = self._cell(goal, "goal")
        for cell, role in ((s, "start"), (g, "goal")):
            if not self._pad[cell[1] + 1, cell[0] + 1]:
                raise BlockedCellError(
                    f"{role} {cell} is not walkable",
                    point=cell,
                    role=role,
                    hint="grid.nearest_walkable(cell) finds the closest walkable cell",
                )
        si, gi = self._index(s), self._index(g)
        if algorithm == "jps":
            if self._jump is None:
                self._jump = JumpTables(self._pad)
            found = jps_search(self._jump, si, gi)
        else:
            if self._mask_bytes is None:
                self._mask_bytes = self._masks.tobytes()
            found = astar_search(self._mask_bytes, self._table, self._row, si, gi)
        if found is None:
            return None
        return compress_path(found) if waypoints else found

    def smooth_path(self, path: Sequence[CellLike]) -> list[Cell]:
        """Shorten a cell path to the cells where it must turn (any-angle string
        pulling): from each kept cell, jump to the farthest later cell in
        :meth:`line_of_sight`. Straight lines between consecutive result cells are
        walkable (supercover) and no longer than the input path.

        Args:
            path: a cell path, e.g. from :meth:`find_path`.

        Returns:
            The turning cells, first and last cell included.

        Raises:
            OutOfBoundsError: a cell is outside the map.

        Example:
            >>> grid = GridMap.from_ascii('''
            ... ....
            ... ....
            ... ....
            ... ''')
            >>> grid.smooth_path(grid.find_path((0, 0), (3, 1)))
            [(0, 0), (3, 1)]
        """
        cells = [self._cell(c, "path cell") for c in path]
        if len(cells) <= 2:
            return cells
        out = [cells[0]]
        i = 0
        while i < len(cells) - 1:
            j = len(cells) - 1
            while j > i + 1 and not self.line_of_sight(cells[i], cells[j]):
                j -= 1
            out.append(cells[j])
            i = j
        return out

    # ------------------------------------------------------------------ line of sight
    def line_of_sight(self, a: CellLike, b: CellLike) -> bool:
        """Whether the segment between the centres of cells ``a`` and ``b`` touches
        only walkable cells (conservative supercover: a segment through a grid vertex
        needs all four cells around it, like a diagonal step).

        Args:
            a: a cell ``(x, y)``.
            b: another cell.

        Returns:
            ``True`` when both cells and everything between them are walkable.

        Raises:
            OutOfBoundsError: a cell is outside the map.

        Example:
            >>> grid = GridMap.from_ascii('''
            ... .#
            ... #.
            ... ''')
            >>> grid.line_of_sight((0, 0), (1, 1))
            False
        """
        x0, y0 = self._cell(a, "a")
        x1, y1 = self._cell(b, "b")
        return supercover_clear(self.walkable, x0, y0, x1, y1)

    def line_of_sight_many(
        self, starts: npt.ArrayLike, goals: npt.ArrayLike
    ) -> npt.NDArray[np.bool_]:
        """Vectorised :meth:`line_of_sight` for ``N`` pairs of cells.

        Args:
            starts: ``(N, 2)`` integer cells ``(x, y)``.
            goals: ``(N, 2)`` integer cells.

        Returns:
            ``(N,)`` booleans.

        Raises:
            NavConfigError: the arrays are not ``(N, 2)`` integers of equal length.
            OutOfBoundsError: a cell is outside the map (``index`` names the pair).

        Example:
            >>> grid = GridMap.from_ascii('''
            ... ...
            ... .#.
            ... ...
            ... ''')
            >>> grid.line_of_sight_many([[0, 0], [0, 0]], [[2, 0], [2, 2]]).tolist()
            [True, False]
        """
        s, g = check_cell_pairs(starts, goals, self._width, self._height)
        return supercover_clear_many(self.walkable, s, g)

    # ------------------------------------------------------------------ queries
    def nearest_walkable(self, point: CellLike) -> Cell | None:
        """The walkable cell nearest to ``point`` (Euclidean distance between cell
        centres; ties go to the smallest ``(y, x)``). ``point`` may lie outside the map.

        Args:
            point: a cell ``(x, y)`` (integers).

        Returns:
            The cell (``point`` itself when walkable), or ``None`` when no cell of the
            map is walkable.

        Example:
            >>> GridMap.from_ascii("#..").nearest_walkable((0, 0))
            (1, 0)
        """
        try:
            x, y = (operator.index(v) for v in point)
        except (TypeError, ValueError) as exc:
            raise NavConfigError(
                f"point must be an (x, y) pair of integers, got {point!r}",
                parameter="point",
                value=point,
            ) from exc
        if self.is_walkable(x, y):
            return (x, y)
        free = np.argwhere(self.walkable)
        if len(free) == 0:
            return None
        d2 = (free[:, 1] - x) ** 2 + (free[:, 0] - y) ** 2
        fy, fx = free[int(np.argmin(d2))]
        return (int(fx), int(fy))

    def flow_field(self, goal: CellLike) -> FlowField:
        """Distances and directions to ``goal`` from every cell (one Dijkstra run).

        Args:
            goal: the goal cell ``(x, y)``.

        Returns:
            The :class:`~astraweave.nav.FlowField`.

        Raises:
            OutOfBoundsError: ``goal`` is outside the map.
            BlockedCellError: ``goal`` is not walkable.

        Example:
            >>> flow = GridMap.from_ascii("....").flow_field((3, 0))
            >>> flow.distance.tolist(), flow.path_from((0, 0))
            ([[3.0, 2.0, 1.0, 0.0]], [(0, 0), (1, 0), (2, 0), (3, 0)])
        """
        g = self._cell(goal, "goal")
        if not self._pad[g[1] + 1, g[0] + 1]:
            raise BlockedCellError(f"goal {g} is not walkable", point=g, role="goal")
        masks = self._masks[1:-1, 1:-1]
        if self._graph is None:
            self._graph = move_graph(masks)
        return FlowField(masks, g, self._graph, self._version)

    # ------------------------------------------------------------------ re-planning
    def path_blocked(self, path: Sequence[CellLike]) -> bool:
        """Whether a path is no longer walkable: a cell is blocked or outside the map,
        or a straight segment between consecutive points (a step, or a longer
        segment of a waypoint or smoothed path) touches a blocked cell.

        Args:
            path: cells ``(x, y)``.

        Returns:
            ``True`` when the path can no longer be walked (an empty path: ``False``).

        Example:
            >>> grid = GridMap.from_ascii("....")
            >>> path = grid.find_path((0, 0), (3, 0))
            >>> grid.set_blocked(2, 0)
            >>> grid.path_blocked(path)
            True
        """
        return cell_path_blocked(self.walkable, path)

    def paths_crossing(
        self, region: Sequence[int], paths: Sequence[Sequence[CellLike] | None]
    ) -> list[int]:
        """Indices of the paths that touch a region of cells ``(x0, y0, x1, y1)``
        (half-open): a cell of the path, or a cell a straight segment of it touches
        (supercover, so a diagonal step past a region corner counts).

        Args:
            region: ``(x0, y0, x1, y1)`` cells, half-open.
            paths: cell paths (``None`` entries are skipped).

        Returns:
            Ascending indices into ``paths``.

        Example:
            >>> grid = GridMap.from_ascii('''
            ... ....
            ... ....
            ... ''')
            >>> grid.paths_crossing((2, 0, 3, 1), [[(0, 0), (3, 0)], [(0, 1), (3, 1)]])
            [0]
        """
        return cell_paths_touching(self.shape, region, paths)
