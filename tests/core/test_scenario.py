"""Scenario files: typed errors with key path and line; building worlds; outcomes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from astraweave import core
from astraweave.errors import (
    EntityInWallError,
    ScenarioError,
    ScenarioMapError,
    ScenarioReferenceError,
    ScenarioSchemaError,
    ScenarioSyntaxError,
)

from .conftest import app_for, make, scenario_text

ROOT = Path(__file__).resolve().parents[2]

GOOD = """\
[scenario]
name = "t"
map = \"\"\"
#######
#A...B#
#######
\"\"\"

[[entities]]
name = "a"
at = "A"
hp = 80.0

[[entities]]
name = "b"
at = "B"
team = "red"
"""


def load_err(text: str) -> ScenarioError:
    with pytest.raises(ScenarioError) as info:
        core.load_scenario(text)
    return info.value


def line_of(text: str, needle: str) -> int:
    return next(i + 1 for i, ln in enumerate(text.split("\n")) if needle in ln)


def test_a_good_scenario_loads() -> None:
    sc = core.load_scenario(GOOD)
    assert sc.name == "t" and sc.tilemap.width == 7 and sc.team_names() == {"blue": 0, "red": 1}
    world = sc.build_world()
    assert world.get(sc.entity_id(world, "a"), core.Health).hp == 80.0
    with pytest.raises(ScenarioReferenceError):
        sc.entity_id(world, "zz")
    assert "Scenario('t'" in repr(sc)


def test_unknown_key_names_key_and_line() -> None:
    text = GOOD.replace("hp = 80.0", "hpp = 80.0")
    err = load_err(text)
    assert isinstance(err, ScenarioSchemaError)
    assert err.key == "entities[0].hpp" and err.line == line_of(text, "hpp")
    assert f"<scenario>:{err.line}: entities[0].hpp: Extra inputs" in str(err)


def test_wrong_type_names_key_and_line() -> None:
    text = GOOD.replace('team = "red"', 'team = "red"\nspeed = "fast"')
    err = load_err(text)
    assert isinstance(err, ScenarioSchemaError)
    assert err.key == "entities[1].speed" and err.line == line_of(text, "speed")


def test_nested_and_top_level_keys_are_located() -> None:
    text = GOOD.replace('at = "A"', 'at = "A"\nagent = { planner = "rule", cadence = 3 }')
    err = load_err(text)
    assert err.key == "entities[0].agent.cadence" and err.line == line_of(text, "cadence")
    text = GOOD + "\n[extras]\nfoo = 1\n"
    err = load_err(text)
    assert err.key == "extras" and err.line == line_of(text, "[extras]")
    err = load_err(GOOD.replace('name = "t"\n', ""))
    assert err.key == "scenario.name"


def test_entity_inside_a_wall() -> None:
    text = GOOD.replace('at = "A"', "pos = [0.5, 1.5]")
    err = load_err(text)
    assert isinstance(err, EntityInWallError)
    assert err.key == "entities[0].pos" and err.line == line_of(text, "pos = [0.5")
    assert "inside a wall" in str(err)
    err = load_err(GOOD.replace('at = "A"', "pos = [50.0, 1.5]"))
    assert isinstance(err, EntityInWallError) and "outside the map" in str(err)


def test_unknown_tool_in_constraints() -> None:
    text = GOOD.replace(
        "[[entities]]", '[constraints]\nforbidden_tools = ["Fly"]\n\n[[entities]]', 1
    )
    err = load_err(text)
    assert isinstance(err, ScenarioReferenceError)
    assert err.key == "constraints.forbidden_tools" and err.line == line_of(text, "Fly")
    assert err.name == "Fly"


def test_toml_syntax_and_map_errors() -> None:
    err = load_err(GOOD.replace('name = "t"', "name = t"))
    assert isinstance(err, ScenarioSyntaxError) and err.line == 2
    text = GOOD.replace("#A...B#", "#A..B#")
    err = load_err(text)
    assert isinstance(err, ScenarioMapError) and err.line == line_of(text, "#A..B#")
    err = load_err(GOOD.replace("#A...B#", "#A.?.B#"))
    assert isinstance(err, ScenarioMapError) and err.column == 4
    err = load_err(GOOD.replace("#######\n#A...B#\n#######", ""))
    assert isinstance(err, ScenarioMapError)


@pytest.mark.parametrize(
    ("change", "cls", "key"),
    [
        (('at = "A"', 'at = "Q"'), ScenarioReferenceError, "entities[0].at"),
        (('at = "A"', 'at = "A"\npos = [1.5, 1.5]'), ScenarioSchemaError, "entities[0]"),
        (('name = "b"', 'name = "a"'), ScenarioSchemaError, "entities[1].name"),
        (("hp = 80.0", "hp = 180.0"), ScenarioSchemaError, "entities[0].hp"),
        (("hp = 80.0", "ammo = 99"), ScenarioSchemaError, "entities[0].ammo"),
        (
            ("hp = 80.0", 'agent = { leader = "ghost" }'),
            ScenarioReferenceError,
            "entities[0].agent.leader",
        ),
        (
            ("hp = 80.0", 'agent = { patrol = "AZ" }'),
            ScenarioReferenceError,
            "entities[0].agent.patrol.at",
        ),
        (
            ("hp = 80.0", "agent = { patrol = [[0.5, 0.5]] }"),
            EntityInWallError,
            "entities[0].agent.patrol",
        ),
        (
            ("hp = 80.0", "agent = { patrol = [[1.5]] }"),
            ScenarioSchemaError,
            "entities[0].agent.patrol",
        ),
    ],
)
def test_semantic_errors(change: tuple[str, str], cls: type[ScenarioError], key: str) -> None:
    err = load_err(GOOD.replace(*change))
    assert isinstance(err, cls), err
    assert err.key == key


def test_duplicate_markers_and_planner_names() -> None:
    text = GOOD.replace("#A...B#", "#A.A.B#")
    err = load_err(text)
    assert isinstance(err, ScenarioReferenceError) and "appears 2 times" in str(err)
    with pytest.raises(ScenarioReferenceError, match="unknown planner 'oracle'"):
        core.load_scenario(
            GOOD.replace("hp = 80.0", 'agent = { planner = "oracle" }'), planners=["rule"]
        )


def test_pois_predicates_and_inputs_are_checked() -> None:
    def err_of(**kw: Any) -> ScenarioError:
        return load_err(scenario_text(entities=[{"name": "a", "at": "A"}], **kw))

    e = err_of(pois=[{"name": "d", "kind": "door", "at": "B"}])
    assert isinstance(e, EntityInWallError) and "D or d tile" in str(e)
    e = err_of(pois=[{"name": "s", "kind": "switch", "at": "B", "link": "nothing"}])
    assert isinstance(e, ScenarioReferenceError) and e.key == "pois[0].link"
    e = err_of(success=[{"type": "dead", "entity": "ghost"}])
    assert isinstance(e, ScenarioReferenceError) and e.key == "success[0].entity"
    e = err_of(failure=[{"type": "team_down", "team": "green"}])
    assert isinstance(e, ScenarioReferenceError) and e.key == "failure[0].team"
    e = err_of(success=[{"type": "within", "entity": "a", "radius": 2.0}])
    assert isinstance(e, ScenarioSchemaError) and "exactly one of point or poi" in str(e)
    e = err_of(success=[{"type": "sometimes"}])
    assert isinstance(e, ScenarioSchemaError) and e.key.startswith("success[0]")
    e = err_of(inputs=[{"tick": 0, "entity": "a", "steps": [{"tool": "Fly"}]}])
    assert isinstance(e, ScenarioSchemaError) and "unknown tool" in str(e)
    e = err_of(inputs=[{"tick": 0, "entity": "zz", "steps": [{"tool": "Wait"}]}])
    assert isinstance(e, ScenarioReferenceError)


def test_missing_file_and_map_as_a_list(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError, match="cannot read scenario file"):
        core.load_scenario(tmp_path / "nope.toml")
    text = (
        '[scenario]\nname = "l"\nmap = ["#####", "#A..#", "#####"]\n'
        '[[entities]]\nname = "a"\nat = "A"\n'
    )
    path = tmp_path / "l.toml"
    path.write_text(text)
    sc = core.load_scenario(path)
    assert sc.path == str(path) and sc.tilemap.height == 3
    err = load_err(text.replace('"#A..#"', '"#A.#"'))
    assert isinstance(err, ScenarioMapError) and err.line == 3


def test_examples_and_builtins_load_and_run() -> None:
    from astraweave import ai

    files = sorted((ROOT / "examples" / "scenarios").glob("*.toml"))
    assert len(files) >= 4
    for f in files:
        sc = core.load_scenario(f, planners=ai.planner_names())
        result = ai.run_scenario(sc, ticks=30)
        assert result.ticks == 30 or result.outcome.status != "running"
    assert "hello_companion" in core.builtin_scenarios()
    with pytest.raises(ScenarioError, match="no built-in scenario"):
        core.builtin_scenario("nope")


# ------------------------------------------------------------------------- outcomes
def outcome_of(ticks: int = 5, **kw: Any) -> core.Outcome:
    _, world, _ = make(**kw)
    app = app_for(world)
    app.run(ticks)
    return world.resource(core.Outcome)


def test_success_needs_all_predicates_failure_any() -> None:
    o = outcome_of(
        success=[
            {"type": "within", "entity": "a", "point": [1.5, 1.5], "radius": 0.5},
            {"type": "hp_at_least", "entity": "a", "hp": 50.0},
            {"type": "before_tick", "tick": 100},
        ]
    )
    assert (o.status, o.tick) == ("success", 0)
    o = outcome_of(
        success=[{"type": "within", "entity": "a", "point": [1.5, 1.5]}],
        failure=[{"type": "before_tick", "tick": 10}],
    )
    assert o.status == "failure" and o.reason == "before_tick(tick=10)"
    o = outcome_of(ticks=30, success=[{"type": "dead", "entity": "e"}], max_ticks=20)
    assert (o.status, o.tick, o.reason) == ("failure", 19, "timeout")


def test_predicates_on_life_teams_and_pois() -> None:
    _, world, ids = make(
        pois=[{"name": "term", "kind": "terminal", "at": "B"}],
        success=[
            {"type": "team_down", "team": "red"},
            {"type": "poi_active", "poi": "term"},
            {"type": "down", "entity": "e"},
            {"type": "within", "entity": "a", "poi": "term", "radius": 3.0},
        ],
    )
    app = app_for(world)
    app.run(2)
    assert world.resource(core.Outcome).status == "running"
    core.apply_damage(world, ids["e"], 500.0, ids["a"], "test")
    poi = world.get(ids["term"], core.PointOfInterest)
    poi.active = True
    world.set(ids["term"], poi)
    app.run(1)
    assert world.resource(core.Outcome).status == "success"
