"""``astraweave bench crowd``: a two-team crowd fighting on an open map with obstacles.

The workload: ``agents`` crowd agents (half per team, spawned in a checkerboard of
16 m team blocks so that fronts run everywhere, with core's default weapon, health and
speed, 60 rounds each, and attack cooldowns staggered uniformly over one cooldown so
they do not fire in synchronised volleys) on a square map sized for about 0.4 agents
per walkable square metre, with 10 % of the tiles covered by rectangular obstacles
(walls and low cover). Every tick runs the whole crowd loop: perception,
planning, validation, attacks (damage), movement with separation, deaths. The JSON
holds the tick times (p50/p95/max), the world hash, the machine, and what happened.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np

from astraweave.ai._crowd import CrowdTickReport, crowd_plugin, spawn_crowd
from astraweave.ai._crowd_state import CrowdConfig
from astraweave.ai._crowd_systems import CrowdRuntime, crowd_chunk
from astraweave.core import Ammo, Cooldowns, TileMap
from astraweave.ecs import App
from astraweave.errors import CliError
from astraweave.profiling import Profiler, machine_info

__all__ = ["bench_map", "run_crowd_bench"]

DENSITY_PER_M2 = 0.4
"""Agents per walkable square metre at the start."""
OBSTACLE_FRACTION = 0.10
"""Share of the tiles covered by obstacles."""
TEAM_BLOCK_M = 16
"""Side of the checkerboard blocks the two teams spawn in."""


def bench_map(agents: int, seed: int) -> TileMap:
    """The benchmark's map for ``agents``: square, bordered, with random rectangles.

    Args:
        agents: crowd size (sets the map size).
        seed: seed of the obstacle layout.

    Returns:
        A core ``TileMap``.
    """
    side = max(24, int(np.ceil(np.sqrt(agents / (DENSITY_PER_M2 * (1 - OBSTACLE_FRACTION))))))
    side = -(-side // 8) * 8
    tiles = np.full((side, side), ".", dtype="<U1")
    rng = np.random.Generator(np.random.PCG64(seed))
    covered = 0
    target = OBSTACLE_FRACTION * side * side
    while covered < target:
        w, h = (int(v) for v in rng.integers(1, 6, size=2))
        x0 = int(rng.integers(1, side - w - 1))
        y0 = int(rng.integers(1, side - h - 1))
        kind = "#" if rng.random() < 0.7 else "="  # wall, or low cover
        patch = tiles[y0 : y0 + h, x0 : x0 + w]
        covered += int((patch == ".").sum())
        patch[...] = kind
    return TileMap.from_ascii("\n".join("".join(row) for row in tiles))


def _spawn_points(tm: TileMap, agents: int, app: App) -> tuple[Any, Any, Any]:
    """Random walkable points in the main component, teams in a checkerboard."""
    from astraweave.ai._crowd_map import label_components

    labels = label_components(tm.walkable)
    sizes = np.bincount(labels.ravel())
    sizes[0] = 0
    main = labels == int(np.argmax(sizes))
    ys, xs = np.nonzero(main)
    rng = app.world.rng
    pick = rng.integers(0, len(xs), size=agents)
    x = xs[pick] + rng.uniform(0.05, 0.95, size=agents)
    y = ys[pick] + rng.uniform(0.05, 0.95, size=agents)
    team = ((x // TEAM_BLOCK_M).astype(np.int64) + (y // TEAM_BLOCK_M).astype(np.int64)) % 2
    return x, y, team


def build_crowd_app(
    agents: int, seed: int = 0, threads: int = 1, config: CrowdConfig | None = None
) -> App:
    """The benchmark's App: map, crowd plugin and ``agents`` agents (not run yet).

    Raises:
        CliError: ``agents < 2``.
    """
    if agents < 2:
        raise CliError(f"the crowd bench needs at least 2 agents, got {agents}")
    app = App(seed=seed, threads=threads)
    tm = bench_map(agents, seed)
    app.world.insert_resource(tm)
    app.add_plugin(crowd_plugin, config=config or CrowdConfig())
    x, y, team = _spawn_points(tm, agents, app)
    spawn_crowd(app.world, x, y, team, ammo=Ammo(rounds=60, magazine=60, reserve=0))
    planner = app.world.resource(CrowdRuntime).ensure(app.world)  # one-time set-up
    # agents arrive with staggered readiness (no synchronised volleys every cooldown)
    chunk = crowd_chunk(app.world)
    if chunk is not None:
        slot = chunk[Cooldowns].remaining_s[:, planner.rules.attack_slot]
        slot[:] = app.world.rng.uniform(0.0, planner.rules.attack_cooldown_s, len(chunk))
    return app


def run_crowd_bench(
    agents: int, ticks: int, seed: int = 0, threads: int = 1, profile: bool = False
) -> dict[str, Any]:
    """Run the crowd benchmark and return JSON-ready results.

    Args:
        agents: crowd size (two teams, half each).
        ticks: fixed steps to time (60 Hz).
        seed: world and map seed (same seed, same world hash).
        threads: worker threads of the App (systems that do not conflict run in
            parallel; the result is bit-identical).
        profile: also record spans and report milliseconds per system.

    Returns:
        ``agents``, ``ticks``, ``threads``, ``map``, tick times ``p50_ms``, ``p95_ms``,
        ``max_ms``, ``mean_ms``, ``world_hash``, ``survivors``, ``deaths``, ``attacks``,
        ``rejected`` and ``machine`` (plus ``profile_ms_per_tick`` when profiling).

    Raises:
        CliError: ``agents < 2`` or ``ticks < 1``.

    Example:
        >>> r = run_crowd_bench(200, 5)
        >>> r["agents"], r["ticks"], len(r["world_hash"])
        (200, 5, 32)
    """
    if ticks < 1:
        raise CliError(f"the crowd bench needs at least 1 tick, got {ticks}")
    app = build_crowd_app(agents, seed, threads)
    times = np.zeros(ticks)
    prof = Profiler() if profile else None
    reports: list[CrowdTickReport] = []
    try:
        for i in range(ticks):
            if prof is not None:
                with prof.recording():
                    t0 = time.perf_counter()
                    app.tick()
                    times[i] = time.perf_counter() - t0
            else:
                t0 = time.perf_counter()
                app.tick()
                times[i] = time.perf_counter() - t0
            reports.extend(
                r for r in app.world.read_events(CrowdTickReport) if r.tick == app.world.tick - 1
            )
    finally:
        app.close()
    ms = times * 1000.0
    last = reports[-1] if reports else None
    rejected: dict[str, int] = {}
    for r in reports:
        for name, count in r.rejected:
            rejected[name] = rejected.get(name, 0) + count
    tm = app.world.resource(TileMap)
    out: dict[str, Any] = {
        "benchmark": "crowd",
        "agents": agents,
        "ticks": ticks,
        "threads": threads,
        "seed": seed,
        "map": {"width": tm.width, "height": tm.height, "obstacles": OBSTACLE_FRACTION},
        "p50_ms": round(float(np.percentile(ms, 50)), 3),
        "p95_ms": round(float(np.percentile(ms, 95)), 3),
        "max_ms": round(float(ms.max()), 3),
        "mean_ms": round(float(ms.mean()), 3),
        "first_tick_ms": round(float(ms[0]), 3),
        "world_hash": app.world.hash(),
        "survivors": list(last.alive) if last is not None else [],
        "deaths": int(sum(sum(r.deaths) for r in reports)),
        "attacks": int(sum(r.attacks for r in reports)),
        "hits": int(sum(r.hits for r in reports)),
        "moves": int(sum(r.moves for r in reports)),
        "rejected": dict(sorted(rejected.items())),
        "machine": machine_info(),
    }
    if prof is not None:
        totals = prof.totals_ms()
        out["profile_ms_per_tick"] = {k: round(v / ticks, 3) for k, v in totals.items()}
    return out
