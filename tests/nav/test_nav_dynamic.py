"""Dynamic obstacles on the navmesh: local rebuilds, re-pathing helpers, invariants."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from astraweave.errors import UnknownObstacleError, UsageError
from astraweave.nav import GridMap, NavMesh, ObstacleId, RebuildStats, path_length

HALL = """
    ........................................
    ........................................
    ....######..........######..........##..
    ....######..........######..........##..
    ........................................
    ........................................
    ..........######..........######........
    ..........######..........######........
    ........................................
    ........................................
"""


def check_invariants(mesh: NavMesh) -> None:
    """Owner raster, rectangles, free cells and portals agree (private state)."""
    owner = mesh._owner
    free = mesh._static_free & (mesh._dynamic == 0)
    covered = np.zeros(owner.shape, dtype=np.int32)
    for pid in mesh.polygon_ids():
        x0, y0, x1, y1 = mesh._cell_rect(pid)
        assert (owner[y0:y1, x0:x1] == pid).all()
        covered[y0:y1, x0:x1] += 1
        for nid in mesh.neighbors(pid):
            assert pid in mesh.neighbors(nid)
    assert (covered == free).all(), "every free cell is covered exactly once"
    assert ((owner >= 0) == free).all()
    assert mesh.polygon_count == len(mesh.polygon_ids())


def fresh_free(mesh: NavMesh, obstacles: list[tuple[float, float, float, float]]) -> np.ndarray:
    twin = NavMesh.from_polygons(
        (0, 0, 40, 10), obstacles, agent_radius=mesh.agent_radius, cell_size=mesh.cell_size
    )
    return twin._owner >= 0


def test_add_obstacle_rebuilds_locally_and_path_goes_around() -> None:
    mesh = NavMesh.from_polygons((0, 0, 40, 10), cell_size=0.5, agent_radius=0.3)
    walls = [(4, 2, 10, 4), (20, 2, 26, 4), (10, 6, 16, 8), (26, 6, 32, 8), (36, 2, 38, 4)]
    for w in walls:
        mesh.add_obstacle(w)
    before_count = mesh.polygon_count
    rebuilt_before = mesh.polygons_rebuilt
    start, goal = (1.0, 5.0), (39.0, 5.0)
    before = mesh.find_path(start, goal)
    assert before == [start, goal]

    oid = mesh.add_obstacle((18, 4.2, 19, 5.8))
    stats = mesh.last_rebuild
    assert isinstance(stats, RebuildStats)
    assert 0 < stats.removed < before_count / 2, "only polygons near the obstacle"
    assert mesh.polygons_rebuilt - rebuilt_before == stats.removed
    assert stats.total_polygons == mesh.polygon_count
    assert mesh.path_blocked(before)
    after = mesh.find_path(start, goal)
    assert after is not None and len(after) > 2
    assert not mesh.path_blocked(after)
    assert path_length(after) > path_length(before)
    check_invariants(mesh)

    mesh.remove_obstacle(oid)
    assert mesh.find_path(start, goal) == before
    assert not mesh.path_blocked(before)
    check_invariants(mesh)
    assert (mesh._owner >= 0).tolist() == fresh_free(mesh, walls).tolist()


def test_rebuild_count_on_a_big_mesh_is_local() -> None:
    grid = GridMap(np.ones((60, 60), dtype=bool))
    for x in range(2, 60, 5):
        for y in range(2, 60, 5):
            grid.set_blocked(x, y)  # a forest of pillars: many polygons
    mesh = NavMesh.from_grid(grid, agent_radius=0.25)
    total = mesh.polygon_count
    assert total > 100
    mesh.add_obstacle((40.2, 50.2, 41.8, 51.8))
    assert 0 < mesh.last_rebuild.removed <= 10
    assert mesh.polygons_rebuilt == mesh.last_rebuild.removed
    check_invariants(mesh)


def test_obstacle_ids_versions_and_changes() -> None:
    mesh = NavMesh.from_polygons((0, 0, 10, 10), agent_radius=0.5, cell_size=1.0)
    a = mesh.add_obstacle((2, 2, 3, 3))
    b = mesh.add_obstacle([(6, 6), (8, 6), (7, 8)])
    assert mesh.obstacles == [a, b] and a != b
    assert isinstance(a, int)
    assert mesh.version == 2
    assert mesh.changes_since(0) == [(1.5, 1.5, 3.5, 3.5), (5.5, 5.5, 8.5, 8.5)]
    mesh.remove_obstacle(a)
    assert mesh.obstacles == [b]
    assert mesh.changes_since(2) == [(1.5, 1.5, 3.5, 3.5)]
    with pytest.raises(UnknownObstacleError, match="not on this navmesh") as info:
        mesh.remove_obstacle(a)
    assert info.value.obstacle == a and isinstance(info.value, UsageError)
    with pytest.raises(UnknownObstacleError):
        mesh.remove_obstacle(ObstacleId(999))
    # an obstacle entirely outside the mesh changes nothing but is tracked
    far = mesh.add_obstacle((50, 50, 60, 60))
    assert mesh.last_rebuild.removed == 0 or mesh.version == 4
    mesh.remove_obstacle(far)
    check_invariants(mesh)


def test_overlapping_obstacles_count() -> None:
    mesh = NavMesh.from_polygons((0, 0, 10, 10), cell_size=1.0)
    a = mesh.add_obstacle((3, 3, 6, 6))
    b = mesh.add_obstacle((4, 4, 7, 7))
    mesh.remove_obstacle(a)
    assert not mesh.contains((5.5, 5.5))  # still under b
    assert mesh.contains((3.5, 3.5))
    mesh.remove_obstacle(b)
    assert mesh.contains((5.5, 5.5))
    check_invariants(mesh)


def test_paths_crossing_with_radius() -> None:
    mesh = NavMesh.from_polygons((0, 0, 20, 10), agent_radius=0.5, cell_size=0.5)
    paths = [
        [(1.0, 5.0), (19.0, 5.0)],  # through the region
        [(1.0, 2.6), (19.0, 2.6)],  # passes 0.4 from the region: within the radius
        [(1.0, 1.0), (19.0, 1.0)],  # clear
        None,
        [(9.5, 5.0)],  # a single point inside
    ]
    assert mesh.paths_crossing((9, 3, 11, 7), paths) == [0, 1, 4]
    triangle = [(9, 3), (11, 3), (10, 7)]
    assert mesh.paths_crossing(triangle, paths) == [0, 1, 4]
    assert mesh.paths_crossing(triangle, []) == []
    narrow = NavMesh.from_polygons((0, 0, 20, 10), cell_size=0.5)
    assert narrow.paths_crossing((9, 3, 11, 7), paths) == [0, 4]
    assert mesh.path_blocked([(1.0, 5.0)]) is False
    assert mesh.path_blocked([(0.1, 5.0)]) is True


@settings(max_examples=25, deadline=None)
@given(
    ops=st.lists(
        st.tuples(
            st.booleans(),
            st.floats(0, 36, allow_nan=False),
            st.floats(0, 8, allow_nan=False),
            st.floats(0.3, 4, allow_nan=False),
            st.floats(0.3, 3, allow_nan=False),
        ),
        min_size=1,
        max_size=8,
    )
)
def test_random_add_remove_keeps_mesh_consistent(
    ops: list[tuple[bool, float, float, float, float]],
) -> None:
    mesh = NavMesh.from_polygons((0, 0, 40, 10), cell_size=0.5, agent_radius=0.25)
    live: list[tuple[ObstacleId, tuple[float, float, float, float]]] = []
    for add, x, y, w, h in ops:
        if add or not live:
            rect = (x, y, x + w, y + h)
            live.append((mesh.add_obstacle(rect), rect))
        else:
            oid, _ = live.pop(0)
            mesh.remove_obstacle(oid)
        check_invariants(mesh)
    assert (mesh._owner >= 0).tolist() == fresh_free(mesh, [r for _, r in live]).tolist()
    start, goal = (0.3, 0.3), (39.7, 9.7)
    if mesh.contains(start) and mesh.contains(goal):
        path = mesh.find_path(start, goal)
        if path is not None:
            assert not mesh.path_blocked(path)


def test_grid_mesh_with_obstacle_matches_blocked_grid() -> None:
    grid = GridMap.from_ascii(HALL)
    mesh = NavMesh.from_grid(grid)
    oid = mesh.add_obstacle((12, 0, 13, 6))
    blocked = grid.copy()
    blocked.set_region_blocked((12, 0, 13, 6))
    for y in range(grid.height):
        for x in range(grid.width):
            assert mesh.contains((x + 0.5, y + 0.5)) == blocked.is_walkable(x, y)
    path = mesh.find_path((1.5, 1.5), (30.5, 1.5))
    assert path is not None
    assert min(p[1] for p in path) >= 0 and max(p[1] for p in path) >= 6.0
    mesh.remove_obstacle(oid)
    assert mesh.find_path((1.5, 1.5), (30.5, 1.5)) == [(1.5, 1.5), (30.5, 1.5)]
    assert math.isclose(path_length(path), path_length(path))
