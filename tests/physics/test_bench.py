import json

from astraweave.cli._bench_physics import build_scene, run_physics_bench
from astraweave.physics import PhysicsWorld


def test_bench_is_reproducible_and_json_ready() -> None:
    first = run_physics_bench(bodies=40, steps=20)
    second = run_physics_bench(bodies=40, steps=20)
    assert first["results"]["final_hash"] == second["results"]["final_hash"]
    json.dumps(first)
    assert first["workload"]["bodies"] == 40 and first["workload"]["steps"] == 20
    assert first["workload"]["map_boxes"] == 4
    assert {"cpu", "cores", "python", "numpy"} <= set(first["machine"])
    for key in ("median_ms", "p95_ms", "mean_ms"):
        assert first["results"]["tick"][key] > 0
    assert set(first["results"]["systems_ms_per_tick"]) == {"push", "step", "pull"}


def test_scene_is_seeded_and_colliding() -> None:
    app = build_scene(50)
    app.run(120)
    physics = app.world.resource(PhysicsWorld)
    assert physics.body_count == 50
    assert len(physics.touching) > 0 or physics.steps == 120
    other = build_scene(50, seed=2)
    other.run(1)
    app2 = build_scene(50)
    app2.run(1)
    assert app2.world.hash() != other.world.hash()


def test_bad_arguments() -> None:
    import pytest

    with pytest.raises(ValueError, match="must be >= 1"):
        run_physics_bench(bodies=0, steps=1)
