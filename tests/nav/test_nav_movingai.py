"""Every problem of the Moving AI arena benchmark is solved optimally by both searches."""

from __future__ import annotations

from pathlib import Path

import pytest

from astraweave.nav import GridMap, load_movingai_scenarios, path_length


@pytest.mark.parametrize("algorithm", ["astar", "jps"])
def test_arena_every_problem_optimal(arena_files: tuple[Path, Path], algorithm: str) -> None:
    map_path, scen_path = arena_files
    grid = GridMap.from_movingai(map_path)
    problems = load_movingai_scenarios(scen_path)
    assert len(problems) == 160
    assert (grid.width, grid.height) == (problems[0].width, problems[0].height) == (49, 49)
    wrong = []
    for p in problems:
        path = grid.find_path(p.start, p.goal, algorithm)
        assert path is not None, p
        assert path[0] == p.start and path[-1] == p.goal
        length = path_length(path)
        if abs(length - p.optimal_length) > 1e-4:
            wrong.append((p, length))
    assert wrong == []


def test_arena_algorithms_agree_cell_by_cell_in_length(arena_files: tuple[Path, Path]) -> None:
    grid = GridMap.from_movingai(arena_files[0])
    for p in load_movingai_scenarios(arena_files[1])[::7]:
        a = grid.find_path(p.start, p.goal, "astar")
        j = grid.find_path(p.start, p.goal, "jps")
        assert a is not None and j is not None
        assert len(a) == len(j)
        assert path_length(a) == pytest.approx(path_length(j), abs=1e-9)
