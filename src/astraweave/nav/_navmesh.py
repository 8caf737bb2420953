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
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from astraweave.errors import OffMeshError
from astraweave.nav._funnel import Point, string_pull
from astraweave.nav._geometry import Polygon, as_point, as_polygon
from astraweave.nav._meshsearch import corridor_search, raycast
from astraweave.nav._meshstore import MeshStore, ObstacleId, RebuildStats
from astraweave.nav._paths import segments_near_region
from astraweave.nav._raster import check_resolution, configuration_space
from astraweave.nav._rects import decompose

if TYPE_CHECKING:
    from astraweave.nav._grid import GridMap

__all__ = ["NavMesh", "ObstacleId", "RebuildStats"]


class NavMesh(MeshStore):
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

    # ------------------------------------------------------------------ queries
    def contains(self, point: Sequence[float]) -> bool:
        """Whether ``point`` is on the mesh (a centre of an agent there is at least
        ``agent_radius`` from every wall).

        Args:
            point: ``(x, y)`` in metres.

        Returns:
            ``True`` on the mesh, boundaries included.

        Raises:
            NavConfigError: not a finite ``(x, y)`` pair.

        Example:
            >>> mesh = NavMesh.from_polygons((0, 0, 4, 4), [(1, 1, 3, 3)], cell_size=1.0)
            >>> mesh.contains((0.5, 0.5)), mesh.contains((2.0, 2.0))
            (True, False)
        """
        return self._polygon_at(as_point(point, "point")) is not None

    def nearest_point(self, point: Sequence[float]) -> tuple[float, float] | None:
        """The point of the mesh nearest to ``point``.

        Args:
            point: ``(x, y)`` in metres.

        Returns:
            ``point`` itself when it is on the mesh, else the nearest point of the
            nearest polygon; ``None`` for an empty mesh.

        Raises:
            NavConfigError: not a finite ``(x, y)`` pair.

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

        Args:
            a: ``(x, y)`` in metres.
            b: ``(x, y)`` in metres.

        Returns:
            ``True`` when every point of the segment is on the mesh (and it does not
            squeeze through a point where two polygons only touch).

        Raises:
            NavConfigError: not finite ``(x, y)`` pairs.

        Example:
            >>> mesh = NavMesh.from_polygons((0, 0, 4, 4), [(1, 1, 3, 3)], cell_size=1.0)
            >>> mesh.line_of_sight((0.5, 0.5), (3.5, 0.5)), mesh.line_of_sight(
            ...     (0.5, 0.5), (3.5, 3.5))
            (True, False)
        """
        return raycast(self, as_point(a, "a"), as_point(b, "b"))

    def _locate(self, p: Point, role: str, snap: bool) -> tuple[int, Point]:
        pid = self._polygon_at(p)
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
        """The corridor A* finds from ``start`` to ``goal`` (before string pulling).

        Args:
            start: ``(x, y)`` on the mesh.
            goal: ``(x, y)`` on the mesh.

        Returns:
            The polygon ids, start's first, goal's last; ``None`` when unreachable.

        Raises:
            OffMeshError: ``start`` or ``goal`` is not on the mesh.

        Example:
            >>> mesh = NavMesh.from_polygons((0, 0, 3, 2), [(1, 0, 2, 1)], cell_size=1.0)
            >>> mesh.find_corridor((0.5, 0.5), (2.5, 0.5))
            [0, 2, 1]
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

    def path_blocked(self, path: Sequence[Sequence[float]]) -> bool:
        """Whether some segment of ``path`` is no longer on the mesh (for example
        because an obstacle was added across it).

        Args:
            path: ``(x, y)`` points in metres.

        Returns:
            ``True`` when a point or segment is off the mesh.

        Example:
            >>> mesh = NavMesh.from_polygons((0, 0, 10, 10), cell_size=1.0)
            >>> path = mesh.find_path((1, 5), (9, 5))
            >>> _ = mesh.add_obstacle((4, 0, 6, 8))
            >>> mesh.path_blocked(path)
            True
        """
        pts = [as_point(p, "path point") for p in path]
        if len(pts) == 1:
            return self._polygon_at(pts[0]) is None
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
