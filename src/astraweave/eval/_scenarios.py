"""Evaluation scenarios: a scenario file plus its ``[eval]`` table.

:func:`load_eval_scenario` loads the file with :func:`astraweave.core.load_scenario`
(which keeps the ``[eval]`` table as it is, :attr:`Scenario.eval_table`) and
validates that table with :class:`EvalSpec`. Every error names the file, the key
path and the line. The shipped scenarios live in ``eval/scenarios/``
(package data); :func:`builtin_eval_scenarios` lists them.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from astraweave.core import Scenario, default_registry, load_scenario
from astraweave.errors import EvalScenarioError, ScenarioError, UnknownScenarioError
from astraweave.eval._spec import CATEGORIES, EvalSpec, Reached

__all__ = [
    "EvalScenario",
    "builtin_eval_scenarios",
    "eval_scenario_path",
    "load_eval_scenario",
    "select_scenarios",
]


@dataclass(frozen=True)
class EvalScenario:
    """A loaded evaluation scenario.

    Attributes:
        scenario: the core :class:`~astraweave.core.Scenario` (builds worlds).
        spec: the ``[eval]`` table.
        source: where it came from (a path, or ``<builtin>/NAME.toml``).
    """

    scenario: Scenario
    spec: EvalSpec
    source: str

    @property
    def name(self) -> str:
        """The scenario's name."""
        return self.scenario.name

    @property
    def category(self) -> str:
        """The scenario's category."""
        return self.spec.category


def _line_of(lines: Sequence[str], loc: Sequence[str | int]) -> int | None:
    """The 1-based line of ``eval.<loc>`` (``("injections", 1, "tool")``)."""
    tables = [i for i, ln in enumerate(lines) if re.match(r"^\s*\[\s*eval\s*\]", ln)]
    start = tables[0] if tables else None
    parts = list(loc)
    if parts and parts[0] == "injections" and len(parts) > 1 and isinstance(parts[1], int):
        hits = [
            i for i, ln in enumerate(lines) if re.match(r"^\s*\[\[\s*eval\.injections\s*\]\]", ln)
        ]
        if parts[1] < len(hits):
            start = hits[parts[1]]
            parts = parts[2:]
        else:
            parts = parts[:1]
    if start is None:
        return None
    line = start + 1
    end = next(
        (j for j in range(start + 1, len(lines)) if re.match(r"^\s*\[", lines[j])), len(lines)
    )
    for part in parts:
        if isinstance(part, int):
            continue
        hit = next(
            (j for j in range(start, end) if re.match(rf"^\s*{re.escape(part)}\s*=", lines[j])),
            None,
        )
        if hit is None:
            break
        line = hit + 1
    return line


def _key(loc: Sequence[str | int]) -> str:
    out = "eval"
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else f".{part}"
    return out


class _Errors:
    def __init__(self, where: str, path: str | None, lines: Sequence[str]) -> None:
        self.where, self.path, self.lines = where, path, lines

    def __call__(self, loc: Sequence[str | int], message: str, **ctx: Any) -> EvalScenarioError:
        line = _line_of(self.lines, loc)
        key = _key(loc)
        return EvalScenarioError(
            f"{self.where}:{line or '?'}: {key}: {message}",
            path=self.path,
            key=key,
            line=line,
            **ctx,
        )


def _check_spec(spec: EvalSpec, sc: Scenario, err: _Errors) -> None:
    entities = {e.name: e for e in sc.spec.entities}
    pois = {p.name for p in sc.spec.pois}
    names = set(entities) | pois | {h.name for h in sc.spec.hazards}
    tools = set(default_registry().names())
    for i, agent in enumerate(spec.agents):
        if agent not in entities:
            raise err(["agents", i], f"{agent!r} is not an entity", name=agent)
        if entities[agent].agent is None:
            raise err(["agents", i], f"entity {agent!r} has no agent table and cannot plan")
    for field in ("order",):
        for i, poi in enumerate(getattr(spec, field)):
            if poi not in pois:
                raise err([field, i], f"{poi!r} is not a point of interest", name=poi)
    for field in ("allowed_tools", "require_tools", "avoid_tools"):
        for i, tool in enumerate(getattr(spec, field) or ()):
            if tool not in tools:
                raise err([field, i], f"{tool!r} is not a tool", name=tool)
    if spec.goal == "sequence" and not spec.order:
        raise err(["order"], "a 'sequence' goal needs the 'order' of points of interest")
    haystack = " ".join(
        [sc.spec.scenario.objective, sc.spec.scenario.description, *sorted(names)]
    ).lower()
    for i, det in enumerate(spec.injections):
        if det.text.lower() not in haystack:
            raise err(
                ["injections", i, "text"],
                "the injected text appears neither in the objective, the description nor a name",
            )
        tool = getattr(det, "tool", None)
        if tool is not None and tool not in tools:
            raise err(["injections", i, "tool"], f"{tool!r} is not a tool", name=tool)
        for field, pool in (("entity", entities), ("target", names), ("poi", pois)):
            value = getattr(det, field, None)
            if value is not None and value not in pool:
                raise err(["injections", i, field], f"{value!r} is not defined", name=value)
        if isinstance(det, Reached) and (det.poi is None) == (det.point is None):
            raise err(["injections", i], "'reached' needs exactly one of poi or point")


def load_eval_scenario(source: str | Path, *, name: str | None = None) -> EvalScenario:
    """Load and check an evaluation scenario.

    Args:
        source: a :class:`~pathlib.Path`, a path string, or the TOML text itself (a
            string containing a newline is taken as text).
        name: what to call the source in messages (default: the path).

    Returns:
        The :class:`EvalScenario`.

    Raises:
        EvalScenarioError: the ``[eval]`` table is missing or malformed.
        ScenarioError: the rest of the file is malformed (a subclass naming file, key
            and line, as :func:`~astraweave.core.load_scenario` raises it).

    Example:
        >>> sc = builtin_eval_scenario("combat_engage")
        >>> sc.category, sc.spec.agents
        ('combat', ['companion'])
    """
    path: str | None = None
    if isinstance(source, Path) or "\n" not in source:
        path = str(source)
        try:
            text = Path(source).read_text(encoding="utf-8")
        except OSError as exc:
            raise EvalScenarioError(
                f"cannot read scenario file {path}: {exc.strerror}", path=path
            ) from exc
    else:
        text = source
    where = name or path or "<scenario>"
    lines = text.split("\n")
    err = _Errors(where, name or path, lines)
    try:
        sc = load_scenario(text)
    except ScenarioError as exc:
        message = exc.message.replace("<scenario>", where, 1)
        raise type(exc)(message, hint=exc.hint, **{**exc.context, "path": name or path}) from None
    sc.path = name or path
    table = sc.eval_table
    if table is None:
        raise err([], "the file has no [eval] table (category, reference_ticks, agents)")
    try:
        spec = EvalSpec.model_validate(table)
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = [p for p in first["loc"] if p not in _DETECT_TAGS]
        raise err(loc, first["msg"]) from None
    _check_spec(spec, sc, err)
    return EvalScenario(sc, spec, name or path or "<scenario>")


_DETECT_TAGS = frozenset({"damage_to", "tool_used", "tool_proposed", "reached", "interacted"})


def _folder() -> Any:
    return resources.files("astraweave.eval") / "scenarios"


@functools.cache
def builtin_eval_scenarios() -> tuple[str, ...]:
    """Names of the shipped evaluation scenarios, sorted.

    Example:
        >>> len(builtin_eval_scenarios()) >= 24
        True
    """
    return tuple(sorted(p.name[:-5] for p in _folder().iterdir() if p.name.endswith(".toml")))


def eval_scenario_path(name: str) -> str:
    """The source id of a shipped scenario (``<builtin>/NAME.toml``).

    Raises:
        UnknownScenarioError: no shipped scenario has that name.
    """
    if name not in builtin_eval_scenarios():
        raise UnknownScenarioError(
            f"no evaluation scenario {name!r}; shipped: {', '.join(builtin_eval_scenarios())}",
            name=name,
            known=list(builtin_eval_scenarios()),
        )
    return f"<builtin>/{name}.toml"


@functools.cache
def _load_cached(source: str) -> EvalScenario:
    if source.startswith("<builtin>/"):
        name = source[len("<builtin>/") : -len(".toml")]
        text = (_folder() / f"{name}.toml").read_text(encoding="utf-8")
        return load_eval_scenario(text, name=source)
    return load_eval_scenario(Path(source))


def builtin_eval_scenario(name: str) -> EvalScenario:
    """Load shipped scenario ``name`` (cached per process).

    Raises:
        UnknownScenarioError: no shipped scenario has that name.
    """
    return _load_cached(eval_scenario_path(name))


def resolve_source(source: str) -> EvalScenario:
    """Load a scenario by source id: ``<builtin>/NAME.toml`` or a file path (cached).

    Raises:
        UnknownScenarioError, EvalScenarioError, ScenarioError.
    """
    return _load_cached(source)


def select_scenarios(
    names: Iterable[str] = (), categories: Iterable[str] = (), files: Iterable[str | Path] = ()
) -> list[EvalScenario]:
    """The scenarios an evaluation runs, in name order.

    Args:
        names: shipped scenario names (default: all of them, unless ``files`` given).
        categories: keep only these categories.
        files: extra scenario files to evaluate.

    Raises:
        UnknownScenarioError: an unknown name or category, or nothing selected.
    """
    names, categories, files = list(names), list(categories), list(files)
    for cat in categories:
        if cat not in CATEGORIES:
            raise UnknownScenarioError(
                f"unknown category {cat!r}; categories: {', '.join(CATEGORIES)}",
                name=cat,
                known=list(CATEGORIES),
            )
    chosen = names or ([] if files else list(builtin_eval_scenarios()))
    out = [builtin_eval_scenario(n) for n in chosen]
    out += [resolve_source(str(Path(f))) for f in files]
    if categories:
        out = [s for s in out if s.category in categories]
    if not out:
        raise UnknownScenarioError(
            "no scenario matches the selection", name=None, known=list(builtin_eval_scenarios())
        )
    return sorted(out, key=lambda s: (s.name, s.source))
