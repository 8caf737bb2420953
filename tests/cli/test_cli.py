import json

from typer.testing import CliRunner

import astraweave
from astraweave.cli import app
from astraweave.cli._demo import run_bouncing

runner = CliRunner()


def test_version() -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.output.strip() == f"astraweave {astraweave.__version__}"


def test_demo_crowd_is_deterministic(tmp_path) -> None:  # type: ignore[no-untyped-def]
    a = run_bouncing(entities=300, ticks=40, seed=3)
    b = run_bouncing(entities=300, ticks=40, seed=3)
    c = run_bouncing(entities=300, ticks=40, seed=4)
    assert a["world_hash"] == b["world_hash"] != c["world_hash"]
    assert a["bounces"] == b["bounces"]
    threaded = run_bouncing(entities=300, ticks=40, seed=3, threads=2)
    assert threaded["world_hash"] == a["world_hash"]
    result = runner.invoke(
        app, ["demo", "crowd", "--entities", "200", "--ticks", "10", "--out", str(tmp_path)]
    )
    assert result.exit_code == 0, result.output
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["entities"] == 200 and len(summary["world_hash"]) == 32


def test_bench_ecs_small_json(tmp_path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "ecs.json"
    result = runner.invoke(
        app, ["bench", "ecs", "--entities", "500", "--repeats", "3", "--json", str(out)]
    )
    assert result.exit_code == 0, result.output
    doc = json.loads(out.read_text())
    assert doc["all_oracles"] is True
    assert set(doc["results"]) == {
        "simple_insert",
        "simple_iter",
        "fragmented_iter",
        "heavy_compute",
        "add_remove",
        "schedule",
        "serialize",
    }
    assert doc["results"]["simple_iter"]["ratio"] > 0
    assert doc["machine"]["cores"] >= 1


def test_demo_with_dead_llm_server_runs_on_fallbacks_and_says_so(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import socket

    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    out = tmp_path / "o.json"
    result = runner.invoke(
        app,
        [
            "demo",
            "hello-companion",
            "--planner",
            "llm",
            "--llm-url",
            f"http://127.0.0.1:{port}/v1",
            "--model",
            "m",
            "--llm-timeout",
            "0.5",
            "--ticks",
            "120",
            "--quiet",
            "--json",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "ran on fallbacks" in " ".join(result.output.split())
    doc = json.loads(out.read_text())
    assert "llm" not in doc["llm"]["tiers"] and doc["llm"]["tiers"]
    assert any(k.startswith("llm: Llm") for k in doc["llm"]["fallback_reasons"])
