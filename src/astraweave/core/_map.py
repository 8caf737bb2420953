"""The tile map of a scenario: walls, low cover, doors; paths, line of sight, cover.

Coordinates are metres on the ground plane, ``x`` east and ``y`` south; tile
``(cx, cy)`` covers ``[cx, cx + 1) x [cy, cy + 1)`` and its centre is
``(cx + 0.5, cy + 0.5)``. ASCII legend (one character per tile):

====  =====================================================================
char  tile
====  =====================================================================
``#`` wall: blocks movement and sight
``=`` low cover (crates, low walls): blocks movement, not sight; gives cover
``D`` closed door: blocks movement and sight until opened (``Interact``)
``d`` open door: walkable and transparent
``.`` floor
other letters and digits: floor, with a named marker (scenario positions)
====  =====================================================================

Line of sight between two points is clear when every tile the segment between
their tile centres touches is see-through (the supercover rule of
:mod:`astraweave.nav`: no peeking diagonally between two walls that touch at a
corner). Smoke is checked separately (:func:`smoke_blocks`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from astraweave.core import _pathing

__all__ = [
    "DOOR_CLOSED",
    "DOOR_OPEN",
    "FLOOR",
    "LOW_COVER",
    "WALL",
    "TileMap",
    "smoke_blocks",
]

FLOOR, WALL, LOW_COVER, DOOR_CLOSED, DOOR_OPEN = 0, 1, 2, 3, 4
_CHARS = {".": FLOOR, "#": WALL, "=": LOW_COVER, "D": DOOR_CLOSED, "d": DOOR_OPEN}
_SYMBOL = {v: k for k, v in _CHARS.items()}

Point = tuple[float, float]


class MapTextError(ValueError):
    """Raised by :meth:`TileMap.from_ascii` (the scenario loader adds file context)."""

    def __init__(self, message: str, line: int, column: int | None = None) -> None:
        super().__init__(message)
        self.line = line
        self.column = column


@dataclass(eq=False)
class TileMap:
    """The static geometry of a level plus door state (a world resource).

    Args:
        kinds: ``(height, width)`` uint8 array of tile kinds (``FLOOR``, ``WALL``,
            ``LOW_COVER``, ``DOOR_CLOSED``, ``DOOR_OPEN``).
        markers: marker character -> tile positions ``(cx, cy)``, row-major.

    Example:
        >>> tm = TileMap.from_ascii('''
        ... #####
        ... #P.=#
        ... #####''')
        >>> tm.width, tm.height, tm.markers["P"]
        (5, 3, [(1, 1)])
        >>> tm.walkable_at(2.5, 1.5), tm.walkable_at(3.5, 1.5)
        (True, False)
    """

    kinds: npt.NDArray[np.uint8]
    markers: dict[str, list[tuple[int, int]]] = field(default_factory=dict)
    _cache: dict[str, Any] = field(default_factory=dict, repr=False)

    # --------------------------------------------------------------- building
    @classmethod
    def from_ascii(cls, text: str) -> TileMap:
        """Parse an ASCII map (see the module docstring for the legend).

        Leading and trailing blank lines and trailing spaces are ignored.

        Raises:
            MapTextError: no rows, rows of different widths, or an unknown character
                (``line`` and ``column`` are 1-based within ``text``).
        """
        raw_lines = text.split("\n")
        rows: list[tuple[int, str]] = [
            (i + 1, line.rstrip()) for i, line in enumerate(raw_lines) if line.strip()
        ]
        if not rows:
            raise MapTextError("the map has no rows", line=1)
        width = len(rows[0][1])
        kinds = np.zeros((len(rows), width), dtype=np.uint8)
        markers: dict[str, list[tuple[int, int]]] = {}
        for cy, (lineno, row) in enumerate(rows):
            if len(row) != width:
                raise MapTextError(
                    f"map row {cy + 1} is {len(row)} tiles wide, the first row is {width}",
                    line=lineno,
                )
            for cx, ch in enumerate(row):
                if ch in _CHARS:
                    kinds[cy, cx] = _CHARS[ch]
                elif ch.isascii() and ch.isalnum():
                    markers.setdefault(ch, []).append((cx, cy))
                else:
                    raise MapTextError(
                        f"unknown map character {ch!r} (legend: # wall, = low cover, "
                        "D/d closed/open door, . floor, letters/digits markers)",
                        line=lineno,
                        column=cx + 1,
                    )
        return cls(kinds=kinds, markers=markers)

    def to_ascii(self) -> str:
        """The map as text (markers become floor)."""
        return "\n".join("".join(_SYMBOL[int(k)] for k in row) for row in self.kinds)

    # ---------------------------------------------------------------- queries
    @property
    def width(self) -> int:
        """Tiles per row (metres east)."""
        return int(self.kinds.shape[1])

    @property
    def height(self) -> int:
        """Rows (metres south)."""
        return int(self.kinds.shape[0])

    @property
    def walkable(self) -> npt.NDArray[np.bool_]:
        """``(height, width)`` mask of tiles an agent can stand on (cached)."""
        w = self._cache.get("walkable")
        if w is None:
            w = (self.kinds == FLOOR) | (self.kinds == DOOR_OPEN)
            self._cache["walkable"] = w
        return w  # type: ignore[no-any-return]  # cached ndarray

    @property
    def transparent(self) -> npt.NDArray[np.bool_]:
        """``(height, width)`` mask of tiles sight passes through (cached)."""
        t = self._cache.get("transparent")
        if t is None:
            t = (self.kinds != WALL) & (self.kinds != DOOR_CLOSED)
            self._cache["transparent"] = t
        return t  # type: ignore[no-any-return]  # cached ndarray

    def in_bounds(self, x: float, y: float) -> bool:
        """True when the point lies on the map (finite, ``0 <= x < width``, ...)."""
        return (
            math.isfinite(x) and math.isfinite(y) and 0 <= x < self.width and 0 <= y < self.height
        )

    @staticmethod
    def cell_of(x: float, y: float) -> tuple[int, int]:
        """The tile ``(cx, cy)`` containing a point."""
        return math.floor(x), math.floor(y)

    @staticmethod
    def centre(cx: int, cy: int) -> Point:
        """The centre of tile ``(cx, cy)`` in metres."""
        return cx + 0.5, cy + 0.5

    def kind_at(self, cx: int, cy: int) -> int:
        """The tile kind at ``(cx, cy)``; ``WALL`` outside the map."""
        if 0 <= cx < self.width and 0 <= cy < self.height:
            return int(self.kinds[cy, cx])
        return WALL

    def walkable_at(self, x: float, y: float) -> bool:
        """True when the point is on the map and its tile can be stood on."""
        if not self.in_bounds(x, y):
            return False
        cx, cy = self.cell_of(x, y)
        return bool(self.walkable[cy, cx])

    def set_kind(self, cx: int, cy: int, kind: int) -> None:
        """Change one tile (doors opening and closing); invalidates caches."""
        self.kinds[cy, cx] = kind
        self._cache.clear()

    @property
    def grids(self) -> _pathing.Grids:
        """The nav grids of the current map state (cached; rebuilt after door changes)."""
        g = self._cache.get("grids")
        if g is None:
            g = _pathing.Grids(self.walkable, self.transparent)
            self._cache["grids"] = g
        return g

    def line_of_sight(self, a: Point, b: Point) -> bool:
        """True when walls and closed doors do not block the segment ``a``-``b``."""
        if not (self.in_bounds(*a) and self.in_bounds(*b)):
            return False
        return self.grids.sight.line_of_sight(self.cell_of(*a), self.cell_of(*b))

    def lines_of_sight(self, a: Point, points: npt.NDArray[np.float64]) -> npt.NDArray[np.bool_]:
        """Vectorised :meth:`line_of_sight` from ``a`` to each row of ``points`` (n, 2)."""
        n = len(points)
        out = np.zeros(n, dtype=np.bool_)
        if n == 0 or not self.in_bounds(*a):
            return out
        xs, ys = points[:, 0], points[:, 1]
        inside = (
            np.isfinite(xs)
            & np.isfinite(ys)
            & (xs >= 0)
            & (ys >= 0)
            & (xs < self.width)
            & (ys < self.height)
        )
        if not inside.any():
            return out
        goals = np.floor(points[inside]).astype(np.int64)
        starts = np.broadcast_to(np.array(self.cell_of(*a), dtype=np.int64), goals.shape)
        out[inside] = _pathing.clear_lines(self.grids, np.ascontiguousarray(starts), goals)
        return out

    def find_path(self, start: Point, goal: Point) -> list[Point] | None:
        """A walkable path from ``start`` to ``goal`` as waypoints, or ``None``.

        The search runs on tiles (8-connected, no corner cutting); the result is
        smoothed by line of sight keeping :data:`~astraweave.core._pathing.CLEARANCE_M`
        from blocked tiles (falling back to the tile path's own steps) and ends exactly
        at ``goal``. ``start`` itself is not included. Both points must be walkable.
        """
        if not (self.walkable_at(*start) and self.walkable_at(*goal)):
            return None
        sx, sy = self.cell_of(*start)
        gx, gy = self.cell_of(*goal)
        key = f"path:{sx},{sy}:{gx},{gy}"
        cells = self._cache.get(key)
        if cells is None:
            cells = _pathing.grid_path(self.grids, (sx, sy), (gx, gy))
            if len(self._cache) > 4096:
                self._cache.clear()
            self._cache[key] = cells
        if cells is None:
            return None
        pts = [self.centre(cx, cy) for cx, cy in cells[1:-1]]
        pts.append((float(goal[0]), float(goal[1])))
        return pts

    @staticmethod
    def path_length(start: Point, waypoints: list[Point]) -> float:
        """Length in metres of the polyline ``start`` -> waypoints."""
        total, (px, py) = 0.0, start
        for x, y in waypoints:
            total += math.hypot(x - px, y - py)
            px, py = x, y
        return total

    def cover_tiles(self) -> npt.NDArray[np.int64]:
        """``(n, 2)`` tiles ``(cx, cy)`` that are walkable and touch low cover
        orthogonally (row-major order, cached): the spots ``TakeCover`` picks from."""
        c = self._cache.get("cover_tiles")
        if c is None:
            low = np.pad(self.kinds == LOW_COVER, 1, constant_values=False)
            near_low = low[:-2, 1:-1] | low[2:, 1:-1] | low[1:-1, :-2] | low[1:-1, 2:]
            ys, xs = np.nonzero(self.walkable & near_low)
            c = np.stack([xs, ys], axis=1).astype(np.int64)
            self._cache["cover_tiles"] = c
        return c

    def cover_against(self, target: Point, attacker: Point) -> float:
        """Fraction of shots that tile cover stops, for a target seen from ``attacker``.

        A target standing next to low cover (or a wall) on the attacker's side gets
        0.5; otherwise 0. Crouching adds to this (see the rules).
        """
        tx, ty = self.cell_of(*target)
        dx, dy = attacker[0] - target[0], attacker[1] - target[1]
        sx = (dx > 0.25) - (dx < -0.25)
        sy = (dy > 0.25) - (dy < -0.25)
        candidates = []
        if sx:
            candidates.append((tx + sx, ty))
        if sy:
            candidates.append((tx, ty + sy))
        if sx and sy:
            candidates.append((tx + sx, ty + sy))
        for cx, cy in candidates:
            if self.kind_at(cx, cy) in (LOW_COVER, WALL):
                return 0.5
        return 0.0

    # ------------------------------------------------------------------ hashing
    def state_bytes(self) -> bytes:
        """The tile kinds as bytes (doors change during play; enters the world hash)."""
        return bytes(np.ascontiguousarray(self.kinds).tobytes())

    def __getstate__(self) -> dict[str, Any]:
        return {"kinds": self.kinds, "markers": self.markers}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.kinds = state["kinds"]
        self.markers = state["markers"]
        self._cache = {}


def smoke_blocks(
    a: Point,
    b: Point,
    centres: npt.NDArray[np.float64],
    radii: npt.NDArray[np.float64],
) -> bool:
    """True when the segment ``a``-``b`` passes through any smoke circle (vectorised).

    Args:
        a, b: segment end points (metres).
        centres: ``(n, 2)`` smoke centres.
        radii: ``(n,)`` smoke radii.
    """
    if len(radii) == 0:
        return False
    ax, ay = a
    dx, dy = b[0] - ax, b[1] - ay
    seg2 = dx * dx + dy * dy
    px = centres[:, 0] - ax
    py = centres[:, 1] - ay
    t = np.clip((px * dx + py * dy) / seg2, 0.0, 1.0) if seg2 > 0 else np.zeros(len(radii))
    qx = px - t * dx
    qy = py - t * dy
    return bool(np.any(qx * qx + qy * qy < radii * radii))
