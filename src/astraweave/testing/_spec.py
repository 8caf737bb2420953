"""Worlds described by hand, written out as scenario files.

:class:`WorldSpec` collects a map, characters, obstacles, points of interest, goals and
scripted inputs, and :meth:`WorldSpec.to_toml` writes the scenario file that
:func:`astraweave.core.load_scenario` reads. A hand-built world is therefore built by
exactly the code every scenario goes through (the same components, checks and error
messages), and a failing test can print its world as a file to reproduce it with
``astraweave demo hello-companion --scenario``.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from astraweave.testing._errors import HarnessError
from astraweave.testing._toml import toml_document

__all__ = ["AGENT_KEYS", "STAT_KEYS", "Rect", "WorldSpec", "rect_tiles"]

Rect = tuple[float, float, float, float]
"""An axis-aligned rectangle ``(x0, y0, x1, y1)`` in metres (x east, y south)."""

STAT_KEYS: Mapping[str, type] = {
    "hp": float,
    "max_hp": float,
    "armor": float,
    "speed": float,
    "ammo": int,
    "magazine": int,
    "reserve": int,
    "damage": float,
    "range": float,
    "accuracy": float,
}
"""Character statistics a scenario's ``[[entities]]`` table takes, with their types
(numbers are converted, so ``hp=40`` is written as ``40.0``)."""

AGENT_KEYS: Mapping[str, type] = {
    "cadence_ticks": int,
    "replan_ticks": int,
    "perception_radius": float,
}
"""Agent settings of an entity's ``agent`` table (besides planner, role, leader and
patrol), with their types."""

OBSTACLE_CHARS: Mapping[str, str] = {"wall": "#", "cover": "="}
"""Obstacle kinds and their map characters."""


def rect_tiles(rect: Rect) -> list[tuple[int, int]]:
    """The 1 m tiles ``(cx, cy)`` a rectangle overlaps, row by row.

    Args:
        rect: ``(x0, y0, x1, y1)`` in metres with ``x0 < x1`` and ``y0 < y1``.

    Returns:
        The tiles, row-major.

    Raises:
        HarnessError: an empty or non-finite rectangle.

    Example:
        >>> rect_tiles((2.0, 1.0, 4.0, 2.0))
        [(2, 1), (3, 1)]
    """
    x0, y0, x1, y1 = (float(v) for v in rect)
    if not all(math.isfinite(v) for v in (x0, y0, x1, y1)) or x0 >= x1 or y0 >= y1:
        raise HarnessError(
            f"an obstacle needs x0 < x1 and y0 < y1 (finite metres), got {rect!r}",
            value=rect,
        )
    xs = range(math.floor(x0), math.ceil(x1))
    ys = range(math.floor(y0), math.ceil(y1))
    return [(cx, cy) for cy in ys for cx in xs]


def _typed(table: dict[str, Any], key: str, value: Any, kinds: Mapping[str, type]) -> None:
    kind = kinds.get(key)
    if kind is float and isinstance(value, int | float) and not isinstance(value, bool):
        value = float(value)
    table[key] = value


def _point(at: str | Sequence[float]) -> dict[str, Any]:
    if isinstance(at, str):
        return {"at": at}
    x, y = at
    return {"pos": [float(x), float(y)]}


@dataclass
class WorldSpec:
    """A world described by hand; :meth:`to_toml` writes it as a scenario file.

    Attributes:
        rows: the map, one list of characters per row (``#`` wall, ``=`` low cover,
            ``.`` floor, ``D``/``d`` doors, letters and digits markers).
        name, objective, seed, max_ticks, dt, movement: the ``[scenario]`` table.
        forbidden_tools: the ``[constraints]`` table.
        entities, pois, hazards, inputs, success, failure: the arrays of tables.

    Example:
        >>> spec = WorldSpec.from_map('''
        ...     ######
        ...     #....#
        ...     ######
        ... ''')
        >>> spec.add_character("a", (1.5, 1.5), team="blue", agent={"planner": "rule"})
        >>> "pos = [1.5, 1.5]" in spec.to_toml()
        True
    """

    rows: list[list[str]]
    name: str = "harness"
    objective: str = ""
    seed: int = 0
    max_ticks: int = 1_000_000
    dt: float = 1.0 / 60.0
    movement: str = "physics"
    forbidden_tools: list[str] = field(default_factory=list)
    entities: list[dict[str, Any]] = field(default_factory=list)
    pois: list[dict[str, Any]] = field(default_factory=list)
    hazards: list[dict[str, Any]] = field(default_factory=list)
    inputs: list[dict[str, Any]] = field(default_factory=list)
    success: list[dict[str, Any]] = field(default_factory=list)
    failure: list[dict[str, Any]] = field(default_factory=list)

    @classmethod
    def from_map(cls, text: str, **meta: Any) -> WorldSpec:
        """A spec with the ASCII map ``text`` (common indentation and blank lines
        around it are ignored) and ``[scenario]`` values ``meta``.

        Raises:
            HarnessError: an empty map.
        """
        lines = [line.rstrip() for line in textwrap.dedent(text).split("\n")]
        rows = [list(line) for line in lines if line.strip()]
        if not rows:
            raise HarnessError("the map has no rows", hint="pass an ASCII map such as '#..#'")
        return cls(rows=rows, **meta)

    @property
    def map_text(self) -> str:
        """The map as text, one row per line."""
        return "\n".join("".join(r) for r in self.rows)

    def names(self) -> list[str]:
        """Every name used so far (entities, points of interest, hazards)."""
        return [t["name"] for t in (*self.entities, *self.pois, *self.hazards)]

    def _unique(self, name: str) -> None:
        if name in self.names():
            raise HarnessError(f"the name {name!r} is already used", name=name)

    def add_character(
        self,
        name: str,
        at: str | Sequence[float],
        *,
        team: str,
        agent: Mapping[str, Any] | None = None,
        items: Mapping[str, int] | None = None,
        **stats: Any,
    ) -> None:
        """Add an ``[[entities]]`` table.

        Args:
            name: unique name. at: a map marker or ``(x, y)`` in metres.
            team: team name. agent: the ``agent`` table (``None``: not an agent).
            items: ``{smoke, grenade, medkit, keys}`` counts.
            **stats: keys of :data:`STAT_KEYS` (others reach the scenario loader,
                which names the unknown key).

        Raises:
            HarnessError: the name is taken.
        """
        self._unique(name)
        table: dict[str, Any] = {"name": name, "team": team, **_point(at)}
        for key, value in stats.items():
            _typed(table, key, value, STAT_KEYS)
        if items:
            table["items"] = dict(items)
        if agent is not None:
            inner: dict[str, Any] = {}
            for key, value in agent.items():
                if value is not None:
                    _typed(inner, key, value, AGENT_KEYS)
            if "patrol" in inner and not isinstance(inner["patrol"], str):
                inner["patrol"] = [[float(x), float(y)] for x, y in inner["patrol"]]
            table["agent"] = inner
        self.entities.append(table)

    def add_obstacle(self, rect: Rect, kind: str = "wall") -> list[tuple[int, int]]:
        """Paint the tiles ``rect`` overlaps as ``kind`` (``"wall"`` or ``"cover"``).

        Returns:
            The tiles painted.

        Raises:
            HarnessError: unknown kind, or the rectangle leaves the map.
        """
        char = OBSTACLE_CHARS.get(kind)
        if char is None:
            raise HarnessError(
                f"unknown obstacle kind {kind!r}; use one of {sorted(OBSTACLE_CHARS)}",
                value=kind,
            )
        tiles = rect_tiles(rect)
        height, width = len(self.rows), len(self.rows[0])
        for cx, cy in tiles:
            if not (0 <= cx < width and 0 <= cy < height):
                raise HarnessError(
                    f"obstacle {rect!r} leaves the {width} x {height} m map", value=rect
                )
        for cx, cy in tiles:
            self.rows[cy][cx] = char
        return tiles

    def add_poi(self, name: str, at: str | Sequence[float], kind: str, **keys: Any) -> None:
        """Add a ``[[pois]]`` table (``locked``, ``open``, ``link``, ... in ``keys``)."""
        self._unique(name)
        self.pois.append({"name": name, "kind": kind, **_point(at), **keys})

    def add_hazard(
        self, name: str, at: str | Sequence[float], *, radius: float = 1.5, dps: float = 10.0
    ) -> None:
        """Add a ``[[hazards]]`` table."""
        self._unique(name)
        self.hazards.append(
            {"name": name, **_point(at), "radius": float(radius), "dps": float(dps)}
        )

    def add_input(self, tick: int, entity: str, steps: Sequence[Mapping[str, Any]]) -> None:
        """Add an ``[[inputs]]`` table: ``steps`` submitted for ``entity`` at ``tick``."""
        self.inputs.append({"tick": int(tick), "entity": entity, "steps": [dict(s) for s in steps]})

    def to_toml(self) -> str:
        """The scenario file.

        Raises:
            HarnessError: a value TOML cannot hold (a NaN).
        """
        scenario = {
            "name": self.name,
            "objective": self.objective,
            "seed": int(self.seed),
            "max_ticks": int(self.max_ticks),
            "dt": float(self.dt),
            "movement": self.movement,
            "map": ["".join(r) for r in self.rows],
        }
        arrays = {
            "entities": self.entities,
            "pois": self.pois,
            "hazards": self.hazards,
            "inputs": self.inputs,
            "success": self.success,
            "failure": self.failure,
        }
        return toml_document(
            {"scenario": scenario, "constraints": {"forbidden_tools": self.forbidden_tools}},
            {k: v for k, v in arrays.items() if v},
        )
