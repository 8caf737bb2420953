"""The tool registry: one vocabulary for schema, prompt, allowlist, sandbox, executor,
GOAP facts; custom tools."""

from __future__ import annotations

import json
from typing import Any, ClassVar, Literal, cast

import pytest
from pydantic import TypeAdapter

from astraweave import core
from astraweave.core import ActorState, Forecast, StepRun, Tool, ToolArgs, WorldView
from astraweave.ecs import Position
from astraweave.errors import ToolRegistrationError, UnknownToolError

from .conftest import app_for, make, plan


def test_the_twenty_builtin_tools() -> None:
    reg = core.default_registry()
    assert reg.names() == [
        "MoveTo", "Approach", "Retreat", "TakeCover", "Patrol", "Attack", "AimedShot",
        "CoverFire", "ThrowSmoke", "ThrowExplosive", "Heal", "Revive", "Reload", "UseItem",
        "Interact", "Scan", "Wait", "MarkTarget", "Distract", "Regroup",
    ]  # fmt: skip
    for name in reg.names():
        tool = reg.get(name)
        assert tool.args_model.model_fields["tool"].default == name
        assert tool.summary and "\n" not in tool.summary
        assert reg.slot(name) == reg.names().index(name)
    assert len(reg) == 20 and "Attack" in reg and "Nope" not in reg
    with pytest.raises(UnknownToolError):
        reg.get("Nope")


def test_json_schema_of_a_plan_is_a_discriminated_union_over_tool_names() -> None:
    reg = core.default_registry()
    schema = reg.plan_json_schema()
    steps = schema["properties"]["steps"]
    assert steps["maxItems"] == core.MAX_PLAN_STEPS
    mapping = steps["items"]["discriminator"]["mapping"]
    assert sorted(mapping) == sorted(reg.names())
    defs = schema["$defs"]
    assert defs["MoveToArgs"]["additionalProperties"] is False
    assert defs["MoveToArgs"]["required"] == ["x", "y"]
    json.dumps(schema)  # plain JSON


def test_prompt_text_and_allowlist_come_from_the_same_definitions() -> None:
    reg = core.default_registry()
    text = reg.prompt_text(forbidden=["ThrowExplosive"])
    lines = text.splitlines()
    assert len(lines) == 19
    assert [ln.split("(")[0][2:] for ln in lines] == reg.allowlist(["ThrowExplosive"])
    attack = next(ln for ln in lines if ln.startswith("- Attack("))
    assert "target: int" in attack and "cooldown 0.5s" in attack and "1 ammo per shot" in attack


def test_static_action_step_union_parses_every_builtin_tool() -> None:
    adapter: TypeAdapter[Any] = TypeAdapter(core.ActionStep)
    step = adapter.validate_python({"tool": "Heal"})
    assert isinstance(step, core.HealArgs)
    with pytest.raises(ValueError):
        adapter.validate_python({"tool": "Fly"})


def test_plan_canonical_json_excludes_wall_clock_fields() -> None:
    reg = core.default_registry()
    p = reg.parse_plan({"plan_id": "p", "steps": [{"tool": "Wait", "seconds": 1.0}]})
    timed = p.model_copy(
        update={"provenance": core.Provenance(planner="x", elapsed_ms=12.5, budget_overrun=True)}
    )
    untimed = p.model_copy(update={"provenance": core.Provenance(planner="x")})
    assert timed.canonical_json() == untimed.canonical_json()
    assert "elapsed_ms" not in timed.canonical_json()
    assert reg.cached_plan(timed.canonical_json()).steps == p.steps
    assert p.brief() == "Wait(seconds=1)" and core.PlanIntent().brief() == "(empty)"


def test_goap_facts_and_abstract_effects() -> None:
    reg = core.default_registry()
    facts = core.facts_of(core.WorldSnapshot.example())
    assert {"enemy_visible", "enemy_in_range", "has_ammo", "has_smoke"} <= facts
    attack = reg.get("Attack")
    after = attack.apply_facts(facts)
    assert after is not None and "enemy_damaged" in after
    assert reg.get("Revive").apply_facts(facts) is None  # nobody is downed
    for name in reg.names():
        tool = reg.get(name)
        for fact in tool.requires | tool.provides | tool.removes:
            assert fact in core.FACTS, (name, fact)
    assert "Attack" in reg.facts_table()


def test_bind_proposes_valid_arguments_for_a_real_snapshot() -> None:
    _, world, ids = make(
        entities=[
            {"name": "a", "at": "A", "items": {"smoke": 1, "grenade": 1, "medkit": 1}},
            {"name": "b", "at": "B", "hp": 20.0},
            {"name": "e", "at": "E", "team": "red"},
        ],
        pois=[{"name": "goal", "pos": [18.5, 5.5]}],
    )
    world.set(ids["e"], Position(10.5, 3.5))
    snap = core.perceive(world, ids["a"])
    reg = core.default_registry()
    proposed = {name: reg.get(name).bind(snap) for name in reg.names()}
    assert proposed["Attack"] == [core.AttackArgs(target=ids["e"])]
    assert proposed["Regroup"] == [core.RegroupArgs()]
    for name, args in proposed.items():
        for a in args:
            assert a.tool == name
            reg.parse_step(a.model_dump())  # every proposal fits its model


class ShoutArgs(ToolArgs):
    tool: Literal["Shout"] = "Shout"
    words: str = "hold the line"


class Shout(Tool):
    """A game-specific tool: raises the morale of allies within 10 m."""

    name = "Shout"
    args_model = ShoutArgs
    summary = "raise allies' morale within 10 m"
    cooldown_s = 4.0
    provides: ClassVar[frozenset[str]] = frozenset({"allies_rallied"})

    def check(self, view: WorldView, state: ActorState, args: Any) -> Forecast:
        return Forecast(state, 0.0)

    def start(self, run: StepRun) -> None:
        for chunk in run.world.query(core.Morale):
            chunk[core.Morale].value[:] = 1.0
        run.send("shout", -1, 0.0, cast(ShoutArgs, run.args).words)

    def update(self, run: StepRun) -> bool:
        return True


def test_games_can_register_their_own_tools() -> None:
    reg = core.default_registry()
    reg.register(Shout())
    assert (
        "Shout"
        in reg.plan_json_schema()["properties"]["steps"]["items"]["discriminator"]["mapping"]
    )
    assert "- Shout(words: str='hold the line'): raise allies' morale" in reg.prompt_text()
    _, world, ids = make()
    world.insert_resource(reg)
    a = ids["a"]
    world.set(a, core.Morale(0.2))
    app = app_for(world)
    assert core.submit_plan(world, a, plan({"tool": "Shout"})).ok
    app.run(1)
    assert world.get(a, core.Morale).value == pytest.approx(1.0, abs=0.01)
    slot = reg.slot("Shout")
    assert world.get(a, core.Cooldowns).remaining_s[slot] == pytest.approx(4.0)
    assert core.default_registry().names()[-1] == "Regroup"  # the default is untouched


def test_registration_errors() -> None:
    reg = core.default_registry()
    with pytest.raises(ToolRegistrationError, match="already registered"):
        reg.register(reg.get("MoveTo"))
    with pytest.raises(ToolRegistrationError, match="not a Tool"):
        reg.register(cast(Tool, object()))

    class Mismatch(Shout):
        name = "Yell"

    with pytest.raises(ToolRegistrationError, match="Literal"):
        reg.register(Mismatch())

    class NoModel(Shout):
        name = "Bare"
        args_model = cast(Any, dict)

    with pytest.raises(ToolRegistrationError, match="args_model"):
        reg.register(NoModel())
    full = core.ToolRegistry()
    for i in range(core.MAX_TOOL_SLOTS):
        model = type(
            f"T{i}Args",
            (ToolArgs,),
            {"__annotations__": {"tool": Literal[f"T{i}"]}, "tool": f"T{i}"},  # type: ignore[valid-type]
        )
        tool_cls = type(f"T{i}", (Shout,), {"name": f"T{i}", "args_model": model})
        full.register(tool_cls())
    with pytest.raises(ToolRegistrationError, match="full"):
        full.register(Shout())
    with pytest.raises(ToolRegistrationError, match="no tools"):
        core.ToolRegistry().step_union()


def test_docs_table_matches_the_registry() -> None:
    from pathlib import Path

    doc = (Path(__file__).resolve().parents[2] / "docs" / "ai-contract.md").read_text()
    reg = core.default_registry()
    assert reg.doc_table() in doc, "regenerate the table: python -c 'from astraweave.core ...'"
    assert reg.facts_table() in doc
