"""Physics components (RigidBody, Collider, CollisionCount) and collision events."""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from typing import Final

from astraweave.ecs import component

__all__ = [
    "ALL_LAYERS",
    "MAP_ENTITY",
    "BodyKind",
    "Collider",
    "CollisionCount",
    "CollisionEnded",
    "CollisionStarted",
    "RigidBody",
    "ShapeKind",
]

ALL_LAYERS: Final = 0xFFFF_FFFF
"""Every one of the 32 collision layer bits (the default mask)."""

MAP_ENTITY: Final = -1
"""The entity id that stands for static map geometry (see ``add_static_map``) in
collision events and query results. It sorts before every real entity."""


class BodyKind(IntEnum):
    """How a body moves (the values of :attr:`RigidBody.kind`, equal to pymunk's)."""

    DYNAMIC = 0
    """Moved by forces, contacts and its velocity; has mass."""
    KINEMATIC = 1
    """Moved only by its velocity (``Velocity``); pushes dynamic bodies, is never pushed."""
    STATIC = 2
    """Never moves (walls, obstacles). Cheapest."""


class ShapeKind(IntEnum):
    """Collision shape of a :class:`Collider` (the values of :attr:`Collider.shape`)."""

    CIRCLE = 0
    """A disc of ``radius`` m around the body's position."""
    BOX = 1
    """A ``width`` x ``height`` m rectangle centred on the body (corners bevelled by
    ``radius`` m, default 0)."""
    CAPSULE = 2
    """A stadium along the body's x axis: ``width`` m long overall, ``2 * radius`` m thick."""
    POLYGON = 3
    """A convex polygon: ``vertices`` in body coordinates, counter-clockwise or not
    (at least 3, no three collinear duplicates); corners bevelled by ``radius`` m."""
    SEGMENT = 4
    """A line from ``vertices[0]`` to ``vertices[1]`` (body coordinates), ``radius`` m
    thick on each side (0 is allowed for static walls)."""


@component
class RigidBody:
    """A body simulated by the physics world.

    An entity becomes a physics body when it has ``Position`` and :class:`Collider`;
    without ``RigidBody`` it is static. ``Velocity`` (optional) is read and written,
    ``Heading`` (optional) is the body's angle.

    Attributes:
        kind: a :class:`BodyKind` (int). Default ``DYNAMIC``.
        mass: kilograms, > 0, dynamic bodies only. Default 1.0. The moment of inertia
            is computed from the collider's shape and this mass.
        linear_damping: 1/s; velocity is multiplied by ``exp(-linear_damping * dt)``
            each tick before the step. Default 0.0.
        fixed_rotation: when True the body never rotates (infinite moment). Default
            False. Characters use True.

    Example:
        >>> RigidBody(kind=BodyKind.KINEMATIC).kind == 1
        True
    """

    kind: int = 0
    mass: float = 1.0
    linear_damping: float = 0.0
    fixed_rotation: bool = False


@component
class Collider:
    """The collision shape of an entity, plus its surface and filtering.

    Attributes:
        shape: a :class:`ShapeKind` (int). Default ``CIRCLE``.
        radius: metres. Circle and capsule radius; bevel of boxes and polygons;
            half-thickness of segments. Default 0.5.
        width: metres, boxes and capsules (overall length). Default 1.0.
        height: metres, boxes. Default 1.0.
        vertices: polygon vertices or segment end points, a tuple of ``(x, y)`` in
            body coordinates (object field). Default ``None``.
        friction: Coulomb friction coefficient, >= 0 (pairs multiply). Default 0.5.
        restitution: elasticity in [0, 1] (pairs multiply; 1 bounces forever).
            Default 0.0.
        layers: bits this shape is on (32-bit). Default 1.
        mask: bits this shape collides with (32-bit). Default every layer. Two
            shapes collide when each one's ``layers`` meet the other's ``mask``.
        sensor: a sensor reports overlaps (collision events) but never pushes.
            Default False.

    Example:
        >>> Collider(shape=ShapeKind.BOX, width=2.0, height=0.5).shape == 1
        True
    """

    shape: int = 0
    radius: float = 0.5
    width: float = 1.0
    height: float = 1.0
    vertices: tuple[tuple[float, float], ...] | None = None
    friction: float = 0.5
    restitution: float = 0.0
    layers: int = 1
    mask: int = ALL_LAYERS
    sensor: bool = False


@component
class CollisionCount:
    """Counts collisions of an entity (updated by the physics step).

    Attributes:
        started: collisions begun so far (one per :class:`CollisionStarted` naming
            this entity).
        touching: shapes touching this entity after the last step.
    """

    started: int = 0
    touching: int = 0


@dataclass(frozen=True, slots=True)
class CollisionStarted:
    """Two shapes began to touch during the last physics step.

    Attributes:
        a: the smaller entity id (``MAP_ENTITY`` for map geometry).
        b: the larger entity id.
        point: the first contact point ``(x, y)`` in metres, midway between the two
            surfaces (for sensor overlaps, which have no contact points, midway
            between the two bodies' positions).
        normal: unit contact normal ``(x, y)`` pointing from ``a`` towards ``b``
            (``(0.0, 0.0)`` for sensor overlaps).
    """

    a: int
    b: int
    point: tuple[float, float] = (0.0, 0.0)
    normal: tuple[float, float] = (0.0, 0.0)


@dataclass(frozen=True, slots=True)
class CollisionEnded:
    """Two shapes stopped touching during the last physics step (or one of them was
    removed). ``a < b`` as in :class:`CollisionStarted`."""

    a: int
    b: int
