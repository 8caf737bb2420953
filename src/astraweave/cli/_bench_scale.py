"""``astraweave bench scale`` and ``astraweave bench soak``: realistic scale.

**Per-agent planners at 10 Hz** (:func:`run_goap_capacity`): how many agents fit in a
60 Hz tick (p95 under 16.7 ms) when each one runs the per-agent GOAP planner ten times
a second. The workload is a whole game: two teams of guards (half each) in an arena
with low cover, each patrolling towards the other side; every tick runs the full loop
(core's perception memory, the game rules, the AI system: snapshot, GOAP plan, sandbox
validation, the executor running plan steps, movement, shots, damage). Agents plan
every 6 ticks, staggered so that a sixth of them plans on each tick; hit points are
high (1,000) so that the population stays constant over the timed window.
``movement="physics"`` makes every agent a pymunk body with a character controller.

**Agents as physics bodies** (:func:`run_bodies_capacity`): how many character
controllers fit, without a planner: agents walk to random goals on navmesh paths
(nav's re-path system and the locomotion bridge), with separation steering and
collisions, and get a new goal when they arrive.

**Capacity** (:func:`find_capacity`): the agent count doubles until a run misses the
target, then bisects to within 10 %. Each count is a fresh world; the JSON keeps every
run (p50, p95, max, mean tick times and the world hash), so noisy points show.

**Soak** (:func:`run_soak`): the demo scenario for 10,000 ticks with memory samples
(``tracemalloc``, the resident set, objects tracked by the garbage collector, live
entities), errors (exceptions, plannings that produced no plan) and the final hash.
"""

from __future__ import annotations

import math
import time
import tracemalloc
from collections.abc import Callable
from typing import Any

import numpy as np

from astraweave.errors import AstraweaveError, CliError
from astraweave.profiling import machine_info

__all__ = [
    "GOAP_CADENCE_TICKS",
    "SOAK_BOUND_BYTES",
    "TARGET_MS",
    "bodies_app",
    "find_capacity",
    "goap_harness",
    "measure_bodies",
    "measure_goap",
    "run_bodies_capacity",
    "run_goap_capacity",
    "run_scale_bench",
    "run_soak",
]

TARGET_MS = 1000.0 / 60.0
"""The tick budget at 60 Hz, milliseconds."""
GOAP_CADENCE_TICKS = 6
"""Ticks between two plannings of one agent (10 Hz at 60 Hz)."""
SOAK_BOUND_BYTES = 8 << 20
"""The soak's memory bound: traced bytes may grow at most this much after warm-up.
What grows is bounded by design: the tool registry's memo of parsed plans (one entry
per plan started, about 2 KB each, cleared when it passes 1,024 entries: at most about
2.1 MB) and the tile map's path memo (at most 4,097 paths); 8 MiB covers both with
room. Measured: clearing those two memos after a 4,000-tick run gives back all but
about 50 KB of the growth."""

_GOAP_HP = 1000.0
_BODY_RADIUS = 0.3


def _percentiles(ms: np.ndarray[Any, np.dtype[np.float64]]) -> dict[str, float]:
    return {
        "p50_ms": round(float(np.percentile(ms, 50)), 3),
        "p95_ms": round(float(np.percentile(ms, 95)), 3),
        "max_ms": round(float(ms.max()), 3),
        "mean_ms": round(float(ms.mean()), 3),
    }


# --------------------------------------------------------------------- GOAP at 10 Hz
def _arena(
    agents: int, contact: bool
) -> tuple[list[str], list[tuple[float, float]], list[tuple[float, float]]]:
    """An arena for ``agents`` guards: bordered, low cover in the middle third, spawn
    tiles (every other tile) for blue on the left third and red on the right; without
    ``contact`` a wall down the middle keeps the teams out of each other's sight."""
    per_team = -(-agents // 2)
    side = 16
    while True:
        zone_w = max(3, side // 3)
        spots = [(cx, cy) for cy in range(1, side - 1, 2) for cx in range(1, zone_w, 2)]
        if len(spots) >= per_team:
            break
        side += 4
    rng = np.random.Generator(np.random.PCG64(side))
    rows = (
        [["#"] * side] + [["#", *["."] * (side - 2), "#"] for _ in range(side - 2)] + [["#"] * side]
    )
    lo, hi = zone_w + 1, side - zone_w - 1
    if hi - lo >= 3:
        for _ in range(max(1, (hi - lo) * (side - 2) // 10)):
            cx = int(rng.integers(lo, hi))
            cy = int(rng.integers(1, side - 1))
            rows[cy][cx] = "="
    if not contact:
        for row in rows:
            row[side // 2] = "#"
    blue = [(cx + 0.5, cy + 0.5) for cx, cy in spots[:per_team]]
    red = [(side - 1 - cx + 0.5, cy + 0.5) for cx, cy in spots[:per_team]]
    return ["".join(r) for r in rows], blue, red


def _walkable_x(rows: list[str], x: float, y: float) -> float:
    """The centre x of the floor tile of row ``y`` nearest to ``x``."""
    row = rows[int(y)]
    best = min(
        (cx for cx, ch in enumerate(row) if ch == "."), key=lambda cx: (abs(cx + 0.5 - x), cx)
    )
    return best + 0.5


def goap_harness(
    agents: int,
    *,
    seed: int = 0,
    movement: str = "kinematic",
    contact: bool = True,
    history: bool = False,
) -> Any:
    """The GOAP workload's world, built, not run yet (an
    :class:`~astraweave.testing.IntegrationHarness`).

    Args:
        agents: how many guards (two teams, half each).
        seed: the world seed.
        movement: ``"kinematic"`` or ``"physics"``.
        contact: ``True`` (a battle: the teams patrol towards each other and fight;
            a burst being fired is not interrupted, so an agent in a fight plans less
            often than 10 Hz) or ``False`` (a wall between the teams: every agent
            patrols and plans every 6 ticks, exactly 10 Hz).
        history: keep events and plan records (off for timing).

    Returns:
        The harness (world hashes not recorded).

    Raises:
        CliError: fewer than 2 agents.
    """
    from astraweave.core import Agent
    from astraweave.testing import IntegrationHarness

    if agents < 2:
        raise CliError(f"the GOAP workload needs at least 2 agents, got {agents}")
    rows, blue, red = _arena(agents, contact)
    h = IntegrationHarness(
        "\n".join(rows),
        name="goap_scale",
        objective="Hold the arena.",
        seed=seed,
        movement=movement,
        record_hashes=False,
        history=history,
    )
    width = len(rows[0])
    middle = width // 2
    n_blue = agents // 2 + agents % 2
    teams = [("blue", blue[:n_blue], 1.0), ("red", red[: agents // 2], -1.0)]
    for team, spots, direction in teams:
        for k, (x, y) in enumerate(spots):
            reach = x + direction * (width / 2) if contact else middle + 0.5 - 2.0 * direction
            far = _walkable_x(rows, reach, y)
            h.spawn_agent(
                f"{team}_{k}",
                (x, y),
                team=team,
                planner="goap",
                role="guard",
                patrol=[(x, y), (far, y)],
                hp=_GOAP_HP,
                max_hp=_GOAP_HP,
                reserve=10_000,
                cadence_ticks=GOAP_CADENCE_TICKS,
                replan_ticks=GOAP_CADENCE_TICKS,
            )
    h.build()
    for chunk in h.world.query(Agent):
        n = len(chunk)
        chunk[Agent].next_plan_tick[:] = np.arange(n) % GOAP_CADENCE_TICKS
    return h


def measure_goap(
    agents: int,
    *,
    ticks: int = 180,
    warmup: int = 30,
    seed: int = 0,
    movement: str = "kinematic",
    contact: bool = True,
) -> dict[str, Any]:
    """Time ``ticks`` full frames of the GOAP workload (after ``warmup`` ticks).

    Args:
        agents, seed, movement, contact: see :func:`goap_harness`.
        ticks: timed ticks. warmup: untimed ticks first.

    Returns:
        ``agents``, ``movement``, ``contact``, tick time statistics (``p50_ms``,
        ``p95_ms``, ``max_ms``, ``mean_ms``), ``plannings`` per outcome,
        ``planning_hz_per_agent`` (plannings per agent per simulated second),
        ``alive`` (characters up at the end) and ``world_hash``.

    Example:
        >>> r = measure_goap(4, ticks=6, warmup=0, contact=False)
        >>> r["agents"], r["plannings"], r["planning_hz_per_agent"]
        (4, {'accepted': 4}, 10.0)
    """
    h = goap_harness(agents, seed=seed, movement=movement, contact=contact)
    try:
        for _ in range(warmup):
            h.tick()
        before = dict(h.plan_probe.counts)
        ms = np.array([h.tick() for _ in range(ticks)]) * 1000.0
        counts = {k: v - before.get(k, 0) for k, v in sorted(h.plan_probe.counts.items())}
        alive = sum(1 for n in h.characters() if h.life(n) == "up")
        seconds = ticks * h.world.dt
        return {
            "agents": agents,
            "movement": movement,
            "contact": contact,
            **_percentiles(ms),
            "plannings": counts,
            "planning_hz_per_agent": round(sum(counts.values()) / agents / seconds, 2),
            "alive": alive,
            "world_hash": h.hash(),
        }
    finally:
        h.close()


# -------------------------------------------------------------- physics bodies
def bodies_app(agents: int, *, seed: int = 0) -> Any:
    """The physics-bodies workload: ``agents`` character controllers in a room with
    pillars, walking to random goals on navmesh paths (an :class:`~astraweave.ecs.App`).

    Raises:
        CliError: fewer than 1 agent.
    """
    from astraweave import nav, physics
    from astraweave.core._locomotion import PathSync, locomotion_plugin
    from astraweave.ecs import App, Stage, World

    if agents < 1:
        raise CliError(f"the bodies workload needs at least 1 agent, got {agents}")
    side = max(12, math.ceil(math.sqrt(agents * 6.0)) + 2)
    rows = [["."] * side for _ in range(side)]
    for r in (0, side - 1):
        rows[r] = ["#"] * side
    for row in rows:
        row[0] = row[-1] = "#"
    for cy in range(4, side - 3, 6):
        for cx in range(4, side - 3, 6):
            rows[cy][cx] = "#"
    text = "\n".join("".join(r) for r in rows)
    grid = nav.GridMap.from_ascii(text)
    mesh = nav.NavMesh.from_grid(grid, agent_radius=_BODY_RADIUS)
    app = App(seed=seed)
    app.add_plugin(locomotion_plugin, navmesh=mesh)
    physics.add_static_map(app.world, text)
    free = np.argwhere(grid.walkable)  # (row, col)
    rng = app.world.rng
    picks = rng.choice(len(free), size=min(agents, len(free)), replace=False)
    goals = rng.integers(0, len(free), size=len(picks))
    for k, g in zip(picks.tolist(), goals.tolist(), strict=True):
        cy, cx = free[k]
        gy, gx = free[g]
        app.world.spawn(
            *physics.character_bundle(cx + 0.5, cy + 0.5, radius=_BODY_RADIUS, speed=2.0),
            nav.NavAgent(goal_x=gx + 0.5, goal_y=gy + 0.5),
            PathSync(),
        )

    reader_key = "astraweave.bench.arrived"

    def new_goals(world: World) -> None:
        from astraweave.ecs import EventReader

        arrived = EventReader(physics.Arrived, reader_key).read(world)
        for ev in arrived:
            gy, gx = free[int(world.rng.integers(0, len(free)))]
            agent = world.get(ev.entity, nav.NavAgent)
            agent.goal_x, agent.goal_y = gx + 0.5, gy + 0.5
            world.set(ev.entity, agent)

    app.add_system(new_goals, stage=Stage.POST_SIMULATION, name="bench.new_goals")
    return app


def measure_bodies(
    agents: int, *, ticks: int = 180, warmup: int = 30, seed: int = 0
) -> dict[str, Any]:
    """Time ``ticks`` frames of the physics-bodies workload after ``warmup``.

    Returns:
        ``agents``, tick time statistics, ``contacts_started`` (collisions begun in
        the timed window), ``arrivals`` and ``world_hash``.

    Example:
        >>> r = measure_bodies(3, ticks=5, warmup=0)
        >>> r["agents"], len(r["world_hash"])
        (3, 32)
    """
    from astraweave import physics
    from astraweave.ecs import EventReader

    app = bodies_app(agents, seed=seed)
    contacts = EventReader(physics.CollisionStarted, "astraweave.bench.contacts")
    arrivals = EventReader(physics.Arrived, "astraweave.bench.arrivals")
    try:
        for _ in range(warmup):
            app.tick()
        contacts.read(app.world)
        arrivals.read(app.world)
        ms = np.zeros(ticks)
        n_contacts = n_arrivals = 0
        for i in range(ticks):
            t0 = time.perf_counter()
            app.tick()
            ms[i] = (time.perf_counter() - t0) * 1000.0
            n_contacts += len(contacts.read(app.world))
            n_arrivals += len(arrivals.read(app.world))
        return {
            "agents": agents,
            **_percentiles(ms),
            "contacts_started": n_contacts,
            "arrivals": n_arrivals,
            "world_hash": app.world.hash(),
        }
    finally:
        app.close()


# -------------------------------------------------------------------- capacity
def find_capacity(
    measure: Callable[[int], dict[str, Any]],
    *,
    start: int = 8,
    limit: int = 8192,
    target_ms: float = TARGET_MS,
    metric: str = "p95_ms",
    resolution: float = 0.1,
) -> dict[str, Any]:
    """The largest agent count whose ``metric`` stays under ``target_ms``.

    Doubles from ``start`` until a run misses the target (or ``limit``), then bisects
    between the last count that passed and the first that failed until they are
    within ``resolution`` (relative) of each other.

    Args:
        measure: runs the workload for a count and returns its figures.
        start: the first count. limit: the largest count tried.
        target_ms: the budget. metric: which figure to compare.
        resolution: relative width at which bisection stops.

    Returns:
        ``capacity`` (the largest passing count; 0 when even ``start`` misses),
        ``first_over`` (the smallest failing count, ``None`` when none failed),
        ``target_ms``, ``metric`` and ``runs`` (every measurement, by count).

    Example:
        >>> find_capacity(lambda n: {"p95_ms": n / 10}, start=8, target_ms=16.7)["capacity"]
        160
    """
    runs: dict[int, dict[str, Any]] = {}

    def passes(n: int) -> bool:
        runs[n] = measure(n)
        return float(runs[n][metric]) < target_ms

    lo: int | None = None
    hi: int | None = None
    n = start
    while n <= limit:
        if passes(n):
            lo, n = n, n * 2
        else:
            hi = n
            break
    if lo is not None and hi is not None:
        while hi - lo > max(1, int(resolution * lo)):
            mid = (lo + hi) // 2
            if passes(mid):
                lo = mid
            else:
                hi = mid
    return {
        "capacity": lo or 0,
        "first_over": hi,
        "target_ms": round(target_ms, 3),
        "metric": metric,
        "runs": [runs[k] for k in sorted(runs)],
    }


def run_goap_capacity(
    *,
    movement: str = "kinematic",
    contact: bool = True,
    ticks: int = 180,
    warmup: int = 30,
    seed: int = 0,
    start: int = 8,
    limit: int = 4096,
    target_ms: float = TARGET_MS,
) -> dict[str, Any]:
    """How many agents fit at 60 Hz when each is due to plan with GOAP at 10 Hz.

    Args:
        movement, contact: see :func:`goap_harness` (``contact=False``: every agent
            really plans at 10 Hz; ``True``: a battle, see ``planning_hz_per_agent``
            in the runs for the rate reached).
        ticks, warmup, seed: see :func:`measure_goap`.
        start, limit, target_ms: see :func:`find_capacity`.

    Returns:
        :func:`find_capacity`'s result plus ``benchmark``, ``workload`` and
        ``machine``.
    """
    found = find_capacity(
        lambda n: measure_goap(
            n, ticks=ticks, warmup=warmup, seed=seed, movement=movement, contact=contact
        ),
        start=start,
        limit=limit,
        target_ms=target_ms,
    )
    scene = (
        "two teams of guards patrolling towards each other in an arena with low cover, "
        "then fighting"
        if contact
        else "two teams of guards patrolling on either side of a wall (no contact)"
    )
    return {
        "benchmark": "scale.goap",
        "workload": {
            "planner": "goap",
            "due_hz": 60 / GOAP_CADENCE_TICKS,
            "movement": movement,
            "contact": contact,
            "ticks": ticks,
            "warmup": warmup,
            "seed": seed,
            "scene": scene + "; full loop (perception memory, snapshot, GOAP, sandbox, "
            "executor, movement, shots, damage)",
        },
        **found,
        "machine": machine_info(),
    }


def run_bodies_capacity(
    *,
    ticks: int = 180,
    warmup: int = 30,
    seed: int = 0,
    start: int = 64,
    limit: int = 16384,
    target_ms: float = TARGET_MS,
) -> dict[str, Any]:
    """How many agents fit at 60 Hz as physics bodies (character controllers).

    Returns:
        :func:`find_capacity`'s result plus ``workload`` and ``machine``.
    """
    found = find_capacity(
        lambda n: measure_bodies(n, ticks=ticks, warmup=warmup, seed=seed),
        start=start,
        limit=limit,
        target_ms=target_ms,
    )
    return {
        "benchmark": "scale.bodies",
        "workload": {
            "ticks": ticks,
            "warmup": warmup,
            "seed": seed,
            "scene": "character controllers (r 0.3 m, 2 m/s) walking navmesh paths to random "
            "goals in a room with pillars, about 6 m² each; separation steering, collisions",
        },
        **found,
        "machine": machine_info(),
    }


def run_scale_bench(
    *, ticks: int = 180, warmup: int = 30, seed: int = 0, quick: bool = False
) -> dict[str, Any]:
    """Every capacity: GOAP at 10 Hz without contact (every agent plans at 10 Hz),
    in a battle (kinematic and physics movement), and physics bodies.

    Args:
        ticks: timed ticks per run. warmup: untimed ticks first. seed: world seed.
        quick: tiny sizes (2 to 8 agents, a few ticks) to check that it runs.

    Returns:
        ``{"benchmark": "scale", "goap_patrol", "goap_battle", "goap_battle_physics",
        "bodies", "machine"}``.
    """
    if quick:
        ticks, warmup = min(ticks, 6), 0
        goap_kw: dict[str, Any] = {"start": 2, "limit": 4}
        bodies_kw: dict[str, Any] = {"start": 4, "limit": 8}
    else:
        goap_kw, bodies_kw = {}, {}
    common: dict[str, Any] = {"ticks": ticks, "warmup": warmup, "seed": seed}
    return {
        "benchmark": "scale",
        "goap_patrol": run_goap_capacity(contact=False, **common, **goap_kw),
        "goap_battle": run_goap_capacity(contact=True, **common, **goap_kw),
        "goap_battle_physics": run_goap_capacity(
            contact=True, movement="physics", **common, **goap_kw
        ),
        "bodies": run_bodies_capacity(**common, **bodies_kw),
        "machine": machine_info(),
    }


# ------------------------------------------------------------------------ soak
def _soak_harness(seed: int | None) -> Any:
    from astraweave.core import builtin_scenario
    from astraweave.testing import IntegrationHarness

    return IntegrationHarness.from_scenario(
        builtin_scenario(), seed=seed, record_hashes=False, history=False
    )


def run_soak(
    ticks: int = 10_000,
    *,
    mode: str = "continuous",
    seed: int | None = None,
    sample_every: int = 500,
    warmup_ticks: int = 1000,
    trace: bool = True,
) -> dict[str, Any]:
    """Run the demo scenario for ``ticks`` ticks and watch memory and errors.

    Args:
        ticks: total ticks.
        mode: ``"continuous"``: one world for every tick (the mission's outcome does
            not stop it); ``"episodes"``: the demo again and again, a fresh world
            (seed + episode) each time its outcome is decided, so that whole worlds
            are built and dropped.
        seed: the first world's seed (default: the scenario's).
        sample_every: ticks between memory samples.
        warmup_ticks: growth is measured from the first sample at or after this tick.
        trace: trace Python allocations with ``tracemalloc`` (about 6x slower; the
            resident set and object counts are sampled either way).

    Returns:
        ``ticks``, ``mode``, ``episodes``, ``errors`` (exception and ``no_plan``
        descriptions), ``samples``, the growth after warm-up of traced bytes, resident
        set and tracked objects, ``bound_bytes`` (:data:`SOAK_BOUND_BYTES`),
        ``within_bound``, plan outcomes, events by kind, ``final_hash`` and
        ``wall_s``.

    Raises:
        CliError: unknown ``mode`` or ``ticks < 1``.

    Example:
        >>> r = run_soak(60, sample_every=30, warmup_ticks=0, trace=False)
        >>> r["ticks"], r["errors"], len(r["samples"]) >= 2
        (60, [], True)
    """
    from astraweave.testing import MemoryProbe

    if mode not in ("continuous", "episodes"):
        raise CliError(f"unknown soak mode {mode!r}; use 'continuous' or 'episodes'")
    if ticks < 1:
        raise CliError(f"the soak needs at least 1 tick, got {ticks}")
    started_tracing = trace and not tracemalloc.is_tracing()
    if started_tracing:
        tracemalloc.start(1)
    memory = MemoryProbe(every=sample_every)
    errors: list[str] = []
    plans: dict[str, int] = {}
    events: dict[str, int] = {}
    episodes = 0
    done = 0
    final_hash = ""
    t0 = time.perf_counter()
    try:
        while done < ticks:
            h = _soak_harness(None if seed is None else seed + episodes)
            episodes += 1
            try:
                h.build()
                while done < ticks:
                    h.tick()
                    done += 1
                    memory.after_tick(h, done - 1)
                    if mode == "episodes" and h.outcome.status != "running":
                        break
            except AstraweaveError as exc:  # a soak reports errors instead of dying
                errors.append(f"tick {done}: {type(exc).__name__}: {exc}")
                break
            finally:
                for k, v in h.plan_probe.counts.items():
                    plans[k] = plans.get(k, 0) + v
                for k, v in h.event_probe.counts.items():
                    events[k] = events.get(k, 0) + v
                final_hash = h.hash() if h.built else ""
                h.close()
        if memory.samples and memory.samples[-1].tick != done - 1 and h.built:
            memory.sample(h, done - 1)
    finally:
        if started_tracing:
            tracemalloc.stop()
    if plans.get("no_plan"):
        errors.append(f"{plans['no_plan']} plannings produced no plan")
    base = next((s for s in memory.samples if s.tick >= warmup_ticks), memory.samples[0])
    last = memory.samples[-1]
    traced = last.traced_bytes - base.traced_bytes
    return {
        "benchmark": "soak",
        "scenario": "hello_companion",
        "mode": mode,
        "ticks": done,
        "episodes": episodes,
        "errors": errors,
        "traced": trace,
        "warmup_tick": base.tick,
        "traced_growth_bytes": traced if trace else None,
        "rss_growth_bytes": last.rss_bytes - base.rss_bytes,
        "gc_objects_growth": last.gc_objects - base.gc_objects,
        "entities": [base.entities, last.entities],
        "bound_bytes": SOAK_BOUND_BYTES,
        "within_bound": (traced <= SOAK_BOUND_BYTES) if trace else None,
        "samples": [
            {
                "tick": s.tick,
                "traced_bytes": s.traced_bytes,
                "rss_bytes": s.rss_bytes,
                "gc_objects": s.gc_objects,
                "entities": s.entities,
            }
            for s in memory.samples
        ],
        "plannings": dict(sorted(plans.items())),
        "events": dict(sorted(events.items())),
        "final_hash": final_hash,
        "wall_s": round(time.perf_counter() - t0, 2),
        "machine": machine_info(),
    }
