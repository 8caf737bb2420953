"""Errors of :mod:`astraweave.physics`.

::

    PhysicsError                       (base, in _subsystems.py; context: entity)
    ├── PhysicsConfigError             (UsageError)  a PhysicsConfig value is out of range
    ├── RigidBodyError                 (UsageError)  a RigidBody cannot become a body
    ├── ColliderError                  (UsageError)  a Collider cannot become a shape
    ├── NonFiniteStateError            (UsageError)  NaN/inf position, velocity or angle
    ├── PhysicsQueryError              (UsageError)  bad raycast/overlap/nearest arguments
    ├── TileMapError                   (UsageError)  a malformed ASCII tile map
    ├── PhysicsStateError                            physics state cannot be restored
    └── PymunkError                                  pymunk refused an operation

pymunk checks its preconditions with ``assert`` (gone under ``python -O``), so
astraweave checks them itself and raises the typed errors above; anything pymunk
still raises at the boundary becomes a :class:`PymunkError` raised ``from`` it.
"""

from __future__ import annotations

from astraweave.errors._base import UsageError
from astraweave.errors._subsystems import PhysicsError

__all__ = [
    "ColliderError",
    "NonFiniteStateError",
    "PhysicsConfigError",
    "PhysicsQueryError",
    "PhysicsStateError",
    "PymunkError",
    "RigidBodyError",
    "TileMapError",
]


class PhysicsConfigError(PhysicsError, UsageError):
    """A :class:`~astraweave.physics.PhysicsConfig` value is out of range.
    Context: ``field``, ``value``."""


class RigidBodyError(PhysicsError, UsageError):
    """A ``RigidBody`` component cannot become a pymunk body (unknown kind,
    non-positive or non-finite mass, negative damping). Context: ``entity``, ``field``,
    ``value``."""


class ColliderError(PhysicsError, UsageError):
    """A ``Collider`` component cannot become a pymunk shape (unknown shape kind,
    non-positive radius or size, degenerate or concave polygon, layer bits out of
    range). Context: ``entity``, ``shape``, ``field``, ``value``."""


class NonFiniteStateError(PhysicsError, UsageError):
    """A position, velocity or heading handed to physics is NaN or infinite.
    Context: ``entity``, ``component``, ``field``."""


class PhysicsQueryError(PhysicsError, UsageError):
    """Arguments of a physics query are invalid (non-finite point, negative
    distance, mask out of range). Context: ``query``, ``argument``, ``value``."""


class TileMapError(PhysicsError, UsageError):
    """An ASCII tile map is malformed (ragged rows, unknown character, empty).
    Context: ``line`` (1-based), ``column`` (1-based), ``char``."""


class PhysicsStateError(PhysicsError):
    """Pickled physics state cannot be restored here (made by another pymunk
    version, or inconsistent). Context: ``expected``, ``found``."""


class PymunkError(PhysicsError):
    """pymunk raised while astraweave drove it; the original exception is the
    ``__cause__``. Context: ``operation``, ``entity``."""
