"""The funnel algorithm (string pulling) over a corridor of portals.

This is Mikko Mononen's "simple stupid funnel": the funnel is an apex and two sides
through the portal endpoints; each new portal tightens a side, and when one side crosses
the other, the crossed side's endpoint becomes a corner of the path and the new apex.
The result is the shortest path inside the corridor (a union of convex polygons), so it
is taut and never leaves the mesh.

Orientation: a portal is ``(left, right)`` as seen when travelling through it, where
``right`` is the endpoint with negative cross product ``cross(d, p - mid)`` for travel
direction ``d`` (for ``d = (1, 0)`` the right endpoint has the smaller ``y``).
"""

from __future__ import annotations

__all__ = ["Point", "string_pull"]

Point = tuple[float, float]


def _area2(a: Point, b: Point, c: Point) -> float:
    return (c[0] - a[0]) * (b[1] - a[1]) - (b[0] - a[0]) * (c[1] - a[1])


def string_pull(start: Point, goal: Point, portals: list[tuple[Point, Point]]) -> list[Point]:
    """Shortest path from ``start`` to ``goal`` through the ``(left, right)`` portals.

    Args:
        start: a point in the first polygon of the corridor.
        goal: a point in the last polygon.
        portals: the shared edges between consecutive polygons, in order.

    Returns:
        ``[start, corner, ..., goal]`` (consecutive duplicates removed).

    Example:
        >>> string_pull((0.0, 0.0), (2.0, 3.0), [((1.0, 1.0), (1.0, -1.0))])
        [(0.0, 0.0), (1.0, 1.0), (2.0, 3.0)]
    """
    gates: list[tuple[Point, Point]] = [*portals, (goal, goal)]
    path: list[Point] = [start]
    apex = left = right = start
    apex_i = left_i = right_i = -1
    i = 0
    n = len(gates)
    while i < n:
        new_left, new_right = gates[i]
        if _area2(apex, right, new_right) <= 0.0:
            if apex == right or _area2(apex, left, new_right) > 0.0:
                right, right_i = new_right, i
            else:
                if left != path[-1]:
                    path.append(left)
                apex, apex_i = left, left_i
                left = right = apex
                left_i = right_i = apex_i
                i = apex_i + 1
                continue
        if _area2(apex, left, new_left) >= 0.0:
            if apex == left or _area2(apex, right, new_left) < 0.0:
                left, left_i = new_left, i
            else:
                if right != path[-1]:
                    path.append(right)
                apex, apex_i = right, right_i
                left = right = apex
                left_i = right_i = apex_i
                i = apex_i + 1
                continue
        i += 1
    if goal != path[-1]:
        path.append(goal)
    return _drop_collinear(path)


def _drop_collinear(path: list[Point]) -> list[Point]:
    """Remove corners that lie exactly on the segment between their neighbours."""
    out = path[:1]
    for k in range(1, len(path) - 1):
        a, b, c = out[-1], path[k], path[k + 1]
        straight = _area2(a, b, c) == 0.0
        forward = (b[0] - a[0]) * (c[0] - b[0]) + (b[1] - a[1]) * (c[1] - b[1]) >= 0.0
        if not (straight and forward):
            out.append(b)
    out.extend(path[len(path) - 1 :] if len(path) > 1 else [])
    return out
