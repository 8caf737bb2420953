"""The sandbox (every violation, typed, with step and tool; nothing changes) and the
executor (re-validation at step start, typed failure, inputs)."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest

from astraweave import core
from astraweave.ecs import EventReader, Position
from astraweave.errors import (
    ActorUnableError,
    BadArgumentsError,
    InsufficientResourceError,
    InvalidTargetError,
    MalformedPlanError,
    NoLineOfSightError,
    OnCooldownError,
    OutOfRangeError,
    PlanTooLongError,
    PreconditionFailedError,
    TargetOutOfBoundsError,
    ToolError,
    UnknownToolError,
)

from .conftest import app_for, make, plan
from .test_tools_combat import of, run


def errors(raw: Any, world: Any, actor: int, **kw: Any) -> list[ToolError]:
    before = world.hash()
    report = core.validate(raw, world, actor, **kw)
    assert world.hash() == before
    return report.errors


def test_unknown_tool_names_step_tool_and_the_allowlist(arena: Any) -> None:
    _, world, ids = arena
    (err,) = errors(plan({"tool": "Teleport", "x": 1.0}), world, ids["a"])
    assert isinstance(err, UnknownToolError)
    assert (err.step, err.tool, err.reason) == (0, "Teleport", "not in the registry")
    assert "MoveTo" in str(err) and "Teleport" in str(err)
    (err,) = errors(plan({"x": 1.0}), world, ids["a"])
    assert isinstance(err, UnknownToolError) and err.reason == "no tool name"


@pytest.mark.parametrize(
    ("step", "field"),
    [
        ({"tool": "MoveTo", "x": "3", "y": 1.0}, "x"),
        ({"tool": "MoveTo", "x": 3.0}, "y"),
        ({"tool": "MoveTo", "x": 3.0, "y": 1.0, "z": 2.0}, "z"),
        ({"tool": "MoveTo", "x": float("nan"), "y": 1.0}, "x"),
        ({"tool": "MoveTo", "x": float("inf"), "y": 1.0}, "x"),
        ({"tool": "Attack", "target": -1}, "target"),
        ({"tool": "Attack", "target": True}, "target"),
        ({"tool": "Attack", "target": 1.5}, "target"),
        ({"tool": "Patrol", "waypoints": []}, "waypoints"),
        ({"tool": "Wait", "seconds": None}, "seconds"),
    ],
)
def test_bad_arguments_name_the_field(arena: Any, step: dict[str, Any], field: str) -> None:
    _, world, ids = arena
    (err,) = errors(plan(step), world, ids["a"])
    assert isinstance(err, BadArgumentsError)
    assert err.step == 0 and err.tool == step["tool"] and err.field.startswith(field)


def test_nan_in_json_text_is_rejected(arena: Any) -> None:
    _, world, ids = arena
    text = '{"steps": [{"tool": "MoveTo", "x": NaN, "y": 1.5}]}'
    (err,) = errors(text, world, ids["a"])
    assert isinstance(err, BadArgumentsError) and err.field == "x"


def test_every_violation_is_reported_in_step_order(arena: Any) -> None:
    _, world, ids = arena
    raw = plan(
        {"tool": "MoveTo", "x": 99.0, "y": 1.5},
        {"tool": "Bogus"},
        {"tool": "Attack", "target": 12345},
        {"tool": "Wait", "seconds": 1.0},
        {"tool": "Heal"},
    )
    errs = errors(raw, world, ids["a"])
    assert [(type(e), e.step) for e in errs] == [
        (TargetOutOfBoundsError, 0),
        (UnknownToolError, 1),
        (InvalidTargetError, 2),
        (InsufficientResourceError, 4),  # no medkit
        (PreconditionFailedError, 4),  # and nothing to heal
    ]
    assert all(e.message.startswith(f"step {e.step} (") for e in errs)


def test_dead_and_absent_targets(arena: Any) -> None:
    _, world, ids = arena
    a, e = ids["a"], ids["e"]
    world.set(e, core.Status(dead=True))
    (err,) = errors(plan({"tool": "Attack", "target": e}), world, a)
    assert isinstance(err, InvalidTargetError) and "dead" in str(err)
    stale = world.spawn(Position(3.5, 3.5))
    world.despawn(stale)
    (err,) = errors(plan({"tool": "Attack", "target": stale}), world, a)
    assert isinstance(err, InvalidTargetError) and "does not exist" in str(err)


def test_a_plan_of_ten_thousand_steps_is_rejected_fast(arena: Any) -> None:
    _, world, ids = arena
    raw = plan(*([{"tool": "Wait", "seconds": 1.0}] * 10_000))
    t0 = time.perf_counter()
    (err,) = errors(raw, world, ids["a"])
    assert time.perf_counter() - t0 < 1.0
    assert isinstance(err, PlanTooLongError)
    assert (err.steps, err.limit) == (10_000, core.MAX_PLAN_STEPS)


@pytest.mark.parametrize(
    "raw",
    [
        "not json",
        "[1, 2]",
        {"plan_id": "x"},
        {"steps": "MoveTo"},
        {"steps": [], "junk": 1},
        {"steps": [42]},
        {"steps": []},
        {"steps": [{"tool": "Wait"}], "plan_id": 7},
    ],
)
def test_malformed_plans(arena: Any, raw: Any) -> None:
    _, world, ids = arena
    errs = errors(raw, world, ids["a"])
    assert errs and all(isinstance(e, MalformedPlanError) for e in errs)


def test_forbidden_tools_are_unknown_for_this_scenario() -> None:
    _, world, ids = make(forbidden=["Scan"])
    (err,) = errors(plan({"tool": "Scan"}), world, ids["a"])
    assert isinstance(err, UnknownToolError) and err.reason == "forbidden"
    assert "Scan" not in core.perceive(world, ids["a"]).tools
    assert core.validate(plan({"tool": "Scan"}), world, ids["a"], forbidden=()).ok


def test_actor_that_cannot_act(arena: Any) -> None:
    _, world, ids = arena
    core.apply_damage(world, ids["a"], 500.0, ids["e"], "test")
    (err,) = errors(plan({"tool": "Wait"}), world, ids["a"])
    assert isinstance(err, ActorUnableError) and "downed" in str(err)
    (err,) = errors(plan({"tool": "Wait"}), world, 777)
    assert isinstance(err, ActorUnableError)


def test_dry_run_carries_position_forward(arena: Any) -> None:
    _, world, ids = arena
    a, e = ids["a"], ids["e"]
    world.set(a, core.Weapon(range_m=5.0))
    (err,) = errors(plan({"tool": "Attack", "target": e}), world, a)
    assert isinstance(err, OutOfRangeError)
    report = core.validate(
        plan({"tool": "MoveTo", "x": 11.5, "y": 3.5}, {"tool": "Attack", "target": e}), world, a
    )
    assert report.ok, report.summary()
    assert report.final_state is not None and report.final_state.pos == (11.5, 3.5)
    # around the low wall: longer than the straight 10.2 m, at 3 m/s, plus the burst
    assert 10.2 / 3.0 + 0.5 < report.duration_s < 13.0 / 3.0 + 0.6


def test_dry_run_carries_cooldowns_and_time(arena: Any) -> None:
    _, world, ids = arena
    a, e = ids["a"], ids["e"]
    back_to_back = plan({"tool": "Scan"}, {"tool": "Scan"})
    (err,) = errors(back_to_back, world, a)
    assert isinstance(err, OnCooldownError) and err.step == 1
    assert err.remaining_s == pytest.approx(10.0)
    spaced = plan({"tool": "Scan"}, {"tool": "Wait", "seconds": 10.0}, {"tool": "Scan"})
    assert core.validate(spaced, world, a).ok
    attack = {"tool": "Attack", "target": e, "shots": 1}
    assert core.validate(plan(attack, {"tool": "Wait", "seconds": 0.5}, attack), world, a).ok


def test_report_helpers(arena: Any) -> None:
    _, world, ids = arena
    good = core.validate(plan({"tool": "Wait"}), world, ids["a"])
    assert good.ok and good.summary() == "ok"
    good.raise_first()
    bad = core.validate(plan({"tool": "Nope"}), world, ids["a"])
    assert "UnknownToolError" in bad.summary()
    with pytest.raises(UnknownToolError):
        bad.raise_first()


# ------------------------------------------------------------------------ executor
def test_rejected_plan_changes_nothing_accepted_plan_starts(arena: Any) -> None:
    _, world, ids = arena
    a = ids["a"]
    before = world.hash()
    report = core.submit_plan(world, a, plan({"tool": "MoveTo", "x": 99.0, "y": 1.0}))
    assert not report.ok and world.hash() == before
    assert world.get(a, core.ActivePlan).plan_json is None
    report = core.submit_plan(world, a, plan({"tool": "MoveTo", "x": 3.5, "y": 1.5}))
    assert report.ok and world.hash() != before
    stored = json.loads(world.get(a, core.ActivePlan).plan_json)
    assert stored["steps"] == [{"tool": "MoveTo", "x": 3.5, "y": 1.5, "safe": False}]


def test_each_step_is_revalidated_when_it_starts(arena: Any) -> None:
    _, world, ids = arena
    a, e = ids["a"], ids["e"]
    world.set(a, Position(5.5, 4.5))
    world.set(e, Position(12.5, 4.5))
    app = app_for(world)
    log: list[core.GameEvent] = []
    core.submit_plan(
        world, a, plan({"tool": "Wait", "seconds": 1.0}, {"tool": "Attack", "target": e})
    )
    run(app, 10, log)
    world.set(e, Position(12.5, 5.5))  # steps behind the wall tile (9, 5)
    world.set(a, Position(5.5, 5.5))
    run(app, 60, log)
    (failed,) = of(log, "plan_failed")
    assert failed.value == 1.0 and "NoLineOfSightError" in failed.detail
    ap = world.get(a, core.ActivePlan)
    assert ap.plan_json is None and ap.last_status == "failed"
    assert ap.last_error.startswith("NoLineOfSightError: step 1 (Attack)")
    assert world.get(a, core.Ammo).rounds == 12  # the failed step paid nothing
    assert NoLineOfSightError.__name__ in ap.last_error


def test_a_step_that_overruns_its_deadline_fails(arena: Any) -> None:
    _, world, ids = arena
    a = ids["a"]
    app = app_for(world)
    log: list[core.GameEvent] = []
    core.submit_plan(world, a, plan({"tool": "Wait", "seconds": 2.0}))
    run(app, 1, log)
    ap = world.get(a, core.ActivePlan)
    assert ap.deadline_s == pytest.approx(3 * 2.0 + 5.0)
    ap.deadline_s = 0.5
    world.set(a, ap)
    run(app, 40, log)
    (failed,) = of(log, "plan_failed")
    assert "timed out" in failed.detail


def test_actor_downed_mid_plan_ends_it(arena: Any) -> None:
    _, world, ids = arena
    a = ids["a"]
    app = app_for(world)
    log: list[core.GameEvent] = []
    core.submit_plan(world, a, plan({"tool": "MoveTo", "x": 6.5, "y": 1.5}))
    run(app, 5, log)
    core.apply_damage(world, a, 500.0, ids["e"], "test")
    x = world.get(a, Position).x
    run(app, 5, log)
    assert "ActorUnableError" in of(log, "plan_failed")[0].detail
    assert world.get(a, Position).x == x


def test_cancel_plan(arena: Any) -> None:
    _, world, ids = arena
    a = ids["a"]
    core.submit_plan(world, a, plan({"tool": "MoveTo", "x": 6.5, "y": 1.5}))
    core.cancel_plan(world, a, "player order")
    ap = world.get(a, core.ActivePlan)
    assert ap.plan_json is None and ap.last_status == "cancelled"
    core.cancel_plan(world, a)  # no plan: a no-op


def test_start_plan_needs_an_active_plan_component(arena: Any) -> None:
    from astraweave.errors import MissingComponentError

    _, world, _ = arena
    rock = world.spawn(Position(2.5, 2.5))
    with pytest.raises(MissingComponentError):
        core.start_plan(world, rock, core.PlanIntent(steps=[core.WaitArgs()]))


def test_inputs_from_the_scenario_go_through_the_sandbox() -> None:
    _, world, _ = make(
        inputs=[
            {"tick": 3, "entity": "a", "steps": [{"tool": "MoveTo", "x": 4.5, "y": 1.5}]},
            {"tick": 5, "entity": "a", "steps": [{"tool": "MoveTo", "x": 99.0, "y": 1.5}]},
        ]
    )
    app = app_for(world)
    log: list[core.GameEvent] = []
    run(app, 10, log)
    started = of(log, "plan_started")
    assert [e.tick for e in started] == [3]
    assert [e.tick for e in of(log, "plan_rejected")] == [5]
    inbox = world.resource(core.PlanInbox)
    assert [(t, ok) for t, _, _, ok in inbox.applied] == [(3, True), (5, False)]
    inbox.push(world.tick, 9999, plan({"tool": "Wait"}))
    run(app, 1, log)
    assert of(log, "plan_rejected")[-1].detail == "no such agent"
    reader = EventReader(core.GameEvent, "x")
    assert reader.read(world) is not None
