"""Geometry under the navmesh: funnel, portal crossing points, raycasts, polygons."""

from __future__ import annotations

import math

import numpy as np
import pytest

from astraweave.errors import OffMeshError
from astraweave.nav import GridMap, NavMesh
from astraweave.nav._funnel import string_pull
from astraweave.nav._geometry import as_polygon, axis_rect, point_in_polygon
from astraweave.nav._meshsearch import crossing_point


def test_funnel_l_corridor_bends_at_the_inner_corner() -> None:
    # travel +x through x=1 (y in [0, 1]), then +y through y=1 (x in [1, 2])
    portals = [((1.0, 1.0), (1.0, 0.0)), ((1.0, 1.0), (2.0, 1.0))]
    assert string_pull((0.5, 0.5), (1.5, 3.0), portals) == [(0.5, 0.5), (1.0, 1.0), (1.5, 3.0)]
    # the mirror image bends at the other corner
    portals = [((1.0, 1.0), (1.0, 0.0)), ((2.0, 0.0), (1.0, 0.0))]
    assert string_pull((0.5, 0.5), (1.5, -2.0), portals) == [(0.5, 0.5), (1.0, 0.0), (1.5, -2.0)]
    # a straight corridor: no corners at all
    portals = [((1.0, 1.0), (1.0, 0.0)), ((2.0, 1.0), (2.0, 0.0))]
    assert string_pull((0.5, 0.5), (2.5, 0.5), portals) == [(0.5, 0.5), (2.5, 0.5)]
    assert string_pull((0.5, 0.5), (0.5, 0.5), []) == [(0.5, 0.5)]


def test_funnel_zigzag_restarts_from_the_apex() -> None:
    # up through a gap at the top, then down through a gap at the bottom
    portals = [
        ((1.0, 3.0), (1.0, 2.0)),
        ((2.0, 3.0), (2.0, 2.0)),
        ((3.0, 1.0), (3.0, 0.0)),
    ]
    path = string_pull((0.5, 0.5), (3.5, 0.5), portals)
    assert path == [(0.5, 0.5), (1.0, 2.0), (2.0, 2.0), (3.5, 0.5)]


def test_crossing_point() -> None:
    left, right = (2.0, 4.0), (2.0, 0.0)  # vertical portal x = 2, y in [0, 4]
    assert crossing_point((0.0, 0.0), (4.0, 2.0), left, right) == (2.0, 1.0)
    assert crossing_point((0.0, 0.0), (4.0, 10.0), left, right) == (2.0, 4.0)  # clamped
    # goal on the same side: reflect it across the portal line
    assert crossing_point((0.0, 0.0), (0.0, 4.0), left, right) == (2.0, 2.0)
    # both on the line
    assert crossing_point((2.0, 1.0), (2.0, 3.0), left, right) == (2.0, 3.0)
    # a horizontal portal
    assert crossing_point((0.0, 0.0), (2.0, 4.0), (0.0, 2.0), (4.0, 2.0)) == (1.0, 2.0)


def test_point_contacts_do_not_connect() -> None:
    grid = GridMap(np.array([[True, True], [True, False], [False, True]]))
    mesh = NavMesh.from_grid(grid)
    assert not mesh.line_of_sight((0.5, 1.5), (1.5, 2.5))
    assert mesh.find_path((0.5, 1.5), (1.5, 2.5)) is None
    assert grid.find_path((0, 1), (1, 2)) is None
    # but a corner with a cell beside it is open
    open_grid = GridMap(np.array([[True, True], [True, True], [False, True]]))
    open_mesh = NavMesh.from_grid(open_grid)
    assert open_mesh.line_of_sight((0.5, 1.5), (1.5, 2.5))


def test_raycast_edges() -> None:
    mesh = NavMesh.from_polygons((0, 0, 4, 4), [(1, 1, 3, 3)], cell_size=1.0)
    assert mesh.line_of_sight((0.5, 0.5), (0.5, 0.5))
    assert not mesh.line_of_sight((2.0, 2.0), (0.5, 0.5))  # starts off the mesh
    assert not mesh.line_of_sight((0.5, 0.5), (2.0, 2.0))  # ends off the mesh
    assert mesh.line_of_sight((0.5, 0.0), (0.5, 4.0))  # along the boundary, vertical
    assert mesh.line_of_sight((0.0, 3.5), (4.0, 3.5))
    assert mesh.line_of_sight((0.5, 0.5), (4.0, 0.5 + 1e-12))  # ends on the border
    assert mesh.line_of_sight((1.0, 0.0), (4.0, 1.0))  # grazes the obstacle's corner (3, 1)


def test_empty_mesh() -> None:
    mesh = NavMesh.from_polygons((0, 0, 2, 2), [(0, 0, 2, 2)], cell_size=1.0)
    assert mesh.polygon_count == 0
    assert mesh.nearest_point((1.0, 1.0)) is None
    assert not mesh.contains((1.0, 1.0))
    with pytest.raises(OffMeshError, match="not on the navmesh"):
        mesh.find_path((1.0, 1.0), (1.5, 1.5), snap=True)


def test_polygon_helpers() -> None:
    diamond = as_polygon([(2, 0), (4, 2), (2, 4), (0, 2)])
    assert axis_rect(diamond) is None
    assert axis_rect(as_polygon([(0, 0), (3, 0), (3, 1), (1, 2)])) is None
    assert axis_rect(as_polygon([(0, 0), (2, 0), (2, 3), (0, 3)])) == (
        0.0,
        0.0,
        2.0,
        3.0,
    )
    inside = point_in_polygon(np.array([2.0, 0.1, 3.9]), np.array([2.0, 0.1, 2.0]), diamond)
    assert inside.tolist() == [True, False, True]
    # counter-clockwise (y-up) output whatever the input order
    ccw = as_polygon([(0, 0), (0, 1), (1, 0)])
    x, y = ccw[:, 0], ccw[:, 1]
    assert float(np.sum(x * np.roll(y, -1) - np.roll(x, -1) * y)) > 0
    mesh = NavMesh.from_polygons((0, 0, 6, 6), [[(3, 1), (5, 3), (3, 5), (1, 3)]], cell_size=0.25)
    assert not mesh.contains((3.0, 3.0)) and mesh.contains((0.5, 0.5))
    assert math.isclose(mesh.cell_size, 0.25)
