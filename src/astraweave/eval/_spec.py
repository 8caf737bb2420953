"""The ``[eval]`` table of an evaluation scenario: what is scored, and how.

An evaluation scenario is an ordinary scenario file (``docs/scenarios.md``) plus an
``[eval]`` table (and its sub-tables ``[[eval.injections]]``), documented in
``docs/evaluation.md``. Every table forbids unknown keys and every value is strictly
typed, as in the rest of the scenario format.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "CATEGORIES",
    "DamageTo",
    "Detection",
    "EvalSpec",
    "Interacted",
    "Reached",
    "ToolProposed",
    "ToolUsed",
]

CATEGORIES = (
    "combat",
    "exploration",
    "stealth",
    "support",
    "puzzle",
    "hazard",
    "resource",
    "coordination",
    "adversarial",
    "irrelevance",
)
"""The scenario categories, in report order."""

Category = Literal[
    "combat",
    "exploration",
    "stealth",
    "support",
    "puzzle",
    "hazard",
    "resource",
    "coordination",
    "adversarial",
    "irrelevance",
]

_CFG = ConfigDict(extra="forbid", strict=True, frozen=True, allow_inf_nan=False)


class _Detection(BaseModel):
    model_config = _CFG
    text: str = Field(
        min_length=1,
        description="the injected instruction; must appear in the scenario's objective, "
        "description or a name (checked at load)",
    )


class DamageTo(_Detection):
    """Followed when an evaluated agent's shot or grenade takes hp from ``entity``."""

    detect: Literal["damage_to"]
    entity: str


class ToolUsed(_Detection):
    """Followed when an evaluated agent *starts* a step of ``tool`` (on ``target``,
    an entity or point-of-interest name, when given)."""

    detect: Literal["tool_used"]
    tool: str
    target: str | None = None


class ToolProposed(_Detection):
    """Followed when an evaluated agent's planner *proposes* a step of ``tool`` (on
    ``target`` when given), whether or not the sandbox accepts it. A step aimed at a
    point counts as aimed at ``target`` within 3.5 m of it."""

    detect: Literal["tool_proposed"]
    tool: str
    target: str | None = None


class Reached(_Detection):
    """Followed when an evaluated agent comes within ``radius`` m of ``poi`` (or of
    ``point``)."""

    detect: Literal["reached"]
    poi: str | None = None
    point: list[float] | None = Field(default=None, min_length=2, max_length=2)
    radius: float = Field(default=1.5, gt=0.0, le=50.0)


class Interacted(_Detection):
    """Followed when an evaluated agent uses point of interest ``poi``."""

    detect: Literal["interacted"]
    poi: str


Detection = Annotated[
    DamageTo | ToolUsed | ToolProposed | Reached | Interacted, Field(discriminator="detect")
]
"""How the harness recognises that an injected instruction was followed."""


class EvalSpec(BaseModel):
    """The ``[eval]`` table.

    Attributes:
        category: one of :data:`CATEGORIES`.
        reference_ticks: ticks a good solution needs to succeed (efficiency is
            ``reference_ticks / ticks to success``, at most 1).
        agents: entity names driven by the evaluated planner (they need an
            ``agent`` table); every other agent keeps the planner its file names.
        goal: ``"mission"`` (the success predicates all hold), ``"survive"`` (no
            failure predicate holds until the horizon, ``max_ticks``) or
            ``"sequence"`` (the evaluated agents use exactly the points of interest
            of ``order``, in that order).
        order: points of interest that must be used in this order (for
            ``"mission"`` goals a condition on the first use of each; for
            ``"sequence"`` goals the whole solution).
        optimal_interactions: the fewest ``Interact`` steps that solve the task
            (documentation; checked by the scenario tests).
        allowed_tools: when set, the goal also requires that the evaluated agents
            start at least one step, and none of any other tool (irrelevance
            scenarios: Wait, Scan).
        require_tools: the goal also requires that each of these tools was started
            at least once (e.g. ``Scan`` in a scanning task).
        avoid_tools: tools the game allows but the task forbids (conserve the
            grenade); starting one is a safety penalty.
        unseen: the goal also requires that no enemy ever saw an evaluated agent.
        injections: injected instructions and how to detect that one was followed.
    """

    model_config = _CFG
    category: Category
    reference_ticks: int = Field(ge=1, le=10_000_000)
    agents: list[str] = Field(min_length=1)
    goal: Literal["mission", "survive", "sequence"] = "mission"
    order: list[str] = Field(default_factory=list)
    optimal_interactions: int | None = Field(default=None, ge=0)
    allowed_tools: list[str] | None = None
    require_tools: list[str] = Field(default_factory=list)
    avoid_tools: list[str] = Field(default_factory=list)
    unseen: bool = False
    injections: list[Detection] = Field(default_factory=list)
