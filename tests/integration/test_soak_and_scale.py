"""Small versions of the long runs: the demo soak (2,000 ticks here, 10,000 in
``astraweave bench soak``), per-agent GOAP at 10 Hz in the full loop, physics bodies
at scale, the crowd loop, and ``bench all`` writing one JSON. Behaviour only: tests
never assert timings."""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

import numpy as np
import pytest

from astraweave.cli._bench_all import BENCHES, run_all_benches
from astraweave.cli._bench_scale import (
    GOAP_CADENCE_TICKS,
    find_capacity,
    goap_harness,
    measure_bodies,
    measure_goap,
    run_soak,
)
from astraweave.errors import CliError

MIB = 1 << 20


def test_demo_soak_2000_ticks_keeps_memory_flat_and_raises_nothing() -> None:
    out = run_soak(2000, sample_every=250, warmup_ticks=500, trace=False)
    assert out["ticks"] == 2000 and out["episodes"] == 1 and out["errors"] == []
    assert out["plannings"]["accepted"] > 50 and "no_plan" not in out["plannings"]
    assert out["events"]["shot"] > 0 and out["events"]["downed"] > 0  # it was a fight
    ticks = [s["tick"] for s in out["samples"]]
    assert ticks[0] == 0 and ticks[-1] == 1999 and len(ticks) == 9
    # no entity leaks: the dead stay as corpses, smoke and grenades come and go
    first, last = out["entities"]
    assert abs(last - first) <= 4
    # the documented bound: tracked objects and resident memory stay flat after warm-up
    # (bounded caches only; measured: a few hundred objects, under 2 MiB)
    assert out["gc_objects_growth"] < 10_000
    assert out["rss_growth_bytes"] < 32 * MIB
    assert len(out["final_hash"]) == 32


def test_soak_in_episodes_rebuilds_worlds_and_rejects_bad_arguments() -> None:
    out = run_soak(30, mode="episodes", sample_every=10, warmup_ticks=0, trace=True)
    assert out["ticks"] == 30 and out["episodes"] == 1 and out["errors"] == []
    assert out["traced_growth_bytes"] is not None and out["within_bound"] in (True, False)
    with pytest.raises(CliError, match="unknown soak mode"):
        run_soak(10, mode="forever")
    with pytest.raises(CliError, match="at least 1 tick"):
        run_soak(0)


def test_goap_agents_plan_at_10_hz_staggered_in_the_full_loop() -> None:
    h = goap_harness(12, seed=1, contact=False, history=True)
    h.run(90)
    by_agent: dict[int, list[int]] = defaultdict(list)
    for r in h.plans():
        by_agent[r.agent].append(r.tick)
        assert r.planner == "goap" and r.plan is not None and r.outcome in ("accepted", "kept")
        assert r.plan.provenance.planner == "goap" and r.plan.provenance.fallbacks == []
        assert r.plan.tools() == ["Patrol"]
    assert len(by_agent) == 12
    for ticks in by_agent.values():
        # every 6 ticks (10 Hz at 60 Hz) from a staggered first tick; sooner only on the
        # tick after a patrol ends (the executor makes an idle agent due at once)
        gaps = np.diff(ticks)
        assert ticks[0] < GOAP_CADENCE_TICKS and len(ticks) >= 15
        assert gaps.min() >= 1 and gaps.max() == GOAP_CADENCE_TICKS
        assert (gaps == GOAP_CADENCE_TICKS).sum() >= len(gaps) - 2
    per_tick = np.bincount([t for ts in by_agent.values() for t in ts])
    assert per_tick[:GOAP_CADENCE_TICKS].tolist() == [2] * GOAP_CADENCE_TICKS  # 12 / 6
    # the plans ran: the executor walks every guard along its patrol
    assert len(h.events("step_started")) >= 12
    assert all(h.position(n)[0] != 0 for n in h.characters())


def test_goap_battle_validates_and_fights_across_the_teams() -> None:
    h = goap_harness(12, seed=1, contact=True, history=True)
    h.run(120)
    plans = h.plans()
    assert {r.agent for r in plans} == set(h.characters().values())
    assert all(r.plan is not None and r.plan.provenance.planner == "goap" for r in plans)
    shots = h.events("shot")
    assert shots and all(h.team(e.actor) != h.team(e.target) for e in shots)
    assert not [e for e in h.events("damaged") if h.team(e.actor) == h.team(e.target)]


def test_goap_measurement_is_deterministic_and_reports_the_loop() -> None:
    a = measure_goap(6, ticks=60, warmup=6, seed=2)
    b = measure_goap(6, ticks=60, warmup=6, seed=2)
    assert a["world_hash"] == b["world_hash"] and a["plannings"] == b["plannings"]
    assert a["agents"] == 6 and a["alive"] == 6 and sum(a["plannings"].values()) > 0
    assert {"p50_ms", "p95_ms", "max_ms", "mean_ms"} <= set(a) and a["contact"]
    patrol = measure_goap(6, ticks=60, warmup=0, contact=False)
    assert patrol["planning_hz_per_agent"] == 10.0
    physics = measure_goap(4, ticks=12, warmup=0, movement="physics")
    assert physics["movement"] == "physics" and physics["world_hash"] != a["world_hash"]
    with pytest.raises(CliError):
        goap_harness(1)


def test_physics_bodies_walk_collide_and_arrive_deterministically() -> None:
    a = measure_bodies(60, ticks=120, warmup=0, seed=4)
    b = measure_bodies(60, ticks=120, warmup=0, seed=4)
    assert a["world_hash"] == b["world_hash"]
    assert a["contacts_started"] > 0 and a["arrivals"] > 0
    assert a["contacts_started"] == b["contacts_started"] and a["arrivals"] == b["arrivals"]


def test_capacity_search_doubles_then_bisects() -> None:
    calls: list[int] = []

    def fake(n: int) -> dict[str, float]:
        calls.append(n)
        return {"p95_ms": 0.1 * n}

    found = find_capacity(fake, start=8, target_ms=16.7)
    assert found["capacity"] == 160 and found["first_over"] == 176
    assert calls[:6] == [8, 16, 32, 64, 128, 256]
    assert [r["p95_ms"] for r in found["runs"]] == sorted(r["p95_ms"] for r in found["runs"])
    assert find_capacity(lambda n: {"p95_ms": 99.0}, start=8)["capacity"] == 0
    assert find_capacity(lambda n: {"p95_ms": 0.0}, start=8, limit=32)["first_over"] is None


def test_bench_all_writes_one_json_with_every_section(tmp_path: Path) -> None:
    out_path = tmp_path / "out" / "bench.json"
    seen: list[str] = []
    out = run_all_benches(out_path, quick=True, data=tmp_path, progress=seen.append)
    written = json.loads(out_path.read_text())
    assert written["benchmark"] == "all" and written["failed"] == []
    assert set(written["results"]) | set(written["skipped"]) == set(BENCHES)
    assert "nav" in written["skipped"]  # no Moving AI data in tmp_path
    assert seen == [n for n in BENCHES if n != "nav"]
    scale = written["results"]["scale"]
    assert {"goap_patrol", "goap_battle", "goap_battle_physics", "bodies"} <= set(scale)
    assert written["results"]["soak"]["errors"] == []
    assert out["machine"] == written["machine"]
    with pytest.raises(ValueError, match="unknown benchmarks"):
        run_all_benches(quick=True, only=("warp",))
