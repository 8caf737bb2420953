"""Support tools: Heal, Revive, Reload, UseItem; shared timings and the perception
radius (used by MarkTarget and perception)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal, cast

from pydantic import Field

from astraweave.core._checks import (
    TOUCH_M,
    dist,
    require_ally,
    require_range,
    require_target,
)
from astraweave.core._components import (
    Agent,
    Ammo,
    Smoke,
    Status,
)
from astraweave.core._plan import ToolArgs
from astraweave.core._registry import ActorState, Forecast, StepRun, Tool
from astraweave.core._rules import heal, revive
from astraweave.core._tools_combat import SMOKE_DURATION_S, SMOKE_RADIUS_M
from astraweave.core._view import EntityInfo, WorldView
from astraweave.ecs import Position
from astraweave.errors import (
    InsufficientResourceError,
    InvalidTargetError,
    OutOfRangeError,
    PreconditionFailedError,
)

if TYPE_CHECKING:
    from astraweave.core._snapshot import WorldSnapshot

__all__ = [
    "HealArgs",
    "ReloadArgs",
    "ReviveArgs",
    "UseItemArgs",
    "perception_radius",
    "support_tools",
]

HEAL_HP = 40.0
HEAL_TIME_S = 1.0
REVIVE_TIME_S = 2.0
RELOAD_TIME_S = 1.5
INTERACT_TIME_S = 0.5
SCAN_S = 5.0
SCAN_RADIUS_MULT = 1.5
MARK_S = 10.0
DISTRACT_S = 5.0
DISTRACT_RADIUS_M = 8.0
DISTRACT_RANGE_M = 15.0
DEFAULT_PERCEPTION_M = 12.0


def perception_radius(view: WorldView, entity: int) -> float:
    """How far ``entity`` sees now: its agent radius, x1.5 while scanning, x0.5
    while distracted."""
    agent = view.world.try_get(entity, Agent)
    radius = agent.perception_radius_m if agent is not None else DEFAULT_PERCEPTION_M
    status = view.world.try_get(entity, Status)
    if status is not None:
        if status.scan_s > 0:
            radius *= SCAN_RADIUS_MULT
        if status.distracted_s > 0:
            radius *= 0.5
    return float(radius)


def _touch(view: WorldView, state: ActorState, info: EntityInfo) -> None:
    if info.id != state.entity:
        require_range(f"target {info.id} ({info.name})", dist(state.pos, info.pos), TOUCH_M)


def _still_close(run: StepRun, target: int) -> EntityInfo:
    info = require_target(run.view, target, allow_downed=True)
    if target != run.actor and dist(run.pos, info.pos) > TOUCH_M + 1e-9:
        raise OutOfRangeError(
            f"target {target} ({info.name}) moved out of reach",
            distance_m=round(dist(run.pos, info.pos), 3),
            range_m=TOUCH_M,
        )
    return info


# -------------------------------------------------------------------------- Heal
class HealArgs(ToolArgs):
    """Patch up yourself or an adjacent ally with a medkit."""

    tool: Literal["Heal"] = "Heal"
    target: int | None = Field(default=None, ge=0, description="ally id (default: yourself)")


class Heal(Tool):
    """Spend a medkit: +40 hp (capped at max) after 1 s, on yourself or an ally within
    1.5 m who is not downed (downed allies need Revive)."""

    name = "Heal"
    args_model = HealArgs
    summary = "use a medkit on yourself or an ally within 1.5 m: +40 hp after 1 s"
    category = "support"
    cooldown_s = 2.0
    cost_text = "1 medkit"
    range_m = TOUCH_M
    requires = frozenset({"has_medkit", "ally_hurt", "near_ally"})
    provides = frozenset({"ally_healthy"})
    removes = frozenset({"ally_hurt"})

    def costs(self, args: HealArgs) -> dict[str, int]:
        return {"medkit": 1}

    def check(self, view: WorldView, state: ActorState, args: HealArgs) -> Forecast:
        target = state.entity if args.target is None else args.target
        info = require_ally(view, target, state.team)
        hp = state.hp if target == state.entity else info.hp
        if hp >= info.max_hp:
            raise PreconditionFailedError(
                f"target {target} ({info.name}) is at full health", reason="full health"
            )
        _touch(view, state, info)
        healed = min(info.max_hp, hp + HEAL_HP) if target == state.entity else state.hp
        return Forecast(state.replace(hp=healed), HEAL_TIME_S)

    def start(self, run: StepRun) -> None:
        run.phase = 0

    def update(self, run: StepRun) -> bool:
        args = cast(HealArgs, run.args)
        if run.elapsed_s + 1e-9 < HEAL_TIME_S:
            return False
        target = run.actor if args.target is None else args.target
        _still_close(run, target)
        heal(run.world, target, HEAL_HP, run.actor)
        return True

    def bind(self, snapshot: WorldSnapshot) -> list[ToolArgs]:
        out: list[ToolArgs] = []
        if snapshot.agent.hp < snapshot.agent.max_hp:
            out.append(HealArgs())
        out += [
            HealArgs(target=a.id)
            for a in snapshot.allies
            if not a.downed and a.hp < a.max_hp and a.distance <= TOUCH_M
        ]
        return out


# ------------------------------------------------------------------------ Revive
class ReviveArgs(ToolArgs):
    """Get a downed ally back on their feet."""

    tool: Literal["Revive"] = "Revive"
    target: int = Field(ge=0, description="downed ally id")


class Revive(Tool):
    """Kneel by a downed ally within 1.5 m for 2 s: it gets up with 30 % hp."""

    name = "Revive"
    args_model = ReviveArgs
    summary = "revive downed ally `target` within 1.5 m (2 s; it gets up with 30 % hp)"
    category = "support"
    cooldown_s = 5.0
    range_m = TOUCH_M
    requires = frozenset({"ally_downed", "near_ally"})
    provides = frozenset({"ally_revived"})
    removes = frozenset({"ally_downed"})
    goap_cost = 2.0

    def check(self, view: WorldView, state: ActorState, args: ReviveArgs) -> Forecast:
        info = require_ally(view, args.target, state.team, allow_downed=True)
        if not info.downed:
            raise InvalidTargetError(
                f"target {args.target} ({info.name}) is not downed", target=args.target
            )
        _touch(view, state, info)
        return Forecast(state, REVIVE_TIME_S)

    def start(self, run: StepRun) -> None:
        run.phase = 0

    def update(self, run: StepRun) -> bool:
        args = cast(ReviveArgs, run.args)
        if run.elapsed_s + 1e-9 < REVIVE_TIME_S:
            return False
        info = _still_close(run, args.target)
        if info.downed:
            revive(run.world, args.target, run.actor)
        return True

    def bind(self, snapshot: WorldSnapshot) -> list[ToolArgs]:
        return [ReviveArgs(target=a.id) for a in snapshot.allies if a.downed]


# ------------------------------------------------------------------------ Reload
class ReloadArgs(ToolArgs):
    """Refill the magazine from spare rounds."""

    tool: Literal["Reload"] = "Reload"


class Reload(Tool):
    """Move spare rounds into the magazine (1.5 s)."""

    name = "Reload"
    args_model = ReloadArgs
    summary = "refill the magazine from spare rounds (1.5 s)"
    category = "support"
    cost_text = "spare rounds"
    requires = frozenset({"has_reserve"})
    provides = frozenset({"has_ammo"})

    def check(self, view: WorldView, state: ActorState, args: ReloadArgs) -> Forecast:
        ammo, reserve = state.resource("ammo"), state.resource("reserve")
        if state.magazine <= 0:
            raise PreconditionFailedError("the actor has no weapon to reload", reason="no Ammo")
        if ammo >= state.magazine:
            raise PreconditionFailedError("the magazine is already full", reason="magazine full")
        if reserve <= 0:
            raise InsufficientResourceError(
                "no spare rounds to reload with", resource="reserve", needed=1, available=0
            )
        moved = min(state.magazine - ammo, reserve)
        res = dict(state.resources, ammo=ammo + moved, reserve=reserve - moved)
        return Forecast(state.replace(resources=res), RELOAD_TIME_S)

    def start(self, run: StepRun) -> None:
        run.phase = 0

    def update(self, run: StepRun) -> bool:
        if run.elapsed_s + 1e-9 < RELOAD_TIME_S:
            return False
        ammo = run.world.get(run.actor, Ammo)
        moved = max(0, min(ammo.magazine - ammo.rounds, ammo.reserve))
        run.world.set(run.actor, Ammo(ammo.rounds + moved, ammo.magazine, ammo.reserve - moved))
        run.send("reloaded", -1, float(moved))
        return True

    def bind(self, snapshot: WorldSnapshot) -> list[ToolArgs]:
        a = snapshot.agent
        return [ReloadArgs()] if a.ammo < a.magazine and a.reserve > 0 else []


# ----------------------------------------------------------------------- UseItem
class UseItemArgs(ToolArgs):
    """Use a carried item on yourself."""

    tool: Literal["UseItem"] = "UseItem"
    item: Literal["medkit", "smoke"] = Field(description="the item to use")


class UseItem(Tool):
    """``medkit``: +40 hp to yourself after 1 s. ``smoke``: a smoke cloud where you stand."""

    name = "UseItem"
    args_model = UseItemArgs
    summary = "use an item on yourself: medkit (+40 hp after 1 s) or smoke (cloud at your feet)"
    category = "support"
    cooldown_s = 1.0
    cost_text = "1 of the item"
    requires = frozenset({"has_medkit", "self_hurt"})
    provides = frozenset({"self_healthy"})
    removes = frozenset({"self_hurt"})

    def costs(self, args: UseItemArgs) -> dict[str, int]:
        return {args.item: 1}

    def check(self, view: WorldView, state: ActorState, args: UseItemArgs) -> Forecast:
        if args.item == "medkit":
            if state.hp >= state.max_hp:
                raise PreconditionFailedError("already at full health", reason="full health")
            return Forecast(state.replace(hp=min(state.max_hp, state.hp + HEAL_HP)), HEAL_TIME_S)
        return Forecast(state, 0.25)

    def start(self, run: StepRun) -> None:
        run.phase = 0

    def update(self, run: StepRun) -> bool:
        args = cast(UseItemArgs, run.args)
        if args.item == "medkit":
            if run.elapsed_s + 1e-9 < HEAL_TIME_S:
                return False
            heal(run.world, run.actor, HEAL_HP, run.actor)
            return True
        if run.elapsed_s + 1e-9 < 0.25:
            return False
        x, y = run.pos
        run.world.commands().spawn(
            Position(x, y), Smoke(radius_m=SMOKE_RADIUS_M, remaining_s=SMOKE_DURATION_S)
        )
        run.send("smoke", -1, SMOKE_RADIUS_M, f"({x:.1f}, {y:.1f})")
        return True

    def bind(self, snapshot: WorldSnapshot) -> list[ToolArgs]:
        out: list[ToolArgs] = []
        items = snapshot.agent.items
        if items.get("medkit", 0) > 0 and snapshot.agent.hp < snapshot.agent.max_hp:
            out.append(UseItemArgs(item="medkit"))
        if items.get("smoke", 0) > 0:
            out.append(UseItemArgs(item="smoke"))
        return out


def support_tools() -> list[Tool]:
    """Fresh instances of the support tools."""
    return [Heal(), Revive(), Reload(), UseItem()]
