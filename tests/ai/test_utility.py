"""The utility planner: response curves, considerations, candidate plans from the
registry, tuning per agent, bad configurations, valid plans in the demo."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from astraweave import ai, core
from astraweave.ai._utility import (
    DEFAULT_PROFILES,
    ActionProfile,
    Consideration,
    Curve,
    UtilityConfig,
    UtilityPlanner,
)
from astraweave.core import PlanIntent, ToolRegistry, WorldSnapshot
from astraweave.ecs import App
from astraweave.errors import NoActionsError, PlannerConfigError

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


def enemy(**kw: Any) -> dict[str, Any]:
    e: dict[str, Any] = WorldSnapshot.example().model_dump()["enemies"][0]
    e.update(kw)
    return e


def ally(**kw: Any) -> dict[str, Any]:
    a: dict[str, Any] = WorldSnapshot.example().model_dump()["allies"][0]
    a.update(kw)
    return a


def plan(s: WorldSnapshot, planner: UtilityPlanner | None = None) -> PlanIntent:
    return (planner or UtilityPlanner()).plan(s, REG, rng=RNG, budget_s=0.05)


# ------------------------------------------------------------------------ curves
def test_curve_kinds_shifts_inversion_and_clamping() -> None:
    assert Curve().score(0.3) == pytest.approx(0.3)
    assert Curve(kind="linear", m=-1.0, b=1.0).score(0.25) == pytest.approx(0.75)
    assert Curve(kind="linear", m=2.0).score(0.8) == 1.0  # clamped
    assert Curve(kind="polynomial", k=2.0).score(0.5) == pytest.approx(0.25)
    # the power keeps the sign: (x - 1)^3 is negative below 1; m = -1 flips it
    assert Curve(kind="polynomial", m=-1.0, c=1.0, k=3.0).score(0.5) == pytest.approx(0.125)
    assert Curve(kind="logistic", m=10.0, c=0.5).score(0.5) == pytest.approx(0.5)
    assert Curve(kind="logistic", m=10.0, c=0.5).score(1.0) == pytest.approx(1 / (1 + math.exp(-5)))
    assert Curve(kind="logistic", m=1000.0, c=0.5).score(-0.5) == 0.0  # no overflow
    assert Curve(kind="step", c=0.5).score(0.49) == 0.0
    assert Curve(kind="step", c=0.5, m=0.6, b=0.2).score(0.5) == pytest.approx(0.8)
    assert Curve(kind="constant", b=0.3).score(0.9) == pytest.approx(0.3)
    assert Curve(kind="step", c=0.5, invert=True).score(0.9) == 0.0


@given(
    st.sampled_from(["linear", "polynomial", "logistic", "step", "constant"]),
    st.floats(-1000, 1000),
    st.floats(0.01, 100),
    st.floats(-10, 10),
    st.floats(-10, 10),
    st.booleans(),
    st.floats(0, 1),
)
def test_every_valid_curve_scores_within_zero_and_one(
    kind: str, m: float, k: float, c: float, b: float, invert: bool, x: float
) -> None:
    curve = Curve.model_validate({"kind": kind, "m": m, "k": k, "c": c, "b": b, "invert": invert})
    y = curve.score(x)
    assert 0.0 <= y <= 1.0 and not math.isnan(y)


def test_curves_reject_bad_parameters() -> None:
    for bad in ({"kind": "cubic"}, {"k": 0.0}, {"m": float("nan")}, {"m": "1"}, {"z": 1}):
        with pytest.raises(ValueError):
            Curve.model_validate(bad)


# ------------------------------------------------------------------ considerations
def test_considerations_inputs_and_the_compensated_product() -> None:
    u = UtilityPlanner()
    cands = u.candidates(snap(enemies=[enemy(marked=True)]), REG)
    attack = next(c for c in cands if c.key == "Attack@enemy")
    # target cover 0.5/0.9, full health, 8 m of 20, one step
    assert attack.factors == pytest.approx((1 - 0.6 * 0.5 / 0.9, 0.7, 1 - 0.4 * 0.4, 1.0))
    mod = 1 - 1 / 4
    expected = 0.6 * math.prod(s + (1 - s) * mod * s for s in attack.factors)
    assert attack.score == pytest.approx(expected)
    assert attack.steps[0].model_dump() == {"tool": "Attack", "target": 2, "shots": 3}
    # the covered target is better hit by an aimed shot
    assert cands[0].key == "AimedShot@enemy"


def test_role_and_fact_inputs_and_unknown_inputs() -> None:
    assert Consideration(input="role:lead").input == "role:lead"
    assert Consideration(input="fact:enemy_visible").input == "fact:enemy_visible"
    for bad in ("nope", "fact:nope", "role:"):
        with pytest.raises(ValueError):
            Consideration(input=bad)


# ------------------------------------------------------------------- decisions
def test_decisions_on_hand_built_snapshots() -> None:
    assert plan(snap()).brief() == "MarkTarget(target=2)"
    far = snap(enemies=[enemy(distance=20.0, pos=(22.5, 1.5), marked=True)])
    assert plan(far).tools() == ["Approach"]  # AimedShot after it, cut: sight unknown
    best = UtilityPlanner().candidates(far, REG)[0]
    assert [s.tool for s in best.steps] == ["Approach", "AimedShot"]
    assert plan(snap(agent__ammo=0)).tools() == ["Reload"]
    assert plan(snap(agent__hp=20.0)).tools() == ["UseItem"]
    downed = snap(allies=[ally(downed=True, distance=4.0, pos=(6.5, 1.5))], enemies=[])
    p = plan(downed)
    assert p.brief() == "Approach(target=0, distance=1) -> Revive(target=0)"
    assert p.provenance.notes[0].startswith("utility: Revive@ally ")
    lonely = snap(enemies=[], allies=[ally(distance=8.0, pos=(10.5, 1.5))])
    assert plan(lonely).brief() == "Regroup(radius=2.5)"
    calm = snap(enemies=[], allies=[ally(distance=1.0)], agent__cooldowns={"Scan": 3.0})
    assert plan(calm).brief() == "Wait(seconds=0.5)"


def test_tools_on_cooldown_or_forbidden_are_not_candidates() -> None:
    s = snap(enemies=[enemy(marked=True)], agent__cooldowns={"AimedShot": 2.0})
    assert plan(s).tools() == ["Attack"]
    s = snap(enemies=[enemy(marked=True)], tools=[t for t in ALL if t != "AimedShot"])
    assert plan(s).tools() == ["Attack"]


def test_weights_and_profiles_tune_per_agent() -> None:
    u = UtilityPlanner({"weights": {"MarkTarget": 0.0}})
    assert plan(snap(), u).tools() == ["AimedShot"]
    u = UtilityPlanner()
    u.configure({"weights": {"AimedShot@enemy": 0.0, "MarkTarget": 0.0}}, agent="companion")
    assert plan(snap(), u).tools() == ["Attack"]
    other = snap(agent__name="someone")
    assert plan(other, u).tools() == ["MarkTarget"]
    prof = {"weight": 2.0, "considerations": [{"input": "constant"}]}
    u = UtilityPlanner({"actions": {"Scan": prof}})
    assert plan(snap(), u).tools() == ["Scan"]
    assert "Attack@enemy" in DEFAULT_PROFILES and ActionProfile().weight == 1.0


def test_min_score_idles_and_noise_draws_from_the_world_rng() -> None:
    idle = plan(snap(), UtilityPlanner({"min_score": 5.0}))
    assert idle.brief() == "Wait(seconds=0.5)"
    assert idle.provenance.notes[0].startswith("utility: idle")
    noisy = UtilityPlanner({"noise": 0.5})
    a = noisy.plan(snap(), REG, rng=np.random.default_rng(3), budget_s=0.05)
    b = noisy.plan(snap(), REG, rng=np.random.default_rng(3), budget_s=0.05)
    assert a.canonical_json() == b.canonical_json()
    quiet = np.random.default_rng(3)
    before = quiet.bit_generator.state
    UtilityPlanner().plan(snap(), REG, rng=quiet, budget_s=0.05)
    assert quiet.bit_generator.state == before  # no noise, no draw


def test_replan_takes_the_next_best_candidate() -> None:
    u = UtilityPlanner()
    first = plan(snap(), u)
    second = u.replan(snap(), REG, rng=RNG, budget_s=0.05, rejected=[first], errors=[])
    assert second is not None and second.tools() == ["AimedShot"]
    assert second.provenance.notes[-1] == "after 1 rejection(s)"


def test_empty_registry_or_allowlist_is_a_typed_error() -> None:
    with pytest.raises(NoActionsError):
        UtilityPlanner().plan(snap(), ToolRegistry(), rng=RNG, budget_s=0.05)
    with pytest.raises(NoActionsError):
        plan(snap(tools=[]))


@pytest.mark.parametrize(
    ("config", "key"),
    [
        ({"weights": {"Attack": -1.0}}, "weights"),
        ({"noise": 2.0}, "noise"),
        ({"actions": {"Attack": {"weight": 1.0, "considerations": [{"input": "x"}]}}}, ""),
        (
            {"actions": {"Attack": {"considerations": [{"input": "health", "curve": {"k": -1}}]}}},
            "",
        ),
        ({"typo": 1}, "typo"),
        ({"max_targets": "4"}, "max_targets"),
    ],
)
def test_bad_configurations_are_typed_errors(config: dict[str, Any], key: str) -> None:
    with pytest.raises(PlannerConfigError) as err:
        UtilityPlanner(config)
    assert err.value.planner == "utility"
    if key:
        assert err.value.key.startswith(key)


@given(
    st.dictionaries(
        st.sampled_from(["weights", "actions", "noise", "max_targets", "min_score", "x"]),
        st.one_of(
            st.floats(allow_nan=True),
            st.integers(-3, 10),
            st.dictionaries(st.sampled_from(["Attack", "Scan", "Wait"]), st.floats(-1, 3)),
            st.text(max_size=4),
        ),
        max_size=3,
    )
)
def test_any_outside_configuration_is_accepted_or_a_typed_error(config: dict[str, Any]) -> None:
    try:
        u = UtilityPlanner(config)
    except PlannerConfigError:
        return
    assert isinstance(u.config, UtilityConfig)
    assert isinstance(plan(snap(), u), PlanIntent)


# ----------------------------------------------------------------- in the world
def test_drives_the_demo_with_valid_plans() -> None:
    world = core.builtin_scenario().build_world()
    for chunk in world.query(core.Agent):
        for row in range(len(chunk)):
            if chunk[core.Agent].role[row] == "companion":
                chunk[core.Agent].planner[row] = "utility-test"
    app = App(world=world)
    app.add_plugin(ai.plugin, planners={"utility-test": UtilityPlanner()})
    app.run(400)
    mine = [r for r in ai.plan_log(app).records if r.planner == "utility-test"]
    assert mine and all(r.outcome in ("accepted", "kept") for r in mine)
    assert {r.plan.tools()[-1] for r in mine if r.plan} >= {"MarkTarget", "Attack"}
