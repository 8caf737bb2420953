"""Helpers for core tests: build small scenarios from Python data."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

import pytest

from astraweave import core
from astraweave.ecs import App, World

# A 20 x 7 arena. A (1,1) and B (1,3) on the left; E (14,3) on the right; a low
# cover wall at x = 9 (rows 1-3) and a full wall tile at (9, 5).
ARENA = [
    "####################",
    "#A.......=.........#",
    "#........=.........#",
    "#B.......=....E....#",
    "#..................#",
    "#........#.........#",
    "####################",
]


def toml_value(v: Any) -> str:
    """A TOML value for plain Python data (strings, numbers, bools, lists, dicts)."""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return repr(v)
    if isinstance(v, str):
        return json.dumps(v)
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(toml_value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{ " + ", ".join(f"{k} = {toml_value(x)}" for k, x in v.items()) + " }"
    raise TypeError(v)


def scenario_text(
    *,
    map_rows: Iterable[str] = ARENA,
    entities: Iterable[dict[str, Any]] = (),
    pois: Iterable[dict[str, Any]] = (),
    hazards: Iterable[dict[str, Any]] = (),
    inputs: Iterable[dict[str, Any]] = (),
    success: Iterable[dict[str, Any]] = (),
    failure: Iterable[dict[str, Any]] = (),
    forbidden: Iterable[str] = (),
    **meta: Any,
) -> str:
    """TOML text of a scenario (the map as a multi-line string)."""
    lines = ["[scenario]", f"name = {toml_value(meta.pop('name', 'test'))}"]
    for k, v in meta.items():
        lines.append(f"{k} = {toml_value(v)}")
    lines.append('map = """')
    lines.extend(map_rows)
    lines.append('"""')
    if forbidden:
        lines += ["", "[constraints]", f"forbidden_tools = {toml_value(list(forbidden))}"]
    for group, items in (
        ("entities", entities),
        ("pois", pois),
        ("hazards", hazards),
        ("inputs", inputs),
        ("success", success),
        ("failure", failure),
    ):
        for item in items:
            lines += ["", f"[[{group}]]"]
            lines += [f"{k} = {toml_value(v)}" for k, v in item.items()]
    return "\n".join(lines) + "\n"


def make(**kwargs: Any) -> tuple[core.Scenario, World, dict[str, int]]:
    """Load a scenario built by :func:`scenario_text`, build its world (seed 1)."""
    kwargs.setdefault(
        "entities",
        [{"name": "a", "at": "A"}, {"name": "e", "at": "E", "team": "red"}],
    )
    sc = core.load_scenario(scenario_text(**kwargs))
    world = sc.build_world(1)
    return sc, world, dict(world.resource(core.Mission).names)


def app_for(world: World) -> App:
    """An app running core's systems (no planners) on ``world``."""
    app = App(world=world)
    app.add_plugin(core.plugin)
    return app


def plan(*steps: dict[str, Any], plan_id: str = "t") -> dict[str, Any]:
    """A raw plan."""
    return {"plan_id": plan_id, "steps": list(steps)}


@pytest.fixture()
def arena() -> tuple[core.Scenario, World, dict[str, int]]:
    """The default arena: ``a`` (blue) at A, ``e`` (red) at E."""
    return make()
