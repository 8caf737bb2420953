"""Tile paths keep clearance from walls when smoothed (physics bodies do not graze
wall corners), without changing which goals are reachable."""

from __future__ import annotations

import math

import numpy as np

from astraweave.core import TileMap
from astraweave.core._bodies import BODY_RADIUS_M
from astraweave.core._pathing import CLEARANCE_M, blocked_corners

MAZE = """
####################
#..................#
#..######..........#
#.......#...####...#
#.......#......#...#
#..###..#####..#...#
#..#...........#...#
#..#...........#...#
####################
"""


def _tilemap(text: str) -> TileMap:
    return TileMap.from_ascii(text)


def _min_clearance(
    tm: TileMap, start: tuple[float, float], pts: list[tuple[float, float]]
) -> float:
    corners = blocked_corners(tm.walkable)
    cy, cx = np.nonzero(corners)
    best = math.inf
    a = start
    for b in pts:
        ax, ay = a
        dx, dy = b[0] - ax, b[1] - ay
        seg2 = dx * dx + dy * dy
        px, py = cx - ax, cy - ay
        t = np.clip((px * dx + py * dy) / seg2, 0, 1) if seg2 > 0 else np.zeros(len(px))
        best = min(best, float(np.sqrt(np.min((px - t * dx) ** 2 + (py - t * dy) ** 2))))
        a = b
    return best


def test_clearance_covers_a_body_with_margin() -> None:
    assert BODY_RADIUS_M < CLEARANCE_M < 0.5


def test_smoothed_paths_keep_clearance_and_reachability() -> None:
    tm = _tilemap(MAZE)
    ys, xs = np.nonzero(tm.walkable)
    cells = list(zip(xs.tolist(), ys.tolist(), strict=True))
    rng = np.random.default_rng(0)
    pairs = rng.choice(len(cells), size=(150, 2))
    for i, j in pairs.tolist():
        start = (cells[i][0] + 0.5, cells[i][1] + 0.5)
        goal = (cells[j][0] + 0.5, cells[j][1] + 0.5)
        path = tm.find_path(start, goal)
        reachable = tm.grids.walk.find_path(cells[i], cells[j], "jps") is not None
        assert (path is not None) == reachable
        if path is None or i == j:
            continue
        assert _min_clearance(tm, start, path) >= CLEARANCE_M - 1e-9
        # never longer than the tile path it smooths
        raw = tm.grids.walk.find_path(cells[i], cells[j], "jps")
        assert raw is not None
        raw_pts = [(x + 0.5, y + 0.5) for x, y in raw[1:]]
        assert TileMap.path_length(start, path) <= TileMap.path_length(start, raw_pts) + 1e-9


def test_plain_line_of_sight_smoothing_would_graze_corners() -> None:
    # the maze has legs that plain smoothing cuts close past wall corners (what the
    # clearance check exists for); find_path keeps clear of them
    tm = _tilemap(MAZE)
    walk = tm.grids.walk
    start, goal = (1.5, 7.5), (17.5, 7.5)
    raw = walk.find_path((1, 7), (17, 7), "jps")
    assert raw is not None
    plain = [(x + 0.5, y + 0.5) for x, y in walk.smooth_path(raw)[1:]]
    assert _min_clearance(tm, start, plain) < BODY_RADIUS_M
    path = tm.find_path(start, goal)
    assert path is not None and path[-1] == goal
    assert _min_clearance(tm, start, path) >= CLEARANCE_M
