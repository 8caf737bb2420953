"""Physics movement: characters as bodies with character controllers."""

from __future__ import annotations

import math

import pytest

from astraweave import core, physics
from astraweave.core._bodies import ARRIVE_RADIUS_M, BODY_RADIUS_M
from astraweave.ecs import App, Position, World
from astraweave.errors import NoPathError

from .conftest import make, plan, scenario_text
from .test_tools_support import DOOR_MAP


def physics_world(**kw: object) -> tuple[World, dict[str, int], App]:
    sc = core.load_scenario(scenario_text(movement="physics", **kw))  # type: ignore[arg-type]
    world = sc.build_world(1)
    app = App(world=world)
    app.add_plugin(core.plugin)
    return world, dict(world.resource(core.Mission).names), app


def test_moveto_walks_a_body_around_the_low_wall() -> None:
    world, ids, app = physics_world(
        entities=[{"name": "a", "at": "A"}, {"name": "e", "at": "E", "team": "red"}]
    )
    a = ids["a"]
    assert world.has(a, physics.CharacterController)
    assert [s.name for s in app.schedule.systems("PHYSICS")][:4] == list(physics.SYSTEM_NAMES)
    assert core.submit_plan(world, a, plan({"tool": "MoveTo", "x": 12.5, "y": 1.5})).ok
    tm = world.resource(core.TileMap)
    for _ in range(400):
        app.tick()
        p = world.get(a, Position)
        assert tm.walkable_at(p.x, p.y)
    p = world.get(a, Position)
    assert math.dist((p.x, p.y), (12.5, 1.5)) <= ARRIVE_RADIUS_M + 0.05
    assert world.get(a, core.ActivePlan).last_status == "done"


def test_bodies_do_not_overlap() -> None:
    world, ids, app = physics_world(entities=[{"name": "a", "at": "A"}, {"name": "b", "at": "B"}])
    a, b = ids["a"], ids["b"]
    core.submit_plan(world, a, plan({"tool": "MoveTo", "x": 1.5, "y": 3.5}))
    core.submit_plan(world, b, plan({"tool": "MoveTo", "x": 1.5, "y": 1.5}))
    closest = math.inf
    for _ in range(240):
        app.tick()
        pa, pb = world.get(a, Position), world.get(b, Position)
        closest = min(closest, math.dist((pa.x, pa.y), (pb.x, pb.y)))
    assert closest >= 2 * BODY_RADIUS_M - 0.05


def test_a_closed_door_is_a_body_until_it_opens() -> None:
    world, ids, app = physics_world(
        map_rows=DOOR_MAP,
        entities=[{"name": "a", "at": "A"}],
        pois=[{"name": "door", "kind": "door", "pos": [4.5, 1.5]}],
    )
    assert world.query(core.DoorBlocker).count() == 1
    steps = [
        {"tool": "MoveTo", "x": 3.5, "y": 1.5},
        {"tool": "Interact", "target": ids["door"]},
        {"tool": "MoveTo", "x": 8.5, "y": 1.5},
    ]
    assert core.submit_plan(world, ids["a"], plan(*steps)).ok
    app.run(400)
    assert world.query(core.DoorBlocker).count() == 0
    p = world.get(ids["a"], Position)
    assert math.dist((p.x, p.y), (8.5, 1.5)) <= ARRIVE_RADIUS_M + 0.05


def test_a_stuck_body_fails_its_step() -> None:
    world, ids, app = physics_world(entities=[{"name": "a", "at": "A"}])
    a = ids["a"]
    core.submit_plan(world, a, plan({"tool": "MoveTo", "x": 6.5, "y": 1.5}))
    app.run(2)
    cc = world.get(a, physics.CharacterController)
    cc.status = physics.ControllerStatus.STUCK
    world.set(a, cc)
    log: list[core.GameEvent] = []
    from .test_tools_combat import of, run

    run(app, 2, log)
    (failed,) = of(log, "plan_failed")
    assert "NoPathError" in failed.detail and "stuck" in failed.detail
    assert world.get(a, physics.CharacterController).waypoints is None
    assert issubclass(NoPathError, Exception)


def test_physics_runs_replay_identically(tmp_path: object) -> None:
    from pathlib import Path

    from astraweave import ai

    sc = core.builtin_scenario()
    assert sc.spec.scenario.movement == "physics"
    path = Path(str(tmp_path)) / "p.awr"
    result = ai.run_scenario(sc, ticks=200, replay_path=path)
    check = ai.verify_replay(path)
    assert check.ok and check.actual_hash == result.world.hash()


def test_unknown_movement_mode() -> None:
    from astraweave.errors import ScenarioSchemaError

    sc, _, _ = make()
    with pytest.raises(ScenarioSchemaError, match="movement"):
        sc.build_world(movement="teleport")
