"""Property-based tests: random plans, garbage included.

Every rejected plan leaves the world's hash unchanged; every accepted plan changes,
at submission, only the actor's plan state, and while it runs only what its tools
say (no resource appears from nowhere, no one else moves, hp stays within caps,
nobody is hurt by a plan without a damaging tool, nobody healed without a healing
tool).
"""

from __future__ import annotations

import functools
import math
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from astraweave import core
from astraweave.ecs import Position, World
from astraweave.errors import ToolError

from .conftest import app_for, make

DAMAGING = {"Attack", "AimedShot", "CoverFire", "ThrowExplosive"}
HEALING = {"Heal", "UseItem", "Revive"}


@functools.cache
def _base() -> tuple[bytes, dict[str, int]]:
    _, world, ids = make(
        entities=[
            {"name": "a", "at": "A", "items": {"smoke": 1, "grenade": 1, "medkit": 1}},
            {"name": "b", "at": "B", "hp": 60.0},
            {"name": "e", "at": "E", "team": "red"},
        ],
        pois=[{"name": "t", "kind": "terminal", "pos": [2.5, 2.5]}],
    )
    world.set(ids["e"], Position(8.5, 4.5))
    return world.snapshot(), ids


def fresh() -> tuple[World, dict[str, int]]:
    data, ids = _base()
    return World.from_snapshot(data), ids


coords = st.one_of(
    st.floats(min_value=-3.0, max_value=23.0),
    st.sampled_from([float("nan"), float("inf"), -0.0, 1.5, 4.5, 8.5]),
)
targets = st.one_of(st.sampled_from([0, 1, 2, 3, 99, -1]), st.integers(-5, 2**40))
leaf = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-3, 100),
    st.floats(allow_nan=True),
    st.text(max_size=4),
)
garbage = st.recursive(
    leaf,
    lambda c: st.lists(c, max_size=3) | st.dictionaries(st.text(max_size=6), c, max_size=3),
    max_leaves=8,
)


@functools.cache
def _proposals_cached() -> list[dict[str, Any]]:
    """Plausible steps: every tool's proposals for the actor's snapshot, plus moves."""
    world, ids = fresh()
    snap = core.perceive(world, ids["a"])
    reg = core.default_registry()
    out = [args.model_dump() for n in reg.names() for args in reg.get(n).bind(snap)]
    out += [{"tool": "MoveTo", "x": x + 0.5, "y": y + 0.5} for x in (2, 5, 7, 12) for y in (1, 4)]
    out += [
        {"tool": "Heal", "target": ids["b"]},
        {"tool": "Approach", "target": ids["b"], "distance": 1.0},
        {"tool": "Interact", "target": 3},
        {"tool": "Reload"},
        {"tool": "Wait", "seconds": 0.5},
    ]
    return out


def _proposals() -> list[dict[str, Any]]:
    return _proposals_cached()


@st.composite
def steps(draw: st.DrawFn) -> Any:
    if draw(st.booleans()):
        return draw(st.sampled_from(_proposals()))
    tool = draw(st.sampled_from([*core.default_registry().names(), "Fly", "moveto"]))
    kind = draw(st.integers(0, 9))
    if kind == 0:
        return draw(garbage)
    args: dict[str, Any] = {"tool": tool}
    for key in ("x", "y"):
        if draw(st.integers(0, 3)):
            args[key] = draw(coords)
    if draw(st.booleans()):
        args["target"] = draw(targets)
    if draw(st.integers(0, 3)) == 0:
        args["shots"] = draw(st.integers(-1, 7))
    if draw(st.integers(0, 3)) == 0:
        args["seconds"] = draw(st.floats(-1.0, 12.0))
    if tool == "UseItem":
        args["item"] = draw(st.sampled_from(["medkit", "smoke", "grenade", 3]))
    if tool == "Patrol":
        args["waypoints"] = [
            {"x": draw(coords), "y": draw(coords)} for _ in range(draw(st.integers(0, 3)))
        ]
    if draw(st.integers(0, 12)) == 0:
        args["extra"] = 1
    return args


plans = st.one_of(
    garbage,
    st.builds(lambda s: {"plan_id": "h", "steps": s}, st.lists(steps(), max_size=5)),
)


def state_of(world: World) -> dict[tuple[int, str], Any]:
    out: dict[tuple[int, str], Any] = {}
    for e in world.entities():
        for cls in world.components_of(int(e)):
            out[(int(e), cls.__qualname__)] = world.get(int(e), cls)
    return out


@given(plans)
def test_rejected_plans_leave_the_world_untouched(raw: Any) -> None:
    world, ids = fresh()
    before = world.hash()
    report = core.validate(raw, world, ids["a"])
    assert world.hash() == before
    for err in report.errors:
        assert isinstance(err, ToolError) and err.message  # typed, with a message
    if not report.ok:
        core.submit_plan(world, ids["a"], raw)
        assert world.hash() == before


likely = st.one_of(st.sampled_from(_proposals()), st.sampled_from(_proposals()), steps())


@settings(max_examples=150)
@given(st.lists(likely, min_size=1, max_size=3))
def test_accepted_plans_change_only_what_their_tools_say(raw_steps: list[Any]) -> None:
    world, ids = fresh()
    a = ids["a"]
    before = state_of(world)
    report = core.submit_plan(world, a, {"plan_id": "h", "steps": raw_steps})
    if not report.ok:
        assert state_of(world) == before
        return
    assert report.plan is not None
    tools = set(report.plan.tools())
    after = state_of(world)
    changed = {k for k in after if after[k] != before.get(k)}
    assert changed <= {(a, "ActivePlan"), (a, "PathFollow"), (a, "Stance")}
    app = app_for(world)
    start_res = core.perceive(world, a).agent
    for _ in range(4 * 60):
        app.tick()
        for e in world.entities():
            e = int(e)
            h = world.try_get(e, core.Health)
            if h is not None:
                assert 0.0 <= h.hp <= h.max_hp + 1e-9
            if e != a and world.has(e, core.Team):
                assert world.get(e, Position) == before[(e, "Position")]
        if world.get(a, core.ActivePlan).plan_json is None:
            break
    me = core.perceive(world, a).agent
    assert me.ammo + me.reserve <= start_res.ammo + start_res.reserve
    for item in ("smoke", "grenade", "medkit"):
        assert me.items[item] <= start_res.items[item]
    if not tools & DAMAGING:
        for e in (ids["b"], ids["e"]):
            assert world.get(e, core.Health).hp >= before[(e, "Health")].hp
    if not tools & HEALING:
        for e in (a, ids["b"], ids["e"]):
            assert world.get(e, core.Health).hp <= before[(e, "Health")].hp
    pos = world.get(a, Position)
    assert math.isfinite(pos.x) and world.resource(core.TileMap).walkable_at(pos.x, pos.y)
