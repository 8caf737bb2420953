"""Grid path search benchmark: our A* and JPS against the ``pathfinding`` package's A*.

Every problem of a Moving AI ``.scen`` file is solved by each algorithm in the same
process, on the same map. ``pathfinding`` (a ``dev`` dependency, imported lazily) is
configured for the same rules: 8-connected, ``DiagonalMovement.only_when_no_obstacle``
(no corner cutting), octile heuristic. Its grid is built once and reset before each
query outside the timed region, so only its search is timed, as only ours is.

A length is *optimal* when it is within the problem's tolerance of the ``.scen`` value
(``1e-4``, or half a unit in the last printed digit when the file prints fewer digits
than that; see :class:`astraweave.nav.ScenarioProblem`).
"""

from __future__ import annotations

import gc
import math
import statistics
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from astraweave.errors import MapFormatError
from astraweave.nav import (
    GridMap,
    NavMesh,
    ScenarioProblem,
    load_movingai_scenarios,
    path_length,
)
from astraweave.profiling import machine_info

__all__ = ["run_nav_bench"]

Solver = Callable[[ScenarioProblem], Sequence[tuple[int, int]] | None]


def _percentile(values: list[float], q: float) -> float:
    """The ``q`` quantile (0..1) by linear interpolation between order statistics."""
    ordered = sorted(values)
    pos = (len(ordered) - 1) * q
    lo, hi = math.floor(pos), math.ceil(pos)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)


def _run(
    solve: Solver, problems: list[ScenarioProblem], repeats: int, reset: Callable[[], None]
) -> dict[str, Any]:
    times: list[float] = []
    optimal = 0
    found = 0
    worst = 0.0
    for problem in problems:
        samples: list[float] = []
        path: Sequence[tuple[int, int]] | None = None
        for _ in range(repeats):
            reset()
            t0 = time.perf_counter_ns()
            path = solve(problem)
            samples.append((time.perf_counter_ns() - t0) / 1000.0)
        times.append(statistics.median(samples))
        if path:
            found += 1
            error = abs(path_length(path) - problem.optimal_length)
            worst = max(worst, error)
            if error <= problem.tolerance:
                optimal += 1
    return {
        "problems": len(problems),
        "solved": found,
        "optimal": optimal,
        "max_length_error": worst,
        "median_us": statistics.median(times),
        "p95_us": _percentile(times, 0.95),
        "mean_us": statistics.fmean(times),
        "total_ms": sum(times) / 1000.0,
    }


def run_nav_bench(map_path: Path, scen_path: Path, repeats: int = 1) -> dict[str, Any]:
    """Solve every problem of a Moving AI scenario file with our A*, our JPS and the
    ``pathfinding`` package's A*; time each query and check each length.

    Args:
        map_path: the ``.map`` file.
        scen_path: its ``.scen`` file.
        repeats: runs per problem and algorithm; a problem's time is the median.

    Returns:
        A JSON-ready dict: ``benchmark``, ``machine``, ``workload`` (map, size,
        problems, repeats, JPS table build time) and ``algorithms``, one entry per
        algorithm with ``problems``, ``solved``, ``optimal``, ``max_length_error``,
        ``median_us``, ``p95_us``, ``mean_us``, ``total_ms`` and
        ``ratio_vs_pathfinding`` (the ``pathfinding`` median divided by this
        algorithm's median: how many times faster it is); and ``navmesh``: the build
        time and polygon count of a navmesh of the map and the median/p95 time of a
        funnel path between the centres of each problem's cells.

    Raises:
        MapFormatError: a malformed file, or a scenario for another map size.
        ImportError: the ``pathfinding`` package is not installed.
    """
    try:
        from pathfinding.core.diagonal_movement import DiagonalMovement
        from pathfinding.core.grid import Grid
        from pathfinding.finder.a_star import AStarFinder
    except ImportError as exc:  # pragma: no cover - dev dependency
        raise ImportError(
            "the nav benchmark's baseline needs pathfinding: pip install 'pathfinding>=1.0'",
            name="pathfinding",
        ) from exc
    repeats = max(1, int(repeats))
    grid = GridMap.from_movingai(map_path)
    problems = load_movingai_scenarios(scen_path)
    for p in problems:
        if (p.width, p.height) != (grid.width, grid.height):
            raise MapFormatError(
                f"{scen_path}: a problem is for a {p.width}x{p.height} map, "
                f"{map_path} is {grid.width}x{grid.height}",
                path=str(scen_path),
                line=None,
            )

    jps_build_us = 0.0
    if problems:
        # the first query of each algorithm builds its tables; time JPS's apart
        t0 = time.perf_counter_ns()
        grid.find_path(problems[0].start, problems[0].start, "jps")
        jps_build_us = (time.perf_counter_ns() - t0) / 1000.0
        grid.find_path(problems[0].start, problems[0].start, "astar")

    baseline = Grid(matrix=grid.walkable.astype(int).tolist())
    finder = AStarFinder(diagonal_movement=DiagonalMovement.only_when_no_obstacle)

    def reset_baseline() -> None:
        baseline.cleanup()
        baseline.dirty = False

    def solve_baseline(p: ScenarioProblem) -> list[tuple[int, int]] | None:
        nodes, _ = finder.find_path(baseline.node(*p.start), baseline.node(*p.goal), baseline)
        return [(n.x, n.y) for n in nodes] or None

    def nothing() -> None:
        return None

    solvers: dict[str, tuple[Solver, Callable[[], None]]] = {
        "astar": (lambda p: grid.find_path(p.start, p.goal, "astar"), nothing),
        "jps": (lambda p: grid.find_path(p.start, p.goal, "jps"), nothing),
        "pathfinding_astar": (solve_baseline, reset_baseline),
    }
    results: dict[str, dict[str, Any]] = {}
    gc.collect()
    enabled = gc.isenabled()
    gc.disable()
    try:
        for name, (solve, reset) in solvers.items():
            results[name] = _run(solve, problems, repeats, reset)
    finally:
        if enabled:
            gc.enable()
    base = results["pathfinding_astar"]["median_us"]
    mesh_figures = _navmesh_figures(grid, problems, repeats)
    for entry in results.values():
        entry["ratio_vs_pathfinding"] = base / entry["median_us"] if entry["median_us"] else None
    return {
        "benchmark": "nav",
        "machine": machine_info(),
        "workload": {
            "map": Path(map_path).name,
            "scenarios": Path(scen_path).name,
            "width": grid.width,
            "height": grid.height,
            "problems": len(problems),
            "repeats": repeats,
            "rules": "8-connected, straight 1, diagonal sqrt(2), no corner cutting",
            "jps_table_build_us": jps_build_us,
            "baseline": "pathfinding AStarFinder, DiagonalMovement.only_when_no_obstacle",
        },
        "algorithms": results,
        "navmesh": mesh_figures,
    }


def _navmesh_figures(
    grid: GridMap, problems: list[ScenarioProblem], repeats: int
) -> dict[str, Any]:
    """Build a navmesh of the map (agent radius 0, exact cells) and time a funnel path
    between the centres of each problem's start and goal cells."""
    t0 = time.perf_counter_ns()
    mesh = NavMesh.from_grid(grid)
    build_ms = (time.perf_counter_ns() - t0) / 1e6
    times: list[float] = []
    for p in problems:
        start = GridMap.cell_center(p.start)
        goal = GridMap.cell_center(p.goal)
        samples = []
        for _ in range(repeats):
            t0 = time.perf_counter_ns()
            mesh.find_path(start, goal)
            samples.append((time.perf_counter_ns() - t0) / 1000.0)
        times.append(statistics.median(samples))
    return {
        "agent_radius": 0.0,
        "polygons": mesh.polygon_count,
        "build_ms": build_ms,
        "queries": len(times),
        "median_us": statistics.median(times) if times else None,
        "p95_us": _percentile(times, 0.95) if times else None,
    }
