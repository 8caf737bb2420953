"""Perception and the snapshot: what an agent cannot see is not in it; stable JSON."""

from __future__ import annotations

import json

import pytest

from astraweave import core
from astraweave.ecs import Position

from .conftest import app_for, make


def agents() -> tuple[object, dict[str, int]]:
    _, world, ids = make(
        entities=[
            {"name": "a", "at": "A", "agent": {"perception_radius": 12.0, "role": "companion"}},
            {"name": "b", "at": "B"},
            {"name": "e", "at": "E", "team": "red", "hp": 70.0},
        ],
        hazards=[{"name": "fire", "pos": [3.5, 4.5], "radius": 1.0, "dps": 5.0}],
        objective="hold",
    )
    return world, ids


def test_visible_enemy_within_radius_with_line_of_sight() -> None:
    world, ids = agents()
    a, e = ids["a"], ids["e"]
    world.set(e, Position(10.5, 3.5))
    snap = core.perceive(world, a)
    (enemy,) = snap.enemies
    assert (enemy.id, enemy.visible, enemy.hp, enemy.pos) == (e, True, 70.0, (10.5, 3.5))
    assert enemy.distance == pytest.approx(9.22, abs=0.01)
    assert snap.objective == "hold" and snap.agent.role == "companion"
    assert [x.name for x in snap.allies] == ["b"]
    assert snap.map.width == 20 and snap.map.height == 7


def test_out_of_radius_behind_walls_and_in_smoke_are_not_seen() -> None:
    world, ids = agents()
    a, e = ids["a"], ids["e"]
    world.set(e, Position(18.5, 5.5))  # 18.6 m away
    assert core.perceive(world, a).enemies == []
    world.set(a, Position(5.5, 5.5))
    world.set(e, Position(12.5, 5.5))  # the wall tile (9, 5) is between
    assert core.perceive(world, a).enemies == []
    world.set(a, Position(5.5, 4.5))
    world.set(e, Position(12.5, 4.5))
    assert [x.visible for x in core.perceive(world, a).enemies] == [True]
    world.spawn(Position(9.0, 4.5), core.Smoke(radius_m=1.0, remaining_s=5.0))
    snap = core.perceive(world, a)
    assert snap.enemies == []
    assert [o.kind for o in snap.obstacles].count("smoke") == 1


def test_memory_keeps_the_last_seen_position_then_forgets() -> None:
    world, ids = agents()
    a, e = ids["a"], ids["e"]
    world.set(e, Position(10.5, 3.5))
    app = app_for(world)
    app.run(1)  # perception runs at tick 0
    world.set(e, Position(18.5, 5.5))  # out of sight now
    app.run(12)
    (enemy,) = core.perceive(world, a).enemies
    assert not enemy.visible and enemy.pos == (10.5, 3.5) and enemy.last_seen_s == 0.0
    assert enemy.cover == 0.0
    app.run(int(core._perception.MEMORY_S * 60) + 12)
    assert core.perceive(world, a).enemies == []


def test_dead_enemies_drop_out_and_dead_allies_too() -> None:
    world, ids = agents()
    a, b, e = ids["a"], ids["b"], ids["e"]
    world.set(e, Position(10.5, 3.5))
    core.apply_damage(world, b, 500.0, e, "test")
    snap = core.perceive(world, a)
    assert snap.allies[0].downed
    world.set(e, core.Status(dead=True))
    world.set(b, core.Status(dead=True))
    snap = core.perceive(world, a)
    assert snap.enemies == [] and snap.allies == []


def test_self_view_reports_resources_cooldowns_and_the_allowlist() -> None:
    world, ids = agents()
    a = ids["a"]
    cds = world.get(a, core.Cooldowns)
    cds.remaining_s[core.default_registry().slot("Scan")] = 3.14159
    world.set(a, cds)
    me = core.perceive(world, a).agent
    assert me.cooldowns == {"Scan": 3.14}
    assert me.items == {"grenade": 0, "keys": 0, "medkit": 0, "smoke": 0}
    assert (me.ammo, me.magazine, me.reserve) == (12, 12, 36)
    assert me.weapon_range_m == 14.0 and me.leader is None
    snap = core.perceive(world, a)
    assert snap.tools == core.default_registry().allowlist()


def test_obstacles_list_cover_smoke_and_hazards_nearest_first() -> None:
    world, ids = agents()
    a = ids["a"]
    world.set(a, Position(6.5, 3.5))
    snap = core.perceive(world, a)
    kinds = [o.kind for o in snap.obstacles]
    assert "cover" in kinds and "hazard" in kinds
    assert [o.distance for o in snap.obstacles] == sorted(o.distance for o in snap.obstacles)
    hazard = next(o for o in snap.obstacles if o.kind == "hazard")
    assert hazard.pos == (3.5, 4.5) and hazard.radius == 1.0


def test_snapshot_json_is_stable_sorted_and_rounded() -> None:
    world, ids = agents()
    a, e = ids["a"], ids["e"]
    world.set(e, Position(10.123456, 3.987654))
    s1 = core.perceive(world, a).to_json()
    s2 = core.perceive(world, a).to_json()
    assert s1 == s2
    data = json.loads(s1)
    assert list(data) == sorted(data)
    assert data["enemies"][0]["pos"] == [10.12, 3.99]
    assert json.dumps(data, sort_keys=True, separators=(",", ":")) == s1
    back = core.WorldSnapshot.model_validate_json(s1)
    assert back.to_json() == s1
    tiny = core.WorldSnapshot.example().model_copy(update={"time_s": -0.0001})
    assert '"time_s":-0.0' not in core.WorldSnapshot.model_validate(tiny.model_dump()).to_json()


def test_perceive_reads_only() -> None:
    world, ids = agents()
    before = world.hash()
    core.perceive(world, ids["a"])
    assert world.hash() == before
    assert core.visible_to(core.WorldView(world), 9999) == []
    from astraweave.errors import ActorUnableError

    with pytest.raises(ActorUnableError):
        core.perceive(world, 9999)


def test_snapshot_helpers() -> None:
    snap = core.WorldSnapshot.example()
    assert [e.name for e in snap.visible_enemies()] == ["raider"]
    assert snap.ally(0) is not None and snap.ally(42) is None
