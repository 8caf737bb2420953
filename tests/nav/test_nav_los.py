"""Grid line of sight: supercover with the corner rule, single and batched."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from astraweave.errors import NavConfigError, OutOfBoundsError
from astraweave.nav import GridMap
from astraweave.nav._los import supercover_cells


def touched_oracle(x0: int, y0: int, x1: int, y1: int) -> set[tuple[int, int]]:
    """Cells whose closed square [x-1/2, x+1/2] x [y-1/2, y+1/2] meets the segment,
    in exact rational arithmetic (Liang-Barsky)."""
    out = set()
    for y in range(min(y0, y1), max(y0, y1) + 1):
        for x in range(min(x0, x1), max(x0, x1) + 1):
            t0, t1 = Fraction(0), Fraction(1)
            ok = True
            half = Fraction(1, 2)
            for p, q in (
                (-(x1 - x0), x0 - (x - half)),
                (x1 - x0, (x + half) - x0),
                (-(y1 - y0), y0 - (y - half)),
                (y1 - y0, (y + half) - y0),
            ):
                if p == 0:
                    ok &= q >= 0
                elif p < 0:
                    t0 = max(t0, Fraction(q) / p)
                else:
                    t1 = min(t1, Fraction(q) / p)
            if ok and t0 <= t1:
                out.add((x, y))
    return out


def test_supercover_cells_match_exact_oracle() -> None:
    for x0, y0, x1, y1 in [(0, 0, 3, 1), (0, 0, 2, 2), (5, 1, 0, 4), (2, 2, 2, -3), (1, 1, 1, 1)]:
        assert set(supercover_cells(x0, y0, x1, y1)) == touched_oracle(x0, y0, x1, y1)


def test_diagonal_through_vertex_needs_both_sides() -> None:
    grid = GridMap.from_ascii(
        """
        .#
        ..
        """
    )
    assert not grid.line_of_sight((0, 0), (1, 1))
    assert grid.line_of_sight((0, 0), (0, 1))
    assert grid.line_of_sight((0, 1), (1, 1))
    # Bresenham would pass (0,0)->(2,1) through (1,0) or (1,1); supercover checks both
    wide = GridMap.from_ascii(
        """
        .#.
        ...
        """
    )
    assert not wide.line_of_sight((0, 0), (2, 1))
    assert wide.line_of_sight((0, 1), (2, 1))
    assert GridMap.from_ascii("#").line_of_sight((0, 0), (0, 0)) is False


def test_los_errors() -> None:
    grid = GridMap.from_ascii("...")
    with pytest.raises(OutOfBoundsError):
        grid.line_of_sight((0, 0), (3, 0))
    with pytest.raises(OutOfBoundsError, match="pair 1") as info:
        grid.line_of_sight_many([[0, 0], [0, 0]], [[1, 0], [0, 5]])
    assert info.value.index == 1 and info.value.role == "goal"
    with pytest.raises(OutOfBoundsError):
        grid.line_of_sight_many([[-1, 0]], [[1, 0]])
    with pytest.raises(NavConfigError, match=r"\(N, 2\)"):
        grid.line_of_sight_many([[0, 0]], [[1, 0], [2, 0]])
    with pytest.raises(NavConfigError):
        grid.line_of_sight_many([[0.5, 0]], [[1, 0]])
    assert grid.line_of_sight_many(np.zeros((0, 2), int), np.zeros((0, 2), int)).shape == (0,)


@settings(max_examples=60, deadline=None)
@given(
    walkable=arrays(
        np.bool_,
        st.tuples(st.integers(1, 9), st.integers(1, 9)),
        elements=st.sampled_from([True, True, True, False]),
    ),
    seed=st.integers(0, 2**32 - 1),
)
def test_batch_equals_single_equals_oracle(walkable: np.ndarray, seed: int) -> None:
    grid = GridMap(walkable)
    h, w = walkable.shape
    rng = np.random.default_rng(seed)
    starts = np.stack([rng.integers(0, w, 40), rng.integers(0, h, 40)], axis=1)
    goals = np.stack([rng.integers(0, w, 40), rng.integers(0, h, 40)], axis=1)
    batch = grid.line_of_sight_many(starts, goals)
    assert batch.dtype == np.bool_ and batch.shape == (40,)
    for k in range(40):
        (x0, y0), (x1, y1) = starts[k].tolist(), goals[k].tolist()
        expected = all(walkable[y, x] for x, y in touched_oracle(x0, y0, x1, y1))
        assert grid.line_of_sight((x0, y0), (x1, y1)) == expected
        assert bool(batch[k]) == expected


def test_batch_of_thousands() -> None:
    rng = np.random.default_rng(7)
    walkable = rng.random((64, 64)) > 0.2
    grid = GridMap(walkable)
    starts = rng.integers(0, 64, (5000, 2))
    goals = rng.integers(0, 64, (5000, 2))
    batch = grid.line_of_sight_many(starts, goals)
    sample = rng.choice(5000, 50, replace=False)
    for k in sample:
        assert bool(batch[k]) == grid.line_of_sight(starts[k], goals[k])
