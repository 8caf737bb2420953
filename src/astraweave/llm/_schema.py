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

__all__ = ["strict_json_schema"]

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
