"""``astraweave bench all``: every benchmark in one process, one JSON document.

Runs, in this order: ``ecs``, ``nav`` (when the Moving AI data exists under
``../shared/data/movingai``), ``physics``, ``crowd`` (100,000 agents), ``planners``
(when :mod:`astraweave.cli._bench_planners` exists), ``llm`` (against the in-process
scripted HTTP server), ``scale`` (GOAP at 10 Hz, physics bodies) and ``soak`` (the
demo for 10,000 ticks). Each section is the JSON its own command prints, plus
``wall_s``; a benchmark that fails with a typed error records ``{"error": ...}``
and the others still run (``failed`` lists them; the command exits non-zero).
``quick=True`` runs every benchmark at a tiny size, to check the wiring (its figures
mean nothing).
"""

from __future__ import annotations

import importlib
import importlib.util
import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from astraweave.errors import AstraweaveError
from astraweave.profiling import machine_info

__all__ = ["BENCHES", "run_all_benches", "shared_movingai"]

BENCHES = ("ecs", "nav", "physics", "crowd", "planners", "llm", "scale", "soak")
"""The sections of the document, in the order they run."""


def shared_movingai() -> Path:
    """``../shared/data/movingai`` seen from the working directory."""
    return Path.cwd().parent / "shared" / "data" / "movingai"


def _entry(module: str, name: str) -> Callable[..., dict[str, Any]] | None:
    """A benchmark function, or ``None`` when its module does not exist."""
    full = f"astraweave.cli.{module}"
    if importlib.util.find_spec(full) is None:
        return None
    fn: Callable[..., dict[str, Any]] = getattr(importlib.import_module(full), name)
    return fn


def _plan(quick: bool, data: Path) -> dict[str, Callable[[], dict[str, Any]] | str]:
    """What each section runs (a thunk), or why it is skipped (a string)."""
    q = quick
    ecs = _entry("_bench_ecs", "run_ecs_bench")
    nav = _entry("_bench_nav", "run_nav_bench")
    phys = _entry("_bench_physics", "run_physics_bench")
    crowd = _entry("_bench_crowd", "run_crowd_bench")
    planners = _entry("_bench_planners", "run_planners_bench")
    llm = _entry("_bench_llm", "run_llm_bench")
    scale = _entry("_bench_scale", "run_scale_bench")
    soak = _entry("_bench_scale", "run_soak")
    arena, scen = data / "arena.map", data / "arena.map.scen"
    out: dict[str, Callable[[], dict[str, Any]] | str] = {}
    out["ecs"] = (
        (lambda: ecs(entities=1000 if q else 10_000, repeats=3 if q else 21))
        if ecs
        else "no _bench_ecs module"
    )
    if nav is None:
        out["nav"] = "no _bench_nav module"
    elif not (arena.exists() and scen.exists()):
        out["nav"] = f"{arena} or its .scen not found"
    else:
        out["nav"] = lambda: nav(arena, scen, repeats=1)
    out["physics"] = (
        (lambda: phys(bodies=50 if q else 1000, steps=20 if q else 600))
        if phys
        else "no _bench_physics module"
    )
    out["crowd"] = (
        (lambda: crowd(200 if q else 100_000, 5 if q else 300)) if crowd else "no _bench_crowd"
    )
    out["planners"] = (
        (lambda: planners(repeats=1, ticks=60, planners=("rule", "goap")) if q else planners())
        if planners
        else "no _bench_planners module"
    )
    out["llm"] = (
        (lambda: llm(None, 4 if q else 128, "fake-model", latency_s=0.05))
        if llm
        else "no _bench_llm module"
    )
    out["scale"] = (lambda: scale(quick=q)) if scale else "no _bench_scale module"
    out["soak"] = (
        (lambda: soak(200 if q else 10_000, trace=not q, sample_every=100 if q else 500))
        if soak
        else "no _bench_scale module"
    )
    return out


def run_all_benches(
    json_path: str | Path | None = None,
    *,
    quick: bool = False,
    only: tuple[str, ...] | None = None,
    data: Path | None = None,
    progress: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """Run every benchmark and return (and optionally write) one JSON document.

    Args:
        json_path: also write the document here (parents created).
        quick: tiny sizes, to check the wiring; the figures mean nothing.
        only: run just these sections (names of :data:`BENCHES`).
        data: the Moving AI folder (default :func:`shared_movingai`).
        progress: called with each section's name before it runs.

    Returns:
        ``{"benchmark": "all", "quick", "machine", "results": {name: section},
        "skipped": {name: why}, "failed": [names], "wall_s"}``; each section is
        its benchmark's JSON plus ``wall_s``, or ``{"error": "Type: message"}``.

    Raises:
        ValueError: an unknown name in ``only``.

    Example:
        >>> out = run_all_benches(quick=True, only=("physics",))
        >>> sorted(out["results"]), out["failed"]
        (['physics'], [])
    """
    chosen = BENCHES if only is None else tuple(only)
    unknown = [n for n in chosen if n not in BENCHES]
    if unknown:
        raise ValueError(f"unknown benchmarks {unknown}; known: {list(BENCHES)}")
    plan = _plan(quick, data if data is not None else shared_movingai())
    t_all = time.perf_counter()
    results: dict[str, Any] = {}
    skipped: dict[str, str] = {}
    failed: list[str] = []
    for name in chosen:
        job = plan[name]
        if isinstance(job, str):
            skipped[name] = job
            continue
        if progress is not None:
            progress(name)
        t0 = time.perf_counter()
        try:
            section = dict(job())
        except (AstraweaveError, OSError) as exc:  # recorded; the other benches still run
            section = {"error": f"{type(exc).__name__}: {exc}"}
            failed.append(name)
        section["wall_s"] = round(time.perf_counter() - t0, 2)
        results[name] = section
    out: dict[str, Any] = {
        "benchmark": "all",
        "quick": quick,
        "machine": machine_info(),
        "results": results,
        "skipped": skipped,
        "failed": failed,
        "wall_s": round(time.perf_counter() - t_all, 2),
    }
    if json_path is not None:
        path = Path(json_path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(out, indent=2, default=str) + "\n", encoding="utf-8")
    return out
