"""The ECS side of navigation: the :class:`NavAgent` component, the
:class:`Navigation` resource and :func:`plugin`, which registers the re-path system.

Path *planning* lives here; path *following* (steering along ``NavAgent.path``) belongs
to the physics package's character controller.
"""

from __future__ import annotations

import hashlib
import math
import struct
from collections.abc import Sequence
from enum import IntEnum
from typing import Any

import numpy as np

from astraweave.ecs import App, Position, Stage, World, component
from astraweave.errors import BlockedCellError, OutOfBoundsError, PluginError
from astraweave.nav._grid import ALGORITHMS, GridMap
from astraweave.nav._navmesh import NavMesh
from astraweave.nav._paths import compress_path

__all__ = ["NavAgent", "NavStatus", "Navigation", "plugin", "replan_system"]

Waypoints = tuple[tuple[float, float], ...]


class NavStatus(IntEnum):
    """Values of :attr:`NavAgent.status`."""

    NONE = 0
    """No goal (``goal_x``/``goal_y`` are NaN) or not planned yet."""
    OK = 1
    """``path`` leads to the goal."""
    NO_PATH = 2
    """The goal is unreachable, blocked or off the map; retried when the map changes."""


@component
class NavAgent:
    """An agent that wants to go somewhere (world metres).

    Set ``goal_x``/``goal_y`` (NaN = no goal); the re-path system of :func:`plugin`
    fills ``path`` with waypoints from the agent's :class:`~astraweave.ecs.Position` to
    the goal, sets ``status`` (:class:`NavStatus`) and bumps ``path_version`` every
    time ``path`` is replaced, so a follower knows to restart from its first waypoint.
    ``planned_x``/``planned_y`` record the goal the current path was planned for.
    """

    goal_x: float = math.nan
    goal_y: float = math.nan
    path: tuple[tuple[float, float], ...] | None = None
    status: int = 0
    path_version: int = 0
    planned_x: float = math.nan
    planned_y: float = math.nan


class Navigation:
    """The navigation resource: the grid and/or navmesh agents plan on.

    With a navmesh, agents plan on it (continuous, funnel-smoothed paths; starts and
    goals off the mesh snap to its nearest point). Otherwise they plan on the grid:
    waypoints are the agent's position, the centres of the path's turning cells
    (any-angle smoothed when ``smooth``), and the goal. The grid and the mesh are
    independent objects: with both, planning uses the mesh, so mirror run-time changes
    into it (``navmesh.add_obstacle``) as well as into the grid.

    Args:
        grid: a grid map.
        navmesh: a navmesh.
        algorithm: grid search algorithm, ``"jps"`` or ``"astar"``.
        smooth: string-pull grid paths with line of sight (fewer, straighter legs).

    Attributes:
        replans: paths computed by the re-path system in its last run.
        replans_total: paths computed since the resource was made.
    """

    def __init__(
        self,
        grid: GridMap | None = None,
        navmesh: NavMesh | None = None,
        *,
        algorithm: str = "jps",
        smooth: bool = True,
    ) -> None:
        if grid is None and navmesh is None:
            raise PluginError(
                "the nav plugin needs a grid or a navmesh",
                plugin="astraweave.nav.plugin",
                hint="nav.plugin(app, grid=GridMap.from_ascii(...))",
            )
        if algorithm not in ALGORITHMS:
            raise PluginError(
                f"unknown grid algorithm {algorithm!r} (use 'astar' or 'jps')",
                plugin="astraweave.nav.plugin",
            )
        self.grid = grid
        self.navmesh = navmesh
        self.algorithm = algorithm
        self.smooth = smooth
        self.replans = 0
        self.replans_total = 0
        self._grid_seen = grid.version if grid is not None else 0
        self._mesh_seen = navmesh.version if navmesh is not None else 0

    def plan(self, start: Sequence[float], goal: Sequence[float]) -> Waypoints | None:
        """Plan one path, as the re-path system does.

        Args:
            start: the agent's position ``(x, y)`` in metres.
            goal: the goal ``(x, y)`` in metres.

        Returns:
            Waypoints from ``start`` to ``goal``, or ``None`` when there is no path
            (unreachable, the goal blocked or off the map, or a non-finite position).

        Example:
            >>> from astraweave.nav import GridMap
            >>> Navigation(GridMap.from_ascii("....")).plan((0.2, 0.5), (3.5, 0.5))
            ((0.2, 0.5), (0.5, 0.5), (3.5, 0.5))
        """
        s = (float(start[0]), float(start[1]))
        g = (float(goal[0]), float(goal[1]))
        if not all(math.isfinite(v) for v in (*s, *g)):
            return None
        if self.navmesh is not None:
            path = self.navmesh.find_path(s, g, snap=True)
            return None if path is None else tuple(path)
        grid = self.grid
        if grid is None:  # pragma: no cover - the constructor requires one
            return None
        sc = grid.nearest_walkable(grid.cell_at(s))
        if sc is None:
            return None
        try:
            cells = grid.find_path(sc, grid.cell_at(g), self.algorithm)
        except (BlockedCellError, OutOfBoundsError):
            return None
        if cells is None:
            return None
        cells = grid.smooth_path(cells) if self.smooth else compress_path(cells)
        points = [s, *(GridMap.cell_center(c) for c in cells), g]
        return tuple(_dedupe(points))

    def _changed(self) -> tuple[list[tuple[int, int, int, int]], list[Any]]:
        grid_regions = self.grid.changes_since(self._grid_seen) if self.grid else []
        mesh_regions = self.navmesh.changes_since(self._mesh_seen) if self.navmesh else []
        return grid_regions, mesh_regions

    def _mark_seen(self) -> None:
        if self.grid is not None:
            self._grid_seen = self.grid.version
        if self.navmesh is not None:
            self._mesh_seen = self.navmesh.version

    def affected(self, paths: Sequence[Waypoints | None]) -> set[int]:
        """Indices of ``paths`` that cross a region changed since the last re-path run
        (a grid region blocked or unblocked, a navmesh obstacle added or removed)."""
        grid_regions, mesh_regions = self._changed()
        hit: set[int] = set()
        if self.grid is not None and grid_regions:
            cells = [
                None if p is None else [(math.floor(x), math.floor(y)) for x, y in p] for p in paths
            ]
            for region in grid_regions:
                hit.update(self.grid.paths_crossing(region, cells))
        if self.navmesh is not None:
            for rect in mesh_regions:
                hit.update(self.navmesh.paths_crossing(rect, paths))
        return hit

    def state_bytes(self) -> bytes:
        """Digest input for the world hash: the grid's walkability and the navmesh's
        polygon raster, with both versions."""
        h = hashlib.blake2b(digest_size=16)
        if self.grid is not None:
            h.update(struct.pack("<q", self.grid.version))
            h.update(np.ascontiguousarray(self.grid.walkable).tobytes())
        if self.navmesh is not None:
            h.update(struct.pack("<q", self.navmesh.version))
            h.update(np.ascontiguousarray(self.navmesh._owner >= 0).tobytes())
        return h.digest()

    def __repr__(self) -> str:
        return f"Navigation(grid={self.grid!r}, navmesh={self.navmesh!r})"


def _dedupe(points: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """Drop consecutive repeats (the start or goal at its cell's centre)."""
    out = [points[0]]
    for p in points[1:]:
        if p != out[-1]:
            out.append(p)
    return out


def replan_system(world: World) -> None:
    """(Re)plan the paths of agents whose goal changed, whose path crosses a region
    changed since the last run, or whose last attempt found no path and the map has
    changed since. Agents whose goal became NaN get ``status`` NONE and no path."""
    nav = world.resource(Navigation)
    grid_regions, mesh_regions = nav._changed()
    changed = bool(grid_regions or mesh_regions)
    count = 0
    for chunk in world.query(NavAgent, Position):
        agent = chunk[NavAgent]
        pos = chunk[Position]
        gx, gy = agent.goal_x, agent.goal_y
        has_goal = np.isfinite(gx) & np.isfinite(gy)
        need = has_goal & ~((gx == agent.planned_x) & (gy == agent.planned_y))
        cleared = np.flatnonzero(~has_goal & (agent.status != NavStatus.NONE))
        for i in cleared.tolist():
            agent.path[i] = None
            agent.status[i] = NavStatus.NONE
            agent.path_version[i] += 1
            agent.planned_x[i] = math.nan
            agent.planned_y[i] = math.nan
        if changed:
            need |= has_goal & (agent.status == NavStatus.NO_PATH)
            rows = np.flatnonzero(has_goal & (agent.status == NavStatus.OK) & ~need)
            paths = agent.path
            crossing = nav.affected([paths[i] for i in rows.tolist()])
            need[rows[sorted(crossing)]] = True
        for i in np.flatnonzero(need).tolist():
            path = nav.plan((pos.x[i], pos.y[i]), (gx[i], gy[i]))
            agent.path[i] = path
            agent.status[i] = NavStatus.OK if path is not None else NavStatus.NO_PATH
            agent.path_version[i] += 1
            agent.planned_x[i] = gx[i]
            agent.planned_y[i] = gy[i]
            count += 1
    nav.replans = count
    nav.replans_total += count
    nav._mark_seen()


def plugin(
    app: App,
    *,
    grid: GridMap | None = None,
    navmesh: NavMesh | None = None,
    algorithm: str = "jps",
    smooth: bool = True,
) -> None:
    """Add navigation to an app: insert a :class:`Navigation` resource and register
    :func:`replan_system` in ``Stage.AI_PLANNING`` (as ``"astraweave.nav.replan"``).

    Use it through ``app.add_plugin(nav.plugin, grid=...)`` (adding it again is then a
    no-op); calling it directly on an app that already has navigation is an error.

    Args:
        app: the app.
        grid: a grid map agents plan on (unless a navmesh is given).
        navmesh: a navmesh agents plan on.
        algorithm: grid search algorithm (``"jps"`` or ``"astar"``).
        smooth: any-angle smoothing of grid paths.

    Raises:
        PluginError: neither a grid nor a navmesh, an unknown algorithm, or the app
            already has a :class:`Navigation` resource.

    Example:
        >>> from astraweave.ecs import App, Position
        >>> from astraweave import nav
        >>> app = App(seed=1)
        >>> _ = app.add_plugin(nav.plugin, grid=nav.GridMap.from_ascii('''
        ... ....
        ... .##.
        ... ....
        ... '''))
        >>> e = app.world.spawn(Position(0.5, 0.5), nav.NavAgent(goal_x=3.5, goal_y=2.5))
        >>> app.tick()
        >>> agent = app.world.get(e, nav.NavAgent)
        >>> agent.status, agent.path
        (1, ((0.5, 0.5), (3.5, 0.5), (3.5, 2.5)))
    """
    if app.world.has_resource(Navigation):
        raise PluginError(
            "the app already has a Navigation resource",
            plugin="astraweave.nav.plugin",
            hint="add the plugin once, with app.add_plugin(nav.plugin, ...)",
        )
    app.world.insert_resource(Navigation(grid, navmesh, algorithm=algorithm, smooth=smooth))
    app.add_system(
        replan_system,
        stage=Stage.AI_PLANNING,
        reads=[Position],
        writes=[NavAgent, Navigation],
        name="astraweave.nav.replan",
    )
