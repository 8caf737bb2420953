"""Flow fields: exact distances, directions that lead every agent to the goal."""

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

from astraweave.errors import BlockedCellError, NavConfigError, OutOfBoundsError
from astraweave.nav import GridMap

MAZE = """
    S.#.......#.....
    .##.#####.#.###.
    ....#...#...#...
    ###.#.#.#####.##
    ....#.#.......#.
    .####.#######.#.
    ......#.....#...
    .######.###.###.
    ........#G......
"""


def test_distances_and_directions_small() -> None:
    grid = GridMap.from_ascii(
        """
        ...
        .#.
        ...
        """
    )
    flow = grid.flow_field((2, 2))
    assert flow.goal == (2, 2) and flow.shape == (3, 3)
    assert flow.distance[2, 2] == 0.0
    assert flow.distance[0, 0] == pytest.approx(4.0)  # round the pillar, no corner cut
    assert flow.distance[0, 2] == pytest.approx(2.0)
    assert math.isinf(flow.distance[1, 1])
    assert flow.directions[1, 1].tolist() == [0.0, 0.0]
    assert flow.directions[2, 2].tolist() == [0.0, 0.0]
    assert flow.directions[0, 2].tolist() == [0.0, 1.0]
    assert flow.next_cell[0, 2].tolist() == [2, 1]
    assert flow.next_cell[2, 2].tolist() == [-1, -1]
    assert flow.version == grid.version
    assert repr(flow) == "FlowField(goal=(2, 2), shape=(3, 3))"
    with pytest.raises(ValueError):
        flow.distance[0, 0] = 1.0


def test_direction_at_vectorised_and_edges() -> None:
    grid = GridMap.from_ascii("..#.")
    flow = grid.flow_field((0, 0))
    pts = np.array(
        [[1.5, 0.5], [1.99, 0.01], [0.5, 0.5], [3.5, 0.5], [2.5, 0.5], [-1, 0], [np.nan, 0]]
    )
    d = flow.direction_at(pts)
    assert d.tolist() == [[-1.0, 0.0], [-1.0, 0.0], [0, 0], [0, 0], [0, 0], [0, 0], [0, 0]]
    dist = flow.distance_at(pts)
    assert dist[:3].tolist() == [1.0, 1.0, 0.0]
    assert np.isinf(dist[3:]).all()
    assert flow.path_from((1, 0)) == [(1, 0), (0, 0)]
    assert flow.path_from((3, 0)) is None
    assert flow.path_from((9, 0)) is None


def test_point_shapes() -> None:
    flow = GridMap.from_ascii("...").flow_field((2, 0))
    assert flow.direction_at([0.5, 0.5]).tolist() == [[1.0, 0.0]]  # one (x, y) pair
    assert flow.direction_at(np.zeros((0, 2))).shape == (0, 2)
    for bad in ([[0.5, 0.5, 0.5]], [0.5], "ab", [[0.5, "x"]]):
        with pytest.raises(NavConfigError):
            flow.direction_at(bad)
    with pytest.raises(NavConfigError):
        flow.steer_at([[1.0, 2.0, 3.0]])


def test_flow_errors() -> None:
    grid = GridMap.from_ascii(".#")
    with pytest.raises(BlockedCellError):
        grid.flow_field((1, 0))
    with pytest.raises(OutOfBoundsError):
        grid.flow_field((2, 0))


@settings(max_examples=40, deadline=None)
@given(
    walkable=arrays(
        np.bool_,
        st.tuples(st.integers(1, 7), st.integers(1, 7)),
        elements=st.sampled_from([True, True, True, False]),
    ),
    data=st.data(),
)
def test_distances_match_networkx(
    walkable: np.ndarray, data: st.DataObject, nx_graph: Callable[[np.ndarray], nx.Graph]
) -> None:
    free = [(int(x), int(y)) for y, x in np.argwhere(walkable)]
    if not free:
        return
    goal = data.draw(st.sampled_from(free))
    flow = GridMap(walkable).flow_field(goal)
    lengths = nx.single_source_dijkstra_path_length(nx_graph(walkable), goal, weight="weight")
    h, w = walkable.shape
    for y in range(h):
        for x in range(w):
            expected = lengths.get((x, y), math.inf)
            assert flow.distance[y, x] == pytest.approx(expected, abs=1e-9)
            path = flow.path_from((x, y))
            if math.isinf(expected):
                assert path is None
            else:
                assert path is not None and path[-1] == goal


def test_every_agent_reaches_goal_on_maze() -> None:
    grid = GridMap.from_ascii(MAZE)
    goal = grid.markers["G"][0]
    flow = grid.flow_field(goal)
    free = [(int(x), int(y)) for y, x in np.argwhere(grid.walkable)]
    reachable = [c for c in free if math.isfinite(flow.distance[c[1], c[0]])]
    assert len(reachable) == len(free)  # the maze is connected
    # discrete: follow next cells; each step is a legal move and distance decreases
    for cell in reachable:
        path = flow.path_from(cell)
        assert path is not None and path[-1] == goal
        for a, b in itertools.pairwise(path):
            assert b in grid.neighbors(*a)
            assert flow.distance[b[1], b[0]] < flow.distance[a[1], a[0]]
    # continuous: all agents at once, moving 0.25 m per step along steer_at
    pos = np.array([[x + 0.5, y + 0.5] for x, y in reachable], dtype=np.float64)
    pos += np.random.default_rng(3).uniform(-0.3, 0.3, pos.shape)
    for _ in range(400):
        step = flow.steer_at(pos)
        pos = pos + 0.25 * step
        cells = np.floor(pos).astype(int)
        assert grid.walkable[cells[:, 1], cells[:, 0]].all(), "an agent entered a wall"
    centre = np.array(goal) + 0.5
    assert np.hypot(*(pos - centre).T).max() <= 0.25
    # the per-cell field agrees with steering at cell centres
    centres = np.array([[x + 0.5, y + 0.5] for x, y in reachable])
    assert np.allclose(flow.steer_at(centres), flow.direction_at(centres))
