"""``astraweave bench ...``: benchmarks that print JSON (machine, workload, figures)."""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

import typer
from rich.console import Console

from astraweave.cli._app import bench_app, console
from astraweave.cli._common import emit_json

__all__: list[str] = []


def _load(module: str, name: str) -> Any:
    """A benchmark entry point from ``astraweave.cli.<module>`` (imported when run)."""
    return getattr(importlib.import_module(f"astraweave.cli.{module}"), name)


_progress = Console(stderr=True)  # progress off stdout, which carries the JSON

_JSON = typer.Option(None, "--json", help="Also write the JSON to this file.")


@bench_app.command("ecs")
def bench_ecs(
    entities: int = typer.Option(10_000, help="Entities in simple_insert/simple_iter/add_remove."),
    repeats: int = typer.Option(21, help="Timed repetitions per workload (median reported)."),
    json_path: Path | None = _JSON,
) -> None:
    """The seven ecs_bench_suite workloads, with esper's versions as the baseline."""
    from astraweave.cli._bench_ecs import run_ecs_bench

    result = run_ecs_bench(entities=entities, repeats=repeats)
    emit_json(result, json_path)
    if not result["all_oracles"]:
        console.print("[red]an oracle failed[/red]")
        raise typer.Exit(1)


def _shared_data() -> Path:
    return Path.cwd().parent / "shared" / "data" / "movingai"


@bench_app.command("nav")
def bench_nav(
    map_path: Path = typer.Option(
        None, "--map", help="Moving AI .map file (default ../shared/data/movingai/arena.map)."
    ),
    scen_path: Path = typer.Option(None, "--scen", help="Moving AI .scen file for that map."),
    repeats: int = typer.Option(1, help="Timed repetitions of every problem."),
    json_path: Path | None = _JSON,
) -> None:
    """Grid A* and JPS on every problem of a Moving AI scenario, vs the pathfinding package."""
    run_nav_bench = _load("_bench_nav", "run_nav_bench")
    map_path = map_path or _shared_data() / "arena.map"
    scen_path = scen_path or Path(f"{map_path}.scen")
    if not map_path.exists() or not scen_path.exists():
        console.print(f"[red]missing {map_path} or {scen_path}[/red]")
        raise typer.Exit(2)
    emit_json(run_nav_bench(map_path, scen_path, repeats=repeats), json_path)


@bench_app.command("physics")
def bench_physics(
    bodies: int = typer.Option(1000, help="Dynamic bodies in the scene."),
    steps: int = typer.Option(600, help="Fixed steps to run."),
    json_path: Path | None = _JSON,
) -> None:
    """Per-step time of a colliding scene and its final state hash (identical every run)."""
    run_physics_bench = _load("_bench_physics", "run_physics_bench")
    emit_json(run_physics_bench(bodies=bodies, steps=steps), json_path)


@bench_app.command("crowd")
def bench_crowd(
    agents: int = typer.Option(100_000, help="Agents in the two-team crowd."),
    ticks: int = typer.Option(300, help="Ticks to run (after warm-up)."),
    seed: int = typer.Option(0, help="World seed (same seed, same hash)."),
    threads: int = typer.Option(1, help="System threads (bit-identical results)."),
    profile: bool = typer.Option(False, help="Add per-system span totals."),
    json_path: Path | None = _JSON,
) -> None:
    """A two-team crowd, full loop per tick: p50/p95/max tick time and the world hash."""
    run_crowd_bench = _load("_bench_crowd", "run_crowd_bench")
    emit_json(
        run_crowd_bench(agents, ticks, seed=seed, threads=threads, profile=profile), json_path
    )


@bench_app.command("planners")
def bench_planners(
    repeats: int = typer.Option(5, help="Passes over the captured snapshots."),
    json_path: Path | None = _JSON,
) -> None:
    """Plans/s of rule, utility, GOAP, BT and hybrid on snapshots of the demo scenarios."""
    run_planners_bench = _load("_bench_planners", "run_planners_bench")
    emit_json(run_planners_bench(repeats=repeats), json_path)


@bench_app.command("llm")
def bench_llm(
    url: str | None = typer.Option(
        None, "--url", help="OpenAI-compatible API root; default: an in-process scripted server."
    ),
    agents: int = typer.Option(64, help="Agents (requests per run)."),
    model: str = typer.Option("fake-model", "--model", help="Model name sent to the server."),
    latency_ms: float = typer.Option(50.0, help="In-process server latency per request (ms)."),
    llm: str | None = typer.Option(None, "--llm", help="'local': the embedded model."),
    json_path: Path | None = _JSON,
) -> None:
    """Plans/s and p50/p95 latency of LLM planning, sequential vs batched, same server."""
    if llm not in (None, "local"):
        raise typer.BadParameter("--llm accepts only 'local'")
    run_llm_bench = _load("_bench_llm", "run_llm_bench")
    emit_json(
        run_llm_bench(url, agents, model, latency_s=latency_ms / 1000, local=llm == "local"),
        json_path,
    )


@bench_app.command("scale")
def bench_scale(
    ticks: int = typer.Option(180, help="Timed ticks per measurement."),
    warmup: int = typer.Option(30, help="Untimed ticks before each measurement."),
    seed: int = typer.Option(0, help="World seed (same seed, same hashes)."),
    json_path: Path | None = _JSON,
) -> None:
    """Agents per 60 Hz tick: GOAP at 10 Hz (patrol, battle, physics) and physics bodies."""
    run_scale_bench = _load("_bench_scale", "run_scale_bench")
    emit_json(run_scale_bench(ticks=ticks, warmup=warmup, seed=seed), json_path)


@bench_app.command("soak")
def bench_soak(
    ticks: int = typer.Option(10_000, help="Ticks to run."),
    mode: str = typer.Option(
        "continuous", help="'continuous' (one world) or 'episodes' (a fresh world per outcome)."
    ),
    seed: int | None = typer.Option(None, help="First world seed (default: the scenario's)."),
    sample_every: int = typer.Option(500, help="Ticks between memory samples."),
    trace: bool = typer.Option(
        True, "--trace/--no-trace", help="Trace allocations with tracemalloc (about 6x slower)."
    ),
    json_path: Path | None = _JSON,
) -> None:
    """The demo for many ticks: memory samples, errors, the final hash."""
    run_soak = _load("_bench_scale", "run_soak")
    result = run_soak(ticks, mode=mode, seed=seed, sample_every=sample_every, trace=trace)
    emit_json(result, json_path)
    if result["errors"] or result["within_bound"] is False:
        console.print("[red]the soak found errors or memory growth beyond its bound[/red]")
        raise typer.Exit(1)


@bench_app.command("all")
def bench_all(
    json_path: Path | None = _JSON,
    quick: bool = typer.Option(
        False, help="Tiny sizes, to check the wiring (figures mean nothing)."
    ),
    only: list[str] | None = typer.Option(
        None, "--only", help="Run only this section (repeatable)."
    ),
) -> None:
    """Every benchmark (ecs, nav, physics, crowd, planners, llm, scale, soak) in one JSON."""
    run_all_benches = _load("_bench_all", "run_all_benches")
    result: dict[str, Any] = run_all_benches(
        quick=quick,
        only=tuple(only) if only else None,
        progress=lambda name: _progress.print(f"[dim]bench {name}[/dim]"),
    )
    emit_json(result, json_path)
    if result["failed"]:
        console.print(f"[red]failed: {', '.join(result['failed'])}[/red]")
        raise typer.Exit(1)
