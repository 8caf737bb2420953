"""Behaviour trees from data: a dict, a TOML table or TOML text.

A node is a table with a ``type`` and the keys of that type (``name`` is optional
everywhere)::

    type = "selector" | "sequence"   children = [...]   memory = true|false
    type = "parallel"                children = [...]   success = n   failure = n
    type = "inverter" | "force_success" | "force_failure"          child = {...}
    type = "repeat"                  child = {...}      times = n (omit: forever)
    type = "retry"                   child = {...}      times = n (default 3)
    type = "cooldown" | "timeout"    child = {...}      seconds = s | ticks = n
    type = "condition"               fact = "..." | check = "..." value = v
                                     negate = true|false
    type = "action"                  tool = "..."  target = "..."  args = {...}
                                     until = ["fact", ...]

Example (a scenario's ``planner_config`` for the ``bt`` planner)::

    [tree]
    type = "selector"
    children = [
      { type = "sequence", children = [
          { type = "condition", fact = "enemy_visible" },
          { type = "action", tool = "Approach", target = "target" },
          { type = "action", tool = "Attack", target = "target" } ] },
      { type = "action", tool = "Wait" },
    ]

:func:`parse_tree` checks everything it can without a world: node types and keys,
value types and ranges, tool names and argument names (against a registry), fact
names, check names and target selectors. Every problem raises
:class:`~astraweave.errors.BehaviorTreeError` with ``key``, the path of the bad
value (``tree.children[0].children[2].tool``).
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from astraweave.ai._bt import (
    CHECKS,
    TARGETS,
    Action,
    BtNode,
    Condition,
    Cooldown,
    ForceFailure,
    ForceSuccess,
    Inverter,
    Parallel,
    Repeat,
    Retry,
    Selector,
    Sequence,
    Timeout,
)
from astraweave.ai._goap import SITUATION_FACTS
from astraweave.core import FACTS, ToolRegistry, default_registry
from astraweave.errors import BehaviorTreeError

__all__ = ["MAX_TREE_DEPTH", "MAX_TREE_NODES", "known_facts", "load_tree", "parse_tree"]

MAX_TREE_DEPTH = 32
"""The deepest a tree may nest."""
MAX_TREE_NODES = 2000
"""The most nodes a tree may have."""

_KEYS: dict[str, frozenset[str]] = {
    "selector": frozenset({"children", "memory"}),
    "sequence": frozenset({"children", "memory"}),
    "parallel": frozenset({"children", "success", "failure"}),
    "inverter": frozenset({"child"}),
    "force_success": frozenset({"child"}),
    "force_failure": frozenset({"child"}),
    "repeat": frozenset({"child", "times"}),
    "retry": frozenset({"child", "times"}),
    "cooldown": frozenset({"child", "seconds", "ticks"}),
    "timeout": frozenset({"child", "seconds", "ticks"}),
    "condition": frozenset({"fact", "check", "value", "negate"}),
    "action": frozenset({"tool", "target", "args", "until"}),
}


def known_facts(registry: ToolRegistry) -> frozenset[str]:
    """Fact names trees may test: FACTS, situation facts, and the tools' facts."""
    facts = set(FACTS) | set(SITUATION_FACTS)
    for n in registry.names():
        t = registry.get(n)
        facts |= t.requires | t.provides | t.removes
    return frozenset(facts)


class _Parser:
    def __init__(self, registry: ToolRegistry, root_key: str) -> None:
        self.registry = registry
        self.facts = known_facts(registry)
        self.count = 0
        self.root_key = root_key

    def fail(self, key: str, reason: str) -> BehaviorTreeError:
        return BehaviorTreeError(
            f"behaviour tree: {key}: {reason}", planner="bt", key=key, reason=reason
        )

    def _int(self, node: Mapping[str, Any], name: str, key: str, default: Any) -> Any:
        v = node.get(name, default)
        if v is None:
            return None
        if isinstance(v, bool) or not isinstance(v, int):
            raise self.fail(f"{key}.{name}", f"must be an integer, got {type(v).__name__}")
        if not 1 <= v <= 1_000_000:
            raise self.fail(f"{key}.{name}", f"must lie in 1..1000000, got {v}")
        return v

    def _seconds(self, node: Mapping[str, Any], key: str) -> float | None:
        v = node.get("seconds")
        if v is None:
            return None
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            raise self.fail(f"{key}.seconds", f"must be a number, got {type(v).__name__}")
        if not (math.isfinite(v) and 0 < v <= 1e6):
            raise self.fail(f"{key}.seconds", f"must lie in (0, 1e6], got {v}")
        return float(v)

    def _bool(self, node: Mapping[str, Any], name: str, key: str, default: bool) -> bool:
        v = node.get(name, default)
        if not isinstance(v, bool):
            raise self.fail(f"{key}.{name}", f"must be true or false, got {type(v).__name__}")
        return v

    def _child(self, node: Mapping[str, Any], key: str, depth: int) -> BtNode:
        if "child" not in node:
            raise self.fail(key, "needs a 'child' node")
        return self.node(node["child"], f"{key}.child", depth + 1)

    def node(self, node: Any, key: str, depth: int = 0) -> BtNode:
        if depth > MAX_TREE_DEPTH:
            raise self.fail(key, f"the tree nests deeper than {MAX_TREE_DEPTH} levels")
        self.count += 1
        if self.count > MAX_TREE_NODES:
            raise self.fail(key, f"the tree has more than {MAX_TREE_NODES} nodes")
        if not isinstance(node, Mapping):
            raise self.fail(key, f"a node must be a table, got {type(node).__name__}")
        kind = node.get("type")
        if not isinstance(kind, str) or kind not in _KEYS:
            raise self.fail(
                f"{key}.type", f"unknown node type {kind!r:.40}; types: {', '.join(sorted(_KEYS))}"
            )
        extra = sorted(str(k) for k in set(node) - _KEYS[kind] - {"type", "name"})
        if extra:
            raise self.fail(key, f"unknown keys {extra} for a {kind} node")
        name = node.get("name")
        if name is not None and (not isinstance(name, str) or not 0 < len(name) <= 80):
            raise self.fail(f"{key}.name", "must be a string of 1..80 characters")
        build: Callable[..., BtNode] = getattr(self, f"_{kind}")
        return build(node, key, depth, name)

    # ------------------------------------------------------------- composites
    def _children(self, node: Mapping[str, Any], key: str, depth: int) -> list[BtNode]:
        kids = node.get("children")
        if not isinstance(kids, list) or not kids:
            raise self.fail(f"{key}.children", "must be a non-empty list of nodes")
        return [self.node(c, f"{key}.children[{i}]", depth + 1) for i, c in enumerate(kids)]

    def _selector(self, node: Mapping[str, Any], key: str, depth: int, name: Any) -> BtNode:
        memory = self._bool(node, "memory", key, False)
        return Selector(self._children(node, key, depth), memory=memory, name=name)

    def _sequence(self, node: Mapping[str, Any], key: str, depth: int, name: Any) -> BtNode:
        memory = self._bool(node, "memory", key, True)
        return Sequence(self._children(node, key, depth), memory=memory, name=name)

    def _parallel(self, node: Mapping[str, Any], key: str, depth: int, name: Any) -> BtNode:
        kids = self._children(node, key, depth)
        success = self._int(node, "success", key, None)
        failure = self._int(node, "failure", key, 1)
        for field, v in (("success", success), ("failure", failure)):
            if v is not None and v > len(kids):
                raise self.fail(f"{key}.{field}", f"is {v} but the node has {len(kids)} children")
        return Parallel(kids, success=success, failure=failure, name=name)

    # ------------------------------------------------------------- decorators
    def _inverter(self, node: Mapping[str, Any], key: str, depth: int, name: Any) -> BtNode:
        return Inverter(self._child(node, key, depth), name=name)

    def _force_success(self, node: Mapping[str, Any], key: str, depth: int, name: Any) -> BtNode:
        return ForceSuccess(self._child(node, key, depth), name=name)

    def _force_failure(self, node: Mapping[str, Any], key: str, depth: int, name: Any) -> BtNode:
        return ForceFailure(self._child(node, key, depth), name=name)

    def _repeat(self, node: Mapping[str, Any], key: str, depth: int, name: Any) -> BtNode:
        times = self._int(node, "times", key, None)
        return Repeat(self._child(node, key, depth), times=times, name=name)

    def _retry(self, node: Mapping[str, Any], key: str, depth: int, name: Any) -> BtNode:
        times = self._int(node, "times", key, 3)
        return Retry(self._child(node, key, depth), times=times, name=name)

    def _limit(self, node: Mapping[str, Any], key: str) -> tuple[float | None, int | None]:
        seconds = self._seconds(node, key)
        ticks = self._int(node, "ticks", key, None)
        if (seconds is None) == (ticks is None):
            raise self.fail(key, "give exactly one of 'seconds' or 'ticks'")
        return seconds, ticks

    def _cooldown(self, node: Mapping[str, Any], key: str, depth: int, name: Any) -> BtNode:
        seconds, ticks = self._limit(node, key)
        return Cooldown(self._child(node, key, depth), seconds=seconds, ticks=ticks, name=name)

    def _timeout(self, node: Mapping[str, Any], key: str, depth: int, name: Any) -> BtNode:
        seconds, ticks = self._limit(node, key)
        return Timeout(self._child(node, key, depth), seconds=seconds, ticks=ticks, name=name)

    # ----------------------------------------------------------------- leaves
    def _condition(self, node: Mapping[str, Any], key: str, depth: int, name: Any) -> BtNode:
        negate = self._bool(node, "negate", key, False)
        fact, check = node.get("fact"), node.get("check")
        if (fact is None) == (check is None):
            raise self.fail(key, "a condition needs exactly one of 'fact' or 'check'")
        if fact is not None:
            if not isinstance(fact, str) or fact not in self.facts:
                raise self.fail(f"{key}.fact", f"unknown fact {fact!r:.40}")
            if "value" in node:
                raise self.fail(f"{key}.value", "a fact condition takes no value")
            return Condition(fact=fact, negate=negate, name=name)
        if not isinstance(check, str) or check not in CHECKS:
            raise self.fail(
                f"{key}.check", f"unknown check {check!r:.40}; checks: {', '.join(sorted(CHECKS))}"
            )
        value = node.get("value")
        if check in ("role", "has_item", "tool_ready"):
            if not isinstance(value, str):
                raise self.fail(f"{key}.value", f"check {check} needs a string value")
        elif (
            isinstance(value, bool)
            or not isinstance(value, (int, float))
            or not math.isfinite(value)
        ):
            raise self.fail(f"{key}.value", f"check {check} needs a finite number")
        return Condition(check=check, value=value, negate=negate, name=name)

    def _action(self, node: Mapping[str, Any], key: str, depth: int, name: Any) -> BtNode:
        tool = node.get("tool")
        if not isinstance(tool, str) or tool not in self.registry:
            raise self.fail(
                f"{key}.tool",
                f"unknown tool {tool!r:.40}; tools: {', '.join(self.registry.allowlist())}",
            )
        target = node.get("target", "none")
        if target not in TARGETS:
            raise self.fail(f"{key}.target", f"unknown target {target!r:.40}; targets: {TARGETS}")
        args = node.get("args", {})
        if not isinstance(args, Mapping):
            raise self.fail(f"{key}.args", "must be a table of argument values")
        fields = set(self.registry.get(tool).args_model.model_fields) - {"tool"}
        bad = sorted(str(k) for k in set(args) - fields)
        if bad:
            raise self.fail(
                f"{key}.args", f"{tool} has no arguments {bad}; it takes {sorted(fields)}"
            )
        until = node.get("until", [])
        if not isinstance(until, list) or not all(isinstance(f, str) for f in until):
            raise self.fail(f"{key}.until", "must be a list of fact names")
        unknown = sorted(set(until) - self.facts)
        if unknown:
            raise self.fail(f"{key}.until", f"unknown facts {unknown}")
        return Action(tool, target=str(target), args=dict(args), until=tuple(until), name=name)


def parse_tree(
    definition: Any, *, registry: ToolRegistry | None = None, key: str = "tree"
) -> BtNode:
    """Build a tree's root node from a definition (see the module docstring).

    Args:
        definition: the root node as a mapping.
        registry: tools the actions may name (default: the built-in tools).
        key: the path of the definition, for error messages.

    Returns:
        The root node.

    Raises:
        BehaviorTreeError: the first problem, with its key path.

    Example:
        >>> root = parse_tree({"type": "sequence", "children": [
        ...     {"type": "condition", "fact": "enemy_visible"},
        ...     {"type": "action", "tool": "Attack", "target": "target"}]})
        >>> [n.name for n in root.walk()]
        ['sequence', 'enemy_visible', 'Attack@target']
    """
    reg = registry if registry is not None else default_registry()
    return _Parser(reg, key).node(definition, key)


def load_tree(source: Any, *, registry: ToolRegistry | None = None) -> BtNode:
    """Load a tree from a mapping, TOML text or a TOML file.

    A TOML document either is the root node (has ``type``) or holds it in a ``tree``
    table.

    Raises:
        BehaviorTreeError: the file cannot be read, is not TOML, or the tree is invalid.
    """
    if isinstance(source, Mapping):
        data: Any = source
        key = "tree"
    else:
        text: str
        if isinstance(source, Path) or (
            isinstance(source, str) and "\n" not in source and "=" not in source
        ):
            try:
                text = Path(source).read_text(encoding="utf-8")
            except OSError as exc:
                raise BehaviorTreeError(
                    f"cannot read behaviour tree file {source}: {exc.strerror}",
                    planner="bt",
                    key=str(source),
                ) from exc
        elif isinstance(source, str):
            text = source
        else:
            raise BehaviorTreeError(
                f"a behaviour tree must be a mapping, TOML text or a path, got "
                f"{type(source).__name__}",
                planner="bt",
            )
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise BehaviorTreeError(
                f"behaviour tree: not valid TOML: {exc}", planner="bt"
            ) from None
        key = "tree"
    if isinstance(data, Mapping) and "type" not in data and "tree" in data:
        data = data["tree"]
    return parse_tree(data, registry=registry, key=key)
