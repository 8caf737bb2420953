"""The rule planner: a fixed priority list of situation -> plan rules.

It reads only the snapshot, uses only allowed tools, respects cooldowns it can see,
and is deterministic (ties broken by distance, then id). Rules, highest first:

1. out of rounds with spare ones -> ``Reload``;
2. badly hurt (< 35 % hp) with a medkit -> ``UseItem(medkit)`` (after ``TakeCover``
   when enemies are in sight);
3. (companions) a downed ally -> smoke between it and the nearest enemy if possible,
   ``Approach`` it, ``Revive``;
4. (companions) an ally below half health, medkit in hand -> ``Approach``, ``Heal``;
5. enemies in sight: ``MarkTarget`` a new one; ``ThrowExplosive`` at a cluster of
   two or more with no ally near; ``TakeCover`` when hurt and exposed; ``Retreat``
   (guards at < 25 % hp); ``AimedShot`` at targets in cover, else ``Attack``; out of
   range -> ``Approach``;
6. enemies remembered but unseen -> ``Scan``, or walk to where they were seen;
7. role default: ``lead`` walks to the objective, ``companion`` ``Regroup`` s with
   its leader, ``guard`` ``Patrol`` s; otherwise ``Wait``.

When the sandbox rejects a plan, :meth:`RulePlanner.replan` offers the next rule
that matches.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from astraweave.core import (
    AimedShotArgs,
    ApproachArgs,
    AttackArgs,
    EnemyView,
    HealArgs,
    MarkTargetArgs,
    MoveToArgs,
    PatrolArgs,
    PlanIntent,
    Point,
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

__all__ = ["RulePlanner"]


@dataclass(frozen=True)
class _Option:
    rule: str
    steps: tuple[ToolArgs, ...]


def _dist(a: tuple[float, float], b: tuple[float, float]) -> float:
    return math.hypot(a[0] - b[0], a[1] - b[1])


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

        if me.ammo == 0 and me.reserve > 0:
            add("reload", ReloadArgs())
        if hurt and me.items.get("medkit", 0) > 0 and ready("UseItem"):
            if visible and not in_cover and ready("TakeCover"):
                add(
                    "patch up behind cover",
                    TakeCoverArgs(target=visible[0].id),
                    UseItemArgs(item="medkit"),
                )
            add("patch up", UseItemArgs(item="medkit"))

        if role == "companion":
            self._support(snap, visible, add, ready)

        if visible:
            self._fight(snap, visible, add, ready, hurt, in_cover)

        remembered = [e for e in snap.enemies if not e.visible and not e.downed]
        if remembered and not visible:
            if ready("Scan"):
                add("scan for lost enemies", ScanArgs())
            if role == "guard":
                last = min(remembered, key=lambda e: (e.distance, e.id))
                add(f"hunt {last.name}", MoveToArgs(x=last.pos[0], y=last.pos[1]))

        self._default(snap, add, ready)
        add("idle", WaitArgs(seconds=0.5))
        if not out:
            out.append(_Option("idle", (WaitArgs(seconds=0.5),)))
        return out

    def _support(self, snap: WorldSnapshot, visible: list[EnemyView], add, ready) -> None:  # type: ignore[no-untyped-def]  # local callables
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

    def _fight(  # type: ignore[no-untyped-def]  # local callables
        self,
        snap: WorldSnapshot,
        visible: list[EnemyView],
        add,
        ready,
        hurt: bool,
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
        if me.hp < 0.6 * me.max_hp and not in_cover and ready("TakeCover"):
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

    def _default(self, snap: WorldSnapshot, add, ready) -> None:  # type: ignore[no-untyped-def]  # local callables
        me = snap.agent
        if me.role == "lead":
            goals = [p for p in snap.pois if p.kind == "objective" and not p.active]
            if goals:
                goal = min(goals, key=lambda p: (p.distance, p.id))
                if goal.distance > 0.75:
                    add(f"head for {goal.name}", MoveToArgs(x=goal.pos[0], y=goal.pos[1]))
        elif me.role == "companion":
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
