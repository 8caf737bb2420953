"""Reachability in snapshots, safe routes, remote doors, sequence locks, and the
events core sends for every hp loss and every step."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest

from astraweave import core
from astraweave.core._knowledge import known_enemies
from astraweave.core._routes import hazard_tiles, route_field, safe_path, sight_tiles
from astraweave.ecs import EventReader, Position, World
from astraweave.errors import (
    InsufficientResourceError,
    NoPathError,
    PreconditionFailedError,
    ScenarioReferenceError,
    ScenarioSchemaError,
)

from .conftest import app_for, make, plan, scenario_text

# A left room with the agent and a key; a locked door; the exit in the right room.
ROOMS = [
    "#############",
    "#A....#.....#",
    "#.....D.....#",
    "#..K..#...X.#",
    "#############",
]


def rooms(**door: Any) -> tuple[World, dict[str, int]]:
    _, world, ids = make(
        map_rows=ROOMS,
        entities=[{"name": "a", "at": "A"}],
        pois=[
            {"name": "key", "kind": "key", "at": "K"},
            {"name": "door", "kind": "door", "pos": [6.5, 2.5], "locked": True, **door},
            {"name": "exit", "at": "X"},
        ],
    )
    return world, ids


def pois(world: World, agent: int) -> dict[str, core.PoiView]:
    return {p.name: p for p in core.perceive(world, agent).pois}


def run_plan(world: World, agent: int, *steps: dict[str, Any], ticks: int) -> list[core.GameEvent]:
    app = app_for(world)
    reader = EventReader(core.GameEvent, "test.routes")
    report = core.submit_plan(world, agent, plan(*steps))
    assert report.ok, report.summary()
    events: list[core.GameEvent] = []
    for _ in range(ticks):
        app.run(1)
        events += reader.read(world)
    return events


# ------------------------------------------------------------------ reachability
def test_snapshot_says_what_is_reachable_how_far_and_where_to_stand() -> None:
    world, ids = rooms()
    p = pois(world, ids["a"])
    assert (p["key"].reachable, p["key"].stand, p["key"].path_m) == (True, (3.5, 3.5), 2.83)
    # the door's own tile is solid: stand beside it, on the agent's side
    assert (p["door"].reachable, p["door"].stand, p["door"].path_m) == (True, (5.5, 1.5), 4.0)
    assert (p["exit"].reachable, p["exit"].stand, p["exit"].path_m) == (False, None, None)
    # empty optional fields are left out of the JSON
    exit_json = core.perceive(world, ids["a"]).model_dump(mode="json")["pois"][2]
    assert exit_json["reachable"] is False and "stand" not in exit_json
    assert "path_m" not in exit_json and "link" not in exit_json and "remote" not in exit_json


def test_reachability_agrees_with_the_sandbox() -> None:
    world, ids = rooms()
    a = ids["a"]
    p = pois(world, a)
    ok = core.validate(plan({"tool": "MoveTo", "x": 5.5, "y": 1.5}), world, a)
    assert ok.ok
    bad = core.validate(plan({"tool": "MoveTo", "x": 10.5, "y": 3.5}), world, a)
    assert isinstance(bad.errors[0], NoPathError)
    no_key = core.validate(
        plan({"tool": "MoveTo", "x": 5.5, "y": 1.5}, {"tool": "Interact", "target": ids["door"]}),
        world,
        a,
    )
    assert isinstance(no_key.errors[0], InsufficientResourceError)
    steps = [
        {"tool": "MoveTo", "x": p["key"].stand[0], "y": p["key"].stand[1]},  # type: ignore[index]
        {"tool": "Interact", "target": ids["key"]},
        {"tool": "MoveTo", "x": p["door"].stand[0], "y": p["door"].stand[1]},  # type: ignore[index]
        {"tool": "Interact", "target": ids["door"]},
        {"tool": "MoveTo", "x": 10.5, "y": 3.5},
    ]
    assert core.validate(plan(*steps), world, a).ok
    run_plan(world, a, *steps[:4], ticks=400)
    after = pois(world, a)
    assert after["exit"].reachable and after["exit"].stand == (10.5, 3.5)
    assert after["door"].active and not after["door"].locked


def test_approach_a_closed_door_ends_within_reach_of_it() -> None:
    world, ids = rooms(locked=False)
    a, door = ids["a"], ids["door"]
    steps = [
        {"tool": "Approach", "target": door, "distance": 1.0},
        {"tool": "Interact", "target": door},
    ]
    report = core.validate(plan(*steps), world, a)
    assert report.ok, report.summary()
    assert report.final_state is not None
    assert math.hypot(report.final_state.x - 6.5, report.final_state.y - 2.5) <= 1.0 + 1e-9
    run_plan(world, a, *steps, ticks=300)
    assert world.get(door, core.PointOfInterest).active


def test_route_field_distances_are_octile_and_doors_change_them() -> None:
    world, _ = rooms()
    tm = world.resource(core.TileMap)
    field = route_field(tm, (1.5, 1.5))
    assert field is not None
    assert field.cost[3, 3] == pytest.approx(2 * math.sqrt(2))
    assert not field.reachable((10, 3))
    assert field.cells_to((3, 3)) == [(1, 1), (2, 2), (3, 3)]
    tm.set_kind(6, 2, 4)  # open the door
    opened = route_field(tm, (1.5, 1.5))
    assert opened is not None and opened.reachable((10, 3))
    assert route_field(tm, (0.5, 0.5)) is None  # inside a wall


# ------------------------------------------------------------------ safe routes
FIRE_MAP = [
    "################",
    "#A............X#",
    "#....######....#",
    "#..............#",
    "################",
]


def test_safe_moveto_walks_around_a_hazard_and_plain_moveto_does_not() -> None:
    hazard = [{"name": "fire", "pos": [7.5, 1.5], "radius": 1.0, "dps": 10.0}]
    for safe in (False, True):
        _, world, ids = make(map_rows=FIRE_MAP, entities=[{"name": "a", "at": "A"}], hazards=hazard)
        a = ids["a"]
        closest = 99.0
        app = app_for(world)
        core.submit_plan(world, a, plan({"tool": "MoveTo", "x": 14.5, "y": 1.5, "safe": safe}))
        for _ in range(400):
            app.run(1)
            pos = world.get(a, Position)
            closest = min(closest, math.hypot(pos.x - 7.5, pos.y - 1.5))
        assert world.get(a, Position).x == pytest.approx(14.5)
        if safe:
            assert closest > 1.0 and world.get(a, core.Health).hp == 100.0
        else:
            assert closest < 1.0 and world.get(a, core.Health).hp < 100.0


def test_hazard_tiles_and_the_safe_path_avoid_them() -> None:
    hazard = [{"name": "fire", "pos": [7.5, 1.5], "radius": 1.0, "dps": 10.0}]
    _, world, ids = make(map_rows=FIRE_MAP, entities=[{"name": "a", "at": "A"}], hazards=hazard)
    view = core.WorldView(world)
    mask = hazard_tiles(view)
    assert mask[1, 7] and mask[1, 6] and mask[1, 8] and not mask[3, 7]
    path = safe_path(view, ids["a"], (1.5, 1.5), (14.5, 1.5))
    assert path is not None and path[-1] == (14.5, 1.5)
    assert all(p[1] > 2.5 for p in path[1:-2])  # the detour runs along the lower row


def test_safe_route_keeps_out_of_known_enemies_sight() -> None:
    open_map = [
        "##############",
        "#A..........X#",
        "#............#",
        "#............#",
        "#......E.....#",
        "##############",
    ]
    _, world, ids = make(
        map_rows=open_map,
        entities=[
            {"name": "a", "at": "A", "agent": {"perception_radius": 20.0}},
            {"name": "e", "at": "E", "team": "red", "agent": {"perception_radius": 2.0}},
        ],
    )
    a = ids["a"]
    view = core.WorldView(world)
    known = known_enemies(view, a)
    assert [(k.id, k.visible, k.sight_m) for k in known] == [(ids["e"], True, 2.0)]
    sight = sight_tiles(view, known)
    assert sight[4, 7] and sight[3, 7] and not sight[1, 7]
    path = safe_path(view, a, (1.5, 1.5), (12.5, 4.5))
    assert path is not None and path[-1] == (12.5, 4.5)
    assert not any(sight[int(y), int(x)] for x, y in path)
    straight = world.resource(core.TileMap).find_path((1.5, 1.5), (12.5, 4.5))
    assert straight is not None and len(straight) < len(path) + 1


def test_retreat_prefers_a_spot_out_of_the_threats_sight() -> None:
    pillar = [
        "###########",
        "#.........#",
        "#....#....#",
        "#.A..#..E.#",
        "#....#....#",
        "#.........#",
        "###########",
    ]
    _, world, ids = make(
        map_rows=pillar,
        entities=[{"name": "a", "at": "A"}, {"name": "e", "at": "E", "team": "red"}],
    )
    report = core.validate(
        plan({"tool": "Retreat", "target": ids["e"], "distance": 4.0}), world, ids["a"]
    )
    assert report.ok and report.final_state is not None
    end = report.final_state.pos
    assert not world.resource(core.TileMap).line_of_sight(end, (8.5, 3.5))


# ------------------------------------------------------------------ doors, locks
SWITCH_MAP = [
    "###########",
    "#A.1.#....#",
    "#..2.D..T.#",
    "#..3.#....#",
    "###########",
]


def switch_world(sequence: bool) -> tuple[World, dict[str, int]]:
    pois: list[dict[str, Any]] = [
        {"name": "door", "kind": "door", "pos": [5.5, 2.5], "remote": True},
        {"name": "s1", "kind": "switch", "at": "1"},
        {"name": "s2", "kind": "switch", "at": "2"},
        {"name": "s3", "kind": "switch", "at": "3"},
        {"name": "term", "kind": "terminal", "at": "T"},
    ]
    text = scenario_text(
        map_rows=SWITCH_MAP,
        entities=[{"name": "a", "at": "A"}],
        pois=pois,
    )
    if sequence:
        text += '\n[[sequences]]\nname = "lock"\norder = ["s1", "s2", "s1"]\ntarget = "door"\n'
    else:
        text = text.replace(
            'name = "s2"\nkind = "switch"', 'name = "s2"\nkind = "switch"\nlink = "door"'
        )
    sc = core.load_scenario(text)
    world = sc.build_world(1)
    return world, dict(world.resource(core.Mission).names)


def test_remote_door_opens_only_by_its_switch() -> None:
    world, ids = switch_world(sequence=False)
    a = ids["a"]
    p = pois(world, a)
    assert p["door"].remote and p["s2"].link == ids["door"] and p["s1"].link is None
    world.set(a, Position(4.5, 2.5))
    err = core.validate(plan({"tool": "Interact", "target": ids["door"]}), world, a).errors[0]
    assert isinstance(err, PreconditionFailedError) and err.reason.endswith("not by hand")
    world.set(a, Position(3.5, 2.5))
    events = run_plan(world, a, {"tool": "Interact", "target": ids["s2"]}, ticks=40)
    assert world.get(ids["door"], core.PointOfInterest).active
    assert [(e.kind, e.target) for e in events if e.kind == "interacted"] == [
        ("interacted", ids["s2"])
    ]


def test_sequence_lock_advances_resets_and_opens() -> None:
    world, ids = switch_world(sequence=True)
    a = ids["a"]
    snap = pois(world, a)
    assert snap["door"].remote and snap["s1"].sequence == "lock" and snap["term"].sequence is None
    world.set(a, Position(3.5, 2.5))  # within reach of all three switches
    use = [{"tool": "Interact", "target": ids[s]} for s in ("s1", "s3", "s1", "s2", "s1")]
    events = run_plan(world, a, *use, ticks=200)
    seq = [(e.value, e.detail) for e in events if e.kind == "sequence"]
    assert seq == [
        (1.0, "lock: advanced"),
        # s3 is not a switch of the lock: no event
        (1.0, "lock: reset"),  # s1 again where s2 was due: back to 1 (s1 starts the order)
        (2.0, "lock: advanced"),
        (3.0, "lock: done"),
    ]
    assert world.get(ids["door"], core.PointOfInterest).active
    assert world.get(ids["door"], core.SequenceLock).progress == 3


def test_a_wrong_switch_of_the_lock_resets_it() -> None:
    world, ids = switch_world(sequence=True)
    a = ids["a"]
    world.set(a, Position(3.5, 2.5))
    use = [{"tool": "Interact", "target": ids[s]} for s in ("s1", "s2", "s2")]
    events = run_plan(world, a, *use, ticks=200)
    seq = [(e.value, e.detail) for e in events if e.kind == "sequence"]
    assert seq == [(1.0, "lock: advanced"), (2.0, "lock: advanced"), (0.0, "lock: reset")]
    assert not world.get(ids["door"], core.PointOfInterest).active


@pytest.mark.parametrize(
    ("extra", "error", "key"),
    [
        (
            '[[sequences]]\nname = "x"\norder = ["term"]\ntarget = "door"\n',
            ScenarioReferenceError,
            "sequences[0].order",
        ),
        (
            '[[sequences]]\nname = "x"\norder = ["s1"]\ntarget = "s2"\n',
            ScenarioReferenceError,
            "sequences[0].target",
        ),
    ],
)
def test_sequence_checks(extra: str, error: type, key: str) -> None:
    text = scenario_text(
        map_rows=SWITCH_MAP,
        entities=[{"name": "a", "at": "A"}],
        pois=[
            {"name": "door", "kind": "door", "pos": [5.5, 2.5]},
            {"name": "s1", "kind": "switch", "at": "1"},
            {"name": "s2", "kind": "switch", "at": "2"},
            {"name": "term", "kind": "terminal", "at": "T"},
        ],
    )
    with pytest.raises(error) as info:
        core.load_scenario(text + "\n" + extra)
    assert info.value.key == key


def test_remote_checks() -> None:
    base: dict[str, Any] = {"map_rows": SWITCH_MAP, "entities": [{"name": "a", "at": "A"}]}
    with pytest.raises(ScenarioSchemaError, match="only doors can be remote"):
        core.load_scenario(
            scenario_text(
                **base, pois=[{"name": "t", "kind": "terminal", "at": "T", "remote": True}]
            )
        )
    with pytest.raises(ScenarioReferenceError, match="no switch linked"):
        core.load_scenario(
            scenario_text(
                **base, pois=[{"name": "d", "kind": "door", "pos": [5.5, 2.5], "remote": True}]
            )
        )


# ------------------------------------------------------------------ events
def test_every_hp_loss_sends_a_damaged_event() -> None:
    _, world, ids = make(
        entities=[
            {"name": "a", "at": "A", "armor": 0.5},
            {"name": "b", "at": "B"},
            {"name": "e", "at": "E", "team": "red"},
        ],
        hazards=[{"name": "fire", "pos": [1.5, 3.5], "radius": 1.0, "dps": 6.0}],
    )
    a, b, e = ids["a"], ids["b"], ids["e"]
    reader = EventReader(core.GameEvent, "test.damage")
    assert core.apply_damage(world, a, 30.0, e, "shot") == 15.0
    world.spawn(Position(14.5, 3.5), core.Explosive(fuse_s=0.0, radius_m=3.0, damage=60.0, owner=a))
    app = app_for(world)
    app.run(1)
    got = [
        (ev.actor, ev.target, round(ev.value, 6), ev.detail)
        for ev in reader.read(world)
        if ev.kind == "damaged"
    ]
    assert got[0] == (e, a, 15.0, "shot")
    assert (ids["fire"], b, 0.1, "hazard") in got  # 6 hp/s for one 1/60 s tick
    assert (a, e, 60.0, "explosion") in got


def test_step_events_follow_every_step_and_replacements() -> None:
    _, world, ids = make()
    a = ids["a"]
    app = app_for(world)
    reader = EventReader(core.GameEvent, "test.steps")
    core.submit_plan(
        world, a, plan({"tool": "Wait", "seconds": 0.5}, {"tool": "MoveTo", "x": 3.5, "y": 1.5})
    )
    events: list[core.GameEvent] = []
    for _ in range(120):
        app.run(1)
        events += reader.read(world)
    kinds = [(ev.kind, ev.value, ev.detail) for ev in events if ev.actor == a]
    assert [k for k in kinds if k[0] != "plan_started"] == [
        ("step_started", 0.0, "Wait"),
        ("step_done", 0.0, "Wait"),
        ("step_started", 1.0, "MoveTo"),
        ("step_done", 1.0, "MoveTo"),
        ("plan_done", 2.0, "t"),
    ]
    core.submit_plan(world, a, plan({"tool": "MoveTo", "x": 8.5, "y": 1.5}, plan_id="first"))
    app.run(10)
    core.submit_plan(world, a, plan({"tool": "Wait", "seconds": 1.0}))
    replaced = [ev for ev in reader.read(world) if ev.kind == "plan_replaced"]
    assert [(ev.actor, ev.value, ev.detail) for ev in replaced] == [(a, 0.0, "first")]


# ------------------------------------------------------------------ cover
def test_cover_spots_say_how_far_and_whom_they_shelter_from() -> None:
    _, world, ids = make()
    a, e = ids["a"], ids["e"]
    world.set(a, Position(7.5, 2.5))
    snap = core.perceive(world, a)
    cover = [o for o in snap.obstacles if o.kind == "cover"]
    assert cover and all(o.path_m is not None for o in cover)
    west = [o for o in cover if o.pos[0] < 9]
    assert west and all(e in o.shelters for o in west)
    east = [o for o in cover if o.pos[0] > 10]
    assert east and all(e not in o.shelters for o in east)


def test_the_rule_planners_cover_test_agrees_with_take_cover() -> None:
    from astraweave.ai._rule import _cover_ok

    _, world, ids = make()
    a, e = ids["a"], ids["e"]
    tm = world.resource(core.TileMap)
    rng = np.random.default_rng(3)
    checked = 0
    for _ in range(60):
        x, y = rng.integers(1, tm.width - 1), rng.integers(1, tm.height - 1)
        if not tm.walkable[y, x]:
            continue
        world.set(a, Position(x + 0.5, y + 0.5))
        snap = core.perceive(world, a)
        for target in [None, *snap.visible_enemies()]:
            if _cover_ok(snap, target, 6.0):
                args: dict[str, Any] = {"tool": "TakeCover", "max_distance": 6.0}
                if target is not None:
                    args["target"] = target.id
                assert core.validate(plan(args), world, a).ok, (x, y, target)
                checked += 1
    assert checked > 10
    assert e in ids.values()


# ------------------------------------------------------------------ [eval] table
def test_an_eval_table_is_accepted_and_kept_for_the_harness() -> None:
    text = scenario_text(entities=[{"name": "a", "at": "A"}])
    sc = core.load_scenario(text + '\n[eval]\ncategory = "combat"\nagents = ["a"]\n')
    assert sc.eval_table == {"category": "combat", "agents": ["a"]}
    assert core.load_scenario(text).eval_table is None
    with pytest.raises(ScenarioSchemaError):
        core.load_scenario(text + "\neval = 3\n")
