"""Search on a rectangle navmesh: corridor A*, portal geometry, mesh raycast.

These functions read the mesh's arrays through the small :class:`MeshView` protocol so
that they stay apart from construction and dynamic updates (``_navmesh.py``).
"""

from __future__ import annotations

import math
from heapq import heappop, heappush
from typing import Protocol

from astraweave.nav._funnel import Point
from astraweave.nav._rects import CellRect, Portal

__all__ = ["MeshView", "corridor_search", "crossing_point", "portal_points", "raycast"]


class MeshView(Protocol):
    """What the search needs from a mesh."""

    def _world_rect(self, pid: int) -> tuple[float, float, float, float]: ...

    def _portals_of(self, pid: int) -> list[Portal]: ...

    def _cell_rect(self, pid: int) -> CellRect: ...

    def _polygon_at(self, point: tuple[float, float]) -> int | None: ...

    def _corner_open(self, corner: tuple[float, float], sx: int, sy: int) -> bool: ...

    @property
    def cell_size(self) -> float: ...

    @property
    def polygon_count(self) -> int: ...


def portal_points(mesh: MeshView, pid: int, portal: Portal) -> tuple[Point, Point]:
    """World endpoints ``(left, right)`` of a portal, oriented for travel out of ``pid``
    (see :mod:`astraweave.nav._funnel` for the orientation convention)."""
    _, side, lo, hi = portal
    x0, y0, x1, y1 = mesh._world_rect(pid)
    cx0, cy0, _, _ = mesh._cell_rect(pid)
    cell = mesh.cell_size
    if side in (0, 1):
        x = x0 if side == 0 else x1
        a = (x, y0 + (lo - cy0) * cell)
        b = (x, y0 + (hi - cy0) * cell)
        return (a, b) if side == 0 else (b, a)
    y = y0 if side == 2 else y1
    a = (x0 + (lo - cx0) * cell, y)
    b = (x0 + (hi - cx0) * cell, y)
    return (b, a) if side == 2 else (a, b)


def crossing_point(entry: Point, goal: Point, left: Point, right: Point) -> Point:
    """The point of the (axis-aligned) portal minimising ``|entry - p| + |p - goal|``:
    where the straight line meets the portal line (the goal reflected across it when
    both lie on the same side), clamped to the portal."""
    if left[0] == right[0]:
        axis, other = 0, 1
    else:
        axis, other = 1, 0
    line = left[axis]
    lo = min(left[other], right[other])
    hi = max(left[other], right[other])
    ea, ga = entry[axis] - line, goal[axis] - line
    if ea * ga > 0:
        ga = -ga
    if ea == ga:
        value = goal[other]
    else:
        t = ea / (ea - ga)
        value = entry[other] + t * (goal[other] - entry[other])
    value = min(max(value, lo), hi)
    return (line, value) if axis == 0 else (value, line)


def corridor_search(
    mesh: MeshView, start_pid: int, goal_pid: int, start: Point, goal: Point
) -> list[int] | None:
    """A* over polygons; ``g`` is measured along crossing points of the portals
    (:func:`crossing_point`) and ``h`` is the straight distance to the goal.

    Returns:
        The polygon ids from start to goal, or ``None`` when they are not connected.
    """
    if start_pid == goal_pid:
        return [start_pid]
    gx, gy = goal
    best: dict[int, float] = {start_pid: 0.0}
    entry: dict[int, Point] = {start_pid: start}
    parent: dict[int, int] = {start_pid: -1}
    closed: set[int] = set()
    h0 = math.hypot(start[0] - gx, start[1] - gy)
    heap: list[tuple[float, float, int]] = [(h0, h0, start_pid)]
    while heap:
        _, _, pid = heappop(heap)
        if pid in closed:
            continue
        if pid == goal_pid:
            out = [pid]
            while parent[out[-1]] != -1:
                out.append(parent[out[-1]])
            out.reverse()
            return out
        closed.add(pid)
        here = entry[pid]
        g = best[pid]
        for portal in mesh._portals_of(pid):
            nid = portal[0]
            if nid in closed:
                continue
            left, right = portal_points(mesh, pid, portal)
            cross = crossing_point(here, goal, left, right)
            ng = g + math.hypot(cross[0] - here[0], cross[1] - here[1])
            old = best.get(nid)
            if old is None or ng < old:
                best[nid] = ng
                entry[nid] = cross
                parent[nid] = pid
                h = math.hypot(cross[0] - gx, cross[1] - gy)
                heappush(heap, (ng + h, h, nid))
    return None


def raycast(mesh: MeshView, a: Point, b: Point) -> bool:
    """Whether the segment ``a-b`` lies entirely on the mesh (closed polygons).

    Walks the polygons the segment passes through: leaves the current rectangle at its
    exit parameter, steps ``1e-7`` cell widths further and looks the point up. A point
    off the mesh ends the walk with ``False``. Leaving a rectangle exactly through a
    corner into a diagonal neighbour needs one of the two cells beside that corner on
    the mesh: two polygons touching only at a point are not connected (the navmesh
    twin of the grid's no-corner-cutting rule).
    """
    pid = mesh._polygon_at(a)
    if pid is None:
        return False
    dx, dy = b[0] - a[0], b[1] - a[1]
    length = math.hypot(dx, dy)
    if length == 0.0:
        return True
    dt = 1e-7 * mesh.cell_size / length
    tol = 1e-9 * mesh.cell_size / length
    t = 0.0
    for _ in range(4 * mesh.polygon_count + 64):
        x0, y0, x1, y1 = mesh._world_rect(pid)
        tx = math.inf if dx == 0 else ((x1 if dx > 0 else x0) - a[0]) / dx
        ty = math.inf if dy == 0 else ((y1 if dy > 0 else y0) - a[1]) / dy
        t_exit = min(tx, ty)
        if t_exit >= 1.0:
            return True
        if abs(tx - ty) <= tol:
            corner = (x1 if dx > 0 else x0, y1 if dy > 0 else y0)
            if not mesh._corner_open(corner, 1 if dx > 0 else -1, 1 if dy > 0 else -1):
                return False
        t = max(t_exit, t) + dt
        if t >= 1.0:
            return mesh._polygon_at(b) is not None
        nxt = mesh._polygon_at((a[0] + t * dx, a[1] + t * dy))
        if nxt is None:
            return False
        pid = nxt
    return False  # pragma: no cover - each step crosses a polygon; a guard against loops
