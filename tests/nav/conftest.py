"""Fixtures of the navigation tests: the Moving AI benchmark files, when present."""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path

import networkx as nx
import numpy as np
import pytest

# tests/nav/conftest.py -> parents[2] is the repository root; ../shared sits beside it.
SHARED = Path(__file__).resolve().parents[2] / ".." / "shared"
MOVINGAI = SHARED / "data" / "movingai"


@pytest.fixture()
def arena_files() -> tuple[Path, Path]:
    """``(arena.map, arena.map.scen)``; skips where ../shared/data is absent."""
    map_path = MOVINGAI / "arena.map"
    scen_path = MOVINGAI / "arena.map.scen"
    if not (map_path.is_file() and scen_path.is_file()):
        pytest.skip("../shared/data/movingai is absent (fresh clone without shared data)")
    return map_path, scen_path


def _nx_graph(walkable: np.ndarray) -> nx.Graph:
    """The move graph built independently of astraweave: 8 neighbours, straight 1,
    diagonal sqrt(2) only when both orthogonal neighbours are walkable."""
    g = nx.Graph()
    h, w = walkable.shape
    for y in range(h):
        for x in range(w):
            if not walkable[y, x]:
                continue
            g.add_node((x, y))
            for dx, dy in ((1, 0), (0, 1), (1, 1), (-1, 1)):
                nx_, ny_ = x + dx, y + dy
                if not (0 <= nx_ < w and 0 <= ny_ < h) or not walkable[ny_, nx_]:
                    continue
                if dx and dy and not (walkable[y, nx_] and walkable[ny_, x]):
                    continue
                g.add_edge((x, y), (nx_, ny_), weight=math.sqrt(2.0) if dx and dy else 1.0)
    return g


@pytest.fixture(scope="session")
def nx_graph() -> Callable[[np.ndarray], nx.Graph]:
    """Builds the networkx oracle graph of a walkability array."""
    return _nx_graph
