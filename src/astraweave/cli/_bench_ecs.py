"""The ecs_bench_suite workloads on astraweave's ECS, and the same workloads in esper.

Each workload has an oracle (a check that the work was really done). esper is a
``dev`` dependency, imported lazily; written "the natural way" for esper: component
objects with attributes, updated entity by entity.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any

import numpy as np
from numpy.typing import NDArray

from astraweave.ecs import App, Shape, Stage, World, columns, component
from astraweave.profiling import machine_info

__all__ = ["run_ecs_bench"]


@component
class BTransform:
    """4x4 matrix (float32, as in the original Rust suite)."""

    m: Annotated[NDArray[np.float32], Shape(4, 4)]


@component
class BPosition:
    """3-vector (float32, as in the original Rust suite)."""

    v: Annotated[NDArray[np.float32], Shape(3)]


@component
class BRotation:
    """3-vector (float32, as in the original Rust suite)."""

    v: Annotated[NDArray[np.float32], Shape(3)]


@component
class BVelocity:
    """3-vector (float32, as in the original Rust suite)."""

    v: Annotated[NDArray[np.float32], Shape(3)]


@component
class BData:
    """A single float for fragmented_iter."""

    value: float = 1.0


def _scalar(name: str) -> type:
    cls = type(
        name, (), {"__annotations__": {"value": float}, "value": 0.0, "__module__": __name__}
    )
    return component(cls)


BA, BB, BC, BD, BE = (_scalar(f"S{c}") for c in "ABCDE")
FRAG = [_scalar(f"Frag{chr(65 + i)}") for i in range(26)]
for _cls in (BA, BB, BC, BD, BE, *FRAG):
    globals()[_cls.__name__] = _cls  # importable by qualified name (snapshots)


def _time(fn: Callable[[], Any], repeats: int) -> tuple[float, list[float]]:
    samples = []
    for _ in range(repeats):
        t0 = time.perf_counter_ns()
        fn()
        samples.append((time.perf_counter_ns() - t0) / 1000.0)
    return statistics.median(samples), samples


def _rot_x(angle: float) -> NDArray[np.float64]:
    c, s = np.cos(angle), np.sin(angle)
    m = np.eye(4)
    m[1, 1], m[1, 2], m[2, 1], m[2, 2] = c, -s, s, c
    return m


def _insert_world(n: int) -> World:
    world = World()
    world.spawn_batch(
        n,
        BTransform(np.eye(4, dtype=np.float32)),
        BPosition(np.array([1.0, 0.0, 0.0], dtype=np.float32)),
        BRotation(np.array([1.0, 0.0, 0.0], dtype=np.float32)),
        BVelocity(np.array([1.0, 0.0, 0.0], dtype=np.float32)),
    )
    return world


# ------------------------------------------------------------------ astraweave
def _aw_simple_insert(n: int, repeats: int) -> dict[str, Any]:
    med, _ = _time(lambda: _insert_world(n), repeats)
    world = _insert_world(n)
    ok = world.query(BTransform, BPosition, BRotation, BVelocity).count() == n
    return {"astraweave_us": med, "oracle": bool(ok)}


def _aw_simple_iter(n: int, repeats: int) -> dict[str, Any]:
    world = _insert_world(n)
    q = world.query(BPosition, BVelocity)

    def step() -> None:
        for chunk in q:
            chunk[BPosition].v += chunk[BVelocity].v

    med, samples = _time(step, repeats)
    xs = np.concatenate([c[BPosition].v[:, 0] for c in q])
    ok = bool(np.all(xs == 1.0 + len(samples)))
    return {"astraweave_us": med, "oracle": ok}


def _aw_fragmented_iter(repeats: int) -> dict[str, Any]:
    world = World()
    for cls in FRAG:
        world.spawn_batch(20, cls(), BData(1.0))
    q = world.query(BData)

    def step() -> None:
        for chunk in q:
            chunk[BData].value *= 2.0

    med, samples = _time(step, repeats)
    vals = np.concatenate([c[BData].value for c in q])
    ok = bool(len(vals) == 520 and np.all(vals == 2.0 ** len(samples)))
    return {"astraweave_us": med, "oracle": ok}


def _aw_heavy_compute(repeats: int) -> dict[str, Any]:
    world = World()
    world.spawn_batch(
        1000,
        BTransform(_rot_x(1.2).astype(np.float32)),
        BPosition(np.array([1.0, 0.0, 0.0], dtype=np.float32)),
        BRotation(np.array([1.0, 0.0, 0.0], dtype=np.float32)),
        BVelocity(np.array([1.0, 0.0, 0.0], dtype=np.float32)),
    )
    q = world.query(BTransform, BPosition)

    def step() -> None:
        for chunk in q:
            t = chunk[BTransform]
            m = t.m
            for _ in range(100):
                m = np.linalg.inv(m)
            t.m = m
            p = chunk[BPosition]
            p.v = np.einsum("nij,nj->ni", m[:, :3, :3], p.v)

    med, _ = _time(step, repeats)
    ms = np.concatenate([c[BTransform].m for c in q])
    ok = bool(np.allclose(ms, _rot_x(1.2), atol=1e-4))
    return {"astraweave_us": med, "oracle": ok}


def _aw_add_remove(n: int, repeats: int) -> dict[str, Any]:
    world = World()
    ids = world.spawn_batch(n, BA())

    def step() -> None:
        world.insert_batch(ids, BB())
        world.remove_batch(ids, BB)

    med, _ = _time(step, repeats)
    non_empty = [a for a in world.archetypes if a.len]
    ok = len(non_empty) == 1 and non_empty[0].key == frozenset({BA}) and non_empty[0].len == n
    return {"astraweave_us": med, "oracle": bool(ok)}


def _schedule_app(threads: int) -> App:
    app = App(seed=0, threads=threads)
    w = app.world
    n = 10_000
    rng = np.random.default_rng(5)
    for extra in ((), (BC,), (BC, BD), (BC, BE)):
        comps = [columns(c, value=rng.random(n)) for c in (BA, BB, *extra)]
        w.spawn_batch(n, *comps)

    def swap(x: type, y: type) -> Callable[[World], None]:
        def system(world: World) -> None:
            for chunk in world.query(x, y):
                a, b = chunk[x], chunk[y]
                tmp = a.value.copy()
                a.value = b.value
                b.value = tmp

        return system

    app.add_system(swap(BA, BB), stage=Stage.SIMULATION, writes=[BA, BB], name="ab")
    app.add_system(swap(BC, BD), stage=Stage.SIMULATION, writes=[BC, BD], name="cd")
    app.add_system(swap(BC, BE), stage=Stage.SIMULATION, writes=[BC, BE], name="ce")
    return app


def _aw_schedule(repeats: int) -> dict[str, Any]:
    def values(app: App) -> list[NDArray[Any]]:
        return [
            np.concatenate([c[k].value for c in app.world.query(k)]) for k in (BA, BB, BC, BD, BE)
        ]

    app = _schedule_app(1)
    start = values(app)
    runs = repeats + (repeats % 2)
    med, _ = _time(app.tick, runs)
    restored = all(np.array_equal(a, b) for a, b in zip(start, values(app), strict=True))
    with _schedule_app(2) as app2:
        med2, _ = _time(app2.tick, runs)
        same_hash = app2.world.hash() == app.world.hash()
    return {
        "astraweave_us": med,
        "astraweave_threads2_us": med2,
        "oracle": bool(restored and same_hash),
    }


def _aw_serialize(repeats: int) -> dict[str, Any]:
    world = _insert_world(1000)
    h = world.hash()

    def roundtrip() -> World:
        return World.from_snapshot(world.snapshot())

    med, _ = _time(roundtrip, repeats)
    data = world.snapshot()
    return {
        "astraweave_us": med,
        "bytes": len(data),
        "oracle": roundtrip().hash() == h,
    }


# ----------------------------------------------------------------------- esper
@dataclass
class _EPos:
    x: float = 1.0
    y: float = 0.0
    z: float = 0.0


@dataclass
class _EVel:
    x: float = 1.0
    y: float = 0.0
    z: float = 0.0


@dataclass
class _ERot:
    x: float = 1.0
    y: float = 0.0
    z: float = 0.0


@dataclass
class _ETransform:
    m: Any = None


@dataclass
class _EData:
    value: float = 1.0


@dataclass
class _EA:
    value: float = 0.0


@dataclass
class _EB:
    value: float = 0.0


def _esper_fresh(esper: Any, name: str) -> None:
    esper.switch_world(name)
    esper.clear_database()


def _esper_insert(esper: Any, n: int) -> None:
    for _ in range(n):
        esper.create_entity(_ETransform(np.eye(4)), _EPos(), _ERot(), _EVel())


def _esper_benches(n: int, repeats: int) -> dict[str, dict[str, Any]]:
    import esper

    out: dict[str, dict[str, Any]] = {}

    def insert() -> None:
        _esper_fresh(esper, "insert")
        _esper_insert(esper, n)

    out["simple_insert"] = {"esper_us": _time(insert, repeats)[0]}

    _esper_fresh(esper, "iter")
    _esper_insert(esper, n)

    def it() -> None:
        for _, (pos, vel) in esper.get_components(_EPos, _EVel):
            pos.x += vel.x
            pos.y += vel.y
            pos.z += vel.z

    med, samples = _time(it, repeats)
    xs = [p.x for _, p in esper.get_component(_EPos)]
    out["simple_iter"] = {"esper_us": med, "esper_oracle": all(x == 1 + len(samples) for x in xs)}

    _esper_fresh(esper, "frag")
    frag_types = [type(f"EFrag{chr(65 + i)}", (), {}) for i in range(26)]
    for t in frag_types:
        for _ in range(20):
            esper.create_entity(t(), _EData())

    def frag() -> None:
        for _, data in esper.get_component(_EData):
            data.value *= 2.0

    med, samples = _time(frag, repeats)
    out["fragmented_iter"] = {
        "esper_us": med,
        "esper_oracle": all(d.value == 2.0 ** len(samples) for _, d in esper.get_component(_EData)),
    }

    _esper_fresh(esper, "addrem")
    ents = [esper.create_entity(_EA()) for _ in range(n)]

    def addrem() -> None:
        for e in ents:
            esper.add_component(e, _EB())
        for e in ents:
            esper.remove_component(e, _EB)

    med, _ = _time(addrem, repeats)
    out["add_remove"] = {
        "esper_us": med,
        "esper_oracle": len(esper.get_component(_EA)) == n and not esper.get_component(_EB),
    }
    esper.switch_world("default")
    for name in ("insert", "iter", "frag", "addrem"):
        esper.delete_world(name)
    return out


def run_ecs_bench(entities: int = 10_000, repeats: int = 21) -> dict[str, Any]:
    """Run the seven workloads (and esper's four) and return the benchmark JSON.

    Args:
        entities: entity count of simple_insert / simple_iter / add_remove.
        repeats: timed repetitions per workload (the median is reported).

    Returns:
        ``{"benchmark": "ecs", "machine": ..., "workload": ..., "results": {name: {...}}}``
        where each result has ``astraweave_us`` (median µs per run), ``esper_us`` and
        ``ratio`` (esper / astraweave) where esper has the workload, and ``oracle``.
    """
    results: dict[str, dict[str, Any]] = {
        "simple_insert": _aw_simple_insert(entities, repeats),
        "simple_iter": _aw_simple_iter(entities, repeats),
        "fragmented_iter": _aw_fragmented_iter(repeats),
        "heavy_compute": _aw_heavy_compute(max(3, repeats // 5)),
        "add_remove": _aw_add_remove(entities, repeats),
        "schedule": _aw_schedule(repeats),
        "serialize": _aw_serialize(repeats),
    }
    try:
        esper_results = _esper_benches(entities, max(3, repeats // 3))
    except ImportError:
        esper_results = {}
    for name, er in esper_results.items():
        r = results[name]
        r.update(er)
        r["ratio"] = round(er["esper_us"] / r["astraweave_us"], 1) if r["astraweave_us"] else None
        r["oracle"] = bool(r["oracle"] and er.get("esper_oracle", True))
    return {
        "benchmark": "ecs",
        "machine": machine_info(),
        "workload": {"entities": entities, "repeats": repeats, "esper": bool(esper_results)},
        "results": results,
        "all_oracles": all(r["oracle"] for r in results.values()),
    }
