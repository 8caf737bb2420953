"""The navigation mesh: axis-aligned rectangles over a rasterised configuration space.

Construction (see ``docs/navigation.md``):

1. Rasterise the walkable area at ``cell_size``: a raster cell is free when all of it
   is at least ``agent_radius`` from every obstacle and inside the bounds
   (:mod:`astraweave.nav._raster`).
2. Cover the free cells with rectangles, greedily (:mod:`astraweave.nav._rects`). Each
   rectangle is a convex polygon; two rectangles sharing part of an edge are linked by
   a portal (the overlapping segment).
3. Queries: A* over polygons, then the funnel algorithm for a taut path.

Dynamic obstacles add to a per-cell counter; only the rectangles overlapping the
obstacle's bounding box (grown by the agent radius) are removed and re-decomposed.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, NewType

import numpy as np
import numpy.typing as npt

from astraweave.errors import OffMeshError, UnknownObstacleError
from astraweave.nav._funnel import Point, string_pull
from astraweave.nav._geometry import Polygon, Rect, as_point, as_polygon, grown_bbox
from astraweave.nav._meshsearch import corridor_search, portal_points, raycast
from astraweave.nav._paths import segments_near_region
from astraweave.nav._raster import Raster, check_resolution, configuration_space, obstacle_mask
from astraweave.nav._rects import CellRect, Portal, decompose, scan_portals

if TYPE_CHECKING:
    from astraweave.nav._grid import GridMap

__all__ = ["NavMesh", "ObstacleId", "RebuildStats"]

#: Handle of a dynamic obstacle on a :class:`NavMesh`.
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


class NavMesh:
    """A navigation mesh of convex polygons (axis-aligned rectangles) for one agent
    radius, with funnel-smoothed paths and local rebuilds around dynamic obstacles.

    Build one with :meth:`from_grid` or :meth:`from_polygons`. Coordinates are world
    metres; for a grid, cell ``(x, y)`` is the square ``[x, x + 1] x [y, y + 1]``.

    Example:
        >>> mesh = NavMesh.from_polygons((0, 0, 10, 10), [(4, 0, 6, 8)], agent_radius=0.5)
        >>> path = mesh.find_path((1.0, 1.0), (9.0, 1.0))
        >>> [(round(x, 2), round(y, 2)) for x, y in path]
        [(1.0, 1.0), (3.5, 8.5), (6.5, 8.5), (9.0, 1.0)]
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

    # ------------------------------------------------------------------ construction
    @classmethod
    def from_polygons(
        cls,
        bounds: Polygon,
        obstacles: Sequence[Polygon] = (),
        *,
        agent_radius: float = 0.0,
        cell_size: float = 0.25,
    ) -> NavMesh:
        """Build a mesh of the area inside ``bounds`` and outside every obstacle.

        Args:
            bounds: the walkable outline: ``(xmin, ymin, xmax, ymax)`` or a polygon.
            obstacles: rectangles or polygons (simple, possibly concave).
            agent_radius: the agent's radius in metres; the mesh keeps every point at
                least this far from obstacles and from the bounds.
            cell_size: raster resolution in metres (default 0.25). Smaller fits the
                true free space more tightly (it loses at most one cell along each
                boundary) but makes more polygons and a slower build.

        Returns:
            The mesh.

        Raises:
            InvalidPolygonError: a degenerate bounds or obstacle polygon.
            NavConfigError: a negative radius, a non-positive cell size, or a raster
                over :data:`~astraweave.nav._raster.MAX_RASTER_CELLS` cells.

        Example:
            >>> NavMesh.from_polygons((0, 0, 4, 2), cell_size=1.0).polygon_count
            1
        """
        radius, cell = check_resolution(agent_radius, cell_size)
        outline = as_polygon(bounds, "bounds")
        polys = [as_polygon(o, f"obstacle {i}") for i, o in enumerate(obstacles)]
        raster, free, rect = configuration_space(outline, polys, radius, cell)
        return cls(raster, free, radius, rect)

    @classmethod
    def from_grid(
        cls, grid: GridMap, *, agent_radius: float = 0.0, cell_size: float | None = None
    ) -> NavMesh:
        """Build a mesh of a grid map's walkable cells (blocked cells and the map
        border are walls).

        Args:
            grid: the map; cell ``(x, y)`` covers ``[x, x + 1] x [y, y + 1]``.
            agent_radius: the agent's radius in metres.
            cell_size: raster resolution; default 1.0 (exact) when ``agent_radius``
                is 0, else 0.25.

        Returns:
            The mesh.

        Raises:
            NavConfigError: see :meth:`from_polygons`.

        Example:
            >>> from astraweave.nav import GridMap
            >>> grid = GridMap.from_ascii('''
            ... ....
            ... .##.
            ... ....
            ... ''')
            >>> mesh = NavMesh.from_grid(grid)
            >>> mesh.contains((1.5, 1.5)), mesh.contains((0.5, 1.5))
            (False, True)
        """
        if cell_size is None:
            cell_size = 1.0 if float(agent_radius) == 0.0 else 0.25
        walls = decompose(~grid.walkable)
        obstacles = [(float(a), float(b), float(c), float(d)) for a, b, c, d in walls]
        return cls.from_polygons(
            (0.0, 0.0, float(grid.width), float(grid.height)),
            obstacles,
            agent_radius=agent_radius,
            cell_size=cell_size,
        )

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
        """Ids of the polygons sharing an edge segment with ``pid``, ascending."""
        self._cell_rect(pid)
        return sorted({p[0] for p in self._links[pid]})

    def portal(self, a: int, b: int) -> tuple[Point, Point] | None:
        """The shared edge ``(left, right)`` crossed going from ``a`` to ``b``, or
        ``None`` if they are not neighbours."""
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
    def polygon_at(self, point: tuple[float, float]) -> int | None:
        """The id of the polygon containing ``point`` (boundaries included, to
        ``1e-9`` cell widths; on a shared edge, the lowest id), or ``None``."""
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

    def contains(self, point: Sequence[float]) -> bool:
        """Whether ``point`` is on the mesh (a centre of an agent there is at least
        ``agent_radius`` from every wall).

        Example:
            >>> mesh = NavMesh.from_polygons((0, 0, 4, 4), [(1, 1, 3, 3)], cell_size=1.0)
            >>> mesh.contains((0.5, 0.5)), mesh.contains((2.0, 2.0))
            (True, False)
        """
        return self.polygon_at(as_point(point, "point")) is not None

    def nearest_point(self, point: Sequence[float]) -> tuple[float, float] | None:
        """The point of the mesh nearest to ``point`` (``point`` itself when it is on
        the mesh), or ``None`` for an empty mesh.

        Example:
            >>> mesh = NavMesh.from_polygons((0, 0, 4, 4), [(1, 1, 3, 3)], cell_size=1.0)
            >>> mesh.nearest_point((1.5, 2.0))
            (1.0, 2.0)
        """
        hit = self._nearest(as_point(point, "point"))
        return None if hit is None else hit[1]

    def _nearest(self, p: Point) -> tuple[int, Point] | None:
        arr = self._rect_arrays()
        if len(arr) == 0:
            return None
        qx = np.clip(p[0], arr[:, 1], arr[:, 3])
        qy = np.clip(p[1], arr[:, 2], arr[:, 4])
        k = int(np.argmin(np.hypot(qx - p[0], qy - p[1])))
        return int(arr[k, 0]), (float(qx[k]), float(qy[k]))

    def line_of_sight(self, a: Sequence[float], b: Sequence[float]) -> bool:
        """Whether the straight segment ``a-b`` stays on the mesh.

        Example:
            >>> mesh = NavMesh.from_polygons((0, 0, 4, 4), [(1, 1, 3, 3)], cell_size=1.0)
            >>> mesh.line_of_sight((0.5, 0.5), (3.5, 0.5)), mesh.line_of_sight(
            ...     (0.5, 0.5), (3.5, 3.5))
            (True, False)
        """
        return raycast(self, as_point(a, "a"), as_point(b, "b"))

    def _locate(self, p: Point, role: str, snap: bool) -> tuple[int, Point]:
        pid = self.polygon_at(p)
        if pid is not None:
            return pid, p
        if snap:
            hit = self._nearest(p)
            if hit is not None:
                return hit
        raise OffMeshError(
            f"{role} {p} is not on the navmesh",
            point=p,
            role=role,
            hint="pass snap=True to move it to the nearest point of the mesh",
        )

    def find_corridor(self, start: Sequence[float], goal: Sequence[float]) -> list[int] | None:
        """The polygon ids a path from ``start`` to ``goal`` passes through, or ``None``.

        Raises:
            OffMeshError: ``start`` or ``goal`` is not on the mesh.
        """
        s, g = as_point(start, "start"), as_point(goal, "goal")
        sp, s = self._locate(s, "start", False)
        gp, g = self._locate(g, "goal", False)
        return corridor_search(self, sp, gp, s, g)

    def find_path(
        self, start: Sequence[float], goal: Sequence[float], *, snap: bool = False
    ) -> list[tuple[float, float]] | None:
        """A taut path from ``start`` to ``goal`` on the mesh.

        The straight segment is returned when it lies on the mesh; otherwise A* finds
        a corridor of polygons and the funnel algorithm pulls the path tight inside it.
        The result is the shortest path within that corridor; like Detour, the corridor
        itself is chosen by A* over portal crossing points, which is near-shortest but
        not guaranteed globally shortest.

        Args:
            start: where the agent is (world metres).
            goal: where it wants to go.
            snap: move ``start`` and ``goal`` to the nearest point of the mesh when
                they are off it (the returned path starts and ends at the snapped
                points), instead of raising.

        Returns:
            ``[start, corner, ..., goal]``; ``[start]`` when start equals goal;
            ``None`` when the goal is unreachable.

        Raises:
            OffMeshError: ``start`` or ``goal`` is off the mesh and ``snap`` is False.
            NavConfigError: a point is not a finite ``(x, y)`` pair.

        Example:
            >>> mesh = NavMesh.from_polygons((0, 0, 10, 4), [(4, 0, 6, 3)], cell_size=1.0)
            >>> mesh.find_path((1.0, 1.0), (9.0, 1.0))
            [(1.0, 1.0), (4.0, 3.0), (6.0, 3.0), (9.0, 1.0)]
        """
        s, g = as_point(start, "start"), as_point(goal, "goal")
        sp, s = self._locate(s, "start", snap)
        gp, g = self._locate(g, "goal", snap)
        if s == g:
            return [s]
        if raycast(self, s, g):
            return [s, g]
        corridor = corridor_search(self, sp, gp, s, g)
        if corridor is None:
            return None
        portals = []
        for a, b in itertools.pairwise(corridor):
            portal = self.portal(a, b)
            if portal is None:  # pragma: no cover - corridors follow portals
                raise OffMeshError("corridor broken", point=None, role="corridor")
            portals.append(portal)
        return string_pull(s, g, portals)

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
        """Remove a dynamic obstacle and rebuild the polygons around it.

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
        """The regions (world rectangles, grown by the agent radius) changed by
        obstacles added or removed after ``version``, oldest first."""
        return [rect for v, rect in self._changes if v > version]

    def path_blocked(self, path: Sequence[Sequence[float]]) -> bool:
        """Whether some segment of ``path`` is no longer on the mesh (for example
        because an obstacle was added across it).

        Example:
            >>> mesh = NavMesh.from_polygons((0, 0, 10, 10), cell_size=1.0)
            >>> path = mesh.find_path((1, 5), (9, 5))
            >>> _ = mesh.add_obstacle((4, 0, 6, 8))
            >>> mesh.path_blocked(path)
            True
        """
        pts = [as_point(p, "path point") for p in path]
        if len(pts) == 1:
            return self.polygon_at(pts[0]) is None
        return not all(raycast(self, a, b) for a, b in itertools.pairwise(pts))

    def paths_crossing(
        self, region: Polygon, paths: Sequence[Sequence[Sequence[float]] | None]
    ) -> list[int]:
        """Indices of the paths that pass within ``agent_radius`` of ``region``: the
        agents that must re-path when an obstacle appears there.

        Args:
            region: ``(xmin, ymin, xmax, ymax)`` or a polygon.
            paths: polylines of ``(x, y)`` points (``None`` entries are skipped).

        Returns:
            Ascending indices into ``paths``.

        Example:
            >>> mesh = NavMesh.from_polygons((0, 0, 10, 10), cell_size=1.0)
            >>> mesh.paths_crossing((4, 4, 6, 6), [[(0, 5), (9, 5)], [(0, 1), (9, 1)]])
            [0]
        """
        return segments_near_region(as_polygon(region, "region"), paths, self._radius)

    def __repr__(self) -> str:
        return (
            f"NavMesh(polygons={self._alive}, bounds={self._bounds}, "
            f"agent_radius={self._radius}, cell_size={self._raster.cell}, "
            f"obstacles={len(self._obstacles)})"
        )
