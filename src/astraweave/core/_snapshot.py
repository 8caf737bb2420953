"""``WorldSnapshot``: everything an agent may know when it plans, and nothing more.

Built by :func:`~astraweave.core.perceive`. Enemies appear only when the agent sees
them now (``visible``), remembers seeing them (``visible: false``, the position where
it last saw them and ``last_seen_s``), or an ally marked them (``marked``, current
position). Allies are known to their team (radio). Points of interest are map
knowledge, with what the agent can do about them now: whether it can reach one
(``reachable``), how far the walk is (``path_m``), where to stand to use it
(``stand``) and where its safe route comes into an enemy's sight (``exposed``).
Obstacles list nearby cover spots (with their walking distance and the enemies in
sight they shelter from), smoke clouds and hazards.

**Stable JSON.** :meth:`WorldSnapshot.to_json` gives compact JSON with sorted keys;
every float is rounded to :data:`SNAPSHOT_DECIMALS` (2) decimal places when the
model is built (centimetres, 1/100 hp, 10 ms) and ``-0.0`` becomes ``0.0``; lists are
sorted by entity id (obstacles by distance, then position). Optional fields added
in schema version 2 (``path_m``, ``stand``, ``exposed``, ``link``, ``remote``,
``sequence``, ``shelters``) are left out of the JSON when empty, to keep prompts
short. The same situation always gives the same bytes, so a snapshot can be a cache
key and a prompt.
"""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

__all__ = [
    "SNAPSHOT_DECIMALS",
    "SNAPSHOT_VERSION",
    "AllyView",
    "EnemyView",
    "MapView",
    "ObstacleView",
    "PoiView",
    "SelfView",
    "WorldSnapshot",
]

SNAPSHOT_DECIMALS = 2
"""Decimal places of every float in a snapshot."""
SNAPSHOT_VERSION = 2
"""Version of the snapshot schema (bumped on incompatible changes)."""


def _round(v: float) -> float:
    return round(float(v), SNAPSHOT_DECIMALS) + 0.0


def _round_pos(v: tuple[float, float]) -> tuple[float, float]:
    return _round(v[0]), _round(v[1])


def _round_map(v: dict[str, float]) -> dict[str, float]:
    return {k: _round(x) for k, x in sorted(v.items())}


R = Annotated[float, AfterValidator(_round)]
Pos = Annotated[tuple[float, float], AfterValidator(_round_pos)]


def _empty(v: Any) -> bool:
    return v is None or v == [] or v is False


_CFG = ConfigDict(extra="forbid", frozen=True)


class MapView(BaseModel):
    """The map's size in metres."""

    model_config = _CFG
    width: int
    height: int


class SelfView(BaseModel):
    """The agent itself."""

    model_config = _CFG
    id: int
    name: str
    team: int
    role: str
    pos: Pos
    hp: R
    max_hp: R
    armor: R
    crouched: bool
    morale: R = Field(description="0..1 (1 = steady)")
    ammo: int = Field(description="rounds in the magazine")
    magazine: int = Field(description="magazine size")
    reserve: int = Field(description="spare rounds")
    items: dict[str, int] = Field(description="smoke, grenade, medkit, keys")
    cooldowns: Annotated[dict[str, float], AfterValidator(_round_map)] = Field(
        description="tools still cooling down -> seconds left"
    )
    weapon_range_m: R
    speed_mps: R
    perception_radius_m: R
    suppressed_s: R
    scan_s: R
    distracted_s: R
    distraction: Pos | None = Field(description="where a distraction draws the agent's eye")
    leader: int | None
    patrol: list[Pos]


class AllyView(BaseModel):
    """A team mate (known through the team radio, seen or not)."""

    model_config = _CFG
    id: int
    name: str
    pos: Pos
    hp: R
    max_hp: R
    downed: bool
    distance: R


class EnemyView(BaseModel):
    """An enemy the agent sees, remembers, or was told about by a mark."""

    model_config = _CFG
    id: int
    name: str
    pos: Pos = Field(description="now if visible or marked, else where last seen")
    hp: R
    max_hp: R
    downed: bool
    cover: R = Field(description="fraction of the agent's shots its cover stops (0..0.9)")
    visible: bool
    marked: bool
    last_seen_s: R = Field(description="world time it was last seen")
    distance: R
    sight_m: R = Field(
        default=0.0,
        description="how far it sees now (0: it cannot see); within that and in a clear "
        "line it sees the agent",
    )


class PoiView(BaseModel):
    """A point of interest: door, switch, key, terminal, objective."""

    model_config = _CFG
    id: int
    name: str
    kind: str
    pos: Pos
    active: bool = Field(description="door open / switch on / key taken / activated")
    locked: bool
    distance: R
    reachable: bool = Field(
        default=False, description="the agent can walk within 1.5 m of it now (to use it)"
    )
    path_m: R | None = Field(
        default=None,
        exclude_if=_empty,
        description="walking distance to `stand` in metres (absent: unreachable)",
    )
    stand: Pos | None = Field(
        default=None,
        exclude_if=_empty,
        description="where to stand to use or reach it: its own position when walkable, "
        "else the nearest reachable tile within 1.5 m (absent: unreachable)",
    )
    exposed: Pos | None = Field(
        default=None,
        exclude_if=_empty,
        description="the first point where the safe route there (MoveTo safe=true) comes "
        "into a known enemy's sight (absent: it stays out of sight)",
    )
    link: int | None = Field(
        default=None, exclude_if=_empty, description="switches: the door it opens and closes"
    )
    remote: bool = Field(
        default=False,
        exclude_if=_empty,
        description="only a linked switch or a sequence lock opens or activates it "
        "(Interact on it is refused)",
    )
    sequence: str | None = Field(
        default=None,
        exclude_if=_empty,
        description="switches: the sequence lock it belongs to (used in the right order, "
        "the lock opens; a wrong switch resets it)",
    )


class ObstacleView(BaseModel):
    """Something nearby that matters for movement and sight."""

    model_config = _CFG
    kind: Literal["cover", "smoke", "hazard"]
    pos: Pos
    radius: R
    distance: R
    path_m: R | None = Field(
        default=None,
        exclude_if=_empty,
        description="cover: walking distance there in metres (absent: unreachable)",
    )
    shelters: list[int] = Field(
        default_factory=list,
        exclude_if=_empty,
        description="cover: ids of the visible enemies it shelters from",
    )


class WorldSnapshot(BaseModel):
    """What one agent knows at one tick (see the module docstring).

    Example:
        >>> snap = WorldSnapshot.model_validate_json(WorldSnapshot.example().to_json())
        >>> snap == WorldSnapshot.example(), snap.agent.pos
        (True, (2.5, 1.5))
    """

    model_config = _CFG
    schema_version: int = SNAPSHOT_VERSION
    tick: int
    time_s: R
    map: MapView
    objective: str
    agent: SelfView
    allies: list[AllyView]
    enemies: list[EnemyView]
    pois: list[PoiView]
    obstacles: list[ObstacleView]
    tools: list[str] = Field(description="the tools this agent may use (the allowlist)")

    def to_json(self) -> str:
        """Compact JSON with sorted keys (stable bytes; see the module docstring)."""
        return json.dumps(self.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))

    def visible_enemies(self) -> list[EnemyView]:
        """Enemies seen now and not downed, nearest first (ties by id)."""
        return sorted(
            (e for e in self.enemies if e.visible and not e.downed),
            key=lambda e: (e.distance, e.id),
        )

    def ally(self, entity: int) -> AllyView | None:
        """The ally with id ``entity``, if known."""
        return next((a for a in self.allies if a.id == entity), None)

    @classmethod
    def example(cls) -> WorldSnapshot:
        """A small, fixed snapshot (for docs, prompts and tests)."""
        data: dict[str, Any] = {
            "tick": 120,
            "time_s": 2.0,
            "map": {"width": 20, "height": 10},
            "objective": "Reach the exit with the player alive.",
            "agent": {
                "id": 1,
                "name": "companion",
                "team": 0,
                "role": "companion",
                "pos": (2.5, 1.5),
                "hp": 80.0,
                "max_hp": 100.0,
                "armor": 0.1,
                "crouched": False,
                "morale": 1.0,
                "ammo": 9,
                "magazine": 12,
                "reserve": 24,
                "items": {"grenade": 1, "keys": 0, "medkit": 1, "smoke": 1},
                "cooldowns": {"Attack": 0.25},
                "weapon_range_m": 14.0,
                "speed_mps": 3.0,
                "perception_radius_m": 12.0,
                "suppressed_s": 0.0,
                "scan_s": 0.0,
                "distracted_s": 0.0,
                "distraction": None,
                "leader": 0,
                "patrol": [],
            },
            "allies": [
                {
                    "id": 0,
                    "name": "player",
                    "pos": (3.5, 2.5),
                    "hp": 60.0,
                    "max_hp": 100.0,
                    "downed": False,
                    "distance": 1.41,
                }
            ],
            "enemies": [
                {
                    "id": 2,
                    "name": "raider",
                    "pos": (10.5, 1.5),
                    "hp": 100.0,
                    "max_hp": 100.0,
                    "downed": False,
                    "cover": 0.5,
                    "visible": True,
                    "marked": False,
                    "last_seen_s": 2.0,
                    "distance": 8.0,
                    "sight_m": 12.0,
                }
            ],
            "pois": [
                {
                    "id": 3,
                    "name": "exit",
                    "kind": "objective",
                    "pos": (18.5, 8.5),
                    "active": False,
                    "locked": False,
                    "distance": 17.0,
                    "reachable": True,
                    "path_m": 18.49,
                    "stand": (18.5, 8.5),
                }
            ],
            "obstacles": [
                {
                    "kind": "cover",
                    "pos": (4.5, 1.5),
                    "radius": 0.5,
                    "distance": 2.0,
                    "path_m": 2.0,
                    "shelters": [2],
                }
            ],
            "tools": ["Attack", "MoveTo", "Wait"],
        }
        return cls.model_validate(data)
