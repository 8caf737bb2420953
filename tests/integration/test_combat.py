"""Combat across systems: shots, damage, cooldowns, deaths and the animation triggers
they cause, tick by tick; two agents splitting two targets; friendly fire that never
lands; a guard that engages only what it can see; a medic reviving a downed ally."""

from __future__ import annotations

from typing import Any

import numpy as np

from astraweave.core import (
    AttackArgs,
    Inventory,
    PlanIntent,
    Provenance,
    ToolRegistry,
    WaitArgs,
    WorldSnapshot,
    perceive,
)
from astraweave.testing import IntegrationHarness

LANE = """
##############
#............#
#............#
##############
"""
SHOT_INTERVAL_TICKS = 15  # Attack fires one round every 0.25 s at 60 Hz
ATTACK_COOLDOWN_S = 0.5


def test_damage_death_cooldowns_and_animation_triggers_at_the_right_ticks() -> None:
    bleedout_ticks = 60
    h = IntegrationHarness(LANE, seed=1, movement="kinematic", rules={"bleedout_s": 1.0})
    h.spawn_agent("hero", (1.5, 1.5), planner=None, damage=20, accuracy=0.9)
    h.spawn_enemy("dummy", (8.5, 1.5), hp=50, max_hp=50, armor=0.2)
    h.command("hero", [{"tool": "Attack", "target": "dummy", "shots": 3}], tick=5)
    h.command("hero", [{"tool": "Attack", "target": "dummy", "shots": 1}], tick=20)  # too soon
    h.command(
        "hero",
        [{"tool": "Attack", "target": "dummy", "shots": 3}, {"tool": "Attack", "target": "dummy"}],
        tick=60,
    )
    h.run(240)
    hero, dummy = h.id("hero"), h.id("dummy")

    # a burst fires every 15 ticks from the tick its step starts
    shots = h.events("shot", actor="hero")
    assert [e.tick for e in shots][:3] == [5, 5 + SHOT_INTERVAL_TICKS, 5 + 2 * SHOT_INTERVAL_TICKS]
    assert all(e.target == dummy for e in shots)
    assert h.ammo("hero") == 12 - len(shots)

    # the cooldown counts from the step's start: at tick 20 it has 14 ticks of decay behind it
    rejected = h.events("plan_rejected", actor="hero")
    assert [e.tick for e in rejected] == [20]
    remaining = ATTACK_COOLDOWN_S - (20 - 5 - 1) / 60
    assert rejected[0].detail.startswith("OnCooldownError: step 0 (Attack)")
    assert f"on cooldown for {remaining:.2f} s" in rejected[0].detail

    # damage through armour, hp never below 0, every hp point accounted for
    damaged = h.events("damaged", target="dummy")
    assert [e.tick for e in damaged] == [e.tick for e in shots if e.detail == "hit"]
    assert all(e.value == 16.0 for e in damaged[:-1])  # 20 x (1 - 0.2)
    assert sum(e.value for e in damaged) == 50.0 and h.hp("dummy") == 0.0

    # downed on the lethal hit, dead one bleed-out later; the plan's next step then fails
    (downed,) = h.events("downed")
    (died,) = h.events("died")
    assert downed.actor == dummy and downed.target == hero and downed.tick == damaged[-1].tick
    assert died.tick == downed.tick + bleedout_ticks and h.life("dummy") == "dead"
    (failed,) = h.events("plan_failed", actor="hero")
    assert failed.tick == downed.tick and "InvalidTargetError" in failed.detail

    # the presentation side: a clip per event, on the event's tick
    assert [t.tick for t in h.animations("hero", clip="fire")] == [e.tick for e in shots]
    assert [t.tick for t in h.animations("dummy", clip="hit_react")] == [e.tick for e in damaged]
    assert [(t.tick, t.clip) for t in h.animations("dummy") if t.clip != "hit_react"] == [
        (downed.tick, "fall"),
        (died.tick, "death"),
    ]


class SquadPlanner:
    """Agents of one squad split the visible enemies between them: the i-th member
    (by id) of the squad takes the i-th enemy (by id), modulo the enemy count. Every
    member computes the same split from its own snapshot; nothing is shared."""

    name = "squad"

    def plan(
        self,
        snapshot: WorldSnapshot,
        registry: ToolRegistry,
        *,
        rng: np.random.Generator,
        budget_s: float,
    ) -> PlanIntent:
        me = snapshot.agent
        squad = sorted([me.id, *(a.id for a in snapshot.allies if not a.downed)])
        enemies = sorted(
            (e for e in snapshot.enemies if e.visible and not e.downed), key=lambda e: e.id
        )
        steps: list[Any] = [WaitArgs(seconds=0.25)]
        if enemies:
            target = enemies[squad.index(me.id) % len(enemies)]
            wait = me.cooldowns.get("Attack", 0.0)
            steps = [WaitArgs(seconds=round(wait + 0.02, 2))] if wait > 0 else []
            steps.append(AttackArgs(target=target.id, shots=1))
        return PlanIntent(
            plan_id=f"squad-{me.id}-{snapshot.tick}",
            steps=steps,
            provenance=Provenance(planner=self.name),
        )


ARENA = """
################
#..............#
#..............#
#..............#
#..............#
################
"""


def test_two_agents_split_two_targets_without_friendly_fire() -> None:
    h = IntegrationHarness(ARENA, seed=4, movement="kinematic", planners={"squad": SquadPlanner()})
    for name, y in (("alpha", 1.5), ("bravo", 4.5)):
        h.spawn_agent(name, (2.5, y), planner="squad", cadence_ticks=6, replan_ticks=6)
    for name, y in (("red_1", 2.5), ("red_2", 3.5)):
        h.spawn_enemy(name, (12.5, y), hp=60, max_hp=60)
    h.run(900, until=lambda hh: all(hh.life(n) != "up" for n in ("red_1", "red_2")))
    alpha, bravo, red_1, red_2 = (h.id(n) for n in ("alpha", "bravo", "red_1", "red_2"))
    assert h.life("red_1") == h.life("red_2") == "downed"

    # the split: until the first enemy went down, each agent shot only its own target
    first_down = min(e.tick for e in h.events("downed"))
    before = [e for e in h.events("shot") if e.tick < first_down]
    assert {e.target for e in before if e.actor == alpha} == {red_1}
    assert {e.target for e in before if e.actor == bravo} == {red_2}
    assert min(e.tick for e in before if e.actor == alpha) < 30  # both engaged at once
    assert min(e.tick for e in before if e.actor == bravo) < 30

    # no friendly fire: every hp lost was dealt by the other team, blue is untouched
    for e in h.events("damaged"):
        assert h.team(e.actor) != h.team(e.target)
    assert h.hp("alpha") == h.hp("bravo") == 100.0
    assert {r.plan.provenance.planner for r in h.plans(outcome="accepted") if r.plan} == {"squad"}


def test_friendly_fire_is_rejected_whole_and_never_lands() -> None:
    h = IntegrationHarness(ARENA, seed=2, movement="kinematic")
    h.spawn_agent("gunner", (2.5, 2.5), planner=None, items={"grenade": 2})
    h.spawn_agent("buddy", (10.5, 2.5), planner=None)
    h.spawn_enemy("near_buddy", (11.5, 3.5), hp=200, max_hp=200)
    h.spawn_enemy("far_away", (12.5, 1.5), hp=200, max_hp=200)
    h.command("gunner", [{"tool": "Attack", "target": "buddy", "shots": 3}], tick=0)
    # a grenade at an enemy standing next to an ally: its blast would reach the ally
    h.command("gunner", [{"tool": "ThrowExplosive", "x": 11.5, "y": 3.5}], tick=1)
    # a valid first step does not save a plan whose second step is friendly fire
    h.command(
        "gunner",
        [{"tool": "Wait", "seconds": 0.1}, {"tool": "Attack", "target": "buddy"}],
        tick=2,
    )
    h.run(60)
    rejected = h.events("plan_rejected", actor="gunner")
    assert [e.tick for e in rejected] == [0, 1, 2]
    assert all(e.detail.startswith("FriendlyTargetError") for e in rejected)
    assert "step 1 (Attack)" in rejected[2].detail
    assert not h.events("plan_started", actor="gunner")  # a rejected plan changes nothing
    assert not h.events("shot") and not h.events("thrown") and not h.events("damaged")
    assert h.hp("buddy") == 100.0 and h.ammo("gunner") == 12
    assert h.world.get(h.id("gunner"), Inventory).grenade == 2


GUARD_POST = """
####################
#........#.........#
#........#.........#
#..................#
#........#.........#
####################
"""


def test_guard_engages_only_an_intruder_it_can_see() -> None:
    h = IntegrationHarness(GUARD_POST, seed=6, movement="kinematic")
    h.spawn_agent(
        "guard",
        (4.5, 2.5),
        team="red",
        role="guard",
        patrol=[(4.5, 2.5), (2.5, 2.5)],
        cadence_ticks=10,
        replan_ticks=20,
    )
    h.spawn_agent("intruder", (17.5, 1.5), team="blue", planner=None, hp=1000, max_hp=1000)
    # the intruder walks behind the wall, then steps into the doorway row (y = 3.5)
    h.command("intruder", [{"tool": "MoveTo", "x": 13.5, "y": 1.5}], tick=0)
    h.command("intruder", [{"tool": "MoveTo", "x": 11.5, "y": 3.5}], tick=120)
    seen_at: list[int] = []

    def watch(hh: IntegrationHarness) -> bool:
        snap = perceive(hh.world, hh.id("guard"))
        if not seen_at and any(e.visible for e in snap.enemies):
            seen_at.append(hh.world.tick - 1)
        return bool(hh.events("shot", actor="guard"))

    h.run(600, until=watch)
    assert seen_at, "the guard never saw the intruder"
    first_sight = seen_at[0]
    assert first_sight > 120  # hidden behind the wall while it walked the first leg
    acts = [e for e in h.events() if e.actor == h.id("guard") and e.kind in ("marked", "shot")]
    assert acts and acts[0].tick >= first_sight
    assert acts[0].tick <= first_sight + 10  # within one planning cadence
    shot = h.events("shot", actor="guard")[0]
    assert shot.target == h.id("intruder")
    engage = [r for r in h.plans("guard", outcome="accepted") if r.tick >= first_sight]
    assert engage and "Attack" in engage[0].plan.tools()  # type: ignore[union-attr]


def test_medic_revives_a_downed_ally_under_the_rules() -> None:
    h = IntegrationHarness(LANE, seed=8, movement="physics")
    h.spawn_agent("player", (2.5, 1.5), planner=None, hp=0)  # downed from the start
    h.spawn_agent("medic", (10.5, 2.5), role="companion", leader="player")
    h.run(900, until=lambda hh: hh.life("player") == "up")
    (revived,) = h.events("revived")
    assert revived.actor == h.id("medic") and revived.target == h.id("player")
    assert h.hp("player") == revived.value == 30.0  # 30 % of max hp
    # it walked over first (as a physics body) and revived within reach
    px, py = h.position("player")
    mx, my = h.position("medic")
    assert np.hypot(px - mx, py - my) <= 1.5
    started = [e for e in h.events("step_started", actor="medic") if e.detail == "Revive"]
    assert started and revived.tick - started[-1].tick == 120  # a 2 s channel
    assert [t.clip for t in h.animations("medic")] == ["revive"]
