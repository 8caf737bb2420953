"""NavMesh: construction, containment, taut paths on the mesh, agent radius."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from astraweave.errors import InvalidPolygonError, NavConfigError, OffMeshError, UsageError
from astraweave.nav import GridMap, NavMesh, path_length

ROOMS = """
    ..........#.........
    ..........#.........
    ....####..#..####...
    ....#..........#....
    ....#..........#....
    ....####..#..####...
    ..........#.........
    ..........#.........
"""


def samples(path: list[tuple[float, float]], step: float = 0.05) -> list[tuple[float, float]]:
    out = []
    for (x0, y0), (x1, y1) in itertools.pairwise(path):
        n = max(1, math.ceil(math.hypot(x1 - x0, y1 - y0) / step))
        out.extend((x0 + (x1 - x0) * k / n, y0 + (y1 - y0) * k / n) for k in range(n + 1))
    return out


def wall_distance(grid: GridMap, p: tuple[float, float]) -> float:
    """Distance from a point to the nearest blocked tile or the map's outside."""
    x, y = p
    best = min(x, y, grid.width - x, grid.height - y)
    for ty, tx in np.argwhere(~grid.walkable):
        dx = max(tx - x, 0.0, x - (tx + 1))
        dy = max(ty - y, 0.0, y - (ty + 1))
        best = min(best, math.hypot(dx, dy))
    return best


def midpoint_path(mesh: NavMesh, start, goal) -> list[tuple[float, float]]:
    corridor = mesh.find_corridor(start, goal)
    assert corridor is not None
    pts = [tuple(start)]
    for a, b in itertools.pairwise(corridor):
        portal = mesh.portal(a, b)
        assert portal is not None
        (lx, ly), (rx, ry) = portal
        pts.append(((lx + rx) / 2, (ly + ry) / 2))
    pts.append(tuple(goal))
    return pts


# ----------------------------------------------------------------------- construction
def test_open_box_is_one_polygon() -> None:
    mesh = NavMesh.from_polygons((0, 0, 4, 2), cell_size=1.0)
    assert mesh.polygon_count == 1 and mesh.polygon_ids() == [0]
    assert mesh.polygon(0) == ((0.0, 0.0), (4.0, 0.0), (4.0, 2.0), (0.0, 2.0))
    assert mesh.neighbors(0) == []
    assert mesh.bounds == (0.0, 0.0, 4.0, 2.0)
    assert (mesh.agent_radius, mesh.cell_size) == (0.0, 1.0)
    assert mesh.contains((0.0, 0.0)) and mesh.contains((4.0, 2.0))
    assert not mesh.contains((4.01, 1.0))
    assert mesh.polygon_at((2.0, 1.0)) == 0
    assert repr(mesh).startswith("NavMesh(polygons=1, bounds=(0.0, 0.0, 4.0, 2.0)")
    with pytest.raises(KeyError):
        mesh.polygon(5)


def test_from_grid_covers_exactly_the_walkable_cells() -> None:
    grid = GridMap.from_ascii(ROOMS)
    mesh = NavMesh.from_grid(grid)
    area = sum(
        (p[1][0] - p[0][0]) * (p[2][1] - p[1][1]) for p in map(mesh.polygon, mesh.polygon_ids())
    )
    assert area == grid.walkable.sum()
    for y in range(grid.height):
        for x in range(grid.width):
            assert mesh.contains((x + 0.5, y + 0.5)) == grid.is_walkable(x, y)
    # shared edges: every neighbour relation is symmetric and has a portal of length > 0
    for pid in mesh.polygon_ids():
        for nid in mesh.neighbors(pid):
            assert pid in mesh.neighbors(nid)
            (lx, ly), (rx, ry) = mesh.portal(pid, nid) or ((0, 0), (0, 0))
            assert math.hypot(lx - rx, ly - ry) > 0
    assert mesh.portal(0, 10**6) is None


def test_partial_edge_portal_is_the_overlap() -> None:
    # a wide room above a narrow corridor: the portal is the corridor's width only
    mesh = NavMesh.from_polygons((0, 0, 10, 6), [(0, 3, 4, 6), (6, 3, 10, 6)], cell_size=1.0)
    top = mesh.polygon_at((5.0, 1.0))
    bottom = mesh.polygon_at((5.0, 5.0))
    assert top is not None and bottom is not None and top != bottom
    left, right = mesh.portal(top, bottom) or ((0, 0), (0, 0))
    assert sorted([left, right]) == [(4.0, 3.0), (6.0, 3.0)]
    # orientation: travelling +y, the right-hand endpoint has the larger x
    assert right == (6.0, 3.0)


# ----------------------------------------------------------------------- paths
def test_path_bends_at_corners_and_is_taut() -> None:
    mesh = NavMesh.from_polygons((0, 0, 10, 4), [(4, 0, 6, 3)], cell_size=1.0)
    path = mesh.find_path((1.0, 1.0), (9.0, 1.0))
    assert path == [(1.0, 1.0), (4.0, 3.0), (6.0, 3.0), (9.0, 1.0)]
    assert path_length(path) == pytest.approx(2 * math.hypot(3, 2) + 2)
    assert mesh.find_path((1.0, 1.0), (1.0, 1.0)) == [(1.0, 1.0)]
    assert mesh.find_path((1.0, 3.5), (9.0, 3.5)) == [(1.0, 3.5), (9.0, 3.5)]


def test_unreachable_goal_is_none() -> None:
    mesh = NavMesh.from_polygons((0, 0, 10, 4), [(4, 0, 6, 4)], cell_size=1.0)
    assert mesh.find_path((1.0, 1.0), (9.0, 1.0)) is None
    assert mesh.find_corridor((1.0, 1.0), (9.0, 1.0)) is None


def test_paths_on_rooms_stay_on_mesh_and_are_taut() -> None:
    grid = GridMap.from_ascii(ROOMS)
    mesh = NavMesh.from_grid(grid)
    rng = np.random.default_rng(11)
    free = np.argwhere(grid.walkable)
    checked = 0
    for _ in range(60):
        (sy, sx), (gy, gx) = free[rng.choice(len(free), 2, replace=False)]
        start = (sx + rng.uniform(0.05, 0.95), sy + rng.uniform(0.05, 0.95))
        goal = (gx + rng.uniform(0.05, 0.95), gy + rng.uniform(0.05, 0.95))
        path = mesh.find_path(start, goal)
        assert path is not None and path[0] == start and path[-1] == goal
        assert all(mesh.contains(p) for p in samples(path))
        assert not mesh.path_blocked(path)
        length = path_length(path)
        assert length >= math.dist(start, goal) - 1e-9
        if mesh.line_of_sight(start, goal):
            assert path == [start, goal]
        else:
            assert length <= path_length(midpoint_path(mesh, start, goal)) + 1e-9
            cell_path = grid.find_path((int(start[0]), int(start[1])), (int(goal[0]), int(goal[1])))
            assert cell_path is not None
            # any-angle on the mesh beats octile between cell centres (plus the offsets)
            assert length <= path_length(cell_path) + 2 * math.sqrt(0.5) + 1e-9
            checked += 1
    assert checked > 10


@settings(max_examples=40, deadline=None)
@given(
    walkable=arrays(
        np.bool_,
        st.tuples(st.integers(1, 6), st.integers(1, 6)),
        elements=st.sampled_from([True, True, True, False]),
    ),
    data=st.data(),
)
def test_mesh_connectivity_matches_grid(walkable: np.ndarray, data: st.DataObject) -> None:
    free = [(int(x), int(y)) for y, x in np.argwhere(walkable)]
    if not free:
        return
    grid = GridMap(walkable)
    mesh = NavMesh.from_grid(grid)
    a = data.draw(st.sampled_from(free))
    b = data.draw(st.sampled_from(free))
    start, goal = (a[0] + 0.5, a[1] + 0.5), (b[0] + 0.5, b[1] + 0.5)
    path = mesh.find_path(start, goal)
    assert (path is None) == (grid.find_path(a, b) is None)
    if path is not None:
        assert all(mesh.contains(p) for p in samples(path, 0.1))


def test_agent_radius_keeps_clearance() -> None:
    grid = GridMap.from_ascii(ROOMS)
    radius = 0.4
    mesh = NavMesh.from_grid(grid, agent_radius=radius)
    assert mesh.agent_radius == radius and mesh.cell_size == 0.25
    assert not mesh.contains((0.2, 0.2))  # too close to the map edge
    assert mesh.contains((0.5, 0.5))
    assert not mesh.contains((9.8, 0.5))  # too close to the wall at x = 10
    path = mesh.find_path((1.0, 1.0), (18.5, 6.5))
    assert path is not None
    for p in samples(path, 0.1):
        assert wall_distance(grid, p) >= radius - 1e-9
    # corners keep the radius too (inflated obstacles have rounded corners)
    for p in path[1:-1]:
        assert wall_distance(grid, p) >= radius - 1e-9


def test_polygon_obstacles_and_polygon_bounds() -> None:
    hexagon = [(5, 0), (10, 3), (10, 7), (5, 10), (0, 7), (0, 3)]
    l_shape = [(3, 3), (7, 3), (7, 4), (4, 4), (4, 7), (3, 7)]
    mesh = NavMesh.from_polygons(hexagon, [l_shape], agent_radius=0.2, cell_size=0.1)
    assert not mesh.contains((0.3, 0.3))  # outside the hexagon
    assert not mesh.contains((3.5, 5.0))  # inside the L
    assert not mesh.contains((4.1, 5.0))  # within the radius of the L
    assert mesh.contains((5.0, 5.0))  # inside the L's elbow, clear of it
    path = mesh.find_path((5.5, 5.5), (2.0, 5.0))
    assert path is not None
    assert all(mesh.contains(p) for p in samples(path))
    assert len(path) > 2


def test_off_mesh_points_and_snap() -> None:
    mesh = NavMesh.from_polygons((0, 0, 10, 4), [(4, 0, 6, 3)], cell_size=1.0)
    with pytest.raises(OffMeshError, match=r"start \(5.0, 1.0\) is not on the navmesh") as info:
        mesh.find_path((5.0, 1.0), (9.0, 1.0))
    assert info.value.point == (5.0, 1.0) and info.value.role == "start"
    with pytest.raises(OffMeshError) as info:
        mesh.find_path((1.0, 1.0), (50.0, 1.0))
    assert info.value.role == "goal"
    with pytest.raises(OffMeshError):
        mesh.find_corridor((5.0, 1.0), (9.0, 1.0))
    path = mesh.find_path((5.0, 1.0), (9.0, 1.0), snap=True)
    assert path is not None and path[0] in {(4.0, 1.0), (6.0, 1.0)}
    assert mesh.nearest_point((50.0, 1.0)) == (10.0, 1.0)
    assert mesh.nearest_point((1.0, 1.0)) == (1.0, 1.0)


@pytest.mark.parametrize("point", [(math.nan, 0.0), (0.0, math.inf), (1.0,), "ab", None])
def test_bad_points(point: object) -> None:
    mesh = NavMesh.from_polygons((0, 0, 4, 4), cell_size=1.0)
    with pytest.raises(NavConfigError):
        mesh.find_path(point, (1.0, 1.0))  # type: ignore[arg-type]
    with pytest.raises(NavConfigError):
        mesh.contains(point)  # type: ignore[arg-type]
    with pytest.raises(NavConfigError):
        mesh.polygon_at(point)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("kwargs", "parameter"),
    [
        ({"agent_radius": -0.1}, "agent_radius"),
        ({"agent_radius": math.nan}, "agent_radius"),
        ({"cell_size": 0.0}, "cell_size"),
        ({"cell_size": math.inf}, "cell_size"),
        ({"cell_size": 1e-4}, "cell_size"),  # raster too large
    ],
)
def test_bad_parameters(kwargs: dict[str, float], parameter: str) -> None:
    with pytest.raises(NavConfigError) as info:
        NavMesh.from_polygons((0, 0, 1000, 1000), **kwargs)
    assert info.value.parameter == parameter
    assert isinstance(info.value, UsageError)


@pytest.mark.parametrize(
    ("shape", "reason"),
    [
        ((0, 0, 0, 5), "zero area"),
        ((3, 0, 1, 5), "zero area"),
        ((0, 0, math.nan, 5), "nan"),
        ([(0, 0), (1, 1)], "too few points"),
        ([(0, 0), (1, 1), (0, 0)], "too few points"),
        ([(0, 0), (1, 1), (2, 2)], "zero area"),
        ([(0, 0), (2, 2), (2, 0), (0, 2)], "self-intersecting"),
        ([(0, 0), (1, 0), (1, 0), (0, 1)], "repeated vertex"),
        ([(0, 0), (1, math.inf), (0, 1)], "nan"),
        ([(0, 0, 0), (1, 0, 0), (0, 1, 0)], "shape"),
        ("square", "unparsable"),
        ([(0, 0), (1, 0), (0,)], "unparsable"),
    ],
)
def test_degenerate_polygons(shape: object, reason: str) -> None:
    with pytest.raises(InvalidPolygonError) as info:
        NavMesh.from_polygons((0, 0, 10, 10), [shape], cell_size=1.0)  # type: ignore[list-item]
    assert info.value.reason == reason
    mesh = NavMesh.from_polygons((0, 0, 10, 10), cell_size=1.0)
    with pytest.raises(InvalidPolygonError):
        mesh.add_obstacle(shape)  # type: ignore[arg-type]
    with pytest.raises(InvalidPolygonError):
        NavMesh.from_polygons(shape)  # type: ignore[arg-type]
    assert mesh.polygon_count == 1 and mesh.version == 0


def test_closed_polygon_and_clockwise_input_accepted() -> None:
    clockwise_closed = [(2, 2), (2, 4), (4, 4), (4, 2), (2, 2)]
    mesh = NavMesh.from_polygons((0, 0, 6, 6), [clockwise_closed], cell_size=0.5)
    assert not mesh.contains((3.0, 3.0)) and mesh.contains((1.0, 1.0))


def test_arena_paths_are_near_shortest(arena_files: tuple) -> None:
    """Against an exact oracle (visibility graph over the obstacles' convex corners),
    navmesh paths on the arena are shortest in most cases and never much longer."""
    import networkx as nx

    grid = GridMap.from_movingai(arena_files[0])
    mesh = NavMesh.from_grid(grid)
    w = grid.walkable
    corners = [
        (float(x), float(y))
        for y in range(1, grid.height)
        for x in range(1, grid.width)
        if [w[y - 1, x - 1], w[y - 1, x], w[y, x - 1], w[y, x]].count(False) == 1
    ]
    vis = nx.Graph()
    for i, a in enumerate(corners):
        for b in corners[i + 1 :]:
            if mesh.line_of_sight(a, b):
                vis.add_edge(a, b, weight=math.dist(a, b))
    rng = np.random.default_rng(0)
    free = np.argwhere(w)
    ratios = []
    for _ in range(100):
        (ay, ax), (by, bx) = free[rng.choice(len(free), 2, replace=False)]
        start, goal = (ax + 0.5, ay + 0.5), (bx + 0.5, by + 0.5)
        path = mesh.find_path(start, goal)
        assert path is not None
        oracle = vis.copy()
        for q in (start, goal):
            for c in corners:
                if mesh.line_of_sight(q, c):
                    oracle.add_edge(q, c, weight=math.dist(q, c))
        if mesh.line_of_sight(start, goal):
            oracle.add_edge(start, goal, weight=math.dist(start, goal))
        best = nx.shortest_path_length(oracle, start, goal, weight="weight")
        ratios.append(path_length(path) / best)
    r = np.array(ratios)
    assert r.min() >= 1 - 1e-9
    assert (r <= 1 + 1e-9).mean() >= 0.9
    assert r.max() <= 1.05
