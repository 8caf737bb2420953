"""``astraweave demo hello-companion`` and ``astraweave replay``."""

from __future__ import annotations

import json
from pathlib import Path

from PIL import Image
from typer.testing import CliRunner

from astraweave import core
from astraweave.cli import app
from astraweave.cli._companion import format_event

runner = CliRunner()
ROOT = Path(__file__).resolve().parents[2]


def _log(output: str) -> str:
    return "\n".join(ln for ln in output.splitlines() if "wall clock" not in ln)


def test_demo_is_deterministic_and_writes_json_and_png(tmp_path: Path) -> None:
    outs = []
    for run in ("a", "b"):
        res = runner.invoke(
            app,
            [
                "demo",
                "hello-companion",
                "--ticks",
                "420",
                "--json",
                str(tmp_path / run / "outcome.json"),
                "--png",
                str(tmp_path / run / "final.png"),
            ],
        )
        assert res.exit_code == 0, res.output
        outs.append(res.output)
    assert _log(outs[0]).replace(str(tmp_path / "a"), "X") == _log(outs[1]).replace(
        str(tmp_path / "b"), "X"
    )
    a = (tmp_path / "a" / "outcome.json").read_text()
    assert a == (tmp_path / "b" / "outcome.json").read_text()
    summary = json.loads(a)
    assert summary["scenario"] == "hello_companion" and summary["seed"] == 7
    assert summary["ticks"] <= 420 and len(summary["world_hash"]) == 32
    assert {x["name"] for x in summary["agents"]} >= {"player", "companion"}
    assert summary["world_hash"] in outs[0].replace("\n", "")
    assert "plan" in outs[0] and "hits" in outs[0]
    with Image.open(tmp_path / "a" / "final.png") as img:
        assert img.format == "PNG" and img.size[0] >= 760


def test_seed_changes_the_run() -> None:
    a = runner.invoke(app, ["demo", "hello-companion", "--ticks", "200", "--quiet"])
    b = runner.invoke(app, ["demo", "hello-companion", "--ticks", "200", "--seed", "8", "--quiet"])
    assert a.exit_code == b.exit_code == 0
    hash_a = next(ln for ln in a.output.splitlines() if "world hash" in ln)
    hash_b = next(ln for ln in b.output.splitlines() if "world hash" in ln)
    assert hash_a != hash_b


def test_scenario_option_and_errors(tmp_path: Path) -> None:
    example = ROOT / "examples" / "scenarios" / "locked_door.toml"
    res = runner.invoke(app, ["demo", "hello-companion", "--scenario", str(example)])
    assert res.exit_code == 0, res.output
    assert "success" in res.output
    bad = tmp_path / "bad.toml"
    bad.write_text(example.read_text().replace('at = "P"', 'at = "P"\nhpp = 3'))
    res = runner.invoke(app, ["demo", "hello-companion", "--scenario", str(bad)])
    assert res.exit_code == 2 and "entities[0].hpp" in res.output
    res = runner.invoke(app, ["demo", "hello-companion", "--planner", "nope", "--ticks", "5"])
    assert res.exit_code == 2 and "unknown planner" in res.output
    res = runner.invoke(app, ["demo", "hello-companion", "--ticks", "0"])
    assert res.exit_code == 2


def test_replay_command_matches_and_finds_tampering(tmp_path: Path) -> None:
    path = tmp_path / "run.awr"
    res = runner.invoke(
        app, ["demo", "hello-companion", "--ticks", "150", "--quiet", "--replay", str(path)]
    )
    assert res.exit_code == 0, res.output
    res = runner.invoke(app, ["replay", str(path)])
    assert res.exit_code == 0 and "replay matches" in res.output and "150 ticks" in res.output
    data = core.read_replay(path)
    t = data.ticks[99]
    data.ticks[99] = core.TickRecord(t.tick, "f" * 32, t.inputs, t.plans)
    core.write_replay(data, path)
    res = runner.invoke(app, ["replay", str(path)])
    assert res.exit_code == 1 and "diverges at tick 99" in res.output
    res = runner.invoke(app, ["replay", str(tmp_path / "missing.awr")])
    assert res.exit_code == 2 and "cannot read" in res.output


def test_every_logged_event_kind_formats() -> None:
    names = {1: "a", 2: "b"}
    teams = {1: 0, 2: 1}
    kinds = [
        ("plan_started", "Attack(target=2)"),
        ("plan_rejected", "NoPathError: x"),
        ("plan_failed", "OnCooldownError: y"),
        ("shot", "hit"),
        ("downed", "shot"),
        ("died", ""),
        ("revived", ""),
        ("healed", ""),
        ("smoke", "(1.0, 2.0)"),
        ("thrown", "(1.0, 2.0)"),
        ("explosion", ""),
        ("marked", ""),
        ("distracted", "(1.0, 2.0)"),
        ("interacted", "door"),
        ("reloaded", ""),
    ]
    for kind, detail in kinds:
        line = format_event(core.GameEvent(60, kind, 1, 2, 5.0, detail), names, teams, 1 / 60)
        assert line is not None and "1.00s" in line, kind
    assert "target=b" in (
        format_event(
            core.GameEvent(0, "plan_started", 1, -1, 1.0, "Attack(target=2)"), names, teams, 1 / 60
        )
        or ""
    )
    assert format_event(core.GameEvent(0, "shot", 1, 2, 0.0, "miss"), names, teams, 1.0) is None
    assert format_event(core.GameEvent(0, "scanned", 1), names, teams, 1.0) is None
