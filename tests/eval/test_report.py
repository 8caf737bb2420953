"""Summaries, comparisons, gates and the JSON, Markdown and HTML reports."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from astraweave.errors import EvalConfigError, ResumeError
from astraweave.eval import (
    EvalReport,
    InlineBackend,
    PlannerConfig,
    RunResult,
    check_gates,
    compare,
    evaluate,
    load_report,
    make_tasks,
    render_markdown,
    select_scenarios,
    summarize,
    write_html,
    write_json,
    write_markdown,
)
from astraweave.eval._summary import parse_threshold

CONFIGS = [PlannerConfig(name="rule"), PlannerConfig(name="test-invent")]


@pytest.fixture(scope="module")
def report() -> EvalReport:
    scs = select_scenarios(["irrelevance_pizza", "support_heal"])
    tasks = make_tasks(scs, CONFIGS, seeds=2, imports=["eval_test_planners"])
    rep = EvalReport.start(
        CONFIGS, compare=["rule", "test-invent"], backend="inline", workers=0, seeds=2
    )
    rep.runs = evaluate(tasks, InlineBackend())
    return rep


def test_summary_per_scenario_category_and_total(report: EvalReport) -> None:
    summary = report.summary()
    rule = summary.get("rule")
    assert rule.runs == 4 and rule.failed == 0
    assert [s.scenario for s in rule.scenarios] == ["irrelevance_pizza", "support_heal"]
    assert rule.total["validity"].mean == 1.0 and rule.total["overall"].n == 2
    assert set(rule.categories) == {"irrelevance", "support"}
    invent = summary.get("test-invent")
    assert invent.total["validity"].mean == 0.0
    with pytest.raises(EvalConfigError):
        summary.get("nope")


def test_gates(report: EvalReport) -> None:
    summary = report.summary()
    assert check_gates(summary, min_validity={"rule": 1.0}) == []
    fails = check_gates(summary, min_validity={None: 1.0})
    assert fails == ["test-invent: validity 0 is below 1"]
    assert check_gates(summary, min_score={"rule": 101.0})[0].startswith("rule: overall")
    with pytest.raises(EvalConfigError, match="not evaluated"):
        check_gates(summary, min_score={"goap": 90.0})
    assert parse_threshold("90", "--min-score") == (None, 90.0)
    assert parse_threshold("goap=90", "--min-score") == ("goap", 90.0)
    with pytest.raises(EvalConfigError):
        parse_threshold("goap=ninety", "--min-score")


def test_compare_pairs_runs(report: EvalReport) -> None:
    cmp = compare(report.runs, "rule", "test-invent")
    assert [r.scenario for r in cmp.rows] == ["irrelevance_pizza", "support_heal"]
    d = cmp.total.diff["overall"]
    assert d.n == 2 and d.mean < 0
    assert cmp.better() == "rule"
    with pytest.raises(EvalConfigError, match="no runs of 'goap'"):
        compare(report.runs, "rule", "goap")


def test_json_round_trip_and_resume_errors(report: EvalReport, tmp_path: Path) -> None:
    path = tmp_path / "out" / "eval.json"
    write_json(report, path)
    back = load_report(path)
    assert back.model_dump() == report.model_dump()
    data = json.loads(path.read_text(encoding="utf-8"))
    run = data["runs"][0]
    assert {"metrics", "record", "planner", "seed", "wall_s", "worker"} <= set(run)
    assert data["meta"]["machine"]["cores"] and "git" in data["meta"]
    assert data["meta"]["weights"]["goal"] == 0.4
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "other/9"}', encoding="utf-8")
    with pytest.raises(ResumeError, match="not an evaluation report"):
        load_report(bad)
    bad.write_text("{", encoding="utf-8")
    with pytest.raises(ResumeError, match="not JSON"):
        load_report(bad)
    with pytest.raises(ResumeError, match="cannot read"):
        load_report(tmp_path / "missing.json")


def test_markdown_has_the_tables(report: EvalReport, tmp_path: Path) -> None:
    text = render_markdown(report)
    assert "## Totals" in text and "| config | overall | validity |" in text
    assert "## rule" in text and "| irrelevance_pizza | irrelevance |" in text
    assert "## Comparison: rule vs test-invent" in text and "diff (b - a)" in text
    write_markdown(report, tmp_path / "r.md")
    assert (tmp_path / "r.md").read_text(encoding="utf-8") == text


def test_html_has_tables_and_embedded_plots(report: EvalReport, tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    path = tmp_path / "r.html"
    write_html(report, path)
    page = path.read_text(encoding="utf-8")
    assert page.count('<img src="data:image/png;base64,') >= 3
    assert (
        "<table>" in page and "irrelevance_pizza" in page and "http" not in page.split("<body>")[1]
    )


def test_failed_runs_are_listed(tmp_path: Path) -> None:
    [task] = make_tasks(select_scenarios(["irrelevance_pizza"]), [PlannerConfig(name="rule")])
    rep = EvalReport(runs=[RunResult.failed(task, "timeout after 1 s")])
    assert "rule / irrelevance_pizza / seed 131: timeout after 1 s" in render_markdown(rep)
    assert summarize(rep.runs).configs[0].failed == 1
