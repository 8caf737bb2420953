"""Physics on pymunk, synced with the ECS, deterministic across runs and restores.

Add it with ``app.add_plugin(physics.plugin, config=PhysicsConfig(...))``; an entity
with ``Position`` and :class:`Collider` gets a body (dynamic, kinematic or static per
its :class:`RigidBody`, static without one). See ``docs/physics.md`` for the guide and
the determinism contract.

Map of this package:

- ``_config``: :class:`PhysicsConfig` (every quantity with its unit and default).
- ``_components``: :class:`RigidBody`, :class:`Collider`, :class:`CollisionCount`,
  :class:`BodyKind`, :class:`ShapeKind`, the collision events and ``MAP_ENTITY``.
- ``_bodies``: checked conversion of components into pymunk bodies and shapes.
- ``_space``: :class:`DeterministicSpace`, a pymunk space whose pickle round trip
  continues bit-identically, and the batched body reader/writer.
- ``_world``: :class:`PhysicsWorld`, the resource (entity mapping, stepping,
  state bytes, pickling, tombstones and compaction).
- ``_queries``: raycasts, line of sight, overlap and nearest (:class:`RayHit`).
- ``_sync``: ECS -> space before the step, space -> ECS and collision events after.
- ``_controller``: :class:`CharacterController`, its system, :func:`set_waypoints`.
- ``_neighbors``: vectorised neighbour pairs (for separation steering).
- ``_tilemap``: ASCII maps to merged static boxes (:func:`tilemap_to_rects`).
- ``_systems``: the four systems and :func:`plugin`.

Example:
    >>> from astraweave.ecs import App, Position, Velocity
    >>> from astraweave import physics
    >>> app = App(seed=1)
    >>> _ = app.add_plugin(physics.plugin)
    >>> n = physics.add_static_map(app.world, '''
    ...     ########
    ...     #......#
    ...     ########
    ... ''')
    >>> ball = app.world.spawn(Position(2.0, 1.5), Velocity(3.0, 0.0), physics.RigidBody(),
    ...                        physics.Collider(radius=0.25, restitution=0.0))
    >>> app.run(120)
    >>> n, round(app.world.get(ball, Position).x, 2)
    (4, 6.76)
"""

from astraweave.physics._components import (
    ALL_LAYERS,
    MAP_ENTITY,
    BodyKind,
    Collider,
    CollisionCount,
    CollisionEnded,
    CollisionStarted,
    RigidBody,
    ShapeKind,
)
from astraweave.physics._config import (
    DEFAULT_CELL_COUNT,
    DEFAULT_CELL_SIZE_M,
    DEFAULT_COLLISION_BIAS,
    DEFAULT_COLLISION_SLOP_M,
    DEFAULT_ITERATIONS,
    DEFAULT_SEPARATION_GAIN,
    DEFAULT_SUBSTEPS,
    PhysicsConfig,
)
from astraweave.physics._controller import (
    Arrived,
    CharacterController,
    ControllerStatus,
    Stuck,
    character_bundle,
    controller_system,
    set_waypoints,
)
from astraweave.physics._neighbors import neighbor_pairs
from astraweave.physics._queries import RayHit
from astraweave.physics._space import DeterministicSpace
from astraweave.physics._systems import (
    SYSTEM_NAMES,
    plugin,
    pull_system,
    push_system,
    step_system,
)
from astraweave.physics._tilemap import (
    TileRect,
    add_static_map,
    grid_to_rects,
    parse_tilemap,
    tilemap_to_rects,
)
from astraweave.physics._world import PhysicsWorld

__all__ = [
    "ALL_LAYERS",
    "DEFAULT_CELL_COUNT",
    "DEFAULT_CELL_SIZE_M",
    "DEFAULT_COLLISION_BIAS",
    "DEFAULT_COLLISION_SLOP_M",
    "DEFAULT_ITERATIONS",
    "DEFAULT_SEPARATION_GAIN",
    "DEFAULT_SUBSTEPS",
    "MAP_ENTITY",
    "SYSTEM_NAMES",
    "Arrived",
    "BodyKind",
    "CharacterController",
    "Collider",
    "CollisionCount",
    "CollisionEnded",
    "CollisionStarted",
    "ControllerStatus",
    "DeterministicSpace",
    "PhysicsConfig",
    "PhysicsWorld",
    "RayHit",
    "RigidBody",
    "ShapeKind",
    "Stuck",
    "TileRect",
    "add_static_map",
    "character_bundle",
    "controller_system",
    "grid_to_rects",
    "neighbor_pairs",
    "parse_tilemap",
    "plugin",
    "pull_system",
    "push_system",
    "set_waypoints",
    "step_system",
    "tilemap_to_rects",
]
