"""``astraweave demo hello-companion`` and ``astraweave replay`` (the AI contract demo).

The demo runs a scenario (default: the built-in ``hello_companion``) with the AI
loop: agents perceive, plan, get validated by the sandbox and act. It prints a tick
log (new plans, rejections, failures, hits, downs, deaths, heals, smoke, grenades), a
summary table, and optionally writes the outcome JSON, a top-down PNG and a replay
file. The same seed gives the same log, JSON and world hash; only the wall-clock
line at the end differs between runs.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import typer
from rich.markup import escape
from rich.table import Table

from astraweave.cli._app import app, console, demo_app
from astraweave.cli._llm_options import (
    LLM,
    LLM_TIMEOUT,
    LLM_URL,
    MODEL,
    LlmOptions,
    describe_client,
    llm_planner_from_options,
    plan_tier_summary,
)

__all__ = ["demo_summary", "format_event"]

_TEAM_STYLE = ["bold blue", "bold red", "bold green", "bold yellow", "bold magenta"]


def _name_of(names: dict[int, str], entity: int) -> str:
    return names.get(entity, f"#{entity}")


def _with_names(text: str, names: dict[int, str]) -> str:
    def repl(m: re.Match[str]) -> str:
        return f"{m.group(1)}={_name_of(names, int(m.group(2)))}"

    return re.sub(r"\b(target)=(\d+)", repl, text)


def format_event(ev: Any, names: dict[int, str], teams: dict[int, int], dt: float) -> str | None:
    """One rich-markup log line for a :class:`~astraweave.core.GameEvent`, or ``None``
    for events the log leaves out (misses, finished plans, scans)."""

    def who(e: int) -> str:
        style = _TEAM_STYLE[teams.get(e, 0) % len(_TEAM_STYLE)] if e in teams else "bold"
        return f"[{style}]{escape(_name_of(names, e))}[/]"

    t = f"[dim]{ev.tick * dt:6.2f}s[/]"
    kind = ev.kind
    detail = escape(_with_names(ev.detail, names))
    if kind == "plan_started":
        return f"{t} {who(ev.actor)} [cyan]plan[/] {detail}"
    if kind == "plan_rejected":
        return f"{t} {who(ev.actor)} [red]rejected[/] {detail}"
    if kind == "plan_failed":
        return f"{t} {who(ev.actor)} [yellow]plan failed[/] {detail}"
    if kind == "shot" and ev.detail == "hit":
        return f"{t} {who(ev.actor)} hits {who(ev.target)} for {ev.value:.0f}"
    if kind == "downed":
        by = f" by {who(ev.target)}" if ev.target >= 0 else ""
        return f"{t} {who(ev.actor)} [bold red]is down[/]{by} ({escape(ev.detail)})"
    if kind == "died":
        return f"{t} {who(ev.actor)} [bold red]died[/]"
    if kind == "revived":
        return f"{t} {who(ev.actor)} [green]revives[/] {who(ev.target)} ({ev.value:.0f} hp)"
    if kind == "healed":
        return f"{t} {who(ev.actor)} [green]heals[/] {who(ev.target)} (+{ev.value:.0f} hp)"
    if kind == "smoke":
        return f"{t} {who(ev.actor)} throws [white]smoke[/] at {detail}"
    if kind == "thrown":
        return f"{t} {who(ev.actor)} throws a [bold]grenade[/] at {detail}"
    if kind == "explosion":
        return f"{t} grenade of {who(ev.actor)} explodes, {ev.value:.0f} hurt"
    if kind == "marked":
        return f"{t} {who(ev.actor)} marks {who(ev.target)}"
    if kind == "distracted":
        return f"{t} {who(ev.actor)} distracts {ev.value:.0f} enemies at {detail}"
    if kind == "interacted":
        return f"{t} {who(ev.actor)} uses {who(ev.target)} ({escape(ev.detail)})"
    if kind == "reloaded":
        return f"{t} {who(ev.actor)} reloads ({ev.value:.0f} rounds)"
    return None


def demo_summary(result: Any, *, planner: str | None) -> dict[str, Any]:
    """The outcome JSON of a run (deterministic: no wall-clock values)."""
    from astraweave.core import Ammo, Health, Label, Mission, Status, Team

    world = result.world
    mission = world.resource(Mission)
    team_names = {v: k for k, v in mission.teams.items()}
    shots: dict[int, list[int]] = {}
    damage: dict[int, float] = {}
    for ev in result.events:
        if ev.kind == "shot":
            s = shots.setdefault(ev.actor, [0, 0])
            s[0] += 1
            s[1] += ev.detail == "hit"
            damage[ev.actor] = damage.get(ev.actor, 0.0) + ev.value
    agents = []
    for name, e in sorted(mission.names.items(), key=lambda kv: kv[1]):
        if not world.has(e, Team):
            continue
        st = world.get(e, Status)
        h = world.get(e, Health)
        ammo = world.try_get(e, Ammo)
        agents.append(
            {
                "name": world.get(e, Label).name or name,
                "team": team_names.get(world.get(e, Team).id, "?"),
                "hp": round(h.hp, 2),
                "state": "dead" if st.dead else ("down" if st.downed else "up"),
                "shots": shots.get(e, [0, 0])[0],
                "hits": shots.get(e, [0, 0])[1],
                "damage": round(damage.get(e, 0.0), 2),
                "ammo": None if ammo is None else ammo.rounds + ammo.reserve,
            }
        )
    counts: dict[str, int] = {}
    for ev in result.events:
        counts[ev.kind] = counts.get(ev.kind, 0) + 1
    return {
        "scenario": mission.name,
        "seed": world.seed,
        "planner": planner,
        "ticks": result.ticks,
        "sim_time_s": round(result.ticks * world.dt, 4),
        "outcome": {
            "status": result.outcome.status,
            "tick": result.outcome.tick,
            "reason": result.outcome.reason,
        },
        "world_hash": world.hash(),
        "agents": agents,
        "plans": result.log.counts(),
        "events": dict(sorted(counts.items())),
    }


def _load(scenario_path: Path | None) -> Any:
    from astraweave.ai import planner_names
    from astraweave.core import builtin_scenario, load_scenario

    if scenario_path is None:
        return builtin_scenario("hello_companion", planners=planner_names())
    return load_scenario(scenario_path, planners=planner_names())


def _print_header(sc: Any, seed: int, ticks: int, planner: str | None) -> None:
    spec = sc.spec
    console.rule(f"[bold]astraweave demo: {escape(sc.name)}")
    console.print(f"[bold]objective:[/] {escape(sc.objective or '-')}")
    agents = ", ".join(
        f"{e.name} ({e.team}, {e.agent.role}, "
        f"{planner if planner and e.agent.role == 'companion' else e.agent.planner})"
        for e in spec.entities
        if e.agent is not None
    )
    console.print(f"[bold]agents:[/] {escape(agents)}")
    console.print(
        f"[bold]map:[/] {sc.tilemap.width} x {sc.tilemap.height} m   [bold]seed:[/] {seed}"
        f"   [bold]ticks:[/] up to {ticks} ({ticks * spec.scenario.dt:.1f} s)"
    )
    console.rule()


def _hook(names: dict[int, str], teams: dict[int, int], dt: float) -> Callable[..., None]:
    last_plan: dict[int, str] = {}

    def on_tick(world: Any, events: list[Any], records: list[Any]) -> None:
        for ev in events:
            if ev.kind == "plan_failed" and "ActorUnableError" in ev.detail:
                continue  # the "is down" line already says it
            if ev.kind == "plan_started":
                if last_plan.get(ev.actor) == ev.detail:
                    continue  # the same plan again (an idle agent waiting, say)
                last_plan[ev.actor] = ev.detail
            line = format_event(ev, names, teams, dt)
            if line is not None:
                console.print(line, highlight=False)

    return on_tick


def _summary_table(summary: dict[str, Any]) -> Table:
    table = Table(title=f"{summary['scenario']}: {summary['outcome']['status'].upper()}")
    for col, just in (
        ("agent", "left"),
        ("team", "left"),
        ("state", "left"),
        ("hp", "right"),
        ("shots", "right"),
        ("hits", "right"),
        ("damage", "right"),
    ):
        table.add_column(col, justify=just)  # type: ignore[arg-type]  # rich's literal type
    for a in summary["agents"]:
        style = {"up": "green", "down": "yellow", "dead": "red"}[a["state"]]
        table.add_row(
            a["name"],
            a["team"],
            f"[{style}]{a['state']}[/]",
            f"{a['hp']:.0f}",
            str(a["shots"]),
            str(a["hits"]),
            f"{a['damage']:.0f}",
        )
    return table


@demo_app.command("hello-companion")
def hello_companion(
    planner: str = typer.Option("rule", help="Planner of the companion (e.g. rule)."),
    seed: int | None = typer.Option(None, help="World seed (default: the scenario's)."),
    ticks: int | None = typer.Option(None, help="Tick limit (default: the scenario's)."),
    json_path: Path | None = typer.Option(None, "--json", help="Write the outcome JSON here."),
    png: Path | None = typer.Option(None, "--png", help="Draw the final state to this PNG."),
    scenario: Path | None = typer.Option(
        None, "--scenario", help="A scenario TOML file (default: built-in hello_companion)."
    ),
    replay: Path | None = typer.Option(None, "--replay", help="Record a replay file here."),
    quiet: bool = typer.Option(False, "--quiet", help="Only the summary, no tick log."),
    llm_url: str | None = LLM_URL,
    model: str = MODEL,
    llm: str | None = LLM,
    llm_timeout: float | None = LLM_TIMEOUT,
) -> None:
    """A player, an AI companion and raiders: perceive, plan, validate, act."""
    from astraweave.ai import register_planner, run_scenario
    from astraweave.core import Mission, Team, draw_world
    from astraweave.errors import AstraweaveError

    llm_planner = None
    if planner == "llm" or llm_url or llm:
        options = LlmOptions(url=llm_url, model=model, backend=llm, timeout_s=llm_timeout)
        try:
            # headless demo: wait for each answer (blocking=False is for real-time pacing)
            llm_planner = llm_planner_from_options(options, blocking=True)
        except AstraweaveError as exc:
            console.print(f"[red]error:[/] {escape(str(exc))}")
            raise typer.Exit(2) from None
        register_planner("llm", lambda: llm_planner, replace=True)
        console.print(escape(describe_client(llm_planner.client)))

    try:
        sc = _load(scenario)
    except AstraweaveError as exc:
        console.print(f"[red]error:[/] {escape(str(exc))}")
        raise typer.Exit(2) from None
    world_seed = sc.seed if seed is None else seed
    limit = sc.max_ticks if ticks is None else ticks
    if limit < 1:
        console.print("[red]error:[/] --ticks must be at least 1")
        raise typer.Exit(2)
    _print_header(sc, world_seed, limit, planner)
    probe = sc.build_world(world_seed)
    mission = probe.resource(Mission)
    names = {v: k for k, v in mission.names.items()}
    teams = {e: probe.get(e, Team).id for e in mission.names.values() if probe.has(e, Team)}
    t0 = time.perf_counter()
    try:
        result = run_scenario(
            sc,
            seed=world_seed,
            ticks=limit,
            planner=planner,
            replay_path=replay,
            on_tick=None if quiet else _hook(names, teams, probe.dt),
        )
    except AstraweaveError as exc:
        console.print(f"[red]error:[/] {escape(str(exc))}")
        raise typer.Exit(2) from None
    wall = time.perf_counter() - t0
    summary = demo_summary(result, planner=planner)
    if llm_planner is not None:
        tiers = plan_tier_summary(r for r in result.log.records if r.planner == "llm")
        summary["llm"] = tiers
        if "llm" not in tiers["tiers"]:
            console.print(
                "[yellow]the LLM answered no plan: the companion ran on fallbacks[/] "
                f"({escape(json.dumps(tiers['fallback_reasons']))})"
            )
        else:
            console.print(f"[bold]LLM tiers:[/] {escape(json.dumps(tiers['tiers']))}")
    console.rule()
    console.print(_summary_table(summary))
    out = summary["outcome"]
    console.print(
        f"[bold]outcome:[/] {out['status']} at tick {out['tick']} ({escape(out['reason'])})"
    )
    console.print(
        f"[bold]plans:[/] {summary['plans']}   [bold]ticks:[/] {summary['ticks']} "
        f"({summary['sim_time_s']:.2f} s simulated)"
    )
    console.print(f"[bold]world hash:[/] {summary['world_hash']}")
    if json_path is not None:
        json_path.parent.mkdir(parents=True, exist_ok=True)
        json_path.write_text(json.dumps(summary, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        console.print(f"wrote {json_path}")
    if png is not None:
        status = out["status"]
        title = f"{summary['scenario']}: {status} at t = {summary['sim_time_s']:.1f} s"
        sub = f"seed {world_seed}, planner {planner}, world hash {summary['world_hash'][:16]}"
        draw_world(result.world, png, trails=result.trails, title=title, subtitle=sub)
        console.print(f"wrote {png}")
    if replay is not None:
        console.print(f"wrote {replay}")
    console.print(f"[dim](wall clock {wall:.2f} s)[/]")


@app.command("replay")
def replay_command(
    file: Path = typer.Argument(..., help="A replay file (from --replay)."),
) -> None:
    """Re-run a replay and report the first tick whose world hash (or plans) differ."""
    from astraweave.ai import verify_replay
    from astraweave.errors import AstraweaveError

    try:
        check = verify_replay(file)
    except AstraweaveError as exc:
        console.print(f"[red]error:[/] {escape(str(exc))}")
        raise typer.Exit(2) from None
    if check.ok:
        console.print(
            f"[green]replay matches:[/] all {check.ticks} ticks have the recorded world hash "
            f"(final {check.actual_hash})"
        )
        return
    console.print(
        f"[red]replay diverges at tick {check.diverged_at}[/] ({check.what}): "
        f"expected hash {check.expected_hash or '-'}, got {check.actual_hash or '-'}"
    )
    raise typer.Exit(1)
