"""The nav benchmark runs every problem with the three algorithms and checks lengths."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from astraweave.cli._bench_nav import _percentile, run_nav_bench
from astraweave.errors import MapFormatError


def test_bench_on_arena(arena_files: tuple[Path, Path]) -> None:
    result = run_nav_bench(*arena_files)
    json.dumps(result)  # JSON-ready
    assert result["benchmark"] == "nav"
    assert result["machine"]["cores"] >= 1
    workload = result["workload"]
    assert (workload["map"], workload["problems"], workload["width"]) == ("arena.map", 160, 49)
    algos = result["algorithms"]
    assert set(algos) == {"astar", "jps", "pathfinding_astar"}
    for name, entry in algos.items():
        assert entry["problems"] == 160, name
        assert entry["optimal"] == 160, name
        assert entry["max_length_error"] <= 1e-4
        assert 0 < entry["median_us"] <= entry["p95_us"]
        assert entry["ratio_vs_pathfinding"] > 0
    assert algos["pathfinding_astar"]["ratio_vs_pathfinding"] == 1.0
    mesh = result["navmesh"]
    assert mesh["queries"] == 160 and mesh["polygons"] > 0
    assert 0 < mesh["median_us"] <= mesh["p95_us"]


def test_bench_rejects_mismatched_scenarios(tmp_path: Path) -> None:
    map_path = tmp_path / "m.map"
    map_path.write_text("type octile\nheight 2\nwidth 2\nmap\n..\n..\n")
    scen_path = tmp_path / "m.map.scen"
    scen_path.write_text("version 1\n0\tm.map\t3\t3\t0\t0\t1\t1\t1.41421\n")
    with pytest.raises(MapFormatError, match="3x3 map"):
        run_nav_bench(map_path, scen_path)
    scen_path.write_text("version 1\n0\tm.map\t2\t2\t0\t0\t1\t1\t1.41421\n")
    small = run_nav_bench(map_path, scen_path, repeats=2)
    assert small["algorithms"]["jps"]["optimal"] == 1
    assert small["workload"]["repeats"] == 2


def test_percentile() -> None:
    assert _percentile([4.0, 1.0, 3.0, 2.0], 0.5) == 2.5
    assert _percentile([1.0, 2.0], 0.95) == pytest.approx(1.95)
    assert _percentile([7.0], 0.95) == 7.0
