"""The crowd's map arrays: components, clear squares, and line of sight equal to core's."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from astraweave.ai._crowd_map import CrowdMap, clear_radius, label_components
from astraweave.core import TileMap
from astraweave.errors import PlannerError


def random_tiles(seed: int, w: int, h: int, walls: float) -> TileMap:
    rng = np.random.default_rng(seed)
    chars = np.array([".", "#", "=", "D", "d"])
    p = np.array([1 - walls, walls * 0.6, walls * 0.2, walls * 0.1, walls * 0.1])
    tiles = chars[rng.choice(5, size=(h, w), p=p)]
    return TileMap.from_ascii("\n".join("".join(r) for r in tiles))


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 2**31 - 1), w=st.integers(1, 20), h=st.integers(1, 20))
def test_labels_are_the_4_connected_components(seed: int, w: int, h: int) -> None:
    scipy_ndimage = pytest.importorskip("scipy.ndimage")
    walk = np.random.default_rng(seed).random((h, w)) < 0.6
    ours = label_components(walk)
    theirs, count = scipy_ndimage.label(walk)
    assert int(ours.max()) == count
    assert ((ours == 0) == ~walk).all()
    # the same partition: each of our labels maps to exactly one of theirs
    pairs = {(int(a), int(b)) for a, b in zip(ours[walk], theirs[walk], strict=True)}
    assert len(pairs) == count


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**31 - 1), w=st.integers(1, 14), h=st.integers(1, 14))
def test_clear_radius_is_the_largest_transparent_square(seed: int, w: int, h: int) -> None:
    tr = np.random.default_rng(seed).random((h, w)) < 0.8
    r = clear_radius(tr, limit=6)
    for y in range(h):
        for x in range(w):
            if not tr[y, x]:
                assert r[y, x] == -1
                continue
            k = 0
            while k < 6:
                nxt = k + 1
                box = tr[max(0, y - nxt) : y + nxt + 1, max(0, x - nxt) : x + nxt + 1]
                if not box.all():
                    break
                k = nxt
            assert r[y, x] == k, (x, y)


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 2**31 - 1), walls=st.sampled_from([0.05, 0.2, 0.45]))
def test_line_of_sight_equals_core_tile_map(seed: int, walls: float) -> None:
    rng = np.random.default_rng(seed)
    tm = random_tiles(seed, int(rng.integers(2, 24)), int(rng.integers(2, 24)), walls)
    cm = CrowdMap.from_tile_map(tm)
    m = 200
    ax = rng.uniform(-1.0, tm.width + 1.0, m)
    ay = rng.uniform(-1.0, tm.height + 1.0, m)
    bx = rng.uniform(-1.0, tm.width + 1.0, m)
    by = rng.uniform(-1.0, tm.height + 1.0, m)
    expected = [tm.line_of_sight((a, b), (c, d)) for a, b, c, d in zip(ax, ay, bx, by, strict=True)]
    for _ in range(2):  # the second pass is answered from the memo
        assert cm.line_of_sight(ax, ay, bx, by).tolist() == expected


def test_same_component_follows_walls() -> None:
    tm = TileMap.from_ascii("..#..\n..#..\n..#..")
    cm = CrowdMap.from_tile_map(tm)
    ax, ay = np.array([0.5, 0.5]), np.array([0.5, 0.5])
    bx, by = np.array([1.5, 4.5]), np.array([2.5, 0.5])
    assert cm.same_component(ax, ay, bx, by).tolist() == [True, False]
    assert cm.walkable_at(np.array([2.5, 9.0]), np.array([0.5, 0.5])).tolist() == [False, False]


def test_cover_against_matches_core() -> None:
    tm = TileMap.from_ascii(".....\n..=..\n.....")
    cm = CrowdMap.from_tile_map(tm)
    tx, ty = np.array([2.5, 2.5]), np.array([2.5, 2.5])
    ax, ay = np.array([2.5, 2.5]), np.array([0.5, 4.5])
    got = cm.cover_against(tx, ty, ax, ay).tolist()
    assert got == [
        tm.cover_against((2.5, 2.5), (2.5, 0.5)),
        tm.cover_against((2.5, 2.5), (2.5, 4.5)),
    ]


def test_bad_arrays_are_rejected() -> None:
    with pytest.raises(PlannerError):
        CrowdMap(np.zeros((2, 2)), np.ones((2, 3), dtype=bool), np.ones((2, 2), dtype=bool))
