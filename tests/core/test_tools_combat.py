"""Combat tools: validation failures and effects."""

from __future__ import annotations

import math
from typing import Any

import pytest

from astraweave import core
from astraweave.ecs import EventReader, Position, World
from astraweave.errors import (
    BadArgumentsError,
    FriendlyTargetError,
    InsufficientResourceError,
    InvalidTargetError,
    NoLineOfSightError,
    OnCooldownError,
    OutOfRangeError,
    TargetOutOfBoundsError,
)

from .conftest import app_for, make, plan
from .test_tools_move import rejects, start


def run(app: Any, ticks: int, log: list[core.GameEvent]) -> None:
    """Run ``ticks`` ticks, collecting every game event into ``log``."""
    reader = EventReader(core.GameEvent, "tests")
    for _ in range(ticks):
        app.tick()
        log.extend(reader.read(app.world))


def of(log: list[core.GameEvent], kind: str) -> list[core.GameEvent]:
    return [e for e in log if e.kind == kind]


def two_sides(**extra: Any) -> tuple[World, dict[str, int]]:
    ents = [
        {"name": "a", "at": "A", "items": {"smoke": 1, "grenade": 1}, **extra},
        {"name": "b", "at": "B"},
        {"name": "e", "at": "E", "team": "red"},
    ]
    _, world, ids = make(entities=ents)
    return world, ids


# ------------------------------------------------------------------------ Attack
def test_attack_fires_a_burst_with_damage_from_the_rules() -> None:
    world, ids = two_sides()
    a, e = ids["a"], ids["e"]
    app = app_for(world)
    log: list[core.GameEvent] = []
    start(world, a, {"tool": "Attack", "target": e, "shots": 3})
    assert world.get(a, core.Ammo).rounds == 12  # costs are paid when the step starts
    run(app, 1, log)
    assert world.get(a, core.Ammo).rounds == 9
    slot = core.default_registry().slot("Attack")
    assert world.get(a, core.Cooldowns).remaining_s[slot] == pytest.approx(0.5)
    run(app, 40, log)
    shots = of(log, "shot")
    assert [s.actor for s in shots] == [a, a, a]
    assert [s.tick for s in shots] == [0, 15, 30]  # one every 0.25 s
    hits = sum(s.detail == "hit" for s in shots)
    assert world.get(e, core.Health).hp == pytest.approx(100.0 - 20.0 * hits)
    assert sum(s.value for s in shots) == pytest.approx(20.0 * hits)


def test_attack_rejections() -> None:
    world, ids = two_sides()
    a, b, e = ids["a"], ids["b"], ids["e"]
    rejects(world, a, [{"tool": "Attack", "target": b}], FriendlyTargetError)
    rejects(world, a, [{"tool": "Attack", "target": 4242}], InvalidTargetError)
    rejects(world, a, [{"tool": "Attack", "target": e, "shots": 9}], BadArgumentsError)
    err = rejects(
        world,
        a,
        [{"tool": "Attack", "target": e, "shots": 1}, {"tool": "Attack", "target": e}],
        OnCooldownError,
    )
    assert err.step == 1 and err.remaining_s > 0
    world.set(a, core.Ammo(rounds=1, magazine=12, reserve=0))
    err = rejects(
        world, a, [{"tool": "Attack", "target": e, "shots": 3}], InsufficientResourceError
    )
    assert (err.resource, err.needed, err.available) == ("ammo", 3, 1)
    world.set(a, core.Weapon(range_m=5.0))
    world.set(a, core.Ammo())
    err = rejects(world, a, [{"tool": "Attack", "target": e}], OutOfRangeError)
    assert err.range_m == 5.0


def test_attack_needs_line_of_sight_through_walls_and_smoke() -> None:
    world, ids = two_sides()
    a, e = ids["a"], ids["e"]
    world.set(e, Position(12.5, 5.5))
    world.set(a, Position(5.5, 5.5))  # the wall tile (9, 5) is between them
    rejects(world, a, [{"tool": "Attack", "target": e}], NoLineOfSightError)
    world.set(a, Position(5.5, 4.5))
    world.set(e, Position(12.5, 4.5))
    assert core.validate(plan({"tool": "Attack", "target": e}), world, a).ok
    world.spawn(Position(9.0, 4.5), core.Smoke())
    rejects(world, a, [{"tool": "Attack", "target": e}], NoLineOfSightError)


def test_attack_on_a_downed_target_is_rejected() -> None:
    world, ids = two_sides()
    core.apply_damage(world, ids["e"], 500.0, ids["a"], "test")
    err = rejects(world, ids["a"], [{"tool": "Attack", "target": ids["e"]}], InvalidTargetError)
    assert "already down" in str(err)


# --------------------------------------------------------------------- AimedShot
def test_aimed_shot_aims_one_second_then_fires_once() -> None:
    world, ids = two_sides()
    a, e = ids["a"], ids["e"]
    app = app_for(world)
    log: list[core.GameEvent] = []
    start(world, a, {"tool": "AimedShot", "target": e})
    run(app, 59, log)
    assert of(log, "shot") == []
    run(app, 2, log)
    (shot,) = of(log, "shot")
    assert shot.tick == 60
    hp = world.get(e, core.Health).hp
    assert hp == pytest.approx(100.0 - (35.0 if shot.detail == "hit" else 0.0))


# --------------------------------------------------------------------- CoverFire
def test_cover_fire_suppresses_and_costs_a_round_per_half_second() -> None:
    world, ids = two_sides()
    a, e = ids["a"], ids["e"]
    app = app_for(world)
    start(world, a, {"tool": "CoverFire", "target": e, "seconds": 2.0})
    app.run(2)
    assert world.get(a, core.Ammo).rounds == 8
    assert world.get(e, core.Status).suppressed_s > 1.4
    assert world.get(e, core.Morale).value < 1.0
    app.run(130)
    assert world.get(a, core.ActivePlan).last_status == "done"
    slot = core.default_registry().slot("CoverFire")
    assert world.get(a, core.Cooldowns).remaining_s[slot] > 0


# -------------------------------------------------------------------- ThrowSmoke
def test_smoke_blocks_sight_for_eight_seconds() -> None:
    world, ids = two_sides()
    a, e = ids["a"], ids["e"]
    world.set(a, Position(5.5, 4.5))
    world.set(e, Position(14.5, 4.5))
    app = app_for(world)
    start(world, a, {"tool": "ThrowSmoke", "x": 10.0, "y": 4.5})
    app.run(31)
    assert world.query(core.Smoke).count() == 1
    assert world.get(a, core.Inventory).smoke == 0
    view = core.WorldView(world)
    assert not view.can_see((5.5, 4.5), (14.5, 4.5))
    assert core.perceive(world, e).enemies == []
    app.run(8 * 60)
    assert world.query(core.Smoke).count() == 0
    assert core.WorldView(world).can_see((5.5, 4.5), (14.5, 4.5))


def test_throw_smoke_rejections() -> None:
    world, ids = two_sides()
    a = ids["a"]
    rejects(world, a, [{"tool": "ThrowSmoke", "x": 17.5, "y": 1.5}], OutOfRangeError)
    rejects(world, a, [{"tool": "ThrowSmoke", "x": 0.5, "y": 0.5}], InvalidTargetError)
    rejects(world, a, [{"tool": "ThrowSmoke", "x": -3.0, "y": 1.5}], TargetOutOfBoundsError)
    err = rejects(
        world,
        a,
        [{"tool": "ThrowSmoke", "x": 3.5, "y": 1.5}, {"tool": "ThrowSmoke", "x": 3.5, "y": 2.5}],
        OnCooldownError,
    )
    assert err.step == 1
    report = core.validate(
        plan(
            {"tool": "ThrowSmoke", "x": 3.5, "y": 1.5},
            {"tool": "Wait", "seconds": 5.0},
            {"tool": "ThrowSmoke", "x": 3.5, "y": 2.5},
        ),
        world,
        a,
    )
    assert [type(x) for x in report.errors] == [InsufficientResourceError]  # one smoke only


# ---------------------------------------------------------------- ThrowExplosive
def test_grenade_explodes_after_its_fuse() -> None:
    world, ids = two_sides()
    a, e = ids["a"], ids["e"]
    world.set(a, Position(5.5, 3.5))
    ex, ey = world.get(e, Position).x, world.get(e, Position).y
    app = app_for(world)
    log: list[core.GameEvent] = []
    start(world, a, {"tool": "ThrowExplosive", "x": ex, "y": ey})
    run(app, 31, log)
    assert world.query(core.Explosive).count() == 1
    assert world.get(e, core.Health).hp == 100.0
    run(app, 60, log)
    assert world.query(core.Explosive).count() == 0
    assert world.get(e, core.Health).hp == pytest.approx(40.0)  # 60 at the centre
    (boom,) = of(log, "explosion")
    assert boom.actor == a and boom.value == 1.0


def test_grenade_is_rejected_near_allies_or_the_thrower() -> None:
    world, ids = two_sides()
    a, b, e = ids["a"], ids["b"], ids["e"]
    world.set(b, Position(13.5, 3.5))  # one metre from the enemy
    ex, ey = world.get(e, Position).x, world.get(e, Position).y
    world.set(a, Position(6.5, 3.5))
    err = rejects(world, a, [{"tool": "ThrowExplosive", "x": ex, "y": ey}], FriendlyTargetError)
    assert err.target == b
    err = rejects(world, a, [{"tool": "ThrowExplosive", "x": 7.5, "y": 3.5}], FriendlyTargetError)
    assert err.target == a
    world.set(a, core.Inventory(grenade=0))
    report = core.validate(plan({"tool": "ThrowExplosive", "x": 4.0, "y": 4.5}), world, a)
    assert any(isinstance(x, InsufficientResourceError) for x in report.errors)
    assert math.isfinite(ex)
