"""Movement tools: validation failures and effects (positions after N ticks)."""

from __future__ import annotations

import math
from typing import Any

import pytest

from astraweave import core
from astraweave.ecs import Position, World
from astraweave.errors import (
    FriendlyTargetError,
    InvalidTargetError,
    NoPathError,
    PreconditionFailedError,
    TargetOutOfBoundsError,
    ToolError,
)

from .conftest import app_for, make, plan


def pos(world: World, e: int) -> tuple[float, float]:
    p = world.get(e, Position)
    return p.x, p.y


def rejects(
    world: World, actor: int, steps: list[dict[str, Any]], err: type[ToolError]
) -> ToolError:
    before = world.hash()
    report = core.validate(plan(*steps), world, actor)
    assert not report.ok
    found = [x for x in report.errors if isinstance(x, err)]
    assert found, report.summary()
    assert world.hash() == before
    return found[0]


def start(world: World, actor: int, *steps: dict[str, Any]) -> None:
    report = core.submit_plan(world, actor, plan(*steps))
    assert report.ok, report.summary()


# ------------------------------------------------------------------------ MoveTo
def test_moveto_walks_at_speed_over_ticks(arena: Any) -> None:
    _, world, ids = arena
    a = ids["a"]
    app = app_for(world)
    start(world, a, {"tool": "MoveTo", "x": 5.5, "y": 1.5})
    app.run(30)  # 3 m/s at 60 Hz: 0.05 m per tick
    assert pos(world, a) == pytest.approx((3.0, 1.5))
    app.run(50)
    assert pos(world, a) == pytest.approx((5.5, 1.5))
    app.run(1)
    assert world.get(a, core.ActivePlan).last_status == "done"


def test_moveto_goes_around_the_cover_wall(arena: Any) -> None:
    _, world, ids = arena
    a = ids["a"]
    app = app_for(world)
    start(world, a, {"tool": "MoveTo", "x": 12.5, "y": 1.5})
    xs = []
    for _ in range(400):
        app.tick()
        xs.append(pos(world, a))
    # it never stands on the low-cover tiles of column 9, rows 1-3
    assert all(not (9 <= x < 10 and y < 4) for x, y in xs)
    assert pos(world, a) == pytest.approx((12.5, 1.5))


def test_moveto_rejections(arena: Any) -> None:
    _, world, ids = arena
    a = ids["a"]
    err = rejects(world, a, [{"tool": "MoveTo", "x": 25.0, "y": 1.5}], TargetOutOfBoundsError)
    assert err.step == 0 and err.tool == "MoveTo" and "outside" in str(err)
    rejects(world, a, [{"tool": "MoveTo", "x": 9.5, "y": 1.5}], NoPathError)  # low cover
    rejects(world, a, [{"tool": "MoveTo", "x": 0.5, "y": 0.5}], NoPathError)  # wall


def test_moveto_no_path_into_a_closed_room() -> None:
    rows = ["#######", "#A.#..#", "#..#..#", "#######"]
    _, world, ids = make(map_rows=rows, entities=[{"name": "a", "at": "A"}])
    err = rejects(world, ids["a"], [{"tool": "MoveTo", "x": 4.5, "y": 1.5}], NoPathError)
    assert "no walkable path" in str(err)


# ---------------------------------------------------------------------- Approach
def test_approach_stops_within_distance(arena: Any) -> None:
    _, world, ids = arena
    a, e = ids["a"], ids["e"]
    app = app_for(world)
    start(world, a, {"tool": "Approach", "target": e, "distance": 3.0})
    app.run(300)
    d = math.dist(pos(world, a), pos(world, e))
    assert 2.9 <= d <= 3.0 + 1e-9
    assert world.get(a, core.ActivePlan).last_status == "done"


def test_approach_rejections(arena: Any) -> None:
    _, world, ids = arena
    a = ids["a"]
    rejects(world, a, [{"tool": "Approach", "target": 999}], InvalidTargetError)
    core.apply_damage(world, ids["e"], 1000.0, a, "test")
    world.set(ids["e"], core.Status(dead=True))
    err = rejects(world, a, [{"tool": "Approach", "target": ids["e"]}], InvalidTargetError)
    assert "dead" in str(err)


# ----------------------------------------------------------------------- Retreat
def test_retreat_moves_away_from_the_threat(arena: Any) -> None:
    _, world, ids = arena
    a, e = ids["a"], ids["e"]
    world.set(a, Position(6.5, 3.5))
    before = math.dist(pos(world, a), pos(world, e))
    app = app_for(world)
    start(world, a, {"tool": "Retreat", "target": e, "distance": 4.0})
    app.run(200)
    assert math.dist(pos(world, a), pos(world, e)) >= before + 1.0


def test_retreat_rejections() -> None:
    b_like = make(
        entities=[
            {"name": "a", "at": "A"},
            {"name": "b", "at": "B"},
            {"name": "e", "at": "E", "team": "red"},
        ]
    )
    _, w2, ids2 = b_like
    rejects(w2, ids2["a"], [{"tool": "Retreat", "target": ids2["b"]}], FriendlyTargetError)
    rows = ["#####", "#A.E#", "#####"]
    _, w3, ids3 = make(
        map_rows=rows, entities=[{"name": "a", "at": "A"}, {"name": "e", "at": "E", "team": "red"}]
    )
    err = rejects(w3, ids3["a"], [{"tool": "Retreat", "target": ids3["e"]}], NoPathError)
    assert "nowhere to retreat" in str(err)


# --------------------------------------------------------------------- TakeCover
def test_takecover_moves_next_to_low_cover_and_crouches(arena: Any) -> None:
    _, world, ids = arena
    a, e = ids["a"], ids["e"]
    world.set(a, Position(5.5, 2.5))
    app = app_for(world)
    start(world, a, {"tool": "TakeCover", "target": e})
    app.run(200)
    x, y = pos(world, a)
    assert (math.floor(x), math.floor(y)) in {(8, 1), (8, 2), (8, 3)}
    assert world.get(a, core.Stance).crouched
    tm = world.resource(core.TileMap)
    assert tm.cover_against((x, y), pos(world, e)) == 0.5


def test_takecover_without_cover_is_rejected() -> None:
    rows = ["#######", "#A...E#", "#######"]
    _, world, ids = make(
        map_rows=rows, entities=[{"name": "a", "at": "A"}, {"name": "e", "at": "E", "team": "red"}]
    )
    err = rejects(world, ids["a"], [{"tool": "TakeCover"}], PreconditionFailedError)
    assert "no reachable cover" in str(err)


# ------------------------------------------------------------------------ Patrol
def test_patrol_walks_the_loop(arena: Any) -> None:
    _, world, ids = arena
    a = ids["a"]
    app = app_for(world)
    wps = [{"x": 3.5, "y": 1.5}, {"x": 3.5, "y": 4.5}]
    start(world, a, {"tool": "Patrol", "waypoints": wps, "loops": 2})
    seen = set()
    for _ in range(600):
        app.tick()
        seen.add(tuple(round(v, 6) for v in pos(world, a)))
    assert (3.5, 1.5) in seen and (3.5, 4.5) in seen
    assert pos(world, a) == pytest.approx((3.5, 4.5))
    assert world.get(a, core.ActivePlan).last_status == "done"


def test_patrol_rejects_a_bad_waypoint(arena: Any) -> None:
    _, world, ids = arena
    wps = [{"x": 3.5, "y": 1.5}, {"x": 9.5, "y": 2.5}]
    err = rejects(world, ids["a"], [{"tool": "Patrol", "waypoints": wps}], NoPathError)
    assert "waypoint 1" in str(err)
    wps = [{"x": 3.5, "y": 1.5}, {"x": -1.0, "y": 2.5}]
    rejects(world, ids["a"], [{"tool": "Patrol", "waypoints": wps}], TargetOutOfBoundsError)


# ----------------------------------------------------------------------- Regroup
def test_regroup_walks_back_to_the_team() -> None:
    _, world, ids = make(
        entities=[
            {"name": "a", "at": "A"},
            {"name": "b", "at": "E"},
        ]
    )
    app = app_for(world)
    start(world, ids["a"], {"tool": "Regroup", "radius": 2.0})
    app.run(400)
    assert math.dist(pos(world, ids["a"]), pos(world, ids["b"])) <= 2.0 + 1e-9


def test_regroup_follows_the_leader() -> None:
    _, world, ids = make(
        entities=[
            {"name": "lead", "at": "E"},
            {"name": "b", "at": "B"},
            {"name": "a", "at": "A", "agent": {"leader": "lead"}},
        ]
    )
    app = app_for(world)
    start(world, ids["a"], {"tool": "Regroup", "radius": 2.0})
    app.run(400)
    assert math.dist(pos(world, ids["a"]), pos(world, ids["lead"])) <= 2.0 + 1e-9


def test_regroup_without_allies_is_rejected(arena: Any) -> None:
    _, world, ids = arena
    err = rejects(world, ids["a"], [{"tool": "Regroup"}], PreconditionFailedError)
    assert "no living ally" in str(err)
