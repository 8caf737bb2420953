"""Checks of a scenario file after its schema: names, markers, placement, references;
and locating a key's line in the TOML text for error messages."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

from astraweave.core._map import DOOR_CLOSED, DOOR_OPEN, TileMap
from astraweave.core._registry import ToolRegistry
from astraweave.core._scenario_model import EntitySpec, HazardSpec, PoiSpec, ScenarioFile
from astraweave.errors import (
    EntityInWallError,
    ScenarioError,
    ScenarioReferenceError,
    ScenarioSchemaError,
    ToolError,
)

__all__ = ["check_scenario", "find_line", "key_text", "map_line", "resolve_names"]

Loc = Sequence[str | int]


def key_text(loc: Loc) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


def find_line(text: str, loc: Loc) -> int | None:
    """The 1-based line of the key at ``loc`` (e.g. ``("entities", 1, "hp")``) in TOML
    ``text``, found by scanning headers and ``key =`` lines; ``None`` if not found."""
    lines = text.split("\n")
    if not loc:
        return None
    head = str(loc[0])
    rest = list(loc[1:])
    start, end = 0, len(lines)
    line: int | None = None
    first = rest[0] if rest else None
    if isinstance(first, int):
        idx = first
        rest.pop(0)
        hits = [i for i, ln in enumerate(lines) if re.match(rf"\s*\[\[\s*{head}\s*\]\]", ln)]
        if idx < len(hits):
            start = hits[idx]
            line = start + 1
            nxt = [i for i in range(start + 1, len(lines)) if re.match(r"\s*\[", lines[i])]
            end = nxt[0] if nxt else len(lines)
        else:
            return None
    else:
        hit = next((i for i, ln in enumerate(lines) if re.match(rf"\s*\[\s*{head}\s*\]", ln)), None)
        if hit is not None:
            start, line = hit, hit + 1
            nxt = [i for i in range(start + 1, len(lines)) if re.match(r"\s*\[", lines[i])]
            end = nxt[0] if nxt else len(lines)
        else:
            key = next((i for i, ln in enumerate(lines) if re.match(rf"\s*{head}\s*=", ln)), None)
            return None if key is None else key + 1
    for part in rest:
        if isinstance(part, int):
            continue
        hit = next(
            (
                i
                for i in range(start, end)
                if re.match(rf"\s*{re.escape(str(part))}\s*=", lines[i])
                or re.search(rf"[{{,]\s*{re.escape(str(part))}\s*=", lines[i])
            ),
            None,
        )
        if hit is None:
            break
        start, line = hit, hit + 1
    return line


class _Checker:
    """Semantic checks after the schema (names, markers, placement, references)."""

    def __init__(self, text: str, path: str | None, tm: TileMap) -> None:
        self.text, self.path, self.tm = text, path, tm

    def err(self, cls: type[ScenarioError], loc: Loc, message: str, **ctx: Any) -> ScenarioError:
        key = key_text(loc)
        line = find_line(self.text, loc)
        where = f"{self.path or '<scenario>'}" + (f":{line}" if line else "")
        return cls(f"{where}: {key}: {message}", path=self.path, key=key, line=line, **ctx)

    def place(
        self, loc: Loc, at: str | None, pos: list[float] | None, *, door: bool = False
    ) -> None:
        if (at is None) == (pos is None):
            raise self.err(
                ScenarioSchemaError, loc, "give exactly one of 'at' (a map marker) or 'pos'"
            )
        tm = self.tm
        if at is not None:
            cells = tm.markers.get(at)
            if door and at in ("D", "d"):
                raise self.err(
                    ScenarioSchemaError, [*loc, "at"], "doors need 'pos' or their own marker"
                )
            if not cells:
                raise self.err(
                    ScenarioReferenceError,
                    [*loc, "at"],
                    f"marker {at!r} is not on the map (markers: {''.join(sorted(tm.markers))})",
                    name=at,
                )
            if len(cells) > 1:
                raise self.err(
                    ScenarioReferenceError,
                    [*loc, "at"],
                    f"marker {at!r} appears {len(cells)} times on the map; use a unique "
                    "marker or 'pos'",
                    name=at,
                )
            x, y = cells[0][0] + 0.5, cells[0][1] + 0.5
            key = "at"
        else:
            assert_pos = pos or [0.0, 0.0]
            x, y = float(assert_pos[0]), float(assert_pos[1])
            key = "pos"
        if door:
            cx, cy = tm.cell_of(x, y)
            if not tm.in_bounds(x, y) or tm.kinds[cy, cx] not in (DOOR_CLOSED, DOOR_OPEN):
                raise self.err(
                    EntityInWallError,
                    [*loc, key],
                    f"a door must stand on a D or d tile; ({x:g}, {y:g}) is not one",
                    point=(x, y),
                )
            return
        if not tm.walkable_at(x, y):
            what = "outside the map" if not tm.in_bounds(x, y) else "inside a wall"
            raise self.err(
                EntityInWallError, [*loc, key], f"({x:g}, {y:g}) is {what}", point=(x, y)
            )


def resolve_names(step: dict[str, Any], names: dict[str, int]) -> dict[str, Any]:
    """``step`` with a ``target`` given by scenario name replaced by the entity id."""
    target = step.get("target")
    if isinstance(target, str) and target in names:
        return {**step, "target": names[target]}
    return step


def map_line(text: str) -> int:
    line = find_line(text, ["scenario", "map"]) or 1
    lines = text.split("\n")
    first = lines[line - 1] if line - 1 < len(lines) else ""
    if '"""' in first or "'''" in first:
        tail = first.split('"""', 1)[-1] if '"""' in first else first.split("'''", 1)[-1]
        return line if tail.strip() == "" else line - 1
    return line - 1


def _check_sequences(chk: _Checker, spec: ScenarioFile, pois: dict[str, PoiSpec]) -> None:
    """Sequence locks: switches in order, one lock per switch, a target to open;
    every remote door has a switch or a lock that opens it."""
    member: dict[str, str] = {}
    names: set[str] = set()
    targets: set[str] = set()
    for i, seq in enumerate(spec.sequences):
        if seq.name in names:
            raise chk.err(
                ScenarioSchemaError, ["sequences", i, "name"], f"sequence {seq.name!r} twice"
            )
        names.add(seq.name)
        for n in seq.order:
            p = pois.get(n)
            if p is None or p.kind != "switch":
                raise chk.err(
                    ScenarioReferenceError,
                    ["sequences", i, "order"],
                    f"{n!r} is not a switch",
                    name=n,
                )
            if p.link is not None:
                raise chk.err(
                    ScenarioSchemaError,
                    ["sequences", i, "order"],
                    f"switch {n!r} has a link; a switch of a sequence lock has none",
                )
            if member.get(n, seq.name) != seq.name:
                raise chk.err(
                    ScenarioSchemaError,
                    ["sequences", i, "order"],
                    f"switch {n!r} already belongs to sequence {member[n]!r}",
                )
            member[n] = seq.name
        target = pois.get(seq.target)
        if target is None or target.kind not in ("door", "terminal", "objective"):
            raise chk.err(
                ScenarioReferenceError,
                ["sequences", i, "target"],
                f"target {seq.target!r} must name a door, terminal or objective",
                name=seq.target,
            )
        if seq.target in targets:
            raise chk.err(
                ScenarioSchemaError,
                ["sequences", i, "target"],
                f"{seq.target!r} is the target of another sequence",
            )
        targets.add(seq.target)
    opened = targets | {p.link for p in spec.pois if p.link is not None}
    for i, p in enumerate(spec.pois):
        if p.remote and p.name not in opened:
            raise chk.err(
                ScenarioReferenceError,
                ["pois", i, "remote"],
                f"remote door {p.name!r} has no switch linked to it and no sequence opening it",
                name=p.name,
            )


def check_scenario(
    spec: ScenarioFile,
    text: str,
    path: str | None,
    tm: TileMap,
    reg: ToolRegistry,
    planners: Iterable[str] | None,
) -> None:
    chk = _Checker(text, path, tm)
    seen: dict[str, str] = {}
    groups: list[tuple[str, Sequence[EntitySpec | PoiSpec | HazardSpec]]] = [
        ("entities", spec.entities),
        ("pois", spec.pois),
        ("hazards", spec.hazards),
    ]
    for group, items in groups:
        for i, item in enumerate(items):
            if item.name in seen:
                raise chk.err(
                    ScenarioSchemaError,
                    [group, i, "name"],
                    f"name {item.name!r} is already used by {seen[item.name]}",
                )
            seen[item.name] = f"{group}[{i}]"
            chk.place(
                [group, i],
                item.at,
                item.pos,
                door=isinstance(item, PoiSpec) and item.kind == "door",
            )
    entity_names = {e.name for e in spec.entities}
    poi_names = {p.name: p for p in spec.pois}
    teams = {e.team for e in spec.entities}
    known_planners = None if planners is None else set(planners)
    for i, e in enumerate(spec.entities):
        if e.hp is not None and e.hp > e.max_hp:
            raise chk.err(ScenarioSchemaError, ["entities", i, "hp"], "hp exceeds max_hp")
        if e.ammo is not None and e.ammo > e.magazine:
            raise chk.err(ScenarioSchemaError, ["entities", i, "ammo"], "ammo exceeds magazine")
        if e.agent is None:
            continue
        if known_planners is not None and e.agent.planner not in known_planners:
            raise chk.err(
                ScenarioReferenceError,
                ["entities", i, "agent", "planner"],
                f"unknown planner {e.agent.planner!r}; known: {sorted(known_planners)}",
                name=e.agent.planner,
            )
        if e.agent.leader is not None and e.agent.leader not in entity_names:
            raise chk.err(
                ScenarioReferenceError,
                ["entities", i, "agent", "leader"],
                f"leader {e.agent.leader!r} is not an entity",
                name=e.agent.leader,
            )
        patrol = e.agent.patrol
        if isinstance(patrol, str):
            for ch in patrol:
                chk.place(["entities", i, "agent", "patrol"], ch, None)
        elif patrol is not None:
            for j, pt in enumerate(patrol):
                if len(pt) != 2:
                    raise chk.err(
                        ScenarioSchemaError,
                        ["entities", i, "agent", "patrol"],
                        f"patrol point {j} must be [x, y]",
                    )
                if not tm.walkable_at(pt[0], pt[1]):
                    raise chk.err(
                        EntityInWallError,
                        ["entities", i, "agent", "patrol"],
                        f"patrol point {j} ({pt[0]:g}, {pt[1]:g}) is not walkable",
                        point=tuple(pt),
                    )
    for i, p in enumerate(spec.pois):
        if p.link is not None:
            target = poi_names.get(p.link)
            if p.kind != "switch" or target is None or target.kind != "door":
                raise chk.err(
                    ScenarioReferenceError,
                    ["pois", i, "link"],
                    f"link {p.link!r} must name a door, from a switch",
                    name=p.link,
                )
        if p.remote and p.kind != "door":
            raise chk.err(ScenarioSchemaError, ["pois", i, "remote"], "only doors can be remote")
    _check_sequences(chk, spec, poi_names)
    for i, name in enumerate(spec.constraints.forbidden_tools):
        if name not in reg:
            raise chk.err(
                ScenarioReferenceError,
                ["constraints", "forbidden_tools"],
                f"forbidden tool {i} {name!r} is not a tool; tools: {', '.join(reg.allowlist())}",
                name=name,
            )
    for i, inp in enumerate(spec.inputs):
        if inp.entity not in entity_names:
            raise chk.err(
                ScenarioReferenceError,
                ["inputs", i, "entity"],
                f"{inp.entity!r} is not an entity",
                name=inp.entity,
            )
        all_names = {x.name: 0 for _, items in groups for x in items}
        for j, step in enumerate(inp.steps):
            target = step.get("target")
            if isinstance(target, str) and target not in all_names:
                raise chk.err(
                    ScenarioReferenceError,
                    ["inputs", i, "steps"],
                    f"step {j}: target {target!r} is not a name in this scenario",
                    name=target,
                )
            try:
                reg.parse_step(resolve_names(step, all_names), j)
            except ToolError as exc:
                raise chk.err(ScenarioSchemaError, ["inputs", i, "steps"], str(exc)) from None
    for group in ("success", "failure"):
        for i, pred in enumerate(getattr(spec, group)):
            for fld, pool in (("entity", entity_names), ("poi", set(poi_names)), ("team", teams)):
                value = getattr(pred, fld, None)
                if value is not None and value not in pool:
                    raise chk.err(
                        ScenarioReferenceError,
                        [group, i, fld],
                        f"{fld} {value!r} is not defined",
                        name=value,
                    )
            point, poi = getattr(pred, "point", None), getattr(pred, "poi", None)
            if getattr(pred, "type", "") == "within" and (point is None) == (poi is None):
                raise chk.err(
                    ScenarioSchemaError, [group, i], "'within' needs exactly one of point or poi"
                )
