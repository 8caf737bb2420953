"""Physics movement: characters as pymunk bodies steered by character controllers.

With ``movement = "physics"`` (scenario files) a world's characters are dynamic
bodies (radius :data:`BODY_RADIUS_M`, frictionless, fixed rotation) driven by
:class:`astraweave.physics.CharacterController`; walls and low cover are static boxes,
closed doors static box entities (:class:`DoorBlocker`) removed when a door opens.
Characters then push each other instead of overlapping and slide along walls. With
the default ``"kinematic"`` movement, :mod:`astraweave.core._movement` moves them
exactly along their paths. Tools do not care which: :class:`StepRun` hides it.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from astraweave.core._components import DoorBlocker
from astraweave.core._map import LOW_COVER, WALL, TileMap
from astraweave.ecs import Position, World

__all__ = [
    "ARRIVE_RADIUS_M",
    "BODY_RADIUS_M",
    "add_physics",
    "character_parts",
    "door_blocker",
    "uses_physics",
]

BODY_RADIUS_M = 0.3
"""Radius of a character's body in metres."""
ARRIVE_RADIUS_M = 0.1
"""A waypoint counts as reached within this many metres (physics movement)."""
BODY_MASS_KG = 70.0


def uses_physics(world: World) -> bool:
    """True when the world has a physics world (characters are bodies)."""
    from astraweave.physics import PhysicsWorld

    return world.has_resource(PhysicsWorld)


def add_physics(world: World, tilemap: TileMap) -> None:
    """Give ``world`` a physics world with the map's walls and low cover as static boxes."""
    from astraweave.physics import PhysicsWorld, grid_to_rects

    physics = PhysicsWorld()
    world.insert_resource(physics)
    solid = (tilemap.kinds == WALL) | (tilemap.kinds == LOW_COVER)
    rects = grid_to_rects(solid)
    physics.add_static_boxes(
        [(float(r.col), float(r.row), float(r.width), float(r.height)) for r in rects],
        friction=0.0,
    )


def character_parts(speed_mps: float) -> list[Any]:
    """The physics components of a character (besides Position and Heading)."""
    from astraweave.ecs import Velocity
    from astraweave.physics import (
        BodyKind,
        CharacterController,
        Collider,
        CollisionCount,
        RigidBody,
        ShapeKind,
    )

    return [
        Velocity(0.0, 0.0),
        RigidBody(kind=BodyKind.DYNAMIC, mass=BODY_MASS_KG, fixed_rotation=True),
        Collider(shape=ShapeKind.CIRCLE, radius=BODY_RADIUS_M, friction=0.0),
        CharacterController(
            speed=float(speed_mps), radius=BODY_RADIUS_M, arrive_radius=ARRIVE_RADIUS_M
        ),
        CollisionCount(),
    ]


def door_blocker(cx: int, cy: int) -> tuple[Any, ...]:
    """The components of the static collider of a closed door at tile ``(cx, cy)``."""
    from astraweave.physics import Collider, ShapeKind

    return (
        Position(cx + 0.5, cy + 0.5),
        Collider(shape=ShapeKind.BOX, width=1.0, height=1.0, radius=0.0, friction=0.0),
        DoorBlocker(cx, cy),
    )


def set_door_blocked(world: World, cx: int, cy: int, blocked: bool) -> None:
    """Add or remove (deferred, at the stage's sync point) a door's collider."""
    commands = world.commands()
    if blocked:
        commands.spawn(*door_blocker(cx, cy))
        return
    for chunk in world.query(DoorBlocker):
        db = chunk[DoorBlocker]
        hit = (db.cell_x == cx) & (db.cell_y == cy)
        if hit.any():
            commands.despawn_batch(np.asarray(chunk.entities[hit]).copy())
