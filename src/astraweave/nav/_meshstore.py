"""Navmesh storage: rectangles, the cell-to-polygon raster, portals, and local
rebuilds around dynamic obstacles.

:class:`MeshStore` is the base of :class:`~astraweave.nav.NavMesh`: it owns the
polygons and keeps them consistent under :meth:`MeshStore.add_obstacle` and
:meth:`MeshStore.remove_obstacle`; ``NavMesh`` adds construction and path queries.

Invariants (checked by the tests after random obstacle sequences): every free raster
cell belongs to exactly one rectangle, the owner raster agrees with the rectangles, and
portals are symmetric.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import NewType

import numpy as np
import numpy.typing as npt

from astraweave.errors import UnknownObstacleError
from astraweave.nav._funnel import Point
from astraweave.nav._geometry import Polygon, Rect, as_point, as_polygon, grown_bbox
from astraweave.nav._meshsearch import portal_points
from astraweave.nav._raster import Raster, obstacle_mask
from astraweave.nav._rects import CellRect, Portal, decompose, scan_portals

__all__ = ["MeshStore", "ObstacleId", "RebuildStats"]

#: Handle of a dynamic obstacle on a :class:`~astraweave.nav.NavMesh`.
ObstacleId = NewType("ObstacleId", int)

BoolGrid = npt.NDArray[np.bool_]
_EPS = 1e-9


@dataclass(frozen=True, slots=True)
class RebuildStats:
    """What the last dynamic update rebuilt.

    Attributes:
        removed: polygons taken out of the mesh.
        added: polygons made to replace them.
        total_polygons: polygons in the mesh afterwards.
    """

    removed: int
    added: int
    total_polygons: int


@dataclass(frozen=True, slots=True)
class _Obstacle:
    polygon: npt.NDArray[np.float64]
    window: tuple[int, int, int, int]
    mask: BoolGrid
    rect: Rect


class MeshStore:
    """The polygons of a navmesh over a raster of free cells (see the module doc).

    Args:
        raster: raster placement.
        free: the statically free cells.
        agent_radius: the radius the free cells were computed for.
        bounds: the bounding rectangle of the outline.
    """

    def __init__(self, raster: Raster, free: BoolGrid, agent_radius: float, bounds: Rect) -> None:
        self._raster = raster
        self._radius = agent_radius
        self._bounds = bounds
        self._static_free = free
        self._dynamic = np.zeros(free.shape, dtype=np.int32)
        self._owner = np.full(free.shape, -1, dtype=np.int32)
        self._rects: list[CellRect | None] = []
        self._links: list[list[Portal]] = []
        self._obstacles: dict[int, _Obstacle] = {}
        self._next_obstacle = 1
        self._version = 0
        self._changes: list[tuple[int, Rect]] = []
        self._arrays: npt.NDArray[np.float64] | None = None
        self._alive = 0
        self.polygons_rebuilt = 0
        """Cumulative count of polygons removed by dynamic updates."""
        self.last_rebuild = RebuildStats(0, 0, 0)
        """What the last :meth:`add_obstacle` / :meth:`remove_obstacle` rebuilt."""
        self._insert(decompose(free.copy()))
        self.last_rebuild = RebuildStats(0, self._alive, self._alive)

    # ------------------------------------------------------------------ properties
    @property
    def agent_radius(self) -> float:
        """The agent radius the mesh was built for (metres)."""
        return self._radius

    @property
    def cell_size(self) -> float:
        """The raster resolution (metres)."""
        return self._raster.cell

    @property
    def bounds(self) -> Rect:
        """The bounding rectangle of the mesh's outline."""
        return self._bounds

    @property
    def polygon_count(self) -> int:
        """How many polygons the mesh has now."""
        return self._alive

    @property
    def version(self) -> int:
        """Incremented by every obstacle added or removed."""
        return self._version

    @property
    def obstacles(self) -> list[ObstacleId]:
        """The ids of the dynamic obstacles on the mesh, oldest first."""
        return [ObstacleId(k) for k in self._obstacles]

    def polygon_ids(self) -> list[int]:
        """The ids of the mesh's polygons, ascending (ids are never reused)."""
        return [i for i, r in enumerate(self._rects) if r is not None]

    def polygon(self, pid: int) -> tuple[Point, Point, Point, Point]:
        """The four vertices of polygon ``pid``, counter-clockwise in a y-up frame.

        Raises:
            KeyError: no polygon has this id (any more).
        """
        x0, y0, x1, y1 = self._world_rect(pid)
        return ((x0, y0), (x1, y0), (x1, y1), (x0, y1))

    def neighbors(self, pid: int) -> list[int]:
        """Ids of the polygons sharing an edge segment with ``pid``, ascending.

        Args:
            pid: a polygon id.

        Returns:
            The neighbour ids (polygons touching only at a corner are not neighbours).

        Raises:
            KeyError: no polygon has this id.

        Example:
            >>> from astraweave.nav import NavMesh
            >>> mesh = NavMesh.from_polygons((0, 0, 3, 2), [(1, 0, 2, 1)], cell_size=1.0)
            >>> [mesh.neighbors(p) for p in mesh.polygon_ids()]
            [[2], [2], [0, 1]]
        """
        self._cell_rect(pid)
        return sorted({p[0] for p in self._links[pid]})

    def portal(self, a: int, b: int) -> tuple[Point, Point] | None:
        """The shared edge crossed going from polygon ``a`` to polygon ``b``.

        Args:
            a: the polygon left.
            b: the polygon entered.

        Returns:
            ``(left, right)`` endpoints as seen when travelling from ``a`` to ``b``
            (the funnel's convention), or ``None`` when they are not neighbours.

        Example:
            >>> from astraweave.nav import NavMesh
            >>> mesh = NavMesh.from_polygons((0, 0, 3, 2), [(1, 0, 2, 1)], cell_size=1.0)
            >>> mesh.portal(0, 2)
            ((1.0, 2.0), (1.0, 1.0))
        """
        for p in self._portals_of(a):
            if p[0] == b:
                return portal_points(self, a, p)
        return None

    # ------------------------------------------------------------------ internals
    def _cell_rect(self, pid: int) -> CellRect:
        rect = self._rects[pid] if 0 <= pid < len(self._rects) else None
        if rect is None:
            raise KeyError(f"no polygon {pid} on the navmesh")
        return rect

    def _world_rect(self, pid: int) -> Rect:
        x0, y0, x1, y1 = self._cell_rect(pid)
        r = self._raster
        return (r.ox + x0 * r.cell, r.oy + y0 * r.cell, r.ox + x1 * r.cell, r.oy + y1 * r.cell)

    def _corner_open(self, corner: Point, sx: int, sy: int) -> bool:
        """Whether a segment leaving a polygon through ``corner`` in direction
        ``(sx, sy)`` has a mesh cell beside the corner (not a point contact only)."""
        r = self._raster
        ix = round((corner[0] - r.ox) / r.cell)
        iy = round((corner[1] - r.oy) / r.cell)
        cur_x, nxt_x = (ix - 1, ix) if sx > 0 else (ix, ix - 1)
        cur_y, nxt_y = (iy - 1, iy) if sy > 0 else (iy, iy - 1)
        for cx, cy in ((nxt_x, cur_y), (cur_x, nxt_y)):
            if 0 <= cx < r.nx and 0 <= cy < r.ny and self._owner[cy, cx] >= 0:
                return True
        return False

    def _portals_of(self, pid: int) -> list[Portal]:
        return self._links[pid]

    def _insert(self, rects: list[CellRect]) -> list[int]:
        first = len(self._rects)
        ids = list(range(first, first + len(rects)))
        for pid, (x0, y0, x1, y1) in zip(ids, rects, strict=True):
            self._rects.append((x0, y0, x1, y1))
            self._links.append([])
            self._owner[y0:y1, x0:x1] = pid
        new = set(ids)
        for pid in ids:
            portals = scan_portals(self._owner, self._cell_rect(pid))
            self._links[pid] = portals
            for nid, side, lo, hi in portals:
                if nid not in new:
                    self._links[nid].append((pid, side ^ 1, lo, hi))
        self._alive += len(rects)
        self._arrays = None
        return ids

    def _remove(self, pids: list[int]) -> None:
        gone = set(pids)
        for pid in pids:
            x0, y0, x1, y1 = self._cell_rect(pid)
            self._owner[y0:y1, x0:x1] = -1
            for nid in {p[0] for p in self._links[pid]} - gone:
                self._links[nid] = [p for p in self._links[nid] if p[0] != pid]
            self._rects[pid] = None
            self._links[pid] = []
        self._alive -= len(pids)
        self._arrays = None

    def _rebuild(self, window: tuple[int, int, int, int]) -> None:
        ix0, iy0, ix1, iy1 = window
        pids = sorted({int(v) for v in np.unique(self._owner[iy0:iy1, ix0:ix1]) if v >= 0})
        for pid in pids:
            x0, y0, x1, y1 = self._cell_rect(pid)
            ix0, iy0, ix1, iy1 = min(ix0, x0), min(iy0, y0), max(ix1, x1), max(iy1, y1)
        self._remove(pids)
        free = self._static_free[iy0:iy1, ix0:ix1] & (self._dynamic[iy0:iy1, ix0:ix1] == 0)
        available = free & (self._owner[iy0:iy1, ix0:ix1] == -1)
        added = self._insert(decompose(available, iy0, ix0))
        self.polygons_rebuilt += len(pids)
        self.last_rebuild = RebuildStats(len(pids), len(added), self._alive)

    def _rect_arrays(self) -> npt.NDArray[np.float64]:
        if self._arrays is None:
            ids = self.polygon_ids()
            rows = [(float(i), *self._world_rect(i)) for i in ids]
            self._arrays = np.array(rows, dtype=np.float64).reshape(len(rows), 5)
        return self._arrays

    # ------------------------------------------------------------------ queries
    def polygon_at(self, point: Sequence[float]) -> int | None:
        """The polygon containing a point.

        Args:
            point: ``(x, y)`` in metres.

        Returns:
            The polygon id (boundaries included, to ``1e-9`` cell widths; on a shared
            edge, the lowest id), or ``None`` off the mesh.

        Example:
            >>> from astraweave.nav import NavMesh
            >>> NavMesh.from_polygons((0, 0, 4, 4), cell_size=1.0).polygon_at((2.0, 2.0))
            0

        Raises:
            NavConfigError: not a finite ``(x, y)`` pair.
        """
        return self._polygon_at(as_point(point, "point"))

    def _polygon_at(self, point: Point) -> int | None:
        x, y = point
        r = self._raster
        fx, fy = (x - r.ox) / r.cell, (y - r.oy) / r.cell
        best: int | None = None
        for cx in {math.floor(fx - _EPS), math.floor(fx + _EPS)}:
            for cy in {math.floor(fy - _EPS), math.floor(fy + _EPS)}:
                if 0 <= cx < r.nx and 0 <= cy < r.ny:
                    pid = int(self._owner[cy, cx])
                    if pid >= 0 and (best is None or pid < best):
                        best = pid
        return best

    # ------------------------------------------------------------------ dynamic obstacles
    def add_obstacle(self, shape: Polygon) -> ObstacleId:
        """Block a rectangle or polygon (grown by the agent radius) and rebuild the
        polygons overlapping its bounding box; see :attr:`last_rebuild`.

        Args:
            shape: ``(xmin, ymin, xmax, ymax)`` or a polygon, in world metres.

        Returns:
            The obstacle's id, for :meth:`remove_obstacle`.

        Raises:
            InvalidPolygonError: the shape is degenerate.

        Example:
            >>> from astraweave.nav import NavMesh
            >>> mesh = NavMesh.from_polygons((0, 0, 10, 10), cell_size=1.0)
            >>> oid = mesh.add_obstacle((4, 4, 6, 6))
            >>> mesh.contains((5, 5)), mesh.last_rebuild.removed
            (False, 1)
            >>> mesh.remove_obstacle(oid)
            >>> mesh.contains((5, 5))
            True
        """
        poly = as_polygon(shape, "obstacle")
        oid = self._next_obstacle
        self._next_obstacle += 1
        hit = obstacle_mask(self._raster, poly, self._radius)
        rect = grown_bbox(poly, self._radius)
        if hit is None:
            window, mask = (0, 0, 0, 0), np.zeros((0, 0), dtype=np.bool_)
        else:
            window, mask = hit
            ix0, iy0, ix1, iy1 = window
            self._dynamic[iy0:iy1, ix0:ix1] += mask
            self._rebuild(window)
        self._obstacles[oid] = _Obstacle(poly, window, mask, rect)
        self._touch(rect)
        return ObstacleId(oid)

    def remove_obstacle(self, obstacle: ObstacleId) -> None:
        """Remove a dynamic obstacle and rebuild the polygons around it (the cells it
        blocked, grown by one cell); see :attr:`last_rebuild`.

        Args:
            obstacle: an id returned by :meth:`add_obstacle`.

        Raises:
            UnknownObstacleError: no obstacle with this id is on the mesh.
        """
        ob = self._obstacles.pop(int(obstacle), None)
        if ob is None:
            raise UnknownObstacleError(
                f"obstacle {obstacle!r} is not on this navmesh",
                obstacle=obstacle,
                hint="ids come from add_obstacle and are valid until removed once",
            )
        ix0, iy0, ix1, iy1 = ob.window
        if ob.mask.size:
            self._dynamic[iy0:iy1, ix0:ix1] -= ob.mask
            r = self._raster
            grown = (max(0, ix0 - 1), max(0, iy0 - 1), min(r.nx, ix1 + 1), min(r.ny, iy1 + 1))
            self._rebuild(grown)
        self._touch(ob.rect)

    def _touch(self, rect: Rect) -> None:
        self._version += 1
        self._changes.append((self._version, rect))

    def changes_since(self, version: int) -> list[Rect]:
        """The regions changed by obstacles added or removed after ``version``.

        Args:
            version: a value of :attr:`version` seen earlier.

        Returns:
            World rectangles ``(xmin, ymin, xmax, ymax)`` (obstacle bounding boxes
            grown by the agent radius), oldest first.
        """
        return [rect for v, rect in self._changes if v > version]
