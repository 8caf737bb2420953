"""The hybrid arbiter: fast every planning, slow plans adopted when they arrive and
validate, interruptions, failures and timeouts recorded, deterministic tick delays."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pytest

from astraweave import ai, core
from astraweave.ai._goap import GoapPlanner
from astraweave.ai._hybrid import (
    HybridConfig,
    HybridPlanner,
    SlowPlanner,
    TickDelayPlanner,
    check_plan,
    expected_ticks,
)
from astraweave.ai._utility import UtilityPlanner
from astraweave.core import Fallback, PlanIntent, Provenance, ToolRegistry, WorldSnapshot
from astraweave.ecs import App
from astraweave.errors import PlannerConfigError, PlannerError, ToolError

RNG = np.random.default_rng(0)
REG = core.default_registry()
ALL = REG.allowlist()


def snap(tick: int = 120, **changes: Any) -> WorldSnapshot:
    """The example snapshot at ``tick`` (60 ticks a second), every tool allowed."""
    base = WorldSnapshot.example().model_dump()
    base["tools"] = ALL
    base["agent"]["cooldowns"] = {}
    base["tick"] = tick
    base["time_s"] = tick / 60
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


class Fixed:
    """A planner that always proposes the same steps."""

    def __init__(self, name: str, *steps: dict[str, Any], planner: str | None = None) -> None:
        self.name = name
        self.steps = [REG.parse_step(s) for s in steps]
        self.calls = 0
        self.planner = planner or name

    def plan(
        self, snapshot: WorldSnapshot, registry: ToolRegistry, *, rng: Any, budget_s: float
    ) -> PlanIntent:
        self.calls += 1
        prov = Provenance(planner=self.planner, notes=[f"{self.name} note"])
        return PlanIntent(steps=list(self.steps), provenance=prov)


class Failing:
    name = "flaky"

    def plan(
        self, snapshot: WorldSnapshot, registry: ToolRegistry, *, rng: Any, budget_s: float
    ) -> PlanIntent:
        raise PlannerError("the model is down", planner="flaky")


FAST = {"tool": "Wait", "seconds": 0.5}
SLOW_ATTACK = {"tool": "Attack", "target": 2, "shots": 3}


def hybrid(slow: Any, delay: int = 30, **cfg: Any) -> HybridPlanner:
    slow_p = TickDelayPlanner(slow, delay) if not isinstance(slow, SlowPlanner) else slow
    return HybridPlanner(Fixed("fast", FAST), slow_p, config=cfg or None)


def go(h: HybridPlanner, s: WorldSnapshot) -> PlanIntent:
    return h.plan(s, REG, rng=RNG, budget_s=0.05)


# ---------------------------------------------------------------- tick delays
def test_tick_delay_planner_answers_at_a_fixed_tick() -> None:
    inner = Fixed("slowpoke", SLOW_ATTACK)
    slow = TickDelayPlanner(inner, delay_ticks=30)
    ticket = slow.submit(snap(120), REG)
    assert not ticket.done() and ticket.ready_tick == 150
    assert slow.collect(ticket, snap(149), REG, rng=RNG) is None and inner.calls == 0
    plan = slow.collect(ticket, snap(150), REG, rng=RNG)
    assert plan is not None and plan.tools() == ["Attack"] and inner.calls == 1
    assert isinstance(slow, SlowPlanner) and slow.name == "slowpoke"
    with pytest.raises(PlannerConfigError):
        TickDelayPlanner(inner, delay_ticks=-1)


# -------------------------------------------------------------------- switching
def test_fast_until_the_slow_plan_arrives_then_slow_with_the_switch_recorded() -> None:
    h = hybrid(Fixed("slowpoke", SLOW_ATTACK), delay=30)
    first = go(h, snap(120))
    assert first.tools() == ["Wait"] and first.provenance.notes[:3] == [
        "mode: fast",
        "fast: fast",
        "fast note",
    ]
    assert first.provenance.planner == "hybrid" and h.mode(1) == "fast"
    assert go(h, snap(140)).tools() == ["Wait"]
    arrived = go(h, snap(150))
    assert arrived.tools() == ["Attack"] and h.mode(1) == "slow"
    notes = arrived.provenance.notes
    assert notes[:2] == ["mode: slow", "slow: slowpoke"]
    assert notes[2] == (
        "switch fast->slow at tick 150: slow plan submitted at tick 120 arrived and validates"
    )
    assert "slowpoke note" in notes
    [sw] = h.switches(1)
    assert (sw.tick, sw.frm, sw.to) == (150, "fast", "slow")
    # held (the AI system keeps it running), without repeating the switch note
    held = go(h, snap(160))
    assert held.tools() == ["Attack"] and not any(
        n.startswith("switch") for n in held.provenance.notes
    )


def test_a_held_plan_ends_when_it_should_be_done_and_slow_requests_resume() -> None:
    h = hybrid(Fixed("slowpoke", SLOW_ATTACK), delay=30)
    go(h, snap(120))
    go(h, snap(150))
    done_after = expected_ticks(PlanIntent(steps=[REG.parse_step(SLOW_ATTACK)]), snap(150))
    assert done_after == 40  # 0.5 s burst + 10 ticks of slack
    back = go(h, snap(150 + done_after))
    assert back.tools() == ["Wait"] and h.mode(1) == "fast"
    assert (
        back.provenance.notes[2]
        == "switch slow->fast at tick 190: slow plan done (expected to take 40 ticks)"
    )
    # a new request went out (resubmit_ticks after the last answer) and is adopted later
    go(h, snap(215))
    assert go(h, snap(245)).tools() == ["Attack"]
    assert [(s.frm, s.to) for s in h.switches(1)] == [
        ("fast", "slow"),
        ("slow", "fast"),
        ("fast", "slow"),
    ]


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"enemies": [enemy(), enemy(id=7, name="new")]}, "new threat: enemy 7 in sight"),
        ({"enemies": [enemy(downed=True)]}, "target 2 of step 0 (Attack) is down or gone"),
        ({"enemies": []}, "target 2 of step 0 (Attack) is down or gone"),
        ({"agent__hp": 40.0}, "hurt: lost 40 hp since the slow plan was adopted"),
        ({"agent__ammo": 1}, "step invalid: step 0 (Attack): needs 3 ammo, has 1"),
    ],
)
def test_world_changes_interrupt_an_adopted_plan(change: dict[str, Any], reason: str) -> None:
    h = hybrid(Fixed("slowpoke", SLOW_ATTACK), delay=10, hold_ticks=500)
    go(h, snap(120))
    assert go(h, snap(130)).tools() == ["Attack"]
    p = go(h, snap(135, **change))
    assert p.tools() == ["Wait"] and h.mode(1) == "fast"
    assert p.provenance.notes[2] == f"switch slow->fast at tick 135: {reason}"


def test_interrupt_triggers_can_be_turned_off() -> None:
    h = hybrid(Fixed("slowpoke", SLOW_ATTACK), delay=10, interrupt_on=["hurt"], hold_ticks=500)
    go(h, snap(120))
    go(h, snap(130))
    assert go(h, snap(135, enemies=[enemy(), enemy(id=7)])).tools() == ["Attack"]


def test_an_invalid_slow_plan_is_discarded_not_adopted() -> None:
    h = hybrid(Fixed("slowpoke", {"tool": "Attack", "target": 9, "shots": 3}), delay=10)
    go(h, snap(120))
    p = go(h, snap(130))
    assert p.tools() == ["Wait"] and h.mode(1) == "fast"
    assert (
        "slow plan of tick 120 discarded: step 0 (Attack): target 9 is down or unknown"
        in p.provenance.notes
    )


# --------------------------------------------------------------------- failures
def test_a_failing_slow_planner_is_recorded_and_retried_later() -> None:
    h = hybrid(Failing(), delay=10, resubmit_ticks=50)
    go(h, snap(120))
    p = go(h, snap(130))
    assert p.tools() == ["Wait"]
    assert p.provenance.fallbacks == [
        Fallback(planner="flaky", reason="PlannerError: the model is down")
    ]
    assert any(
        "slow planner flaky gave no plan (request of tick 120)" in n for n in p.provenance.notes
    )
    assert go(h, snap(140)).provenance.fallbacks == []  # recorded once
    go(h, snap(180))  # resubmitted at 180 (130 + 50)
    assert go(h, snap(190)).provenance.fallbacks[0].planner == "flaky"


def test_a_slow_planner_answering_from_its_fallbacks_counts_as_a_failure() -> None:
    fallback = Fixed("llm", SLOW_ATTACK, planner="rule")
    h = hybrid(fallback, delay=10)
    go(h, snap(120))
    p = go(h, snap(130))
    assert p.tools() == ["Wait"] and h.mode(1) == "fast"
    assert "answered from its fallbacks" in p.provenance.fallbacks[0].reason


class Ticket:
    def __init__(self) -> None:
        self.ready = False
        self.cancelled = False
        self.waited: list[float] = []

    def done(self) -> bool:
        return self.ready

    def wait(self, timeout_s: float) -> None:
        self.waited.append(timeout_s)

    def cancel(self) -> bool:
        self.cancelled = True
        return True


class Async:
    """An asynchronous slow planner (the LLM planner's submit/collect API)."""

    name = "llm"

    def __init__(self) -> None:
        self.tickets: list[Ticket] = []

    def submit(self, snapshot: WorldSnapshot, registry: ToolRegistry) -> Ticket:
        self.tickets.append(Ticket())
        return self.tickets[-1]

    def collect(
        self,
        ticket: Ticket,
        snapshot: WorldSnapshot,
        registry: ToolRegistry,
        *,
        rng: Any,
        budget_s: float = 0.05,
    ) -> PlanIntent | None:
        if not ticket.ready:
            return None
        return PlanIntent(steps=[REG.parse_step(SLOW_ATTACK)], provenance=Provenance(planner="llm"))


def test_deterministic_mode_adopts_only_at_the_fixed_offset_and_drops_late_replies() -> None:
    slow = Async()
    h = HybridPlanner(Fixed("fast", FAST), slow, config={"adopt_after_ticks": 30, "wait_s": 0.25})
    go(h, snap(120))
    slow.tickets[0].ready = True  # the reply is there early ...
    assert go(h, snap(140)).tools() == ["Wait"]  # ... but is only looked at from tick 150
    assert go(h, snap(150)).tools() == ["Attack"]
    h2 = HybridPlanner(
        Fixed("fast", FAST), (slow2 := Async()), config={"adopt_after_ticks": 30, "wait_s": 0.25}
    )
    go(h2, snap(120))
    p = go(h2, snap(150))
    ticket = slow2.tickets[0]
    assert ticket.waited == [0.25] and ticket.cancelled
    assert (
        p.tools() == ["Wait"]
        and "late: no reply within 0.25 s after 30 ticks" in p.provenance.fallbacks[0].reason
    )


def test_free_mode_adopts_whenever_the_reply_arrives_and_times_out() -> None:
    slow = Async()
    h = HybridPlanner(
        Fixed("fast", FAST), slow, config={"deterministic": False, "slow_timeout_ticks": 100}
    )
    go(h, snap(120))
    slow.tickets[0].ready = True
    assert go(h, snap(125)).tools() == ["Attack"]
    slow = Async()
    h = HybridPlanner(
        Fixed("fast", FAST), slow, config={"deterministic": False, "slow_timeout_ticks": 100}
    )
    go(h, snap(120))
    assert go(h, snap(200)).provenance.fallbacks == []
    p = go(h, snap(220))
    assert (
        slow.tickets[0].cancelled
        and "timed out after 100 ticks" in p.provenance.fallbacks[0].reason
    )


# ------------------------------------------------------------------ rejections
class Repairing(Fixed):
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
        return PlanIntent(
            steps=[REG.parse_step({"tool": "Scan"})], provenance=Provenance(planner="fast")
        )


def test_a_rejected_slow_plan_switches_back_and_a_rejected_fast_plan_is_repaired() -> None:
    h = HybridPlanner(Repairing("fast", FAST), TickDelayPlanner(Fixed("slowpoke", SLOW_ATTACK), 10))
    go(h, snap(120))
    slow_plan = go(h, snap(130))
    err = ToolError("out of range", step=0, tool="Attack")
    back = h.replan(snap(130), REG, rng=RNG, budget_s=0.05, rejected=[slow_plan], errors=[err])
    assert back is not None and back.tools() == ["Wait"] and h.mode(1) == "fast"
    assert (
        back.provenance.notes[2]
        == "switch slow->fast at tick 130: the sandbox rejected the slow plan "
        "(ToolError: out of range)"
    )
    repaired = h.replan(snap(130), REG, rng=RNG, budget_s=0.05, rejected=[back], errors=[err])
    assert repaired is not None and repaired.tools() == ["Scan"]
    plain = hybrid(Fixed("slowpoke", SLOW_ATTACK))
    assert (
        plain.replan(
            snap(120), REG, rng=RNG, budget_s=0.05, rejected=[go(plain, snap(120))], errors=[err]
        )
        is None
    )


# ---------------------------------------------------------------- configuration
def test_planners_by_name_and_bad_configurations() -> None:
    h = HybridPlanner(config={"fast": "rule", "slow": "rule", "slow_delay_ticks": 5})
    assert go(h, snap(120)).provenance.notes[:2] == ["mode: fast", "fast: rule"]
    assert go(h, snap(125)).provenance.notes[:2] == ["mode: slow", "slow: rule"]
    with pytest.raises(PlannerConfigError):
        go(HybridPlanner(config={"fast": "hybrid"}), snap())
    with pytest.raises(PlannerConfigError):
        go(HybridPlanner(config={"fast": "no-such-planner"}), snap())
    with pytest.raises(PlannerConfigError):
        HybridPlanner(Fixed("fast", FAST), object())  # type: ignore[arg-type]  # wrong on purpose
    for bad in ({"hold_ticks": 0}, {"interrupt_on": ["boredom"]}, {"wait_s": -1}, {"x": 1}):
        with pytest.raises(PlannerConfigError):
            HybridPlanner(config=bad)
    h = HybridPlanner(Fixed("fast", FAST), TickDelayPlanner(Fixed("slowpoke", SLOW_ATTACK), 10))
    h.configure({"hold_ticks": 5}, agent="companion")
    assert h.configs.for_snapshot(snap()).hold_ticks == 5
    assert HybridConfig().fast == "goap"
    h.reset()
    assert h.switches(1) == [] and h.mode(1) == "fast"


# ------------------------------------------------------------------- helpers
def test_check_plan_and_expected_ticks() -> None:
    def p(*steps: dict[str, Any]) -> PlanIntent:
        return PlanIntent(steps=[REG.parse_step(s) for s in steps])

    s = snap()
    assert check_plan(p(SLOW_ATTACK), s, REG) is None
    assert check_plan(p(SLOW_ATTACK), snap(agent__cooldowns={"Attack": 0.3}), REG) == (
        "step 0 (Attack) cools down for 0.30 s more"
    )
    waited = p({"tool": "Wait", "seconds": 0.5}, SLOW_ATTACK)
    assert check_plan(waited, snap(agent__cooldowns={"Attack": 0.3}), REG) is None
    assert (
        check_plan(p({"tool": "Reload"}), snap(agent__ammo=12), REG)
        == "step 0 (Reload): the magazine is already full"
    )
    assert check_plan(p({"tool": "Reload"}, SLOW_ATTACK), snap(agent__ammo=0), REG) is None
    far = snap(enemies=[enemy(distance=20.0)])
    assert check_plan(p(SLOW_ATTACK), far, REG) == "step 0 (Attack): target 2 is 20 m away"
    assert (
        check_plan(
            p({"tool": "ThrowSmoke", "x": 5.0, "y": 1.5}), snap(agent__items={"smoke": 0}), REG
        )
        == "needs 1 smoke, has 0"
    )
    assert check_plan(p(SLOW_ATTACK), snap(tools=["Wait"]), REG) is not None  # forbidden
    assert (
        check_plan(p({"tool": "Heal", "target": 9}), s, REG) == "step 0 (Heal): ally 9 is unknown"
    )
    # 6 m at 3 m/s, times 1.3, at 60 ticks a second, plus 10 ticks of slack
    assert expected_ticks(p({"tool": "MoveTo", "x": 8.5, "y": 1.5}), s) == 156 + 10


# ----------------------------------------------------------------- in the world
def run_demo(ticks: int) -> tuple[HybridPlanner, Any]:
    world = core.builtin_scenario().build_world()
    for chunk in world.query(core.Agent):
        for row in range(len(chunk)):
            if chunk[core.Agent].role[row] == "companion":
                chunk[core.Agent].planner[row] = "hybrid-test"
    h = HybridPlanner(GoapPlanner(), UtilityPlanner())
    app = App(world=world)
    app.add_plugin(ai.plugin, planners={"hybrid-test": h})
    app.run(ticks)
    return h, ai.plan_log(app)


def test_drives_the_demo_switching_both_ways_deterministically() -> None:
    h, log = run_demo(600)
    mine = [r for r in log.records if r.planner == "hybrid-test"]
    assert mine and all(r.outcome in ("accepted", "kept") for r in mine)
    switches = h.switches(1)
    assert {(s.frm, s.to) for s in switches} == {("fast", "slow"), ("slow", "fast")}
    noted = [n for r in mine if r.plan for n in r.plan.provenance.notes if n.startswith("switch")]
    assert noted == [s.note() for s in switches]  # every switch is in some plan's provenance
    _h2, log2 = run_demo(600)
    assert [r.key() for r in log.records] == [r.key() for r in log2.records]
