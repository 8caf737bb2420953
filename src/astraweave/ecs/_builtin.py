"""Standard spatial components shared by every subsystem (physics, nav, core).

Gameplay happens on a ground plane: ``x`` to the east, ``y`` to the south (rows of a
tile map grow downwards), metres and seconds.
"""

from __future__ import annotations

from astraweave.ecs._component import component

__all__ = ["Heading", "Position", "Velocity"]


@component
class Position:
    """Where an entity is on the ground plane, in metres."""

    x: float = 0.0
    y: float = 0.0


@component
class Velocity:
    """How fast an entity moves, in metres per second."""

    x: float = 0.0
    y: float = 0.0


@component
class Heading:
    """Which way an entity faces, in radians (0 = +x, counter-clockwise towards +y)."""

    angle: float = 0.0
