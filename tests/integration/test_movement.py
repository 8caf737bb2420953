"""AI + navigation + physics: agents plan, the sandbox validates, the executor walks
tile paths and pymunk moves the bodies. Goals around obstacles, agents crossing,
a crate dropped on a walking agent's path, a door opened mid-plan. (Navmesh paths
and flow fields driving physics bodies directly are in ``test_nav_physics.py``.)"""

from __future__ import annotations

import numpy as np

from astraweave import physics
from astraweave.core import DoorBlocker, PointOfInterest, TileMap, perceive
from astraweave.testing import IntegrationHarness

OBSTACLES = """
####################
#..................#
#..######..........#
#.......#...####...#
#.......#......#...#
#..###..#####..#...#
#..#...........#...#
#..#.......=...#...#
####################
"""


def _obstacle_course() -> IntegrationHarness:
    h = IntegrationHarness(OBSTACLES, seed=5)
    h.spawn_agent("runner", (1.5, 7.5), role="lead")
    h.set_goal("runner", (17.5, 7.5), radius=0.75)
    h.spawn_obstacle((10, 1, 11, 3))  # a pillar painted into the map
    return h


def test_agent_plans_and_walks_around_obstacles_to_its_goal() -> None:
    h = _obstacle_course()
    inside_walls: list[tuple[int, float, float]] = []

    def watch(hh: IntegrationHarness) -> bool:
        x, y = hh.position("runner")
        tm = hh.world.resource(TileMap)
        if not tm.walkable_at(x, y):
            inside_walls.append((hh.world.tick, x, y))
        return False

    report = h.run(2400, until=watch, stop_on_outcome=True)
    assert report.outcome == "success" and h.outcome.reason.startswith("within(entity=runner")
    x, y = h.position("runner")
    assert np.hypot(x - 17.5, y - 7.5) <= 0.75
    assert inside_walls == []  # a body never entered a wall or the pillar
    # one validated plan, kept while it ran; no step failed
    (accepted,) = h.plans("runner", outcome="accepted")
    assert accepted.tick == 0 and accepted.plan is not None
    assert accepted.plan.tools() == ["MoveTo"]
    assert {r.outcome for r in h.plans("runner")} == {"accepted", "kept"}
    assert not h.events("plan_failed")
    # the executor handed physics a tile path around the walls, every turn on the floor
    path = h.world.get(h.id("runner"), physics.CharacterController).waypoints
    tm = h.world.resource(TileMap)
    assert len(path) >= 4 and all(tm.walkable_at(px, py) for px, py in path)
    assert path[-1] == (17.5, 7.5)
    length = TileMap.path_length((1.5, 7.5), list(path))
    assert length > 1.5 * 16.0  # the straight line (16 m) is walled off
    # walked it at 3 m/s, no teleport: the body stops within 0.75 m of the goal and turns
    # towards the next waypoint within 0.1 m of the current one (it cuts each turn a bit)
    turns = len(path) - 1
    assert report.ticks / 60 * 3.0 >= length - 0.75 - 0.1 * turns
    # it touched nothing but the static map
    assert all(c.a == physics.MAP_ENTITY for c in h.collisions("runner"))


def test_agent_reaches_its_goal_around_obstacles_with_zero_collisions() -> None:
    h = _obstacle_course()
    report = h.run(2400, stop_on_outcome=True)
    assert report.outcome == "success"
    assert h.collision_count("runner") == 0


OPEN_ROOM = """
################
#..............#
#..............#
#..............#
#..............#
#..............#
################
"""


def test_agents_crossing_each_other_pass_without_overlapping() -> None:
    h = IntegrationHarness(OPEN_ROOM, seed=3)
    routes = {
        "west": ((1.5, 3.5), (14.5, 3.5)),
        "east": ((14.5, 3.5), (1.5, 3.5)),
        "north": ((7.5, 1.5), (7.5, 5.5)),
        "south": ((7.5, 5.5), (7.5, 1.5)),
    }
    for name, (start, goal) in routes.items():
        h.spawn_agent(name, start, planner=None)
        h.command(name, [{"tool": "MoveTo", "x": goal[0], "y": goal[1]}])
    closest = [np.inf]

    def watch(hh: IntegrationHarness) -> bool:
        pts = np.array(list(hh.positions().values()))
        d = np.hypot(*(pts[:, None, :] - pts[None, :, :]).transpose(2, 0, 1))
        d[np.diag_indices(len(pts))] = np.inf
        closest[0] = min(closest[0], float(d.min()))
        return len(hh.events("plan_done")) == len(routes)

    report = h.run(900, until=watch)
    assert report.stopped == "until" and not h.events("plan_failed")
    for name, (_, goal) in routes.items():
        assert np.hypot(*np.subtract(h.position(name), goal)) < 0.15, name
    # bodies of radius 0.3 m never passed through each other: at worst a few centimetres
    # of overlap for a tick while the solver pushes them apart (measured: 3.3 cm)
    assert closest[0] >= 0.6 - 0.05
    # they brushed at most once per crossing pair, and never a wall
    pairs = {(h.name(c.a), h.name(c.b)) for c in h.collisions()}
    assert pairs <= {("west", "east"), ("north", "south")}
    assert h.collision_count() <= 2 * len(pairs)


CORRIDOR = """
####################
#..................#
#..................#
#..................#
####################
"""


def test_crate_dropped_on_the_path_agent_gets_stuck_replans_and_arrives() -> None:
    h = IntegrationHarness(CORRIDOR, seed=3)
    h.spawn_agent("runner", (1.5, 2.5), role="lead")
    h.set_goal("runner", (18.5, 2.5), radius=0.5)
    h.run(40)
    cc = h.world.get(h.id("runner"), physics.CharacterController)
    assert cc.waypoints == ((18.5, 2.5),)  # straight down the corridor
    h.spawn_obstacle((8, 1, 9, 3))  # across the path, a gap left at y in (3, 4)
    h.run(900, until=lambda hh: bool(hh.events("plan_failed")))

    # physics: the body ran into the crate (a static collider, not the map)
    (bump,) = h.collisions("runner")
    assert bump.a != physics.MAP_ENTITY and 7.6 < bump.point[0] < 8.1
    # AI: the controller reported no progress, the step failed typed, a new plan went round
    (failed,) = h.events("plan_failed", actor="runner")
    assert failed.detail.startswith("NoPathError: step 0 (MoveTo): the actor is stuck")
    assert failed.tick - bump.tick >= 120  # 2 s without progress
    h.run(2)
    (replan,) = [r for r in h.plans("runner", outcome="accepted") if r.tick > failed.tick]
    assert replan.tick == failed.tick + 1
    waypoints = h.world.get(h.id("runner"), physics.CharacterController).waypoints
    assert any(3.0 < y < 4.0 for _, y in waypoints)  # through the gap below the crate
    report = h.run(1500, stop_on_outcome=True)
    assert report.outcome == "success"
    assert len(h.collisions("runner", with_map=False)) == 1  # only that first bump


DOORWAY = """
###########
#....#....#
#....D....#
#....#....#
###########
"""


def test_opening_a_door_mid_plan_changes_paths_sight_and_colliders() -> None:
    h = IntegrationHarness(DOORWAY, seed=2)
    h.spawn_agent("scout", (4.5, 2.5), planner=None)
    h.spawn_enemy("lurker", (8.5, 2.5))
    h.add_poi("door", (5.5, 2.5), "door")
    h.command("scout", [{"tool": "MoveTo", "x": 9.5, "y": 1.5}], tick=0)
    # one plan: open the door, then walk through it (validated with the door open)
    h.command(
        "scout",
        [{"tool": "Interact", "target": "door"}, {"tool": "MoveTo", "x": 9.5, "y": 1.5}],
        tick=1,
    )
    h.build()
    assert h.world.query(DoorBlocker).count() == 1
    assert perceive(h.world, h.id("scout")).enemies == []  # the door hides the lurker
    h.run(400, until=lambda hh: bool(hh.events("plan_done")))

    (rejected,) = h.events("plan_rejected")
    assert rejected.tick == 0 and rejected.detail.startswith("NoPathError: step 0 (MoveTo)")
    (opened,) = h.events("interacted")
    assert opened.tick == 1 + 30  # Interact takes 0.5 s
    assert h.world.get(h.id("door"), PointOfInterest).active
    assert h.world.query(DoorBlocker).count() == 0  # its collider is gone
    tm = h.world.resource(TileMap)
    assert tm.walkable_at(5.5, 2.5) and tm.line_of_sight((4.5, 2.5), (8.5, 2.5))
    assert np.hypot(*np.subtract(h.position("scout"), (9.5, 1.5))) < 0.15
    assert [e.visible for e in perceive(h.world, h.id("scout")).enemies] == [True]
