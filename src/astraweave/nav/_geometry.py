"""Polygon validation and the vectorised geometry behind navmesh rasterisation.

All functions work on float64 numpy arrays. Rectangles are ``(xmin, ymin, xmax, ymax)``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from astraweave.errors import InvalidPolygonError, NavConfigError

__all__ = [
    "Point",
    "Polygon",
    "Rect",
    "as_point",
    "as_polygon",
    "axis_rect",
    "grown_bbox",
    "point_in_polygon",
    "segment_rect_distance",
    "segments_hit_polygon",
    "squares_polygon_distance",
]

Rect = tuple[float, float, float, float]
Point = tuple[float, float]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
#: A polygon or rectangle as accepted by the API: ``(xmin, ymin, xmax, ymax)`` or a
#: sequence of at least 3 ``(x, y)`` vertices.
Polygon = Sequence[float] | Sequence[Sequence[float]] | npt.NDArray[Any]


def _proper_cross(p: FloatArray, q: FloatArray, r: FloatArray, s: FloatArray) -> BoolArray:
    """Whether segments ``p-q`` and ``r-s`` (arrays of points) touch or cross."""

    def orient(a: FloatArray, b: FloatArray, c: FloatArray) -> FloatArray:
        return np.asarray(
            (b[..., 0] - a[..., 0]) * (c[..., 1] - a[..., 1])
            - (b[..., 1] - a[..., 1]) * (c[..., 0] - a[..., 0]),
            dtype=np.float64,
        )

    d1, d2 = orient(r, s, p), orient(r, s, q)
    d3, d4 = orient(p, q, r), orient(p, q, s)
    crossing = (d1 * d2 < 0) & (d3 * d4 < 0)

    def on_segment(a: FloatArray, b: FloatArray, c: FloatArray, d: FloatArray) -> BoolArray:
        # c collinear with a-b (d == 0) and within its bounding box
        return np.asarray(
            (d == 0)
            & (np.minimum(a[..., 0], b[..., 0]) <= c[..., 0])
            & (c[..., 0] <= np.maximum(a[..., 0], b[..., 0]))
            & (np.minimum(a[..., 1], b[..., 1]) <= c[..., 1])
            & (c[..., 1] <= np.maximum(a[..., 1], b[..., 1])),
            dtype=np.bool_,
        )

    touching = (
        on_segment(r, s, p, d1)
        | on_segment(r, s, q, d2)
        | on_segment(p, q, r, d3)
        | on_segment(p, q, s, d4)
    )
    return np.asarray(crossing | touching, dtype=np.bool_)


def as_polygon(shape: Polygon, what: str = "polygon") -> FloatArray:
    """Validate a polygon or rectangle and return its vertices, counter-clockwise in a
    y-up frame (positive signed area), as an ``(n, 2)`` float64 array.

    Args:
        shape: ``(xmin, ymin, xmax, ymax)`` or at least 3 ``(x, y)`` vertices (a
            repeated closing vertex is dropped).
        what: the name used in error messages.

    Returns:
        The vertex array.

    Raises:
        InvalidPolygonError: fewer than 3 vertices, non-finite coordinates, zero area,
            repeated consecutive vertices, or self-intersection.

    Example:
        >>> as_polygon((0, 0, 2, 1)).tolist()
        [[0.0, 0.0], [2.0, 0.0], [2.0, 1.0], [0.0, 1.0]]
    """
    try:
        arr = np.asarray(shape, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise InvalidPolygonError(
            f"{what} is not a rectangle or a sequence of (x, y) points: {shape!r}",
            polygon=shape,
            reason="unparsable",
        ) from exc
    if arr.ndim == 1 and arr.shape[0] == 4:
        x0, y0, x1, y1 = (float(v) for v in arr)
        if not all(math.isfinite(v) for v in (x0, y0, x1, y1)):
            raise InvalidPolygonError(
                f"{what} has non-finite coordinates: {shape!r}", polygon=shape, reason="nan"
            )
        if not (x1 > x0 and y1 > y0):
            raise InvalidPolygonError(
                f"{what} rectangle {shape!r} has zero or negative area",
                polygon=shape,
                reason="zero area",
                hint="a rectangle is (xmin, ymin, xmax, ymax) with xmax > xmin, ymax > ymin",
            )
        arr = np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]], dtype=np.float64)
    if arr.ndim != 2 or arr.shape[1] != 2:
        raise InvalidPolygonError(
            f"{what} must be (xmin, ymin, xmax, ymax) or a sequence of (x, y) points, "
            f"got an array of shape {arr.shape}",
            polygon=shape,
            reason="shape",
        )
    if not np.isfinite(arr).all():
        raise InvalidPolygonError(f"{what} has non-finite coordinates", polygon=shape, reason="nan")
    if len(arr) >= 2 and np.array_equal(arr[0], arr[-1]):
        arr = arr[:-1]
    if len(arr) < 3:
        raise InvalidPolygonError(
            f"{what} has {len(arr)} distinct vertices, at least 3 are needed",
            polygon=shape,
            reason="too few points",
        )
    nxt = np.roll(arr, -1, axis=0)
    if (arr == nxt).all(axis=1).any():
        raise InvalidPolygonError(
            f"{what} repeats a vertex consecutively", polygon=shape, reason="repeated vertex"
        )
    n = len(arr)
    if n > 3:
        i, j = np.triu_indices(n, k=2)
        keep = ~((i == 0) & (j == n - 1))
        i, j = i[keep], j[keep]
        hit = _proper_cross(arr[i], nxt[i], arr[j], nxt[j])
        if hit.any():
            k = int(np.argmax(hit))
            raise InvalidPolygonError(
                f"{what} is self-intersecting: edge {int(i[k])} meets edge {int(j[k])}",
                polygon=shape,
                reason="self-intersecting",
            )
    area2 = float(np.sum(arr[:, 0] * nxt[:, 1] - nxt[:, 0] * arr[:, 1]))
    scale = float(np.ptp(arr[:, 0]) + np.ptp(arr[:, 1]))
    if abs(area2) <= 1e-12 * max(scale * scale, 1e-300):
        raise InvalidPolygonError(f"{what} has zero area", polygon=shape, reason="zero area")
    if area2 < 0:
        arr = arr[::-1].copy()
    return np.ascontiguousarray(arr)


def axis_rect(poly: FloatArray) -> Rect | None:
    """The rectangle ``poly`` is, if it is an axis-aligned rectangle, else ``None``."""
    if len(poly) != 4:
        return None
    xs, ys = np.unique(poly[:, 0]), np.unique(poly[:, 1])
    if len(xs) != 2 or len(ys) != 2:
        return None
    corners = {(float(x), float(y)) for x in xs for y in ys}
    if {(float(x), float(y)) for x, y in poly} != corners:
        return None
    return (float(xs[0]), float(ys[0]), float(xs[1]), float(ys[1]))


def point_in_polygon(px: FloatArray, py: FloatArray, poly: FloatArray) -> BoolArray:
    """Even-odd test of many points against one polygon (boundary points: either)."""
    inside = np.zeros(np.shape(px), dtype=np.bool_)
    n = len(poly)
    for k in range(n):
        ax, ay = poly[k]
        bx, by = poly[(k + 1) % n]
        if ay == by:
            continue
        straddle = (ay > py) != (by > py)
        x_cross = ax + (py - ay) * (bx - ax) / (by - ay)
        inside ^= straddle & (px < x_cross)
    return inside


def _point_rect_distance(
    px: float | FloatArray,
    py: float | FloatArray,
    x0: FloatArray,
    y0: FloatArray,
    x1: FloatArray,
    y1: FloatArray,
) -> FloatArray:
    dx = np.maximum(np.maximum(x0 - px, px - x1), 0.0)
    dy = np.maximum(np.maximum(y0 - py, py - y1), 0.0)
    return np.asarray(np.hypot(dx, dy), dtype=np.float64)


def _point_segment_distance(
    px: FloatArray, py: FloatArray, ax: float, ay: float, bx: float, by: float
) -> FloatArray:
    vx, vy = bx - ax, by - ay
    length2 = vx * vx + vy * vy  # > 0: validated polygons have no zero-length edge
    t = np.clip(((px - ax) * vx + (py - ay) * vy) / length2, 0.0, 1.0)
    return np.asarray(np.hypot(px - (ax + t * vx), py - (ay + t * vy)), dtype=np.float64)


def segment_rect_distance(
    ax: float, ay: float, bx: float, by: float,
    x0: FloatArray, y0: FloatArray, x1: FloatArray, y1: FloatArray,
) -> FloatArray:  # fmt: skip
    """Exact distance between one segment and many closed rectangles (0 if they meet)."""
    d = np.minimum(
        _point_rect_distance(ax, ay, x0, y0, x1, y1),
        _point_rect_distance(bx, by, x0, y0, x1, y1),
    )
    for cx, cy in ((x0, y0), (x1, y0), (x1, y1), (x0, y1)):
        d = np.minimum(d, _point_segment_distance(cx, cy, ax, ay, bx, by))
    n = np.shape(x0)
    hit = np.zeros(n, dtype=np.bool_)
    # a segment meets a rectangle iff Liang-Barsky accepts it; vectorise over rects
    dx, dy = bx - ax, by - ay
    t0 = np.zeros(n, dtype=np.float64)
    t1 = np.ones(n, dtype=np.float64)
    ok = np.ones(n, dtype=np.bool_)
    for p, q in ((-dx, ax - x0), (dx, x1 - ax), (-dy, ay - y0), (dy, y1 - ay)):
        if p == 0:
            ok &= q >= 0
        elif p < 0:
            t0 = np.maximum(t0, q / p)
        else:
            t1 = np.minimum(t1, q / p)
    hit = ok & (t0 <= t1)
    return np.asarray(np.where(hit, 0.0, d), dtype=np.float64)


def squares_polygon_distance(
    x0: FloatArray, y0: FloatArray, x1: FloatArray, y1: FloatArray, poly: FloatArray
) -> FloatArray:
    """Exact distance from many closed axis-aligned rectangles to a filled polygon
    (0 when they overlap or touch)."""
    rect = axis_rect(poly)
    if rect is not None:
        rx0, ry0, rx1, ry1 = rect
        dx = np.maximum(np.maximum(rx0 - x1, x0 - rx1), 0.0)
        dy = np.maximum(np.maximum(ry0 - y1, y0 - ry1), 0.0)
        return np.asarray(np.hypot(dx, dy), dtype=np.float64)
    d = np.full(np.shape(x0), np.inf)
    n = len(poly)
    for k in range(n):
        ax, ay = poly[k]
        bx, by = poly[(k + 1) % n]
        d = np.minimum(d, segment_rect_distance(ax, ay, bx, by, x0, y0, x1, y1))
    inside = point_in_polygon((x0 + x1) * 0.5, (y0 + y1) * 0.5, poly)
    return np.asarray(np.where(inside, 0.0, d), dtype=np.float64)


def segments_hit_polygon(
    ax: FloatArray, ay: FloatArray, bx: FloatArray, by: FloatArray, poly: FloatArray
) -> BoolArray:
    """Whether each segment ``a-b`` meets the closed polygon (crosses or touches an
    edge, or lies inside)."""
    a = np.stack([ax, ay], axis=-1)
    b = np.stack([bx, by], axis=-1)
    hit = point_in_polygon(ax, ay, poly)
    n = len(poly)
    for k in range(n):
        p = np.broadcast_to(poly[k], a.shape)
        q = np.broadcast_to(poly[(k + 1) % n], a.shape)
        hit |= _proper_cross(a, b, p, q)
    return np.asarray(hit, dtype=np.bool_)


def as_point(point: Sequence[float] | npt.NDArray[Any], role: str) -> Point:
    """Validate a world point: a pair of finite numbers.

    Raises:
        NavConfigError: not a pair of numbers, or NaN / infinite.
    """
    try:
        x, y = (float(v) for v in point)
    except (TypeError, ValueError) as exc:
        raise NavConfigError(
            f"{role} must be an (x, y) pair of numbers, got {point!r}",
            parameter=role,
            value=point,
        ) from exc
    if not (math.isfinite(x) and math.isfinite(y)):
        raise NavConfigError(f"{role} must be finite, got {point!r}", parameter=role, value=point)
    return (x, y)


def grown_bbox(poly: FloatArray, radius: float) -> Rect:
    """The bounding rectangle of ``poly`` grown by ``radius`` on every side."""
    return (
        float(poly[:, 0].min()) - radius,
        float(poly[:, 1].min()) - radius,
        float(poly[:, 0].max()) + radius,
        float(poly[:, 1].max()) + radius,
    )
