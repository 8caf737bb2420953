"""The GOAP planner: the bitmask A*, goals, actions from the registry, the exact-fact
cache, bad configurations, and sandbox-valid plans on the built-in scenarios."""

from __future__ import annotations

from typing import Any, Literal

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from astraweave import ai, core
from astraweave.ai._goap import DEFAULT_GOALS, GoalSpec, GoapConfig, GoapPlanner
from astraweave.ai._goap_search import FactSpace, GoapAction, astar
from astraweave.core import (
    ActorState,
    Forecast,
    PlanIntent,
    StepRun,
    Tool,
    ToolArgs,
    ToolRegistry,
    WorldSnapshot,
)
from astraweave.core._view import WorldView
from astraweave.ecs import App
from astraweave.errors import (
    GoalUnreachableError,
    NoActionsError,
    NoPathError,
    PlannerConfigError,
)

RNG = np.random.default_rng(0)
REG = core.default_registry()
ALL = REG.allowlist()


def snap(**changes: Any) -> WorldSnapshot:
    """The example snapshot, every tool allowed, no cooldowns, with ``changes``
    (``agent__field`` changes a field of the agent)."""
    base = WorldSnapshot.example().model_dump()
    base["tools"] = ALL
    base["agent"]["cooldowns"] = {}
    for key, value in changes.items():
        if key.startswith("agent__"):
            base["agent"][key[7:]] = value
        else:
            base[key] = value
    return WorldSnapshot.model_validate(base)


def enemy(**kw: Any) -> dict[str, Any]:
    e: dict[str, Any] = WorldSnapshot.example().model_dump()["enemies"][0]
    e.update(kw)
    return e


def ally(**kw: Any) -> dict[str, Any]:
    a: dict[str, Any] = WorldSnapshot.example().model_dump()["allies"][0]
    a.update(kw)
    return a


def plan(s: WorldSnapshot, planner: GoapPlanner | None = None) -> PlanIntent:
    return (planner or GoapPlanner()).plan(s, REG, rng=RNG, budget_s=0.05)


def goal_of(p: PlanIntent) -> str:
    return p.provenance.notes[0].removeprefix("goal: ")


# ------------------------------------------------------------------------ search
def test_astar_finds_the_cheapest_sequence_and_its_cost() -> None:
    fs = FactSpace(["ammo", "reserve", "in_range", "hit"])
    acts = [
        GoapAction(
            "Attack", fs.mask(["ammo", "in_range"]), fs.mask(["hit"]), fs.mask(["ammo"]), 1.0
        ),
        GoapAction("Reload", fs.mask(["reserve"]), fs.mask(["ammo"]), 0, 1.0),
        GoapAction("Approach", 0, fs.mask(["in_range"]), 0, 1.0),
        GoapAction("Grenade", 0, fs.mask(["hit"]), 0, 5.0),
    ]
    r = astar(fs.mask(["reserve"]), fs.mask(["hit"]), acts)
    assert r.status == "found" and r.cost == 3.0
    assert [acts[i].name for i in r.actions] == ["Reload", "Approach", "Attack"]
    # without spare rounds the expensive grenade is the only way
    r = astar(0, fs.mask(["hit"]), acts)
    assert [acts[i].name for i in r.actions] == ["Grenade"] and r.cost == 5.0
    assert astar(fs.mask(["hit"]), fs.mask(["hit"]), acts).status == "satisfied"


def test_astar_unreachable_depth_and_expansion_limits() -> None:
    fs = FactSpace([f"f{i}" for i in range(8)])
    chain = [
        GoapAction(f"a{i}", fs.mask([f"f{i}"]), fs.mask([f"f{i + 1}"]), 0, 1.0) for i in range(7)
    ]
    start, goal = fs.mask(["f0"]), fs.mask(["f7"])
    assert astar(start, goal, chain).cost == 7.0
    assert astar(start, goal, chain, max_depth=6).status == "unreachable"
    limited = astar(start, goal, chain, max_expansions=3)
    assert limited.status == "limit" and limited.expanded == 3 and not limited.ok
    assert astar(0, goal, chain).status == "unreachable"
    assert astar(start, fs.mask(["f7"]), []).status == "unreachable"
    with pytest.raises(PlannerConfigError):
        astar(start, goal, chain, max_expansions=0)
    with pytest.raises(PlannerConfigError):
        astar(start, goal, [GoapAction("free", 0, goal, 0, 0.0)])


def test_astar_breaks_ties_by_action_order() -> None:
    fs = FactSpace(["x"])
    a, b = GoapAction("A", 0, 1, 0, 1.0), GoapAction("B", 0, 1, 0, 1.0)
    assert astar(0, 1, [a, b]).actions == (0,)
    assert astar(0, 1, [b, a]).actions == (0,)
    assert fs.names(fs.mask(["x", "unknown"])) == frozenset({"x"})


# ----------------------------------------------------------------------- planner
def test_engages_with_a_mark_then_an_attack_on_the_target() -> None:
    p = plan(snap())
    assert p.brief() == "MarkTarget(target=2) -> Attack(target=2, shots=3)"
    assert p.provenance.planner == "goap" and p.plan_id == "goap-1-120"
    assert p.provenance.notes[:2] == ["goal: mark_and_engage", "cost: 1.5"]


def test_closes_in_before_shooting_a_target_out_of_range() -> None:
    p = plan(snap(enemies=[enemy(distance=20.0, pos=(22.5, 1.5))]))
    # the plan is Approach -> Attack, cut after the approach: whether the target is
    # in sight from where it ends cannot be known without walls; plan again there
    assert p.brief() == "Approach(target=2, distance=9.8)"
    assert p.provenance.notes[1] == "cost: 2"
    assert goal_of(p) == "engage"
    assert "skipped mark_and_engage: unreachable" in p.provenance.notes


def test_goals_by_priority_reload_heal_revive_follow() -> None:
    assert plan(snap(agent__ammo=0)).tools() == ["Reload"]
    assert plan(snap(agent__hp=20.0)).tools() == ["UseItem"]
    downed = [ally(downed=True, distance=4.0, pos=(6.5, 1.5))]
    p = plan(snap(allies=downed))
    assert goal_of(p) == "smoke_and_revive"
    assert p.tools() == ["ThrowSmoke", "Regroup", "Revive"]
    assert p.steps[1].model_dump()["radius"] == 1.0  # close enough to touch
    no_smoke = {"smoke": 0, "grenade": 0, "medkit": 0, "keys": 0}
    assert plan(snap(allies=downed, agent__items=no_smoke)).tools() == ["Regroup", "Revive"]
    far = [ally(distance=8.0, pos=(10.5, 1.5))]
    p = plan(snap(enemies=[], allies=far))
    assert p.brief() == "Regroup(radius=2.5)" and goal_of(p) == "follow_leader"
    hurt = [ally(hp=30.0, distance=3.0, pos=(5.5, 1.5))]
    assert plan(snap(enemies=[], allies=hurt)).tools() == ["Regroup", "Heal"]


def test_no_ammo_at_all_falls_back_to_the_grenade() -> None:
    p = plan(snap(agent__ammo=0, agent__reserve=0))
    assert p.tools()[-1] == "ThrowExplosive"


def test_cooldowns_wait_when_short_and_exclude_when_long() -> None:
    p = plan(snap(enemies=[enemy(marked=True)], agent__cooldowns={"Attack": 0.25}))
    assert p.brief() == "Wait(seconds=0.27) -> Attack(target=2, shots=3)"
    assert p.provenance.notes[1] == "cost: 1.5"  # 1 + the wait penalty
    long = plan(snap(enemies=[enemy(marked=True)], agent__cooldowns={"Attack": 5.0}))
    assert long.tools() == ["AimedShot"]


def test_forbidden_tools_are_never_planned() -> None:
    tools = [t for t in ALL if t not in ("Attack", "MarkTarget")]
    p = plan(snap(tools=tools))
    assert p.tools() == ["AimedShot"]


def test_idle_and_unreachable_goals() -> None:
    calm = snap(enemies=[], allies=[ally(distance=1.0, hp=100.0)], agent__cooldowns={"Scan": 3.0})
    p = plan(calm)
    assert p.brief() == "Wait(seconds=0.5)" and goal_of(p) == "idle"
    assert "skipped look_around: unreachable" in p.provenance.notes
    strict = GoapPlanner({"on_unreachable": "error"})
    with pytest.raises(GoalUnreachableError) as err:
        plan(calm, strict)
    assert err.value.goals == ["skipped look_around: unreachable"]


def test_empty_registry_or_allowlist_is_a_typed_error() -> None:
    with pytest.raises(NoActionsError):
        GoapPlanner().plan(snap(), ToolRegistry(), rng=RNG, budget_s=0.05)
    with pytest.raises(NoActionsError):
        plan(snap(tools=[]))


def test_search_limit_is_recorded_and_skips_the_goal() -> None:
    p = plan(
        snap(enemies=[enemy(distance=20.0, pos=(22.5, 1.5))]), GoapPlanner({"max_expansions": 1})
    )
    assert "skipped engage: search limit (1 states)" in p.provenance.notes


# ------------------------------------------------------------------------- cache
def engage_only() -> GoapPlanner:
    goal = next(g for g in DEFAULT_GOALS if g.name == "engage")
    return GoapPlanner(GoapConfig(goals=(goal,)))


def test_cache_hits_on_irrelevant_changes_and_misses_on_relevant_ones() -> None:
    g = engage_only()
    plan(snap(), g)
    assert g.stats["cache_misses"] == 1 and g.stats["cache_hits"] == 0
    # irrelevant to engaging: a key in the pocket, another position, another tick
    items = {"smoke": 1, "grenade": 1, "medkit": 1, "keys": 2}
    p = plan(snap(agent__items=items, agent__pos=(3.0, 1.5), tick=500), g)
    assert g.stats["cache_hits"] == 1 and g.stats["cache_misses"] == 1
    assert p.plan_id == "goap-1-500"  # arguments and ids come from the new snapshot
    # relevant: the target out of range, or no grenade (an action no longer available)
    plan(snap(enemies=[enemy(distance=20.0, pos=(22.5, 1.5))]), g)
    assert g.stats["cache_misses"] == 2
    plan(snap(agent__items={"smoke": 1, "grenade": 0, "medkit": 1, "keys": 0}), g)
    assert g.stats["cache_misses"] == 3
    assert g.cache_hit_rate() == 0.25
    g.clear_cache()
    plan(snap(), g)
    assert g.stats["cache_misses"] == 4


def test_the_cache_never_changes_a_plan() -> None:
    cached, uncached = GoapPlanner(), GoapPlanner({"cache_size": 0})
    cases = [snap(), snap(agent__ammo=0), snap(enemies=[enemy(distance=20.0, pos=(22.5, 1.5))])]
    for s in cases * 2:
        assert plan(s, cached).canonical_json() == plan(s, uncached).canonical_json()
    assert uncached.stats["cache_hits"] == 0


# ------------------------------------------------------- actions from the registry
class ShoutArgs(ToolArgs):
    tool: Literal["Shout"] = "Shout"


class Shout(Tool):
    name = "Shout"
    args_model = ShoutArgs
    summary = "shout"
    provides = frozenset({"rallied"})
    requires = frozenset({"enemy_visible"})
    goap_cost = 0.5

    def check(self, view: WorldView, state: ActorState, args: Any) -> Forecast:
        return Forecast(state, 0.0)

    def start(self, run: StepRun) -> None:
        return None

    def update(self, run: StepRun) -> bool:
        return True

    def bind(self, snapshot: WorldSnapshot) -> list[ToolArgs]:
        return [ShoutArgs()]


def test_actions_come_from_the_registrys_facts_including_custom_tools() -> None:
    reg = core.default_registry()
    reg.register(Shout())
    goal = GoalSpec(name="rally", want=("rallied",), priority=99.0)
    g = GoapPlanner({"goals": [goal.model_dump()], "extra_facts": ["rallied"]})
    s = snap(tools=reg.allowlist())
    assert g.plan(s, reg, rng=RNG, budget_s=0.05).tools() == ["Shout"]
    # without a visible enemy its precondition fails: nothing reaches the goal
    quiet = snap(tools=reg.allowlist(), enemies=[])
    assert goal_of(g.plan(quiet, reg, rng=RNG, budget_s=0.05)) == "idle"


# -------------------------------------------------------------- configuration
def test_configuration_priorities_costs_and_per_agent_overrides() -> None:
    g = GoapPlanner({"priorities": {"engage": 99.0}})
    assert goal_of(plan(snap(), g)) == "engage"
    g = GoapPlanner({"costs": {"Attack": 5.0}, "disable": ["mark_and_engage"]})
    assert plan(snap(), g).tools() == ["AimedShot"]
    g = GoapPlanner()
    g.configure({"disable": ["mark_and_engage"]}, agent="companion")
    g.configure({"disable": ["engage", "mark_and_engage"]}, agent="role:guard")
    assert plan(snap(), g).tools() == ["Attack"]
    guard = snap(agent__name="other", agent__role="guard")
    assert plan(guard, g).tools() != ["Attack"]
    assert g.configs.keys() == ["companion", "role:guard"]


@pytest.mark.parametrize(
    ("config", "key"),
    [
        ({"max_depth": 0}, "max_depth"),
        ({"max_depth": 17}, "max_depth"),
        ({"costs": {"Attack": 0.0}}, ""),
        ({"priorities": {"nope": 1.0}}, ""),
        ({"disable": ["nope"]}, ""),
        ({"goals": [{"name": "g", "want": ["no_such_fact"], "priority": 1.0}]}, ""),
        ({"goals": [{"name": "g", "want": ["has_ammo"], "when": ["x"], "priority": 1.0}]}, ""),
        ({"goals": [{"name": "g", "want": ["has_ammo"], "priority": "high"}]}, "goals.0.priority"),
        ({"unknown": 1}, "unknown"),
        ({"on_unreachable": "panic"}, "on_unreachable"),
    ],
)
def test_bad_configurations_are_typed_errors(config: dict[str, Any], key: str) -> None:
    with pytest.raises(PlannerConfigError) as err:
        GoapPlanner(config)
    assert err.value.planner == "goap"
    if key:
        assert err.value.key == key


def test_a_configuration_must_be_a_table() -> None:
    with pytest.raises(PlannerConfigError):
        GoapPlanner([1, 2])  # type: ignore[arg-type]  # deliberately wrong


@given(
    st.dictionaries(
        st.sampled_from(["max_depth", "max_expansions", "costs", "disable", "goals", "x"]),
        st.one_of(st.integers(-5, 50), st.text(max_size=5), st.lists(st.text(max_size=5))),
        max_size=3,
    )
)
def test_any_outside_configuration_is_accepted_or_a_typed_error(config: dict[str, Any]) -> None:
    try:
        g = GoapPlanner(config)
    except PlannerConfigError:
        return
    assert isinstance(plan(snap(), g), PlanIntent)


# ---------------------------------------------------------------------- replan
def test_replan_drops_the_rejected_goal_and_avoids_the_tool_for_a_while() -> None:
    g = GoapPlanner()
    s = snap()
    first = plan(s, g)
    err = NoPathError("no path", tool="Attack", step=1)
    second = g.replan(s, REG, rng=RNG, budget_s=0.05, rejected=[first], errors=[err])
    assert second is not None and goal_of(second) != "mark_and_engage"
    assert "Attack" not in second.tools() and second.provenance.notes[-1] == "after 1 rejection(s)"
    assert "Attack" not in plan(snap(tick=130), g).tools()  # remembered while near
    assert "Attack" in plan(snap(tick=130, agent__pos=(6.5, 1.5)), g).tools()  # moved away
    g2 = GoapPlanner({"avoid_ticks": 0})
    g2.replan(s, REG, rng=RNG, budget_s=0.05, rejected=[first], errors=[err])
    assert "Attack" in plan(s, g2).tools()
    g.reset()
    assert "Attack" in plan(s, g).tools()


# ----------------------------------------------------------------- in the world
def run_demo(
    planner: Any, name: str, ticks: int, scenario: Any = None, seed: int | None = None
) -> Any:
    """Run a scenario with ``planner`` (as ``name``) for its companions or leads."""
    sc = scenario if scenario is not None else core.builtin_scenario()
    world = sc.build_world(seed)
    for chunk in world.query(core.Agent):
        roles, names = chunk[core.Agent].role, chunk[core.Agent].planner
        for row in range(len(chunk)):
            if roles[row] in ("companion",) or (scenario is not None and roles[row] == "lead"):
                names[row] = name
    app = App(world=world)
    app.add_plugin(ai.plugin, planners={name: planner})
    for _ in range(ticks):
        app.tick()
        if world.resource(core.Outcome).status != "running":
            break
    return app, ai.plan_log(app)


def test_drives_the_demo_with_valid_plans_and_deterministically() -> None:
    _app, log = run_demo(GoapPlanner(), "goap-test", 500)
    mine = [r for r in log.records if r.planner == "goap-test"]
    assert mine and all(r.outcome in ("accepted", "kept") for r in mine)
    assert {goal_of(r.plan) for r in mine if r.plan} >= {"engage", "follow_leader"}
    _app2, log2 = run_demo(GoapPlanner(), "goap-test", 500)
    assert [r.key() for r in log.records] == [r.key() for r in log2.records]


def test_fetches_the_key_and_opens_the_door_before_the_objective() -> None:
    from astraweave.eval import builtin_eval_scenario

    sc = builtin_eval_scenario("puzzle_key_door").scenario
    app, log = run_demo(GoapPlanner(), "goap-test", sc.max_ticks, scenario=sc)
    goals = [goal_of(r.plan) for r in log.records if r.plan and r.outcome == "accepted"]
    order = [g for i, g in enumerate(goals) if i == 0 or goals[i - 1] != g]
    assert order[:3] == ["fetch_key", "open_door", "reach_objective"]
    assert all(r.outcome != "rejected" for r in log.records)
    assert app.world.resource(core.Outcome).status == "success"


def _terminal_snap(**changes: Any) -> WorldSnapshot:
    """A lead scout, no enemies, a reachable terminal 4 m east (stand beside it)."""
    terminal = {
        "id": 4,
        "name": "terminal",
        "kind": "terminal",
        "pos": (6.5, 1.5),
        "active": False,
        "locked": False,
        "distance": 4.0,
        "reachable": True,
        "path_m": 3.0,
        "stand": (5.5, 1.5),
    }
    base: dict[str, Any] = {
        "agent__role": "lead",
        "agent__leader": None,
        "allies": [],
        "enemies": [],
        "objective": "Use the data terminal.",
        "pois": [terminal],
        "obstacles": [],
    }
    base.update(changes)
    return snap(**base)


def test_goap_walks_to_stand_and_uses_terminal() -> None:
    plan = GoapPlanner().plan(_terminal_snap(), REG, rng=RNG, budget_s=0.01)
    assert plan.provenance.notes[0] == "goal: use_interactable"
    assert plan.brief() == "MoveTo(x=5.5, y=1.5, safe=False) -> Interact(target=4)"


def test_goap_uses_switch_linked_to_closed_door_and_moves_safely_near_hazards() -> None:
    pois = [
        {
            "id": 5,
            "name": "door",
            "kind": "door",
            "pos": (9.5, 1.5),
            "active": False,
            "locked": False,
            "distance": 7.0,
            "remote": True,
        },
        {
            "id": 6,
            "name": "switch",
            "kind": "switch",
            "pos": (4.5, 2.5),
            "active": False,
            "locked": False,
            "distance": 2.24,
            "reachable": True,
            "path_m": 2.0,
            "stand": (4.5, 2.5),
            "link": 5,
        },
    ]
    hazard = {"kind": "hazard", "pos": (3.5, 3.5), "radius": 1.0, "distance": 2.24}
    plan = GoapPlanner().plan(
        _terminal_snap(objective="Get through.", pois=pois, obstacles=[hazard]),
        REG,
        rng=RNG,
        budget_s=0.01,
    )
    steps = plan.steps
    assert [s.tool for s in steps] == ["MoveTo", "Interact"]
    assert (steps[0].x, steps[0].y, steps[0].safe) == (4.5, 2.5, True)
    assert steps[1].target == 6


def test_goap_skips_used_terminal_and_remote_door() -> None:
    done = _terminal_snap().model_dump()["pois"][0] | {"active": True}
    plan = GoapPlanner().plan(_terminal_snap(pois=[done]), REG, rng=RNG, budget_s=0.01)
    assert plan.provenance.notes[0] == "goal: idle"
