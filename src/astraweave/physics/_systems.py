"""The physics systems and the plugin that registers them.

Order within ``Stage.PHYSICS`` (each ``after`` the previous one):

1. ``physics.controller``: character controllers set ``Velocity`` (and ``Heading``).
2. ``physics.push``: ECS -> space (create, remove, rebuild bodies; push changed
   positions, velocities, headings; per-body damping).
3. ``physics.step``: ``config.substeps`` fixed sub-steps of ``world.dt / substeps``.
4. ``physics.pull``: space -> ECS (positions, velocities, headings), collision events,
   ``CollisionCount``.

Systems of other packages that must see this tick's physics results run
``after=("physics.pull",)`` (or in a later stage).
"""

from __future__ import annotations

from typing import Final

from astraweave.ecs import App, Heading, Position, Stage, Velocity, World
from astraweave.errors import PluginError
from astraweave.physics._components import Collider, CollisionCount, RigidBody
from astraweave.physics._config import PhysicsConfig
from astraweave.physics._controller import CharacterController, controller_system
from astraweave.physics._sync import pull_from_space, push_to_space
from astraweave.physics._world import PhysicsWorld

__all__ = ["SYSTEM_NAMES", "plugin", "pull_system", "push_system", "step_system"]

SYSTEM_NAMES: Final = ("physics.controller", "physics.push", "physics.step", "physics.pull")
"""Names of the physics systems, in execution order."""


def push_system(world: World) -> None:
    """ECS -> space before the step (see :func:`~astraweave.physics._sync.push_to_space`)."""
    push_to_space(world, world.resource(PhysicsWorld))


def step_system(world: World) -> None:
    """Advance the space by ``world.dt`` seconds."""
    world.resource(PhysicsWorld).step(world.dt)


def pull_system(world: World) -> None:
    """Space -> ECS after the step, collision events and counters."""
    pull_from_space(world, world.resource(PhysicsWorld))


def plugin(app: App, config: PhysicsConfig | None = None) -> None:
    """Add physics to ``app``: the :class:`PhysicsWorld` resource and four systems.

    Calling it again is a no-op (also through ``app.add_plugin``), unless it is
    given a config different from the one in place, which is an error.

    Args:
        app: the application.
        config: how to step; default :class:`PhysicsConfig()`.

    Raises:
        PluginError: physics is already set up with a different config.

    Example:
        >>> from astraweave.ecs import App, Position
        >>> from astraweave.physics import Collider, RigidBody, plugin, PhysicsConfig
        >>> app = App(seed=1)
        >>> _ = app.add_plugin(plugin, config=PhysicsConfig(gravity_mps2=(0.0, 9.81)))
        >>> ball = app.world.spawn(Position(0.0, 0.0), RigidBody(), Collider(radius=0.5))
        >>> app.run(60)
        >>> round(app.world.get(ball, Position).y, 2)
        4.82
    """
    world = app.world
    existing = world.try_resource(PhysicsWorld)
    if existing is None:
        world.insert_resource(PhysicsWorld(config))
    elif config is not None and config != existing.config:
        raise PluginError(
            f"physics is already set up with {existing.config!r}; got {config!r}",
            plugin="astraweave.physics.plugin",
            hint="add the physics plugin once, with the config you want",
        )
    registered = {spec.name for spec in app.schedule.systems(Stage.PHYSICS)}
    if SYSTEM_NAMES[0] in registered:
        return
    app.add_system(
        controller_system,
        stage=Stage.PHYSICS,
        reads=(Position, PhysicsWorld),
        writes=(Velocity, Heading, CharacterController),
        name=SYSTEM_NAMES[0],
    )
    app.add_system(
        push_system,
        stage=Stage.PHYSICS,
        reads=(Position, Velocity, Heading, RigidBody, Collider),
        writes=(PhysicsWorld,),
        after=(SYSTEM_NAMES[0],),
        name=SYSTEM_NAMES[1],
    )
    app.add_system(
        step_system,
        stage=Stage.PHYSICS,
        writes=(PhysicsWorld,),
        after=(SYSTEM_NAMES[1],),
        name=SYSTEM_NAMES[2],
    )
    app.add_system(
        pull_system,
        stage=Stage.PHYSICS,
        reads=(Collider,),
        writes=(PhysicsWorld, Position, Velocity, Heading, CollisionCount),
        after=(SYSTEM_NAMES[2],),
        name=SYSTEM_NAMES[3],
    )
