"""Tile path search and line of sight used by the tile map.

Thin adapter: the search and the line test follow :mod:`astraweave.nav`'s rules
(8-connected, octile costs, no corner cutting; supercover line of sight). Paths are
smoothed by line of sight over walkable tiles, so each straight leg only crosses
walkable tiles.
"""

from __future__ import annotations

import heapq
import math

import numpy as np
import numpy.typing as npt

__all__ = ["clear_line", "grid_path"]

Cell = tuple[int, int]
_SQRT2 = math.sqrt(2.0)
_MOVES = (
    (1, 0, 1.0),
    (-1, 0, 1.0),
    (0, 1, 1.0),
    (0, -1, 1.0),
    (1, 1, _SQRT2),
    (1, -1, _SQRT2),
    (-1, 1, _SQRT2),
    (-1, -1, _SQRT2),
)


def _crossings(a0: int, b0: int, a1: int, b1: int) -> list[tuple[int, int]]:
    if a1 < a0:
        a0, b0, a1, b1 = a1, b1, a0, b0
    da, db = a1 - a0, b1 - b0
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


def clear_line(open_: npt.NDArray[np.bool_], x0: int, y0: int, x1: int, y1: int) -> bool:
    """True when every tile the segment between two tile centres touches is open
    (supercover, including the four tiles around each grid vertex crossed)."""
    h, w = open_.shape

    def ok(x: int, y: int) -> bool:
        return 0 <= x < w and 0 <= y < h and bool(open_[y, x])

    if not (ok(x0, y0) and ok(x1, y1)):
        return False
    for x, y in _crossings(x0, y0, x1, y1):
        if not ok(x, y):
            return False
    return all(ok(x, y) for y, x in _crossings(y0, x0, y1, x1))


def grid_path(walkable: npt.NDArray[np.bool_], start: Cell, goal: Cell) -> list[Cell] | None:
    """Shortest 8-connected tile path (no corner cutting), smoothed; ``None`` if none.

    Returns the tiles ``start, ..., goal`` of the smoothed path (only the turning
    points), or ``None`` when the goal is unreachable.
    """
    h, w = walkable.shape
    if start == goal:
        return [start]
    gx, gy = goal
    k = _SQRT2 - 2.0

    def heur(x: int, y: int) -> float:
        dx, dy = abs(x - gx), abs(y - gy)
        return dx + dy + k * min(dx, dy)

    g: dict[Cell, float] = {start: 0.0}
    parent: dict[Cell, Cell | None] = {start: None}
    closed: set[Cell] = set()
    h0 = heur(*start)
    heap: list[tuple[float, float, int, int]] = [(h0, h0, start[1], start[0])]
    found = False
    while heap:
        _, _, y, x = heapq.heappop(heap)
        node = (x, y)
        if node in closed:
            continue
        if node == goal:
            found = True
            break
        closed.add(node)
        gn = g[node]
        for dx, dy, cost in _MOVES:
            nx, ny = x + dx, y + dy
            if not (0 <= nx < w and 0 <= ny < h) or not walkable[ny, nx]:
                continue
            if dx and dy and not (walkable[y, nx] and walkable[ny, x]):
                continue
            nxt = (nx, ny)
            if nxt in closed:
                continue
            ng = gn + cost
            old = g.get(nxt)
            if old is None or ng < old - 1e-12:
                g[nxt] = ng
                parent[nxt] = node
                hn = heur(nx, ny)
                heapq.heappush(heap, (ng + hn, hn, ny, nx))
    if not found:
        return None
    cells: list[Cell] = []
    cur: Cell | None = goal
    while cur is not None:
        cells.append(cur)
        cur = parent[cur]
    cells.reverse()
    return _smooth(walkable, cells)


def _smooth(walkable: npt.NDArray[np.bool_], cells: list[Cell]) -> list[Cell]:
    out = [cells[0]]
    i = 0
    while i < len(cells) - 1:
        j = len(cells) - 1
        while j > i + 1 and not clear_line(walkable, *cells[i], *cells[j]):
            j -= 1
        out.append(cells[j])
        i = j
    return out
