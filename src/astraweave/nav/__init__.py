"""Navigation: grid path search, navmeshes, flow fields and dynamic obstacles.

The map of this folder:

* ``_grid.py``: :class:`GridMap`, a tile map (1 tile = 1 m) with 8-connected moves
  and no corner cutting: ``find_path`` (A* or jump point search), line of sight,
  ``nearest_walkable``, flow fields, re-planning helpers; ``_gridstore.py``: its data
  (padded walkability, move masks) and run-time blocking with a change log.
* ``_astar.py``, ``_jps.py``: the two grid searches (flat padded arrays, heapq).
* ``_los.py``: supercover line of sight, one segment or thousands at once (numpy).
* ``_flow.py``: :class:`FlowField`, distances and directions to one goal.
* ``_navmesh.py``: :class:`NavMesh`, convex polygons over a rasterised configuration
  space (agent radius applied): construction and path queries; ``_meshstore.py``: its
  polygons, portals and dynamic obstacles rebuilt locally.
* ``_meshsearch.py``, ``_funnel.py``: corridor A* over polygons, mesh raycast, and the
  funnel algorithm (string pulling).
* ``_raster.py``, ``_rects.py``, ``_geometry.py``: rasterisation, rectangle
  decomposition and polygon geometry behind the navmesh.
* ``_parse.py``: ASCII maps and Moving AI ``.map`` / ``.scen`` files.
* ``_paths.py``: :func:`path_length`, :func:`compress_path`.
* ``_ecs.py``: the ECS side: the :class:`NavAgent` component, the
  :class:`Navigation` resource, and :func:`plugin`, which registers the re-path system
  (``Stage.AI_PLANNING``).

Errors live in :mod:`astraweave.errors` (``MapFormatError``, ``OutOfBoundsError``,
``BlockedCellError``, ``OffMeshError``, ``InvalidPolygonError``, ...). An unreachable
goal is not an error: ``find_path`` returns ``None``.

Example:
    >>> from astraweave.nav import GridMap, path_length
    >>> grid = GridMap.from_ascii('''
    ... S..#....
    ... ...#.##.
    ... .......G
    ... ''')
    >>> path = grid.find_path(grid.markers["S"][0], grid.markers["G"][0])
    >>> round(path_length(path), 4)
    7.8284
"""

from astraweave.nav._ecs import NavAgent, Navigation, NavStatus, plugin, replan_system
from astraweave.nav._flow import FlowField
from astraweave.nav._grid import ALGORITHMS, Cell, GridMap, Region
from astraweave.nav._navmesh import NavMesh, ObstacleId, RebuildStats
from astraweave.nav._parse import (
    ASCII_BLOCKED,
    ASCII_WALKABLE,
    MOVINGAI_BLOCKED,
    MOVINGAI_PASSABLE,
    ScenarioProblem,
    load_movingai_scenarios,
)
from astraweave.nav._paths import compress_path, path_length

__all__ = [
    "ALGORITHMS",
    "ASCII_BLOCKED",
    "ASCII_WALKABLE",
    "MOVINGAI_BLOCKED",
    "MOVINGAI_PASSABLE",
    "Cell",
    "FlowField",
    "GridMap",
    "NavAgent",
    "NavMesh",
    "NavStatus",
    "Navigation",
    "ObstacleId",
    "RebuildStats",
    "Region",
    "ScenarioProblem",
    "compress_path",
    "load_movingai_scenarios",
    "path_length",
    "plugin",
    "replan_system",
]
