"""Character controllers: agents that follow waypoints on dynamic bodies.

Design: an agent is a **dynamic** body with fixed rotation, driven by **velocity
control**. Each tick, before the physics step, the controller system sets the
agent's ``Velocity`` towards its current waypoint (at most ``speed`` m/s, slowing so
as not to overshoot), adds a separation term away from nearby agents, and the step
then lets pymunk resolve contacts: the push system turns the velocity change into
a force over the next sub-step, so it enters in the velocity phase where contacts
constrain it; agents slide along walls (their collider has friction 0) and push
each other instead of overlapping. A kinematic body would pass through walls, which
is why agents are dynamic. Because the step moves a body with its current velocity
before a new one applies, the controller steers from the predicted position
``position + velocity * dt / substeps``.

The controller reports arrival (within ``arrive_radius`` of the last waypoint) and
being stuck (no progress of ``PhysicsConfig.stuck_progress_m`` towards the current
waypoint for ``stuck_after_s`` seconds) by setting ``status`` and sending
:class:`Arrived` / :class:`Stuck` events. Path planning lives in the nav package;
:func:`set_waypoints` is how a path reaches the controller.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import IntEnum
from typing import Any

import numpy as np
import numpy.typing as npt

from astraweave.ecs import Heading, Position, Velocity, World, component
from astraweave.errors import PhysicsQueryError
from astraweave.physics._components import (
    BodyKind,
    Collider,
    CollisionCount,
    RigidBody,
    ShapeKind,
)
from astraweave.physics._config import PhysicsConfig
from astraweave.physics._neighbors import neighbor_pairs
from astraweave.physics._world import PhysicsWorld

__all__ = [
    "Arrived",
    "CharacterController",
    "ControllerStatus",
    "Stuck",
    "character_bundle",
    "controller_system",
    "set_waypoints",
]

_PERSONAL_SPACE = 1.5
"""Agents closer than this many times the sum of their radii steer apart."""


class ControllerStatus(IntEnum):
    """Values of :attr:`CharacterController.status`."""

    IDLE = 0
    """No waypoints; the agent stands still."""
    MOVING = 1
    """Following ``waypoints``."""
    ARRIVED = 2
    """Within ``arrive_radius`` of the last waypoint; stands still."""
    STUCK = 3
    """No progress for ``stuck_after_s``; stands still until new waypoints."""


@component
class CharacterController:
    """Waypoint following for an agent (see the module docstring).

    Attributes:
        speed: top speed in m/s. Default 1.5.
        radius: the agent's radius in m, for separation. Default 0.4.
        arrive_radius: m; a waypoint counts as reached within this distance.
            Default 0.25.
        status: a :class:`ControllerStatus` (int). Default ``IDLE``.
        waypoints: a tuple of ``(x, y)`` points in metres (object field).
        waypoint_index: index of the waypoint being approached.
        stuck_timer: seconds without progress so far.
        stuck_after_s: seconds without progress before ``STUCK``. Default 2.0.
        best_distance: closest distance (m) to the current waypoint so far.
    """

    speed: float = 1.5
    radius: float = 0.4
    arrive_radius: float = 0.25
    status: int = 0
    waypoints: tuple[tuple[float, float], ...] | None = None
    waypoint_index: int = 0
    stuck_timer: float = 0.0
    stuck_after_s: float = 2.0
    best_distance: float = math.inf


@dataclass(frozen=True, slots=True)
class Arrived:
    """The agent ``entity`` reached its last waypoint; it comes to rest at
    ``position`` (metres) during the next step."""

    entity: int
    position: tuple[float, float]


@dataclass(frozen=True, slots=True)
class Stuck:
    """The agent ``entity`` made no progress towards waypoint ``waypoint_index``."""

    entity: int
    position: tuple[float, float]
    waypoint_index: int


def character_bundle(
    x: float,
    y: float,
    *,
    radius: float = 0.4,
    speed: float = 1.5,
    mass: float = 70.0,
    arrive_radius: float = 0.25,
    layers: int = 1,
    mask: int = 0xFFFF_FFFF,
) -> tuple[Any, ...]:
    """The components of an agent at ``(x, y)``: spawn it with ``world.spawn(*bundle)``.

    Position, Velocity, Heading, a dynamic fixed-rotation RigidBody of ``mass`` kg,
    a frictionless circle Collider of ``radius`` m, a CharacterController and a
    CollisionCount.

    Example:
        >>> from astraweave.ecs import World
        >>> world = World()
        >>> agent = world.spawn(*character_bundle(1.0, 2.0, speed=2.0))
        >>> world.get(agent, CharacterController).speed
        2.0
    """
    return (
        Position(float(x), float(y)),
        Velocity(0.0, 0.0),
        Heading(0.0),
        RigidBody(kind=BodyKind.DYNAMIC, mass=mass, fixed_rotation=True),
        Collider(shape=ShapeKind.CIRCLE, radius=radius, friction=0.0, layers=layers, mask=mask),
        CharacterController(speed=speed, radius=radius, arrive_radius=arrive_radius),
        CollisionCount(),
    )


def set_waypoints(world: World, entity: int, points: Iterable[Sequence[float]]) -> None:
    """Give agent ``entity`` a new path to follow (from its first point).

    An empty path makes the agent ``IDLE``. Not a structural change: callable from
    systems.

    Raises:
        PhysicsQueryError: a point is not two finite numbers.
        DeadEntityError, MissingComponentError: no such agent.

    Example:
        >>> from astraweave.ecs import World
        >>> world = World()
        >>> agent = world.spawn(*character_bundle(0.0, 0.0))
        >>> set_waypoints(world, agent, [(1.0, 0.0), (2.0, 1.0)])
        >>> cc = world.get(agent, CharacterController)
        >>> cc.waypoints, ControllerStatus(cc.status).name
        (((1.0, 0.0), (2.0, 1.0)), 'MOVING')
    """
    pts: list[tuple[float, float]] = []
    for p in points:
        try:
            x, y = float(p[0]), float(p[1])
            ok = len(p) == 2 and math.isfinite(x) and math.isfinite(y)
        except (TypeError, ValueError, IndexError):
            ok = False
        if not ok:
            raise PhysicsQueryError(
                f"waypoint {p!r:.60} of entity {entity} is not a finite point (x, y)",
                query="set_waypoints",
                argument="points",
                value=p,
                entity=entity,
            )
        pts.append((x, y))
    cc = world.get(entity, CharacterController)
    cc.waypoints = tuple(pts) if pts else None
    cc.waypoint_index = 0
    cc.status = ControllerStatus.MOVING if pts else ControllerStatus.IDLE
    cc.stuck_timer = 0.0
    cc.best_distance = math.inf
    world.set(entity, cc)


def _concat(parts: list[npt.NDArray[Any]], dtype: Any) -> npt.NDArray[Any]:
    return np.concatenate(parts).astype(dtype, copy=False) if parts else np.zeros(0, dtype=dtype)


def controller_system(world: World) -> None:
    """Steer every agent towards its waypoint (the ``physics.controller`` system).

    Reads ``Position`` and ``CharacterController``; writes ``Velocity``, ``Heading``
    (when present, to the direction of motion) and the controller's state; sends
    :class:`Arrived` and :class:`Stuck` events in entity order.
    """
    physics = world.try_resource(PhysicsWorld)
    cfg = physics.config if physics is not None else PhysicsConfig()
    chunks = list(world.query(CharacterController, Position, Velocity))
    if not chunks:
        return
    dt = world.dt
    ents = _concat([c.entities for c in chunks], np.int64)
    here = np.concatenate([np.column_stack((c[Position].x, c[Position].y)) for c in chunks])
    vel_now = np.concatenate([np.column_stack((c[Velocity].x, c[Velocity].y)) for c in chunks])
    # The next step first moves each body with its current velocity (a new velocity
    # only applies after), so steer from where the agent will be by then.
    pos = here + vel_now * (dt / cfg.substeps)
    cc = [c[CharacterController] for c in chunks]
    speed = _concat([v.speed for v in cc], np.float64)
    radius = _concat([v.radius for v in cc], np.float64)
    arrive = _concat([v.arrive_radius for v in cc], np.float64)
    status = _concat([v.status for v in cc], np.int64)
    index = _concat([v.waypoint_index for v in cc], np.int64)
    timer = _concat([v.stuck_timer for v in cc], np.float64)
    stuck_after = _concat([v.stuck_after_s for v in cc], np.float64)
    best = _concat([v.best_distance for v in cc], np.float64)
    wps = _concat([v.waypoints for v in cc], object)
    n = len(ents)
    target = pos.copy()
    last = np.zeros(n, dtype=np.bool_)
    # Hold position: an agent that arrived and was pushed more than twice its arrival
    # radius away from its final waypoint walks back to it.
    for i in np.flatnonzero(status == ControllerStatus.ARRIVED).tolist():
        path = wps[i]
        if path and math.hypot(path[-1][0] - pos[i, 0], path[-1][1] - pos[i, 1]) > 2 * arrive[i]:
            status[i] = ControllerStatus.MOVING
            index[i] = len(path) - 1
            timer[i], best[i] = 0.0, math.inf
    moving = status == ControllerStatus.MOVING
    for i in np.flatnonzero(moving).tolist():
        path = wps[i]
        if not path:
            status[i] = ControllerStatus.IDLE
            continue
        k = min(int(index[i]), len(path) - 1)
        px, py = pos[i]
        while k < len(path) - 1 and math.hypot(path[k][0] - px, path[k][1] - py) <= arrive[i]:
            k += 1
            timer[i], best[i] = 0.0, math.inf
        index[i] = k
        target[i] = path[k]
        last[i] = k == len(path) - 1
    moving = status == ControllerStatus.MOVING
    delta = target - pos
    dist = np.hypot(delta[:, 0], delta[:, 1])
    arrived = moving & last & (dist <= arrive)
    status[arrived] = ControllerStatus.ARRIVED
    moving &= ~arrived
    # Progress and stuck detection.
    progressed = dist < best - cfg.stuck_progress_m
    best = np.where(moving & progressed, dist, best)
    timer = np.where(moving & progressed, 0.0, np.where(moving, timer + dt, timer))
    stuck = moving & (timer >= stuck_after)
    status[stuck] = ControllerStatus.STUCK
    moving &= ~stuck
    # Desired velocity: towards the target, slowing down so as not to overshoot.
    with np.errstate(invalid="ignore", divide="ignore"):
        unit = np.where(dist[:, None] > 0, delta / dist[:, None], 0.0)
    want = np.minimum(speed, dist / dt)
    vel = unit * want[:, None]
    vel = vel + _separation(pos, radius, speed, ents, unit, cfg.separation_gain)
    norm = np.hypot(vel[:, 0], vel[:, 1])
    with np.errstate(invalid="ignore", divide="ignore"):
        scale = np.where(norm > speed, speed / norm, 1.0)
    vel *= scale[:, None]
    vel[~moving] = 0.0
    # Write back per chunk.
    start = 0
    for chunk, view in zip(chunks, cc, strict=True):
        m = len(chunk)
        sl = slice(start, start + m)
        start += m
        v = chunk[Velocity]
        v.x[:] = vel[sl, 0]
        v.y[:] = vel[sl, 1]
        h = chunk.get(Heading)
        if h is not None:
            turn = moving[sl] & (norm[sl] > 0)
            h.angle[:] = np.where(turn, np.arctan2(vel[sl, 1], vel[sl, 0]), h.angle)
        view.status[:] = status[sl]
        view.waypoint_index[:] = index[sl]
        view.stuck_timer[:] = timer[sl]
        view.best_distance[:] = best[sl]
    for i in np.flatnonzero(arrived | stuck)[np.argsort(ents[arrived | stuck])].tolist():
        where = (float(pos[i, 0]), float(pos[i, 1]))
        e = int(ents[i])
        world.send(Arrived(e, where) if arrived[i] else Stuck(e, where, int(index[i])))


def _separation(
    pos: npt.NDArray[np.float64],
    radius: npt.NDArray[np.float64],
    speed: npt.NDArray[np.float64],
    ents: npt.NDArray[np.int64],
    heading: npt.NDArray[np.float64],
    gain: float,
) -> npt.NDArray[np.float64]:
    """Velocity (m/s) steering each agent away from agents inside its personal space.

    Two terms, both weighted by how deep the neighbour is inside that space (0 at
    its edge, 1 when the centres meet): a push straight away from the neighbour,
    and, when the neighbour is ahead (along ``heading``, the unit desired
    direction), a sidestep to the right of ``heading``, so agents meeting head-on
    pass each other (everyone keeps right) instead of pushing against each other.
    """
    out = np.zeros_like(pos)
    if gain <= 0 or len(pos) < 2:
        return out
    reach = _PERSONAL_SPACE * 2.0 * float(radius.max())
    i, j = neighbor_pairs(pos, reach)
    if not len(i):
        return out
    space = _PERSONAL_SPACE * (radius[i] + radius[j])
    d = pos[i] - pos[j]
    dist = np.hypot(d[:, 0], d[:, 1])
    keep = dist < space
    i, j, d, dist, space = i[keep], j[keep], d[keep], dist[keep], space[keep]
    # Coincident agents: split along x, the smaller entity id to the left.
    same = dist == 0
    d[same] = np.where((ents[i[same]] < ents[j[same]])[:, None], [-1.0, 0.0], [1.0, 0.0])
    dist[same] = 1.0
    weight = (space - np.where(same, 0.0, dist)) / space
    away = d / dist[:, None]  # unit vector from j towards i
    push = away * weight[:, None]
    # Sidestep: j ahead of i when (pj - pi) . heading_i > 0; right of u is (u_y, -u_x).
    hi, hj = heading[i], heading[j]
    ahead_i = (-away * hi).sum(axis=1) > 0
    ahead_j = (away * hj).sum(axis=1) > 0
    side_i = np.column_stack((hi[:, 1], -hi[:, 0])) * (weight * ahead_i)[:, None]
    side_j = np.column_stack((hj[:, 1], -hj[:, 0])) * (weight * ahead_j)[:, None]
    np.add.at(out, i, (push + side_i) * (gain * speed[i])[:, None])
    np.add.at(out, j, (side_j - push) * (gain * speed[j])[:, None])
    return out
