"""Movement tools: MoveTo, Approach, Retreat, TakeCover, Patrol, Regroup.

Every movement walks a tile path at the actor's speed (``Mover.speed_mps``) over
ticks; nothing teleports. The dry run moves the actor to the destination and
charges ``path length / speed`` seconds.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Literal, cast

import numpy as np
from pydantic import Field

from astraweave.core._checks import dist, require_enemy, require_path, require_point
from astraweave.core._components import Agent, Stance
from astraweave.core._map import Point, TileMap
from astraweave.core._plan import Point as PointArg
from astraweave.core._plan import ToolArgs
from astraweave.core._registry import ActorState, Forecast, StepRun, Tool
from astraweave.core._routes import penalty_signature, route_field, safe_path, safe_penalty
from astraweave.core._view import WorldView
from astraweave.errors import InvalidTargetError, NoPathError, PreconditionFailedError, ToolError

if TYPE_CHECKING:
    from astraweave.core._snapshot import WorldSnapshot

__all__ = [
    "ApproachArgs",
    "MoveToArgs",
    "PatrolArgs",
    "RegroupArgs",
    "RetreatArgs",
    "TakeCoverArgs",
    "movement_tools",
]

REPATH_S = 0.5
"""How often tools chasing a moving goal (Approach, Regroup) re-plan their path."""


# ----------------------------------------------------------------------- helpers
def _speed(state: ActorState) -> float:
    if state.speed_mps <= 0:
        raise PreconditionFailedError(
            "the actor cannot move (speed 0)", reason="no Mover or speed 0"
        )
    return state.speed_mps


def point_along(start: Point, waypoints: list[Point], s: float) -> Point:
    """The point ``s`` metres along the polyline ``start`` -> waypoints (clamped)."""
    px, py = start
    if s <= 0:
        return start
    for x, y in waypoints:
        seg = math.hypot(x - px, y - py)
        if seg >= s:
            t = s / seg if seg > 0 else 0.0
            return px + (x - px) * t, py + (y - py) * t
        s -= seg
        px, py = x, y
    return px, py


def nearest_walkable(tm: TileMap, p: Point, max_r: int = 3) -> Point | None:
    """``p`` itself when walkable, else the nearest walkable tile centre within
    ``max_r`` tiles (ties: lower row, then lower column)."""
    if tm.walkable_at(*p):
        return p
    cx, cy = tm.cell_of(*p)
    best: tuple[float, int, int] | None = None
    for y in range(cy - max_r, cy + max_r + 1):
        for x in range(cx - max_r, cx + max_r + 1):
            if 0 <= x < tm.width and 0 <= y < tm.height and tm.walkable[y, x]:
                d = math.hypot(x + 0.5 - p[0], y + 0.5 - p[1])
                if best is None or (d, y, x) < best:
                    best = (d, y, x)
    return None if best is None else (best[2] + 0.5, best[1] + 0.5)


def _reachable_goal(view: WorldView, start: Point, p: Point, what: str) -> Point:
    """Where to walk to get close to ``p``: ``p`` itself when it can be reached, else
    the nearest walkable tile centre within 3 tiles that ``start`` can reach (ties:
    lower row, then lower column).

    Raises:
        NoPathError: no reachable tile near ``p``.
    """
    tm = view.map
    field = route_field(tm, start)
    if field is None:
        goal = nearest_walkable(tm, p)
    elif tm.walkable_at(*p) and field.reachable(tm.cell_of(*p)):
        goal = p
    else:
        cx, cy = tm.cell_of(*p)
        best: tuple[float, int, int] | None = None
        for y in range(cy - 3, cy + 4):
            for x in range(cx - 3, cx + 4):
                if field.reachable((x, y)):
                    d = math.hypot(x + 0.5 - p[0], y + 0.5 - p[1])
                    if best is None or (d, y, x) < best:
                        best = (d, y, x)
        goal = None if best is None else (best[2] + 0.5, best[1] + 0.5)
    if goal is None:
        raise NoPathError(f"{what} has no reachable tile nearby", start=start, goal=p)
    return goal


def point_within(
    start: Point, waypoints: list[Point], target: Point, distance: float
) -> tuple[Point, float]:
    """The first point of the polyline ``start`` -> waypoints within ``distance`` of
    ``target`` (its end when it never comes that close), and the metres walked to it."""
    a = start
    walked = 0.0
    r2 = distance * distance
    if (a[0] - target[0]) ** 2 + (a[1] - target[1]) ** 2 <= r2:
        return a, 0.0
    for b in waypoints:
        dx, dy = b[0] - a[0], b[1] - a[1]
        fx, fy = a[0] - target[0], a[1] - target[1]
        qa = dx * dx + dy * dy
        qb = 2 * (fx * dx + fy * dy)
        qc = fx * fx + fy * fy - r2
        disc = qb * qb - 4 * qa * qc
        seg = math.sqrt(qa)
        if qa > 0 and disc >= 0:
            t = (-qb - math.sqrt(disc)) / (2 * qa)
            if 0.0 <= t <= 1.0:
                return (a[0] + dx * t, a[1] + dy * t), walked + seg * t
        walked += seg
        a = b
    return a, walked


def retreat_point(view: WorldView, start: Point, threat: Point, distance: float) -> list[Point]:
    """The path to a reachable tile within ``distance`` of ``start``, at least 1 m
    farther from ``threat`` than now: one out of the threat's line of sight when
    there is one, else the farthest from it.

    Raises:
        NoPathError: there is nowhere to retreat to.
    """
    tm = view.map
    ys, xs = np.nonzero(tm.walkable)
    cx, cy = xs + 0.5, ys + 0.5
    near = np.hypot(cx - start[0], cy - start[1]) <= distance
    away = np.hypot(cx - threat[0], cy - threat[1])
    ok = near & (away >= dist(start, threat) + 1.0)
    seen = tm.lines_of_sight(threat, np.stack([cx[ok], cy[ok]], axis=1).astype(np.float64))
    order = np.lexsort((xs[ok], ys[ok], -away[ok], seen))
    for i in order[:12]:
        goal = (float(cx[ok][i]), float(cy[ok][i]))
        path = tm.find_path(start, goal)
        if path is not None and tm.path_length(start, path) <= distance * 1.6:
            return path
    raise NoPathError(
        f"nowhere to retreat within {distance:g} m away from the threat", start=start, goal=None
    )


def cover_path(
    view: WorldView, start: Point, threat: Point | None, max_distance: float
) -> list[Point]:
    """The path to the nearest reachable cover tile (one that shelters from
    ``threat`` when given) within ``max_distance``; ``[]`` when already there.

    Raises:
        PreconditionFailedError: no cover within reach.
    """
    tm = view.map
    tiles = tm.cover_tiles()
    if len(tiles):
        centres = tiles.astype(np.float64) + 0.5
        d = np.hypot(centres[:, 0] - start[0], centres[:, 1] - start[1])
        order = np.lexsort((tiles[:, 0], tiles[:, 1], d))
        tried = 0
        for i in order:
            if d[i] > max_distance or tried >= 16:
                break
            c = (float(centres[i, 0]), float(centres[i, 1]))
            if threat is not None and tm.cover_against(c, threat) <= 0:
                continue
            tried += 1
            if d[i] < 0.5:
                return []
            path = tm.find_path(start, c)
            if path is not None and tm.path_length(start, path) <= max_distance * 1.6:
                return path
    raise PreconditionFailedError(
        f"no reachable cover within {max_distance:g} m", reason="no cover nearby"
    )


def _move_forecast(state: ActorState, path: list[Point], extra_s: float = 0.0) -> Forecast:
    length = TileMap.path_length(state.pos, path)
    end = path[-1] if path else state.pos
    return Forecast(
        state.replace(x=end[0], y=end[1], crouched=False),
        length / _speed(state) + extra_s,
    )


# ------------------------------------------------------------------------ MoveTo
class MoveToArgs(ToolArgs):
    """Walk to a point."""

    tool: Literal["MoveTo"] = "MoveTo"
    x: float = Field(description="destination x (m)")
    y: float = Field(description="destination y (m)")
    safe: bool = Field(
        default=False,
        description="take the safe route: around hazards and out of known enemies' sight "
        "wherever a detour exists (longer, re-routed as new enemies are seen)",
    )


def _safe_route(view: WorldView, actor: int, start: Point, goal: Point) -> list[Point]:
    path = safe_path(view, actor, start, goal)
    if path is None:
        return require_path(view, start, goal)  # raises NoPathError with the usual message
    return path


class MoveTo(Tool):
    """Walk along a path to a point at the actor's speed: the shortest path, or with
    ``safe`` the safe route (see :mod:`astraweave.core._routes`), which is re-planned
    every 0.5 s when the actor learns of new threats."""

    name = "MoveTo"
    interruptible = True
    args_model = MoveToArgs
    summary = "walk along a path to the point (x, y); safe=true: around hazards and out of sight"
    category = "movement"
    provides = frozenset({"at_destination"})
    removes = frozenset({"in_cover"})

    def check(self, view: WorldView, state: ActorState, args: MoveToArgs) -> Forecast:
        goal = require_point(view, args.x, args.y)
        if args.safe:
            return _move_forecast(state, _safe_route(view, state.entity, state.pos, goal))
        return _move_forecast(state, require_path(view, state.pos, goal))

    def start(self, run: StepRun) -> None:
        args = cast(MoveToArgs, run.args)
        goal = (args.x, args.y)
        if args.safe:
            run.move_along(_safe_route(run.view, run.actor, run.pos, goal))
            run.aux_x = penalty_signature(safe_penalty(run.view, run.actor)[0])
            run.count = 0
        else:
            run.move_along(require_path(run.view, run.pos, goal))

    def update(self, run: StepRun) -> bool:
        args = cast(MoveToArgs, run.args)
        if not run.moving():
            return True
        if args.safe:
            run.count += 1
            if run.count * run.dt >= REPATH_S:
                run.count = 0
                sig = penalty_signature(safe_penalty(run.view, run.actor)[0])
                if sig != run.aux_x:
                    run.aux_x = sig
                    run.move_along(_safe_route(run.view, run.actor, run.pos, (args.x, args.y)))
        return False

    def bind(self, snapshot: WorldSnapshot) -> list[ToolArgs]:
        return [
            MoveToArgs(x=p.stand[0], y=p.stand[1])
            for p in snapshot.pois
            if not p.active and p.stand is not None
        ]


# ---------------------------------------------------------------------- Approach
class ApproachArgs(ToolArgs):
    """Walk towards an entity until within a distance of it."""

    tool: Literal["Approach"] = "Approach"
    target: int = Field(ge=0, description="entity id to approach")
    distance: float = Field(default=2.0, ge=0.5, le=30.0, description="stop this close (m)")


def _chase_goal(run: StepRun, goal: Point) -> bool:
    """Walk towards ``goal``; False when already as close as the map allows."""
    reach = _reachable_goal(run.view, run.pos, goal, "the goal")
    run.aux_x, run.aux_y = goal
    if dist(run.pos, reach) < 0.05:
        run.stop()
        return False
    run.move_along(require_path(run.view, run.pos, reach))
    return True


def _chase(run: StepRun, goal: Point, within: float) -> bool:
    """One tick of walking towards a moving goal; True once within ``within`` m (or
    as close as the map allows)."""
    if dist(run.pos, goal) <= within:
        run.stop()
        return True
    run.count += 1
    due = run.count * run.dt >= REPATH_S
    if not run.moving() or (due and dist(goal, (run.aux_x, run.aux_y)) > 1.0):
        run.count = 0
        return not _chase_goal(run, goal)
    return False


class Approach(Tool):
    """Close in on an entity (enemy, ally, downed ally, point of interest)."""

    name = "Approach"
    interruptible = True
    args_model = ApproachArgs
    summary = "walk towards entity `target` until within `distance` m of it"
    category = "movement"
    provides = frozenset({"near_target", "enemy_in_range", "near_ally", "near_poi"})
    removes = frozenset({"in_cover"})

    @staticmethod
    def _target(view: WorldView, target: int) -> Point:
        info = view.info(target)
        if info is None:
            raise InvalidTargetError(f"target {target} does not exist", target=target)
        if info.dead:
            raise InvalidTargetError(f"target {target} ({info.name}) is dead", target=target)
        return info.pos

    def check(self, view: WorldView, state: ActorState, args: ApproachArgs) -> Forecast:
        tpos = self._target(view, args.target)
        if dist(state.pos, tpos) <= args.distance:
            return Forecast(state, 0.0)
        goal = _reachable_goal(view, state.pos, tpos, f"target {args.target}")
        path = require_path(view, state.pos, goal)
        end, walked = point_within(state.pos, path, tpos, args.distance)
        return Forecast(state.replace(x=end[0], y=end[1], crouched=False), walked / _speed(state))

    def start(self, run: StepRun) -> None:
        args = cast(ApproachArgs, run.args)
        goal = self._target(run.view, args.target)
        if dist(run.pos, goal) > args.distance:
            _chase_goal(run, goal)
        run.count = 0

    def update(self, run: StepRun) -> bool:
        args = cast(ApproachArgs, run.args)
        return _chase(run, self._target(run.view, args.target), args.distance)

    def bind(self, snapshot: WorldSnapshot) -> list[ToolArgs]:
        out: list[ToolArgs] = [ApproachArgs(target=e.id) for e in snapshot.enemies if e.visible]
        out += [ApproachArgs(target=a.id, distance=1.0) for a in snapshot.allies if a.downed]
        return out


# ----------------------------------------------------------------------- Retreat
class RetreatArgs(ToolArgs):
    """Fall back away from a threat."""

    tool: Literal["Retreat"] = "Retreat"
    target: int = Field(ge=0, description="the enemy to get away from")
    distance: float = Field(default=6.0, ge=1.0, le=20.0, description="how far to fall back (m)")


class Retreat(Tool):
    """Fall back to the reachable spot farthest from a threat."""

    name = "Retreat"
    interruptible = True
    args_model = RetreatArgs
    summary = "fall back up to `distance` m, away from enemy `target`"
    category = "movement"
    requires = frozenset({"enemy_visible"})
    provides = frozenset({"safe_distance"})
    removes = frozenset({"in_cover", "enemy_in_range"})

    def check(self, view: WorldView, state: ActorState, args: RetreatArgs) -> Forecast:
        threat = require_enemy(view, args.target, state.team)
        return _move_forecast(state, retreat_point(view, state.pos, threat.pos, args.distance))

    def start(self, run: StepRun) -> None:
        args = cast(RetreatArgs, run.args)
        threat = require_enemy(run.view, args.target, _team(run))
        run.move_along(retreat_point(run.view, run.pos, threat.pos, args.distance))

    def update(self, run: StepRun) -> bool:
        return not run.moving()

    def bind(self, snapshot: WorldSnapshot) -> list[ToolArgs]:
        return [RetreatArgs(target=e.id) for e in snapshot.enemies if e.visible]


def _team(run: StepRun) -> int:
    info = run.view.info(run.actor)
    return -1 if info is None else info.team


# --------------------------------------------------------------------- TakeCover
class TakeCoverArgs(ToolArgs):
    """Move behind the nearest cover and crouch."""

    tool: Literal["TakeCover"] = "TakeCover"
    target: int | None = Field(default=None, ge=0, description="enemy to hide from (optional)")
    max_distance: float = Field(default=8.0, ge=1.0, le=20.0, description="search radius (m)")


class TakeCover(Tool):
    """Move to the nearest cover tile (sheltered from ``target`` if given), crouch."""

    name = "TakeCover"
    interruptible = True
    args_model = TakeCoverArgs
    summary = "move to the nearest cover within `max_distance` m (facing `target`) and crouch"
    category = "movement"
    provides = frozenset({"in_cover"})

    def _path(self, view: WorldView, pos: Point, team: int, args: TakeCoverArgs) -> list[Point]:
        threat = None
        if args.target is not None:
            threat = require_enemy(view, args.target, team).pos
        return cover_path(view, pos, threat, args.max_distance)

    def check(self, view: WorldView, state: ActorState, args: TakeCoverArgs) -> Forecast:
        fc = _move_forecast(state, self._path(view, state.pos, state.team, args), 0.25)
        return Forecast(fc.state.replace(crouched=True), fc.duration_s)

    def start(self, run: StepRun) -> None:
        args = cast(TakeCoverArgs, run.args)
        run.move_along(self._path(run.view, run.pos, _team(run), args))

    def update(self, run: StepRun) -> bool:
        if run.moving():
            return False
        run.world.set(run.actor, Stance(crouched=True))
        return True

    def bind(self, snapshot: WorldSnapshot) -> list[ToolArgs]:
        visible = [e for e in snapshot.enemies if e.visible]
        if not visible:
            return [TakeCoverArgs()]
        return [TakeCoverArgs(target=min(visible, key=lambda e: (e.distance, e.id)).id)]


# ------------------------------------------------------------------------ Patrol
class PatrolArgs(ToolArgs):
    """Walk a loop of waypoints."""

    tool: Literal["Patrol"] = "Patrol"
    waypoints: list[PointArg] = Field(min_length=1, max_length=8, description="points in order")
    loops: int = Field(default=1, ge=1, le=5, description="times round the loop")


class Patrol(Tool):
    """Walk the waypoints in order, ``loops`` times (returning to the first)."""

    name = "Patrol"
    interruptible = True
    args_model = PatrolArgs
    summary = "walk the `waypoints` in order, `loops` times round"
    category = "movement"
    provides = frozenset({"area_patrolled"})
    removes = frozenset({"in_cover"})
    goap_cost = 2.0

    @staticmethod
    def _legs(args: PatrolArgs) -> list[Point]:
        pts = [(p.x, p.y) for p in args.waypoints]
        return pts * args.loops

    def check(self, view: WorldView, state: ActorState, args: PatrolArgs) -> Forecast:
        legs = self._legs(args)
        pos, total = state.pos, 0.0
        for i, wp in enumerate(legs):
            n = i % len(args.waypoints)
            try:
                goal = require_point(view, *wp)
                path = require_path(view, pos, goal)
            except ToolError as exc:
                raise type(exc)(
                    f"waypoint {n}: {exc.message}", hint=exc.hint, **exc.context
                ) from None
            total += TileMap.path_length(pos, path)
            pos = goal
        return Forecast(state.replace(x=pos[0], y=pos[1], crouched=False), total / _speed(state))

    def start(self, run: StepRun) -> None:
        args = cast(PatrolArgs, run.args)
        run.phase = 0
        run.move_along(require_path(run.view, run.pos, self._legs(args)[0]))

    def update(self, run: StepRun) -> bool:
        args = cast(PatrolArgs, run.args)
        if run.moving():
            return False
        legs = self._legs(args)
        run.phase += 1
        if run.phase >= len(legs):
            return True
        run.move_along(require_path(run.view, run.pos, legs[run.phase]))
        return False

    def bind(self, snapshot: WorldSnapshot) -> list[ToolArgs]:
        pts = snapshot.agent.patrol
        if not pts:
            return []
        return [PatrolArgs(waypoints=[PointArg(x=p[0], y=p[1]) for p in pts])]


# ----------------------------------------------------------------------- Regroup
class RegroupArgs(ToolArgs):
    """Move back to the team."""

    tool: Literal["Regroup"] = "Regroup"
    radius: float = Field(default=3.0, ge=1.0, le=15.0, description="stop this close (m)")


def _rally_point(view: WorldView, actor: int, team: int) -> Point:
    agent = view.world.try_get(actor, Agent)
    if agent is not None and agent.leader >= 0:
        leader = view.info(agent.leader)
        if leader is not None and leader.team == team and not leader.dead:
            return leader.pos
    cols = view.fighters()
    mates = (cols["team"] == team) & (cols["id"] != actor) & ~cols["dead"] & ~cols["downed"]
    if not mates.any():
        raise PreconditionFailedError("no living ally to regroup with", reason="no ally")
    return float(cols["x"][mates].mean()), float(cols["y"][mates].mean())


class Regroup(Tool):
    """Walk back to the leader (or the allies' centre) until within ``radius``."""

    name = "Regroup"
    interruptible = True
    args_model = RegroupArgs
    summary = "walk back to the leader or the allies' centre until within `radius` m"
    category = "movement"
    provides = frozenset({"near_ally"})
    removes = frozenset({"in_cover"})

    def check(self, view: WorldView, state: ActorState, args: RegroupArgs) -> Forecast:
        rally = _rally_point(view, state.entity, state.team)
        if dist(state.pos, rally) <= args.radius:
            return Forecast(state, 0.0)
        goal = _reachable_goal(view, state.pos, rally, "the rally point")
        path = require_path(view, state.pos, goal)
        end, walked = point_within(state.pos, path, rally, args.radius)
        return Forecast(state.replace(x=end[0], y=end[1], crouched=False), walked / _speed(state))

    def start(self, run: StepRun) -> None:
        args = cast(RegroupArgs, run.args)
        rally = _rally_point(run.view, run.actor, _team(run))
        if dist(run.pos, rally) > args.radius:
            _chase_goal(run, rally)

    def update(self, run: StepRun) -> bool:
        args = cast(RegroupArgs, run.args)
        return _chase(run, _rally_point(run.view, run.actor, _team(run)), args.radius)

    def bind(self, snapshot: WorldSnapshot) -> list[ToolArgs]:
        return [RegroupArgs()] if snapshot.allies else []


def movement_tools() -> list[Tool]:
    """Fresh instances of the movement tools."""
    return [MoveTo(), Approach(), Retreat(), TakeCover(), Patrol(), Regroup()]
