"""The plan's JSON Schema in the strict form that constrained decoders accept.

OpenAI's strict structured output (and the grammar compilers of vLLM, Ollama and
llama.cpp, which follow it) want every object closed (``additionalProperties:
false``) with every property required, ``anyOf`` instead of ``oneOf``, and no
``default``/``title``/``discriminator`` keywords. :func:`strict_json_schema` rewrites
pydantic's schema that way. A plan that follows the strict schema also follows the
original (defaults are simply spelled out).
"""

from __future__ import annotations

import copy
import functools
import json
from typing import Any

__all__ = ["schema_for_tools", "strict_json_schema"]

_DROP = frozenset({"default", "title", "discriminator", "examples"})


def _strict(node: Any) -> Any:
    if isinstance(node, list):
        return [_strict(v) for v in node]
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key in _DROP:
            continue
        if key == "oneOf":
            key = "anyOf"
        if key in ("properties", "$defs", "definitions") and isinstance(value, dict):
            out[key] = {k: _strict(v) for k, v in value.items()}
        else:
            out[key] = _strict(value)
    if out.get("type") == "object" or "properties" in out:
        props = out.get("properties", {})
        out["additionalProperties"] = False
        out["required"] = list(props)
    return out


@functools.lru_cache(maxsize=64)
def _strict_cached(text: str) -> str:
    return json.dumps(_strict(json.loads(text)), separators=(",", ":"))


def strict_json_schema(schema: dict[str, Any]) -> dict[str, Any]:
    """``schema`` rewritten for strict structured output (a new dict).

    Args:
        schema: a JSON Schema (pydantic's ``model_json_schema()``).

    Returns:
        The strict schema.

    Example:
        >>> s = {"type": "object", "title": "P", "properties": {"a": {"default": 1}},
        ...      "oneOf": [{"type": "object", "properties": {}}]}
        >>> strict_json_schema(s)["required"], "oneOf" in strict_json_schema(s)
        (['a'], False)
    """
    text = json.dumps(schema, sort_keys=False, separators=(",", ":"))
    return copy.deepcopy(json.loads(_strict_cached(text)))


def _tool_of(node: Any, defs: dict[str, Any]) -> str | None:
    if isinstance(node, dict) and isinstance(node.get("$ref"), str):
        node = defs.get(node["$ref"].rsplit("/", 1)[-1])
    if not isinstance(node, dict):
        return None
    const = node.get("properties", {}).get("tool", {})
    value = const.get("const") if isinstance(const, dict) else None
    return value if isinstance(value, str) else None


def _refs(node: Any, out: set[str]) -> None:
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str):
            out.add(ref.rsplit("/", 1)[-1])
        for value in node.values():
            _refs(value, out)
    elif isinstance(node, list):
        for value in node:
            _refs(value, out)


def schema_for_tools(
    schema: dict[str, Any], allowed: list[str] | tuple[str, ...]
) -> dict[str, Any]:
    """``schema`` with its union of steps cut to the ``allowed`` tools (a new dict), so
    a constrained decoder cannot even spell a tool the agent may not use.

    Args:
        schema: the plan's JSON Schema (``ToolRegistry.plan_json_schema()``).
        allowed: the tool names to keep.

    Returns:
        The narrowed schema; unused ``$defs`` are dropped.

    Example:
        >>> from astraweave.core import default_registry
        >>> s = schema_for_tools(default_registry().plan_json_schema(), ["Wait", "MoveTo"])
        >>> sorted(s["$defs"])
        ['MoveToArgs', 'WaitArgs']
    """
    keep = set(allowed)
    out = copy.deepcopy(schema)
    defs = out.get("$defs", {})

    def walk(node: Any) -> Any:
        if isinstance(node, list):
            return [walk(v) for v in node]
        if not isinstance(node, dict):
            return node
        result = {k: walk(v) for k, v in node.items()}
        for key in ("oneOf", "anyOf"):
            options = result.get(key)
            if isinstance(options, list) and options:
                tools = [_tool_of(o, defs) for o in options]
                if all(t is not None for t in tools):
                    result[key] = [o for o, t in zip(options, tools, strict=True) if t in keep]
                    disc = result.get("discriminator")
                    if isinstance(disc, dict) and isinstance(disc.get("mapping"), dict):
                        disc["mapping"] = {k: v for k, v in disc["mapping"].items() if k in keep}
        return result

    body = {k: walk(v) for k, v in out.items() if k != "$defs"}
    used: set[str] = set()
    _refs(body, used)
    if defs:
        pending = list(used)
        while pending:
            name = pending.pop()
            inner: set[str] = set()
            _refs(defs.get(name, {}), inner)
            for extra in inner - used:
                used.add(extra)
                pending.append(extra)
        body["$defs"] = {k: v for k, v in defs.items() if k in used}
    return body
