"""Support and utility tools: validation failures and effects."""

from __future__ import annotations

from typing import Any

import pytest

from astraweave import core
from astraweave.ecs import Position, World
from astraweave.errors import (
    BadArgumentsError,
    InsufficientResourceError,
    InvalidTargetError,
    NoLineOfSightError,
    NoPathError,
    OnCooldownError,
    OutOfRangeError,
    PreconditionFailedError,
)

from .conftest import app_for, make, plan
from .test_tools_combat import of, run
from .test_tools_move import rejects, start


def team(**a_extra: Any) -> tuple[World, dict[str, int]]:
    _, world, ids = make(
        entities=[
            {"name": "a", "at": "A", "items": {"medkit": 1, "smoke": 1}, **a_extra},
            {"name": "b", "at": "B"},
            {"name": "e", "at": "E", "team": "red", "agent": {"role": "guard"}},
        ]
    )
    return world, ids


def hurt(world: World, e: int, hp: float) -> None:
    h = world.get(e, core.Health)
    h.hp = hp
    world.set(e, h)


# -------------------------------------------------------------------------- Heal
def test_heal_an_adjacent_ally_after_one_second_capped_at_max() -> None:
    world, ids = team()
    a, b = ids["a"], ids["b"]
    world.set(b, Position(1.5, 2.5))
    hurt(world, b, 50.0)
    app = app_for(world)
    start(world, a, {"tool": "Heal", "target": b})
    app.run(59)
    assert world.get(b, core.Health).hp == 50.0
    app.run(2)
    assert world.get(b, core.Health).hp == 90.0
    assert world.get(a, core.Inventory).medkit == 0
    world.set(a, core.Inventory(medkit=1))
    hurt(world, b, 80.0)
    app.run(200)  # cooldown
    start(world, a, {"tool": "Heal", "target": b})
    app.run(70)
    assert world.get(b, core.Health).hp == 100.0  # capped


def test_heal_rejections() -> None:
    world, ids = team()
    a, b, e = ids["a"], ids["b"], ids["e"]
    rejects(world, a, [{"tool": "Heal"}], PreconditionFailedError)  # full health
    hurt(world, b, 40.0)
    rejects(world, a, [{"tool": "Heal", "target": b}], OutOfRangeError)  # 2 m away
    hurt(world, e, 40.0)
    rejects(world, a, [{"tool": "Heal", "target": e}], InvalidTargetError)
    world.set(b, Position(1.5, 2.5))
    core.apply_damage(world, b, 100.0, e, "test")
    err = rejects(world, a, [{"tool": "Heal", "target": b}], InvalidTargetError)
    assert "down" in str(err)
    world.set(a, core.Inventory(medkit=0))
    hurt(world, a, 10.0)
    rejects(world, a, [{"tool": "Heal"}], InsufficientResourceError)


def test_self_heal_is_carried_forward_in_the_dry_run() -> None:
    world, ids = team(items={"medkit": 2})
    a = ids["a"]
    hurt(world, a, 70.0)
    report = core.validate(
        plan({"tool": "Heal"}, {"tool": "Wait", "seconds": 2.0}, {"tool": "Heal"}), world, a
    )
    assert [type(e) for e in report.errors] == [PreconditionFailedError]  # full after step 0
    assert report.errors[0].step == 2


# ------------------------------------------------------------------------ Revive
def test_revive_a_downed_ally() -> None:
    world, ids = team()
    a, b = ids["a"], ids["b"]
    world.set(b, Position(1.5, 2.5))
    core.apply_damage(world, b, 150.0, ids["e"], "test")
    assert world.get(b, core.Status).downed
    app = app_for(world)
    start(world, a, {"tool": "Revive", "target": b})
    app.run(119)
    assert world.get(b, core.Status).downed
    app.run(2)
    assert not world.get(b, core.Status).downed
    assert world.get(b, core.Health).hp == pytest.approx(30.0)


def test_revive_rejections_and_bleed_out() -> None:
    world, ids = team()
    a, b = ids["a"], ids["b"]
    rejects(world, a, [{"tool": "Revive", "target": b}], InvalidTargetError)  # not downed
    core.apply_damage(world, b, 150.0, ids["e"], "test")
    rejects(world, a, [{"tool": "Revive", "target": b}], OutOfRangeError)
    app = app_for(world)
    app.run((30 * 60) + 2)  # bleed-out
    st = world.get(b, core.Status)
    assert st.dead and not st.downed
    err = rejects(world, a, [{"tool": "Revive", "target": b}], InvalidTargetError)
    assert "dead" in str(err)


# ------------------------------------------------------------------------ Reload
def test_reload_moves_spare_rounds() -> None:
    world, ids = team()
    a = ids["a"]
    world.set(a, core.Ammo(rounds=2, magazine=12, reserve=5))
    app = app_for(world)
    log: list[core.GameEvent] = []
    start(world, a, {"tool": "Reload"})
    run(app, 89, log)
    assert world.get(a, core.Ammo).rounds == 2
    run(app, 2, log)
    assert world.get(a, core.Ammo) == core.Ammo(rounds=7, magazine=12, reserve=0)
    assert of(log, "reloaded")[0].value == 5.0


def test_reload_rejections_and_dry_run() -> None:
    world, ids = team()
    a, e = ids["a"], ids["e"]
    rejects(world, a, [{"tool": "Reload"}], PreconditionFailedError)  # full
    world.set(a, core.Ammo(rounds=0, magazine=12, reserve=0))
    err = rejects(world, a, [{"tool": "Reload"}], InsufficientResourceError)
    assert err.resource == "reserve"
    world.set(a, core.Ammo(rounds=0, magazine=12, reserve=24))
    ok = core.validate(
        plan({"tool": "Reload"}, {"tool": "Attack", "target": e, "shots": 3}), world, a
    )
    assert ok.ok, ok.summary()
    assert ok.final_state is not None and ok.final_state.resource("ammo") == 9


# ----------------------------------------------------------------------- UseItem
def test_use_item_medkit_and_smoke() -> None:
    world, ids = team()
    a = ids["a"]
    hurt(world, a, 30.0)
    app = app_for(world)
    start(world, a, {"tool": "UseItem", "item": "medkit"})
    app.run(61)
    assert world.get(a, core.Health).hp == 70.0
    start(world, a, {"tool": "UseItem", "item": "smoke"})
    app.run(20)
    assert world.query(core.Smoke).count() == 1
    assert world.get(a, core.Inventory) == core.Inventory()


def test_use_item_rejections() -> None:
    world, ids = team()
    a = ids["a"]
    rejects(world, a, [{"tool": "UseItem", "item": "medkit"}], PreconditionFailedError)
    rejects(world, a, [{"tool": "UseItem", "item": "grenade"}], BadArgumentsError)
    world.set(a, core.Inventory())
    rejects(world, a, [{"tool": "UseItem", "item": "smoke"}], InsufficientResourceError)


# ---------------------------------------------------------------------- Interact
DOOR_MAP = [
    "###########",
    "#A..D...X.#",
    "#S..#..K..#",
    "#T..#.....#",
    "###########",
]


def door_world(**door: Any) -> tuple[World, dict[str, int]]:
    _, world, ids = make(
        map_rows=DOOR_MAP,
        entities=[{"name": "a", "at": "A"}],
        pois=[
            {"name": "door", "kind": "door", "pos": [4.5, 1.5], **door},
            {"name": "switch", "kind": "switch", "at": "S", "link": "door"},
            {"name": "key", "kind": "key", "at": "K"},
            {"name": "terminal", "kind": "terminal", "at": "T"},
            {"name": "exit", "kind": "objective", "at": "X"},
        ],
    )
    return world, ids


def test_interact_opens_a_door_and_the_dry_run_sees_it() -> None:
    world, ids = door_world()
    a, door = ids["a"], ids["door"]
    rejects(world, a, [{"tool": "MoveTo", "x": 8.5, "y": 1.5}], NoPathError)
    steps = [
        {"tool": "MoveTo", "x": 3.5, "y": 1.5},
        {"tool": "Interact", "target": door},
        {"tool": "MoveTo", "x": 8.5, "y": 1.5},
    ]
    report = core.validate(plan(*steps), world, a)
    assert report.ok, report.summary()
    assert world.resource(core.TileMap).kind_at(4, 1) == 3  # still closed: a dry run
    app = app_for(world)
    start(world, a, *steps)
    app.run(400)
    assert world.get(door, core.PointOfInterest).active
    assert world.get(a, Position).x == pytest.approx(8.5)


def test_locked_door_needs_and_consumes_a_key() -> None:
    world, ids = door_world(locked=True)
    a, door, key = ids["a"], ids["door"], ids["key"]
    world.set(a, Position(3.5, 1.5))
    err = rejects(world, a, [{"tool": "Interact", "target": door}], InsufficientResourceError)
    assert err.resource == "keys"
    world.set(a, core.Inventory(keys=1))
    app = app_for(world)
    start(world, a, {"tool": "Interact", "target": door})
    app.run(40)
    assert world.get(door, core.PointOfInterest).active
    assert not world.get(door, core.PointOfInterest).locked
    assert world.get(a, core.Inventory).keys == 0
    # pick up the key on the far side
    start(world, a, {"tool": "MoveTo", "x": 6.5, "y": 2.5}, {"tool": "Interact", "target": key})
    app.run(200)
    assert world.get(a, core.Inventory).keys == 1
    assert world.get(key, core.PointOfInterest).active
    rejects(world, a, [{"tool": "Interact", "target": key}], PreconditionFailedError)


def test_switch_toggles_its_door_and_terminal_activates_once() -> None:
    world, ids = door_world()
    a = ids["a"]
    world.set(a, Position(1.5, 2.5))
    app = app_for(world)
    start(world, a, {"tool": "Interact", "target": ids["switch"]})
    app.run(40)
    assert world.get(ids["door"], core.PointOfInterest).active
    assert world.resource(core.TileMap).kind_at(4, 1) == 4  # open
    world.set(a, Position(1.5, 3.5))
    start(world, a, {"tool": "Interact", "target": ids["terminal"]})
    app.run(40)
    assert world.get(ids["terminal"], core.PointOfInterest).active
    rejects(world, a, [{"tool": "Interact", "target": ids["terminal"]}], PreconditionFailedError)


def test_interact_rejections() -> None:
    world, ids = door_world()
    a = ids["a"]
    rejects(world, a, [{"tool": "Interact", "target": ids["door"]}], OutOfRangeError)
    rejects(world, a, [{"tool": "Interact", "target": a}], InvalidTargetError)
    world.set(a, Position(3.5, 1.5))
    app = app_for(world)
    start(world, a, {"tool": "Interact", "target": ids["door"]})
    app.run(40)
    world.set(a, Position(4.5, 1.5))  # stand in the doorway
    err = rejects(world, a, [{"tool": "Interact", "target": ids["door"]}], PreconditionFailedError)
    assert "occupied" in str(err)


# --------------------------------------------------------------------- Scan/Wait
def test_scan_widens_perception_and_cools_down() -> None:
    world, ids = team()
    a = ids["a"]
    before = core.perceive(world, a).agent.perception_radius_m
    app = app_for(world)
    start(world, a, {"tool": "Scan"})
    app.run(1)
    assert core.perceive(world, a).agent.perception_radius_m == pytest.approx(before * 1.5)
    assert world.get(a, core.ActivePlan).last_status == "done"
    rejects(world, a, [{"tool": "Scan"}], OnCooldownError)
    app.run(5 * 60)
    assert core.perceive(world, a).agent.perception_radius_m == pytest.approx(before)


def test_wait_holds_position_for_its_duration() -> None:
    world, ids = team()
    a = ids["a"]
    app = app_for(world)
    start(world, a, {"tool": "Wait", "seconds": 1.0})
    app.run(60)
    assert world.get(a, core.ActivePlan).last_status == "running"
    app.run(1)
    assert world.get(a, core.ActivePlan).last_status == "done"
    assert world.get(a, Position) == Position(1.5, 1.5)
    rejects(world, a, [{"tool": "Wait", "seconds": 0.0}], BadArgumentsError)
    rejects(world, a, [{"tool": "Wait", "seconds": 11.0}], BadArgumentsError)


# ------------------------------------------------------------- MarkTarget/Distract
def test_mark_target_shows_the_enemy_to_allies_without_sight() -> None:
    world, ids = team()
    a, b, e = ids["a"], ids["b"], ids["e"]
    world.set(b, Position(1.5, 5.5))
    world.set(e, Position(12.5, 4.5))
    world.spawn(Position(7.0, 5.0), core.Smoke(radius_m=1.5, remaining_s=100.0))
    assert core.perceive(world, b).enemies == []
    app = app_for(world)
    start(world, a, {"tool": "MarkTarget", "target": e})
    app.run(1)
    st = world.get(e, core.Status)
    assert st.marked_s > 9.9 and st.marked_by == world.get(a, core.Team).id
    (seen,) = core.perceive(world, b).enemies
    assert seen.id == e and seen.marked and not seen.visible
    assert seen.pos == (12.5, 4.5)


def test_mark_target_rejections() -> None:
    world, ids = team()
    a, e = ids["a"], ids["e"]
    world.set(e, Position(12.5, 5.5))
    world.set(a, Position(5.5, 5.5))
    rejects(world, a, [{"tool": "MarkTarget", "target": e}], NoLineOfSightError)
    world.insert(a, core.Agent(perception_radius_m=3.0))
    world.set(a, Position(5.5, 4.5))
    rejects(world, a, [{"tool": "MarkTarget", "target": e}], OutOfRangeError)


def test_distract_turns_enemy_attention() -> None:
    world, ids = team()
    a, e = ids["a"], ids["e"]
    radius = core.perceive(world, e).agent.perception_radius_m
    app = app_for(world)
    start(world, a, {"tool": "Distract", "x": 12.5, "y": 1.5})
    app.run(31)
    st = world.get(e, core.Status)
    assert st.distracted_s > 4.9 and (st.distract_x, st.distract_y) == (12.5, 1.5)
    snap = core.perceive(world, e)
    assert snap.agent.distraction == (12.5, 1.5)
    assert snap.agent.perception_radius_m == pytest.approx(radius / 2)
    rejects(world, a, [{"tool": "Distract", "x": 18.5, "y": 5.5}], OutOfRangeError)
