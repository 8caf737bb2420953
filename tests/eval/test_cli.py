"""``astraweave eval`` end to end (in-process runs for speed)."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

import astraweave.cli._eval  # noqa: F401  (registers the command)
from astraweave.cli import app
from astraweave.eval import load_report, write_json

runner = CliRunner()
BASE = ["eval", "--workers", "0", "--import", "eval_test_planners", "--quiet"]


def test_eval_writes_reports_and_passes_its_gate(tmp_path: Path) -> None:
    out = tmp_path / "r.json"
    res = runner.invoke(
        app,
        [*BASE, "--planner", "rule", "--scenario", "irrelevance_pizza",
         "--scenario", "support_heal", "--json", str(out), "--md", str(tmp_path / "r.md"),
         "--min-validity", "1.0", "--min-score", "rule=90"],
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    rep = load_report(out)
    assert len(rep.runs) == 2 and rep.meta["backend"] == "inline"
    assert "| rule |" in (tmp_path / "r.md").read_text(encoding="utf-8")


def test_gate_failure_exits_1(tmp_path: Path) -> None:
    res = runner.invoke(
        app,
        [
            *BASE,
            "--planner",
            "test-invent",
            "--scenario",
            "irrelevance_pizza",
            "--min-validity",
            "1",
        ],
    )
    assert res.exit_code == 1
    assert "gate failed" in res.output and "validity 0 is below 1" in res.output


def test_compare_and_bad_input(tmp_path: Path) -> None:
    res = runner.invoke(
        app,
        [
            *BASE,
            "--compare",
            "rule",
            "test-wait",
            "--category",
            "irrelevance",
            "--md",
            str(tmp_path / "c.md"),
        ],
    )
    assert res.exit_code == 0, res.output
    assert "## Comparison: rule vs test-wait" in (tmp_path / "c.md").read_text(encoding="utf-8")
    assert runner.invoke(app, [*BASE, "--planner", "nope"]).exit_code == 2
    assert runner.invoke(app, [*BASE, "--planner", "rule", "--scenario", "nope"]).exit_code == 2
    assert runner.invoke(app, [*BASE, "--planner", "rule", "--seeds", "0"]).exit_code == 2
    assert (
        runner.invoke(
            app, [*BASE, "--planner", "rule", "--resume", str(tmp_path / "no.json")]
        ).exit_code
        == 2
    )
    bad = tmp_path / "bad.toml"
    bad.write_text("[scenario]\nname = 3\n", encoding="utf-8")
    res = runner.invoke(app, [*BASE, "--planner", "rule", "--scenario-file", str(bad)])
    assert res.exit_code == 2 and "bad.toml" in res.output


def test_resume_from_a_partial_json(tmp_path: Path) -> None:
    out = tmp_path / "r.json"
    args = [
        *BASE,
        "--planner",
        "rule",
        "--category",
        "irrelevance",
        "--seeds",
        "2",
        "--json",
        str(out),
    ]
    assert runner.invoke(app, args).exit_code == 0
    full = load_report(out)
    assert len(full.runs) == 4
    partial = full.model_copy(update={"runs": full.runs[:1]})
    write_json(partial, out)
    res = runner.invoke(
        app, [*BASE, "--resume", str(out), "--category", "irrelevance", "--seeds", "2"]
    )
    assert res.exit_code == 0, res.output
    resumed = load_report(out)
    assert len(resumed.runs) == 4
    assert resumed.runs[0].model_dump() == full.runs[0].model_dump()  # kept, not re-run
    assert [r.deterministic() for r in resumed.runs] == [r.deterministic() for r in full.runs]


def test_list() -> None:
    res = runner.invoke(app, ["eval", "--list"])
    assert res.exit_code == 0 and "puzzle_towers" in res.output and "planners:" in res.output
    assert json.dumps(res.exit_code) == "0"


def test_console_summary_and_html(tmp_path: Path) -> None:
    args = [a for a in BASE if a != "--quiet"]
    res = runner.invoke(
        app,
        [*args, "--compare", "rule", "test-crash", "--scenario", "irrelevance_pizza",
         "--html", str(tmp_path / "r.html")],
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    assert "plan quality" in res.output and "test-crash - rule: overall" in res.output
    assert "failed test-crash irrelevance_pizza" in res.output
    assert '<img src="data:image/png;base64,' in (tmp_path / "r.html").read_text(encoding="utf-8")
