"""Scenario files (TOML): load, check, and build a world from them.

The format is documented in ``docs/scenarios.md``. :func:`load_scenario` takes a
path or the text itself and raises a :class:`~astraweave.errors.ScenarioError`
subclass naming the file, the key path (``entities[1].hp``) and the line of the
problem. :meth:`Scenario.build_world` spawns the world every run starts from.
"""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from astraweave.core._bodies import add_physics, character_parts, door_blocker
from astraweave.core._components import (
    ActivePlan,
    Agent,
    Ammo,
    Cooldowns,
    Hazard,
    Health,
    Inventory,
    Label,
    Memory,
    Morale,
    Mover,
    PathFollow,
    PointOfInterest,
    SequenceLock,
    SequenceMember,
    Stance,
    Status,
    Team,
    Weapon,
)
from astraweave.core._executor import PlanInbox
from astraweave.core._map import DOOR_CLOSED, DOOR_OPEN, MapTextError, Point, TileMap
from astraweave.core._mission import Mission, Outcome
from astraweave.core._registry import ToolRegistry
from astraweave.core._rules import GameRules
from astraweave.core._sandbox import default_registry
from astraweave.core._scenario_check import (
    check_scenario,
    find_line,
    key_text,
    map_line,
    resolve_names,
)
from astraweave.core._scenario_model import EntitySpec, ScenarioFile
from astraweave.ecs import Heading, Position, World
from astraweave.errors import (
    ScenarioError,
    ScenarioMapError,
    ScenarioReferenceError,
    ScenarioSchemaError,
    ScenarioSyntaxError,
)

__all__ = ["Scenario", "load_scenario"]


class Scenario:
    """A loaded, checked scenario. Build worlds from it with :meth:`build_world`.

    Attributes:
        spec: the parsed file (:class:`ScenarioFile`).
        text: the TOML text; ``path``: where it came from (``None`` for text).
        tilemap: the parsed map (each world gets its own copy).
    """

    def __init__(self, spec: ScenarioFile, text: str, path: str | None, tilemap: TileMap) -> None:
        self.spec = spec
        self.text = text
        self.path = path
        self.tilemap = tilemap
        self._physics = False

    @property
    def name(self) -> str:
        """The scenario's name."""
        return self.spec.scenario.name

    @property
    def seed(self) -> int:
        """The default seed."""
        return self.spec.scenario.seed

    @property
    def max_ticks(self) -> int:
        """The tick limit."""
        return self.spec.scenario.max_ticks

    @property
    def objective(self) -> str:
        """The objective text agents get."""
        return self.spec.scenario.objective

    @property
    def eval_table(self) -> dict[str, Any] | None:
        """The file's ``[eval]`` table as parsed TOML (``None`` when it has none).

        Core does not interpret it; :mod:`astraweave.eval` validates it.
        """
        return self.spec.eval

    def team_names(self) -> dict[str, int]:
        """Team name -> id, in order of first appearance among the entities."""
        teams: dict[str, int] = {}
        for e in self.spec.entities:
            teams.setdefault(e.team, len(teams))
        return teams

    def entity_id(self, world: World, name: str) -> int:
        """The id of scenario entity ``name`` in a world built from this scenario.

        Raises:
            ScenarioReferenceError: no entity of that name.
        """
        mission = world.resource(Mission)
        if name not in mission.names:
            raise ScenarioReferenceError(
                f"no entity named {name!r} in scenario {self.name}",
                path=self.path,
                name=name,
            )
        return mission.names[name]

    def _point(self, at: str | None, pos: list[float] | None) -> Point:
        if at is not None:
            (cx, cy) = self.tilemap.markers[at][0]
            return cx + 0.5, cy + 0.5
        if pos is None:  # pragma: no cover  (checked at load)
            raise ScenarioSchemaError("no position", path=self.path)
        return float(pos[0]), float(pos[1])

    def build_world(
        self,
        seed: int | None = None,
        *,
        registry: ToolRegistry | None = None,
        movement: str | None = None,
    ) -> World:
        """A fresh world for this scenario (entities spawned in file order).

        Args:
            seed: the world seed (default: the scenario's).
            registry: the tools (default: the built-in registry).
            movement: ``"kinematic"`` or ``"physics"`` (default: the scenario's).

        Raises:
            ScenarioSchemaError: an unknown movement mode.
        """
        sc = self.spec
        mode = sc.scenario.movement if movement is None else movement
        if mode not in ("kinematic", "physics"):
            raise ScenarioSchemaError(
                f"movement must be 'kinematic' or 'physics', got {mode!r}",
                path=self.path,
                key="scenario.movement",
            )
        world = World(seed=self.seed if seed is None else seed, dt=sc.scenario.dt)
        tm = TileMap(kinds=self.tilemap.kinds.copy(), markers=dict(self.tilemap.markers))
        self._physics = mode == "physics"
        if self._physics:
            add_physics(world, tm)
        teams = self.team_names()
        names: dict[str, int] = {}
        reg = registry if registry is not None else default_registry()
        for e in sc.entities:
            names[e.name] = self._spawn_character(world, e, teams[e.team])
        for p in sc.pois:
            x, y = self._point(p.at, p.pos)
            cx, cy = TileMap.cell_of(x, y)
            active = False
            cell = (-1, -1)
            if p.kind == "door":
                cell = (cx, cy)
                is_open = tm.kinds[cy, cx] == DOOR_OPEN if p.open is None else p.open
                tm.kinds[cy, cx] = DOOR_OPEN if is_open else DOOR_CLOSED
                active = bool(is_open)
                if self._physics and not is_open:
                    world.spawn(*door_blocker(cx, cy))
            names[p.name] = world.spawn(
                Label(p.name),
                Position(x, y),
                PointOfInterest(
                    kind=p.kind,
                    active=active,
                    locked=p.locked,
                    link=-1,
                    cell_x=cell[0],
                    cell_y=cell[1],
                    remote=p.remote,
                ),
            )
        for p in sc.pois:
            if p.link is not None:
                poi = world.get(names[p.name], PointOfInterest)
                poi.link = names[p.link]
                world.set(names[p.name], poi)
        for seq in sc.sequences:
            order = tuple(names[n] for n in seq.order)
            world.insert(names[seq.target], SequenceLock(name=seq.name, order=order, progress=0))
            target = world.get(names[seq.target], PointOfInterest)
            target.remote = True  # a lock opens only through its sequence
            world.set(names[seq.target], target)
            for n in sorted(set(seq.order)):
                world.insert(names[n], SequenceMember(name=seq.name, lock=names[seq.target]))
        for h in sc.hazards:
            x, y = self._point(h.at, h.pos)
            hid = world.spawn(Label(h.name), Position(x, y), Hazard(radius_m=h.radius, dps=h.dps))
            names[h.name] = hid
        for e in sc.entities:
            if e.agent is not None:
                agent = world.get(names[e.name], Agent)
                if e.agent.leader is not None:
                    agent.leader = names[e.agent.leader]
                world.set(names[e.name], agent)
        tm._cache.clear()
        world.insert_resource(tm)
        world.insert_resource(reg)
        world.insert_resource(GameRules(forbidden_tools=tuple(sc.constraints.forbidden_tools)))
        world.insert_resource(
            Mission(
                name=sc.scenario.name,
                objective=sc.scenario.objective,
                names=dict(names),
                teams=teams,
                success=tuple(sc.success),
                failure=tuple(sc.failure),
                max_ticks=sc.scenario.max_ticks,
            )
        )
        world.insert_resource(Outcome())
        inbox = PlanInbox()
        for inp in sc.inputs:
            steps = [resolve_names(step, names) for step in inp.steps]
            inbox.push(inp.tick, names[inp.entity], {"plan_id": "input", "steps": steps})
        world.insert_resource(inbox)
        return world

    def _spawn_character(self, world: World, e: EntitySpec, team: int) -> int:
        x, y = self._point(e.at, e.pos)
        comps: list[Any] = [
            Label(e.name),
            Team(team),
            Position(x, y),
            Heading(0.0),
            Health(hp=e.max_hp if e.hp is None else e.hp, max_hp=e.max_hp, armor=e.armor),
            Status(),
            Stance(),
            Morale(1.0),
            Ammo(
                rounds=e.magazine if e.ammo is None else e.ammo,
                magazine=e.magazine,
                reserve=e.reserve,
            ),
            Inventory(
                smoke=e.items.smoke,
                grenade=e.items.grenade,
                medkit=e.items.medkit,
                keys=e.items.keys,
            ),
            Weapon(damage=e.damage, range_m=e.range, accuracy=e.accuracy),
            Cooldowns(),
            Mover(speed_mps=e.speed),
            PathFollow(),
            ActivePlan(),
        ]
        if self._physics:
            comps += character_parts(e.speed)
        if e.agent is not None:
            a = e.agent
            comps += [
                Agent(
                    planner=a.planner,
                    role=a.role,
                    cadence_ticks=a.cadence_ticks,
                    next_plan_tick=0,
                    replan_ticks=a.replan_ticks,
                    perception_radius_m=a.perception_radius,
                    leader=-1,
                    patrol=self._patrol(a.patrol),
                    planner_config=(
                        json.dumps(a.planner_config, sort_keys=True) if a.planner_config else ""
                    ),
                ),
                Memory(seen={}),
            ]
        return world.spawn(*comps)

    def _patrol(self, patrol: list[list[float]] | str | None) -> tuple[Point, ...]:
        if patrol is None:
            return ()
        if isinstance(patrol, str):
            return tuple(self._point(ch, None) for ch in patrol)
        return tuple((float(p[0]), float(p[1])) for p in patrol)

    def __repr__(self) -> str:
        return f"Scenario({self.name!r}, {len(self.spec.entities)} entities, path={self.path!r})"


def load_scenario(
    source: str | Path,
    *,
    planners: Iterable[str] | None = None,
    registry: ToolRegistry | None = None,
) -> Scenario:
    """Load and check a scenario.

    Args:
        source: a :class:`~pathlib.Path`, a path string, or the TOML text itself (a
            string containing a newline is taken as text).
        planners: planner names agents may use (default: not checked here).
        registry: the tools ``forbidden_tools`` and ``inputs`` are checked against
            (default: the built-in tools).

    Raises:
        ScenarioSyntaxError: not TOML. ScenarioSchemaError: unknown keys, wrong types,
        missing values. ScenarioMapError: malformed map. EntityInWallError: something
        placed in a wall or off the map. ScenarioReferenceError: an unknown marker,
        entity, team, tool or planner. Each names the file, key path and line.

    Example:
        >>> sc = load_scenario('''
        ... [scenario]
        ... name = "tiny"
        ... map = ["####", "#A.#", "####"]
        ... [[entities]]
        ... name = "a"
        ... at = "A"
        ... ''')
        >>> sc.name, sc.tilemap.width
        ('tiny', 4)
    """
    path: str | None = None
    if isinstance(source, Path) or "\n" not in source:
        path = str(source)
        try:
            text = Path(source).read_text(encoding="utf-8")
        except OSError as exc:
            raise ScenarioError(
                f"cannot read scenario file {path}: {exc.strerror}", path=path
            ) from exc
    else:
        text = source
    where = path or "<scenario>"
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        m = re.search(r"line (\d+), column (\d+)", str(exc))
        line = int(m.group(1)) if m else None
        raise ScenarioSyntaxError(
            f"{where}:{line or '?'}: not valid TOML: {exc}",
            path=path,
            line=line,
            column=int(m.group(2)) if m else None,
        ) from None
    try:
        spec = ScenarioFile.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = list(first["loc"])
        # Discriminated unions add the tag to the location: drop it for the key path.
        loc = [p for p in loc if not (isinstance(p, str) and p in _PREDICATE_TAGS)]
        key = key_text(loc)
        line = find_line(text, loc)
        raise ScenarioSchemaError(
            f"{where}:{line or '?'}: {key}: {first['msg']}",
            path=path,
            key=key,
            line=line,
        ) from None
    try:
        raw_map = spec.scenario.map
        tm = TileMap.from_ascii(raw_map if isinstance(raw_map, str) else "\n".join(raw_map))
    except MapTextError as exc:
        line = map_line(text) + (exc.line if isinstance(raw_map, str) else 1)
        raise ScenarioMapError(
            f"{where}:{line}: scenario.map: {exc}",
            path=path,
            key="scenario.map",
            line=line,
            column=exc.column,
        ) from None
    reg = registry if registry is not None else default_registry()
    check_scenario(spec, text, path, tm, reg, planners)
    return Scenario(spec, text, path, tm)


_PREDICATE_TAGS = frozenset(
    {"dead", "down", "team_down", "within", "hp_at_least", "before_tick", "poi_active"}
)
