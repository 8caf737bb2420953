"""A small TOML writer for the scenario files the harness generates.

Only what scenario files use: strings, booleans, integers, finite floats, lists and
inline tables, under ``[table]`` and ``[[array of tables]]`` headers. Strings are
written as TOML basic strings with JSON-compatible escapes (TOML accepts ``\\uXXXX``),
so any text (an entity's objective with newlines or quotes) round-trips exactly.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping, Sequence
from typing import Any

from astraweave.testing._errors import HarnessError

__all__ = ["toml_document", "toml_value"]

_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")


def _key(key: str) -> str:
    return key if _BARE_KEY.match(key) else json.dumps(key)


def toml_value(value: Any) -> str:
    """One TOML value (inline form).

    Args:
        value: a ``str``, ``bool``, ``int``, finite ``float``, sequence or mapping.

    Returns:
        The TOML text of the value.

    Raises:
        HarnessError: a non-finite float or a type TOML cannot hold.

    Example:
        >>> toml_value({"smoke": 1, "pos": [1.5, 2.0], "name": 'say "hi"'})
        '{ smoke = 1, pos = [1.5, 2.0], name = "say \\\\"hi\\\\"" }'
    """
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise HarnessError(f"TOML cannot hold the non-finite number {value!r}", value=value)
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, Mapping):
        if not value:
            return "{}"
        inner = ", ".join(f"{_key(str(k))} = {toml_value(v)}" for k, v in value.items())
        return "{ " + inner + " }"
    if isinstance(value, Sequence):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    raise HarnessError(f"TOML cannot hold a {type(value).__name__}: {value!r}", value=value)


def toml_document(
    tables: Mapping[str, Mapping[str, Any]], arrays: Mapping[str, Sequence[Mapping[str, Any]]]
) -> str:
    """A TOML document: ``[name]`` tables first, then ``[[name]]`` arrays of tables.

    Args:
        tables: table name -> its keys (values written with :func:`toml_value`).
        arrays: array name -> its tables, in order.

    Returns:
        The document text (ends with a newline).

    Raises:
        HarnessError: a value TOML cannot hold.

    Example:
        >>> print(toml_document({"scenario": {"name": "t"}}, {"entities": [{"name": "a"}]}))
        [scenario]
        name = "t"
        <BLANKLINE>
        [[entities]]
        name = "a"
        <BLANKLINE>
    """
    out: list[str] = []
    for name, keys in tables.items():
        out.append(f"[{name}]")
        out.extend(f"{_key(k)} = {toml_value(v)}" for k, v in keys.items())
        out.append("")
    for name, items in arrays.items():
        for item in items:
            out.append(f"[[{name}]]")
            out.extend(f"{_key(k)} = {toml_value(v)}" for k, v in item.items())
            out.append("")
    return "\n".join(out)
