"""A read-only view of the world for the sandbox, the executor and perception.

:class:`WorldView` answers the questions tools ask (who is this entity, can ``a``
see ``b``, is there a path) without changing anything, so validating a plan can
never have side effects.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from astraweave.core._components import (
    Agent,
    Health,
    Label,
    PointOfInterest,
    Smoke,
    Status,
    Team,
)
from astraweave.core._map import Point, TileMap, smoke_blocks
from astraweave.ecs import Position, World
from astraweave.errors import MissingResourceError

__all__ = ["EntityInfo", "WorldView"]


@dataclass(frozen=True, slots=True)
class EntityInfo:
    """What the rules need to know about one entity (a copy)."""

    id: int
    name: str
    team: int
    x: float
    y: float
    hp: float
    max_hp: float
    downed: bool
    dead: bool
    is_agent: bool
    poi_kind: str | None
    poi_active: bool
    poi_locked: bool

    @property
    def pos(self) -> Point:
        """``(x, y)`` in metres."""
        return self.x, self.y

    @property
    def up(self) -> bool:
        """True when the entity has health and is neither downed nor dead."""
        return self.max_hp > 0 and not self.downed and not self.dead

    def distance(self, p: Point) -> float:
        """Euclidean distance to ``p`` in metres."""
        return math.hypot(self.x - p[0], self.y - p[1])


class WorldView:
    """Read-only helpers over a world with a :class:`TileMap` resource.

    Args:
        world: the world to read.

    Raises:
        MissingResourceError: the world has no :class:`TileMap`.
    """

    def __init__(self, world: World, tilemap: TileMap | None = None) -> None:
        self.world = world
        tm = tilemap if tilemap is not None else world.try_resource(TileMap)
        if tm is None:
            raise MissingResourceError(
                "the world has no TileMap resource; core's tools need a map",
                resource="TileMap",
                hint="build the world from a scenario (load_scenario(...).build_world())",
            )
        self.map: TileMap = tm
        self._smoke: tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]] | None = None

    def overlay(self, tiles: tuple[tuple[int, int, int], ...]) -> WorldView:
        """A view whose map has ``tiles`` (``(cx, cy, kind)``) changed: the dry run's
        picture of the map after earlier steps (doors opened). The world is untouched."""
        if not tiles:
            return self
        kinds = self.map.kinds.copy()
        for cx, cy, kind in tiles:
            kinds[cy, cx] = kind
        other = WorldView(self.world, TileMap(kinds=kinds, markers=self.map.markers))
        other._smoke = self._smoke
        return other

    # ----------------------------------------------------------------- entities
    def info(self, entity: Any) -> EntityInfo | None:
        """The :class:`EntityInfo` of a live entity with a position, else ``None``."""
        if isinstance(entity, bool) or not isinstance(entity, int) or entity < 0:
            return None
        w = self.world
        if not w.is_alive(entity):
            return None
        pos = w.try_get(entity, Position)
        if pos is None:
            return None
        health = w.try_get(entity, Health)
        status = w.try_get(entity, Status)
        team = w.try_get(entity, Team)
        label = w.try_get(entity, Label)
        poi = w.try_get(entity, PointOfInterest)
        return EntityInfo(
            id=int(entity),
            name=label.name if label is not None else f"#{entity}",
            team=team.id if team is not None else -1,
            x=pos.x,
            y=pos.y,
            hp=health.hp if health is not None else 0.0,
            max_hp=health.max_hp if health is not None else 0.0,
            downed=bool(status.downed) if status is not None else False,
            dead=bool(status.dead) if status is not None else False,
            is_agent=w.has(entity, Agent),
            poi_kind=str(poi.kind) if poi is not None else None,
            poi_active=bool(poi.active) if poi is not None else False,
            poi_locked=bool(poi.locked) if poi is not None else False,
        )

    def fighters(self) -> dict[str, npt.NDArray[Any]]:
        """Columns of every entity with Team, Position, Health and Status, sorted by id:
        ``id``, ``team``, ``x``, ``y``, ``hp``, ``downed``, ``dead``."""
        parts: dict[str, list[npt.NDArray[Any]]] = {
            k: [] for k in ("id", "team", "x", "y", "hp", "downed", "dead")
        }
        for chunk in self.world.query(Team, Position, Health, Status):
            parts["id"].append(chunk.entities)
            parts["team"].append(chunk[Team].id)
            parts["x"].append(chunk[Position].x)
            parts["y"].append(chunk[Position].y)
            parts["hp"].append(chunk[Health].hp)
            parts["downed"].append(chunk[Status].downed)
            parts["dead"].append(chunk[Status].dead)
        if not parts["id"]:
            return {
                "id": np.zeros(0, np.int64),
                "team": np.zeros(0, np.int64),
                "x": np.zeros(0),
                "y": np.zeros(0),
                "hp": np.zeros(0),
                "downed": np.zeros(0, np.bool_),
                "dead": np.zeros(0, np.bool_),
            }
        cols = {k: np.concatenate(v) for k, v in parts.items()}
        order = np.argsort(cols["id"], kind="stable")
        return {k: v[order] for k, v in cols.items()}

    # ------------------------------------------------------------------- sight
    def smoke(self) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
        """``(centres (n, 2), radii (n,))`` of active smoke clouds (cached per view)."""
        if self._smoke is None:
            cs: list[npt.NDArray[np.float64]] = []
            rs: list[npt.NDArray[np.float64]] = []
            for chunk in self.world.query(Smoke, Position):
                cs.append(np.stack([chunk[Position].x, chunk[Position].y], axis=1))
                rs.append(chunk[Smoke].radius_m.copy())
            self._smoke = (
                (np.concatenate(cs), np.concatenate(rs)) if cs else (np.zeros((0, 2)), np.zeros(0))
            )
        return self._smoke

    def can_see(self, a: Point, b: Point) -> bool:
        """True when neither walls, closed doors nor smoke block ``a``-``b``."""
        if not self.map.line_of_sight(a, b):
            return False
        centres, radii = self.smoke()
        return not smoke_blocks(a, b, centres, radii)

    def walls_clear(self, a: Point, b: Point) -> bool:
        """True when walls and closed doors do not block ``a``-``b`` (smoke ignored)."""
        return self.map.line_of_sight(a, b)
