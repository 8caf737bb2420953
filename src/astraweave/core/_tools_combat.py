"""Combat tools: Attack, AimedShot, CoverFire, ThrowSmoke, ThrowExplosive.

Shots use the damage rules of :mod:`astraweave.core._rules` with hit chance drawn
from the world RNG. Costs are paid when the step starts.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Literal, cast

import numpy as np
from pydantic import Field

from astraweave.core._checks import (
    dist,
    require_enemy,
    require_los,
    require_point,
    require_range,
)
from astraweave.core._components import Explosive, Morale, Smoke, Status, Weapon
from astraweave.core._plan import ToolArgs
from astraweave.core._registry import ActorState, Forecast, StepRun, Tool
from astraweave.core._rules import resolve_shot
from astraweave.core._view import EntityInfo, WorldView
from astraweave.ecs import Position
from astraweave.errors import (
    FriendlyTargetError,
    NoLineOfSightError,
    PreconditionFailedError,
)

if TYPE_CHECKING:
    from astraweave.core._snapshot import WorldSnapshot

__all__ = [
    "AimedShotArgs",
    "AttackArgs",
    "CoverFireArgs",
    "ThrowExplosiveArgs",
    "ThrowSmokeArgs",
    "combat_tools",
]

FIRE_INTERVAL_S = 0.25
"""Seconds between the shots of an Attack burst."""
THROW_RANGE_M = 12.0
"""How far smoke and explosives can be thrown."""
SMOKE_RADIUS_M = 2.5
SMOKE_DURATION_S = 8.0
GRENADE_RADIUS_M = 3.0
GRENADE_DAMAGE = 60.0
GRENADE_FUSE_S = 1.0


def _weapon(view: WorldView, actor: int) -> Weapon:
    weapon = view.world.try_get(actor, Weapon)
    if weapon is None:
        raise PreconditionFailedError("the actor has no weapon", reason="no Weapon component")
    return weapon


def _aim_checks(
    view: WorldView, state: ActorState, target: int, range_mult: float = 1.0
) -> EntityInfo:
    weapon = _weapon(view, state.entity)
    info = require_enemy(view, target, state.team)
    require_range(
        f"target {target} ({info.name})", dist(state.pos, info.pos), weapon.range_m * range_mult
    )
    require_los(view, state.pos, info.pos, f"target {target} ({info.name})")
    return info


def _visible_enemies(snapshot: WorldSnapshot) -> list[int]:
    return [e.id for e in snapshot.enemies if e.visible and not e.downed]


# ------------------------------------------------------------------------ Attack
class AttackArgs(ToolArgs):
    """Fire a burst at an enemy."""

    tool: Literal["Attack"] = "Attack"
    target: int = Field(ge=0, description="enemy entity id")
    shots: int = Field(default=3, ge=1, le=5, description="rounds in the burst")


class Attack(Tool):
    """A burst of ``shots`` rounds, one every 0.25 s; each may hit (world RNG)."""

    name = "Attack"
    args_model = AttackArgs
    summary = "fire a burst of `shots` rounds at enemy `target` (needs sight, weapon range)"
    category = "combat"
    cooldown_s = 0.5
    cost_text = "1 ammo per shot"
    range_text = "weapon range"
    requires = frozenset({"enemy_visible", "enemy_in_range", "has_ammo"})
    provides = frozenset({"enemy_damaged"})

    def costs(self, args: AttackArgs) -> dict[str, int]:
        return {"ammo": args.shots}

    def check(self, view: WorldView, state: ActorState, args: AttackArgs) -> Forecast:
        _aim_checks(view, state, args.target)
        return Forecast(state, (args.shots - 1) * FIRE_INTERVAL_S + view.world.dt)

    def start(self, run: StepRun) -> None:
        run.phase = 0

    def update(self, run: StepRun) -> bool:
        args = cast(AttackArgs, run.args)
        while run.phase < args.shots and run.elapsed_s + 1e-9 >= run.phase * FIRE_INTERVAL_S:
            info = run.view.info(args.target)
            if info is None or not info.up:
                return True  # the target went down: the burst stops
            if not run.view.can_see(run.pos, info.pos):
                raise NoLineOfSightError(
                    f"lost sight of target {args.target} ({info.name})", target=args.target
                )
            resolve_shot(run.view, run.actor, args.target)
            run.phase += 1
        return run.phase >= args.shots

    def bind(self, snapshot: WorldSnapshot) -> list[ToolArgs]:
        return [AttackArgs(target=t) for t in _visible_enemies(snapshot)]


# --------------------------------------------------------------------- AimedShot
class AimedShotArgs(ToolArgs):
    """Aim, then fire one strong, accurate shot."""

    tool: Literal["AimedShot"] = "AimedShot"
    target: int = Field(ge=0, description="enemy entity id")


AIM_TIME_S = 1.0


class AimedShot(Tool):
    """Aim for 1 s, then one shot: +0.2 accuracy, half the target's cover, 1.75x damage."""

    name = "AimedShot"
    args_model = AimedShotArgs
    summary = "aim 1 s, then one accurate shot (1.75x damage) at enemy `target`"
    category = "combat"
    cooldown_s = 3.0
    cost_text = "1 ammo"
    range_text = "1.25 x weapon range"
    requires = frozenset({"enemy_visible", "enemy_in_range", "has_ammo"})
    provides = frozenset({"enemy_damaged"})
    goap_cost = 1.5

    def costs(self, args: AimedShotArgs) -> dict[str, int]:
        return {"ammo": 1}

    def check(self, view: WorldView, state: ActorState, args: AimedShotArgs) -> Forecast:
        _aim_checks(view, state, args.target, range_mult=1.25)
        return Forecast(state, AIM_TIME_S)

    def start(self, run: StepRun) -> None:
        run.phase = 0

    def update(self, run: StepRun) -> bool:
        args = cast(AimedShotArgs, run.args)
        if run.elapsed_s + 1e-9 < AIM_TIME_S:
            return False
        info = run.view.info(args.target)
        if info is None or not info.up:
            return True
        if not run.view.can_see(run.pos, info.pos):
            raise NoLineOfSightError(
                f"lost sight of target {args.target} ({info.name}) while aiming",
                target=args.target,
            )
        resolve_shot(
            run.view,
            run.actor,
            args.target,
            damage_mult=1.75,
            accuracy_bonus=0.2,
            cover_ignore=0.5,
            cause="aimed shot",
        )
        return True

    def bind(self, snapshot: WorldSnapshot) -> list[ToolArgs]:
        return [AimedShotArgs(target=t) for t in _visible_enemies(snapshot)]


# --------------------------------------------------------------------- CoverFire
class CoverFireArgs(ToolArgs):
    """Suppress an enemy."""

    tool: Literal["CoverFire"] = "CoverFire"
    target: int = Field(ge=0, description="enemy entity id")
    seconds: float = Field(default=2.0, ge=0.5, le=4.0, description="how long to fire (s)")


SUPPRESS_INTERVAL_S = 0.5


class CoverFire(Tool):
    """Fire at a target every 0.5 s: weak shots that suppress it (its accuracy drops
    to 60 % and its morale falls) even when it hides."""

    name = "CoverFire"
    args_model = CoverFireArgs
    summary = "suppress enemy `target` for `seconds` s (it shoots worse, loses morale)"
    category = "combat"
    cooldown_s = 4.0
    cost_text = "1 ammo per 0.5 s"
    range_text = "weapon range"
    requires = frozenset({"enemy_visible", "enemy_in_range", "has_ammo"})
    provides = frozenset({"enemy_suppressed"})
    goap_cost = 1.5

    def costs(self, args: CoverFireArgs) -> dict[str, int]:
        return {"ammo": math.ceil(args.seconds / SUPPRESS_INTERVAL_S - 1e-9)}

    def check(self, view: WorldView, state: ActorState, args: CoverFireArgs) -> Forecast:
        _aim_checks(view, state, args.target)
        return Forecast(state, args.seconds)

    def start(self, run: StepRun) -> None:
        run.phase = 0

    def update(self, run: StepRun) -> bool:
        args = cast(CoverFireArgs, run.args)
        shots = self.costs(args)["ammo"]
        while run.phase < shots and run.elapsed_s + 1e-9 >= run.phase * SUPPRESS_INTERVAL_S:
            info = run.view.info(args.target)
            if info is None or not info.up:
                return True
            status = run.world.get(args.target, Status)
            status.suppressed_s = max(status.suppressed_s, 1.5)
            run.world.set(args.target, status)
            morale = run.world.try_get(args.target, Morale)
            if morale is not None:
                run.world.set(args.target, Morale(max(0.0, morale.value - 0.08)))
            if run.view.can_see(run.pos, info.pos):
                resolve_shot(
                    run.view,
                    run.actor,
                    args.target,
                    damage_mult=0.5,
                    accuracy_bonus=-0.4,
                    cause="cover fire",
                )
            run.phase += 1
        return run.elapsed_s + 1e-9 >= args.seconds

    def bind(self, snapshot: WorldSnapshot) -> list[ToolArgs]:
        return [CoverFireArgs(target=t) for t in _visible_enemies(snapshot)]


# -------------------------------------------------------------------- throwables
def _throw_checks(view: WorldView, state: ActorState, x: float, y: float) -> tuple[float, float]:
    point = require_point(view, x, y, walkable=False)
    require_range("the throw point", dist(state.pos, point), THROW_RANGE_M)
    require_los(view, state.pos, point, "the throw point", smoke=False)
    return point


class ThrowSmokeArgs(ToolArgs):
    """Throw a smoke grenade."""

    tool: Literal["ThrowSmoke"] = "ThrowSmoke"
    x: float = Field(description="landing point x (m)")
    y: float = Field(description="landing point y (m)")


THROW_TIME_S = 0.5


class ThrowSmoke(Tool):
    """A smoke cloud (2.5 m radius) that blocks line of sight for 8 s."""

    name = "ThrowSmoke"
    args_model = ThrowSmokeArgs
    summary = "throw smoke to (x, y): blocks line of sight within 2.5 m for 8 s"
    category = "combat"
    cooldown_s = 5.0
    cost_text = "1 smoke"
    range_m = THROW_RANGE_M
    requires = frozenset({"has_smoke"})
    provides = frozenset({"concealed"})

    def costs(self, args: ThrowSmokeArgs) -> dict[str, int]:
        return {"smoke": 1}

    def check(self, view: WorldView, state: ActorState, args: ThrowSmokeArgs) -> Forecast:
        _throw_checks(view, state, args.x, args.y)
        return Forecast(state, THROW_TIME_S)

    def start(self, run: StepRun) -> None:
        run.phase = 0

    def update(self, run: StepRun) -> bool:
        args = cast(ThrowSmokeArgs, run.args)
        if run.elapsed_s + 1e-9 < THROW_TIME_S:
            return False
        run.world.commands().spawn(
            Position(args.x, args.y), Smoke(radius_m=SMOKE_RADIUS_M, remaining_s=SMOKE_DURATION_S)
        )
        run.send("smoke", -1, SMOKE_RADIUS_M, f"({args.x:.1f}, {args.y:.1f})")
        return True

    def bind(self, snapshot: WorldSnapshot) -> list[ToolArgs]:
        visible = [e for e in snapshot.enemies if e.visible]
        if not visible:
            return []
        me = snapshot.agent.pos
        e = min(visible, key=lambda v: (v.distance, v.id))
        mx, my = (me[0] + e.pos[0]) / 2, (me[1] + e.pos[1]) / 2
        return [ThrowSmokeArgs(x=round(mx, 2), y=round(my, 2))]


class ThrowExplosiveArgs(ToolArgs):
    """Throw an explosive grenade."""

    tool: Literal["ThrowExplosive"] = "ThrowExplosive"
    x: float = Field(description="landing point x (m)")
    y: float = Field(description="landing point y (m)")


class ThrowExplosive(Tool):
    """A grenade that explodes after 1 s: 60 damage at the centre, half at 3 m.
    Rejected when an ally (or the thrower) stands within the blast."""

    name = "ThrowExplosive"
    args_model = ThrowExplosiveArgs
    summary = "throw a grenade to (x, y): explodes after 1 s, 60 damage within 3 m"
    category = "combat"
    cooldown_s = 6.0
    cost_text = "1 grenade"
    range_m = THROW_RANGE_M
    requires = frozenset({"has_grenade", "enemy_visible"})
    provides = frozenset({"enemy_damaged"})
    goap_cost = 2.0

    def costs(self, args: ThrowExplosiveArgs) -> dict[str, int]:
        return {"grenade": 1}

    def check(self, view: WorldView, state: ActorState, args: ThrowExplosiveArgs) -> Forecast:
        point = _throw_checks(view, state, args.x, args.y)
        reach = GRENADE_RADIUS_M + 0.5
        if dist(state.pos, point) <= reach:
            raise FriendlyTargetError(
                f"the blast at ({args.x:g}, {args.y:g}) would reach the thrower",
                target=state.entity,
            )
        cols = view.fighters()
        near = (
            (cols["team"] == state.team)
            & (cols["id"] != state.entity)
            & ~cols["dead"]
            & (np.hypot(cols["x"] - point[0], cols["y"] - point[1]) <= reach)
        )
        if near.any():
            ally = int(cols["id"][np.flatnonzero(near)[0]])
            raise FriendlyTargetError(
                f"ally {ally} stands within the blast radius at ({args.x:g}, {args.y:g})",
                target=ally,
            )
        return Forecast(state, THROW_TIME_S)

    def start(self, run: StepRun) -> None:
        run.phase = 0

    def update(self, run: StepRun) -> bool:
        args = cast(ThrowExplosiveArgs, run.args)
        if run.elapsed_s + 1e-9 < THROW_TIME_S:
            return False
        run.world.commands().spawn(
            Position(args.x, args.y),
            Explosive(
                fuse_s=GRENADE_FUSE_S,
                radius_m=GRENADE_RADIUS_M,
                damage=GRENADE_DAMAGE,
                owner=run.actor,
            ),
        )
        run.send("thrown", -1, 0.0, f"({args.x:.1f}, {args.y:.1f})")
        return True

    def bind(self, snapshot: WorldSnapshot) -> list[ToolArgs]:
        return [
            ThrowExplosiveArgs(x=e.pos[0], y=e.pos[1])
            for e in snapshot.enemies
            if e.visible and not e.downed
        ]


def combat_tools() -> list[Tool]:
    """Fresh instances of the combat tools."""
    return [Attack(), AimedShot(), CoverFire(), ThrowSmoke(), ThrowExplosive()]
