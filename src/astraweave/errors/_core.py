"""Errors of :mod:`astraweave.core`: sandbox rejections and malformed scenarios.

::

    ToolError                         a plan step is rejected (step, tool, reason)
    ├── UnknownToolError              the tool name is not in the registry (or forbidden)
    ├── BadArgumentsError             arguments of the wrong type, missing, extra, NaN
    ├── PlanTooLongError              more steps than the sandbox accepts
    ├── MalformedPlanError            the plan itself is not a plan (not an object, no steps)
    ├── TargetOutOfBoundsError        a point lies outside the map
    ├── NoPathError                   no walkable path to the destination
    ├── NoLineOfSightError            walls, closed doors or smoke hide the target
    ├── OnCooldownError               the tool is still cooling down
    ├── InsufficientResourceError     not enough ammo, items or keys
    ├── InvalidTargetError            the target does not exist, is dead, or is not a valid kind
    ├── FriendlyTargetError           the step would hit the actor's own team
    ├── OutOfRangeError               the target is too far away
    ├── PreconditionFailedError       another precondition fails (magazine full, nothing to heal)
    ├── ActorUnableError              the actor cannot act (dead, downed, not an agent)
    └── ToolRegistrationError         a tool definition is invalid or registered twice

    ScenarioError                     a scenario file is malformed (path, key, line)
    ├── ScenarioSyntaxError           not valid TOML
    ├── ScenarioSchemaError           unknown keys, wrong types, missing values
    ├── ScenarioMapError              the ASCII map is malformed
    ├── EntityInWallError             an entity or point of interest is placed in a wall
    └── ScenarioReferenceError        a name that is not defined (entity, team, tool, planner)

    PlannerError                      (base in _subsystems.py)
    └── UnknownPlannerError           no planner registered under that name

    ReplayError                       a replay file cannot be read or does not match
"""

from __future__ import annotations

from astraweave.errors._base import AstraweaveError, UsageError
from astraweave.errors._subsystems import PlannerError, ScenarioError, ToolError

__all__ = [
    "ActorUnableError",
    "BadArgumentsError",
    "EntityInWallError",
    "FriendlyTargetError",
    "InsufficientResourceError",
    "InvalidTargetError",
    "MalformedPlanError",
    "NoLineOfSightError",
    "NoPathError",
    "OnCooldownError",
    "OutOfRangeError",
    "PlanTooLongError",
    "PreconditionFailedError",
    "ReplayError",
    "ScenarioMapError",
    "ScenarioReferenceError",
    "ScenarioSchemaError",
    "ScenarioSyntaxError",
    "TargetOutOfBoundsError",
    "ToolRegistrationError",
    "UnknownPlannerError",
    "UnknownToolError",
]


# ------------------------------------------------------------------ sandbox rejections
class UnknownToolError(ToolError):
    """The step names a tool that is not registered, or one the scenario forbids.
    Context: ``step``, ``tool``, ``reason``, ``known`` (the allowlist)."""


class BadArgumentsError(ToolError):
    """The step's arguments do not match the tool's argument model (wrong type,
    missing or extra field, NaN or infinite number). Context: ``step``, ``tool``,
    ``reason``, ``field`` (the dotted location of the first bad field)."""


class PlanTooLongError(ToolError):
    """The plan has more steps than the sandbox accepts. Context: ``steps``, ``limit``."""


class MalformedPlanError(ToolError):
    """The plan is not an object with a ``steps`` list, or a step is not an object.
    Context: ``step`` (``None`` for the plan itself), ``reason``."""


class TargetOutOfBoundsError(ToolError):
    """A point lies outside the map. Context: ``point``, ``width``, ``height``."""


class NoPathError(ToolError):
    """There is no walkable path from where the actor will be to the destination.
    Context: ``start``, ``goal``."""


class NoLineOfSightError(ToolError):
    """Walls, closed doors or smoke hide the target. Context: ``target``."""


class OnCooldownError(ToolError):
    """The tool is still cooling down when the step would start. Context:
    ``remaining_s``."""


class InsufficientResourceError(ToolError):
    """The actor lacks ammo, items or keys the step consumes. Context: ``resource``,
    ``needed``, ``available``."""


class InvalidTargetError(ToolError):
    """The target id is not a live entity, is dead, or is not a valid kind of target
    for this tool. Context: ``target``."""


class FriendlyTargetError(ToolError):
    """The step would hurt the actor's own team. Context: ``target``."""


class OutOfRangeError(ToolError):
    """The target is farther than the tool reaches. Context: ``distance_m``,
    ``range_m``."""


class PreconditionFailedError(ToolError):
    """A precondition other than the ones above fails: the magazine is already full,
    the target is at full health, there is no cover nearby. Context: ``reason``."""


class ActorUnableError(ToolError):
    """The actor cannot act at all: it is dead, downed, absent, or lacks the
    components tools need. Context: ``actor``."""


class ToolRegistrationError(ToolError, UsageError):
    """A tool is registered twice, has no argument model with a ``tool`` literal of
    its name, or the registry is full. Context: ``tool``."""


# ------------------------------------------------------------------------ scenarios
class ScenarioSyntaxError(ScenarioError):
    """The scenario text is not valid TOML. Context: ``path``, ``line``, ``column``."""


class ScenarioSchemaError(ScenarioError):
    """A key is unknown, a value has the wrong type, or a required key is missing.
    Context: ``path``, ``key`` (dotted, e.g. ``entities[1].hp``), ``line``."""


class ScenarioMapError(ScenarioError):
    """The ASCII map is malformed (ragged rows, unknown characters, no rows).
    Context: ``path``, ``key``, ``line``, ``column``."""


class EntityInWallError(ScenarioError):
    """An entity, point of interest or hazard is placed on a wall or outside the map.
    Context: ``path``, ``key``, ``line``, ``point``."""


class ScenarioReferenceError(ScenarioError):
    """The scenario names something that does not exist: an unknown entity, marker,
    tool (in ``forbidden_tools``) or planner. Context: ``path``, ``key``, ``line``,
    ``name``."""


# ------------------------------------------------------------------------- planners
class UnknownPlannerError(PlannerError, UsageError):
    """No planner is registered under the name. Context: ``planner``, ``known``."""


# --------------------------------------------------------------------------- replays
class ReplayError(AstraweaveError):
    """A replay file is unreadable, of another format version, or malformed.
    Context: ``path``, ``tick``."""
