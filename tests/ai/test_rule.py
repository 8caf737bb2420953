"""The rule planner's decisions, and the AI system around planners."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pytest

from astraweave import ai, core
from astraweave.core import PlanIntent, ToolRegistry, WorldSnapshot
from astraweave.ecs import App
from astraweave.errors import PlannerError, PluginError, ToolError, UnknownPlannerError

RNG = np.random.default_rng(0)
REG = core.default_registry()
ALL_TOOLS = REG.allowlist()


def snap(**changes: Any) -> WorldSnapshot:
    """The example snapshot with every tool allowed and ``changes`` applied
    (``agent__field`` changes a field of the agent)."""
    base = WorldSnapshot.example().model_dump()
    base["tools"] = ALL_TOOLS
    base["agent"]["cooldowns"] = {}
    for key, value in changes.items():
        if key.startswith("agent__"):
            base["agent"][key[7:]] = value
        else:
            base[key] = value
    return WorldSnapshot.model_validate(base)


def enemy(**kw: Any) -> dict[str, Any]:
    e = WorldSnapshot.example().model_dump()["enemies"][0]
    e.update(kw)
    return e


def ally(**kw: Any) -> dict[str, Any]:
    a = WorldSnapshot.example().model_dump()["allies"][0]
    a.update(kw)
    return a


def tools_of(s: WorldSnapshot) -> list[str]:
    return ai.RulePlanner().plan(s, REG, rng=RNG, budget_s=0.05).tools()


def test_engages_a_covered_target_with_a_mark_and_an_aimed_shot() -> None:
    plan = ai.RulePlanner().plan(snap(), REG, rng=RNG, budget_s=0.05)
    assert plan.tools() == ["MarkTarget", "AimedShot"]
    assert plan.provenance.planner == "rule" and plan.plan_id == "rule-1-120"
    assert tools_of(snap(enemies=[enemy(cover=0.0)])) == ["MarkTarget", "Attack"]
    assert tools_of(snap(enemies=[enemy(cover=0.0, marked=True)])) == ["Attack"]


def test_out_of_range_closes_in_and_attack_cooldown_waits() -> None:
    far = snap(enemies=[enemy(distance=20.0, pos=(22.0, 1.5), marked=True)])
    plan = ai.RulePlanner().plan(far, REG, rng=RNG, budget_s=0.05)
    assert plan.tools() == ["Approach"]
    assert plan.steps[0] == core.ApproachArgs(target=2, distance=9.8)
    s = snap(enemies=[enemy(cover=0.0, marked=True)], agent__cooldowns={"Attack": 0.3})
    plan = ai.RulePlanner().plan(s, REG, rng=RNG, budget_s=0.05)
    assert plan.tools() == ["Wait", "Attack"] and plan.steps[0] == core.WaitArgs(seconds=0.32)


def test_reload_and_patch_up() -> None:
    assert tools_of(snap(agent__ammo=0)) == ["Reload"]
    hurt = snap(agent__hp=20.0)
    assert tools_of(hurt) == ["TakeCover", "UseItem"]
    assert tools_of(snap(agent__hp=20.0, enemies=[])) == ["UseItem"]


def test_companion_revives_and_heals() -> None:
    near = snap(allies=[ally(downed=True, hp=0.0, distance=1.0)])
    assert tools_of(near) == ["Revive"]
    far = snap(allies=[ally(downed=True, hp=0.0, distance=6.0)], enemies=[])
    assert tools_of(far) == ["Approach", "Revive"]
    covered = snap(allies=[ally(downed=True, hp=0.0, distance=6.0)], agent__items={"smoke": 1})
    assert tools_of(covered)[0] == "ThrowSmoke" or tools_of(covered)[0] == "Revive"
    hurt = snap(allies=[ally(hp=30.0, distance=5.0)], enemies=[])
    assert tools_of(hurt) == ["Approach", "Heal"]


def test_grenade_at_a_cluster_when_no_ally_is_near() -> None:
    cluster = [enemy(id=2, cover=0.0), enemy(id=3, name="r2", pos=(11.5, 1.5), cover=0.0)]
    s = snap(enemies=cluster)
    assert tools_of(s) == ["ThrowExplosive"]
    s = snap(enemies=cluster, allies=[ally(pos=(10.0, 2.5), distance=7.5)])
    assert tools_of(s)[0] != "ThrowExplosive"


def test_role_defaults() -> None:
    lead = snap(agent__role="lead", enemies=[])
    plan = ai.RulePlanner().plan(lead, REG, rng=RNG, budget_s=0.05)
    assert plan.steps == [core.MoveToArgs(x=18.5, y=8.5)]
    companion = snap(enemies=[], allies=[ally(distance=6.0)])
    assert tools_of(companion) == ["Regroup"]
    guard = snap(agent__role="guard", enemies=[], agent__patrol=[(2.5, 1.5), (5.5, 1.5)])
    assert tools_of(guard) == ["Patrol"]
    guard_hit = snap(agent__role="guard", agent__hp=20.0, agent__items={})
    assert tools_of(guard_hit) == ["Retreat"]
    lost = snap(enemies=[enemy(visible=False)])
    assert tools_of(lost) == ["Scan"]
    idle = snap(enemies=[], allies=[ally()], agent__cooldowns={"Scan": 3.0})
    assert tools_of(idle) == ["Wait"]


def test_only_allowed_tools_are_used_and_replan_moves_on() -> None:
    s = snap(tools=[t for t in ALL_TOOLS if t not in ("AimedShot", "MarkTarget")])
    assert tools_of(s) == ["Attack"]
    planner = ai.RulePlanner()
    first = planner.plan(snap(), REG, rng=RNG, budget_s=0.05)
    second = planner.replan(snap(), REG, rng=RNG, budget_s=0.05, rejected=[first], errors=[])
    assert second is not None and second.tools() != first.tools()
    assert "after 1 rejection(s)" in second.provenance.notes
    options = planner.options(snap())
    rejected = [planner._make(snap(), o) for o in options]
    assert planner.replan(snap(), REG, rng=RNG, budget_s=0.05, rejected=rejected, errors=[]) is None


def test_same_snapshot_same_plan() -> None:
    a = ai.RulePlanner().plan(snap(), REG, rng=np.random.default_rng(1), budget_s=0.05)
    b = ai.RulePlanner().plan(snap(), REG, rng=np.random.default_rng(2), budget_s=0.05)
    assert a.canonical_json() == b.canonical_json()


def test_every_rule_plan_of_the_demo_is_accepted() -> None:
    result = ai.run_scenario(core.builtin_scenario(), ticks=900)
    counts = result.log.counts()
    assert counts.get("rejected", 0) == 0 and counts["accepted"] > 20


# ----------------------------------------------------------------------- AI system
def small_app(**plugin_kw: Any) -> tuple[App, int]:
    sc = core.load_scenario(
        "\n".join(
            [
                "[scenario]",
                'name = "s"',
                'map = ["#########", "#A.....B#", "#########"]',
                "[[entities]]",
                'name = "a"',
                'at = "A"',
                'agent = { planner = "probe", role = "companion", cadence_ticks = 10 }',
                "[[entities]]",
                'name = "b"',
                'at = "B"',
            ]
        )
    )
    app = App(world=sc.build_world())
    app.add_plugin(ai.plugin, **plugin_kw)
    return app, sc.entity_id(app.world, "a")


class Scripted:
    """A planner that returns the given raw plans in turn (PlanIntent parsed lazily)."""

    name = "probe"

    def __init__(self, *plans: Any, fail: bool = False) -> None:
        self.plans = list(plans)
        self.calls = 0
        self.fail = fail

    def plan(
        self, snapshot: WorldSnapshot, registry: ToolRegistry, *, rng: Any, budget_s: float
    ) -> PlanIntent:
        self.calls += 1
        if self.fail:
            raise PlannerError("model offline", planner=self.name)
        raw = self.plans[min(self.calls - 1, len(self.plans) - 1)]
        return PlanIntent.model_construct(plan_id="p", steps=raw, provenance=core.Provenance())


class Repairing(Scripted):
    def replan(
        self,
        snapshot: WorldSnapshot,
        registry: ToolRegistry,
        *,
        rng: Any,
        budget_s: float,
        rejected: Sequence[PlanIntent],
        errors: Sequence[ToolError],
    ) -> PlanIntent | None:
        assert errors and rejected
        return PlanIntent(plan_id="fixed", steps=[core.WaitArgs(seconds=1.0)])


def test_plugin_orders_planning_before_the_executor() -> None:
    app, _ = small_app(planners={"probe": Scripted([core.WaitArgs()])})
    names = [s.name for s in app.schedule.systems("AI_PLANNING")]
    assert names == ["ai.planning", core.EXECUTOR_SYSTEM]
    with pytest.raises(PluginError):
        ai.plugin(app)
    with pytest.raises(PluginError):
        ai.plan_log(App())
    with pytest.raises(PluginError):
        ai.ai_system(App())
    assert ai.ai_system(app).log is ai.plan_log(app)


def test_rejected_plan_is_recorded_and_a_repairing_planner_fixes_it() -> None:
    bad = [core.MoveToArgs(x=99.0, y=1.5)]
    app, a = small_app(planners={"probe": Repairing(bad)})
    app.run(1)
    log = ai.plan_log(app)
    assert [r.outcome for r in log.records] == ["rejected", "accepted"]
    assert log.records[0].errors[0].startswith("TargetOutOfBoundsError: step 0 (MoveTo)")
    assert app.world.get(a, core.ActivePlan).plan_id == "fixed"
    app2, a2 = small_app(planners={"probe": Scripted(bad)})
    app2.run(1)
    assert [r.outcome for r in ai.plan_log(app2).records] == ["rejected"]
    assert app2.world.get(a2, core.ActivePlan).plan_json is None


def test_planner_errors_fall_back_to_the_rule_planner_with_a_reason() -> None:
    app, a = small_app(planners={"probe": Scripted(fail=True)})
    app.run(1)
    (rec,) = ai.plan_log(app).records
    assert rec.planner == "rule" and rec.outcome == "accepted"
    assert rec.plan is not None
    (fb,) = rec.plan.provenance.fallbacks
    assert fb.planner == "probe" and "model offline" in fb.reason
    assert "model offline" in rec.plan.canonical_json()  # part of the plan's record
    assert app.world.get(a, core.ActivePlan).last_status in ("running", "done")


def test_budget_overrun_is_recorded_but_changes_nothing() -> None:
    hashes = []
    for budget in (0.0, 10.0):
        app, _ = small_app(
            planners={"probe": Scripted([core.WaitArgs(seconds=0.5)])}, budget_s=budget
        )
        app.run(40)
        hashes.append(app.world.hash())
        rec = ai.plan_log(app).records[0]
        assert rec.plan is not None and rec.plan.provenance.budget_overrun is (budget == 0.0)
    assert hashes[0] == hashes[1]


def test_same_steps_keep_the_running_plan_and_channels_are_not_cut() -> None:
    probe = Scripted([core.MoveToArgs(x=6.5, y=1.5)])
    app, a = small_app(planners={"probe": probe})
    app.run(80)
    outcomes = [r.outcome for r in ai.plan_log(app).records]
    assert outcomes[0] == "accepted" and "kept" in outcomes
    heal_forever = Scripted([core.ReloadArgs()], [core.MoveToArgs(x=6.5, y=1.5)])
    app, a = small_app(planners={"probe": heal_forever})
    app.world.set(a, core.Ammo(rounds=0, magazine=12, reserve=12))
    app.run(100)  # a replan is due at tick 60, mid-reload: the reload runs to its end
    assert app.world.get(a, core.Ammo).rounds == 12


def test_planner_registry() -> None:
    assert "rule" in ai.planner_names()
    with pytest.raises(PlannerError, match="already registered"):
        ai.register_planner("rule", ai.RulePlanner)
    with pytest.raises(PlannerError):
        ai.register_planner("", ai.RulePlanner)
    with pytest.raises(PlannerError, match="not callable"):
        ai.register_planner("x-bad", 3)  # type: ignore[arg-type]
    ai.register_planner("x-junk", lambda: object(), replace=True)  # type: ignore[arg-type,return-value]
    with pytest.raises(PlannerError, match="no name/plan"):
        ai.create_planner("x-junk")
    with pytest.raises(UnknownPlannerError):
        ai.create_planner("nope")
    assert isinstance(ai.create_planner("rule"), ai.Planner)
    with pytest.raises(UnknownPlannerError):
        ai.build_app(core.builtin_scenario(), planner="nope")
    oracle = core.builtin_scenario().text.replace(
        'planner = "rule", role = "guard"', 'planner = "oracle", role = "guard"'
    )
    with pytest.raises(UnknownPlannerError, match="oracle"):
        ai.build_app(core.load_scenario(oracle))


def test_runs_are_deterministic_per_seed() -> None:
    sc = core.builtin_scenario()
    r1 = ai.run_scenario(sc, ticks=240, record_hashes=True)
    r2 = ai.run_scenario(sc, ticks=240, record_hashes=True)
    r3 = ai.run_scenario(sc, seed=8, ticks=240, record_hashes=True)
    assert r1.hashes == r2.hashes and r1.hashes != r3.hashes
    assert r1.events == r2.events
    assert [r.key() for r in r1.log.records] == [r.key() for r in r2.log.records]


# -------------------------------------------------------------- snapshot knowledge
def poi(**kw: Any) -> dict[str, Any]:
    p = WorldSnapshot.example().model_dump()["pois"][0]
    p.update(kw)
    return p


def test_take_cover_only_when_reachable_cover_shelters() -> None:
    bare = {"kind": "cover", "pos": (4.5, 1.5), "radius": 0.5, "distance": 2.0}
    assert tools_of(snap(agent__hp=20.0)) == ["TakeCover", "UseItem"]
    no_shelter = snap(agent__hp=20.0, obstacles=[{**bare, "path_m": 2.0}])
    assert tools_of(no_shelter) == ["UseItem"]
    unreachable = snap(agent__hp=20.0, obstacles=[{**bare, "shelters": [2]}])
    assert tools_of(unreachable) == ["UseItem"]
    too_far = snap(agent__hp=20.0, obstacles=[{**bare, "shelters": [2], "path_m": 13.0}])
    assert tools_of(too_far) == ["UseItem"]


def test_badly_hurt_without_a_medkit_falls_back_from_a_healthy_enemy() -> None:
    s = snap(agent__hp=20.0, agent__items={"medkit": 0}, allies=[])
    plan = ai.RulePlanner().plan(s, REG, rng=RNG, budget_s=0.05)
    assert plan.steps == [core.RetreatArgs(target=2, distance=8.0)]
    weak = snap(agent__hp=20.0, agent__items={"medkit": 0}, allies=[], enemies=[enemy(hp=30.0)])
    assert "Retreat" not in tools_of(weak)  # nearly down: finish it
    backed = snap(agent__hp=20.0, agent__items={"medkit": 0})  # the player stands beside it
    assert "Retreat" not in tools_of(backed)


def test_lead_walks_to_the_reachable_objective_and_uses_terminals() -> None:
    lead = dict(agent__role="lead", enemies=[], obstacles=[])
    plan = ai.RulePlanner().plan(snap(**lead), REG, rng=RNG, budget_s=0.05)
    assert plan.steps == [core.MoveToArgs(x=18.5, y=8.5)]
    term = poi(id=4, name="t", kind="terminal", pos=(6.5, 1.5), stand=(5.5, 1.5), path_m=3.0)
    plan = ai.RulePlanner().plan(snap(**lead, pois=[term]), REG, rng=RNG, budget_s=0.05)
    assert plan.steps == [core.MoveToArgs(x=5.5, y=1.5), core.InteractArgs(target=4)]
    near = poi(id=4, name="t", kind="terminal", distance=1.0)
    assert tools_of(snap(**lead, pois=[near])) == ["Interact"]
    gone = poi(reachable=False, stand=None, path_m=None)
    assert tools_of(snap(**lead, pois=[gone])) == ["Wait"]


def test_unreachable_goal_opens_the_way_key_then_door_then_switch() -> None:
    lead = dict(agent__role="lead", enemies=[], obstacles=[])
    exit_ = poi(reachable=False, stand=None, path_m=None)
    key = poi(id=5, name="key", kind="key", pos=(3.5, 3.5), stand=(3.5, 3.5), path_m=4.0)
    door = poi(
        id=6, name="door", kind="door", locked=True, pos=(6.5, 2.5), stand=(5.5, 2.5), path_m=3.0
    )
    p = ai.RulePlanner().plan(snap(**lead, pois=[exit_, key, door]), REG, rng=RNG, budget_s=0.05)
    assert p.steps == [core.MoveToArgs(x=3.5, y=3.5), core.InteractArgs(target=5)]
    with_key = snap(**lead, agent__items={"keys": 1}, pois=[exit_, {**key, "active": True}, door])
    p = ai.RulePlanner().plan(with_key, REG, rng=RNG, budget_s=0.05)
    assert p.steps == [core.MoveToArgs(x=5.5, y=2.5), core.InteractArgs(target=6)]
    remote = {**door, "locked": False, "remote": True}
    switch = poi(id=7, name="s", kind="switch", link=6, pos=(2.5, 1.5), stand=(2.5, 1.5))
    p = ai.RulePlanner().plan(
        snap(**lead, pois=[exit_, remote, switch]), REG, rng=RNG, budget_s=0.05
    )
    assert p.steps == [core.MoveToArgs(x=2.5, y=1.5), core.InteractArgs(target=7)]
    lone = poi(id=8, name="console", kind="switch", sequence="tower", stand=(2.5, 1.5))
    assert tools_of(snap(**lead, pois=[exit_, lone])) == ["Wait"]  # an unknown puzzle


def test_stealth_objective_avoids_fights_and_walks_safe_routes() -> None:
    quiet = dict(agent__role="lead", objective="Reach the exit unseen.", obstacles=[])
    plan = ai.RulePlanner().plan(snap(**quiet), REG, rng=RNG, budget_s=0.05)
    assert plan.steps == [core.MoveToArgs(x=18.5, y=8.5, safe=True)]
    watched = poi(exposed=(10.5, 4.5), distance=9.0, path_m=9.0, stand=(11.5, 1.5))
    s = snap(**quiet, pois=[watched], enemies=[enemy(sight_m=4.0)])
    plan = ai.RulePlanner().plan(s, REG, rng=RNG, budget_s=0.05)
    assert plan.tools() == ["Distract", "MoveTo"] and plan.steps[0] == core.DistractArgs(
        x=10.5, y=1.5
    )
    busy = snap(
        **quiet, pois=[watched], enemies=[enemy(sight_m=4.0)], agent__cooldowns={"Distract": 3.0}
    )
    assert tools_of(busy) == ["ThrowSmoke", "MoveTo"]  # smoke on the raider instead
    no_smoke = snap(
        **quiet,
        pois=[watched],
        enemies=[enemy(sight_m=4.0)],
        agent__cooldowns={"Distract": 3.0},
        agent__items={"smoke": 0},
    )
    assert tools_of(no_smoke) == ["Wait"]  # the raider watches the way: wait for it to look away
    hazards = snap(
        agent__role="lead",
        enemies=[],
        obstacles=[{"kind": "hazard", "pos": (9.5, 4.5), "radius": 1.5, "distance": 7.6}],
    )
    plan = ai.RulePlanner().plan(hazards, REG, rng=RNG, budget_s=0.05)
    assert plan.steps == [core.MoveToArgs(x=18.5, y=8.5, safe=True)]


@pytest.mark.parametrize(
    "name",
    [
        "puzzle_key_door",
        "puzzle_switch_chain",
        "explore_terminal",
        "hazard_fire",
        "hazard_gas",
        "stealth_reach",
        "stealth_smoke",
        "combat_retreat",
    ],
)
def test_rule_solves_the_puzzle_hazard_and_stealth_scenarios(name: str) -> None:
    from astraweave.eval import PlannerConfig, builtin_eval_scenario, score
    from astraweave.eval._runner import simulate

    esc = builtin_eval_scenario(name)
    cfg = PlannerConfig(name="rule")
    rec = simulate(esc, esc.scenario.seed, ai.RulePlanner(), cfg)
    m = score(rec, esc.spec)
    assert m.validity == 1.0 and m.goal == 1.0 and m.safety == 1.0, rec.rejections
    assert rec.hazard_entries == 0 and not (esc.spec.unseen and rec.seen)
