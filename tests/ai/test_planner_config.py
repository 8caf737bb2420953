"""Per-agent planner settings from the scenario file (``agent.planner_config``)."""

from __future__ import annotations

import json

import pytest

from astraweave import ai, core
from astraweave.core import Agent
from astraweave.errors import PlannerConfigError

SCENARIO = """
[scenario]
name = "tuned"
objective = "Hold the room."
seed = 3
max_ticks = 120
map = '''
##########
#P..C...R#
##########
'''

[[entities]]
name = "player"
at = "P"
agent = {{ planner = "rule", role = "lead" }}

[[entities]]
name = "companion"
at = "C"
agent = {{ planner = "{planner}", role = "companion", planner_config = {config} }}

[[entities]]
name = "raider"
team = "red"
at = "R"
"""


def _scenario(planner: str, config: str) -> core.Scenario:
    return core.load_scenario(SCENARIO.format(planner=planner, config=config))


def test_planner_config_reaches_the_agents_planner() -> None:
    sc = _scenario("utility", "{ weights = { Attack = 1.5, Wait = 0.0 }, noise = 0.0 }")
    world = sc.build_world()
    companion = sc.entity_id(world, "companion")
    cfg = world.get(companion, Agent).planner_config
    assert json.loads(cfg) == {"noise": 0.0, "weights": {"Attack": 1.5, "Wait": 0.0}}
    assert cfg == json.dumps(json.loads(cfg), sort_keys=True)  # canonical: a stable hash
    app = ai.build_app(sc)
    app.run(40)
    system = ai.ai_system(app)
    tuned = system.planner("utility", cfg)
    assert isinstance(tuned, ai.UtilityPlanner)
    assert tuned is not system.planner("utility")  # defaults and settings: two instances
    assert tuned.configs.default.weights == {"Attack": 1.5, "Wait": 0.0}
    planned = [r for r in system.log.records if r.agent == companion]
    assert planned and all(r.planner == "utility" for r in planned)


def test_bad_planner_config_fails_before_the_first_tick() -> None:
    with pytest.raises(PlannerConfigError) as info:
        ai.build_app(_scenario("utility", "{ weights = { Attack = -1.0 } }"))
    assert info.value.planner == "utility"
    with pytest.raises(PlannerConfigError, match="takes no configuration"):
        ai.build_app(_scenario("rule", "{ anything = 1 }"))


def test_overriding_the_planner_drops_settings_meant_for_another() -> None:
    sc = _scenario("utility", "{ noise = 0.0 }")
    app = ai.build_app(sc, planner="goap")
    companion = sc.entity_id(app.world, "companion")
    agent = app.world.get(companion, Agent)
    assert (agent.planner, agent.planner_config) == ("goap", "")
    app.run(5)
