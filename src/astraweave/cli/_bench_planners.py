"""``astraweave bench planners``: plans per second of the rich planners on the demo.

The workload: each scenario (the built-in demo scenarios by default) runs with its
own planners (as the file says) and, every ``every_ticks`` ticks, the snapshot of
each agent that is up is captured (:func:`~astraweave.core.perceive`). While the
world is at that tick, every benchmarked planner plans once for each captured
snapshot and the sandbox validates the plan against that world: the ``validity``
share. Planners with running state (behaviour trees, the hybrid, GOAP's memory of
rejections) are reset before each of these plans, since the world does not run their
steps: validity is that of a first planning from each captured situation. Then, for
each planner, a fresh instance plans for every captured snapshot, ``repeats`` times
over, single-threaded: ``plans_per_s`` is per core.

GOAP is measured twice: as used (its search cache warm after a first pass; the
``cache_hit_rate`` of the timed passes is reported) and with the cache off
(``goap_uncached``: every planning runs its A* searches). Each figure carries its
ratio to the rule planner, timed in the same process.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from astraweave.core import (
    Agent,
    Scenario,
    Status,
    WorldSnapshot,
    builtin_scenario,
    builtin_scenarios,
    load_scenario,
    perceive,
    registry_of,
    validate,
)
from astraweave.errors import CliError, PlannerError
from astraweave.profiling import machine_info

__all__ = ["DEFAULT_PLANNERS", "run_planners_bench"]

DEFAULT_PLANNERS = ("rule", "utility", "goap", "goap_uncached", "bt")
"""The planners benchmarked by default."""

_BUDGET_S = 0.05


def _factories() -> dict[str, Callable[[], Any]]:
    from astraweave.ai._bt_planner import BehaviorTreePlanner
    from astraweave.ai._goap import GoapPlanner
    from astraweave.ai._hybrid import HybridPlanner
    from astraweave.ai._rule import RulePlanner
    from astraweave.ai._utility import UtilityPlanner

    return {
        "rule": RulePlanner,
        "utility": UtilityPlanner,
        "goap": GoapPlanner,
        "goap_uncached": lambda: GoapPlanner({"cache_size": 0}),
        "bt": BehaviorTreePlanner,
        "hybrid": lambda: HybridPlanner(GoapPlanner(), UtilityPlanner()),
    }


def _scenario(item: str | Path | Scenario) -> Scenario:
    if isinstance(item, Scenario):
        return item
    if isinstance(item, str) and item in builtin_scenarios():
        return builtin_scenario(item)
    return load_scenario(Path(item))


def _capture(
    sc: Scenario, planners: dict[str, Any], ticks: int | None, every_ticks: int, seed: int | None
) -> tuple[list[WorldSnapshot], dict[str, list[int]]]:
    """Run ``sc``; capture snapshots and validate each planner's plan on the spot."""
    from astraweave.ai import build_app

    app = build_app(sc, seed=seed)
    world = app.world
    reg = registry_of(world)
    rng = np.random.Generator(np.random.PCG64(0))
    snaps: list[WorldSnapshot] = []
    valid = {name: [0, 0] for name in planners}
    limit = sc.max_ticks if ticks is None else ticks
    for _ in range(limit):
        app.tick()
        if world.tick % every_ticks:
            continue
        up: list[int] = []
        for chunk in world.query(Agent, Status):
            st = chunk[Status]
            up += [int(chunk.entities[i]) for i in np.flatnonzero(~st.dead & ~st.downed)]
        for entity in sorted(up):
            snap = perceive(world, entity, registry=reg)
            snaps.append(snap)
            for name, planner in planners.items():
                valid[name][1] += 1
                reset = getattr(planner, "reset", None)
                if callable(reset):
                    reset()  # plan from this situation afresh: its steps never ran
                try:
                    plan = planner.plan(snap, reg, rng=rng, budget_s=_BUDGET_S)
                except PlannerError:
                    continue
                valid[name][0] += int(validate(plan, world, entity, registry=reg).ok)
    app.close()
    return snaps, valid


def _time(planner: Any, snaps: Sequence[WorldSnapshot], reg: Any, repeats: int) -> float:
    rng = np.random.Generator(np.random.PCG64(0))
    t0 = time.perf_counter()
    for _ in range(repeats):
        for snap in snaps:
            planner.plan(snap, reg, rng=rng, budget_s=_BUDGET_S)
    return time.perf_counter() - t0


def run_planners_bench(
    scenarios: Sequence[str | Path | Scenario] | None = None,
    *,
    repeats: int = 5,
    planners: Sequence[str] = DEFAULT_PLANNERS,
    ticks: int | None = None,
    every_ticks: int = 10,
    seed: int | None = None,
) -> dict[str, Any]:
    """Benchmark planners on snapshots captured from scenarios (module docstring).

    Args:
        scenarios: built-in scenario names, scenario files or :class:`Scenario`
            objects (default: every built-in demo scenario).
        repeats: timed passes over the captured snapshots.
        planners: names among ``rule``, ``utility``, ``goap``, ``goap_uncached``,
            ``bt`` and ``hybrid``.
        ticks: ticks to run each scenario (default: its ``max_ticks``).
        every_ticks: capture snapshots every this many ticks.
        seed: world seed (default: each scenario's).

    Returns:
        A JSON-ready dict: ``benchmark``, ``machine``, ``workload`` (scenarios,
        snapshots, repeats, every_ticks, ticks) and ``planners``: per planner
        ``plans``, ``seconds``, ``plans_per_s``, ``us_per_plan``, ``ratio_vs_rule``
        (plans/s over the rule planner's), ``validity`` (share of the captured
        situations whose plan the sandbox accepted) and, for ``goap``,
        ``cache_hit_rate``.

    Raises:
        CliError: an unknown planner name, or bad numbers.

    Example:
        >>> out = run_planners_bench(repeats=1, ticks=60, planners=("rule", "goap"))
        >>> sorted(out["planners"]), out["planners"]["goap"]["validity"] > 0.9
        (['goap', 'rule'], True)
    """
    known = _factories()
    unknown = [p for p in planners if p not in known]
    if unknown:
        raise CliError(f"unknown planners {unknown}; known: {sorted(known)}")
    if repeats < 1 or every_ticks < 1 or (ticks is not None and ticks < 1):
        raise CliError("repeats, every_ticks and ticks must be >= 1")
    names = list(scenarios) if scenarios is not None else list(builtin_scenarios())
    scs = [_scenario(n) for n in names]
    snaps: list[WorldSnapshot] = []
    valid: dict[str, list[int]] = {p: [0, 0] for p in planners}
    reg = None
    for sc in scs:
        checkers = {p: known[p]() for p in planners}
        got, v = _capture(sc, checkers, ticks, every_ticks, seed)
        snaps += got
        for p in planners:
            valid[p][0] += v[p][0]
            valid[p][1] += v[p][1]
        reg = registry_of(sc.build_world(seed))
    if not snaps:
        raise CliError("no snapshot was captured: run more ticks or capture more often")
    out: dict[str, dict[str, Any]] = {}
    for p in planners:
        planner = known[p]()
        if p == "goap":
            _time(planner, snaps, reg, 1)  # warm the cache, as a running game would
            planner.stats.update(cache_hits=0, cache_misses=0)
        seconds = _time(planner, snaps, reg, repeats)
        n = len(snaps) * repeats
        entry: dict[str, Any] = {
            "plans": n,
            "seconds": round(seconds, 4),
            "plans_per_s": round(n / seconds, 1),
            "us_per_plan": round(1e6 * seconds / n, 2),
            "validity": round(valid[p][0] / valid[p][1], 4) if valid[p][1] else None,
        }
        if p == "goap":
            entry["cache_hit_rate"] = round(planner.cache_hit_rate(), 4)
        out[p] = entry
    base = out.get("rule", {}).get("plans_per_s")
    for entry in out.values():
        entry["ratio_vs_rule"] = round(entry["plans_per_s"] / base, 3) if base else None
    return {
        "benchmark": "planners",
        "machine": machine_info(),
        "workload": {
            "scenarios": [sc.name for sc in scs],
            "snapshots": len(snaps),
            "repeats": repeats,
            "every_ticks": every_ticks,
            "ticks": ticks,
            "seed": seed,
            "single_thread": True,
        },
        "planners": out,
    }
