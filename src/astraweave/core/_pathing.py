"""Tile path search and line of sight for the tile map, on :mod:`astraweave.nav`.

Two :class:`~astraweave.nav.GridMap` s back a :class:`TileMap`: one over walkable
tiles (paths: jump point search, 8-connected, no corner cutting, then smoothed by
line of sight so every straight leg crosses only walkable tiles *and* keeps
:data:`CLEARANCE_M` from every blocked tile, so a physics body of radius
``BODY_RADIUS_M`` does not graze wall corners) and one over see-through tiles (sight:
nav's supercover rule). Both are rebuilt when a door changes.

Smoothing only ever drops turning tiles of the tile path; a leg that cannot keep
clearance falls back to the tile path's own steps (cell centres, at least 0.5 m from
any blocked tile), so clearance never changes which goals are reachable.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

from astraweave.nav import GridMap

__all__ = [
    "CLEARANCE_M",
    "Cell",
    "Grids",
    "clear_lines",
    "grid_path",
    "smooth_with_clearance",
]

Cell = tuple[int, int]

CLEARANCE_M = 0.35
"""How far (m) a smoothed path leg stays from blocked tiles: a character's body radius
(``astraweave.core._bodies.BODY_RADIUS_M``, 0.3 m) plus a 0.05 m margin. Must stay
below 0.5 m, the clearance of the tile path's own steps."""


class Grids:
    """The nav grids of one map state (walkable and see-through)."""

    __slots__ = ("corners", "sight", "walk")

    def __init__(self, walkable: npt.NDArray[np.bool_], transparent: npt.NDArray[np.bool_]) -> None:
        self.walk = GridMap(walkable)
        self.sight = GridMap(transparent)
        self.corners = blocked_corners(walkable)


def blocked_corners(walkable: npt.NDArray[np.bool_]) -> npt.NDArray[np.bool_]:
    """``(h + 1, w + 1)`` grid vertices ``[y, x]`` that are a corner of a blocked tile
    (tiles off the map count as blocked)."""
    blocked = np.pad(~np.asarray(walkable, dtype=np.bool_), 1, constant_values=True)
    return np.asarray(blocked[:-1, :-1] | blocked[1:, :-1] | blocked[:-1, 1:] | blocked[1:, 1:])


def _keeps_clearance(corners: npt.NDArray[np.bool_], a: Cell, b: Cell, clearance: float) -> bool:
    """Whether the segment between the centres of ``a`` and ``b`` stays at least
    ``clearance`` from every blocked corner vertex.

    For a segment that crosses only walkable tiles (line of sight) between walkable
    tile centres (0.5 m from any blocked tile), the distance to a blocked tile is
    attained at one of the tile's corners, so checking the corners is exact.
    """
    ax, ay = a[0] + 0.5, a[1] + 0.5
    bx, by = b[0] + 0.5, b[1] + 0.5
    h, w = corners.shape
    x0 = max(math.ceil(min(ax, bx) - clearance), 0)
    x1 = min(math.floor(max(ax, bx) + clearance), w - 1)
    y0 = max(math.ceil(min(ay, by) - clearance), 0)
    y1 = min(math.floor(max(ay, by) + clearance), h - 1)
    if x0 > x1 or y0 > y1:
        return True
    ys, xs = np.nonzero(corners[y0 : y1 + 1, x0 : x1 + 1])
    if len(xs) == 0:
        return True
    px = (xs + x0).astype(np.float64) - ax
    py = (ys + y0).astype(np.float64) - ay
    dx, dy = bx - ax, by - ay
    seg2 = dx * dx + dy * dy
    t = np.clip((px * dx + py * dy) / seg2, 0.0, 1.0) if seg2 > 0 else np.zeros(len(px))
    qx, qy = px - t * dx, py - t * dy
    return not bool(np.any(qx * qx + qy * qy < clearance * clearance))


def smooth_with_clearance(
    grid: GridMap,
    corners: npt.NDArray[np.bool_],
    cells: list[Cell],
    clearance: float = CLEARANCE_M,
) -> list[Cell]:
    """String-pull a tile path (as ``GridMap.smooth_path``: from each kept cell, jump to
    the farthest later cell) accepting a leg only when it is in ``grid``'s line of
    sight and keeps ``clearance`` from the blocked corners ``corners`` (see
    :func:`blocked_corners`). Consecutive tiles of the path are always accepted, so
    the result never leaves the tile path's corridor."""
    if len(cells) <= 2:
        return list(cells)
    out = [cells[0]]
    i, last = 0, len(cells) - 1
    while i < last:
        j = last
        while j > i + 1 and not (
            grid.line_of_sight(cells[i], cells[j])
            and _keeps_clearance(corners, cells[i], cells[j], clearance)
        ):
            j -= 1
        out.append(cells[j])
        i = j
    return out


def grid_path(grids: Grids, start: Cell, goal: Cell) -> list[Cell] | None:
    """The turning tiles ``start, ..., goal`` of a smoothed shortest path (legs keep
    :data:`CLEARANCE_M` from blocked tiles), or ``None`` when the goal is unreachable
    (both tiles must be walkable)."""
    cells = grids.walk.find_path(start, goal, "jps")
    if cells is None:
        return None
    return smooth_with_clearance(grids.walk, grids.corners, [(int(x), int(y)) for x, y in cells])


def clear_lines(
    grids: Grids, starts: npt.NDArray[np.int64], goals: npt.NDArray[np.int64]
) -> npt.NDArray[np.bool_]:
    """Vectorised line of sight for ``(N, 2)`` tile pairs (all in bounds)."""
    if len(starts) == 0:
        return np.zeros(0, dtype=np.bool_)
    return grids.sight.line_of_sight_many(starts, goals)
