"""The nav plugin: NavAgent paths are planned, re-planned on goal and map changes."""

from __future__ import annotations

import math

import numpy as np
import pytest

from astraweave import nav
from astraweave.ecs import App, Position, Stage, World
from astraweave.errors import PluginError
from astraweave.nav import GridMap, NavAgent, Navigation, NavMesh, NavStatus, path_length

ARENA = """
    ............
    ............
    ............
    ............
    ............
    ............
"""


def make_app(**config: object) -> App:
    app = App(seed=3)
    app.add_plugin(nav.plugin, **config)
    return app


def agent(app: App, entity: int) -> NavAgent:
    return app.world.get(entity, NavAgent)


def test_plans_on_first_tick_and_only_when_needed() -> None:
    grid = GridMap.from_ascii(ARENA)
    app = make_app(grid=grid)
    a = app.world.spawn(Position(0.5, 0.5), NavAgent(goal_x=11.5, goal_y=0.5))
    b = app.world.spawn(Position(0.5, 5.5), NavAgent(goal_x=11.2, goal_y=5.7))
    idle = app.world.spawn(Position(3.0, 3.0), NavAgent())
    app.tick()
    nav_res = app.world.resource(Navigation)
    assert nav_res.replans == 2 and nav_res.replans_total == 2
    assert agent(app, a).path == ((0.5, 0.5), (11.5, 0.5))
    assert agent(app, b).path == ((0.5, 5.5), (11.5, 5.5), (11.2, 5.7))
    assert agent(app, a).status == NavStatus.OK and agent(app, a).path_version == 1
    assert agent(app, idle).status == NavStatus.NONE and agent(app, idle).path is None
    app.run(3)
    assert nav_res.replans == 0 and agent(app, a).path_version == 1
    # a new goal is planned from where the agent is now
    app.world.set(a, Position(5.2, 0.4))
    moved = agent(app, a)
    moved.goal_x, moved.goal_y = 5.5, 4.5
    app.world.set(a, moved)
    app.tick()
    assert nav_res.replans == 1
    assert agent(app, a).path == ((5.2, 0.4), (5.5, 0.5), (5.5, 4.5))
    assert agent(app, a).path_version == 2
    assert (agent(app, a).planned_x, agent(app, a).planned_y) == (5.5, 4.5)
    # clearing the goal clears the path
    cleared = agent(app, a)
    cleared.goal_x = math.nan
    app.world.set(a, cleared)
    app.tick()
    assert agent(app, a).status == NavStatus.NONE and agent(app, a).path is None
    assert agent(app, a).path_version == 3


def test_map_change_replans_only_crossing_agents_and_retries_failures() -> None:
    grid = GridMap.from_ascii(ARENA)
    app = make_app(grid=grid, smooth=False, algorithm="astar")
    top = app.world.spawn(Position(0.5, 0.5), NavAgent(goal_x=11.5, goal_y=0.5))
    bottom = app.world.spawn(Position(0.5, 5.5), NavAgent(goal_x=11.5, goal_y=5.5))
    walled = app.world.spawn(Position(0.5, 3.5), NavAgent(goal_x=11.5, goal_y=3.5))
    app.tick()
    grid.set_region_blocked((6, 0, 7, 6))  # a full wall: nobody gets across
    app.tick()
    nav_res = app.world.resource(Navigation)
    assert nav_res.replans == 3
    assert all(agent(app, e).status == NavStatus.NO_PATH for e in (top, bottom, walled))
    assert agent(app, top).path is None
    grid.set_region_blocked((6, 5, 7, 6), blocked=False)  # open a door at the bottom
    app.tick()
    assert nav_res.replans == 3  # failures are retried when the map changes
    assert agent(app, top).status == NavStatus.OK
    path = agent(app, top).path
    assert path == ((0.5, 0.5), (5.5, 5.5), (7.5, 5.5), (7.5, 4.5), (11.5, 0.5))
    assert agent(app, bottom).path == ((0.5, 5.5), (11.5, 5.5))
    # a change away from every path replans nobody
    versions = [agent(app, e).path_version for e in (top, bottom, walled)]
    grid.set_blocked(11, 2)
    app.tick()
    assert nav_res.replans == 0
    assert [agent(app, e).path_version for e in (top, bottom, walled)] == versions
    # a change on the bottom row replans the agents whose path touches (9, 5) only
    paths = {e: agent(app, e).path for e in (top, bottom, walled)}
    crossing = {
        e
        for e, p in paths.items()
        if p and grid.paths_crossing((9, 5, 10, 6), [[grid.cell_at(q) for q in p]])
    }
    assert bottom in crossing and top not in crossing
    grid.set_blocked(9, 5)
    app.tick()
    assert nav_res.replans == len(crossing)
    for e in (top, bottom, walled):
        assert (agent(app, e).path_version > versions[[top, bottom, walled].index(e)]) == (
            e in crossing
        )


def test_blocked_goal_and_start_inside_a_wall() -> None:
    grid = GridMap.from_ascii(
        """
        ..#.
        ....
        """
    )
    app = make_app(grid=grid)
    blocked_goal = app.world.spawn(Position(0.5, 0.5), NavAgent(goal_x=2.5, goal_y=0.5))
    off_map = app.world.spawn(Position(0.5, 0.5), NavAgent(goal_x=20.0, goal_y=0.5))
    inside = app.world.spawn(Position(2.4, 0.6), NavAgent(goal_x=0.5, goal_y=1.5))
    app.tick()
    assert agent(app, blocked_goal).status == NavStatus.NO_PATH
    assert agent(app, off_map).status == NavStatus.NO_PATH
    path = agent(app, inside).path
    assert agent(app, inside).status == NavStatus.OK and path is not None
    assert path[0] == (2.4, 0.6) and path[-1] == (0.5, 1.5)
    assert grid.cell_at(path[1]) in {(1, 0), (3, 0), (2, 1)}


def test_navmesh_planning_and_obstacles() -> None:
    mesh = NavMesh.from_polygons((0, 0, 20, 10), agent_radius=0.4, cell_size=0.25)
    app = make_app(navmesh=mesh)
    a = app.world.spawn(Position(1.0, 5.0), NavAgent(goal_x=19.0, goal_y=5.0))
    b = app.world.spawn(Position(1.0, 1.0), NavAgent(goal_x=19.0, goal_y=1.0))
    app.tick()
    assert agent(app, a).path == ((1.0, 5.0), (19.0, 5.0))
    mesh.add_obstacle((9, 3, 11, 7))
    app.tick()
    assert app.world.resource(Navigation).replans == 1
    path = agent(app, a).path
    assert path is not None and len(path) > 2 and not mesh.path_blocked(path)
    assert agent(app, b).path_version == 1
    assert path_length(path) > 18.0
    # a goal off the mesh snaps to its nearest point
    snapped = agent(app, b)
    snapped.goal_x, snapped.goal_y = 25.0, 1.0
    app.world.set(b, snapped)
    app.tick()
    assert agent(app, b).path == ((1.0, 1.0), (19.5, 1.0))  # radius 0.4 -> 2 cells of 0.25
    # the mesh's state enters the world hash
    before = app.world.hash()
    mesh.add_obstacle((1, 8, 2, 9))
    assert app.world.hash() != before


def test_grid_without_floor_gives_no_path() -> None:
    app = make_app(grid=GridMap(np.zeros((2, 2), dtype=bool)))
    e = app.world.spawn(Position(0.5, 0.5), NavAgent(goal_x=1.5, goal_y=1.5))
    app.tick()
    assert agent(app, e).status == NavStatus.NO_PATH


@pytest.mark.parametrize("mode", ["grid", "navmesh"])
def test_non_finite_position_or_goal_gives_no_path(mode: str) -> None:
    grid = GridMap.from_ascii(ARENA)
    app = make_app(**({"grid": grid} if mode == "grid" else {"navmesh": NavMesh.from_grid(grid)}))
    lost = app.world.spawn(Position(math.nan, 0.5), NavAgent(goal_x=3.5, goal_y=1.5))
    far = app.world.spawn(Position(0.5, 0.5), NavAgent(goal_x=math.inf, goal_y=1.5))
    app.tick()
    assert agent(app, lost).status == NavStatus.NO_PATH
    assert agent(app, far).status == NavStatus.NONE  # an infinite goal is no goal


def test_plugin_errors_and_idempotence() -> None:
    with pytest.raises(PluginError, match="needs a grid or a navmesh"):
        make_app()
    with pytest.raises(PluginError, match="unknown grid algorithm"):
        make_app(grid=GridMap.from_ascii(".."), algorithm="bfs")
    app = make_app(grid=GridMap.from_ascii(".."))
    app.add_plugin(nav.plugin, grid=GridMap.from_ascii("..."))  # no-op
    assert app.world.resource(Navigation).grid.width == 2  # type: ignore[union-attr]
    with pytest.raises(PluginError, match="already has a Navigation"):
        nav.plugin(app, grid=GridMap.from_ascii(".."))
    names = [s.name for s in app.schedule.systems(Stage.AI_PLANNING)]
    assert names == ["astraweave.nav.replan"]
    assert "Navigation(grid=GridMap(width=2" in repr(app.world.resource(Navigation))


def run_crowd(seed: int, ticks: int = 4) -> tuple[list[str], App]:
    grid = GridMap.from_ascii(ARENA)
    app = make_app(grid=grid)
    rng = np.random.default_rng(seed)
    for _ in range(20):
        x, y = rng.uniform(0, 12), rng.uniform(0, 6)
        gx, gy = rng.uniform(0, 12), rng.uniform(0, 6)
        app.world.spawn(Position(x, y), NavAgent(goal_x=gx, goal_y=gy))
    hashes = []
    for t in range(ticks):
        if t == 2:
            grid.set_region_blocked((4, 1, 8, 5))
        app.tick()
        hashes.append(app.world.hash())
    return hashes, app


def test_deterministic_and_snapshot_restore() -> None:
    first, app = run_crowd(5)
    second, _ = run_crowd(5)
    assert first == second
    restored = World.from_snapshot(app.world.snapshot())
    assert restored.hash() == app.world.hash()
    nav_res = restored.resource(Navigation)
    assert nav_res.grid is not None and not nav_res.grid.is_walkable(5, 2)
