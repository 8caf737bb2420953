"""Path utilities shared by the grid and the navmesh: length, waypoint compression,
and which paths pass near a region."""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from astraweave.nav._geometry import segments_hit_polygon

__all__ = ["compress_path", "path_length", "segments_near_region"]

FloatArray = npt.NDArray[np.float64]


def path_length(path: Sequence[Sequence[float]] | None) -> float:
    """The Euclidean length of a polyline (cell paths included: a diagonal step
    between cells counts ``sqrt(2)``).

    Args:
        path: points ``(x, y)``; ``None`` or fewer than 2 points give 0.0.

    Returns:
        The sum of the segment lengths.

    Example:
        >>> round(path_length([(0, 0), (1, 1), (1, 2)]), 6)
        2.414214
    """
    if not path:
        return 0.0
    total = 0.0
    for a, b in itertools.pairwise(path):
        total += math.hypot(float(b[0]) - float(a[0]), float(b[1]) - float(a[1]))
    return total


def compress_path(path: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """Keep the endpoints and the cells where the direction of a cell path changes.

    Args:
        path: a cell path, as returned by ``GridMap.find_path``.

    Returns:
        The waypoints; walking straight between consecutive waypoints (8 directions)
        retraces the original path.

    Example:
        >>> compress_path([(0, 0), (1, 0), (2, 0), (3, 1), (4, 2)])
        [(0, 0), (2, 0), (4, 2)]
    """
    if len(path) <= 2:
        return list(path)
    out = [path[0]]
    for prev, here, nxt in zip(path, path[1:], path[2:], strict=False):
        if (here[0] - prev[0], here[1] - prev[1]) != (nxt[0] - here[0], nxt[1] - here[1]):
            out.append(here)
    out.append(path[-1])
    return out


def _point_to_segments(
    px: float, py: float, ax: FloatArray, ay: FloatArray, bx: FloatArray, by: FloatArray
) -> FloatArray:
    vx, vy = bx - ax, by - ay
    length2 = vx * vx + vy * vy
    safe = np.where(length2 == 0.0, 1.0, length2)
    t = np.where(length2 == 0.0, 0.0, np.clip(((px - ax) * vx + (py - ay) * vy) / safe, 0, 1))
    return np.asarray(np.hypot(px - (ax + t * vx), py - (ay + t * vy)), dtype=np.float64)


def _points_to_segment(
    px: FloatArray, py: FloatArray, ax: float, ay: float, bx: float, by: float
) -> FloatArray:
    vx, vy = bx - ax, by - ay
    length2 = vx * vx + vy * vy
    t = np.clip(((px - ax) * vx + (py - ay) * vy) / length2, 0.0, 1.0)
    return np.asarray(np.hypot(px - (ax + t * vx), py - (ay + t * vy)), dtype=np.float64)


def segments_near_region(
    poly: FloatArray, paths: Sequence[Sequence[Sequence[float]] | None], radius: float
) -> list[int]:
    """Indices of the polylines that touch ``poly`` or pass within ``radius`` of it."""
    ax: list[float] = []
    ay: list[float] = []
    bx: list[float] = []
    by: list[float] = []
    owner: list[int] = []
    for i, path in enumerate(paths):
        if not path:
            continue
        pts = [(float(p[0]), float(p[1])) for p in path]
        pairs = list(itertools.pairwise(pts)) or [(pts[0], pts[0])]
        for (x0, y0), (x1, y1) in pairs:
            ax.append(x0)
            ay.append(y0)
            bx.append(x1)
            by.append(y1)
            owner.append(i)
    if not owner:
        return []
    a_x, a_y = np.array(ax), np.array(ay)
    b_x, b_y = np.array(bx), np.array(by)
    hit = segments_hit_polygon(a_x, a_y, b_x, b_y, poly)
    if radius > 0.0:
        d = np.full(len(owner), np.inf)
        n = len(poly)
        for k in range(n):
            p0x, p0y = (float(v) for v in poly[k])
            p1x, p1y = (float(v) for v in poly[(k + 1) % n])
            d = np.minimum(d, _points_to_segment(a_x, a_y, p0x, p0y, p1x, p1y))
            d = np.minimum(d, _points_to_segment(b_x, b_y, p0x, p0y, p1x, p1y))
            d = np.minimum(d, _point_to_segments(p0x, p0y, a_x, a_y, b_x, b_y))
        hit |= d < radius
    return sorted({owner[k] for k in np.flatnonzero(hit).tolist()})
