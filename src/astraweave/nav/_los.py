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

import numpy as np
import numpy.typing as npt

__all__ = ["supercover_cells", "supercover_clear", "supercover_clear_many"]

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
