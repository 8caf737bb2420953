"""Utility tools: Interact (doors, switches, keys, terminals), Scan, Wait, MarkTarget,
Distract."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal, cast

import numpy as np
from pydantic import Field

from astraweave.core._bodies import set_door_blocked, uses_physics
from astraweave.core._checks import (
    TOUCH_M,
    dist,
    require_enemy,
    require_los,
    require_point,
    require_range,
)
from astraweave.core._components import (
    Agent,
    Inventory,
    PointOfInterest,
    SequenceLock,
    SequenceMember,
    Status,
)
from astraweave.core._map import DOOR_CLOSED, DOOR_OPEN
from astraweave.core._plan import ToolArgs
from astraweave.core._registry import ActorState, Forecast, StepRun, Tool
from astraweave.core._tools_support import (
    DISTRACT_RADIUS_M,
    DISTRACT_RANGE_M,
    DISTRACT_S,
    INTERACT_TIME_S,
    MARK_S,
    SCAN_S,
    perception_radius,
)
from astraweave.core._view import EntityInfo, WorldView
from astraweave.errors import (
    InsufficientResourceError,
    InvalidTargetError,
    PreconditionFailedError,
)

if TYPE_CHECKING:
    from astraweave.core._snapshot import WorldSnapshot

__all__ = [
    "DistractArgs",
    "InteractArgs",
    "MarkTargetArgs",
    "ScanArgs",
    "WaitArgs",
    "utility_tools",
]


# ---------------------------------------------------------------------- Interact
class InteractArgs(ToolArgs):
    """Use a point of interest: a door, switch, key, terminal or objective."""

    tool: Literal["Interact"] = "Interact"
    target: int = Field(ge=0, description="point-of-interest entity id")


class Interact(Tool):
    """Within 1.5 m of a point of interest, for 0.5 s: toggle a door (a locked one
    needs and consumes a key; a remote one only opens through its switch), flip a
    switch (toggles its linked door, or advances its sequence lock), pick up a key, or
    activate a terminal or objective."""

    name = "Interact"
    args_model = InteractArgs
    summary = "use point of interest `target` within 1.5 m: door, switch, key, terminal"
    category = "utility"
    cost_text = "a key for locked doors"
    range_m = TOUCH_M
    requires = frozenset({"near_poi"})
    provides = frozenset({"poi_used", "door_open"})

    @staticmethod
    def _poi(view: WorldView, target: int) -> tuple[EntityInfo, PointOfInterest]:
        info = view.info(target)
        poi = view.world.try_get(target, PointOfInterest) if info is not None else None
        if info is None or poi is None:
            raise InvalidTargetError(f"target {target} is not a point of interest", target=target)
        return info, poi

    @staticmethod
    def _door_tile(poi: PointOfInterest) -> tuple[int, int] | None:
        return (poi.cell_x, poi.cell_y) if poi.cell_x >= 0 and poi.cell_y >= 0 else None

    def check(self, view: WorldView, state: ActorState, args: InteractArgs) -> Forecast:
        info, poi = self._poi(view, args.target)
        require_range(
            f"point of interest {args.target} ({info.name})", dist(state.pos, info.pos), TOUCH_M
        )
        tiles, res = state.tiles, dict(state.resources)
        if poi.kind == "key" and poi.active:
            raise PreconditionFailedError(f"key {info.name} was already taken", reason="taken")
        if poi.kind in ("terminal", "objective") and poi.active:
            raise PreconditionFailedError(
                f"{poi.kind} {info.name} is already activated", reason="already active"
            )
        if poi.remote:
            raise PreconditionFailedError(
                f"{poi.kind} {info.name} is operated by a switch, not by hand",
                reason="remote",
                hint="use the switch linked to it, or the switches of its sequence lock",
            )
        door = args.target if poi.kind == "door" else (poi.link if poi.kind == "switch" else -1)
        if door >= 0:
            dinfo, dpoi = self._poi(view, door)
            tile = self._door_tile(dpoi)
            if tile is not None:
                overrides = {(x, y): k for x, y, k in tiles}
                current = overrides.get(tile, view.map.kind_at(*tile))
                opening = current == DOOR_CLOSED
                if poi.kind == "door" and dpoi.locked and opening:
                    if res.get("keys", 0) <= 0:
                        raise InsufficientResourceError(
                            f"door {dinfo.name} is locked and the actor has no key",
                            resource="keys",
                            needed=1,
                            available=0,
                        )
                    res["keys"] -= 1
                if not opening and self._occupied(view, tile):
                    raise PreconditionFailedError(
                        f"door {dinfo.name} cannot close: the doorway is occupied",
                        reason="doorway occupied",
                    )
                tiles = (*tiles, (tile[0], tile[1], DOOR_OPEN if opening else DOOR_CLOSED))
        if poi.kind == "key":
            res["keys"] = res.get("keys", 0) + 1
        return Forecast(state.replace(tiles=tiles, resources=res), INTERACT_TIME_S)

    @staticmethod
    def _occupied(view: WorldView, tile: tuple[int, int]) -> bool:
        cols = view.fighters()
        inside = (np.floor(cols["x"]) == tile[0]) & (np.floor(cols["y"]) == tile[1])
        return bool(inside.any())

    def start(self, run: StepRun) -> None:
        run.phase = 0

    def update(self, run: StepRun) -> bool:
        args = cast(InteractArgs, run.args)
        if run.elapsed_s + 1e-9 < INTERACT_TIME_S:
            return False
        world = run.world
        _, poi = self._poi(run.view, args.target)
        if poi.kind == "key":
            inv = world.get(run.actor, Inventory)
            inv.keys += 1
            world.set(run.actor, inv)
            poi.active = True
            world.set(args.target, poi)
        elif poi.kind == "door":
            self._toggle_door(run, args.target, poi, use_key=True)
        elif poi.kind == "switch":
            poi.active = not poi.active
            world.set(args.target, poi)
            if poi.link >= 0:
                self._toggle_door(run, poi.link, world.get(poi.link, PointOfInterest), False)
        else:
            poi.active = True
            world.set(args.target, poi)
        run.send("interacted", args.target, 1.0 if poi.active else 0.0, poi.kind)
        member = world.try_get(args.target, SequenceMember)
        if member is not None:
            self._advance(run, args.target, member)
        return True

    def _advance(self, run: StepRun, switch: int, member: SequenceMember) -> None:
        """A switch of a sequence lock was used: advance, reset or complete the lock."""
        world = run.world
        lock = world.get(member.lock, SequenceLock)
        order = tuple(lock.order)
        if lock.progress >= len(order):
            return
        if order[lock.progress] == switch:
            lock.progress += 1
            what = "done" if lock.progress == len(order) else "advanced"
        else:
            lock.progress = 1 if order[0] == switch else 0
            what = "reset"
        world.set(member.lock, lock)
        run.send("sequence", member.lock, float(lock.progress), f"{lock.name}: {what}")
        if what != "done":
            return
        target = world.get(member.lock, PointOfInterest)
        if target.kind == "door":
            if not target.active:
                self._toggle_door(run, member.lock, target, False)
        else:
            target.active = True
            world.set(member.lock, target)

    @staticmethod
    def _toggle_door(run: StepRun, door: int, poi: PointOfInterest, use_key: bool) -> None:
        world = run.world
        opening = not poi.active
        if opening and poi.locked and use_key:
            inv = world.get(run.actor, Inventory)
            inv.keys -= 1
            world.set(run.actor, inv)
            poi.locked = False
        poi.active = opening
        world.set(door, poi)
        if poi.cell_x >= 0:
            run.view.map.set_kind(poi.cell_x, poi.cell_y, DOOR_OPEN if opening else DOOR_CLOSED)
            if uses_physics(world):
                set_door_blocked(world, poi.cell_x, poi.cell_y, not opening)

    def bind(self, snapshot: WorldSnapshot) -> list[ToolArgs]:
        return [InteractArgs(target=p.id) for p in snapshot.pois if p.distance <= TOUCH_M]


# -------------------------------------------------------------------------- Scan
class ScanArgs(ToolArgs):
    """Look around carefully."""

    tool: Literal["Scan"] = "Scan"


class Scan(Tool):
    """Widen perception by half for 5 s (instant)."""

    name = "Scan"
    interruptible = True
    args_model = ScanArgs
    summary = "look around: perception radius x1.5 for 5 s"
    category = "utility"
    cooldown_s = 10.0
    provides = frozenset({"area_scanned"})

    def check(self, view: WorldView, state: ActorState, args: ScanArgs) -> Forecast:
        if not view.world.has(state.entity, Status):
            raise PreconditionFailedError("the actor has no Status to scan with", reason="")
        return Forecast(state, 0.0)

    def start(self, run: StepRun) -> None:
        status = run.world.get(run.actor, Status)
        status.scan_s = SCAN_S
        run.world.set(run.actor, status)
        run.send("scanned", -1, SCAN_S)

    def update(self, run: StepRun) -> bool:
        return True

    def bind(self, snapshot: WorldSnapshot) -> list[ToolArgs]:
        return [ScanArgs()]


# -------------------------------------------------------------------------- Wait
class WaitArgs(ToolArgs):
    """Hold position."""

    tool: Literal["Wait"] = "Wait"
    seconds: float = Field(default=1.0, gt=0.0, le=10.0, description="how long (s)")


class Wait(Tool):
    """Do nothing for ``seconds`` (the agent holds its position and stance)."""

    name = "Wait"
    interruptible = True
    args_model = WaitArgs
    summary = "hold position for `seconds` s"
    category = "utility"
    goap_cost = 0.5

    def check(self, view: WorldView, state: ActorState, args: WaitArgs) -> Forecast:
        return Forecast(state, args.seconds)

    def start(self, run: StepRun) -> None:
        run.stop()

    def update(self, run: StepRun) -> bool:
        return run.elapsed_s + 1e-9 >= cast(WaitArgs, run.args).seconds

    def bind(self, snapshot: WorldSnapshot) -> list[ToolArgs]:
        return [WaitArgs()]


# -------------------------------------------------------------------- MarkTarget
class MarkTargetArgs(ToolArgs):
    """Tag an enemy for the whole team."""

    tool: Literal["MarkTarget"] = "MarkTarget"
    target: int = Field(ge=0, description="enemy entity id")


class MarkTarget(Tool):
    """Mark a visible enemy for 10 s: every ally's snapshot shows it, seen or not."""

    name = "MarkTarget"
    args_model = MarkTargetArgs
    summary = "mark visible enemy `target` for 10 s: all allies see it"
    range_text = "perception radius"
    category = "utility"
    cooldown_s = 3.0
    requires = frozenset({"enemy_visible"})
    provides = frozenset({"enemy_marked"})
    goap_cost = 0.5

    def check(self, view: WorldView, state: ActorState, args: MarkTargetArgs) -> Forecast:
        info = require_enemy(view, args.target, state.team)
        what = f"target {args.target} ({info.name})"
        require_range(what, dist(state.pos, info.pos), perception_radius(view, state.entity))
        require_los(view, state.pos, info.pos, what)
        return Forecast(state, 0.0)

    def start(self, run: StepRun) -> None:
        args = cast(MarkTargetArgs, run.args)
        me = run.view.info(run.actor)
        status = run.world.get(args.target, Status)
        status.marked_s = MARK_S
        status.marked_by = me.team if me is not None else -1
        run.world.set(args.target, status)
        run.send("marked", args.target, MARK_S)

    def update(self, run: StepRun) -> bool:
        return True

    def bind(self, snapshot: WorldSnapshot) -> list[ToolArgs]:
        return [MarkTargetArgs(target=e.id) for e in snapshot.enemies if e.visible and not e.marked]


# ---------------------------------------------------------------------- Distract
class DistractArgs(ToolArgs):
    """Make a noise somewhere to draw enemies' attention."""

    tool: Literal["Distract"] = "Distract"
    x: float = Field(description="noise point x (m)")
    y: float = Field(description="noise point y (m)")


class Distract(Tool):
    """Throw a noise-maker: enemy agents within 8 m of the point look there for 5 s
    (their perception halves and their planners see the distraction)."""

    name = "Distract"
    args_model = DistractArgs
    summary = "make a noise at (x, y): enemies within 8 m look there for 5 s"
    category = "utility"
    cooldown_s = 8.0
    range_m = DISTRACT_RANGE_M
    provides = frozenset({"enemy_distracted"})

    def check(self, view: WorldView, state: ActorState, args: DistractArgs) -> Forecast:
        point = require_point(view, args.x, args.y, walkable=False)
        require_range("the noise point", dist(state.pos, point), DISTRACT_RANGE_M)
        return Forecast(state, INTERACT_TIME_S)

    def start(self, run: StepRun) -> None:
        run.phase = 0

    def update(self, run: StepRun) -> bool:
        args = cast(DistractArgs, run.args)
        if run.elapsed_s + 1e-9 < INTERACT_TIME_S:
            return False
        me = run.view.info(run.actor)
        team = me.team if me is not None else -1
        cols = run.view.fighters()
        near = (
            (cols["team"] != team)
            & ~cols["dead"]
            & ~cols["downed"]
            & (np.hypot(cols["x"] - args.x, cols["y"] - args.y) <= DISTRACT_RADIUS_M)
        )
        count = 0
        for e in cols["id"][near]:
            if not run.world.has(int(e), Agent):
                continue
            status = run.world.get(int(e), Status)
            status.distracted_s = DISTRACT_S
            status.distract_x, status.distract_y = args.x, args.y
            run.world.set(int(e), status)
            count += 1
        run.send("distracted", -1, float(count), f"({args.x:.1f}, {args.y:.1f})")
        return True

    def bind(self, snapshot: WorldSnapshot) -> list[ToolArgs]:
        visible = [e for e in snapshot.enemies if e.visible]
        if not visible:
            return []
        e = max(visible, key=lambda v: (v.distance, -v.id))
        return [DistractArgs(x=e.pos[0], y=e.pos[1])]


def utility_tools() -> list[Tool]:
    """Fresh instances of the utility tools."""
    return [Interact(), Scan(), Wait(), MarkTarget(), Distract()]
