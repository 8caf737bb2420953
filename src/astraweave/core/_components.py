"""Components of the default game layer: teams, health, ammo, items, status, agents.

Units: metres, seconds, hit points. Numeric state lives in numpy columns so the game
rules (cooldown decay, status timers, death detection) run vectorised over every
entity. Object columns hold only deterministic, picklable values (strings, tuples,
dicts of numbers), because they enter the world hash.
"""

from __future__ import annotations

from typing import Annotated, Any

import numpy as np
from numpy.typing import NDArray

from astraweave.ecs import Shape, component

__all__ = [
    "MAX_TOOL_SLOTS",
    "PLAN_STATUS",
    "ActivePlan",
    "Agent",
    "Ammo",
    "Cooldowns",
    "DoorBlocker",
    "Explosive",
    "Hazard",
    "Health",
    "Inventory",
    "Label",
    "Memory",
    "Morale",
    "Mover",
    "PathFollow",
    "PointOfInterest",
    "SequenceLock",
    "SequenceMember",
    "Smoke",
    "Stance",
    "Status",
    "Team",
    "Weapon",
]

PLAN_STATUS = ("none", "running", "done", "failed", "cancelled")
"""Names of :attr:`ActivePlan.status` values 0..4 (an int column: hashes never depend
on which string object holds a status)."""

MAX_TOOL_SLOTS = 32
"""Cooldown slots per entity: a registry holds at most this many tools."""


def _zeros_slots() -> NDArray[np.float64]:
    return np.zeros(MAX_TOOL_SLOTS, dtype=np.float64)


@component
class Label:
    """A readable name (scenario entity name), used in logs, snapshots and pictures."""

    name: str = ""


@component
class Team:
    """Which side an entity is on. Entities of the same ``id`` are allies."""

    id: int = 0


@component
class Health:
    """Hit points. ``armor`` (0..0.9) is the fraction of incoming damage absorbed."""

    hp: float = 100.0
    max_hp: float = 100.0
    armor: float = 0.0


@component
class Status:
    """Life state and timed status effects (all timers in seconds, decayed each tick).

    ``downed`` entities (hp reached 0) can be revived until ``bleedout_s`` runs out;
    then they are ``dead`` for good. ``marked_by`` is the team that marked the entity
    (``-1`` when unmarked); marked entities appear in that team's snapshots.
    ``distract_x``/``distract_y`` is where a distracted entity looks.
    """

    downed: bool = False
    dead: bool = False
    bleedout_s: float = 0.0
    suppressed_s: float = 0.0
    scan_s: float = 0.0
    marked_s: float = 0.0
    marked_by: int = -1
    distracted_s: float = 0.0
    distract_x: float = 0.0
    distract_y: float = 0.0


@component
class Stance:
    """Posture: a crouched entity in cover is harder to hit. Moving stands it up."""

    crouched: bool = False


@component
class Morale:
    """Fighting spirit in 0..1 (1 = steady). Suppression lowers it; it recovers slowly."""

    value: float = 1.0


@component
class Ammo:
    """Rounds in the magazine, magazine size, and spare rounds carried."""

    rounds: int = 12
    magazine: int = 12
    reserve: int = 36


@component
class Inventory:
    """Items carried: smoke grenades, explosive grenades, medkits, keys."""

    smoke: int = 0
    grenade: int = 0
    medkit: int = 0
    keys: int = 0


@component
class Weapon:
    """The entity's gun: damage per hit, effective range (m), base hit chance (0..1)."""

    damage: float = 20.0
    range_m: float = 14.0
    accuracy: float = 0.75


@component
class Cooldowns:
    """Seconds until each tool can be used again, one slot per registered tool."""

    remaining_s: Annotated[NDArray[np.float64], Shape(MAX_TOOL_SLOTS)] = _zeros_slots()


@component
class Mover:
    """Walking speed (m/s)."""

    speed_mps: float = 3.0


@component
class PathFollow:
    """Kinematic path following: the waypoints left and the current target point.

    ``waypoints`` is a tuple of ``(x, y)`` points; ``index`` the one being walked to.
    """

    active: bool = False
    tx: float = 0.0
    ty: float = 0.0
    index: int = 0
    waypoints: Any = ()


@component
class Agent:
    """An entity that perceives, plans and acts through the tool registry.

    ``planner`` names a planner in :mod:`astraweave.ai`'s registry; ``role`` is a hint
    for planners (``"companion"``, ``"lead"``, ``"guard"``, ...). The agent plans every
    ``cadence_ticks`` when idle, and replaces a running plan older than
    ``replan_ticks``. ``leader`` is the entity a companion follows (``-1``: none);
    ``patrol`` a tuple of ``(x, y)`` points a guard walks. ``planner_config`` is the
    agent's planner settings as canonical JSON (sorted keys; ``""``: the defaults).
    """

    planner: str = "rule"
    role: str = "companion"
    cadence_ticks: int = 30
    next_plan_tick: int = 0
    replan_ticks: int = 60
    perception_radius_m: float = 12.0
    leader: int = -1
    patrol: Any = ()
    planner_config: str = ""


@component
class Memory:
    """What an agent remembers of enemies it saw: ``{id: (x, y, hp, max_hp, time_s)}``."""

    seen: Any = None


@component
class ActivePlan:
    """The plan an agent is executing (canonical JSON; ``None`` when idle).

    ``step`` is the current step, ``started`` whether it began, ``elapsed_s`` how long
    it has run, ``deadline_s`` when it times out (from its forecast duration);
    ``phase``/``count``/``aux_x``/``aux_y`` are scratch values of the running tool.
    ``status`` is one of :data:`PLAN_STATUS` (an int, read it by name through
    :attr:`last_status`: ``"none"``, ``"running"``, ``"done"``, ``"failed"``,
    ``"cancelled"``); ``last_error`` the failure message.
    """

    plan_json: Any = None
    plan_id: Any = ""
    step: int = 0
    started: bool = False
    started_tick: int = 0
    elapsed_s: float = 0.0
    deadline_s: float = 0.0
    phase: int = 0
    count: int = 0
    aux_x: float = 0.0
    aux_y: float = 0.0
    status: int = 0
    last_error: Any = ""

    @property
    def last_status(self) -> str:
        """:attr:`status` by name."""
        return PLAN_STATUS[self.status]


@component
class Smoke:
    """A smoke cloud: blocks line of sight within ``radius_m`` for ``remaining_s``."""

    radius_m: float = 2.5
    remaining_s: float = 8.0


@component
class Explosive:
    """A thrown grenade: explodes after ``fuse_s``, hurting everything within
    ``radius_m`` (full ``damage`` at the centre, half at the edge)."""

    fuse_s: float = 1.0
    radius_m: float = 3.0
    damage: float = 60.0
    owner: int = -1


@component
class DoorBlocker:
    """The static physics collider of a closed door tile (physics movement only)."""

    cell_x: int = -1
    cell_y: int = -1


@component
class Hazard:
    """A damaging area (fire, gas): ``dps`` hit points per second within ``radius_m``."""

    radius_m: float = 1.5
    dps: float = 10.0


@component
class PointOfInterest:
    """Something agents can interact with: a door, switch, key, terminal or objective.

    ``active`` means open (door), on (switch), taken (key) or activated (terminal,
    objective). A ``locked`` door needs a key; a ``remote`` one (a door, or the target
    of a sequence lock) opens only through a switch or its lock, never by hand.
    ``link`` is the entity a switch toggles (``-1``: none). ``cell_x``/``cell_y`` is
    the tile a door occupies.
    """

    kind: str = "objective"
    active: bool = False
    locked: bool = False
    link: int = -1
    cell_x: int = -1
    cell_y: int = -1
    remote: bool = False


@component
class SequenceLock:
    """A sequence lock, on the point of interest it opens (its *target*).

    ``order`` holds the switch entity ids to use, in order (repeats allowed). Using
    the next switch of the order advances ``progress``; using another switch of the
    lock resets it (to 1 when that switch starts the order). When ``progress`` reaches
    the end the target activates: a door opens, a terminal or objective activates;
    after that the switches do nothing more to it.
    """

    name: str = ""
    order: Any = ()
    progress: int = 0


@component
class SequenceMember:
    """Marks a switch of the sequence lock ``name``, whose target is entity ``lock``."""

    name: str = ""
    lock: int = -1
