"""From a snapshot to concrete steps: situations, subjects and argument binding.

Shared by the rich planners (GOAP, utility, behaviour trees). A :class:`Situation`
reads a :class:`~astraweave.core.WorldSnapshot` once (visible enemies, the target,
downed and hurt allies, the leader, open objectives, the symbolic facts of
:func:`~astraweave.core.facts_of`). :func:`bind_step` turns a tool name and a
:class:`Subject` (what the step is about: an enemy, an ally, a point of interest, a
point) into that tool's argument model, choosing values the sandbox accepts where
the snapshot can tell (ranges, throw distances, full magazines); tools it does not
know fall back to the tool's own :meth:`~astraweave.core.Tool.bind`.

Also here: :func:`parse_config`, which validates a planner's configuration table
and raises :class:`~astraweave.errors.PlannerConfigError` naming the bad key, and
:class:`AgentConfigs`, per-agent configurations (by agent name or ``role:<role>``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Generic, Literal, TypeVar

from pydantic import BaseModel, ValidationError

from astraweave.core import (
    BUILTIN_TOOLS,
    AimedShotArgs,
    AllyView,
    ApproachArgs,
    AttackArgs,
    CoverFireArgs,
    DistractArgs,
    EnemyView,
    HealArgs,
    InteractArgs,
    MarkTargetArgs,
    MoveToArgs,
    PatrolArgs,
    Point,
    PoiView,
    RegroupArgs,
    ReloadArgs,
    RetreatArgs,
    ReviveArgs,
    ScanArgs,
    TakeCoverArgs,
    ThrowExplosiveArgs,
    ThrowSmokeArgs,
    ToolArgs,
    ToolRegistry,
    UseItemArgs,
    WaitArgs,
    WorldSnapshot,
    facts_of,
)
from astraweave.errors import PlannerConfigError, PlannerError, ToolError

__all__ = [
    "MOVES",
    "SIGHT_TOOLS",
    "TOUCH_M",
    "TOUCH_TOOLS",
    "AgentConfigs",
    "Situation",
    "Subject",
    "bind_step",
    "cut_after_blind_move",
    "parse_config",
]

TOUCH_M = 1.5
"""How close heal, revive and interact reach (metres; the tools' own limit)."""
THROW_RANGE_M = 12.0
"""How far smoke and grenades fly (metres)."""
BLAST_CLEAR_M = 3.6
"""A grenade is only thrown where neither the thrower nor an ally is this close."""
DISTRACT_RANGE_M = 15.0
"""How far Distract reaches (metres)."""
APPROACH_RANGE_SHARE = 0.7
"""Approach an enemy to this share of the weapon's range."""
RETREAT_M = 6.0
"""How far Retreat steps fall back (metres)."""
COVER_SEARCH_M = 8.0
"""TakeCover is bound only when the snapshot lists a cover spot this close (its
default search radius)."""
STEALTH_WORDS = ("stealth", "unseen", "quiet", "unnoticed", "undetected", "sneak")
"""Objective words that make movements take the safe route."""
TOUCH_TOOLS = frozenset({"Heal", "Revive", "Interact"})
"""Tools that need the actor within reach of their target."""

C = TypeVar("C", bound=BaseModel)


def _dist(a: tuple[float, float], b: tuple[float, float]) -> float:
    return math.hypot(a[0] - b[0], a[1] - b[1])


@dataclass(frozen=True, slots=True)
class Subject:
    """What a step or a goal is about.

    Attributes:
        kind: ``"enemy"``, ``"ally"``, ``"poi"``, ``"point"`` or ``"none"``.
        id: the entity id (``-1`` for points and none).
        pos: where it is (metres).
    """

    kind: Literal["enemy", "ally", "poi", "point", "none"] = "none"
    id: int = -1
    pos: tuple[float, float] = (0.0, 0.0)

    def key(self) -> tuple[str, int]:
        """The part of the subject that matters for which tools can be bound."""
        return self.kind, self.id


NO_SUBJECT = Subject()


class Situation:
    """What a snapshot says, read once for planning (see the module docstring).

    Args:
        snapshot: what the agent knows.

    Attributes:
        facts: the symbolic facts (:func:`~astraweave.core.facts_of`).
        visible: enemies in sight and up, nearest first.
        target: the enemy to fight (marked first, then weakest, nearest, lowest id).
        threat: the nearest visible enemy.
        remembered: enemies not in sight but remembered, nearest first.
        downed: downed allies, nearest first. hurt_allies: allies below half health
            and up, weakest first. leader: the agent's leader, if known.
        objectives: objective points of interest not yet active, nearest first.
        blocking_door: a closed door that seems to stand between the agent and the
            nearest objective (a guess: snapshots carry no walls).
        key: the nearest key not yet taken.
        interactable: a terminal or switch worth using now (see
            :meth:`_interactable`), or ``None``.
        safe_moves: movements take the safe route (``MoveTo(safe=true)``): hazards
            are known nearby or the objective asks for stealth.

    Example:
        >>> sit = Situation(WorldSnapshot.example())
        >>> sit.target.name, sit.ready("Attack"), sorted(sit.facts)[:2]
        ('raider', False, ['enemy_in_range', 'enemy_visible'])
    """

    def __init__(self, snapshot: WorldSnapshot) -> None:
        self.snap = snapshot
        me = snapshot.agent
        self.me = me
        self.allowed = frozenset(snapshot.tools)
        self.facts = facts_of(snapshot)
        self.visible: list[EnemyView] = snapshot.visible_enemies()
        self.target: EnemyView | None = (
            min(self.visible, key=lambda e: (not e.marked, e.hp, e.distance, e.id))
            if self.visible
            else None
        )
        self.threat: EnemyView | None = self.visible[0] if self.visible else None
        self.remembered: list[EnemyView] = sorted(
            (e for e in snapshot.enemies if not e.visible and not e.downed),
            key=lambda e: (e.distance, e.id),
        )
        self.downed: list[AllyView] = sorted(
            (a for a in snapshot.allies if a.downed), key=lambda a: (a.distance, a.id)
        )
        self.hurt_allies: list[AllyView] = sorted(
            (a for a in snapshot.allies if not a.downed and a.hp < 0.5 * a.max_hp),
            key=lambda a: (a.hp, a.id),
        )
        self.leader: AllyView | None = snapshot.ally(me.leader) if me.leader is not None else None
        self.objectives: list[PoiView] = sorted(
            (p for p in snapshot.pois if p.kind == "objective" and not p.active),
            key=lambda p: (p.distance, p.id),
        )
        self.hp_frac = me.hp / me.max_hp if me.max_hp > 0 else 0.0
        self.in_cover = "in_cover" in self.facts
        self.blocking_door: PoiView | None = self._blocking_door()
        keys = [p for p in snapshot.pois if p.kind == "key" and not p.active]
        self.key: PoiView | None = min(keys, key=lambda p: (p.distance, p.id)) if keys else None
        text = snapshot.objective.lower()
        self.safe_moves = any(o.kind == "hazard" for o in snapshot.obstacles) or any(
            w in text for w in STEALTH_WORDS
        )
        self.interactable: PoiView | None = self._interactable()

    def _interactable(self) -> PoiView | None:
        """The terminal or switch to use now, or ``None``.

        Only points the agent can reach (``reachable`` with a ``stand``) and that
        Interact accepts (not ``remote``) count. Relevant are: an inactive terminal the
        objective names (by name or the word "terminal"); a switch (outside a
        sequence lock) whose linked door is closed; and, when no enemy is in sight,
        any inactive terminal. Terminals come before switches, then nearest first."""
        snap = self.snap
        text = snap.objective.lower()
        doors = {p.id: p for p in snap.pois if p.kind == "door"}
        cands: list[tuple[int, float, int, PoiView]] = []
        for p in snap.pois:
            if not p.reachable or p.stand is None or p.remote:
                continue
            if p.kind == "terminal" and not p.active:
                named = "terminal" in text or p.name.lower() in text
                if named or not self.visible:
                    cands.append((0, p.distance, p.id, p))
            elif p.kind == "switch" and p.link is not None and p.sequence is None:
                door = doors.get(p.link)
                if door is not None and not door.active:
                    cands.append((1, p.distance, p.id, p))
        return min(cands, key=lambda c: c[:3])[3] if cands else None

    def _blocking_door(self) -> PoiView | None:
        """The closed door that stands before the nearest open objective, or ``None``.

        Where the snapshot tells whether the objective can be walked to (``path_m``,
        snapshot schema 2), a reachable objective has no blocking door and an
        unreachable one is blocked by the nearest closed door the agent can reach.
        Otherwise it is a guess: the nearest closed door nearer to both the agent and
        the objective than they are to each other."""
        if not self.objectives:
            return None
        obj = self.objectives[0]
        closed = [p for p in self.snap.pois if p.kind == "door" and not p.active]
        if _walkable_known(self.snap):
            if getattr(obj, "path_m", None) is not None:
                return None
            reach = [p for p in closed if getattr(p, "stand", None) is not None]
            between = [
                p
                for p in reach
                if p.distance < obj.distance and _dist(p.pos, obj.pos) < obj.distance
            ]
            pool = between or reach
            return min(pool, key=lambda p: (p.distance, p.id)) if pool else None
        doors = [
            p for p in closed if p.distance < obj.distance and _dist(p.pos, obj.pos) < obj.distance
        ]
        return min(doors, key=lambda p: (p.distance, p.id)) if doors else None

    def beside(self, poi: PoiView) -> tuple[float, float]:
        """Where to stand to use ``poi``: the snapshot's ``stand`` when it gives one,
        else the tile centre next to it on the agent's side (along the axis of the
        larger offset; a door's own tile is solid)."""
        stand = getattr(poi, "stand", None)
        if stand is not None:
            return float(stand[0]), float(stand[1])
        dx = self.me.pos[0] - poi.pos[0]
        dy = self.me.pos[1] - poi.pos[1]
        if abs(dx) >= abs(dy):
            return poi.pos[0] + (1.0 if dx > 0 else -1.0), poi.pos[1]
        return poi.pos[0], poi.pos[1] + (1.0 if dy > 0 else -1.0)

    def cooldown(self, tool: str) -> float:
        """Seconds until ``tool`` is ready (0 when ready)."""
        return float(self.me.cooldowns.get(tool, 0.0))

    def ready(self, tool: str) -> bool:
        """True when ``tool`` is allowed and off cooldown."""
        return tool in self.allowed and self.cooldown(tool) <= 0.0

    def enemy(self, entity: int) -> EnemyView | None:
        """The enemy with id ``entity``, if the agent knows of it."""
        return next((e for e in self.snap.enemies if e.id == entity), None)

    def poi(self, entity: int) -> PoiView | None:
        """The point of interest with id ``entity``."""
        return next((p for p in self.snap.pois if p.id == entity), None)

    def subject_enemy(self, subject: Subject) -> EnemyView | None:
        """The visible enemy a step about ``subject`` aims at (the subject itself
        when it is a visible enemy, else the situation's target)."""
        if subject.kind == "enemy":
            e = self.enemy(subject.id)
            return e if e is not None and e.visible and not e.downed else None
        return self.target if subject.kind == "none" else None

    def blast_clear(self, point: tuple[float, float]) -> bool:
        """True when a grenade at ``point`` would reach neither the agent nor an ally."""
        if _dist(self.me.pos, point) <= BLAST_CLEAR_M:
            return False
        return all(_dist(a.pos, point) > BLAST_CLEAR_M for a in self.snap.allies)


def _r2(v: float) -> float:
    return round(float(v), 2) + 0.0


def _enemy_step(sit: Situation, tool: str, subject: Subject, ammo: int) -> ToolArgs | None:
    me = sit.me
    target = sit.subject_enemy(subject)
    if target is None:
        return None
    if tool == "MarkTarget":
        if target.marked or target.distance > me.perception_radius_m:
            return None
        return MarkTargetArgs(target=target.id)
    if ammo <= 0:
        return None
    if tool == "Attack":
        return AttackArgs(target=target.id, shots=min(3, ammo))
    if tool == "AimedShot":
        return AimedShotArgs(target=target.id)
    seconds = min(2.0, 0.5 * ammo)
    return CoverFireArgs(target=target.id, seconds=seconds)


def _move(sit: Situation, x: float, y: float) -> MoveToArgs:
    """A MoveTo to (x, y), on the safe route when ``sit.safe_moves``."""
    return MoveToArgs(x=x, y=y, safe=sit.safe_moves)


def _approach(sit: Situation, subject: Subject) -> ToolArgs | None:
    if subject.kind == "enemy":
        e = sit.enemy(subject.id)
        if e is None or e.downed:
            return None
        reach = min(30.0, max(0.5, _r2(APPROACH_RANGE_SHARE * sit.me.weapon_range_m)))
        return ApproachArgs(target=e.id, distance=reach)
    if subject.kind == "poi":
        poi = sit.poi(subject.id)
        if poi is not None and poi.kind == "door" and not poi.active:
            # Approach cannot end beside a solid door tile: walk to the tile next to it.
            x, y = sit.beside(poi)
            return _move(sit, x, y)
        if poi is not None and poi.kind in ("terminal", "switch") and poi.stand is not None:
            # Walk to where the snapshot says it can be used from.
            return _move(sit, poi.stand[0], poi.stand[1])
        return ApproachArgs(target=subject.id, distance=1.0)
    if subject.kind == "ally":
        return ApproachArgs(target=subject.id, distance=1.0)
    if sit.target is not None:
        return _approach(sit, Subject("enemy", sit.target.id, sit.target.pos))
    return None


def _walkable_known(snap: WorldSnapshot) -> bool:
    """Whether the snapshot says which points of interest can be walked to (schema 2
    adds ``reachable``/``path_m``/``stand``)."""
    return snap.schema_version >= 2 and "path_m" in PoiView.model_fields


def _usable(sit: Situation, poi: PoiView) -> bool:
    """Whether Interact can use ``poi`` as far as the snapshot tells."""
    if poi.kind in ("key", "terminal", "objective") and poi.active:
        return False
    if poi.kind == "door" and getattr(poi, "remote", False):
        return False
    return not (
        poi.kind == "door" and poi.locked and not poi.active and sit.me.items.get("keys", 0) <= 0
    )


def _room_to_retreat(sit: Situation, threat: tuple[float, float], distance: float) -> bool:
    """Whether some tile centre within ``distance`` of the agent and inside the map's
    border lies at least 1 m farther from ``threat`` than the agent (what Retreat
    looks for; inner walls are not known, corners and edges are)."""
    mx, my = sit.me.pos
    need = _dist((mx, my), threat) + 1.0
    w, h = sit.snap.map.width, sit.snap.map.height
    r = int(distance)
    for dy in range(-r, r + 1):
        y = math.floor(my + dy) + 0.5
        if not 1.0 < y < h - 1.0:
            continue
        for dx in range(-r, r + 1):
            x = math.floor(mx + dx) + 0.5
            if not 1.0 < x < w - 1.0 or _dist((x, y), (mx, my)) > distance:
                continue
            if _dist((x, y), threat) >= need:
                return True
    return False


def _heal(sit: Situation, subject: Subject) -> ToolArgs | None:
    if sit.me.items.get("medkit", 0) <= 0 or subject.kind not in ("ally", "none"):
        return None
    if subject.kind == "ally":
        ally = sit.snap.ally(subject.id)
        if ally is None or ally.downed or ally.hp >= ally.max_hp:
            return None
        return HealArgs(target=ally.id)
    if sit.hurt_allies:
        return HealArgs(target=sit.hurt_allies[0].id)
    return None


def _throw_smoke(sit: Situation, subject: Subject) -> ToolArgs | None:
    if sit.me.items.get("smoke", 0) <= 0 or sit.threat is None:
        return None
    me, e = sit.me.pos, sit.threat.pos
    mid = ((me[0] + e[0]) / 2, (me[1] + e[1]) / 2)
    if _dist(me, mid) > THROW_RANGE_M - 0.1:
        return None
    return ThrowSmokeArgs(x=_r2(mid[0]), y=_r2(mid[1]))


def _throw_explosive(sit: Situation, subject: Subject) -> ToolArgs | None:
    if sit.me.items.get("grenade", 0) <= 0:
        return None
    target = sit.subject_enemy(subject)
    if target is None or target.distance > THROW_RANGE_M - 0.1:
        return None
    if not sit.blast_clear(target.pos):
        return None
    return ThrowExplosiveArgs(x=target.pos[0], y=target.pos[1])


def _move_to(sit: Situation, subject: Subject) -> ToolArgs | None:
    if subject.kind in ("point", "poi"):
        return _move(sit, subject.pos[0], subject.pos[1])
    if subject.kind == "enemy":
        e = sit.enemy(subject.id)
        return None if e is None else _move(sit, e.pos[0], e.pos[1])
    if subject.kind == "none" and sit.objectives:
        p = sit.objectives[0].pos
        return _move(sit, p[0], p[1])
    return None


def _regroup(sit: Situation, subject: Subject, touch: bool) -> ToolArgs | None:
    if not sit.snap.allies:
        return None
    if subject.kind == "ally" and (sit.leader is None or subject.id != sit.leader.id):
        return None
    if subject.kind not in ("ally", "none"):
        return None
    return RegroupArgs(radius=1.0 if touch else 2.5)


def _distract(sit: Situation, subject: Subject) -> ToolArgs | None:
    cands = [e for e in sit.visible if e.distance <= DISTRACT_RANGE_M - 0.1]
    if not cands:
        return None
    e = max(cands, key=lambda v: (v.distance, -v.id))
    return DistractArgs(x=e.pos[0], y=e.pos[1])


def _builtin(
    sit: Situation, tool: str, subject: Subject, wait_s: float, ammo: int, touch: bool
) -> ToolArgs | None:
    me = sit.me
    if tool in ("Attack", "AimedShot", "CoverFire", "MarkTarget"):
        return _enemy_step(sit, tool, subject, ammo)
    if tool == "Approach":
        return _approach(sit, subject)
    if tool == "MoveTo":
        return _move_to(sit, subject)
    if tool == "Retreat":
        if sit.threat is None or not _room_to_retreat(sit, sit.threat.pos, RETREAT_M):
            return None
        return RetreatArgs(target=sit.threat.id, distance=RETREAT_M)
    if tool == "TakeCover":
        if sit.in_cover or not any(
            o.kind == "cover" and o.distance <= COVER_SEARCH_M for o in sit.snap.obstacles
        ):
            return None
        if sit.threat is None:
            return TakeCoverArgs()
        return TakeCoverArgs(target=sit.threat.id)
    if tool == "Patrol":
        if not me.patrol:
            return None
        return PatrolArgs(waypoints=[Point(x=x, y=y) for x, y in me.patrol], loops=1)
    if tool == "Regroup":
        return _regroup(sit, subject, touch)
    if tool == "Heal":
        return _heal(sit, subject)
    if tool == "Revive":
        if subject.kind == "ally":
            ally = sit.snap.ally(subject.id)
            return ReviveArgs(target=ally.id) if ally is not None and ally.downed else None
        if subject.kind != "none" or not sit.downed:
            return None
        return ReviveArgs(target=sit.downed[0].id)
    if tool == "Reload":
        return ReloadArgs() if me.ammo < me.magazine and me.reserve > 0 else None
    if tool == "UseItem":
        ok = me.items.get("medkit", 0) > 0 and me.hp < me.max_hp
        return UseItemArgs(item="medkit") if ok else None
    if tool == "Interact":
        if subject.kind == "poi":
            poi = sit.poi(subject.id)
            if poi is None or not _usable(sit, poi):
                return None
            return InteractArgs(target=subject.id)
        if subject.kind != "none":
            return None
        near = [p for p in sit.snap.pois if p.distance <= TOUCH_M]
        return InteractArgs(target=min(near, key=lambda p: (p.distance, p.id)).id) if near else None
    if tool == "Scan":
        return ScanArgs()
    if tool == "Wait":
        return WaitArgs(seconds=wait_s)
    if tool == "ThrowSmoke":
        return _throw_smoke(sit, subject)
    if tool == "ThrowExplosive":
        return _throw_explosive(sit, subject)
    if tool == "Distract":
        return _distract(sit, subject)
    raise KeyError(tool)


_BUILTIN = frozenset(BUILTIN_TOOLS)  # the one vocabulary: names come from core


def bind_step(
    sit: Situation,
    registry: ToolRegistry,
    tool: str,
    subject: Subject = NO_SUBJECT,
    *,
    wait_s: float = 0.5,
    ammo: int | None = None,
    touch: bool = False,
) -> ToolArgs | None:
    """Arguments for one step of ``tool`` about ``subject`` in ``sit``, or ``None``
    when the snapshot shows it cannot be used (no target, nothing to heal, a grenade
    that would hit an ally, ...).

    Built-in tools are bound here; a custom tool uses the first candidate of its own
    :meth:`~astraweave.core.Tool.bind`. A tool that is not allowed gives ``None``.

    Args:
        sit: the situation.
        registry: the tools.
        tool: the tool's name.
        subject: what the step is about (default: the situation's target).
        wait_s: the duration of a ``Wait`` step.
        ammo: rounds in the magazine when the step runs (default: now; a plan that
            reloads first passes the reloaded count).
        touch: the next step must touch the subject (heal, revive, interact), so a
            movement ends within reach of it.

    Returns:
        The step, or ``None``.

    Raises:
        PlannerError: a custom tool's ``bind`` raised.

    Example:
        >>> from astraweave.core import default_registry
        >>> sit = Situation(WorldSnapshot.example())
        >>> bind_step(sit, default_registry(), "Attack").brief()
        'Attack(target=2, shots=3)'
    """
    if tool not in sit.allowed or tool not in registry:
        return None
    impl = registry.get(tool)
    if tool in _BUILTIN and type(impl).__module__.startswith("astraweave.core"):
        rounds = sit.me.ammo if ammo is None else ammo
        return _builtin(sit, tool, subject, wait_s, rounds, touch)
    try:
        cands = impl.bind(sit.snap)
    except (ToolError, ValueError) as exc:
        raise PlannerError(
            f"tool {tool!r}: its bind() raised {type(exc).__name__}: {exc}",
            tool=tool,
            hint="a tool's bind() should return [] when it cannot bind",
        ) from exc
    return cands[0] if cands else None


MOVES = frozenset({"MoveTo", "Approach", "Retreat", "TakeCover", "Patrol", "Regroup"})
"""Tools that move the actor."""
SIGHT_TOOLS = frozenset(
    {"Attack", "AimedShot", "CoverFire", "MarkTarget", "ThrowSmoke", "ThrowExplosive"}
)
"""Tools that need a clear line from where the actor stands."""


def cut_after_blind_move(steps: list[ToolArgs]) -> list[ToolArgs]:
    """``steps`` up to the first movement that a sight-dependent step follows.

    Snapshots carry no walls, so whether the actor will see its target from where a
    movement ends cannot be known when planning; such a plan ends after the movement
    and the agent plans again from there (the sandbox would reject it otherwise).

    Example:
        >>> from astraweave.core import ApproachArgs, AttackArgs
        >>> [s.tool for s in cut_after_blind_move([ApproachArgs(target=2), AttackArgs(target=2)])]
        ['Approach']
    """
    for i, step in enumerate(steps):
        if step.tool in MOVES and any(s.tool in SIGHT_TOOLS for s in steps[i + 1 :]):
            return steps[: i + 1]
    return steps


# ----------------------------------------------------------------------- config
def parse_config(model: type[C], data: Any, planner: str, *, prefix: str = "") -> C:
    """Validate a planner configuration.

    Args:
        model: the configuration's pydantic model.
        data: ``None`` (defaults), an instance of ``model``, or a mapping (a TOML
            table, a dict).
        planner: the planner's name (for the error).
        prefix: a key path to put before the keys in error messages.

    Returns:
        The validated configuration.

    Raises:
        PlannerConfigError: not a mapping, unknown keys, wrong types or values; ``key``
            names the first bad value.

    Example:
        >>> from astraweave.ai._goap import GoapConfig
        >>> parse_config(GoapConfig, {"max_expansions": 50}, "goap").max_expansions
        50
    """
    if data is None:
        return model()
    if isinstance(data, model):
        return data
    if not isinstance(data, Mapping):
        raise PlannerConfigError(
            f"{planner} planner: the configuration must be a table (mapping), "
            f"got {type(data).__name__}",
            planner=planner,
            key=prefix or None,
            reason="not a table",
        )
    try:
        return model.model_validate(dict(data))
    except ValidationError as exc:
        first = exc.errors()[0]
        parts = [str(p) for p in first.get("loc", ())]
        key = ".".join([prefix, *parts] if prefix else parts)
        raise PlannerConfigError(
            f"{planner} planner configuration: {key or '(root)'}: {first['msg']}",
            planner=planner,
            key=key,
            reason=first["msg"],
        ) from None


class AgentConfigs(Generic[C]):
    """A default configuration and per-agent overrides.

    Lookup order for an agent: its name, then ``role:<role>``, then the default.

    Args:
        default: the configuration for agents without an override.
    """

    def __init__(self, default: C) -> None:
        self.default = default
        self._by: dict[str, C] = {}

    def set(self, key: str | None, config: C) -> None:
        """Use ``config`` for agent ``key`` (a name or ``role:<role>``; ``None``: the
        default)."""
        if key is None:
            self.default = config
        else:
            self._by[key] = config

    def for_snapshot(self, snapshot: WorldSnapshot) -> C:
        """The configuration of the agent ``snapshot`` describes."""
        me = snapshot.agent
        return self._by.get(me.name) or self._by.get(f"role:{me.role}") or self.default

    def keys(self) -> list[str]:
        """The agents with an override, sorted."""
        return sorted(self._by)
