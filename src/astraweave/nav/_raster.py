"""Rasterising the configuration space of a disc-shaped agent at a fine cell size.

A raster cell (a square of side ``cell_size``) is *free* when every point of it is at
least ``agent_radius`` from every obstacle and from the outside of the bounds. The test
is exact (square-to-polygon distance, not centre sampling), on squares shrunk by a
relative ``1e-9`` so that a square merely touching an obstacle along an edge stays free
when the radius is 0. Free space is therefore a conservative, cell-aligned
approximation of the true configuration space: it loses at most one cell width along
each boundary.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from astraweave.errors import NavConfigError
from astraweave.nav._geometry import (
    Rect,
    axis_rect,
    point_in_polygon,
    segment_rect_distance,
    squares_polygon_distance,
)

__all__ = [
    "MAX_RASTER_CELLS",
    "Raster",
    "bounds_free",
    "check_resolution",
    "configuration_space",
    "obstacle_mask",
]

#: The largest raster a navmesh may use (cells); a bigger one is a ``NavConfigError``
#: suggesting a larger ``cell_size``.
MAX_RASTER_CELLS = 1 << 24

BoolGrid = npt.NDArray[np.bool_]
FloatArray = npt.NDArray[np.float64]
_SHRINK = 1e-9


@dataclass(frozen=True, slots=True)
class Raster:
    """Raster placement: origin ``(ox, oy)``, ``cell`` size and ``nx`` by ``ny`` cells."""

    ox: float
    oy: float
    cell: float
    nx: int
    ny: int

    @classmethod
    def covering(cls, rect: Rect, cell: float) -> Raster:
        x0, y0, x1, y1 = rect
        nx = max(1, math.ceil((x1 - x0) / cell - 1e-9))
        ny = max(1, math.ceil((y1 - y0) / cell - 1e-9))
        if nx * ny > MAX_RASTER_CELLS:
            raise NavConfigError(
                f"a navmesh raster of {nx} x {ny} cells is too large (limit {MAX_RASTER_CELLS})",
                parameter="cell_size",
                value=cell,
                hint="use a larger cell_size",
            )
        return cls(float(x0), float(y0), float(cell), nx, ny)

    def xs(self, i0: int, i1: int) -> FloatArray:
        """World x of the cell boundaries ``i0..i1`` (inclusive)."""
        return self.ox + np.arange(i0, i1 + 1, dtype=np.float64) * self.cell

    def ys(self, j0: int, j1: int) -> FloatArray:
        return self.oy + np.arange(j0, j1 + 1, dtype=np.float64) * self.cell

    def window(self, rect: Rect) -> tuple[int, int, int, int] | None:
        """Cells ``(ix0, iy0, ix1, iy1)`` (half-open) overlapping ``rect``, clipped."""
        x0, y0, x1, y1 = rect
        ix0 = max(0, math.floor((x0 - self.ox) / self.cell))
        iy0 = max(0, math.floor((y0 - self.oy) / self.cell))
        ix1 = min(self.nx, math.ceil((x1 - self.ox) / self.cell))
        iy1 = min(self.ny, math.ceil((y1 - self.oy) / self.cell))
        if ix0 >= ix1 or iy0 >= iy1:
            return None
        return ix0, iy0, ix1, iy1

    def squares(
        self, ix0: int, iy0: int, ix1: int, iy1: int
    ) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
        """Shrunk cell squares ``(x0, y0, x1, y1)`` of a window, each ``(h, w)``."""
        eps = _SHRINK * self.cell
        xb = self.xs(ix0, ix1)
        yb = self.ys(iy0, iy1)
        x0, y0 = np.meshgrid(xb[:-1] + eps, yb[:-1] + eps)
        x1, y1 = np.meshgrid(xb[1:] - eps, yb[1:] - eps)
        return x0, y0, x1, y1


def _blocked(distance: FloatArray, radius: float) -> BoolGrid:
    return np.asarray((distance < radius) | (distance <= 0.0), dtype=np.bool_)


def bounds_free(raster: Raster, bounds: npt.NDArray[np.float64], radius: float) -> BoolGrid:
    """Cells inside the bounds polygon and at least ``radius`` from its boundary."""
    x0, y0, x1, y1 = raster.squares(0, 0, raster.nx, raster.ny)
    rect = axis_rect(bounds)
    if rect is not None:
        bx0, by0, bx1, by1 = rect
        margin = np.minimum(np.minimum(x0 - bx0, bx1 - x1), np.minimum(y0 - by0, by1 - y1))
        return ~_blocked(margin, radius)
    inside = point_in_polygon((x0 + x1) * 0.5, (y0 + y1) * 0.5, bounds)
    d = np.full(x0.shape, np.inf)
    n = len(bounds)
    for k in range(n):
        ax, ay = bounds[k]
        bx, by = bounds[(k + 1) % n]
        d = np.minimum(d, segment_rect_distance(ax, ay, bx, by, x0, y0, x1, y1))
    return np.asarray(inside & ~_blocked(d, radius), dtype=np.bool_)


def obstacle_mask(
    raster: Raster, poly: npt.NDArray[np.float64], radius: float
) -> tuple[tuple[int, int, int, int], BoolGrid] | None:
    """The cells an obstacle (grown by ``radius``) blocks: ``(window, mask)`` with
    ``window = (ix0, iy0, ix1, iy1)`` and ``mask`` of the window's shape, or ``None``
    when the obstacle lies outside the raster."""
    grow = radius + raster.cell
    bbox = (
        float(poly[:, 0].min()) - grow,
        float(poly[:, 1].min()) - grow,
        float(poly[:, 0].max()) + grow,
        float(poly[:, 1].max()) + grow,
    )
    window = raster.window(bbox)
    if window is None:
        return None
    x0, y0, x1, y1 = raster.squares(*window)
    mask = _blocked(squares_polygon_distance(x0, y0, x1, y1, poly), radius)
    return window, mask


def check_resolution(agent_radius: float, cell_size: float) -> tuple[float, float]:
    """Validate an agent radius (finite, >= 0) and a cell size (finite, > 0).

    Raises:
        NavConfigError: naming the bad ``parameter``.
    """
    r, c = float(agent_radius), float(cell_size)
    if not (math.isfinite(r) and r >= 0.0):
        raise NavConfigError(
            f"agent_radius must be a finite number >= 0, got {agent_radius!r}",
            parameter="agent_radius",
            value=agent_radius,
        )
    if not (math.isfinite(c) and c > 0.0):
        raise NavConfigError(
            f"cell_size must be a finite number > 0, got {cell_size!r}",
            parameter="cell_size",
            value=cell_size,
        )
    return r, c


def configuration_space(
    outline: npt.NDArray[np.float64],
    obstacles: list[npt.NDArray[np.float64]],
    radius: float,
    cell: float,
) -> tuple[Raster, BoolGrid, Rect]:
    """Rasterise the free space inside ``outline`` and outside every obstacle.

    Returns:
        ``(raster, free cells, bounding rectangle of the outline)``.
    """
    rect = (
        float(outline[:, 0].min()),
        float(outline[:, 1].min()),
        float(outline[:, 0].max()),
        float(outline[:, 1].max()),
    )
    raster = Raster.covering(rect, cell)
    free = bounds_free(raster, outline, radius)
    for poly in obstacles:
        hit = obstacle_mask(raster, poly, radius)
        if hit is not None:
            (ix0, iy0, ix1, iy1), mask = hit
            free[iy0:iy1, ix0:ix1] &= ~mask
    return raster, free, rect
