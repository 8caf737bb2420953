"""The pydantic schema of scenario files (see ``docs/scenarios.md``).

Every table forbids unknown keys and every value is strictly typed (a string is
never coerced to a number), so a typo is an error with its key path, not a silent
default.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from astraweave.core._mission import Predicate

__all__ = [
    "AgentSpec",
    "ConstraintsSpec",
    "EntitySpec",
    "HazardSpec",
    "InputSpec",
    "ItemsSpec",
    "PoiSpec",
    "ScenarioFile",
    "ScenarioMeta",
    "SequenceSpec",
]

_CFG = ConfigDict(extra="forbid", strict=True, frozen=True, allow_inf_nan=False)
_NAME = r"^[A-Za-z_][A-Za-z0-9_\-]{0,39}$"


class ScenarioMeta(BaseModel):
    """The ``[scenario]`` table."""

    model_config = _CFG
    name: str = Field(pattern=_NAME)
    description: str = ""
    objective: str = ""
    seed: int = Field(default=0, ge=0, lt=2**63)
    max_ticks: int = Field(default=3600, ge=1, le=10_000_000)
    dt: float = Field(default=1.0 / 60.0, gt=0.0, le=1.0)
    movement: Literal["kinematic", "physics"] = "kinematic"
    map: str | list[str] = Field(description="the ASCII map: one string, or one string per row")


class ConstraintsSpec(BaseModel):
    """The ``[constraints]`` table."""

    model_config = _CFG
    forbidden_tools: list[str] = Field(default_factory=list)


class AgentSpec(BaseModel):
    """An entity's ``agent`` table: it perceives and plans."""

    model_config = _CFG
    planner: str = "rule"
    role: str = "companion"
    cadence_ticks: int = Field(default=30, ge=1, le=3600)
    replan_ticks: int = Field(default=60, ge=1, le=36000)
    perception_radius: float = Field(default=12.0, gt=0.0, le=200.0)
    leader: str | None = None
    patrol: list[list[float]] | str | None = None
    planner_config: dict[str, Any] = Field(default_factory=dict)
    """Settings of this agent's planner (its own table; checked when the run starts)."""


class ItemsSpec(BaseModel):
    """An entity's ``items`` table."""

    model_config = _CFG
    smoke: int = Field(default=0, ge=0, le=99)
    grenade: int = Field(default=0, ge=0, le=99)
    medkit: int = Field(default=0, ge=0, le=99)
    keys: int = Field(default=0, ge=0, le=99)


class EntitySpec(BaseModel):
    """One ``[[entities]]`` table: a character."""

    model_config = _CFG
    name: str = Field(pattern=_NAME)
    team: str = Field(default="blue", pattern=_NAME)
    at: str | None = Field(default=None, min_length=1, max_length=1)
    pos: list[float] | None = Field(default=None, min_length=2, max_length=2)
    hp: float | None = Field(default=None, ge=0.0)
    max_hp: float = Field(default=100.0, gt=0.0, le=100_000.0)
    armor: float = Field(default=0.0, ge=0.0, le=0.9)
    speed: float = Field(default=3.0, ge=0.0, le=20.0)
    ammo: int | None = Field(default=None, ge=0)
    magazine: int = Field(default=12, ge=0, le=1000)
    reserve: int = Field(default=36, ge=0, le=100_000)
    damage: float = Field(default=20.0, ge=0.0, le=10_000.0)
    range: float = Field(default=14.0, gt=0.0, le=200.0)
    accuracy: float = Field(default=0.75, ge=0.0, le=1.0)
    items: ItemsSpec = Field(default_factory=ItemsSpec)
    agent: AgentSpec | None = None


class PoiSpec(BaseModel):
    """One ``[[pois]]`` table: a point of interest."""

    model_config = _CFG
    name: str = Field(pattern=_NAME)
    kind: Literal["door", "switch", "key", "terminal", "objective"] = "objective"
    at: str | None = Field(default=None, min_length=1, max_length=1)
    pos: list[float] | None = Field(default=None, min_length=2, max_length=2)
    locked: bool = False
    open: bool | None = None
    link: str | None = None
    remote: bool = False


class HazardSpec(BaseModel):
    """One ``[[hazards]]`` table: a damaging area."""

    model_config = _CFG
    name: str = Field(default="hazard", pattern=_NAME)
    at: str | None = Field(default=None, min_length=1, max_length=1)
    pos: list[float] | None = Field(default=None, min_length=2, max_length=2)
    radius: float = Field(default=1.5, gt=0.0, le=50.0)
    dps: float = Field(default=10.0, ge=0.0, le=10_000.0)


class SequenceSpec(BaseModel):
    """One ``[[sequences]]`` table: a sequence lock over switches."""

    model_config = _CFG
    name: str = Field(pattern=_NAME)
    order: list[str] = Field(min_length=1, max_length=64)
    target: str


class InputSpec(BaseModel):
    """One ``[[inputs]]`` table: a plan submitted for an entity at a tick."""

    model_config = _CFG
    tick: int = Field(ge=0)
    entity: str
    steps: list[dict[str, Any]] = Field(min_length=1)


class ScenarioFile(BaseModel):
    """A whole scenario file."""

    model_config = _CFG
    scenario: ScenarioMeta
    constraints: ConstraintsSpec = Field(default_factory=ConstraintsSpec)
    entities: list[EntitySpec] = Field(min_length=1)
    pois: list[PoiSpec] = Field(default_factory=list)
    hazards: list[HazardSpec] = Field(default_factory=list)
    sequences: list[SequenceSpec] = Field(default_factory=list)
    inputs: list[InputSpec] = Field(default_factory=list)
    success: list[Predicate] = Field(default_factory=list)
    failure: list[Predicate] = Field(default_factory=list)
    eval: dict[str, Any] | None = Field(
        default=None,
        description="the evaluation harness's table (astraweave.eval checks it); "
        "core keeps it as it is",
    )
