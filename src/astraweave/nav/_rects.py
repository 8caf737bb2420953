"""Greedy decomposition of a boolean raster into rectangles, and their shared edges.

Rectangles are ``(x0, y0, x1, y1)`` in raster cells, half-open. The decomposition scans
rows top to bottom; each run of free, unclaimed cells in a row becomes the top of a
rectangle that grows downwards while the whole run stays free and unclaimed. The result
depends only on the raster (deterministic) and covers every free cell exactly once.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

__all__ = ["CellRect", "Portal", "decompose", "scan_portals"]

CellRect = tuple[int, int, int, int]
#: ``(neighbour id, side, lo, hi)``: the neighbour across ``side`` (0 left, 1 right,
#: 2 top, 3 bottom) shares the cells ``lo..hi`` (half-open) of that side.
Portal = tuple[int, int, int, int]

BoolGrid = npt.NDArray[np.bool_]
IntGrid = npt.NDArray[np.int32]


def _runs(row: BoolGrid) -> list[tuple[int, int]]:
    """Half-open ``(start, stop)`` runs of ``True`` in a 1-D boolean array."""
    padded = np.concatenate(([False], row, [False])).astype(np.int8)
    edges = np.flatnonzero(np.diff(padded))
    return [(int(a), int(b)) for a, b in zip(edges[::2], edges[1::2], strict=True)]


def decompose(available: BoolGrid, y_offset: int = 0, x_offset: int = 0) -> list[CellRect]:
    """Cover the ``True`` cells of ``available`` with disjoint rectangles (greedy).

    Args:
        available: the cells to cover (modified: covered cells become ``False``).
        y_offset: added to the rows of the result.
        x_offset: added to the columns of the result.

    Returns:
        The rectangles in raster coordinates, in scan order.
    """
    h = available.shape[0]
    out: list[CellRect] = []
    for y in range(h):
        for x0, x1 in _runs(available[y]):
            y1 = y + 1
            while y1 < h and available[y1, x0:x1].all():
                y1 += 1
            available[y:y1, x0:x1] = False
            out.append((x0 + x_offset, y + y_offset, x1 + x_offset, y1 + y_offset))
    return out


def _side_runs(values: npt.NDArray[np.int32]) -> list[tuple[int, int, int]]:
    """``(value, start, stop)`` of consecutive equal non-negative values."""
    out: list[tuple[int, int, int]] = []
    n = len(values)  # >= 1: rectangles are never empty
    change = np.flatnonzero(np.diff(values)) + 1
    starts = np.concatenate(([0], change))
    stops = np.concatenate((change, [n]))
    for a, b in zip(starts.tolist(), stops.tolist(), strict=True):
        v = int(values[a])
        if v >= 0:
            out.append((v, a, b))
    return out


def scan_portals(owner: IntGrid, rect: CellRect) -> list[Portal]:
    """Portals of ``rect`` to the rectangles around it, read from the ``owner`` raster
    (cell -> rectangle id, ``-1`` for none), ordered left, right, top, bottom."""
    x0, y0, x1, y1 = rect
    h, w = owner.shape
    out: list[Portal] = []
    if x0 > 0:
        out.extend((v, 0, y0 + a, y0 + b) for v, a, b in _side_runs(owner[y0:y1, x0 - 1]))
    if x1 < w:
        out.extend((v, 1, y0 + a, y0 + b) for v, a, b in _side_runs(owner[y0:y1, x1]))
    if y0 > 0:
        out.extend((v, 2, x0 + a, x0 + b) for v, a, b in _side_runs(owner[y0 - 1, x0:x1]))
    if y1 < h:
        out.extend((v, 3, x0 + a, x0 + b) for v, a, b in _side_runs(owner[y1, x0:x1]))
    return out
