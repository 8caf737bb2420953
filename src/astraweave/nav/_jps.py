"""Jump point search with precomputed jump distances (JPS+), no corner cutting.

Precomputation (numpy, ``O(width * height)``), for every walkable cell and each of the
8 directions, the distance to the next *jump point* along that direction:

* A cell is a jump point for a cardinal travel direction when a side neighbour is
  walkable but the cell behind that side neighbour is blocked (a *forced neighbour*
  appears). The straight distance is ``+k`` when a jump point lies ``k`` cells ahead and
  ``-k`` when a wall lies ``k + 1`` cells ahead (``k`` free cells before it).
* A diagonal step is legal only when both orthogonal neighbours are walkable. The
  diagonal distance is ``+k`` when after ``k`` legal diagonal steps a straight scan along
  one of the two component directions finds a jump point, else ``-k`` (``k`` steps
  possible before the diagonal is blocked).

The search (Rabin, *JPS+*, Game AI Pro 2, ch. 14) expands only jump points: from a node
reached in direction ``d`` it looks along ``d``, its two forward diagonals and its two
perpendiculars (cardinal ``d``), or along ``d`` and its two components (diagonal ``d``).
The goal is caught by *target jumps*: a straight direction stops on the goal when it
lies ahead within the free distance; a diagonal stops on the goal's row or column when
the goal lies in its quadrant within reach. Both tests keep the search exact.

Tables are rebuilt from scratch (vectorised) after the grid changes; the rebuild is lazy,
done on the first JPS query after a change.
"""

from __future__ import annotations

import itertools
from heapq import heappop, heappush

import numpy as np
import numpy.typing as npt

from astraweave.nav._astar import DIRECTIONS, SQRT2

__all__ = ["JumpTables", "jps_search"]

BoolGrid = npt.NDArray[np.bool_]
IntGrid = npt.NDArray[np.int32]

_FAR = np.int32(1 << 30)

# For each arrival direction (8 = the start node), the cardinal and the diagonal
# directions to scan.
_PRUNED: tuple[tuple[tuple[int, ...], tuple[int, ...]], ...] = tuple(
    [
        ((d, (d + 2) % 8, (d + 6) % 8), ((d + 1) % 8, (d + 7) % 8))
        if d % 2 == 0
        else (((d + 7) % 8, (d + 1) % 8), (d,))
        for d in range(8)
    ]
    + [((0, 2, 4, 6), (1, 3, 5, 7))]
)


def _east_distances(pad: BoolGrid) -> IntGrid:
    """Straight jump distances towards +x on a padded map."""
    h, w = pad.shape
    left = np.roll(pad, 1, axis=1)
    up = np.roll(pad, 1, axis=0)
    down = np.roll(pad, -1, axis=0)
    up_left = np.roll(up, 1, axis=1)
    down_left = np.roll(down, 1, axis=1)
    jump = pad & left & ((up & ~up_left) | (down & ~down_left))
    event = ~pad | jump
    cols = np.arange(w, dtype=np.int32)
    index = np.where(event, cols[None, :], _FAR)
    suffix = np.minimum.accumulate(index[:, ::-1], axis=1)[:, ::-1]
    nxt = np.full((h, w), _FAR, dtype=np.int32)
    nxt[:, :-1] = suffix[:, 1:]
    k = nxt - cols[None, :]
    rows = np.arange(h)[:, None]
    hit_jump = pad[rows, np.minimum(nxt, w - 1)]
    dist = np.where(hit_jump, k, -(k - 1)).astype(np.int32)
    dist[~pad] = 0
    return dist


class JumpTables:
    """Precomputed JPS+ distances of one padded map.

    Attributes:
        row: padded row length (``width + 2``).
        dist: 8 flat lists (one per direction of ``DIRECTIONS``), indexed by padded
            cell index.
    """

    __slots__ = ("dist", "row")

    def __init__(self, pad: BoolGrid) -> None:
        h, w = pad.shape
        self.row = w
        east = _east_distances(pad)
        west = _east_distances(pad[:, ::-1])[:, ::-1]
        south = _east_distances(np.ascontiguousarray(pad.T)).T
        north = _east_distances(np.ascontiguousarray(pad[::-1, :].T)).T[::-1, :]
        straight = {0: north, 2: east, 4: south, 6: west}
        tables: dict[int, IntGrid] = dict(straight)
        for d in (1, 3, 5, 7):
            dx, dy = DIRECTIONS[d]
            vertical = straight[0 if dy < 0 else 4]
            horizontal = straight[2 if dx > 0 else 6]
            diag = np.zeros((h, w), dtype=np.int32)
            xs = slice(1, w - 1)
            nx = slice(1 + dx, w - 1 + dx)
            ys = range(1, h - 1) if dy < 0 else range(h - 2, 0, -1)
            for y in ys:
                ny = y + dy
                allowed = pad[y, xs] & pad[y, nx] & pad[ny, xs] & pad[ny, nx]
                stop = (vertical[ny, nx] > 0) | (horizontal[ny, nx] > 0)
                ahead = diag[ny, nx]
                step = np.where(stop, 1, np.where(ahead > 0, ahead + 1, ahead - 1))
                diag[y, xs] = np.where(allowed, step, 0)
            tables[d] = diag
        self.dist: tuple[list[int], ...] = tuple(tables[d].ravel().tolist() for d in range(8))


def _expand(points: list[int], row: int) -> list[int]:
    """Expand consecutive jump points (straight or diagonal segments) into cells."""
    out = [points[0]]
    for a, b in itertools.pairwise(points):
        ay, ax = divmod(a, row)
        by, bx = divmod(b, row)
        sx = (bx > ax) - (bx < ax)
        sy = (by > ay) - (by < ay)
        step = sy * row + sx
        n = max(abs(bx - ax), abs(by - ay))
        out.extend(a + step * i for i in range(1, n + 1))
    return out


def jps_search(tables: JumpTables, start: int, goal: int) -> list[int] | None:
    """JPS+ from ``start`` to ``goal`` (padded flat indices, both walkable).

    Returns:
        Every cell of an optimal path (jump points expanded), or ``None``.
    """
    if start == goal:
        return [start]
    row = tables.row
    dist = tables.dist
    offsets = tuple(dy * row + dx for dx, dy in DIRECTIONS)
    pruned = _PRUNED
    gy, gx = divmod(goal, row)
    k = SQRT2 - 2.0
    g: dict[int, float] = {start: 0.0}
    parent: dict[int, int] = {start: -1}
    arrived: dict[int, int] = {start: 8}
    closed: set[int] = set()
    sy, sx = divmod(start, row)
    dx0, dy0 = abs(sx - gx), abs(sy - gy)
    h0 = dx0 + dy0 + k * (dx0 if dx0 < dy0 else dy0)
    heap: list[tuple[float, float, int]] = [(h0, h0, start)]
    push, pop = heappush, heappop
    while heap:
        _, _, node = pop(heap)
        if node in closed:
            continue
        if node == goal:
            points = [goal]
            p = parent[goal]
            while p != -1:
                points.append(p)
                p = parent[p]
            points.reverse()
            return _expand(points, row)
        closed.add(node)
        gn = g[node]
        y, x = divmod(node, row)
        cards, diags = pruned[arrived[node]]
        for d in cards:
            jump = dist[d][node]
            if d == 0 or d == 4:
                ahead = (y - gy) if d == 0 else (gy - y)
                if x == gx and 0 < ahead <= (jump if jump > 0 else -jump):
                    succ, cost = goal, float(ahead)
                elif jump > 0:
                    succ, cost = node + offsets[d] * jump, float(jump)
                else:
                    continue
            else:
                ahead = (gx - x) if d == 2 else (x - gx)
                if y == gy and 0 < ahead <= (jump if jump > 0 else -jump):
                    succ, cost = goal, float(ahead)
                elif jump > 0:
                    succ, cost = node + offsets[d] * jump, float(jump)
                else:
                    continue
            if succ in closed:
                continue
            ng = gn + cost
            old = g.get(succ)
            if old is None or ng < old:
                g[succ] = ng
                parent[succ] = node
                arrived[succ] = d
                ny, nx = divmod(succ, row)
                ddx = nx - gx if nx > gx else gx - nx
                ddy = ny - gy if ny > gy else gy - ny
                h = ddx + ddy + k * (ddx if ddx < ddy else ddy)
                push(heap, (ng + h, h, succ))
        for d in diags:
            jump = dist[d][node]
            sdx, sdy = DIRECTIONS[d]
            ax = (gx - x) * sdx
            ay = (gy - y) * sdy
            if ax > 0 and ay > 0 and (ax if ax < ay else ay) <= (jump if jump > 0 else -jump):
                steps = ax if ax < ay else ay
            elif jump > 0:
                steps = jump
            else:
                continue
            succ = node + offsets[d] * steps
            if succ in closed:
                continue
            ng = gn + steps * SQRT2
            old = g.get(succ)
            if old is None or ng < old:
                g[succ] = ng
                parent[succ] = node
                arrived[succ] = d
                ny, nx = divmod(succ, row)
                ddx = nx - gx if nx > gx else gx - nx
                ddy = ny - gy if ny > gy else gy - ny
                h = ddx + ddy + k * (ddx if ddx < ddy else ddy)
                push(heap, (ng + h, h, succ))
    return None
