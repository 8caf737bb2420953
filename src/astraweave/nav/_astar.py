"""Grid A* on a padded, flattened map (octile moves, no corner cutting).

The grid is stored with a one-cell blocked border, flattened row-major: cell ``(x, y)``
has index ``(y + 1) * W2 + (x + 1)`` with ``W2 = width + 2``. The border means no move
ever needs a bounds check. Each cell carries an 8-bit mask of its legal moves
(:func:`move_masks`); a per-grid table maps each mask to its ``(offset, cost)`` pairs, so
the search loop only iterates precomputed tuples.
"""

from __future__ import annotations

import math
from heapq import heappop, heappush

import numpy as np
import numpy.typing as npt

__all__ = [
    "DIRECTIONS",
    "SQRT2",
    "astar_search",
    "move_masks",
    "move_table",
    "padded",
    "reconstruct",
]

SQRT2 = math.sqrt(2.0)

#: The 8 move directions ``(dx, dy)`` in bit order: N, NE, E, SE, S, SW, W, NW
#: (``y`` grows downwards, so N is ``(0, -1)``). Cardinals have even indices.
DIRECTIONS: tuple[tuple[int, int], ...] = (
    (0, -1),
    (1, -1),
    (1, 0),
    (1, 1),
    (0, 1),
    (-1, 1),
    (-1, 0),
    (-1, -1),
)

BoolGrid = npt.NDArray[np.bool_]
Moves = tuple[tuple[int, float], ...]


def padded(walkable: BoolGrid) -> BoolGrid:
    """Return ``walkable`` with a one-cell blocked border."""
    out = np.zeros((walkable.shape[0] + 2, walkable.shape[1] + 2), dtype=np.bool_)
    out[1:-1, 1:-1] = walkable
    return out


def move_masks(pad: BoolGrid) -> npt.NDArray[np.uint8]:
    """Legal-move bit masks of every cell of a padded map (border cells get 0).

    Bit ``d`` is set when the move in ``DIRECTIONS[d]`` is legal: the target is
    walkable and, for a diagonal, both orthogonal neighbours are walkable too.
    """
    h, w = pad.shape
    mask = np.zeros((h, w), dtype=np.uint8)
    core = pad[1:-1, 1:-1]

    def at(dx: int, dy: int) -> BoolGrid:
        return pad[1 + dy : h - 1 + dy, 1 + dx : w - 1 + dx]

    inner = np.zeros(core.shape, dtype=np.uint8)
    for bit, (dx, dy) in enumerate(DIRECTIONS):
        ok = core & at(dx, dy)
        if dx and dy:
            ok = ok & at(dx, 0) & at(0, dy)
        inner |= ok.astype(np.uint8) << np.uint8(bit)
    mask[1:-1, 1:-1] = inner
    return mask


def move_table(row: int) -> tuple[Moves, ...]:
    """For each of the 256 masks, the ``(index offset, cost)`` of its legal moves, in
    direction order (for a padded row length ``row``)."""
    table: list[Moves] = []
    for mask in range(256):
        moves: list[tuple[int, float]] = []
        for bit, (dx, dy) in enumerate(DIRECTIONS):
            if mask >> bit & 1:
                moves.append((dy * row + dx, SQRT2 if dx and dy else 1.0))
        table.append(tuple(moves))
    return tuple(table)


def reconstruct(parent: dict[int, int], goal: int, row: int) -> list[tuple[int, int]]:
    """Follow ``parent`` links from ``goal`` back to the node whose parent is ``-1``;
    return the unpadded cells ``(x, y)``."""
    out = [goal]
    node = parent[goal]
    while node != -1:
        out.append(node)
        node = parent[node]
    out.reverse()
    return [(i % row - 1, i // row - 1) for i in out]


def astar_search(
    masks: bytes | bytearray,
    table: tuple[Moves, ...],
    row: int,
    start: int,
    goal: int,
) -> list[tuple[int, int]] | None:
    """A* from ``start`` to ``goal`` (padded flat indices); ``None`` if unreachable.

    The open list holds ``(f, h, index)`` tuples: ties in ``f`` go to the node nearer
    the goal, then to the lower index, so the result never depends on insertion order.
    The octile heuristic is consistent, so a node is final when first popped.
    """
    if start == goal:
        return reconstruct({start: -1}, start, row)
    gy, gx = divmod(goal, row)
    k = SQRT2 - 2.0
    g: dict[int, float] = {start: 0.0}
    parent: dict[int, int] = {start: -1}
    closed = bytearray(len(masks))
    sy, sx = divmod(start, row)
    dx0, dy0 = abs(sx - gx), abs(sy - gy)
    h0 = dx0 + dy0 + k * (dx0 if dx0 < dy0 else dy0)
    heap: list[tuple[float, float, int]] = [(h0, h0, start)]
    push, pop = heappush, heappop
    while heap:
        _, _, node = pop(heap)
        if closed[node]:
            continue
        if node == goal:
            return reconstruct(parent, goal, row)
        closed[node] = 1
        gn = g[node]
        for off, cost in table[masks[node]]:
            nxt = node + off
            if closed[nxt]:
                continue
            ng = gn + cost
            old = g.get(nxt)
            if old is None or ng < old:
                g[nxt] = ng
                parent[nxt] = node
                ny, nx = divmod(nxt, row)
                dx = nx - gx if nx > gx else gx - nx
                dy = ny - gy if ny > gy else gy - ny
                h = dx + dy + k * (dx if dx < dy else dy)
                push(heap, (ng + h, h, nxt))
    return None
