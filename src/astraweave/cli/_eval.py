"""``astraweave eval``: the plan-quality evaluation (see ``docs/evaluation.md``).

Exit status: 0 when every gate passed, 1 when a ``--min-score``/``--min-validity``
gate failed, 2 on bad input (unknown planner or scenario, malformed scenario file,
missing optional dependency, unreadable ``--resume`` file).
"""

from __future__ import annotations

import time
from pathlib import Path

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from astraweave.cli._app import app, console
from astraweave.cli._llm_options import LLM, LLM_API_KEY_ENV, LLM_TIMEOUT, LLM_URL, MODEL

__all__: list[str] = []

_err = Console(stderr=True)


def _fail(message: str) -> typer.Exit:
    _err.print(f"[red]error:[/] {escape(message)}")
    return typer.Exit(2)


def _totals(summary: object, metrics: tuple[str, ...]) -> Table:
    from astraweave.eval import Summary

    assert_summary = summary if isinstance(summary, Summary) else Summary(configs=[])
    table = Table(title="plan quality (percent; mean ± 95 % interval)")
    table.add_column("config")
    for m in metrics:
        table.add_column(m, justify="right", min_width=7)
    table.add_column("runs", justify="right")
    table.add_column("failed", justify="right")
    for c in assert_summary.configs:
        cells = []
        for m in metrics:
            s = c.total[m]
            scale = 1.0 if m == "overall" else 100.0
            text = f"{s.mean * scale:.1f}"
            if s.n > 1:
                text += f" ± {s.half_width * scale:.1f}"
            cells.append(text)
        table.add_row(c.config, *cells, str(c.runs), str(c.failed))
    return table


@app.command("eval")
def eval_command(
    planner: list[str] = typer.Option(
        [], "--planner", "-p", help="Planner to evaluate (repeatable): rule, goap, llm, ..."
    ),
    compare: tuple[str, str] | None = typer.Option(
        None, "--compare", help="Evaluate planners A and B and show B - A side by side."
    ),
    scenario: list[str] = typer.Option(
        [], "--scenario", "-s", help="Only this shipped scenario (repeatable)."
    ),
    category: list[str] = typer.Option(
        [], "--category", "-c", help="Only scenarios of this category (repeatable)."
    ),
    scenario_file: list[Path] = typer.Option(
        [], "--scenario-file", help="Also evaluate this scenario file (repeatable)."
    ),
    seeds: int = typer.Option(1, "--seeds", help="Seeds per scenario (mean and 95 % interval)."),
    workers: int = typer.Option(
        2, "--workers", "-w", help="Worker processes (0: run in this process)."
    ),
    backend: str = typer.Option("local", "--backend", help="local (process pool) or ray."),
    address: str | None = typer.Option(
        None, "--address", help="Ray cluster address (default: a local Ray instance)."
    ),
    timeout: float = typer.Option(
        300.0, "--timeout", help="Wall-clock limit of one run in seconds (then: failed)."
    ),
    json_path: Path | None = typer.Option(
        None, "--json", help="Write every run and metric here (rewritten as runs finish)."
    ),
    md_path: Path | None = typer.Option(None, "--md", help="Write the Markdown report here."),
    html_path: Path | None = typer.Option(
        None, "--html", help="Write the HTML report (tables and plots) here."
    ),
    min_score: list[str] = typer.Option(
        [], "--min-score", help="Fail below this overall score (0-100); NAME=X for one planner."
    ),
    min_validity: list[str] = typer.Option(
        [], "--min-validity", help="Fail below this validity (0-1); NAME=X for one planner."
    ),
    resume: Path | None = typer.Option(
        None, "--resume", help="Continue the evaluation saved in this JSON file."
    ),
    imports: list[str] = typer.Option(
        [],
        "--import",
        help="Import this module first, in every worker (it registers your planner).",
    ),
    list_only: bool = typer.Option(
        False, "--list", help="List the scenarios and planners, then exit."
    ),
    llm_url: str | None = LLM_URL,
    model: str = MODEL,
    llm: str | None = LLM,
    llm_timeout: float | None = LLM_TIMEOUT,
    llm_api_key_env: str = LLM_API_KEY_ENV,
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar or tables."),
) -> None:
    """Score planners on the evaluation scenarios: validity, goal, safety,
    coherence, efficiency and an overall score (see docs/evaluation.md)."""
    import importlib

    from astraweave.errors import AstraweaveError
    from astraweave.eval import (
        METRICS,
        EvalReport,
        PlannerConfig,
        RunResult,
        builtin_eval_scenario,
        builtin_eval_scenarios,
        check_gates,
        evaluate,
        load_report,
        make_backend,
        make_tasks,
        select_scenarios,
        write_html,
        write_json,
        write_markdown,
    )
    from astraweave.eval._runner import check_configs
    from astraweave.eval._summary import parse_threshold

    try:
        for module in imports:
            importlib.import_module(module)
    except ImportError as exc:
        raise _fail(f"--import: {exc}") from None
    if list_only:
        from astraweave.ai import planner_names

        for name in builtin_eval_scenarios():
            esc = builtin_eval_scenario(name)
            console.print(f"{esc.category:13} {name}")
        console.print(f"planners: {', '.join(planner_names())}")
        return
    try:
        previous: list[RunResult] = []
        names = list(planner)
        if compare is not None:
            names += [n for n in compare if n not in names]
        if resume is not None:
            old = load_report(resume)
            previous = old.runs
            if not names:
                names = [c.name for c in old.configs]
            if compare is None and old.compare:
                compare = (old.compare[0], old.compare[1])
        configs = []
        for name in names:
            if name == "llm":
                configs.append(
                    PlannerConfig(
                        name=name,
                        llm_url=llm_url,
                        model=model or None,
                        llm_backend="local" if llm == "local" else None,
                        llm_timeout_s=llm_timeout,
                        api_key_env=llm_api_key_env,
                    )
                )
            else:
                configs.append(PlannerConfig(name=name))
        if llm is not None and llm != "local":
            raise _fail(f"--llm accepts only 'local', got {llm!r}")
        check_configs(configs)
        labels = {c.name: c.display for c in configs}
        cmp_labels = [labels.get(n, n) for n in compare] if compare is not None else None
        gates_score = dict(parse_threshold(t, "--min-score") for t in min_score)
        gates_valid = dict(parse_threshold(t, "--min-validity") for t in min_validity)
        scenarios = select_scenarios(scenario, category, scenario_file)
        tasks = make_tasks(scenarios, configs, seeds=seeds, timeout_s=timeout, imports=imports)
        chosen = make_backend(backend, workers=workers, address=address)
    except AstraweaveError as exc:
        raise _fail(str(exc)) from None
    report = EvalReport.start(
        configs,
        compare=cmp_labels,
        backend=chosen.name,
        workers=workers,
        seeds=seeds,
        scenarios=[s.name for s in scenarios],
        timeout_s=timeout,
    )
    save_to = json_path or resume
    keys = {t.key() for t in tasks}
    report.runs = [r for r in previous if r.key() in keys]
    last_save = [0.0]

    def save(force: bool = False) -> None:
        if save_to is None:
            return
        now = time.monotonic()
        if force or now - last_save[0] > 1.0:
            write_json(report, save_to)
            last_save[0] = now

    todo = len(tasks) - len(report.runs)
    progress = Progress(
        TextColumn("[bold]eval[/]"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.description}"),
        console=_err,
        disable=quiet,
        transient=True,
    )
    t0 = time.perf_counter()
    with progress:
        bar = progress.add_task("", total=todo)

        def on_result(result: RunResult) -> None:
            report.runs.append(result)
            mark = "" if result.status == "ok" else " [red]failed[/]"
            progress.update(bar, advance=1, description=f"{result.config} {result.scenario}{mark}")
            save()

        try:
            results = evaluate(tasks, chosen, previous=report.runs, on_result=on_result)
        except AstraweaveError as exc:
            save(force=True)
            raise _fail(str(exc)) from None
        except KeyboardInterrupt:
            save(force=True)
            _err.print(f"[yellow]interrupted[/]; resume with --resume {save_to or 'FILE.json'}")
            raise typer.Exit(130) from None
        finally:
            chosen.close()
    report.runs = results
    report.meta["finished"] = EvalReport.start([]).meta["started"]
    report.meta["wall_s"] = round(time.perf_counter() - t0, 3)
    try:
        save(force=True)
        if md_path is not None:
            write_markdown(report, md_path)
        if html_path is not None:
            write_html(report, html_path)
        summary = report.summary()
        failures = check_gates(summary, min_score=gates_score, min_validity=gates_valid)
    except AstraweaveError as exc:
        raise _fail(str(exc)) from None
    if not quiet:
        console.print(_totals(summary, METRICS))
        cmp = report.comparison()
        if cmp is not None:
            d = cmp.total.diff["overall"]
            console.print(
                f"{escape(cmp.b)} - {escape(cmp.a)}: overall {d.mean:+.1f}"
                + (f" ± {d.half_width:.1f}" if d.n > 1 else "")
            )
        failed = [r for r in report.runs if r.status == "failed"]
        for r in failed[:10]:
            first = (r.failure or "").splitlines()[0]
            console.print(f"[red]failed[/] {r.config} {r.scenario} seed {r.seed}: {escape(first)}")
        console.print(f"{len(report.runs)} runs in {report.meta['wall_s']:.1f} s")
    for line in failures:
        _err.print(f"[red]gate failed:[/] {escape(line)}")
    if failures:
        raise typer.Exit(1)
