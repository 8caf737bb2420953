"""Tolerant parsing of model replies into plans of the registry's tools.

:func:`extract_json` finds the JSON in a reply the way models actually write it:

1. ``<think>...</think>`` (and ``<thinking>``) blocks are dropped;
2. fenced code blocks (````` ```json ... ``` `````) are tried first, then the whole text;
3. the text itself, else the first balanced ``{...}`` (string-aware, so braces
   inside strings do not count), else a top-level list;
4. trailing commas are removed; a truncated object (cut at ``max_tokens``) is
   closed at the last complete value.

:func:`parse_plan_reply` then unwraps envelopes (``{"plan": ...}``, an OpenAI
``choices[0].message.content``, Ollama's ``message.content``, a bare list of steps,
a single step), normalises steps (``{"tool": ..., "args": {...}}`` is flattened),
checks every tool name against the allowlist, and validates the steps with the
registry's argument models. Anything else raises a typed
:class:`~astraweave.errors.LlmParseError` carrying the offending text. It never
returns a plan with a tool outside the allowlist, and never raises anything else
(see ``tests/llm/test_parse_fuzz.py``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from astraweave.errors import (
    LlmDisallowedToolError,
    LlmInvalidJsonError,
    LlmParseError,
    LlmSchemaError,
    ToolError,
)

if TYPE_CHECKING:
    from astraweave.core._plan import PlanIntent

__all__ = [
    "MAX_REPLY_CHARS",
    "ParsedReply",
    "PlanVocabulary",
    "extract_json",
    "parse_plan_reply",
]

MAX_REPLY_CHARS = 65_536
"""Characters of a reply that are parsed; a longer reply is cut (and then usually
fails as truncated JSON, or parses if the plan came first)."""

_ERROR_TEXT_CHARS = 2_000
_MAX_STARTS = 16
_MAX_SAFE_POINTS = 32
_MAX_UNWRAP_DEPTH = 4
_MAX_DEPTH = 32
_THINK_RE = re.compile(r"<(think|thinking|reasoning)>.*?</\1>", re.DOTALL | re.IGNORECASE)
_FENCE_RE = re.compile(r"```[A-Za-z0-9_-]*[ \t]*\n?(.*?)```", re.DOTALL)
_ENVELOPE_KEYS = ("plan", "response", "output", "result", "answer", "data", "content", "json")
_ARG_KEYS = ("args", "arguments", "parameters", "params", "input")
_NAME_KEYS = ("tool_name", "action", "name", "function")
_CLOSER = {"{": "}", "[": "]"}


class PlanVocabulary(Protocol):
    """What the parser needs of a tool registry (``astraweave.core.ToolRegistry``)."""

    def names(self) -> list[str]:
        """Every registered tool name."""
        ...

    def allowlist(self, forbidden: Iterable[str] = ()) -> list[str]:
        """The names agents may use, minus ``forbidden``."""
        ...

    def parse_plan(self, raw: Any, forbidden: Iterable[str] = ()) -> PlanIntent:
        """Validate a raw plan, raising a ToolError on the first problem."""
        ...


@dataclass(frozen=True, slots=True)
class ParsedReply:
    """A plan read from a reply, and the repairs it needed.

    Attributes:
        plan: the validated plan (every step's tool is in the allowlist).
        data: the plain data the plan was built from.
        repairs: what the tolerant parser had to do, in order (e.g.
            ``"code fence"``, ``"trailing commas"``, ``"closed truncated JSON"``,
            ``"envelope 'plan'"``); empty for a clean reply.
    """

    plan: PlanIntent
    data: dict[str, Any]
    repairs: tuple[str, ...]


def _clip(text: str) -> str:
    return text if len(text) <= _ERROR_TEXT_CHARS else text[:_ERROR_TEXT_CHARS] + "..."


# ------------------------------------------------------------------ JSON extraction
def _scan(text: str, start: int) -> tuple[int | None, list[tuple[int, str]], str, bool]:
    """Scan a JSON value starting at ``text[start]`` (``{`` or ``[``), string-aware.

    Returns ``(end, safe_points, stack, in_string)``: ``end`` is the index just past
    the balanced value, or ``None`` when the text ends first; ``safe_points`` are
    ``(cut, open_stack)`` places where cutting the text and closing ``open_stack``
    leaves complete values (only the last few are kept); ``stack`` and
    ``in_string`` describe the state at the end of the text.
    """
    stack: list[str] = []
    safe: list[tuple[int, str]] = []
    in_string = False
    escaped = False
    i = start
    n = len(text)
    while i < n:
        ch = text[i]
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "{[":
            stack.append(ch)
            if len(stack) > _MAX_DEPTH:
                return None, [], "", False  # no plan nests this deep
            safe.append((i + 1, "".join(stack)))
        elif ch in "}]":
            if not stack or _CLOSER[stack[-1]] != ch:
                return None, safe, "".join(stack), False  # mismatched: use safe points
            stack.pop()
            if not stack:
                return i + 1, safe, "", False
            safe.append((i + 1, "".join(stack)))
        elif ch == ",":
            safe.append((i, "".join(stack)))
        if len(safe) > 2 * _MAX_SAFE_POINTS:
            del safe[:_MAX_SAFE_POINTS]
        i += 1
    return None, safe, "".join(stack), in_string


def _strip_trailing_commas(text: str) -> str:
    """Remove commas directly followed (after whitespace) by ``}`` or ``]``, outside strings."""
    out: list[str] = []
    in_string = escaped = False
    n = len(text)
    for i, ch in enumerate(text):
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch == ",":
            j = i + 1
            while j < n and text[j] in " \t\r\n":
                j += 1
            if j < n and text[j] in "}]":
                continue
        out.append(ch)
    return "".join(out)


def _closers(stack: str) -> str:
    return "".join(_CLOSER[c] for c in reversed(stack))


def _loads(text: str) -> Any:
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        return _NOTHING


class _Nothing:
    """Marks 'no JSON here' (``None`` is a JSON value)."""


_NOTHING: Any = _Nothing()


def _from_start(text: str, start: int, repairs: list[str]) -> Any:
    end, safe, stack, in_string = _scan(text, start)
    if end is not None:
        chunk = text[start:end]
        value = _loads(chunk)
        if value is not _NOTHING:
            return value
        fixed = _strip_trailing_commas(chunk)
        value = _loads(fixed)
        if value is not _NOTHING:
            repairs.append("trailing commas")
            return value
        if stack == "":
            return _NOTHING
    # Truncated (or broken inside): close what is open, else back off to a safe point.
    body = text[start:]
    tail = body.rstrip()
    if in_string:
        if tail.endswith("\\") and not tail.endswith("\\\\"):
            tail = tail[:-1]
        candidate = tail + '"' + _closers(stack)
    else:
        candidate = tail + _closers(stack)
    value = _loads(_strip_trailing_commas(candidate))
    if value is not _NOTHING:
        repairs.append("closed truncated JSON")
        return value
    for cut, open_stack in reversed(safe[-_MAX_SAFE_POINTS:]):
        candidate = text[start:cut] + _closers(open_stack)
        value = _loads(_strip_trailing_commas(candidate))
        if value is not _NOTHING:
            repairs.append("closed truncated JSON")
            return value
    return _NOTHING


def _starts(text: str, char: str) -> Iterator[int]:
    pos = text.find(char)
    count = 0
    while pos != -1 and count < _MAX_STARTS:
        yield pos
        count += 1
        pos = text.find(char, pos + 1)


def _candidate_value(text: str, repairs: list[str]) -> Any:
    stripped = text.strip()
    value = _loads(stripped)
    if isinstance(value, dict | list):
        return value
    for start in _starts(text, "{"):
        local: list[str] = []
        value = _from_start(text, start, local)
        if isinstance(value, dict):
            repairs.extend(local)
            if text[:start].strip():
                repairs.append("text around JSON")
            return value
    for start in _starts(text, "["):
        local = []
        value = _from_start(text, start, local)
        if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            repairs.extend(local)
            return value
    return _NOTHING


def extract_json(text: str, repairs: list[str] | None = None) -> Any:
    """The JSON object (or list) in a model's reply, read tolerantly.

    Args:
        text: the reply.
        repairs: if given, what had to be repaired is appended to it.

    Returns:
        A ``dict`` or ``list``.

    Raises:
        LlmInvalidJsonError: no JSON object or list could be read.

    Example:
        >>> extract_json('<think>hmm {</think>Sure! ```json\\n{"steps": [1, 2,],}\\n```')
        {'steps': [1, 2]}
        >>> extract_json('{"steps": [{"tool": "Wait", "seconds": 1')
        {'steps': [{'tool': 'Wait', 'seconds': 1}]}
    """
    notes: list[str] = [] if repairs is None else repairs
    if not isinstance(text, str):
        raise LlmInvalidJsonError(
            f"a reply must be text, got {type(text).__name__}", text=repr(text)[:200]
        )
    if len(text) > MAX_REPLY_CHARS:
        text = text[:MAX_REPLY_CHARS]
        notes.append(f"cut to {MAX_REPLY_CHARS} characters")
    cleaned = _THINK_RE.sub(" ", text)
    if cleaned != text:
        notes.append("thinking block")
    for match in _FENCE_RE.finditer(cleaned):
        local: list[str] = []
        value = _candidate_value(match.group(1), local)
        if value is not _NOTHING:
            notes.append("code fence")
            notes.extend(r for r in local if r != "text around JSON")
            return value
    value = _candidate_value(cleaned, notes)
    if value is _NOTHING:
        raise LlmInvalidJsonError(
            "no JSON object found in the reply",
            text=_clip(text),
            reason="no JSON object",
            hint="constrain decoding with the plan's JSON Schema, or ask for JSON only",
        )
    return value


# ------------------------------------------------------------------- plan shaping
def _unwrap(value: Any, text: str, repairs: list[str], depth: int = 0) -> dict[str, Any]:
    if depth > _MAX_UNWRAP_DEPTH:
        raise LlmSchemaError(
            "the reply nests envelopes too deeply", text=_clip(text), reason="too deep"
        )
    if isinstance(value, list):
        repairs.append("bare list of steps")
        return {"steps": value}
    if not isinstance(value, dict):
        raise LlmSchemaError(
            f"expected a plan object, got {type(value).__name__}",
            text=_clip(text),
            reason="not an object",
        )
    if "steps" in value:
        return value
    choices = value.get("choices")
    if isinstance(choices, list) and choices and isinstance(choices[0], dict):
        message = choices[0].get("message")
        content = message.get("content") if isinstance(message, dict) else None
        if isinstance(content, str):
            repairs.append("envelope 'choices'")
            return _unwrap(extract_json(content, repairs), text, repairs, depth + 1)
    message = value.get("message")
    if isinstance(message, dict) and isinstance(message.get("content"), str):
        repairs.append("envelope 'message'")
        return _unwrap(extract_json(message["content"], repairs), text, repairs, depth + 1)
    for key in _ENVELOPE_KEYS:
        inner = value.get(key)
        if isinstance(inner, str):
            repairs.append(f"envelope {key!r}")
            return _unwrap(extract_json(inner, repairs), text, repairs, depth + 1)
        if isinstance(inner, dict | list):
            repairs.append(f"envelope {key!r}")
            return _unwrap(inner, text, repairs, depth + 1)
    if any(isinstance(value.get(k), str) for k in ("tool", *_NAME_KEYS)):
        repairs.append("single step")
        return {"steps": [value]}
    if len(value) == 1:
        (only,) = value.values()
        if isinstance(only, dict | list):
            repairs.append("envelope (single key)")
            return _unwrap(only, text, repairs, depth + 1)
    raise LlmSchemaError(
        "the reply has no 'steps' list",
        text=_clip(text),
        reason="no steps",
        hint='reply with {"steps": [{"tool": ..., ...}]}',
    )


def _normalise_step(step: Any, repairs: list[str]) -> Any:
    if not isinstance(step, dict):
        return step
    step = dict(step)
    if "tool" not in step:
        for key in _NAME_KEYS:
            if isinstance(step.get(key), str):
                step["tool"] = step.pop(key)
                repairs.append(f"step key {key!r} read as 'tool'")
                break
    for key in _ARG_KEYS:
        inner = step.get(key)
        if isinstance(inner, dict):
            del step[key]
            for k, v in inner.items():
                step.setdefault(k, v)
            repairs.append(f"step arguments under {key!r} flattened")
    return step


def _check_tools(steps: Sequence[Any], allowed: set[str], known: list[str], text: str) -> None:
    for index, step in enumerate(steps):
        if not isinstance(step, dict):
            raise LlmSchemaError(
                f"step {index} is a {type(step).__name__}, not an object",
                text=_clip(text),
                step=index,
                reason="step is not an object",
            )
        tool = step.get("tool")
        if not isinstance(tool, str):
            raise LlmSchemaError(
                f"step {index} has no 'tool' name",
                text=_clip(text),
                step=index,
                reason="no tool name",
                hint=f"each step needs 'tool', one of: {', '.join(known)}",
            )
        if tool not in allowed:
            raise LlmDisallowedToolError(
                f"step {index} uses tool {tool[:60]!r}, which is not allowed here; "
                f"allowed: {', '.join(known)}",
                text=_clip(text),
                step=index,
                tool=tool[:200],
                known=known,
                reason="tool not in the allowlist",
            )


def _schema_error(exc: ToolError, text: str) -> LlmSchemaError:
    return LlmSchemaError(
        f"the reply is not a valid plan: {exc.message}",
        text=_clip(text),
        step=exc.step,
        tool=exc.tool,
        field=exc.field,
        reason=exc.reason or "invalid plan",
    )


def parse_plan_reply(
    text: str, registry: PlanVocabulary, *, forbidden: Iterable[str] = ()
) -> ParsedReply:
    """Read a plan from a model's reply and validate it against the registry.

    Only the registry's allowlist (minus ``forbidden``) is accepted; the text cannot
    widen it (a reply that names another tool fails with
    :class:`~astraweave.errors.LlmDisallowedToolError`). A ``provenance`` the model
    wrote is dropped: provenance is the engine's record, not the model's.

    Args:
        text: the reply text.
        registry: the tool registry (``astraweave.core.ToolRegistry``).
        forbidden: tools this scenario forbids.

    Returns:
        The plan and the repairs it needed.

    Raises:
        LlmInvalidJsonError: no JSON object in the reply.
        LlmSchemaError: JSON, but not a plan (no steps, bad arguments).
        LlmDisallowedToolError: a step names a tool outside the allowlist.

    Example:
        >>> from astraweave.core import default_registry
        >>> reply = 'Plan: {"plan": {"steps": [{"tool": "Wait", "args": {"seconds": 2.0}}]}}'
        >>> parsed = parse_plan_reply(reply, default_registry())
        >>> parsed.plan.brief(), parsed.repairs[-2:]
        ('Wait(seconds=2)', ("envelope 'plan'", "step arguments under 'args' flattened"))
    """
    repairs: list[str] = []
    forbidden = tuple(forbidden)
    raw = extract_json(text, repairs)
    data = _unwrap(raw, text, repairs)
    steps = data.get("steps")
    if not isinstance(steps, list):
        raise LlmSchemaError(
            f"'steps' must be a list, got {type(steps).__name__}",
            text=_clip(text),
            reason="steps is not a list",
        )
    steps = [_normalise_step(s, repairs) for s in steps]
    known = registry.allowlist(forbidden)
    truncated = "closed truncated JSON" in repairs
    try:
        _check_tools(steps, set(known), known, text)
    except LlmParseError as exc:
        if not (truncated and len(steps) > 1 and exc.step == len(steps) - 1):
            raise
        steps = steps[:-1]
        repairs.append("dropped the cut-off last step")
    clean: dict[str, Any] = {"steps": steps}
    plan_id = data.get("plan_id")
    if isinstance(plan_id, str) and 0 < len(plan_id) <= 128:
        clean["plan_id"] = plan_id
    dropped = sorted(set(data) - {"steps", "plan_id"})
    if dropped:
        repairs.append(f"ignored keys {dropped[:8]}")
    try:
        plan = registry.parse_plan(clean, forbidden)
    except ToolError as exc:
        cut_last = truncated and len(steps) > 1 and exc.step == len(steps) - 1
        if cut_last and "dropped the cut-off last step" not in repairs:
            clean["steps"] = steps[:-1]
            repairs.append("dropped the cut-off last step")
            try:
                plan = registry.parse_plan(clean, forbidden)
            except ToolError as again:
                raise _schema_error(again, text) from again
        else:
            raise _schema_error(exc, text) from exc
    return ParsedReply(plan=plan, data=clean, repairs=tuple(repairs))
