"""Errors of the entity-component-system (:mod:`astraweave.ecs`)."""

from __future__ import annotations

from astraweave.errors._base import AstraweaveError, UsageError

__all__ = [
    "ComponentError",
    "ComponentShapeError",
    "ComponentTypeError",
    "DeadEntityError",
    "DuplicateSystemError",
    "EcsError",
    "EntityError",
    "MissingComponentError",
    "MissingResourceError",
    "PluginError",
    "ResourceError",
    "ScheduleError",
    "SnapshotError",
    "StructuralChangeError",
    "SystemConflictError",
    "SystemCycleError",
    "UnknownComponentError",
    "UnknownStageError",
]


class EcsError(AstraweaveError):
    """Base of every ECS error."""


class EntityError(EcsError):
    """An entity handle cannot be used. Context: ``entity``."""


class DeadEntityError(EntityError):
    """The handle is stale (its entity was despawned, maybe its slot reused) or was
    never allocated. Context: ``entity``, ``index``, ``generation``."""


class ComponentError(EcsError):
    """A component is misused. Context: ``component``, ``entity``, ``field``."""


class UnknownComponentError(ComponentError, UsageError):
    """A class that was not declared with ``@component`` was used as a component."""


class MissingComponentError(ComponentError):
    """The entity does not have the component that was asked for."""


class ComponentTypeError(ComponentError, UsageError):
    """A value does not fit the field's dtype (for example a float into an int
    column, or a string into a numeric column)."""


class ComponentShapeError(ComponentError, UsageError):
    """A value does not have the field's shape, or a batch column has the wrong length."""


class ResourceError(EcsError):
    """A resource is misused. Context: ``resource``."""


class MissingResourceError(ResourceError):
    """No resource of the requested type is in the world."""


class ScheduleError(EcsError, UsageError):
    """The schedule is misconfigured. Context: ``system``, ``stage``."""


class UnknownStageError(ScheduleError):
    """A system was registered to a stage that does not exist."""


class DuplicateSystemError(ScheduleError):
    """Two systems were registered under the same name."""


class SystemConflictError(ScheduleError):
    """A system's declaration contradicts itself or the schedule (the same data in
    ``reads`` and ``writes``, an ordering constraint on an unknown system)."""


class SystemCycleError(ScheduleError):
    """The ordering constraints of a stage form a cycle. Context: ``cycle``."""


class StructuralChangeError(EcsError, UsageError):
    """A system changed the world's structure (spawn, despawn, insert, remove)
    directly while the schedule was running; use ``world.commands()`` instead."""


class SnapshotError(EcsError):
    """Snapshot bytes are corrupted, truncated, of another format version, or name
    a component type that is not registered. Context: ``offset``, ``component``."""


class PluginError(EcsError, UsageError):
    """A plugin failed to register or was configured wrongly. Context: ``plugin``."""
