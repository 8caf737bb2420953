"""Pairs of nearby points, vectorised with a uniform grid (no per-point Python loop)."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

__all__ = ["neighbor_pairs"]

# Half of the 3 x 3 neighbourhood, so that every pair of cells is visited once.
_OFFSETS = ((0, 0), (1, -1), (1, 0), (1, 1), (0, 1))


def neighbor_pairs(
    points: npt.NDArray[np.float64], cutoff: float
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """All index pairs ``(i, j)``, ``i < j``, of points closer than ``cutoff``.

    Args:
        points: shape ``(n, 2)``, finite.
        cutoff: distance in the same unit, > 0.

    Returns:
        ``(i, j)`` arrays sorted by ``(i, j)``.

    Example:
        >>> import numpy as np
        >>> i, j = neighbor_pairs(np.array([[0.0, 0.0], [0.5, 0.0], [3.0, 0.0]]), 1.0)
        >>> i.tolist(), j.tolist()
        ([0], [1])
    """
    pts = np.asarray(points, dtype=np.float64).reshape(-1, 2)
    n = len(pts)
    empty = np.zeros(0, dtype=np.int64)
    if n < 2 or not cutoff > 0:
        return empty, empty
    cell = np.floor(pts / cutoff).astype(np.int64)
    cell -= cell.min(axis=0) - 1  # every cell index >= 1, so offsets of -1 stay >= 0
    stride = int(cell[:, 1].max()) + 2
    key = cell[:, 0] * stride + cell[:, 1]
    order = np.argsort(key, kind="stable")
    skey = key[order]
    firsts: list[npt.NDArray[np.int64]] = []
    seconds: list[npt.NDArray[np.int64]] = []
    positions = np.arange(n, dtype=np.int64)
    for dx, dy in _OFFSETS:
        target = skey + dx * stride + dy
        lo = np.searchsorted(skey, target, side="left")
        hi = np.searchsorted(skey, target, side="right")
        if dx == 0 and dy == 0:
            lo = positions + 1  # later points of the same cell
        counts = np.maximum(hi - lo, 0)
        total = int(counts.sum())
        if not total:
            continue
        src = np.repeat(positions, counts)
        starts = np.repeat(lo - np.cumsum(counts) + counts, counts)
        dst = starts + np.arange(total, dtype=np.int64)
        firsts.append(order[src])
        seconds.append(order[dst])
    if not firsts:
        return empty, empty
    a = np.concatenate(firsts)
    b = np.concatenate(seconds)
    d2 = ((pts[a] - pts[b]) ** 2).sum(axis=1)
    close = d2 < cutoff * cutoff
    a, b = a[close], b[close]
    i, j = np.minimum(a, b), np.maximum(a, b)
    srt = np.lexsort((j, i))
    return i[srt], j[srt]
