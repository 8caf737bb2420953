"""Physics benchmark: a reproducible colliding scene, per-tick time and the final hash.

The scene: ``bodies`` dynamic bodies (alternately discs of radius 0.3 m and 0.5 m
boxes, 1 kg, restitution 0.5) placed on a jittered grid inside a square room of
walls (an ASCII tile map, merged into 4 boxes), about 4 m² of floor per body, each
with a random velocity of up to 4 m/s from the world's seeded generator. Gravity is
off (top-down), so bodies bounce around and collide for the whole run.

Timed: each ``app.tick()`` (physics plugin only: push, step, pull), reported as
median / p95 / mean milliseconds, with the per-system split from profiling spans.
Baseline, in the same process: the same bodies stepped by a bare ``pymunk.Space``
(default bounding-box tree, no ECS), so ``ratio_to_bare_pymunk`` is the cost of the
ECS sync and of the determinism measures.
"""

from __future__ import annotations

import math
import statistics
import time
from typing import Any

import numpy as np
import numpy.typing as npt
import pymunk

from astraweave.ecs import App, Position, Velocity, World, columns
from astraweave.physics import (
    Collider,
    PhysicsConfig,
    PhysicsWorld,
    RigidBody,
    ShapeKind,
    add_static_map,
    plugin,
)
from astraweave.physics._sync import push_to_space
from astraweave.profiling import Profiler, machine_info

__all__ = ["build_scene", "run_physics_bench"]

_AREA_PER_BODY_M2 = 4.0
_MAX_SPEED = 4.0


def _room(side: int) -> str:
    wall = "#" * side
    inner = "#" + "." * (side - 2) + "#"
    return "\n".join([wall, *([inner] * (side - 2)), wall])


def _layout(
    world: World, bodies: int, side: int
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    per_row = math.ceil(math.sqrt(bodies))
    pitch = (side - 2.0) / per_row
    k = np.arange(bodies)
    jitter = world.rng.uniform(-0.15, 0.15, size=(bodies, 2)) * pitch
    pos = np.column_stack((1.0 + (k % per_row + 0.5) * pitch, 1.0 + (k // per_row + 0.5) * pitch))
    angle = world.rng.uniform(0.0, 2 * math.pi, size=bodies)
    speed = world.rng.uniform(0.0, _MAX_SPEED, size=bodies)
    vel = np.column_stack((np.cos(angle), np.sin(angle))) * speed[:, None]
    return pos + jitter, vel


def build_scene(bodies: int, *, seed: int = 1, config: PhysicsConfig | None = None) -> App:
    """The benchmark scene in a fresh :class:`App` with the physics plugin.

    Args:
        bodies: number of dynamic bodies (>= 1).
        seed: the world's seed (positions and velocities come from its generator).
        config: physics configuration (default ``PhysicsConfig()``).
    """
    app = App(seed=seed)
    app.add_plugin(plugin, config=config or PhysicsConfig())
    world = app.world
    side = max(8, math.ceil(math.sqrt(bodies * _AREA_PER_BODY_M2)) + 2)
    add_static_map(world, _room(side))
    pos, vel = _layout(world, bodies, side)
    discs = np.arange(bodies) % 2 == 0
    shapes = (
        (True, Collider(radius=0.3, restitution=0.5)),
        (False, Collider(shape=ShapeKind.BOX, width=0.5, height=0.5, restitution=0.5)),
    )
    for is_disc, shape in shapes:
        sel = discs == is_disc
        n = int(sel.sum())
        if not n:
            continue
        world.spawn_batch(
            n,
            columns(Position, x=pos[sel, 0], y=pos[sel, 1]),
            columns(Velocity, x=vel[sel, 0], y=vel[sel, 1]),
            RigidBody(mass=1.0),
            shape,
        )
    return app


def _bare_pymunk(app: App, steps: int) -> list[float]:
    """Per-step ms of the same bodies in a bare pymunk.Space (default broad phase)."""
    src = app.world.resource(PhysicsWorld)
    push_to_space(app.world, src)  # create the bodies (the first tick would)
    space = pymunk.Space()
    space.iterations = src.config.iterations
    space.collision_slop = src.config.collision_slop_m
    for shape in src.space.shapes:
        body = shape.body
        if body is None:  # pragma: no cover  (every shape here has a body)
            continue
        if body.body_type == pymunk.Body.STATIC:
            verts = [(v.x, v.y) for v in shape.get_vertices()]
            copy = pymunk.Poly(space.static_body, verts)
            space.add(copy)
            continue
        twin = pymunk.Body(body.mass, body.moment)
        twin.position, twin.velocity, twin.angle = body.position, body.velocity, body.angle
        if isinstance(shape, pymunk.Circle):
            clone: pymunk.Shape = pymunk.Circle(twin, shape.radius)
        else:
            clone = pymunk.Poly(twin, [(v.x, v.y) for v in shape.get_vertices()])
        clone.elasticity, clone.friction = shape.elasticity, shape.friction
        space.add(twin, clone)
    dt = app.world.dt
    out: list[float] = []
    for _ in range(steps):
        t0 = time.perf_counter()
        space.step(dt)
        out.append((time.perf_counter() - t0) * 1e3)
    return out


def _summary(ms: list[float]) -> dict[str, float]:
    ordered = sorted(ms)
    p95 = ordered[min(len(ordered) - 1, math.ceil(0.95 * len(ordered)) - 1)]
    return {
        "median_ms": round(statistics.median(ms), 4),
        "p95_ms": round(p95, 4),
        "mean_ms": round(statistics.fmean(ms), 4),
    }


def run_physics_bench(bodies: int = 1000, steps: int = 600) -> dict[str, Any]:
    """Run the benchmark scene and return its JSON-ready report.

    Args:
        bodies: dynamic bodies in the scene.
        steps: fixed ticks (1/60 s each) to run and time.

    Returns:
        ``{"benchmark": "physics", "machine", "workload", "results"}``; ``results``
        holds ``tick`` (median/p95/mean ms per tick), ``systems_ms_per_tick`` (push,
        step, pull), ``bare_pymunk_step`` (same statistics), ``ratio_to_bare_pymunk``
        (median tick / median bare step), ``final_hash`` (the world hash after the
        last tick: identical on every run on the same build) and ``contacts``.

    Example:
        >>> r = run_physics_bench(bodies=20, steps=5)
        >>> r["final_hash"] == run_physics_bench(bodies=20, steps=5)["final_hash"]
        True
    """
    if bodies < 1 or steps < 1:
        raise ValueError(f"bodies and steps must be >= 1, got {bodies}, {steps}")
    app = build_scene(bodies)
    bare = _bare_pymunk(build_scene(bodies), steps)
    tick_ms: list[float] = []
    prof = Profiler()
    with prof.recording():
        for _ in range(steps):
            t0 = time.perf_counter()
            app.tick()
            tick_ms.append((time.perf_counter() - t0) * 1e3)
    totals = prof.totals_ms()
    physics = app.world.resource(PhysicsWorld)
    tick = _summary(tick_ms)
    bare_s = _summary(bare)
    return {
        "benchmark": "physics",
        "machine": machine_info(),
        "workload": {
            "bodies": bodies,
            "steps": steps,
            "dt_s": app.world.dt,
            "scene": "discs r=0.3 m and 0.5 m boxes, 1 kg, restitution 0.5, "
            f"random speeds <= {_MAX_SPEED} m/s, in a walled room "
            f"({_AREA_PER_BODY_M2} m² per body), gravity off",
            "map_boxes": physics.static_shape_count,
            "config": physics.config.describe(),
            "pymunk": pymunk.version,
        },
        "results": {
            "tick": tick,
            "systems_ms_per_tick": {
                name.removeprefix("physics."): round(totals.get(name, 0.0) / steps, 4)
                for name in ("physics.push", "physics.step", "physics.pull")
            },
            "bare_pymunk_step": bare_s,
            "ratio_to_bare_pymunk": (
                round(tick["median_ms"] / bare_s["median_ms"], 2) if bare_s["median_ms"] else None
            ),
            "contacts": len(physics.touching),
            "final_hash": app.world.hash(),
        },
    }
