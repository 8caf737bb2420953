"""The deterministic, data-oriented entity-component-system.

Map of this package:

- ``_entity``: generational entity ids (:data:`Entity`) and their allocator.
- ``_component``: ``@component`` declarations, :class:`Shape`, :func:`columns`.
- ``_storage``: archetype tables (structure of numpy arrays).
- ``_query``: :class:`Query`, :class:`Chunk`, :class:`ColumnView`.
- ``_commands``: deferred structural changes (:class:`Commands`).
- ``_events``: typed events and :class:`EventReader`.
- ``_world``: :class:`World` (entities, resources, events, RNG).
- ``_schedule``: :class:`Stage`, systems, ordering, threaded execution.
- ``_app``: :class:`App`, plugins, the fixed-step loop.
- ``_snapshot``: the world hash and snapshot/restore.
- ``_builtin``: :class:`Position`, :class:`Velocity`, :class:`Heading`.

See ``docs/ecs.md`` for a guide.
"""

from astraweave.ecs._app import App, Plugin
from astraweave.ecs._builtin import Heading, Position, Velocity
from astraweave.ecs._commands import Commands, SpawnHandle
from astraweave.ecs._component import (
    ComponentBatch,
    ComponentInfo,
    FieldSpec,
    Shape,
    columns,
    component,
    component_info,
    is_component,
    registered_components,
)
from astraweave.ecs._entity import Entity, entity_generation, entity_index, make_entity
from astraweave.ecs._events import EventReader
from astraweave.ecs._query import Chunk, ColumnView, Query
from astraweave.ecs._schedule import Schedule, Stage, SystemFn, SystemSpec
from astraweave.ecs._snapshot import world_hash
from astraweave.ecs._storage import Archetype
from astraweave.ecs._world import DEFAULT_DT, World

__all__ = [
    "DEFAULT_DT",
    "App",
    "Archetype",
    "Chunk",
    "ColumnView",
    "Commands",
    "ComponentBatch",
    "ComponentInfo",
    "Entity",
    "EventReader",
    "FieldSpec",
    "Heading",
    "Plugin",
    "Position",
    "Query",
    "Schedule",
    "Shape",
    "SpawnHandle",
    "Stage",
    "SystemFn",
    "SystemSpec",
    "Velocity",
    "World",
    "columns",
    "component",
    "component_info",
    "entity_generation",
    "entity_index",
    "is_component",
    "make_entity",
    "registered_components",
    "world_hash",
]
