"""The determinism contract of docs/physics.md, sentence by sentence."""

import pickle
import subprocess
import sys
import textwrap

import numpy as np
import pymunk
import pytest

from astraweave.ecs import App, Heading, Position, Velocity, World
from astraweave.errors import PhysicsStateError
from astraweave.physics import (
    Collider,
    PhysicsConfig,
    PhysicsWorld,
    RigidBody,
    ShapeKind,
    add_static_map,
    character_bundle,
    plugin,
    set_waypoints,
)

from .conftest import physics_of

CONFIG = PhysicsConfig(gravity_mps2=(0.0, 9.81), substeps=2)
ROOM = """
############
#..........#
#..........#
#..........#
#..........#
#..........#
#..........#
############
"""


def scene(seed: int = 3) -> App:
    """Stacked boxes falling in a room (side view) plus agents crossing it."""
    app = App(seed=seed)
    app.add_plugin(plugin, config=CONFIG)
    w = app.world
    add_static_map(w, ROOM)
    for col in range(3):
        for k in range(5):
            jitter = float(w.rng.uniform(-0.05, 0.05))
            w.spawn(
                Position(3.0 + 2.5 * col + jitter, 6.7 - 0.55 * k),
                Velocity(),
                Heading(),
                RigidBody(mass=1.0),
                Collider(shape=ShapeKind.BOX, width=0.5, height=0.5),
            )
    a = w.spawn(*character_bundle(1.5, 1.5, speed=2.0))
    b = w.spawn(*character_bundle(10.5, 1.5, speed=2.0))
    set_waypoints(w, a, [(10.0, 1.5)])
    set_waypoints(w, b, [(1.5, 1.5)])
    return app


def run_hashes(app: App, ticks: int) -> list[str]:
    out = []
    for _ in range(ticks):
        app.tick()
        out.append(app.world.hash())
    return out


def restored(data: bytes) -> App:
    app = App(world=World.from_snapshot(data))
    app.add_plugin(plugin, config=CONFIG)
    return app


def test_same_scene_same_hash_at_every_tick_and_from_a_midway_snapshot() -> None:
    first, second = scene(), scene()
    h1 = run_hashes(first, 60)
    snap = first.world.snapshot()
    h1 += run_hashes(first, 90)
    h2 = run_hashes(second, 150)
    assert h1 == h2
    assert len(set(h1)) == 150  # things move: every tick is a new state
    again = restored(snap)
    assert run_hashes(again, 90) == h1[60:]


def test_restore_into_an_existing_world_and_a_chain_of_snapshots() -> None:
    ref = scene()
    hashes = run_hashes(ref, 120)
    app = scene()
    run_hashes(app, 30)
    snap30 = app.world.snapshot()
    other = scene(seed=99)  # a different world, restored in place
    run_hashes(other, 5)
    other.world.restore(snap30)
    assert run_hashes(other, 40) == hashes[30:70]
    snap70 = other.world.snapshot()
    assert run_hashes(restored(snap70), 50) == hashes[70:120]


def test_the_snapshot_restores_the_entity_body_mapping_and_contacts() -> None:
    app = scene()
    run_hashes(app, 90)
    physics = physics_of(app)
    back = World.from_snapshot(app.world.snapshot()).resource(PhysicsWorld)
    assert back is not physics
    assert back.entities().tolist() == physics.entities().tolist()
    assert back.state_bytes() == physics.state_bytes()
    assert back.touching.tolist() == physics.touching.tolist() != []
    assert len(back.space._get_arbiters()) == len(physics.space._get_arbiters())
    hit = physics.raycast((0.5, 1.5), (11.5, 1.5))
    assert back.raycast((0.5, 1.5), (11.5, 1.5)) == hit


def test_compaction_is_a_canonical_rebuild_that_restores_continue_from() -> None:
    def churn() -> App:
        app = App(seed=5)
        app.add_plugin(plugin)
        w = app.world
        add_static_map(w, ROOM)
        ids = w.spawn_batch(
            80, Position(5.0, 4.0), Velocity(0.0, 0.0), RigidBody(), Collider(radius=0.2)
        )
        pos = w.rng.uniform(1.5, 6.0, size=(80, 2))
        for e, (x, y) in zip(ids.tolist(), pos.tolist(), strict=True):
            w.set(e, Position(x + 3.0, y), Velocity(x - 3.0, y - 3.0))
        app.tick()
        for e in ids[:70].tolist():
            w.despawn(e)
        return app

    a, b = churn(), churn()
    assert physics_of(a).tombstone_count == 0  # despawned after the tick
    ha = run_hashes(a, 1)
    assert physics_of(a).tombstone_count == 70
    snap = a.world.snapshot()  # taken with 70 tombstones pending
    ha += run_hashes(a, 60)
    assert physics_of(a).tombstone_count == 0  # compacted at the start of the next tick
    assert run_hashes(b, 61) == ha
    assert run_hashes(restored_plain(snap), 60) == ha[1:]


def restored_plain(data: bytes) -> App:
    app = App(world=World.from_snapshot(data))
    app.add_plugin(plugin)
    return app


def test_state_bytes_enter_the_world_hash() -> None:
    app = scene()
    run_hashes(app, 10)
    before = app.world.hash()
    physics_of(app).unsafe_body(int(physics_of(app).entities()[0])).velocity = (5.0, 0.0)
    assert app.world.hash() != before


def test_a_different_seed_gives_a_different_run() -> None:
    assert run_hashes(scene(seed=3), 30)[-1] != run_hashes(scene(seed=4), 30)[-1]


def test_identical_across_processes() -> None:
    """Same machine and build: another interpreter (new hash seed, new addresses)
    computes the same hashes."""
    code = textwrap.dedent(
        """
        import sys
        sys.path.insert(0, "tests")
        from physics.test_determinism import scene, run_hashes
        print(run_hashes(scene(), 40)[-1])
        """
    )
    outs = {
        subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            check=True,
            env={"PYTHONHASHSEED": str(seed), "PYTHONPATH": "src"},
        ).stdout.strip()
        for seed in (1, 2)
    }
    assert outs == {run_hashes(scene(), 40)[-1]}


def test_threads_do_not_change_the_result() -> None:
    threaded = scene()
    threaded.threads = 2
    try:
        assert run_hashes(threaded, 30) == run_hashes(scene(), 30)
    finally:
        threaded.close()


def test_a_bare_pymunk_space_would_not_restore_exactly() -> None:
    """Why DeterministicSpace exists: pymunk's own pickle of a default space loses
    state (bias velocities, broad-phase order) and diverges at once."""

    def pile(space: pymunk.Space) -> pymunk.Space:
        space.gravity = (0.0, 9.81)
        space.add(pymunk.Segment(space.static_body, (-10.0, 5.0), (10.0, 5.0), 0.1))
        rng = np.random.default_rng(1)
        for x, y in rng.uniform((-3.0, 0.0), (3.0, 4.0), size=(40, 2)).tolist():
            body = pymunk.Body(1.0, pymunk.moment_for_circle(1.0, 0.0, 0.3))
            body.position = (x, y)
            space.add(body, pymunk.Circle(body, 0.3))
        return space

    def state(space: pymunk.Space) -> list[tuple[float, ...]]:
        return [(*b.position, *b.velocity) for b in space.bodies]

    bare = pile(pymunk.Space())
    for _ in range(60):
        bare.step(1 / 60)
    copy = pickle.loads(pickle.dumps(bare))
    bare.step(1 / 60)
    copy.step(1 / 60)
    assert state(bare) != state(copy)


def test_state_from_another_pymunk_version_is_refused() -> None:
    physics = PhysicsWorld()
    state = physics.space.__getstate__()
    state["special"] = [(k, "0.0.1" if k == "pymunk_version" else v) for k, v in state["special"]]
    fresh = physics.space.__class__.__new__(physics.space.__class__)
    with pytest.raises(PhysicsStateError, match=r"saved with pymunk 0\.0\.1") as info:
        fresh.__setstate__(state)
    assert info.value.found == "0.0.1" and info.value.expected == pymunk.version


def test_shape_ids_survive_the_round_trip_after_gaps() -> None:
    app = App(seed=2)
    app.add_plugin(plugin)
    w = app.world
    ids = [w.spawn(Position(float(i), 0.0), Collider(radius=0.3)) for i in range(6)]
    app.tick()
    physics = physics_of(app)
    physics.remove_body(ids[1])
    physics.compact()  # shape ids now have a gap
    w.despawn(ids[1])
    late = w.spawn(Position(20.0, 0.0), Collider(radius=0.3))
    app.tick()
    live = {e: physics._shapes[e]._hashid for e in physics.entities().tolist()}
    assert live[late] == 6 and live[ids[2]] == 2
    back = World.from_snapshot(w.snapshot()).resource(PhysicsWorld)
    assert {e: back._shapes[e]._hashid for e in back.entities().tolist()} == live


def test_snapshot_after_compaction_and_new_spawns_continues_identically() -> None:
    def churn() -> App:
        app = App(seed=8)
        app.add_plugin(plugin, config=PhysicsConfig(gravity_mps2=(0.0, 9.81)))
        w = app.world
        add_static_map(w, ROOM)
        for wave in range(3):
            ids = [
                w.spawn(
                    Position(2.0 + 0.6 * (i % 12), 1.5 + 0.6 * (i // 12)),
                    Velocity(),
                    RigidBody(),
                    Collider(radius=0.25),
                )
                for i in range(70)
            ]
            app.run(20)
            for e in ids[wave * 10 :]:
                w.despawn(e)
        return app

    a, b = churn(), churn()
    snap = a.world.snapshot()
    assert run_hashes(restored_plain_gravity(snap), 60) == run_hashes(a, 60)
    assert run_hashes(b, 60)[-1] == a.world.hash()


def restored_plain_gravity(data: bytes) -> App:
    app = App(world=World.from_snapshot(data))
    app.add_plugin(plugin, config=PhysicsConfig(gravity_mps2=(0.0, 9.81)))
    return app


def test_component_changes_mid_run_keep_restores_exact() -> None:
    def edited() -> tuple[App, list[str], bytes]:
        app = scene()
        hashes = run_hashes(app, 20)
        w = app.world
        boxes = [int(e) for e in physics_of(app).entities()[:3]]
        w.set(boxes[0], Collider(shape=ShapeKind.BOX, width=0.7, height=0.3))  # rebuild
        w.set(boxes[1], RigidBody(kind=1))  # kinematic now: rebuild
        w.set(boxes[2], Collider(shape=ShapeKind.BOX, width=0.5, height=0.5, friction=0.0))
        hashes += run_hashes(app, 10)
        snap = w.snapshot()
        hashes += run_hashes(app, 40)
        return app, hashes, snap

    _, first, snap = edited()
    _, second, _ = edited()
    assert first == second
    assert run_hashes(restored(snap), 40) == first[30:]


def test_taking_snapshots_does_not_change_the_run() -> None:
    watched, plain = scene(), scene()
    hashes = []
    for _ in range(40):
        watched.tick()
        watched.world.snapshot()
        hashes.append(watched.world.hash())
    assert hashes == run_hashes(plain, 40)
