"""Errors of :mod:`astraweave.nav`.

::

    NavError
    ├── MapFormatError                 a map file or ASCII map is malformed (path, line)
    ├── OutOfBoundsError               a point lies outside the map (point, width, height)
    ├── BlockedCellError               a start or goal cell is not walkable (point)
    ├── OffMeshError                   a point is not on the navmesh (point)
    ├── NavConfigError      (UsageError)  a parameter is out of range (parameter, value)
    ├── InvalidPolygonError (UsageError)  a polygon is degenerate (polygon, reason)
    ├── UnknownAlgorithmError (UsageError) an unknown search algorithm (algorithm)
    └── UnknownObstacleError (UsageError)  an obstacle id not on the mesh (obstacle)

An unreachable goal is not an error: ``find_path`` returns ``None``.
"""

from __future__ import annotations

from astraweave.errors._base import UsageError
from astraweave.errors._subsystems import NavError

__all__ = [
    "BlockedCellError",
    "InvalidPolygonError",
    "MapFormatError",
    "NavConfigError",
    "OffMeshError",
    "OutOfBoundsError",
    "UnknownAlgorithmError",
    "UnknownObstacleError",
]


class MapFormatError(NavError):
    """A Moving AI ``.map`` file or an ASCII map is malformed (wrong header, wrong row
    length or count, unknown character). Context: ``path`` (``None`` for text),
    ``line`` (1-based), ``column`` (1-based, when one character is at fault)."""


class OutOfBoundsError(NavError):
    """A cell lies outside the map. Context: ``point``, ``width``, ``height``."""


class BlockedCellError(NavError):
    """A start or goal cell is not walkable. Context: ``point``, ``role``
    (``"start"`` or ``"goal"``)."""


class OffMeshError(NavError):
    """A point is not on the navmesh (inside an obstacle, too close to a wall for the
    agent radius, or outside the bounds). Context: ``point``, ``role``."""


class NavConfigError(NavError, UsageError):
    """A parameter is out of range or has the wrong shape (negative agent radius,
    zero cell size, a walkable array that is not 2-D). Context: ``parameter``,
    ``value``."""


class InvalidPolygonError(NavError, UsageError):
    """A polygon is degenerate: fewer than 3 points, non-finite coordinates, zero
    area, or self-intersecting. Context: ``polygon``, ``reason``."""


class UnknownAlgorithmError(NavError, UsageError):
    """``find_path`` was asked for an algorithm it does not have. Context:
    ``algorithm``, ``known``."""


class UnknownObstacleError(NavError, UsageError):
    """An obstacle id is not (or no longer) on the navmesh. Context: ``obstacle``."""
