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

from heapq import heappop, heappush
from itertools import repeat

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


# The direction each scan of a plan moves in: the arrival direction of its successor.
_CARD_INDEX: tuple[tuple[int, ...], ...] = tuple(cards for cards, _ in _PRUNED)
_DIAG_INDEX: tuple[tuple[int, ...], ...] = tuple(diags for _, diags in _PRUNED)

Plan = tuple[
    tuple[tuple[list[int], int, bool, int], ...], tuple[tuple[list[int], int, int, int], ...]
]


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
        plans: for each arrival direction (8 = start), the cardinal scans
            ``(table, offset, vertical, sign)`` and the diagonal scans
            ``(table, offset, sdx, sdy)`` to try, bound to this map's tables.
    """

    __slots__ = ("dist", "plans", "row")

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
        offsets = [dy * w + dx for dx, dy in DIRECTIONS]
        plans = []
        for cards, diags in _PRUNED:
            card_plan = tuple(
                (self.dist[d], offsets[d], d in (0, 4), 1 if d in (2, 4) else -1) for d in cards
            )
            diag_plan = tuple(
                (self.dist[d], offsets[d], DIRECTIONS[d][0], DIRECTIONS[d][1]) for d in diags
            )
            plans.append((card_plan, diag_plan))
        self.plans: tuple[Plan, ...] = tuple(plans)


def _expand(points: list[int], row: int) -> list[tuple[int, int]]:
    """Expand consecutive jump points (straight or diagonal segments) into the
    unpadded cells ``(x, y)`` of the path (tuples built by ``zip`` in C)."""
    y, x = divmod(points[0], row)
    out = [(x - 1, y - 1)]
    for b in points[1:]:
        by, bx = divmod(b, row)
        sx = (bx > x) - (bx < x)
        sy = (by > y) - (by < y)
        xs = range(x - 1 + sx, bx - 1 + sx, sx) if sx else repeat(x - 1)
        ys = range(y - 1 + sy, by - 1 + sy, sy) if sy else repeat(y - 1)
        out.extend(zip(xs, ys, strict=False))  # one side may be an endless repeat()
        x, y = bx, by
    return out


def jps_search(tables: JumpTables, start: int, goal: int) -> list[tuple[int, int]] | None:
    """JPS+ from ``start`` to ``goal`` (padded flat indices, both walkable).

    Returns:
        Every cell ``(x, y)`` of an optimal path (jump points expanded), or ``None``.
    """
    if start == goal:
        return _expand([start], tables.row)
    row = tables.row
    plans = tables.plans
    gy, gx = divmod(goal, row)
    k = SQRT2 - 2.0
    # node -> (g, parent, arrival direction index into plans)
    info: dict[int, tuple[float, int, int]] = {start: (0.0, -1, 8)}
    closed: set[int] = set()
    sy, sx = divmod(start, row)
    dx0, dy0 = abs(sx - gx), abs(sy - gy)
    h0 = dx0 + dy0 + k * (dx0 if dx0 < dy0 else dy0)
    heap: list[tuple[float, float, int]] = [(h0, h0, start)]
    push, pop = heappush, heappop
    while heap:
        node = pop(heap)[2]
        if node in closed:
            continue
        if node == goal:
            points = [goal]
            p = info[goal][1]
            while p != -1:
                points.append(p)
                p = info[p][1]
            points.reverse()
            return _expand(points, row)
        closed.add(node)
        gn, _, arrived = info[node]
        y, x = divmod(node, row)
        cards, diags = plans[arrived]
        for d, (table, off, vertical, sign) in enumerate(cards):
            jump = table[node]
            if vertical:
                ahead = (gy - y) * sign if x == gx else 0
            else:
                ahead = (gx - x) * sign if y == gy else 0
            if ahead > 0 and ahead <= (jump if jump > 0 else -jump):
                succ, cost = goal, ahead
            elif jump > 0:
                succ, cost = node + off * jump, jump
            else:
                continue
            if succ in closed:
                continue
            ng = gn + cost
            old = info.get(succ)
            if old is None or ng < old[0]:
                info[succ] = (ng, node, _CARD_INDEX[arrived][d])
                ny, nx = divmod(succ, row)
                ddx = nx - gx if nx > gx else gx - nx
                ddy = ny - gy if ny > gy else gy - ny
                h = ddx + ddy + k * (ddx if ddx < ddy else ddy)
                push(heap, (ng + h, h, succ))
        for d, (table, off, sdx, sdy) in enumerate(diags):
            jump = table[node]
            ax = (gx - x) * sdx
            ay = (gy - y) * sdy
            if ax > 0 and ay > 0 and (ax if ax < ay else ay) <= (jump if jump > 0 else -jump):
                steps = ax if ax < ay else ay
            elif jump > 0:
                steps = jump
            else:
                continue
            succ = node + off * steps
            if succ in closed:
                continue
            ng = gn + steps * SQRT2
            old = info.get(succ)
            if old is None or ng < old[0]:
                info[succ] = (ng, node, _DIAG_INDEX[arrived][d])
                ny, nx = divmod(succ, row)
                ddx = nx - gx if nx > gx else gx - nx
                ddy = ny - gy if ny > gy else gy - ny
                h = ddx + ddy + k * (ddx if ddx < ddy else ddy)
                push(heap, (ng + h, h, succ))
    return None
