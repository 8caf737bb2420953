"""Precondition helpers shared by the tools: each raises the typed rejection."""

from __future__ import annotations

import math

from astraweave.core._map import Point
from astraweave.core._view import EntityInfo, WorldView
from astraweave.errors import (
    FriendlyTargetError,
    InvalidTargetError,
    NoLineOfSightError,
    NoPathError,
    OutOfRangeError,
    TargetOutOfBoundsError,
)

__all__ = [
    "TOUCH_M",
    "dist",
    "require_ally",
    "require_enemy",
    "require_los",
    "require_path",
    "require_point",
    "require_range",
    "require_target",
]

TOUCH_M = 1.5
"""How close an agent must be to heal, revive or interact (metres)."""


def dist(a: Point, b: Point) -> float:
    """Euclidean distance in metres."""
    return math.hypot(a[0] - b[0], a[1] - b[1])


def require_point(view: WorldView, x: float, y: float, *, walkable: bool = True) -> Point:
    """The point ``(x, y)``, checked to be on the map (and walkable, or at least not
    inside a wall when ``walkable`` is false).

    Raises:
        TargetOutOfBoundsError: outside the map.
        NoPathError: ``walkable`` and the tile cannot be stood on.
        InvalidTargetError: not ``walkable`` and the tile is solid.
    """
    tm = view.map
    if not tm.in_bounds(x, y):
        raise TargetOutOfBoundsError(
            f"point ({x:g}, {y:g}) is outside the {tm.width} x {tm.height} m map",
            point=(x, y),
            width=tm.width,
            height=tm.height,
        )
    if walkable and not tm.walkable_at(x, y):
        raise NoPathError(
            f"point ({x:g}, {y:g}) is inside a wall or obstacle",
            start=None,
            goal=(x, y),
        )
    if not walkable:
        cx, cy = tm.cell_of(x, y)
        if not tm.transparent[cy, cx]:
            raise InvalidTargetError(
                f"point ({x:g}, {y:g}) is inside a wall", target=(x, y), point=(x, y)
            )
    return float(x), float(y)


def require_path(view: WorldView, start: Point, goal: Point) -> list[Point]:
    """The waypoints of a walkable path ``start`` -> ``goal``.

    Raises:
        NoPathError: no path exists.
    """
    path = view.map.find_path(start, goal)
    if path is None:
        raise NoPathError(
            f"no walkable path from ({start[0]:.1f}, {start[1]:.1f}) "
            f"to ({goal[0]:.1f}, {goal[1]:.1f})",
            start=start,
            goal=goal,
        )
    return path


def require_target(view: WorldView, target: int, *, allow_downed: bool = False) -> EntityInfo:
    """The live target entity.

    Raises:
        InvalidTargetError: absent, dead, not a character, or downed (unless allowed).
    """
    info = view.info(target)
    if info is None:
        raise InvalidTargetError(f"target {target} does not exist", target=target)
    if info.max_hp <= 0:
        raise InvalidTargetError(f"target {target} ({info.name}) is not a character", target=target)
    if info.dead:
        raise InvalidTargetError(f"target {target} ({info.name}) is dead", target=target)
    if info.downed and not allow_downed:
        raise InvalidTargetError(f"target {target} ({info.name}) is already down", target=target)
    return info


def require_enemy(view: WorldView, target: int, team: int) -> EntityInfo:
    """A live enemy (another team).

    Raises:
        InvalidTargetError: see :func:`require_target`.
        FriendlyTargetError: the target is on ``team``.
    """
    info = require_target(view, target)
    if info.team == team:
        raise FriendlyTargetError(
            f"target {target} ({info.name}) is on the actor's own team", target=target
        )
    return info


def require_ally(
    view: WorldView, target: int, team: int, *, allow_downed: bool = False
) -> EntityInfo:
    """A live ally (same team).

    Raises:
        InvalidTargetError: absent, dead, of another team, or downed (unless allowed).
    """
    info = require_target(view, target, allow_downed=allow_downed)
    if info.team != team:
        raise InvalidTargetError(
            f"target {target} ({info.name}) is not on the actor's team", target=target
        )
    return info


def require_range(what: str, distance: float, range_m: float) -> None:
    """Raises OutOfRangeError when ``distance`` exceeds ``range_m``."""
    if distance > range_m + 1e-9:
        raise OutOfRangeError(
            f"{what} is {distance:.1f} m away; the range is {range_m:g} m",
            distance_m=round(distance, 3),
            range_m=range_m,
        )


def require_los(view: WorldView, a: Point, b: Point, what: str, *, smoke: bool = True) -> None:
    """Raises NoLineOfSightError when walls, closed doors (or ``smoke``) block ``a``-``b``."""
    clear = view.can_see(a, b) if smoke else view.walls_clear(a, b)
    if not clear:
        blocker = "walls or smoke" if smoke else "walls"
        raise NoLineOfSightError(f"{what} is hidden by {blocker}", target=what)
