"""The mission of a scenario: objective text, success and failure predicates, outcome.

Predicates (the ``type`` key in scenario files):

=================  ===============================================================
type               true when
=================  ===============================================================
``dead``           ``entity`` is dead (bled out) or gone
``down``           ``entity`` is downed or dead
``team_down``      every member of ``team`` is downed or dead
``within``         ``entity`` is up and within ``radius`` m of ``point`` or ``poi``
``hp_at_least``    ``entity`` is up with at least ``hp`` hit points
``before_tick``    the world tick is below ``tick``
``poi_active``     point of interest ``poi`` is active (door open, terminal used)
=================  ===============================================================

The mission succeeds at the first tick where *all* success predicates hold, and
fails at the first tick where *any* failure predicate holds (failure is checked
first) or when ``max_ticks`` is reached.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from astraweave.core._components import Health, PointOfInterest, Status, Team
from astraweave.ecs import Position, World

__all__ = [
    "Mission",
    "Outcome",
    "Predicate",
    "outcome_system",
]

_CFG = ConfigDict(extra="forbid", frozen=True, strict=True)


class _Dead(BaseModel):
    model_config = _CFG
    type: Literal["dead"]
    entity: str


class _Down(BaseModel):
    model_config = _CFG
    type: Literal["down"]
    entity: str


class _TeamDown(BaseModel):
    model_config = _CFG
    type: Literal["team_down"]
    team: str


class _Within(BaseModel):
    model_config = _CFG
    type: Literal["within"]
    entity: str
    point: list[float] | None = Field(default=None, min_length=2, max_length=2)
    poi: str | None = None
    radius: float = Field(default=1.5, gt=0)


class _HpAtLeast(BaseModel):
    model_config = _CFG
    type: Literal["hp_at_least"]
    entity: str
    hp: float


class _BeforeTick(BaseModel):
    model_config = _CFG
    type: Literal["before_tick"]
    tick: int = Field(ge=0)


class _PoiActive(BaseModel):
    model_config = _CFG
    type: Literal["poi_active"]
    poi: str


Predicate = Annotated[
    _Dead | _Down | _TeamDown | _Within | _HpAtLeast | _BeforeTick | _PoiActive,
    Field(discriminator="type"),
]
"""One success or failure condition (a discriminated union on ``type``)."""


@dataclass(frozen=True)
class Mission:
    """A scenario's mission (a world resource): names, objective, predicates.

    ``names`` maps scenario entity names to entity ids; ``teams`` team names to team
    ids.
    """

    name: str = "sandbox"
    objective: str = ""
    names: dict[str, int] = field(default_factory=dict)
    teams: dict[str, int] = field(default_factory=dict)
    success: tuple[Predicate, ...] = ()
    failure: tuple[Predicate, ...] = ()
    max_ticks: int = 3600


@dataclass
class Outcome:
    """How the mission stands (a world resource): ``running``, ``success``, ``failure``."""

    status: str = "running"
    tick: int = -1
    reason: str = ""

    def state_bytes(self) -> bytes:
        """The outcome as bytes (enters the world hash)."""
        return f"{self.status}|{self.tick}|{self.reason}".encode()


def _status(world: World, entity: int | None) -> tuple[bool, bool, Status | None]:
    """(exists, up, status)."""
    if entity is None or not world.is_alive(entity):
        return False, False, None
    st = world.try_get(entity, Status)
    up = st is None or not (st.dead or st.downed)
    return True, up, st


def holds(world: World, mission: Mission, pred: Predicate) -> bool:
    """Whether ``pred`` holds now."""
    names = mission.names
    if isinstance(pred, _BeforeTick):
        return world.tick < pred.tick
    if isinstance(pred, _PoiActive):
        poi = world.try_get(names[pred.poi], PointOfInterest)
        return poi is not None and bool(poi.active)
    if isinstance(pred, _TeamDown):
        team = mission.teams[pred.team]
        for chunk in world.query(Team, Status):
            mine = chunk[Team].id == team
            st = chunk[Status]
            if (mine & ~st.downed & ~st.dead).any():
                return False
        return True
    exists, up, st = _status(world, names.get(pred.entity))
    if isinstance(pred, _Dead):
        return not exists or (st is not None and bool(st.dead))
    if isinstance(pred, _Down):
        return not exists or not up
    if not up:
        return False
    e = names[pred.entity]
    if isinstance(pred, _HpAtLeast):
        health = world.try_get(e, Health)
        return health is not None and health.hp >= pred.hp
    pos = world.get(e, Position)
    if pred.poi is not None:
        target = world.get(names[pred.poi], Position)
        px, py = target.x, target.y
    else:
        px, py = pred.point or (0.0, 0.0)
    return math.hypot(pos.x - px, pos.y - py) <= pred.radius


def describe(pred: Predicate) -> str:
    """A short readable form of a predicate."""
    fields = pred.model_dump(exclude={"type"}, exclude_none=True)
    return f"{pred.type}({', '.join(f'{k}={v}' for k, v in fields.items())})"


def outcome_system(world: World) -> None:
    """Decide the mission's outcome (POST_SIMULATION); it never changes once decided."""
    mission = world.try_resource(Mission)
    outcome = world.try_resource(Outcome)
    if mission is None or outcome is None or outcome.status != "running":
        return
    for pred in mission.failure:
        if holds(world, mission, pred):
            outcome.status, outcome.tick, outcome.reason = "failure", world.tick, describe(pred)
            return
    if mission.success and all(holds(world, mission, p) for p in mission.success):
        outcome.status, outcome.tick = "success", world.tick
        outcome.reason = " and ".join(describe(p) for p in mission.success)
        return
    if world.tick + 1 >= mission.max_ticks:
        outcome.status, outcome.tick, outcome.reason = "failure", world.tick, "timeout"
