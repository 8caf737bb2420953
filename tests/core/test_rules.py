"""Game rules: damage with armour, downed/dead, healing caps, revive, hit chance, and
the vectorised SIMULATION systems."""

from __future__ import annotations

import numpy as np
import pytest

from astraweave import core
from astraweave.ecs import Position

from .conftest import app_for, make
from .test_tools_combat import of, run


def test_damage_with_armour_down_at_zero_no_damage_when_down() -> None:
    _, world, ids = make(
        entities=[{"name": "a", "at": "A", "armor": 0.25}, {"name": "e", "at": "E", "team": "r"}]
    )
    a, e = ids["a"], ids["e"]
    assert core.apply_damage(world, a, 40.0, e, "test") == pytest.approx(30.0)
    assert world.get(a, core.Health).hp == pytest.approx(70.0)
    assert world.get(a, core.Morale).value == pytest.approx(0.95)
    assert core.apply_damage(world, a, 1000.0, e, "test") == pytest.approx(70.0)
    st = world.get(a, core.Status)
    assert st.downed and not st.dead and st.bleedout_s == 30.0
    assert world.get(a, core.Health).hp == 0.0
    assert core.apply_damage(world, a, 10.0, e, "test") == 0.0


def test_heal_caps_and_revive_sets_a_fraction() -> None:
    _, world, ids = make()
    a, e = ids["a"], ids["e"]
    core.apply_damage(world, a, 30.0, e, "test")
    assert core.heal(world, a, 50.0, a) == pytest.approx(30.0)
    assert world.get(a, core.Health).hp == 100.0
    core.apply_damage(world, a, 200.0, e, "test")
    assert core.revive(world, a, e) == pytest.approx(30.0)
    assert not world.get(a, core.Status).downed


def test_bleed_out_turns_downed_into_dead_with_events() -> None:
    _, world, ids = make()
    a = ids["a"]
    app = app_for(world)
    log: list[core.GameEvent] = []
    h = world.get(a, core.Health)
    h.hp = 0.0  # hp reaching 0 by any means is detected by the status system
    world.set(a, h)
    run(app, 2, log)
    assert [e.kind for e in of(log, "downed")] == ["downed"]
    run(app, 30 * 60, log)
    (died,) = of(log, "died")
    assert died.actor == a and world.get(a, core.Status).dead


def test_cooldowns_status_timers_and_morale_decay_vectorised() -> None:
    _, world, ids = make()
    a = ids["a"]
    cds = world.get(a, core.Cooldowns)
    cds.remaining_s[:] = np.arange(core.MAX_TOOL_SLOTS) * 0.1
    world.set(a, cds)
    world.set(a, core.Status(suppressed_s=1.0, scan_s=0.5, marked_s=0.2, marked_by=1))
    world.set(a, core.Morale(0.5))
    app = app_for(world)
    app.run(30)
    left = world.get(a, core.Cooldowns).remaining_s
    assert left[:6].tolist() == [0.0] * 6
    assert left[10] == pytest.approx(0.5)
    st = world.get(a, core.Status)
    assert st.suppressed_s == pytest.approx(0.5) and st.scan_s == 0.0
    assert st.marked_s == 0.0 and st.marked_by == -1
    assert world.get(a, core.Morale).value == pytest.approx(0.51)


def test_hazards_hurt_per_second_through_armour() -> None:
    _, world, ids = make(
        entities=[{"name": "a", "at": "A", "armor": 0.5}, {"name": "e", "at": "E", "team": "r"}],
        hazards=[{"name": "fire", "at": "A", "radius": 1.0, "dps": 12.0}],
    )
    app = app_for(world)
    app.run(60)
    assert world.get(ids["a"], core.Health).hp == pytest.approx(94.0)
    assert world.get(ids["e"], core.Health).hp == 100.0


def test_hit_chance_falls_with_cover_range_and_suppression() -> None:
    _, world, ids = make()
    a, e = ids["a"], ids["e"]
    view = core.WorldView(world)
    world.set(a, Position(4.5, 2.5))
    world.set(e, Position(10.5, 2.5))  # right behind the low wall at x = 9
    info = view.info(e)
    assert info is not None
    covered = core.hit_chance(view, a, info)
    world.set(e, Position(12.5, 4.5))  # in the open (nothing beside it towards a)
    info2 = view.info(e)
    assert info2 is not None
    open_ = core.hit_chance(view, a, info2)
    assert covered < open_
    world.set(e, core.Stance(crouched=True))
    world.set(e, Position(10.5, 2.5))
    info3 = view.info(e)
    assert info3 is not None
    assert core.hit_chance(view, a, info3) < covered
    world.set(a, core.Status(suppressed_s=2.0))
    assert core.hit_chance(view, a, info2) == pytest.approx(open_ * 0.6)
    assert 0.02 <= core.hit_chance(view, a, info2, accuracy_bonus=-5.0) <= 0.02


def test_game_rules_enter_the_world_hash() -> None:
    _, w1, _ = make()
    _, w2, _ = make(forbidden=["Scan"])
    assert w1.hash() != w2.hash()
    assert core.GameRules().state_bytes() == core.GameRules().state_bytes()
