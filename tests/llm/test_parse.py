"""The tolerant parser: what models really write, typed errors, and a fuzz property."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from astraweave.core import default_registry
from astraweave.errors import (
    LlmDisallowedToolError,
    LlmInvalidJsonError,
    LlmParseError,
    LlmSchemaError,
)
from astraweave.llm import MAX_REPLY_CHARS, extract_json, parse_plan_reply

REG = default_registry()
WAIT = '{"steps": [{"tool": "Wait", "seconds": 2.0}]}'


@pytest.mark.parametrize(
    ("text", "repair"),
    [
        (WAIT, None),
        ("```json\n" + WAIT + "\n```", "code fence"),
        ("Sure! Here is the plan:\n```\n" + WAIT + "\n```\nGood luck.", "code fence"),
        ('<think>I should {wait}. Maybe {"steps": []}</think>' + WAIT, "thinking block"),
        ("Plan: " + WAIT + " -- done", "text around JSON"),
        ('{"steps": [{"tool": "Wait", "seconds": 2.0},],}', "trailing commas"),
        ('{"steps": [{"tool": "Wait", "seconds": 2.0}', "closed truncated JSON"),
        ('{"steps": [{"tool": "Wait", "seconds": 2.0}, {"tool": "MoveTo", "x": 3', None),
        ('{"plan": ' + WAIT + "}", "envelope 'plan'"),
        ('{"response": "' + WAIT.replace('"', '\\"') + '"}', "envelope 'response'"),
        (
            json.dumps({"choices": [{"message": {"role": "assistant", "content": WAIT}}]}),
            "envelope 'choices'",
        ),
        (json.dumps({"message": {"role": "assistant", "content": WAIT}}), "envelope 'message'"),
        ('[{"tool": "Wait", "seconds": 2.0}]', "bare list of steps"),
        ('{"tool": "Wait", "seconds": 2.0}', "single step"),
        ('{"steps": [{"tool": "Wait", "args": {"seconds": 2.0}}]}', "flattened"),
        ('{"steps": [{"action": "Wait", "seconds": 2.0}]}', "read as 'tool'"),
        ('{"thought": "hmm", "steps": [{"tool": "Wait", "seconds": 2.0}]}', "ignored keys"),
        ('{"wrapper": {"steps": [{"tool": "Wait", "seconds": 2.0}]}}', "single key"),
    ],
)
def test_tolerated_shapes(text: str, repair: str | None) -> None:
    parsed = parse_plan_reply(text, REG)
    assert parsed.plan.steps[0].tool == "Wait"
    if repair is None:
        return
    assert any(repair in r for r in parsed.repairs), parsed.repairs


def test_clean_reply_needs_no_repair_and_keeps_plan_id() -> None:
    parsed = parse_plan_reply('{"plan_id": "p7", "steps": [{"tool": "Wait"}]}', REG)
    assert parsed.repairs == () and parsed.plan.plan_id == "p7"


def test_model_written_provenance_is_dropped() -> None:
    text = '{"steps": [{"tool": "Wait"}], "provenance": {"planner": "admin"}}'
    parsed = parse_plan_reply(text, REG)
    assert parsed.plan.provenance.planner == "unknown"


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("I cannot help with that.", LlmInvalidJsonError),
        ("", LlmInvalidJsonError),
        ('"just a string"', LlmInvalidJsonError),
        ('{"steps": "Wait"}', LlmSchemaError),
        ('{"steps": [1, 2]}', LlmSchemaError),
        ('{"steps": [{"seconds": 2}]}', LlmSchemaError),
        ('{"hello": "world", "n": 1}', LlmSchemaError),
        ('{"steps": [{"tool": "Wait", "seconds": "two"}]}', LlmSchemaError),
        ('{"steps": [{"tool": "Wait", "seconds": 1, "extra": true}]}', LlmSchemaError),
        ('{"steps": [{"tool": "DeleteWorld"}]}', LlmDisallowedToolError),
        ('{"steps": [{"tool": "wait"}]}', LlmDisallowedToolError),
        (
            '{"steps": [{"tool": "Wait"}, {"tool": "GrantAdmin", "level": 9}]}',
            LlmDisallowedToolError,
        ),
    ],
)
def test_typed_errors_carry_the_text(text: str, error: type[LlmParseError]) -> None:
    with pytest.raises(error) as info:
        parse_plan_reply(text, REG)
    assert info.value.text == text[:2000]


def test_disallowed_tool_error_names_step_tool_and_allowlist() -> None:
    with pytest.raises(LlmDisallowedToolError) as info:
        parse_plan_reply('{"steps": [{"tool": "Wait"}, {"tool": "Fly", "x": 1}]}', REG)
    assert info.value.step == 1 and info.value.tool == "Fly"
    assert "Wait" in info.value.known


def test_forbidden_tools_are_disallowed() -> None:
    with pytest.raises(LlmDisallowedToolError):
        parse_plan_reply(
            '{"steps": [{"tool": "ThrowExplosive", "x": 1, "y": 1}]}',
            REG,
            forbidden=["ThrowExplosive"],
        )


def test_bad_arguments_name_the_field() -> None:
    with pytest.raises(LlmSchemaError) as info:
        parse_plan_reply('{"steps": [{"tool": "MoveTo", "x": "far", "y": 1}]}', REG)
    assert info.value.tool == "MoveTo" and info.value.field == "x" and info.value.step == 0


def test_huge_and_deep_replies_are_bounded() -> None:
    huge = WAIT + " " * (2 * MAX_REPLY_CHARS)
    assert parse_plan_reply(huge, REG).plan.steps[0].tool == "Wait"
    deep = "[" * 50_000 + "]" * 50_000
    with pytest.raises(LlmParseError):
        parse_plan_reply(deep, REG)
    nested = '{"a":' * 10 + WAIT + "}" * 10
    with pytest.raises(LlmSchemaError):
        parse_plan_reply(nested, REG)
    with pytest.raises(LlmInvalidJsonError):
        extract_json(b"bytes")  # type: ignore[arg-type]


def test_extract_json_examples() -> None:
    assert extract_json('{"a": "}{"}') == {"a": "}{"}
    assert extract_json('x {"a": "b\\"c"} y') == {"a": 'b"c'}
    assert extract_json('{"a": "unterminated\\') == {"a": "unterminated"}
    assert extract_json('{"a": [1, {"b": 2') == {"a": [1, {"b": 2}]}
    assert extract_json('{"a": 1, "b":') == {"a": 1}
    assert extract_json('{"a": 1]}') == {}


@given(st.text(max_size=300))
def test_arbitrary_text_gives_a_plan_or_a_typed_error(text: str) -> None:
    allowed = set(REG.allowlist())
    try:
        parsed = parse_plan_reply(text, REG)
    except LlmParseError:
        return
    assert set(parsed.plan.tools()) <= allowed


_json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-5, 50)
    | st.floats(allow_nan=True)
    | st.text(max_size=8)
    | st.sampled_from(["Wait", "MoveTo", "Attack", "Nuke", "tool", "steps", "seconds"]),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(
            st.sampled_from(["tool", "steps", "seconds", "x", "y", "target", "plan", "args", "z"]),
            inner,
            max_size=4,
        )
    ),
    max_leaves=20,
)


@given(
    _json_values,
    st.sampled_from(["", "```json\n", "<think>x</think>", "Plan: "]),
    st.integers(0, 40),
)
def test_json_like_text_never_escapes_the_allowlist(value: object, prefix: str, cut: int) -> None:
    text = prefix + json.dumps(value)
    if cut:
        text = text[:-cut]  # truncated replies too
    try:
        parsed = parse_plan_reply(text, REG, forbidden=["Attack"])
    except LlmParseError:
        return
    assert "Attack" not in parsed.plan.tools()
    assert set(parsed.plan.tools()) <= set(REG.allowlist())


@given(st.lists(st.sampled_from([*REG.names(), "Nuke", "Fly"]), min_size=1, max_size=5))
def test_steps_with_any_tool_names(names: list[str]) -> None:
    text = json.dumps({"steps": [{"tool": n} for n in names]})
    try:
        parsed = parse_plan_reply(text, REG)
    except LlmDisallowedToolError as exc:
        assert exc.tool not in REG.names()
        return
    except LlmSchemaError:
        return
    assert parsed.plan.tools() == names
