"""The crowd in the ECS: the loop runs, reports, kills, and is deterministic."""

from __future__ import annotations

import numpy as np
import pytest

from astraweave.ai._crowd import CrowdTickReport, crowd_plugin, spawn_crowd
from astraweave.ai._crowd_rules import CrowdAction
from astraweave.ai._crowd_state import CrowdConfig
from astraweave.ai._crowd_systems import CrowdAgent, crowd_chunk
from astraweave.cli._bench_crowd import build_crowd_app, run_crowd_bench
from astraweave.core import Health, Label, TileMap, Weapon
from astraweave.ecs import App, Position, Stage, World
from astraweave.errors import PlannerError


def hashes(agents: int, ticks: int, *, seed: int = 3, threads: int = 1, shards: int | None = None):
    app = build_crowd_app(agents, seed, threads, CrowdConfig(shards=shards))
    out = []
    with app:
        for _ in range(ticks):
            app.tick()
            out.append(app.world.hash())
    return out


def test_same_seed_same_hashes_and_threads_do_not_matter() -> None:
    base = hashes(300, 25)
    assert base == hashes(300, 25)
    assert base == hashes(300, 25, threads=2)
    assert base == hashes(300, 25, shards=3)
    assert base == hashes(300, 25, threads=2, shards=5)
    assert base != hashes(300, 25, seed=4)


def test_snapshot_restore_continues_hash_for_hash() -> None:
    app = build_crowd_app(250, 5)
    app.run(12)
    data = app.world.snapshot()
    app.run(10)
    expected = app.world.hash()
    other = build_crowd_app(250, 5)
    other.world.restore(data)
    other.run(10)
    assert other.world.hash() == expected


def test_the_loop_fights_kills_and_reports_once_per_tick() -> None:
    app = build_crowd_app(400, 1)
    start = app.world.entity_count()
    reports: list[CrowdTickReport] = []
    for _ in range(90):
        app.tick()
        reports += [
            r for r in app.world.read_events(CrowdTickReport) if r.tick == app.world.tick - 1
        ]
    assert [r.tick for r in reports] == list(range(90))
    assert sum(r.attacks for r in reports) > 0
    assert sum(r.hits for r in reports) > 0
    deaths = sum(sum(r.deaths) for r in reports)
    assert deaths > 0
    assert sum(reports[-1].alive) == start - deaths == app.world.entity_count()
    chunk = crowd_chunk(app.world)
    assert chunk is not None
    assert (chunk[Health].hp > 0).all()  # the dead were despawned


def test_agents_never_stand_in_walls() -> None:
    app = build_crowd_app(300, 2)
    tm = app.world.resource(TileMap)
    for _ in range(60):
        app.tick()
        chunk = crowd_chunk(app.world)
        assert chunk is not None
        x, y = chunk[Position].x, chunk[Position].y
        assert tm.walkable[np.floor(y).astype(int), np.floor(x).astype(int)].all()


def test_separation_spreads_agents_sharing_a_tile() -> None:
    app = App(seed=1)
    app.world.insert_resource(TileMap.from_ascii("\n".join(["." * 12] * 12)))
    app.add_plugin(crowd_plugin, config=CrowdConfig(separation_mps=2.0))
    x = np.array([5.45, 5.5, 5.55, 5.5])
    y = np.array([5.5, 5.45, 5.5, 5.55])
    spawn_crowd(app.world, x, y, 0, weapon=Weapon(range_m=1.0))
    app.run(60)
    chunk = crowd_chunk(app.world)
    assert chunk is not None
    px, py = chunk[Position].x, chunk[Position].y
    gaps = np.hypot(px[:, None] - px[None, :], py[:, None] - py[None, :])
    assert gaps[~np.eye(4, dtype=bool)].min() > 0.4


def test_lone_agents_walk_to_the_far_goal_and_meet() -> None:
    app = App(seed=1)
    app.world.insert_resource(TileMap.from_ascii("\n".join(["." * 40] * 6)))
    app.add_plugin(crowd_plugin)
    spawn_crowd(app.world, [1.5, 38.5], [3.0, 3.0], [0, 1], weapon=Weapon(range_m=3.0))
    app.run(2)
    chunk = crowd_chunk(app.world)
    assert chunk is not None
    assert chunk[CrowdAgent].action.tolist() == [CrowdAction.MOVE, CrowdAction.MOVE]
    app.run(400)
    kinds = [r for r in app.world.read_events(CrowdTickReport)]
    assert kinds  # still reporting
    chunk = crowd_chunk(app.world)
    assert chunk is None or len(chunk) < 2 or abs(float(np.diff(chunk[Position].x)[0])) < 3.5


def test_rows_changing_between_stages_are_handled() -> None:
    app = build_crowd_app(200, 9)

    def cull(world: World) -> None:  # despawns crowd agents after perception
        chunk = crowd_chunk(world)
        if chunk is not None and world.tick % 3 == 0:
            world.commands().despawn_batch(chunk.entities[:5].copy())

    app.add_system(cull, stage=Stage.SIMULATION, reads=[CrowdAgent], writes=["cull"], name="cull")
    app.run(20)
    assert app.world.entity_count() < 200


def test_misuse_is_reported() -> None:
    app = build_crowd_app(50, 0)
    with pytest.raises(PlannerError, match="already registered"):
        crowd_plugin(app)
    chunk = crowd_chunk(app.world)
    assert chunk is not None
    app.world.insert(int(chunk.entities[0]), Label("odd one"))
    with pytest.raises(PlannerError, match="archetypes"):
        app.tick()
    with pytest.raises(PlannerError):
        CrowdConfig(teams=1)
    with pytest.raises(PlannerError, match="y has shape"):
        spawn_crowd(World(), [1.0, 2.0], [1.0], 0)


def test_agents_off_the_map_are_an_error() -> None:
    app = App(seed=1)
    app.world.insert_resource(TileMap.from_ascii("....\n...."))
    app.add_plugin(crowd_plugin)
    spawn_crowd(app.world, [0.5, 30.0], [0.5, 0.5], [0, 1])
    with pytest.raises(PlannerError, match="stand on"):
        app.tick()


def test_run_crowd_bench_reports_what_the_cli_prints() -> None:
    r = run_crowd_bench(200, 4, seed=2, profile=True)
    for key in ("agents", "ticks", "p50_ms", "p95_ms", "max_ms", "world_hash", "machine"):
        assert key in r
    assert r["agents"] == 200 and r["ticks"] == 4
    assert r["world_hash"] == run_crowd_bench(200, 4, seed=2)["world_hash"]
    assert "crowd.plan" in r["profile_ms_per_tick"]
