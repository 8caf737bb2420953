"""Behaviour trees: composites, decorators, running resumption tick by tick, actions
bound to tools, the data format (with bad definitions), and the planner."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from astraweave import ai, core
from astraweave.ai._bt import (
    Action,
    BtNode,
    BtStatus,
    Condition,
    Cooldown,
    ForceFailure,
    ForceSuccess,
    Inverter,
    Parallel,
    Repeat,
    Retry,
    Selector,
    Sequence,
    TickContext,
    Timeout,
    estimated_duration,
)
from astraweave.ai._bt_load import load_tree, parse_tree
from astraweave.ai._bt_planner import DEFAULT_TREES, BehaviorTree, BehaviorTreePlanner
from astraweave.ai._goap import situation_facts
from astraweave.ai._goap_bind import Situation
from astraweave.core import PlanIntent, ToolRegistry, WorldSnapshot
from astraweave.ecs import App
from astraweave.errors import BehaviorTreeError, NoActionsError, PlannerConfigError

S, F, R = BtStatus.SUCCESS, BtStatus.FAILURE, BtStatus.RUNNING
RNG = np.random.default_rng(0)
REG = core.default_registry()
ALL = REG.allowlist()


def snap(**changes: Any) -> WorldSnapshot:
    """The example snapshot, every tool allowed, no cooldowns, with ``changes``."""
    base = WorldSnapshot.example().model_dump()
    base["tools"] = ALL
    base["agent"]["cooldowns"] = {}
    for key, value in changes.items():
        if key.startswith("agent__"):
            base["agent"][key[7:]] = value
        else:
            base[key] = value
    return WorldSnapshot.model_validate(base)


def at(t: float, **changes: Any) -> WorldSnapshot:
    """The snapshot ``t`` seconds after the example's (60 ticks a second)."""
    return snap(time_s=2.0 + t, tick=120 + round(60 * t), **changes)


class Ticker:
    """Ticks one tree for one agent, keeping its memory between ticks."""

    def __init__(self, root: BtNode) -> None:
        self.tree = BehaviorTree(root)
        self.memory: dict[int, dict[str, Any]] = {}

    def __call__(self, s: WorldSnapshot) -> tuple[BtStatus, list[str]]:
        sit = Situation(s)
        ctx = TickContext(sit, REG, situation_facts(sit), self.memory)
        status = self.tree.tick(ctx)
        return status, [step.brief() for _, step in ctx.steps]


def flag(value: list[bool]) -> Condition:
    """A condition reading a mutable flag (for scripted tests)."""
    return Condition(fn=lambda sit: value[0], name="flag")


# ------------------------------------------------------------------ composites
def test_sequence_resumes_its_running_child_on_the_next_tick() -> None:
    t = Ticker(Sequence([Action("Reload"), Action("Scan")]))
    me = {"agent__ammo": 3}
    assert t(at(0.0, **me)) == (R, ["Reload()"])
    assert t(at(0.5, **me)) == (R, ["Reload()"])  # Reload takes 1.5 s: still running
    assert t(at(1.6, agent__ammo=12)) == (R, ["Scan()"])  # done; the sequence goes on
    assert t(at(1.7)) == (S, [])  # Scan is instant: done on its next tick


def test_sequence_fails_at_the_first_failing_child_and_starts_over() -> None:
    ok = [False]
    t = Ticker(Sequence([flag(ok), Action("Scan")]))
    assert t(at(0)) == (F, [])
    ok[0] = True
    assert t(at(0.1)) == (R, ["Scan()"])


def test_reactive_selector_preempts_a_running_lower_child() -> None:
    seen = [False]
    t = Ticker(Selector([Sequence([flag(seen), Action("Scan")]), Action("Wait")]))
    assert t(at(0)) == (R, ["Wait(seconds=0.5)"])
    wait_node = t.tree.nodes[-1]
    assert wait_node.id in t.memory
    seen[0] = True
    assert t(at(0.1)) == (R, ["Scan()"])
    assert wait_node.id not in t.memory  # halted


def test_selector_with_memory_resumes_the_running_child() -> None:
    seen = [False]
    t = Ticker(Selector([Sequence([flag(seen), Action("Scan")]), Action("Wait")], memory=True))
    assert t(at(0)) == (R, ["Wait(seconds=0.5)"])
    seen[0] = True
    assert t(at(0.1)) == (R, ["Wait(seconds=0.5)"])
    assert t(at(0.6))[0] == S


def test_parallel_thresholds() -> None:
    t = Ticker(Parallel([Action("Scan"), Action("Reload")], success=1))
    status, steps = t(at(0, agent__ammo=3))
    assert status == R and steps == ["Scan()", "Reload()"]
    assert t(at(0.1, agent__ammo=3)) == (S, [])  # Scan done: one success is enough
    no = [False]
    t = Ticker(Parallel([flag(no), Action("Scan")]))
    assert t(at(0))[0] == F  # one failure fails it
    with pytest.raises(BehaviorTreeError):
        Parallel([Action("Scan")], success=2)
    with pytest.raises(BehaviorTreeError):
        Sequence([])


# ------------------------------------------------------------------ decorators
def test_inverter_and_forcing() -> None:
    yes, no = [True], [False]
    assert Ticker(Inverter(flag(yes)))(at(0))[0] == F
    assert Ticker(Inverter(flag(no)))(at(0))[0] == S
    assert Ticker(Inverter(Action("Scan")))(at(0))[0] == R
    assert Ticker(ForceSuccess(flag(no)))(at(0))[0] == S
    assert Ticker(ForceFailure(flag(yes)))(at(0))[0] == F


def test_repeat_counts_successes() -> None:
    calls = []
    cond = Condition(fn=lambda sit: calls.append(1) is None, name="count")
    assert Ticker(Repeat(cond, times=3))(at(0))[0] == S and len(calls) == 3
    t = Ticker(Repeat(Action("Scan"), times=2))
    assert t(at(0)) == (R, ["Scan()"])
    assert t(at(0.1)) == (R, ["Scan()"])  # first success, second run starts
    assert t(at(0.2)) == (S, [])
    forever = Ticker(Repeat(flag([True])))
    assert [forever(at(i))[0] for i in range(3)] == [R, R, R]
    with pytest.raises(BehaviorTreeError):
        Repeat(Action("Scan"), times=0)


def test_retry_counts_attempts_across_ticks() -> None:
    retry = Retry(flag([False]), times=3)
    t = Ticker(retry)
    ctx_attempts = []
    for i in range(3):
        status, _ = t(at(i))
        ctx_attempts.append((status, t.memory.get(retry.id, {}).get("failed", 0)))
    assert ctx_attempts == [(R, 1), (R, 2), (F, 0)]
    ok = [False]
    t = Ticker(Retry(flag(ok), times=3))
    assert t(at(0))[0] == R
    ok[0] = True
    assert t(at(1))[0] == S


def test_cooldown_in_seconds_and_in_ticks() -> None:
    t = Ticker(Cooldown(flag([True]), seconds=2.0))
    assert [t(at(x))[0] for x in (0.0, 1.0, 1.99, 2.0)] == [S, F, F, S]
    t = Ticker(Cooldown(flag([True]), ticks=30))
    assert [t(snap(tick=120 + d))[0] for d in (0, 10, 29, 30)] == [S, F, F, S]
    with pytest.raises(BehaviorTreeError):
        Cooldown(flag([True]), seconds=1.0, ticks=5)
    with pytest.raises(BehaviorTreeError):
        Cooldown(flag([True]))


def test_cooldown_survives_a_halt() -> None:
    go = [True]
    cooled = Cooldown(Action("Scan"), seconds=5.0)
    t = Ticker(Selector([Sequence([flag(go), cooled]), Action("Wait")]))
    assert t(at(0)) == (R, ["Scan()"])
    assert t(at(0.1)) == (S, [])  # Scan done: the cooldown starts
    assert t(at(1.0)) == (R, ["Wait(seconds=0.5)"])
    assert t(at(5.2)) == (R, ["Scan()"])


def test_timeout_fails_a_child_running_too_long() -> None:
    t = Ticker(Timeout(Action("Reload"), seconds=1.0))
    me = {"agent__ammo": 3}
    assert t(at(0, **me)) == (R, ["Reload()"])
    assert t(at(0.9, **me)) == (R, ["Reload()"])
    assert t(at(1.1, **me)) == (F, [])
    t = Ticker(Timeout(Action("Reload"), ticks=10))
    assert t(at(0, **me))[0] == R and t(snap(tick=131, **me))[0] == F


# ---------------------------------------------------------------------- actions
def test_actions_bind_targets_and_fail_when_they_cannot_act() -> None:
    assert Ticker(Action("Attack", target="target"))(at(0)) == (R, ["Attack(target=2, shots=3)"])
    assert Ticker(Action("Attack", args={"shots": 2}))(at(0)) == (R, ["Attack(target=2, shots=2)"])
    assert Ticker(Action("Attack"))(at(0, enemies=[]))[0] == F  # nobody to shoot
    assert Ticker(Action("Attack"))(at(0, agent__cooldowns={"Attack": 0.2}))[0] == F
    assert Ticker(Action("Attack"))(at(0, tools=["Wait"]))[0] == F  # not allowed
    assert Ticker(Action("Attack", args={"shots": 99}))(at(0))[0] == F  # bad argument
    with pytest.raises(BehaviorTreeError):
        Action("Attack", target="moon")


def test_until_facts_end_an_action_and_movement_defaults() -> None:
    far = [
        {**WorldSnapshot.example().model_dump()["enemies"][0], "distance": 20.0, "pos": (22.5, 1.5)}
    ]
    t = Ticker(Action("Approach", target="target"))
    assert t(at(0, enemies=far)) == (R, ["Approach(target=2, distance=9.8)"])
    assert t(at(2, enemies=far))[0] == R
    assert t(at(3)) == (S, [])  # the target is in range now
    # already in range: done without a step
    assert Ticker(Action("Approach", target="target"))(at(0)) == (S, [])
    t = Ticker(Action("Scan", until=["area_scanned"]))
    assert t(at(0))[0] == R and t(at(1))[0] == R
    assert t(at(2, agent__scan_s=4.0))[0] == S


def test_a_new_target_restarts_the_action() -> None:
    t = Ticker(Action("Attack", target="target"))
    assert t(at(0)) == (R, ["Attack(target=2, shots=3)"])
    other = [{**WorldSnapshot.example().model_dump()["enemies"][0], "id": 7}]
    # target 2 is gone, target 7 is there, and Attack still cools down: fail, no step
    assert t(at(0.2, enemies=other, agent__cooldowns={"Attack": 0.3})) == (F, [])


def test_estimated_durations() -> None:
    assert estimated_duration(REG.parse_step({"tool": "Reload"})) == 1.5
    assert estimated_duration(REG.parse_step({"tool": "Wait", "seconds": 2.0})) == 2.0
    assert estimated_duration(REG.parse_step({"tool": "Scan"})) == 0.0
    patrol = REG.parse_step({"tool": "Patrol", "waypoints": [{"x": 5.5, "y": 1.5}]})
    assert estimated_duration(patrol, Situation(snap())) == pytest.approx(1.0)


# --------------------------------------------------------------------- the format
TREE_TOML = """
[tree]
type = "selector"
name = "root"
children = [
  { type = "sequence", children = [
      { type = "condition", fact = "enemy_visible" },
      { type = "cooldown", seconds = 3.0, child = { type = "action", tool = "MarkTarget" } },
      { type = "action", tool = "Attack", target = "target", args = { shots = 2 } } ] },
  { type = "retry", times = 2, child = { type = "condition", check = "hp_below", value = 0.5 } },
  { type = "action", tool = "Wait" },
]
"""


def test_trees_load_from_toml_and_tick_like_python_trees() -> None:
    root = load_tree(TREE_TOML)
    assert [n.name for n in root.walk()][:3] == ["root", "sequence", "enemy_visible"]
    bt = BehaviorTreePlanner(config={"tree": load_tree_dict(TREE_TOML)})
    p = bt.plan(at(0), REG, rng=RNG, budget_s=0.05)
    assert p.brief() == "MarkTarget(target=2)" and p.provenance.notes[0] == "bt: MarkTarget running"
    p = bt.plan(
        at(0.1, enemies=[{**WorldSnapshot.example().model_dump()["enemies"][0], "marked": True}]),
        REG,
        rng=RNG,
        budget_s=0.05,
    )
    assert p.brief() == "Attack(target=2, shots=2)"


def load_tree_dict(text: str) -> dict[str, Any]:
    import tomllib

    tree: dict[str, Any] = tomllib.loads(text)["tree"]
    return tree


@pytest.mark.parametrize(
    ("definition", "key"),
    [
        ({"type": "dance"}, "tree.type"),
        ({"type": "sequence"}, "tree.children"),
        ({"type": "sequence", "children": []}, "tree.children"),
        (
            {"type": "sequence", "children": [{"type": "action", "tool": "Fly"}]},
            "tree.children[0].tool",
        ),
        ({"type": "action", "tool": "Attack", "target": "moon"}, "tree.target"),
        ({"type": "action", "tool": "Attack", "args": {"power": 9}}, "tree.args"),
        ({"type": "action", "tool": "Attack", "until": ["dreaming"]}, "tree.until"),
        ({"type": "condition", "fact": "dreaming"}, "tree.fact"),
        ({"type": "condition", "check": "hp_below"}, "tree.value"),
        ({"type": "condition", "check": "nope", "value": 1}, "tree.check"),
        ({"type": "condition"}, "tree"),
        (
            {"type": "repeat", "times": True, "child": {"type": "action", "tool": "Wait"}},
            "tree.times",
        ),
        ({"type": "retry", "child": 3}, "tree.child"),
        ({"type": "cooldown", "child": {"type": "action", "tool": "Wait"}}, "tree"),
        (
            {"type": "timeout", "seconds": -1, "child": {"type": "action", "tool": "Wait"}},
            "tree.seconds",
        ),
        (
            {"type": "parallel", "success": 3, "children": [{"type": "action", "tool": "Wait"}]},
            "tree.success",
        ),
        ({"type": "inverter", "child": {"type": "action", "tool": "Wait"}, "extra": 1}, "tree"),
        (
            {"type": "sequence", "memory": "yes", "children": [{"type": "action", "tool": "Wait"}]},
            "tree.memory",
        ),
        ([1, 2], "tree"),
    ],
)
def test_bad_definitions_name_the_bad_key(definition: Any, key: str) -> None:
    with pytest.raises(BehaviorTreeError) as err:
        parse_tree(definition)
    assert err.value.key == key and err.value.planner == "bt"


def test_depth_limit_file_errors_and_bad_toml(tmp_path: Any) -> None:
    node: dict[str, Any] = {"type": "action", "tool": "Wait"}
    for _ in range(40):
        node = {"type": "inverter", "child": node}
    with pytest.raises(BehaviorTreeError, match="deeper"):
        parse_tree(node)
    with pytest.raises(BehaviorTreeError):
        load_tree(tmp_path / "missing.toml")
    with pytest.raises(BehaviorTreeError, match="TOML"):
        load_tree("[tree\ntype = 1")
    path = tmp_path / "t.toml"
    path.write_text('type = "action"\ntool = "Scan"\n')
    assert load_tree(path).name == "Scan"


_LEAF = st.one_of(
    st.fixed_dictionaries(
        {"type": st.just("action"), "tool": st.sampled_from(["Wait", "Scan", "Attack", "Fly"])}
    ),
    st.fixed_dictionaries(
        {"type": st.just("condition"), "fact": st.sampled_from(["enemy_visible", "x"])}
    ),
    st.dictionaries(
        st.sampled_from(["type", "check", "value", "child"]), st.integers() | st.text(max_size=3)
    ),
)
_NODES = st.recursive(
    _LEAF,
    lambda kids: st.one_of(
        st.fixed_dictionaries(
            {
                "type": st.sampled_from(["sequence", "selector", "parallel"]),
                "children": st.lists(kids, max_size=3),
            }
        ),
        st.fixed_dictionaries(
            {
                "type": st.sampled_from(
                    ["inverter", "repeat", "retry", "cooldown", "timeout", "force_success"]
                ),
                "child": kids,
            },
            optional={
                "times": st.integers(-2, 4),
                "seconds": st.floats(-1, 3),
                "ticks": st.integers(-1, 5),
            },
        ),
    ),
    max_leaves=8,
)


@given(_NODES)
def test_any_outside_definition_is_a_tree_or_a_typed_error(definition: Any) -> None:
    try:
        tree = BehaviorTreePlanner(definition)
    except BehaviorTreeError:
        return
    p = tree.plan(at(0), REG, rng=RNG, budget_s=0.05)
    assert isinstance(p, PlanIntent) and p.steps


# ----------------------------------------------------------------- the planner
def test_default_trees_by_role_and_configured_trees() -> None:
    bt = BehaviorTreePlanner()
    assert bt.tree_for(snap()).name == "companion"
    assert bt.tree_for(snap(agent__role="guard")).name == "guard"
    assert bt.tree_for(snap(agent__role="merchant")).name == "default"
    assert set(DEFAULT_TREES) == {"companion", "lead", "guard", "default"}
    bt = BehaviorTreePlanner(config={"trees": {"guard": {"type": "action", "tool": "Scan"}}})
    assert bt.tree_for(snap(agent__role="guard")).name == "Scan"
    bt.configure({"type": "action", "tool": "Wait"}, agent="companion")
    assert bt.tree_for(snap()).name == "Wait"
    bt.configure({"type": "action", "tool": "Reload"}, agent="role:lead")
    assert bt.tree_for(snap(agent__name="p", agent__role="lead")).name == "Reload"


def test_planner_resumes_running_nodes_and_reports_them() -> None:
    bt = BehaviorTreePlanner(Sequence([Action("Reload"), Action("Scan")]))
    p = bt.plan(at(0, agent__ammo=2), REG, rng=RNG, budget_s=0.05)
    assert p.brief() == "Reload()" and bt.running(1) == ["sequence", "Reload"]
    p = bt.plan(at(0.5, agent__ammo=2), REG, rng=RNG, budget_s=0.05)
    assert p.brief() == "Reload()"  # the same plan: the AI system keeps it running
    p = bt.plan(at(2.0), REG, rng=RNG, budget_s=0.05)
    assert p.brief() == "Scan()"
    bt.reset(1)
    assert bt.running(1) == []


def test_a_finished_tree_ticks_again_and_an_empty_tick_waits() -> None:
    bt = BehaviorTreePlanner(Action("Scan"))
    assert bt.plan(at(0), REG, rng=RNG, budget_s=0.05).brief() == "Scan()"
    assert bt.plan(at(0.1), REG, rng=RNG, budget_s=0.05).brief() == "Scan()"
    nothing = BehaviorTreePlanner(Condition(fact="ally_downed"))
    p = nothing.plan(at(0), REG, rng=RNG, budget_s=0.05)
    assert p.brief() == "Wait(seconds=0.5)" and p.provenance.notes[0] == "bt: idle failure"


def test_replan_fails_the_rejected_action_so_the_selector_moves_on() -> None:
    bt = BehaviorTreePlanner(Selector([Action("Attack", target="target"), Action("Scan")]))
    first = bt.plan(at(0), REG, rng=RNG, budget_s=0.05)
    assert first.tools() == ["Attack"]
    second = bt.replan(at(0), REG, rng=RNG, budget_s=0.05, rejected=[first], errors=[])
    assert second is not None and second.tools() == ["Scan"]
    assert second.provenance.notes[-1] == "after 1 rejection(s)"
    assert (
        BehaviorTreePlanner().replan(
            at(0), REG, rng=RNG, budget_s=0.05, rejected=[first], errors=[]
        )
        is None
    )


def test_bad_planner_configurations() -> None:
    with pytest.raises(PlannerConfigError):
        BehaviorTreePlanner(config={"trees": 3})
    with pytest.raises(PlannerConfigError):
        BehaviorTreePlanner(config={"idle_wait_s": 0})
    with pytest.raises(PlannerConfigError):
        BehaviorTreePlanner(config={"forest": {}})
    with pytest.raises(PlannerConfigError):
        BehaviorTreePlanner(Action("Scan"), config={})
    with pytest.raises(BehaviorTreeError) as err:
        BehaviorTreePlanner(config={"trees": {"guard": {"type": "nope"}}})
    assert err.value.key == "trees.guard.type"
    node = Action("Scan")
    with pytest.raises(BehaviorTreeError):
        BehaviorTree(Sequence([node, node]))
    with pytest.raises(NoActionsError):
        BehaviorTreePlanner().plan(snap(), ToolRegistry(), rng=RNG, budget_s=0.05)


def test_drives_the_demo_with_valid_plans() -> None:
    world = core.builtin_scenario().build_world()
    for chunk in world.query(core.Agent):
        for row in range(len(chunk)):
            if chunk[core.Agent].role[row] == "companion":
                chunk[core.Agent].planner[row] = "bt-test"
    app = App(world=world)
    app.add_plugin(ai.plugin, planners={"bt-test": BehaviorTreePlanner()})
    app.run(600)  # long enough for the companion to keep a running plan (2 of 22 at 600)
    mine = [r for r in ai.plan_log(app).records if r.planner == "bt-test"]
    assert mine and all(r.outcome in ("accepted", "kept") for r in mine)
    assert any(r.outcome == "kept" for r in mine)  # running nodes resumed
