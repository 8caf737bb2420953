"""GridMap: construction, path search (A* and JPS), errors, dynamic blocking."""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable

import networkx as nx
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from astraweave.errors import (
    BlockedCellError,
    NavConfigError,
    NavError,
    OutOfBoundsError,
    UnknownAlgorithmError,
    UsageError,
)
from astraweave.nav import GridMap, compress_path, path_length

SQRT2 = math.sqrt(2.0)
ALGOS = ["astar", "jps"]

U_MAP = """
    .......
    .#####.
    .#.#.#.
    .#.#.#.
    ...#...
"""


def assert_valid_path(grid: GridMap, path: list[tuple[int, int]], start, goal) -> None:
    assert path[0] == tuple(start) and path[-1] == tuple(goal)
    for (x0, y0), (x1, y1) in itertools.pairwise(path):
        assert max(abs(x1 - x0), abs(y1 - y0)) == 1, "steps are single moves"
        assert grid.is_walkable(x1, y1)
        if x0 != x1 and y0 != y1:
            assert grid.is_walkable(x1, y0) and grid.is_walkable(x0, y1), "corner cut"


# ----------------------------------------------------------------------- construction
def test_from_array_indexing_is_y_x() -> None:
    arr = np.array([[True, False, True], [True, True, True]])
    grid = GridMap(arr)
    assert (grid.width, grid.height, grid.shape) == (3, 2, (2, 3))
    assert not grid.is_walkable(1, 0)
    assert grid.is_walkable(1, 1)
    arr[1, 1] = False  # the grid copied the array
    assert grid.is_walkable(1, 1)


def test_walkable_view_is_read_only() -> None:
    grid = GridMap.from_ascii("..")
    with pytest.raises(ValueError):
        grid.walkable[0, 0] = False


@pytest.mark.parametrize(
    "bad",
    [np.ones((3, 3), dtype=np.int64), np.ones(3, dtype=bool), np.ones((0, 4), dtype=bool)],
)
def test_bad_walkable_array(bad: np.ndarray) -> None:
    with pytest.raises(NavConfigError) as info:
        GridMap(bad)
    assert info.value.parameter == "walkable"
    assert isinstance(info.value, UsageError)


def test_repr_and_to_ascii_and_copy() -> None:
    grid = GridMap.from_ascii("S#\n.G")
    assert repr(grid) == "GridMap(width=2, height=2, walkable=3)"
    assert grid.to_ascii() == ".#\n.."
    twin = grid.copy()
    twin.set_blocked(0, 1)
    assert grid.is_walkable(0, 1) and not twin.is_walkable(0, 1)
    assert twin.markers == grid.markers == {"G": [(1, 1)], "S": [(0, 0)]}


def test_cell_helpers() -> None:
    grid = GridMap.from_ascii("...")
    assert grid.cell_at((2.99, 0.0)) == (2, 0)
    assert grid.cell_at((-0.1, 0.5)) == (-1, 0)
    assert GridMap.cell_center((2, 0)) == (2.5, 0.5)
    with pytest.raises(NavConfigError, match="finite"):
        grid.cell_at((math.nan, 0.0))


# ----------------------------------------------------------------------- paths
@pytest.mark.parametrize("algorithm", ALGOS)
def test_u_map_exact_path(algorithm: str) -> None:
    grid = GridMap.from_ascii(U_MAP)
    path = grid.find_path((2, 2), (4, 2), algorithm)
    # out of the pocket at the bottom, round the outside, into the next pocket; the
    # walls leave no diagonal step that does not cut a corner
    assert path == [
        (2, 2), (2, 3), (2, 4), (1, 4), (0, 4), (0, 3), (0, 2), (0, 1), (0, 0), (1, 0),
        (2, 0), (3, 0), (4, 0), (5, 0), (6, 0), (6, 1), (6, 2), (6, 3), (6, 4), (5, 4),
        (4, 4), (4, 3), (4, 2),
    ]  # fmt: skip
    assert path_length(path) == 22.0


@pytest.mark.parametrize("algorithm", ALGOS)
def test_straight_and_diagonal_lengths(algorithm: str) -> None:
    grid = GridMap(np.ones((5, 8), dtype=bool))
    assert grid.find_path((0, 0), (7, 0), algorithm) == [(x, 0) for x in range(8)]
    diag = grid.find_path((0, 0), (4, 4), algorithm)
    assert diag == [(i, i) for i in range(5)]
    assert path_length(diag) == pytest.approx(4 * SQRT2)
    mixed = grid.find_path((0, 0), (7, 3), algorithm)
    assert mixed is not None
    assert path_length(mixed) == pytest.approx(4 + 3 * SQRT2)


@pytest.mark.parametrize("algorithm", ALGOS)
def test_no_corner_cutting(algorithm: str) -> None:
    grid = GridMap.from_ascii(
        """
        .#
        ..
        """
    )
    # (0,0) -> (1,1) diagonally would cut the corner of (1,0)
    assert grid.find_path((0, 0), (1, 1), algorithm) == [(0, 0), (0, 1), (1, 1)]
    sealed = GridMap.from_ascii(
        """
        .#
        #.
        """
    )
    assert sealed.find_path((0, 0), (1, 1), algorithm) is None


@pytest.mark.parametrize("algorithm", ALGOS)
def test_start_equals_goal_and_unreachable(algorithm: str) -> None:
    grid = GridMap.from_ascii("..#..")
    assert grid.find_path((1, 0), (1, 0), algorithm) == [(1, 0)]
    assert grid.find_path((0, 0), (4, 0), algorithm) is None


@pytest.mark.parametrize("algorithm", ALGOS)
def test_deterministic_tie_breaking(algorithm: str) -> None:
    grid = GridMap(np.ones((6, 6), dtype=bool))
    paths = {tuple(grid.find_path((0, 0), (5, 3), algorithm) or []) for _ in range(3)}
    assert len(paths) == 1
    assert GridMap(np.ones((6, 6), dtype=bool)).find_path((0, 0), (5, 3), algorithm) == list(
        paths.pop()
    )


def test_waypoints_and_compress() -> None:
    grid = GridMap.from_ascii(U_MAP)
    for algorithm in ALGOS:
        full = grid.find_path((2, 2), (4, 2), algorithm)
        way = grid.find_path((2, 2), (4, 2), algorithm, waypoints=True)
        assert full is not None and way is not None
        assert way == compress_path(full)
        assert path_length(way) == pytest.approx(path_length(full))
    assert compress_path([(0, 0)]) == [(0, 0)]
    assert path_length(None) == 0.0 and path_length([(3, 4)]) == 0.0


def test_smooth_path_is_walkable_and_not_longer() -> None:
    grid = GridMap.from_ascii(U_MAP)
    path = grid.find_path((0, 0), (6, 4))
    assert path is not None
    smooth = grid.smooth_path(path)
    assert smooth[0] == (0, 0) and smooth[-1] == (6, 4)
    assert path_length(smooth) <= path_length(path) + 1e-9
    assert all(grid.line_of_sight(a, b) for a, b in itertools.pairwise(smooth))
    assert grid.smooth_path([(0, 0)]) == [(0, 0)]


# ----------------------------------------------------------------------- errors
def test_unknown_algorithm() -> None:
    grid = GridMap.from_ascii("..")
    with pytest.raises(UnknownAlgorithmError, match="'dijkstra'") as info:
        grid.find_path((0, 0), (1, 0), "dijkstra")
    assert info.value.algorithm == "dijkstra"
    assert info.value.known == ("astar", "jps")
    assert isinstance(info.value, NavError) and isinstance(info.value, UsageError)


@pytest.mark.parametrize("algorithm", ALGOS)
def test_blocked_and_out_of_bounds_endpoints(algorithm: str) -> None:
    grid = GridMap.from_ascii(".#.")
    with pytest.raises(BlockedCellError, match=r"goal \(1, 0\) is not walkable") as info:
        grid.find_path((0, 0), (1, 0), algorithm)
    assert info.value.point == (1, 0) and info.value.role == "goal"
    with pytest.raises(BlockedCellError) as info:
        grid.find_path((1, 0), (0, 0), algorithm)
    assert info.value.role == "start"
    with pytest.raises(OutOfBoundsError, match=r"start \(-1, 0\) is outside the 3x1 map") as oob:
        grid.find_path((-1, 0), (0, 0), algorithm)
    assert (oob.value.point, oob.value.width, oob.value.height) == ((-1, 0), 3, 1)
    with pytest.raises(OutOfBoundsError):
        grid.find_path((0, 0), (3, 0), algorithm)


def test_non_integer_cells_rejected() -> None:
    grid = GridMap.from_ascii("...")
    with pytest.raises(NavConfigError, match="pair of integers"):
        grid.find_path((0.5, 0), (2, 0))
    with pytest.raises(NavConfigError):
        grid.find_path((0, 0, 0), (2, 0))
    assert grid.find_path(np.array([0, 0]), np.array([2, 0])) == [(0, 0), (1, 0), (2, 0)]


# ----------------------------------------------------------------------- oracle
@settings(max_examples=80, deadline=None)
@given(
    walkable=arrays(
        np.bool_,
        st.tuples(st.integers(1, 7), st.integers(1, 7)),
        elements=st.sampled_from([True, True, True, False]),
    ),
    data=st.data(),
)
def test_lengths_match_networkx(
    walkable: np.ndarray, data: st.DataObject, nx_graph: Callable[[np.ndarray], nx.Graph]
) -> None:
    free = [(int(x), int(y)) for y, x in np.argwhere(walkable)]
    if not free:
        return
    grid = GridMap(walkable)
    graph = nx_graph(walkable)
    start = data.draw(st.sampled_from(free))
    goal = data.draw(st.sampled_from(free))
    try:
        expected: float | None = nx.shortest_path_length(graph, start, goal, weight="weight")
    except nx.NetworkXNoPath:
        expected = None
    for algorithm in ALGOS:
        path = grid.find_path(start, goal, algorithm)
        if expected is None:
            assert path is None
        else:
            assert path is not None
            assert_valid_path(grid, path, start, goal)
            assert path_length(path) == pytest.approx(expected, abs=1e-9)


# ----------------------------------------------------------------------- neighbours, changes
def test_neighbors_order_and_corner_rule() -> None:
    grid = GridMap.from_ascii(
        """
        ...
        .#.
        ...
        """
    )
    assert grid.neighbors(0, 0) == [(1, 0), (0, 1)]
    assert grid.neighbors(1, 0) == [(2, 0), (0, 0)]
    assert grid.neighbors(1, 1) == []
    open_grid = GridMap(np.ones((3, 3), dtype=bool))
    assert open_grid.neighbors(1, 1) == [
        (1, 0), (2, 0), (2, 1), (2, 2), (1, 2), (0, 2), (0, 1), (0, 0),
    ]  # fmt: skip
    with pytest.raises(OutOfBoundsError):
        grid.neighbors(3, 0)


@pytest.mark.parametrize("algorithm", ALGOS)
def test_set_blocked_updates_search(algorithm: str) -> None:
    grid = GridMap(np.ones((3, 5), dtype=bool))
    before = grid.find_path((0, 1), (4, 1), algorithm)
    assert before == [(x, 1) for x in range(5)]
    grid.set_region_blocked((2, 0, 3, 2))  # wall at column 2, rows 0-1
    after = grid.find_path((0, 1), (4, 1), algorithm)
    assert after is not None and (2, 2) in after
    assert path_length(after) == pytest.approx(2 + 2 * SQRT2)
    grid.set_blocked(2, 2)
    assert grid.find_path((0, 1), (4, 1), algorithm) is None
    grid.set_region_blocked((2, 0, 3, 3), blocked=False)
    assert grid.find_path((0, 1), (4, 1), algorithm) == before
    assert grid.version == 3
    assert grid.changes_since(1) == [(2, 2, 3, 3), (2, 0, 3, 3)]


def test_set_region_validation_and_clipping() -> None:
    grid = GridMap(np.ones((2, 2), dtype=bool))
    with pytest.raises(NavConfigError, match="x1 < x0"):
        grid.set_region_blocked((1, 0, 0, 1))
    with pytest.raises(NavConfigError, match="four integers"):
        grid.set_region_blocked((0, 0, 1))
    grid.set_region_blocked((-5, -5, 1, 1))
    assert grid.to_ascii() == "#.\n.."
    grid.set_region_blocked((10, 10, 12, 12))  # outside: nothing, but recorded
    assert grid.to_ascii() == "#.\n.."
    assert grid.changes_since(1) == [(10, 10, 12, 12)]
    with pytest.raises(OutOfBoundsError):
        grid.set_blocked(2, 0)


def test_nearest_walkable() -> None:
    grid = GridMap.from_ascii(
        """
        ###
        #.#
        ###
        ...
        """
    )
    assert grid.nearest_walkable((1, 1)) == (1, 1)
    assert grid.nearest_walkable((0, 0)) == (1, 1)
    assert grid.nearest_walkable((1, 2)) == (1, 1)  # tie with (1, 3): smaller y wins
    assert grid.nearest_walkable((-10, 10)) == (0, 3)
    assert GridMap(np.zeros((2, 2), dtype=bool)).nearest_walkable((0, 0)) is None
    with pytest.raises(NavConfigError):
        grid.nearest_walkable((0.5, 0))


def test_path_blocked_and_paths_crossing() -> None:
    grid = GridMap(np.ones((4, 6), dtype=bool))
    top = grid.find_path((0, 0), (5, 0))
    bottom = grid.find_path((0, 3), (5, 3))
    diag = [(0, 0), (1, 1)]
    assert top and bottom
    assert not grid.path_blocked(top)
    assert grid.paths_crossing((2, 0, 3, 1), [top, bottom, None, []]) == [0]
    # the diagonal step (0,0)->(1,1) needs (1,0): a region there affects it
    assert grid.paths_crossing((1, 0, 2, 1), [diag, bottom]) == [0]
    assert grid.paths_crossing((0, 0, 1, 1), []) == []
    grid.set_blocked(1, 0)
    assert grid.path_blocked(top)
    assert grid.path_blocked(diag)
    assert not grid.path_blocked(bottom)
    assert grid.path_blocked([(1, 0)])
    assert not grid.path_blocked([(2, 0)])
    assert grid.path_blocked([(9, 9), (0, 0)])
    assert not grid.path_blocked([])
    # waypoint paths are checked along their straight segments
    assert grid.path_blocked([(0, 0), (5, 0)])
    assert not grid.path_blocked([(0, 3), (5, 3)])
