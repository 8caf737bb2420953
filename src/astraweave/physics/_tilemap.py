"""ASCII tile maps as static physics geometry, with walls merged into few boxes.

A map is text, one row per line: ``#`` is a wall, ``.`` is floor (both configurable).
Tile ``(col, row)`` covers ``x`` in ``[col, col + 1]`` and ``y`` in ``[row, row + 1]``
(metres; rows grow downwards, as ``y`` does). Adjacent wall tiles are merged into
axis-aligned rectangles by a greedy maximal-rectangle cover, so a 40 x 40 room with
long walls becomes a handful of boxes instead of hundreds.
"""

from __future__ import annotations

import textwrap
from typing import TYPE_CHECKING, NamedTuple

import numpy as np
import numpy.typing as npt

from astraweave.errors import TileMapError

if TYPE_CHECKING:
    from astraweave.ecs import World
    from astraweave.physics._world import PhysicsWorld

__all__ = ["TileRect", "add_static_map", "parse_tilemap", "tilemap_to_rects"]


class TileRect(NamedTuple):
    """A rectangle of wall tiles: min corner ``(col, row)`` and size in tiles (= metres)."""

    col: int
    row: int
    width: int
    height: int


def parse_tilemap(text: str, *, walls: str = "#", floors: str = ".") -> npt.NDArray[np.bool_]:
    """The wall grid of a map: ``grid[row, col]`` is True for wall tiles.

    Common indentation is removed and blank lines before and after the map are
    ignored, so maps can be written as indented triple-quoted strings.

    Raises:
        TileMapError: no rows, rows of different lengths, or a character that is
            neither a wall nor a floor (``line`` and ``column`` are 1-based in ``text``).

    Example:
        >>> parse_tilemap('''
        ...     ##
        ...     #.
        ... ''').astype(int).tolist()
        [[1, 1], [1, 0]]
    """
    if not isinstance(text, str):
        raise TileMapError(f"a tile map is text, got {type(text).__name__}")
    overlap = set(walls) & set(floors)
    if not walls or overlap:
        raise TileMapError(
            f"wall characters {walls!r} and floor characters {floors!r} must be "
            "non-empty and disjoint",
            char="".join(sorted(overlap)) or None,
        )
    lines = textwrap.dedent(text).split("\n")
    first = 0
    while first < len(lines) and not lines[first].strip():
        first += 1
    last = len(lines)
    while last > first and not lines[last - 1].strip():
        last -= 1
    rows = [line.rstrip() for line in lines[first:last]]
    if not rows:
        raise TileMapError("the tile map has no rows", hint="give at least one line of tiles")
    width = len(rows[0])
    grid = np.zeros((len(rows), width), dtype=np.bool_)
    for r, line in enumerate(rows):
        if len(line) != width:
            raise TileMapError(
                f"tile map row {r + 1} has {len(line)} tiles, the first row has {width}",
                line=first + r + 1,
                column=min(len(line), width) + 1,
                hint="every row needs the same number of tiles",
            )
        for c, ch in enumerate(line):
            if ch in walls:
                grid[r, c] = True
            elif ch not in floors:
                raise TileMapError(
                    f"unknown tile {ch!r} at row {r + 1}, column {c + 1}; walls are "
                    f"{walls!r}, floors are {floors!r}",
                    line=first + r + 1,
                    column=c + 1,
                    char=ch,
                    hint="pass walls=... or floors=... to accept more characters",
                )
    return grid


def grid_to_rects(grid: npt.NDArray[np.bool_]) -> list[TileRect]:
    """Cover the True cells of ``grid[row, col]`` exactly with disjoint rectangles.

    Greedy: scanning rows top to bottom and columns left to right, each uncovered
    wall starts the rectangle of largest area (widest on ties) that fits in the
    uncovered walls below and to the right of it.
    """
    g = np.asarray(grid, dtype=np.bool_)
    if g.ndim != 2:
        raise TileMapError(f"a tile grid is 2-D, got shape {g.shape}")
    n_rows, n_cols = g.shape
    # down[r, c]: consecutive wall tiles from (r, c) downwards.
    down = np.zeros((n_rows + 1, n_cols), dtype=np.int64)
    for r in range(n_rows - 1, -1, -1):
        down[r] = (down[r + 1] + 1) * g[r]
    covered = np.zeros_like(g)
    rects: list[TileRect] = []
    for r in range(n_rows):
        c = 0
        while c < n_cols:
            free = g[r, c:] & ~covered[r, c:]
            starts = np.flatnonzero(free)
            if not len(starts):
                break
            c += int(starts[0])
            run_free = g[r, c:] & ~covered[r, c:]
            stops = np.flatnonzero(~run_free)
            run = int(stops[0]) if len(stops) else n_cols - c
            # A free tile has no covered tile below it (rectangles are contiguous),
            # so heights come from the original grid.
            heights = np.minimum.accumulate(down[r, c : c + run])
            areas = heights * np.arange(1, run + 1)
            w = run - int(np.argmax(areas[::-1]))
            h = int(heights[w - 1])
            covered[r : r + h, c : c + w] = True
            rects.append(TileRect(c, r, w, h))
            c += w
    return rects


def tilemap_to_rects(text: str, *, walls: str = "#", floors: str = ".") -> list[TileRect]:
    """The wall tiles of an ASCII map as few disjoint rectangles (pure function).

    Returns:
        Rectangles in scan order (by top row, then left column); their union is
        exactly the set of wall tiles and no two overlap.

    Raises:
        TileMapError: the map is malformed (see :func:`parse_tilemap`).

    Example:
        >>> tilemap_to_rects('''
        ...     #####
        ...     #...#
        ...     #####
        ... ''')  # doctest: +NORMALIZE_WHITESPACE
        [TileRect(col=0, row=0, width=5, height=1),
         TileRect(col=0, row=1, width=1, height=2),
         TileRect(col=4, row=1, width=1, height=2),
         TileRect(col=1, row=2, width=3, height=1)]
    """
    return grid_to_rects(parse_tilemap(text, walls=walls, floors=floors))


def add_static_map(
    target: World | PhysicsWorld,
    text: str,
    *,
    walls: str = "#",
    floors: str = ".",
    friction: float = 0.5,
    restitution: float = 0.0,
    layers: int = 1,
    mask: int = 0xFFFF_FFFF,
) -> int:
    """Add an ASCII map's walls to the physics world as merged static boxes.

    Args:
        target: a :class:`World` holding a ``PhysicsWorld`` resource, or the
            ``PhysicsWorld`` itself.
        text: the map (see :func:`parse_tilemap`).
        walls, floors: characters for wall and floor tiles.
        friction, restitution, layers, mask: surface and filtering of the walls
            (as in ``Collider``).

    Returns:
        The number of boxes added (one per merged rectangle).

    Raises:
        TileMapError: the map is malformed.
        MissingResourceError: ``target`` is a world without the physics plugin.

    Example:
        >>> from astraweave.physics import PhysicsWorld
        >>> physics = PhysicsWorld()
        >>> add_static_map(physics, '''
        ...     ####
        ...     #..#
        ...     ####
        ... ''')
        4
        >>> physics.nearest((2.0, 1.5), 2.0)
        (-1, 0.5)
    """
    from astraweave.physics._world import PhysicsWorld

    rects = tilemap_to_rects(text, walls=walls, floors=floors)
    physics = target if isinstance(target, PhysicsWorld) else target.resource(PhysicsWorld)
    return physics.add_static_boxes(
        [(float(r.col), float(r.row), float(r.width), float(r.height)) for r in rects],
        friction=friction,
        restitution=restitution,
        layers=layers,
        mask=mask,
    )
