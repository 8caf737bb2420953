"""Navigation + physics together: the seed's cross-system tests of the physics/nav issue."""

from __future__ import annotations

import numpy as np

from astraweave import nav, physics
from astraweave.core._locomotion import PathSync, locomotion_plugin
from astraweave.ecs import App, EventReader, Position

ROOM = """
##############
#............#
#............#
#............#
#............#
#............#
##############
"""


def _agent(app: App, x: float, y: float, gx: float, gy: float, speed: float = 2.0) -> int:
    return app.world.spawn(
        *physics.character_bundle(x, y, radius=0.3, speed=speed),
        nav.NavAgent(goal_x=gx, goal_y=gy),
        PathSync(),
    )


def test_wall_appears_across_path_agent_repaths_and_arrives() -> None:
    grid = nav.GridMap.from_ascii(ROOM)
    mesh = nav.NavMesh.from_grid(grid, agent_radius=0.3)
    app = App(seed=4)
    app.add_plugin(locomotion_plugin, navmesh=mesh)
    physics.add_static_map(app.world, ROOM)
    agent = _agent(app, 1.5, 3.5, 12.5, 3.5)
    app.run(30)
    first = app.world.get(agent, nav.NavAgent)
    assert first.status == nav.NavStatus.OK
    assert len(first.path) == 2  # a straight line across the open room
    x_before = app.world.get(agent, Position).x
    assert 1.5 < x_before < 6.0

    # a wall appears across the middle of the room, leaving a gap at the bottom
    total = mesh.polygon_count
    mesh.add_obstacle((7.0, 0.0, 8.0, 4.0))
    assert mesh.last_rebuild.removed == total == 1  # the open room was one polygon
    assert mesh.last_rebuild.added >= 2  # now split around the wall
    app.world.spawn(
        Position(7.5, 2.5),
        physics.Collider(shape=physics.ShapeKind.BOX, width=1.0, height=3.0),
    )
    replans = app.world.resource(nav.Navigation).replans_total
    app.tick()
    after = app.world.get(agent, nav.NavAgent)
    assert app.world.resource(nav.Navigation).replans_total == replans + 1
    assert after.path_version == first.path_version + 1
    assert len(after.path) > 2  # goes around the new wall
    assert any(y > 4.0 for _, y in after.path)  # through the gap (y in 4..6)

    for _ in range(600):
        app.tick()
        cc = app.world.get(agent, physics.CharacterController)
        if cc.status == physics.ControllerStatus.ARRIVED:
            break
    end = app.world.get(agent, Position)
    assert np.hypot(end.x - 12.5, end.y - 3.5) < 0.5
    assert app.world.get(agent, physics.CharacterController).status == (
        physics.ControllerStatus.ARRIVED
    )


MAZE = """
####################
#........#.........#
#........#.........#
#..####..#..####...#
#..#.....#.....#...#
#..#..#######..#...#
#..............#...#
#..................#
####################
"""


def test_many_agents_reach_one_goal_by_flow_field_without_overlapping() -> None:
    grid = nav.GridMap.from_ascii(MAZE)
    goal = (17, 1)
    flow = grid.flow_field(goal)
    app = App(seed=9)
    app.add_plugin(physics.plugin)
    physics.add_static_map(app.world, MAZE)
    starts = [(1.5 + (i % 6), 1.5 + (i // 6)) for i in range(12)]
    # the nearest agents arrive first and take the deepest slots, so nobody has to
    # squeeze past an agent that already arrived
    starts.sort(key=lambda p: (flow.distance_at([p])[0], p))
    # arrival slots: distinct free cells around the goal, nearest (by flow distance) first
    free = [(x, y) for y in range(1, 8) for x in range(16, 19) if grid.is_walkable(x, y)]
    slots = sorted(free, key=lambda c: (flow.distance[c[1], c[0]], c))[: len(starts)]

    def route(x: float, y: float, slot: tuple[int, int]) -> list[tuple[float, float]]:
        cells = flow.path_from((int(x), int(y)))
        assert cells is not None
        turns = grid.smooth_path(cells)
        return [(cx + 0.5, cy + 0.5) for cx, cy in turns[1:]] + [(slot[0] + 0.5, slot[1] + 0.5)]

    agents = []
    for (sx, sy), slot in zip(starts, slots, strict=True):
        e = app.world.spawn(*physics.character_bundle(sx, sy, radius=0.3, speed=2.5))
        physics.set_waypoints(app.world, e, route(sx, sy, slot))
        agents.append((e, slot))
    stuck = EventReader(physics.Stuck, "test.stuck")
    for _ in range(1500):
        app.tick()
        # a caller's job: an agent that reports Stuck (jammed in the crowd) gets a new route
        for event in stuck.read(app.world):
            pos = app.world.get(event.entity, Position)
            slot = dict(agents)[event.entity]
            physics.set_waypoints(app.world, event.entity, route(pos.x, pos.y, slot))
        statuses = [app.world.get(e, physics.CharacterController).status for e, _ in agents]
        if all(s == physics.ControllerStatus.ARRIVED for s in statuses):
            break
    targets = np.array([(x + 0.5, y + 0.5) for _, (x, y) in agents])
    pts = np.array(
        [[app.world.get(e, Position).x, app.world.get(e, Position).y] for e, _ in agents]
    )
    assert np.all(np.hypot(*(pts - targets).T) < 0.5), "every agent reached its goal slot"
    d = np.hypot(pts[:, None, 0] - pts[None, :, 0], pts[:, None, 1] - pts[None, :, 1])
    d[np.arange(len(pts)), np.arange(len(pts))] = np.inf
    assert d.min() >= 0.6 - 0.02, "no two agents overlap (radius 0.3 each)"
