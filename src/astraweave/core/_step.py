"""A step in the making: the dry-run state of an actor (:class:`ActorState`), what a
step's check forecasts (:class:`Forecast`), and the executor's handle on a running
step (:class:`StepRun`), which hides whether characters walk kinematically or as
physics bodies.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from astraweave.core._components import (
    ActivePlan,
    Ammo,
    Cooldowns,
    Health,
    Inventory,
    Mover,
    PathFollow,
    Stance,
    Status,
    Team,
)
from astraweave.core._events import GameEvent
from astraweave.core._map import Point
from astraweave.core._plan import ToolArgs
from astraweave.core._view import WorldView
from astraweave.ecs import Position, World
from astraweave.errors import ActorUnableError, NoPathError

if TYPE_CHECKING:
    from astraweave.core._registry import ToolRegistry

__all__ = ["ActorState", "Forecast", "StepRun", "stop_moving"]


@dataclass(frozen=True, slots=True)
class ActorState:
    """The actor as the sandbox's dry run carries it from step to step.

    ``time_s`` is the estimated time since the plan started; cooldowns decay as it
    advances. ``resources`` holds :data:`RESOURCES`; ``magazine`` is the magazine size.
    ``tiles`` lists map changes earlier steps make, as ``(cx, cy, kind)`` (a door an
    ``Interact`` step opens), so later steps are checked against the changed map.
    """

    entity: int
    team: int
    x: float
    y: float
    hp: float
    max_hp: float
    speed_mps: float
    magazine: int
    crouched: bool = False
    tiles: tuple[tuple[int, int, int], ...] = ()
    time_s: float = 0.0
    cooldowns: Mapping[str, float] = field(default_factory=dict)
    resources: Mapping[str, int] = field(default_factory=dict)

    @property
    def pos(self) -> Point:
        """``(x, y)`` in metres."""
        return self.x, self.y

    def replace(self, **changes: Any) -> ActorState:
        """A copy with ``changes`` applied."""
        return dataclasses.replace(self, **changes)

    def advance(self, seconds: float) -> ActorState:
        """``seconds`` later: time advances and every cooldown decays."""
        if seconds <= 0:
            return self
        cds = {k: max(0.0, v - seconds) for k, v in self.cooldowns.items()}
        return dataclasses.replace(self, time_s=self.time_s + seconds, cooldowns=cds)

    def resource(self, name: str) -> int:
        """How much of resource ``name`` the actor holds (0 when unknown)."""
        return int(self.resources.get(name, 0))

    @classmethod
    def of(cls, world: World, entity: int, registry: ToolRegistry) -> ActorState:
        """The current state of ``entity`` (must have Position, Team, Health).

        Raises:
            ActorUnableError: the entity is absent, dead, downed, or lacks components.
        """
        if not world.is_alive(entity):
            raise ActorUnableError(f"actor {entity} does not exist", actor=entity)
        pos = world.try_get(entity, Position)
        team = world.try_get(entity, Team)
        health = world.try_get(entity, Health)
        if pos is None or team is None or health is None:
            raise ActorUnableError(
                f"actor {entity} lacks Position, Team or Health and cannot use tools",
                actor=entity,
            )
        status = world.try_get(entity, Status)
        if status is not None and (status.dead or status.downed):
            state = "dead" if status.dead else "downed"
            raise ActorUnableError(f"actor {entity} is {state} and cannot act", actor=entity)
        ammo = world.try_get(entity, Ammo) or Ammo(rounds=0, magazine=0, reserve=0)
        inv = world.try_get(entity, Inventory) or Inventory()
        mover = world.try_get(entity, Mover)
        stance = world.try_get(entity, Stance)
        cds = world.try_get(entity, Cooldowns)
        cooldowns = {}
        if cds is not None:
            for name in registry.names():
                cooldowns[name] = float(cds.remaining_s[registry.slot(name)])
        return cls(
            entity=int(entity),
            team=team.id,
            x=pos.x,
            y=pos.y,
            hp=health.hp,
            max_hp=health.max_hp,
            speed_mps=mover.speed_mps if mover is not None else 0.0,
            magazine=ammo.magazine,
            crouched=bool(stance.crouched) if stance is not None else False,
            cooldowns=cooldowns,
            resources={
                "ammo": ammo.rounds,
                "reserve": ammo.reserve,
                "smoke": inv.smoke,
                "grenade": inv.grenade,
                "medkit": inv.medkit,
                "keys": inv.keys,
            },
        )


@dataclass(frozen=True, slots=True)
class Forecast:
    """What a step will do in the dry run: the actor's state after its own effects
    (position, reloaded rounds; not costs or cooldown, which the sandbox applies) and
    how long it takes."""

    state: ActorState
    duration_s: float


class StepRun:
    """The executor's handle on one running step, given to :meth:`Tool.start` and
    :meth:`Tool.update`.

    ``elapsed_s`` is how long the step has run (0 in ``start``); ``phase``,
    ``count``, ``aux_x``, ``aux_y`` are scratch values kept in the world between
    ticks (in :class:`ActivePlan`), so a step survives snapshot/restore.
    """

    def __init__(
        self, world: World, view: WorldView, actor: int, args: ToolArgs, plan: ActivePlan
    ) -> None:
        self.world = world
        self.view = view
        self.actor = actor
        self.args = args
        self.elapsed_s = plan.elapsed_s
        self.phase = plan.phase
        self.count = plan.count
        self.aux_x = plan.aux_x
        self.aux_y = plan.aux_y

    @property
    def dt(self) -> float:
        """The world's fixed step in seconds."""
        return self.world.dt

    @property
    def pos(self) -> Point:
        """The actor's current position."""
        p = self.world.get(self.actor, Position)
        return p.x, p.y

    def send(self, kind: str, target: int = -1, value: float = 0.0, detail: str = "") -> None:
        """Send a :class:`GameEvent` with this actor."""
        self.world.send(GameEvent(self.world.tick, kind, self.actor, int(target), value, detail))

    def move_along(self, waypoints: list[Point]) -> None:
        """Start walking the actor along ``waypoints`` (kinematically, or as a physics
        body when the actor has a character controller)."""
        if not waypoints:
            self.stop()
            return
        pts = tuple((float(x), float(y)) for x, y in waypoints)
        if _controller(self.world, self.actor) is not None:
            from astraweave.physics import set_waypoints

            set_waypoints(self.world, self.actor, pts)
        else:
            self.world.set(
                self.actor,
                PathFollow(active=True, tx=pts[0][0], ty=pts[0][1], index=0, waypoints=pts),
            )
        stance = self.world.try_get(self.actor, Stance)
        if stance is not None and stance.crouched:
            self.world.set(self.actor, Stance(crouched=False))

    def moving(self) -> bool:
        """True while the actor still walks a path.

        Raises:
            NoPathError: a physics body got stuck (no progress for 2 s).
        """
        cc = _controller(self.world, self.actor)
        if cc is not None:
            from astraweave.physics import ControllerStatus

            if cc.status == ControllerStatus.STUCK:
                x, y = self.pos
                raise NoPathError(
                    f"the actor is stuck at ({x:.1f}, {y:.1f})", start=(x, y), goal=None
                )
            return bool(cc.status == ControllerStatus.MOVING)
        pf = self.world.try_get(self.actor, PathFollow)
        return pf is not None and bool(pf.active)

    def stop(self) -> None:
        """Stop walking."""
        stop_moving(self.world, self.actor)


def _controller(world: World, entity: int) -> Any:
    from astraweave.physics import CharacterController

    return world.try_get(entity, CharacterController)


def stop_moving(world: World, entity: int) -> None:
    """Stop ``entity`` walking (kinematic path or physics controller)."""
    if world.has(entity, PathFollow):
        pf = world.get(entity, PathFollow)
        if pf.active:
            world.set(entity, PathFollow())
    cc = _controller(world, entity)
    if cc is not None and cc.waypoints is not None:
        from astraweave.physics import set_waypoints

        set_waypoints(world, entity, ())
