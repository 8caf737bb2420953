"""``astraweave demo crowd``: thousands of bouncing entities on the bare ECS."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import numpy as np
import typer
from rich.table import Table

from astraweave.cli._app import console, demo_app
from astraweave.ecs import App, Position, Stage, Velocity, World, columns, component

__all__ = ["run_bouncing"]

ARENA_M = 100.0


@component
class Bounces:
    """How often an entity hit the arena's walls."""

    count: int = 0


def _integrate(world: World) -> None:
    dt = world.dt
    for chunk in world.query(Position, Velocity, Bounces):
        pos, vel, bounces = chunk[Position], chunk[Velocity], chunk[Bounces]
        pos.x += vel.x * dt
        pos.y += vel.y * dt
        for p, v in ((pos.x, vel.x), (pos.y, vel.y)):
            hit = (p < 0.0) | (p > ARENA_M)
            v[hit] *= -1.0
            np.clip(p, 0.0, ARENA_M, out=p)
            bounces.count += hit


def run_bouncing(
    *, entities: int = 5000, ticks: int = 300, seed: int = 7, threads: int = 1
) -> dict[str, Any]:
    """Simulate ``entities`` bouncing in a 100 m arena for ``ticks`` steps.

    Returns:
        A summary: entity count, ticks, total bounces, mean speed, centroid, the
        world hash and the wall-clock milliseconds per tick.
    """
    sim = App(seed=seed, threads=threads)
    rng = sim.world.rng
    sim.world.spawn_batch(
        entities,
        columns(Position, x=rng.uniform(0, ARENA_M, entities), y=rng.uniform(0, ARENA_M, entities)),
        columns(Velocity, x=rng.normal(0, 5, entities), y=rng.normal(0, 5, entities)),
        Bounces(),
    )
    sim.add_system(
        _integrate, stage=Stage.PHYSICS, writes=[Position, Velocity, Bounces], name="integrate"
    )
    t0 = time.perf_counter()
    sim.run(ticks)
    elapsed = time.perf_counter() - t0
    world = sim.world
    (chunk,) = world.query(Position, Velocity, Bounces)
    speed = np.hypot(chunk[Velocity].x, chunk[Velocity].y)
    return {
        "entities": entities,
        "ticks": ticks,
        "seed": seed,
        "bounces": int(chunk[Bounces].count.sum()),
        "mean_speed_mps": round(float(speed.mean()), 6),
        "centroid": [
            round(float(chunk[Position].x.mean()), 6),
            round(float(chunk[Position].y.mean()), 6),
        ],
        "world_hash": world.hash(),
        "ms_per_tick": round(elapsed * 1000 / max(ticks, 1), 3),
    }


@demo_app.command("crowd")
def demo_crowd(
    entities: int = typer.Option(5000, help="Moving entities to simulate."),
    ticks: int = typer.Option(300, help="Fixed steps (60 Hz) to run."),
    seed: int = typer.Option(7, help="World seed (same seed, same hash)."),
    out: Path | None = typer.Option(None, "--out", help="Folder to write summary.json into."),
) -> None:
    """A small ECS world: thousands of bouncing entities, a summary and the world hash."""
    summary = run_bouncing(entities=entities, ticks=ticks, seed=seed)
    table = Table(title="astraweave demo: bouncing crowd")
    table.add_column("what")
    table.add_column("value", justify="right")
    for key, value in summary.items():
        table.add_row(key, str(value))
    console.print(table)
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        (out / "summary.json").write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
        console.print(f"wrote {out / 'summary.json'}")
