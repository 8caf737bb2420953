"""The rule planner: a fixed priority list of situation -> plan rules.

It reads only the snapshot, uses only allowed tools, respects cooldowns it can see,
proposes only what the snapshot says can work (a point of interest it can reach,
cover it can walk to), and is deterministic (ties broken by distance, then id).
Rules, highest first:

1. out of rounds with spare ones -> ``Reload``;
2. badly hurt (< 35 % hp) with a medkit -> ``UseItem(medkit)`` (after ``TakeCover``
   when enemies are in sight and reachable cover shelters from them); badly hurt
   without one, alone (no team mate within 8 m) and facing a healthy enemy ->
   ``Retreat`` (out of its sight where it can);
3. (companions) a downed ally -> smoke between it and the nearest enemy if possible,
   ``Approach`` it, ``Revive``;
4. (companions) an ally below half health, medkit in hand -> ``Approach``, ``Heal``;
5. enemies in sight (unless the objective asks for stealth): ``MarkTarget`` a new
   one; ``ThrowExplosive`` at a cluster of two or more with no ally near;
   ``TakeCover`` when hurt, exposed and sheltering cover is reachable; ``Retreat``
   (guards at < 25 % hp); ``AimedShot`` at targets in cover, else ``Attack``; out
   of range -> ``Approach``;
6. enemies remembered but unseen -> ``Scan``, or (guards) walk to where they were
   seen;
7. the mission (``lead`` role): walk to the nearest reachable objective, or use
   the nearest reachable terminal (``MoveTo`` its ``stand``, ``Interact``); when
   none is reachable, open the way: the nearest reachable key, door it can open,
   or switch of a closed door. Routes are safe (``MoveTo(safe=true)``) when hazards
   are about or the objective asks for stealth; a stealthy route that still comes
   into an enemy's sight starts with ``Distract`` on that enemy, or smoke on it, or
   waits for it to look away;
8. role default: ``companion`` ``Regroup`` s with its leader, ``guard`` ``Patrol`` s;
   otherwise ``Scan`` or ``Wait``.

When the sandbox rejects a plan, :meth:`RulePlanner.replan` offers the next rule
that matches.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from astraweave.core import (
    AimedShotArgs,
    ApproachArgs,
    AttackArgs,
    DistractArgs,
    EnemyView,
    HealArgs,
    InteractArgs,
    MarkTargetArgs,
    MoveToArgs,
    PatrolArgs,
    PlanIntent,
    Point,
    PoiView,
    Provenance,
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
)
from astraweave.errors import ToolError

__all__ = ["STEALTH_WORDS", "RulePlanner"]

STEALTH_WORDS = (
    "unseen",
    "without being seen",
    "undetected",
    "unnoticed",
    "stealth",
    "sneak",
    "unspotted",
)
"""Words in an objective that ask for stealth (case-insensitive)."""

TOUCH_M = 1.45
"""How close the planner wants to be before an Interact without walking first (the
tool's reach is 1.5 m; the margin absorbs the snapshot's rounding)."""
DISTRACT_REACH_M = 14.5
"""Farthest enemy the planner distracts (the tool's range is 15 m)."""
THROW_REACH_M = 11.5
"""Farthest point the planner throws at (the tool's range is 12 m)."""
ALLY_NEAR_M = 8.0
"""A badly hurt agent with a team mate this close holds its ground instead of falling
back alone."""
DISTRACT_LEAD_S = 3.5
"""A distraction lasts 5 s: distract only when the exposed point is this close (in
seconds of walking)."""

Add = Callable[..., None]
Ready = Callable[[str], bool]


@dataclass(frozen=True)
class _Option:
    rule: str
    steps: tuple[ToolArgs, ...]


def _dist(a: tuple[float, float], b: tuple[float, float]) -> float:
    return math.hypot(a[0] - b[0], a[1] - b[1])


def stealthy(snap: WorldSnapshot) -> bool:
    """Whether the objective asks the agent not to be seen."""
    text = snap.objective.lower()
    return any(w in text for w in STEALTH_WORDS)


def _in_hazard(snap: WorldSnapshot, p: tuple[float, float]) -> bool:
    return any(o.kind == "hazard" and _dist(o.pos, p) <= o.radius + 0.1 for o in snap.obstacles)


def _cover_ok(snap: WorldSnapshot, target: EnemyView | None, max_distance: float) -> bool:
    """Whether ``TakeCover(target, max_distance)`` will find cover: a listed cover spot
    within ``max_distance``, walkable within 1.6 x that, sheltering from ``target``."""
    for o in snap.obstacles:
        if o.kind != "cover" or o.path_m is None:
            continue
        if o.distance > max_distance - 0.05 or o.path_m > 1.6 * max_distance - 0.1:
            continue
        if target is None or target.id in o.shelters:
            return True
    return False


def _opens_way(p: PoiView, pois: dict[int, PoiView], keys: int) -> bool:
    """Whether using ``p`` may open the way: a key not taken, a closed door the agent
    can open by hand, or the switch of a closed door."""
    if p.kind == "key":
        return not p.active
    if p.kind == "door":
        return not p.active and not p.remote and (not p.locked or keys > 0)
    if p.kind == "switch" and p.link is not None:
        door = pois.get(p.link)
        return door is not None and not door.active
    return False


class RulePlanner:
    """Deterministic priority rules over the snapshot (see the module docstring).

    Example:
        >>> import numpy as np
        >>> from astraweave.core import WorldSnapshot, default_registry
        >>> plan = RulePlanner().plan(
        ...     WorldSnapshot.example(), default_registry(),
        ...     rng=np.random.default_rng(0), budget_s=0.05)
        >>> plan.tools(), plan.provenance.notes
        (['Wait', 'Attack'], ['rule: engage raider'])
    """

    name = "rule"

    def plan(
        self,
        snapshot: WorldSnapshot,
        registry: ToolRegistry,
        *,
        rng: np.random.Generator,
        budget_s: float,
    ) -> PlanIntent:
        """The plan of the first matching rule (``Wait`` when none matches)."""
        return self._make(snapshot, self.options(snapshot)[0])

    def replan(
        self,
        snapshot: WorldSnapshot,
        registry: ToolRegistry,
        *,
        rng: np.random.Generator,
        budget_s: float,
        rejected: Sequence[PlanIntent],
        errors: Sequence[ToolError],
    ) -> PlanIntent | None:
        """The first matching rule whose plan differs from every rejected one."""
        seen = {tuple(s.model_dump_json() for s in p.steps) for p in rejected}
        for opt in self.options(snapshot):
            if tuple(s.model_dump_json() for s in opt.steps) not in seen:
                return self._make(snapshot, opt, note=f"after {len(rejected)} rejection(s)")
        return None

    def _make(self, snapshot: WorldSnapshot, opt: _Option, note: str = "") -> PlanIntent:
        notes = [f"rule: {opt.rule}"] + ([note] if note else [])
        return PlanIntent(
            plan_id=f"rule-{snapshot.agent.id}-{snapshot.tick}",
            steps=list(opt.steps),
            provenance=Provenance(planner=self.name, notes=notes),
        )

    # ------------------------------------------------------------------ rules
    def options(self, snap: WorldSnapshot) -> list[_Option]:
        """Every matching rule's plan, highest priority first (ends with ``Wait``)."""
        me = snap.agent
        allowed = set(snap.tools)
        out: list[_Option] = []

        def ready(tool: str) -> bool:
            return tool in allowed and me.cooldowns.get(tool, 0.0) <= 0.0

        def add(rule: str, *steps: ToolArgs) -> None:
            if steps and all(s.tool in allowed for s in steps):
                out.append(_Option(rule, steps))

        visible = snap.visible_enemies()
        role = me.role
        hurt = me.hp < 0.35 * me.max_hp
        in_cover = me.crouched and any(
            o.kind == "cover" and o.distance < 0.75 for o in snap.obstacles
        )
        quiet = role != "guard" and stealthy(snap)

        if me.ammo == 0 and me.reserve > 0:
            add("reload", ReloadArgs())
        if hurt:
            self._patch_up(snap, visible, add, ready, in_cover)

        if role == "companion":
            self._support(snap, visible, add, ready)

        if visible and not quiet:
            self._fight(snap, visible, add, ready, in_cover)

        remembered = [e for e in snap.enemies if not e.visible and not e.downed]
        if remembered and not visible and not quiet:
            if ready("Scan"):
                add("scan for lost enemies", ScanArgs())
            if role == "guard":
                last = min(remembered, key=lambda e: (e.distance, e.id))
                add(f"hunt {last.name}", MoveToArgs(x=last.pos[0], y=last.pos[1]))

        if role == "lead":
            self._mission(snap, add, ready, quiet)
        self._default(snap, add, ready)
        add("idle", WaitArgs(seconds=0.5))
        if not out:
            out.append(_Option("idle", (WaitArgs(seconds=0.5),)))
        return out

    def _patch_up(
        self, snap: WorldSnapshot, visible: list[EnemyView], add: Add, ready: Ready, in_cover: bool
    ) -> None:
        me = snap.agent
        if me.items.get("medkit", 0) > 0 and ready("UseItem"):
            if visible and not in_cover and ready("TakeCover") and _cover_ok(snap, visible[0], 8.0):
                add(
                    "patch up behind cover",
                    TakeCoverArgs(target=visible[0].id),
                    UseItemArgs(item="medkit"),
                )
            add("patch up", UseItemArgs(item="medkit"))
            return
        threat = visible[0] if visible else None
        alone = not any(not a.downed and a.distance <= ALLY_NEAR_M for a in snap.allies)
        if (
            threat is not None
            and me.role != "guard"
            and alone
            and threat.hp >= 0.5 * threat.max_hp
            and ready("Retreat")
        ):
            add(f"fall back from {threat.name}", RetreatArgs(target=threat.id, distance=8.0))

    def _support(
        self, snap: WorldSnapshot, visible: list[EnemyView], add: Add, ready: Ready
    ) -> None:
        me = snap.agent
        downed = sorted((a for a in snap.allies if a.downed), key=lambda a: (a.distance, a.id))
        if downed and ready("Revive"):
            ally = downed[0]
            reach = ApproachArgs(target=ally.id, distance=1.0)
            if ally.distance <= 1.4:
                add(f"revive {ally.name}", ReviveArgs(target=ally.id))
            if visible and me.items.get("smoke", 0) > 0 and ready("ThrowSmoke"):
                e = visible[0]
                mx, my = (ally.pos[0] + e.pos[0]) / 2, (ally.pos[1] + e.pos[1]) / 2
                if _dist(me.pos, (mx, my)) <= 11.5:
                    mid = (me.pos[0] + e.pos[0]) / 2, (me.pos[1] + e.pos[1]) / 2
                    add(
                        f"smoke, then revive {ally.name}",
                        ThrowSmokeArgs(x=round(mid[0], 2), y=round(mid[1], 2)),
                        reach,
                        ReviveArgs(target=ally.id),
                    )
            add(f"reach and revive {ally.name}", reach, ReviveArgs(target=ally.id))
        hurt_allies = sorted(
            (a for a in snap.allies if not a.downed and a.hp < 0.5 * a.max_hp),
            key=lambda a: (a.hp, a.id),
        )
        if hurt_allies and me.items.get("medkit", 0) > 0 and ready("Heal"):
            ally = hurt_allies[0]
            if ally.distance <= 1.4:
                add(f"heal {ally.name}", HealArgs(target=ally.id))
            add(
                f"reach and heal {ally.name}",
                ApproachArgs(target=ally.id, distance=1.0),
                HealArgs(target=ally.id),
            )

    def _fight(
        self,
        snap: WorldSnapshot,
        visible: list[EnemyView],
        add: Add,
        ready: Ready,
        in_cover: bool,
    ) -> None:
        me = snap.agent
        target = min(visible, key=lambda e: (not e.marked, e.hp, e.distance, e.id))
        if me.role == "guard" and me.hp < 0.25 * me.max_hp and ready("Retreat"):
            add(f"fall back from {target.name}", RetreatArgs(target=target.id))
        cluster = [e for e in visible if _dist(e.pos, target.pos) <= 2.5]
        allies_clear = all(_dist(a.pos, target.pos) > 4.0 for a in snap.allies)
        if (
            len(cluster) >= 2
            and me.items.get("grenade", 0) > 0
            and ready("ThrowExplosive")
            and 4.5 < target.distance <= 11.5
            and allies_clear
        ):
            add(
                f"grenade {target.name}'s group",
                ThrowExplosiveArgs(x=target.pos[0], y=target.pos[1]),
            )
        if (
            me.hp < 0.6 * me.max_hp
            and not in_cover
            and ready("TakeCover")
            and _cover_ok(snap, target, 6.0)
        ):
            add(f"take cover from {target.name}", TakeCoverArgs(target=target.id, max_distance=6.0))
        mark: tuple[ToolArgs, ...] = ()
        if not target.marked and ready("MarkTarget") and target.distance <= me.perception_radius_m:
            mark = (MarkTargetArgs(target=target.id),)
        if target.distance <= me.weapon_range_m and me.ammo > 0:
            if target.cover >= 0.5 and ready("AimedShot"):
                add(f"engage {target.name}", *mark, AimedShotArgs(target=target.id))
            if ready("Attack"):
                add(
                    f"engage {target.name}",
                    *mark,
                    AttackArgs(target=target.id, shots=min(3, me.ammo)),
                )
            left = me.cooldowns.get("Attack", 0.0)
            if "Attack" in set(snap.tools) and left > 0:
                add(
                    f"engage {target.name}",
                    WaitArgs(seconds=round(left + 0.02, 2)),
                    AttackArgs(target=target.id, shots=min(3, me.ammo)),
                )
        elif target.distance > me.weapon_range_m:
            add(
                f"close in on {target.name}",
                ApproachArgs(target=target.id, distance=round(0.7 * me.weapon_range_m, 2)),
            )

    # ---------------------------------------------------------------- mission
    def _mission(self, snap: WorldSnapshot, add: Add, ready: Ready, quiet: bool) -> None:
        """Reach objectives, use terminals; else open the way (keys, doors, switches)."""
        me = snap.agent
        safe = quiet or any(o.kind == "hazard" for o in snap.obstacles)

        def usable(p: PoiView) -> bool:
            return p.reachable and p.stand is not None and not _in_hazard(snap, p.stand)

        goals = [
            p
            for p in snap.pois
            if p.kind in ("objective", "terminal") and not p.active and not p.remote and usable(p)
        ]
        if goals:
            goal = min(goals, key=lambda p: (p.path_m or 0.0, p.id))
            if goal.kind == "objective":
                if goal.distance > 0.75:
                    self._go(snap, goal, add, ready, quiet, safe, f"head for {goal.name}")
            elif goal.distance <= TOUCH_M:
                add(f"use {goal.name}", InteractArgs(target=goal.id))
            else:
                self._go(snap, goal, add, ready, quiet, safe, f"use {goal.name}", use=True)
            return
        pois = {p.id: p for p in snap.pois}
        keys = me.items.get("keys", 0)
        openers = [p for p in snap.pois if usable(p) and _opens_way(p, pois, keys)]
        if openers:
            p = min(openers, key=lambda q: (q.path_m or 0.0, q.id))
            if p.distance <= TOUCH_M:
                add(f"use {p.name}", InteractArgs(target=p.id))
            else:
                self._go(snap, p, add, ready, quiet, safe, f"use {p.name}", use=True)

    def _go(
        self,
        snap: WorldSnapshot,
        poi: PoiView,
        add: Add,
        ready: Ready,
        quiet: bool,
        safe: bool,
        rule: str,
        *,
        use: bool = False,
    ) -> None:
        """Walk to ``poi``'s stand (and use it); a stealthy walk that will be seen
        first distracts or smokes the enemy watching that spot."""
        if poi.stand is None:  # pragma: no cover  (callers pass reachable points)
            return
        walk: tuple[ToolArgs, ...] = (MoveToArgs(x=poi.stand[0], y=poi.stand[1], safe=safe),)
        if use:
            walk += (InteractArgs(target=poi.id),)
        if quiet and poi.exposed is not None:
            me = snap.agent
            watchers = [
                e
                for e in snap.enemies
                if e.sight_m > 0 and _dist(e.pos, poi.exposed) <= e.sight_m + 1.0
            ]
            soon = _dist(me.pos, poi.exposed) <= DISTRACT_LEAD_S * max(me.speed_mps, 0.1)
            if watchers and soon:
                w = min(watchers, key=lambda e: (_dist(e.pos, poi.exposed or e.pos), e.id))
                # a distraction halves its sight: enough when the spot is farther than that
                clears = _dist(w.pos, poi.exposed) > w.sight_m / 2 + 0.75
                if ready("Distract") and w.distance <= DISTRACT_REACH_M and clears:
                    add(
                        f"distract {w.name}, then {rule}",
                        DistractArgs(x=w.pos[0], y=w.pos[1]),
                        *walk,
                    )
                if (
                    w.visible
                    and me.items.get("smoke", 0) > 0
                    and ready("ThrowSmoke")
                    and w.distance <= THROW_REACH_M
                ):
                    add(
                        f"smoke {w.name}, then {rule}",
                        ThrowSmokeArgs(x=w.pos[0], y=w.pos[1]),
                        *walk,
                    )
                add(f"wait for {w.name} to look away", WaitArgs(seconds=1.0))
        add(rule, *walk)

    def _default(self, snap: WorldSnapshot, add: Add, ready: Ready) -> None:
        me = snap.agent
        if me.role == "companion":
            leader = snap.ally(me.leader) if me.leader is not None else None
            if leader is not None and leader.distance > 3.5:
                add(f"stay with {leader.name}", RegroupArgs(radius=2.5))
        elif me.role == "guard":
            if me.distraction is not None:
                add("look at the noise", WaitArgs(seconds=1.0))
            if me.patrol:
                add(
                    "patrol",
                    PatrolArgs(waypoints=[Point(x=x, y=y) for x, y in me.patrol], loops=1),
                )
        if ready("Scan") and not snap.enemies and me.role != "lead":
            add("look around", ScanArgs())
