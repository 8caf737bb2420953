"""The static step union of the built-in tools, and symbolic facts for GOAP.

:data:`ActionStep` is the discriminated union (on ``tool``) of the 20 built-in
argument models, for type hints and for code that does not need custom tools; a
registry with custom tools builds its own union (:meth:`ToolRegistry.step_union`).

:func:`facts_of` maps a snapshot to the symbolic facts that hold in it, the same
vocabulary tools declare in ``requires``/``provides``/``removes``. A GOAP planner
searches over :meth:`Tool.apply_facts` from these facts to a goal set.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from astraweave.core._snapshot import WorldSnapshot
from astraweave.core._tools_combat import (
    AimedShotArgs,
    AttackArgs,
    CoverFireArgs,
    ThrowExplosiveArgs,
    ThrowSmokeArgs,
)
from astraweave.core._tools_move import (
    ApproachArgs,
    MoveToArgs,
    PatrolArgs,
    RegroupArgs,
    RetreatArgs,
    TakeCoverArgs,
)
from astraweave.core._tools_support import HealArgs, ReloadArgs, ReviveArgs, UseItemArgs
from astraweave.core._tools_utility import (
    DistractArgs,
    InteractArgs,
    MarkTargetArgs,
    ScanArgs,
    WaitArgs,
)

__all__ = ["FACTS", "ActionStep", "facts_of"]

ActionStep = Annotated[
    MoveToArgs
    | ApproachArgs
    | RetreatArgs
    | TakeCoverArgs
    | PatrolArgs
    | AttackArgs
    | AimedShotArgs
    | CoverFireArgs
    | ThrowSmokeArgs
    | ThrowExplosiveArgs
    | HealArgs
    | ReviveArgs
    | ReloadArgs
    | UseItemArgs
    | InteractArgs
    | ScanArgs
    | WaitArgs
    | MarkTargetArgs
    | DistractArgs
    | RegroupArgs,
    Field(discriminator="tool"),
]
"""One step of a plan over the built-in tools (discriminated on ``tool``)."""

FACTS: dict[str, str] = {
    "enemy_visible": "an enemy that is not downed is in sight",
    "enemy_in_range": "a visible enemy is within weapon range",
    "enemy_damaged": "(effect) an enemy was shot at",
    "enemy_suppressed": "(effect) an enemy is under cover fire",
    "enemy_marked": "an enemy is marked for the team",
    "enemy_distracted": "(effect) enemies look elsewhere",
    "has_ammo": "rounds in the magazine",
    "has_reserve": "spare rounds",
    "has_smoke": "carries a smoke grenade",
    "has_grenade": "carries an explosive grenade",
    "has_medkit": "carries a medkit",
    "has_key": "carries a key",
    "in_cover": "crouched on a cover spot",
    "concealed": "smoke is near",
    "self_hurt": "below half health",
    "self_healthy": "at least half health",
    "ally_hurt": "an ally (not downed) is below half health",
    "ally_healthy": "(effect) an ally was healed",
    "ally_downed": "an ally is downed",
    "ally_revived": "(effect) a downed ally got up",
    "near_ally": "an ally is within 1.5 m",
    "near_target": "(effect) closed in on the target",
    "near_poi": "a point of interest is within 1.5 m",
    "poi_used": "(effect) a point of interest was used",
    "door_open": "(effect) a door was opened",
    "at_destination": "(effect) reached a point",
    "safe_distance": "(effect) fell back from a threat",
    "area_patrolled": "(effect) walked a patrol",
    "area_scanned": "scanning (perception widened)",
}
"""The symbolic facts tools use, with their meaning."""


def facts_of(snapshot: WorldSnapshot) -> frozenset[str]:
    """The facts of :data:`FACTS` that hold in ``snapshot`` (effect-only facts never do).

    Example:
        >>> sorted(facts_of(WorldSnapshot.example()))[:4]
        ['enemy_in_range', 'enemy_visible', 'has_ammo', 'has_grenade']
    """
    me = snapshot.agent
    facts: set[str] = set()
    visible = snapshot.visible_enemies()
    if visible:
        facts.add("enemy_visible")
        if any(e.distance <= me.weapon_range_m for e in visible):
            facts.add("enemy_in_range")
    if any(e.marked for e in snapshot.enemies):
        facts.add("enemy_marked")
    for flag, ok in (
        ("has_ammo", me.ammo > 0),
        ("has_reserve", me.reserve > 0),
        ("has_smoke", me.items.get("smoke", 0) > 0),
        ("has_grenade", me.items.get("grenade", 0) > 0),
        ("has_medkit", me.items.get("medkit", 0) > 0),
        ("has_key", me.items.get("keys", 0) > 0),
        ("self_hurt", me.hp < 0.5 * me.max_hp),
        ("self_healthy", me.hp >= 0.5 * me.max_hp),
        ("ally_hurt", any(a.hp < 0.5 * a.max_hp and not a.downed for a in snapshot.allies)),
        ("ally_downed", any(a.downed for a in snapshot.allies)),
        ("near_ally", any(a.distance <= 1.5 for a in snapshot.allies)),
        ("near_poi", any(p.distance <= 1.5 for p in snapshot.pois)),
        ("area_scanned", me.scan_s > 0),
        (
            "in_cover",
            me.crouched
            and any(o.kind == "cover" and o.distance < 0.75 for o in snapshot.obstacles),
        ),
        ("concealed", any(o.kind == "smoke" for o in snapshot.obstacles)),
    ):
        if ok:
            facts.add(flag)
    return frozenset(facts)
