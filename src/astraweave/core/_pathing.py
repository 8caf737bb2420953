"""Tile path search and line of sight for the tile map, on :mod:`astraweave.nav`.

Two :class:`~astraweave.nav.GridMap` s back a :class:`TileMap`: one over walkable
tiles (paths: jump point search, 8-connected, no corner cutting, then smoothed by
line of sight so every straight leg crosses only walkable tiles) and one over
see-through tiles (sight: nav's supercover rule). Both are rebuilt when a door
changes.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from astraweave.nav import GridMap

__all__ = ["Cell", "Grids", "clear_lines", "grid_path"]

Cell = tuple[int, int]


class Grids:
    """The nav grids of one map state (walkable and see-through)."""

    __slots__ = ("sight", "walk")

    def __init__(self, walkable: npt.NDArray[np.bool_], transparent: npt.NDArray[np.bool_]) -> None:
        self.walk = GridMap(walkable)
        self.sight = GridMap(transparent)


def grid_path(grids: Grids, start: Cell, goal: Cell) -> list[Cell] | None:
    """The turning tiles ``start, ..., goal`` of a smoothed shortest path, or ``None``
    when the goal is unreachable (both tiles must be walkable)."""
    cells = grids.walk.find_path(start, goal, "jps")
    if cells is None:
        return None
    return grids.walk.smooth_path(cells)


def clear_lines(
    grids: Grids, starts: npt.NDArray[np.int64], goals: npt.NDArray[np.int64]
) -> npt.NDArray[np.bool_]:
    """Vectorised line of sight for ``(N, 2)`` tile pairs (all in bounds)."""
    if len(starts) == 0:
        return np.zeros(0, dtype=np.bool_)
    return grids.sight.line_of_sight_many(starts, goals)
