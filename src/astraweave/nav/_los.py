"""Grid line of sight: conservative supercover, exact in integer arithmetic.

The segment joins the *centres* of two cells. Every cell the segment touches must be
walkable, including cells it only grazes at a corner: where the segment passes exactly
through a grid vertex, all four cells around that vertex must be walkable. That is the
same rule as the path search's "no corner cutting" (a diagonal step needs both
orthogonal neighbours free), so line of sight never sees through a gap that a path
cannot use. Bresenham's algorithm, in contrast, visits one cell per column and can slip
diagonally between two blocked cells touching at a corner.

Cells are found by walking the boundary crossings: between columns ``k`` and ``k + 1``
the segment crosses ``x = k + 1/2`` at row ``floor(y + 1/2)``, computed with integer
floor division, so vertices are detected exactly (no floating-point tolerance).
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from astraweave.errors import NavConfigError, OutOfBoundsError

__all__ = [
    "cell_path_blocked",
    "cell_paths_touching",
    "check_cell_pairs",
    "supercover_cells",
    "supercover_clear",
    "supercover_clear_many",
]

BoolGrid = npt.NDArray[np.bool_]
IntArray = npt.NDArray[np.int64]


def _crossings(a0: int, b0: int, a1: int, b1: int) -> list[tuple[int, int]]:
    """Cells ``(a, b)`` touched at the crossings of ``a = k + 1/2`` lines (``a`` is the
    axis being crossed)."""
    if a1 < a0:
        a0, b0, a1, b1 = a1, b1, a0, b0
    da = a1 - a0
    db = b1 - b0
    den = 2 * da
    out: list[tuple[int, int]] = []
    for j in range(da):
        num = (2 * j + 1) * db + da
        r = b0 + num // den
        out.append((a0 + j, r))
        out.append((a0 + j + 1, r))
        if num % den == 0:
            out.append((a0 + j, r - 1))
            out.append((a0 + j + 1, r - 1))
    return out


def supercover_cells(x0: int, y0: int, x1: int, y1: int) -> list[tuple[int, int]]:
    """Every cell ``(x, y)`` the segment between two cell centres touches, sorted by
    ``(y, x)`` and without duplicates (including the 4 cells at each vertex crossed)."""
    cells = {(x0, y0), (x1, y1)}
    cells.update(_crossings(x0, y0, x1, y1))
    cells.update((x, y) for y, x in _crossings(y0, x0, y1, x1))
    return sorted(cells, key=lambda c: (c[1], c[0]))


def supercover_clear(walkable: BoolGrid, x0: int, y0: int, x1: int, y1: int) -> bool:
    """Whether every supercover cell of the segment is walkable (endpoints in bounds)."""
    if not (walkable[y0, x0] and walkable[y1, x1]):
        return False
    for x, y in _crossings(x0, y0, x1, y1):
        if not walkable[y, x]:
            return False
    return all(walkable[y, x] for y, x in _crossings(y0, x0, y1, x1))


def _axis_blocked(
    walkable: BoolGrid, a0: IntArray, b0: IntArray, a1: IntArray, b1: IntArray, transpose: bool
) -> npt.NDArray[np.intp]:
    """Indices of segments with a blocked cell at a crossing of the ``a`` axis."""
    swap = a1 < a0
    a0, a1 = np.where(swap, a1, a0), np.where(swap, a0, a1)
    b0, b1 = np.where(swap, b1, b0), np.where(swap, b0, b1)
    counts = a1 - a0
    total = int(counts.sum())
    if total == 0:
        return np.zeros(0, dtype=np.intp)
    seg = np.repeat(np.arange(len(a0)), counts)
    first = np.repeat(np.cumsum(counts) - counts, counts)
    j = np.arange(total, dtype=np.int64) - first
    da = counts[seg]
    num = (2 * j + 1) * (b1 - b0)[seg] + da
    den = 2 * da
    r = b0[seg] + num // den
    r_low = np.where(num % den == 0, r - 1, r)
    lo = a0[seg] + j
    hi = lo + 1
    if transpose:
        blocked = ~walkable[lo, r] | ~walkable[hi, r] | ~walkable[lo, r_low] | ~walkable[hi, r_low]
    else:
        blocked = ~walkable[r, lo] | ~walkable[r, hi] | ~walkable[r_low, lo] | ~walkable[r_low, hi]
    return np.asarray(seg[blocked], dtype=np.intp)


def supercover_clear_many(
    walkable: BoolGrid, starts: IntArray, goals: IntArray
) -> npt.NDArray[np.bool_]:
    """Vectorised :func:`supercover_clear` for ``N`` segments (``(N, 2)`` arrays of
    ``(x, y)`` cells, already checked to be in bounds)."""
    x0, y0 = starts[:, 0], starts[:, 1]
    x1, y1 = goals[:, 0], goals[:, 1]
    ok = walkable[y0, x0] & walkable[y1, x1]
    bad_x = _axis_blocked(walkable, x0, y0, x1, y1, transpose=False)
    bad_y = _axis_blocked(walkable, y0, x0, y1, x1, transpose=True)
    ok[bad_x] = False
    ok[bad_y] = False
    return np.asarray(ok, dtype=np.bool_)


def check_cell_pairs(
    starts: npt.ArrayLike, goals: npt.ArrayLike, width: int, height: int
) -> tuple[IntArray, IntArray]:
    """Validate two ``(N, 2)`` integer arrays of cells inside a ``width`` x ``height``
    map and return them as int64.

    Raises:
        NavConfigError: wrong shapes or dtypes.
        OutOfBoundsError: a cell outside the map (``index`` names the pair).
    """
    s = np.asarray(starts)
    g = np.asarray(goals)
    if s.size == 0 and g.size == 0:
        empty = np.zeros((0, 2), dtype=np.int64)
        return empty, empty
    if (
        s.ndim != 2
        or s.shape[1:] != (2,)
        or s.shape != g.shape
        or not np.issubdtype(s.dtype, np.integer)
        or not np.issubdtype(g.dtype, np.integer)
    ):
        raise NavConfigError(
            f"starts and goals must be integer arrays of the same shape (N, 2), got "
            f"{s.dtype}{s.shape} and {g.dtype}{g.shape}",
            parameter="starts/goals",
            value=(s.shape, g.shape),
        )
    s = s.astype(np.int64)
    g = g.astype(np.int64)
    for arr, role in ((s, "start"), (g, "goal")):
        bad = (arr[:, 0] < 0) | (arr[:, 0] >= width) | (arr[:, 1] < 0) | (arr[:, 1] >= height)
        if bad.any():
            k = int(np.argmax(bad))
            point = (int(arr[k, 0]), int(arr[k, 1]))
            raise OutOfBoundsError(
                f"{role} {point} of pair {k} is outside the {width}x{height} map",
                point=point,
                role=role,
                index=k,
                width=width,
                height=height,
            )
    return s, g


def cell_path_blocked(walkable: BoolGrid, path: Sequence[Any]) -> bool:
    """Whether a cell path leaves the map or a segment of it touches a blocked cell."""
    pts = np.asarray([[int(c[0]), int(c[1])] for c in path], dtype=np.int64).reshape(-1, 2)
    if len(pts) == 0:
        return False
    h, w = walkable.shape
    inside = (pts[:, 0] >= 0) & (pts[:, 0] < w) & (pts[:, 1] >= 0) & (pts[:, 1] < h)
    if not inside.all():
        return True
    if len(pts) == 1:
        return not bool(walkable[pts[0, 1], pts[0, 0]])
    return not bool(supercover_clear_many(walkable, pts[:-1], pts[1:]).all())


def cell_paths_touching(
    shape: tuple[int, int],
    region: Sequence[int],
    paths: Sequence[Sequence[Any] | None],
) -> list[int]:
    """Indices of the cell paths whose segments' supercover touches ``region``
    (``(x0, y0, x1, y1)``, half-open); points are clamped into the map."""
    x0, y0, x1, y1 = (int(v) for v in region)
    h, w = shape
    clear = np.ones((h, w), dtype=np.bool_)
    clear[min(max(y0, 0), h) : min(max(y1, 0), h), min(max(x0, 0), w) : min(max(x1, 0), w)] = False
    owners: list[int] = []
    a: list[tuple[int, int]] = []
    b: list[tuple[int, int]] = []
    for i, path in enumerate(paths):
        if not path:
            continue
        pts = [(int(c[0]), int(c[1])) for c in path]
        pairs = list(itertools.pairwise(pts)) or [(pts[0], pts[0])]
        for p, q in pairs:
            a.append(p)
            b.append(q)
            owners.append(i)
    if not owners:
        return []
    sa = np.clip(np.array(a, dtype=np.int64), 0, [w - 1, h - 1])
    sb = np.clip(np.array(b, dtype=np.int64), 0, [w - 1, h - 1])
    touched = ~supercover_clear_many(clear, sa, sb)
    return sorted({owners[k] for k in np.flatnonzero(touched).tolist()})
