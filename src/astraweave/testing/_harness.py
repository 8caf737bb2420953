"""The integration harness: a whole game world, full frames, and what happened.

:class:`IntegrationHarness` builds a world from a scenario (file, text or
:class:`~astraweave.core.Scenario`), from a snapshot, or by hand (a map, then
:meth:`~IntegrationHarness.spawn_agent`, :meth:`~IntegrationHarness.spawn_enemy`,
:meth:`~IntegrationHarness.spawn_obstacle`, :meth:`~IntegrationHarness.set_goal`,
:meth:`~IntegrationHarness.command`). It runs full frames (the seven stages: the
ECS schedule with core's rules, the AI planners, the sandbox and executor, physics or
kinematic movement) and records, through its probes, the world hash after every
tick, game events, physics collisions, plan records and animation triggers.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from astraweave import ai
from astraweave.ai import DEFAULT_BUDGET_S, Planner, PlanRecord, planner_names
from astraweave.core import (
    Agent,
    Ammo,
    GameEvent,
    GameRules,
    Health,
    Label,
    Mission,
    Outcome,
    PlanInbox,
    Scenario,
    Status,
    Team,
    TileMap,
    load_scenario,
)
from astraweave.core._map import LOW_COVER, WALL
from astraweave.ecs import App, Plugin, Position, World
from astraweave.testing._errors import HarnessError
from astraweave.testing._probes import (
    AnimationProbe,
    AnimationTrigger,
    CollisionProbe,
    CollisionRecord,
    EventProbe,
    HashProbe,
    PlanProbe,
    Probe,
)
from astraweave.testing._spec import AGENT_KEYS, Rect, WorldSpec, rect_tiles

__all__ = ["IntegrationHarness", "RunReport", "Who"]

Who = int | str
"""An entity: its id, or its scenario name."""

PluginSpec = Plugin | tuple[Plugin, Mapping[str, Any]]
"""A plugin, or a plugin with its configuration."""

_TILE = {"wall": WALL, "cover": LOW_COVER}


@dataclass(frozen=True)
class RunReport:
    """What :meth:`IntegrationHarness.run` did.

    Attributes:
        start_tick: the world tick before the first tick run.
        end_tick: the world tick after the last one.
        ticks: ticks run.
        stopped: why it stopped: ``"ticks"`` (all run), ``"until"`` (the condition
            held) or ``"outcome"`` (the mission was decided).
        final_hash: the world hash at the end.
        outcome: the mission's status at the end (``running``, ``success``,
            ``failure``).
    """

    start_tick: int
    end_tick: int
    ticks: int
    stopped: str
    final_hash: str
    outcome: str


def _replace_rules(rules: GameRules | None, changes: Mapping[str, Any]) -> GameRules:
    known = {f.name for f in dataclasses.fields(GameRules)}
    unknown = sorted(set(changes) - known)
    if unknown:
        raise HarnessError(
            f"GameRules has no field {', '.join(unknown)}; fields: {', '.join(sorted(known))}",
            value=unknown,
        )
    return dataclasses.replace(rules or GameRules(), **changes)


@dataclass
class _Obstacle:
    tiles: list[tuple[int, int]]
    previous: list[int]
    collider: int | None


class IntegrationHarness:
    """A world to run full frames on, with hashes, events, collisions and plans.

    Build it by hand from an ASCII map (``IntegrationHarness(map_text, ...)``), from a
    scenario (:meth:`from_scenario`) or from snapshot bytes (:meth:`restore`). A
    hand-built world is written out as a scenario file (:attr:`scenario_text`) and
    loaded by :func:`~astraweave.core.load_scenario`, so it is built by exactly the
    code every scenario goes through. The world is built on first use (:meth:`build`,
    :meth:`run`, :attr:`world`); characters and goals are added before that,
    obstacles and commands before or after.

    Args:
        map_text: the ASCII map (``#`` wall, ``=`` low cover, ``.`` floor, ``D``/``d``
            doors; common indentation is ignored).
        name: the scenario's name. objective: the objective text agents see.
        seed: the world seed. dt: seconds per tick.
        movement: ``"physics"`` (characters are pymunk bodies; default) or
            ``"kinematic"``.
        forbidden_tools: tools the scenario forbids.
        max_ticks: the mission's tick limit (its outcome turns ``failure``/timeout).
        **options: see :meth:`from_scenario` (``threads``, ``planners``,
            ``planner``, ``budget_s``, ``rules``, ``plugins``, ``probes``,
            ``record_hashes``, ``history``).

    Example:
        >>> h = IntegrationHarness('''
        ...     ##########
        ...     #........#
        ...     #........#
        ...     ##########
        ... ''', seed=3)
        >>> h.spawn_agent("scout", (1.5, 1.5), role="lead")
        'scout'
        >>> h.set_goal("scout", (8.5, 2.5))
        'goal'
        >>> h.run(600, stop_on_outcome=True).stopped
        'outcome'
        >>> h.outcome.status, h.collision_count("scout")
        ('success', 0)
        >>> h.plans("scout")[0].plan.tools()
        ['MoveTo']
        >>> len(h.hashes) == h.world.tick
        True
    """

    def __init__(
        self,
        map_text: str,
        *,
        name: str = "harness",
        objective: str = "",
        seed: int = 0,
        dt: float = 1.0 / 60.0,
        movement: str = "physics",
        forbidden_tools: Sequence[str] = (),
        max_ticks: int = 1_000_000,
        **options: Any,
    ) -> None:
        self._spec: WorldSpec | None = WorldSpec.from_map(
            map_text,
            name=name,
            objective=objective,
            seed=seed,
            dt=dt,
            movement=movement,
            forbidden_tools=list(forbidden_tools),
            max_ticks=max_ticks,
        )
        self._scenario: Scenario | None = None
        self._snapshot: bytes | None = None
        self._seed: int | None = seed
        self._movement: str | None = None
        self._setup(**options)

    def _setup(
        self,
        *,
        threads: int = 1,
        planners: Mapping[str, Planner] | None = None,
        planner: str | None = None,
        budget_s: float = DEFAULT_BUDGET_S,
        rules: Mapping[str, Any] | None = None,
        plugins: Sequence[PluginSpec] = (),
        probes: Iterable[Probe] = (),
        record_hashes: bool = True,
        history: bool = True,
    ) -> None:
        self.threads = threads
        self.planners: dict[str, Planner] = dict(planners or {})
        self.planner_override = planner
        self.budget_s = budget_s
        self.rule_overrides = dict(rules or {})
        self.plugins = list(plugins)
        self.hash_probe = HashProbe(record_hashes)
        self.event_probe = EventProbe(keep=history)
        self.collision_probe = CollisionProbe(keep=history)
        self.plan_probe = PlanProbe(keep=history, drain=not history)
        self.animation_probe = AnimationProbe()
        self.probes: list[Probe] = [
            self.hash_probe,
            self.event_probe,
            self.collision_probe,
            self.plan_probe,
            self.animation_probe,
            *probes,
        ]
        self._app: App | None = None
        self._obstacles: dict[int, _Obstacle] = {}
        self._commands = 0

    # ------------------------------------------------------------------ building
    @classmethod
    def from_scenario(
        cls,
        scenario: Scenario | str | Path,
        *,
        seed: int | None = None,
        movement: str | None = None,
        threads: int = 1,
        planners: Mapping[str, Planner] | None = None,
        planner: str | None = None,
        budget_s: float = DEFAULT_BUDGET_S,
        rules: Mapping[str, Any] | None = None,
        plugins: Sequence[PluginSpec] = (),
        probes: Iterable[Probe] = (),
        record_hashes: bool = True,
        history: bool = True,
    ) -> IntegrationHarness:
        """A harness on a scenario.

        Args:
            scenario: a loaded scenario, a path, or the TOML text.
            seed: world seed (default: the scenario's).
            movement: ``"kinematic"`` or ``"physics"`` (default: the scenario's).
            threads: the App's worker threads (results are bit-identical).
            planners: planner instances by name (an LLM planner on a test server);
                other names come from the planner registry.
            planner: planner name for every agent with role ``companion``.
            budget_s: planning time budget per agent, seconds.
            rules: :class:`~astraweave.core.GameRules` fields to override
                (``{"bleedout_s": 2.0}``).
            plugins: more plugins for the App (rendering, networking, ...), each a
                plugin function or ``(plugin, config)``.
            probes: more probes (see :class:`~astraweave.testing.Probe`).
            record_hashes: record the world hash after every tick.
            history: keep events, collisions and plan records (``False``: count
                them only, and drain the AI system's plan log each tick; for soaks).

        Returns:
            The harness (the world is built on first use).

        Raises:
            ScenarioError: the scenario does not load.

        Example:
            >>> from astraweave.core import builtin_scenario
            >>> h = IntegrationHarness.from_scenario(builtin_scenario(), seed=7)
            >>> h.run(5).ticks, sorted(h.positions())[:2]
            (5, ['companion', 'player'])
        """
        self = cls.__new__(cls)
        self._spec = None
        self._snapshot = None
        if isinstance(scenario, Scenario):
            self._scenario = scenario
        else:
            known = [*planner_names(), *(planners or {})]
            self._scenario = load_scenario(scenario, planners=known)
        self._seed = seed
        self._movement = movement
        self._setup(
            threads=threads,
            planners=planners,
            planner=planner,
            budget_s=budget_s,
            rules=rules,
            plugins=plugins,
            probes=probes,
            record_hashes=record_hashes,
            history=history,
        )
        return self

    @classmethod
    def restore(cls, data: bytes, **options: Any) -> IntegrationHarness:
        """A harness continuing the world of :meth:`snapshot` bytes (in this process
        or another), with ``options`` as for :meth:`from_scenario`.

        Hashes, events and plans are recorded from the restored tick on.

        Raises:
            SnapshotError: corrupted or foreign bytes.

        Example:
            >>> from astraweave.core import builtin_scenario
            >>> a = IntegrationHarness.from_scenario(builtin_scenario())
            >>> _ = a.run(30)
            >>> b = IntegrationHarness.restore(a.snapshot())
            >>> _ = a.run(30), b.run(30)
            >>> a.hash() == b.hash() and b.world.tick == 60
            True
        """
        self = cls.__new__(cls)
        self._spec = None
        self._scenario = None
        self._snapshot = bytes(data)
        self._seed = None
        self._movement = None
        self._setup(**options)
        World.from_snapshot(self._snapshot)  # fail now on bad bytes, not at first use
        return self

    @property
    def built(self) -> bool:
        """Whether the world exists yet."""
        return self._app is not None

    @property
    def scenario_text(self) -> str | None:
        """The scenario file of this world (``None`` for a restored snapshot)."""
        if self._spec is not None:
            return self._spec.to_toml()
        return self._scenario.text if self._scenario is not None else None

    def _known_planners(self) -> list[str]:
        return sorted({*planner_names(), *self.planners})

    def build(self) -> IntegrationHarness:
        """Build the world and the App (once; later calls do nothing).

        Returns:
            ``self``.

        Raises:
            ScenarioError: the hand-built world does not load (unknown planner, an
                entity in a wall, ...), with the key path of the problem.
        """
        if self._app is not None:
            return self
        if self._snapshot is not None:
            world = World.from_snapshot(self._snapshot)
        else:
            if self._spec is not None:
                self._scenario = load_scenario(
                    self._spec.to_toml(), planners=self._known_planners()
                )
            if self._scenario is None:  # pragma: no cover  (every constructor sets one)
                raise HarnessError("nothing to build the world from")
            world = self._scenario.build_world(self._seed, movement=self._movement)
            self._override_planner(world)
        if self.rule_overrides:
            world.insert_resource(
                _replace_rules(world.try_resource(GameRules), self.rule_overrides)
            )
        app = App(world=world, threads=self.threads)
        app.add_plugin(ai.plugin, planners=self.planners, budget_s=self.budget_s)
        for spec in self.plugins:
            if isinstance(spec, tuple):
                app.add_plugin(spec[0], **dict(spec[1]))
            else:
                app.add_plugin(spec)
        self._app = app
        for probe in self.probes:
            probe.attach(self)
        return self

    def _override_planner(self, world: World) -> None:
        if self.planner_override is None:
            return
        for chunk in world.query(Agent):
            roles, names = chunk[Agent].role, chunk[Agent].planner
            for row in range(len(chunk)):
                if roles[row] == "companion":
                    names[row] = self.planner_override

    @property
    def app(self) -> App:
        """The App (built on first access)."""
        return self.build()._app  # type: ignore[return-value]  # build() sets it

    @property
    def world(self) -> World:
        """The world (built on first access)."""
        return self.app.world

    def _unbuilt(self, what: str) -> WorldSpec:
        if self._spec is None or self._app is not None:
            raise HarnessError(
                f"{what} is possible only on a hand-built world before it is built",
                hint="add characters and goals before the first run(), tick() or world",
            )
        return self._spec

    # ------------------------------------------------------------ world by hand
    def spawn_agent(
        self,
        name: str,
        at: str | Sequence[float],
        *,
        team: str = "blue",
        planner: str | None = "rule",
        role: str = "companion",
        leader: str | None = None,
        patrol: Sequence[Sequence[float]] | str | None = None,
        items: Mapping[str, int] | None = None,
        planner_config: Mapping[str, Any] | None = None,
        **stats: Any,
    ) -> str:
        """Add a character; with a ``planner`` it is an agent that perceives and plans.

        Args:
            name: unique name (letters, digits, ``_``, ``-``).
            at: a map marker or ``(x, y)`` in metres (a walkable tile).
            team: team name (same team, allies).
            planner: registered planner name, or one given in ``planners=``; ``None``
                makes a character that acts only on :meth:`command`.
            role: ``"lead"`` (heads for the objective), ``"companion"`` (follows its
                ``leader``), ``"guard"`` (patrols), or any hint your planner reads.
            leader: the name of the character a companion follows.
            patrol: points ``[(x, y), ...]`` or a string of map markers.
            items: ``{"smoke": 1, "grenade": 1, "medkit": 1, "keys": 1}``.
            planner_config: the agent's planner settings (the scenario's
                ``agent.planner_config`` table, checked by its planner).
            **stats: ``hp``, ``max_hp``, ``armor``, ``speed``, ``ammo``, ``magazine``,
                ``reserve``, ``damage``, ``range``, ``accuracy``, and the agent
                settings ``cadence_ticks``, ``replan_ticks``, ``perception_radius``.

        Returns:
            ``name`` (use it anywhere an entity is expected).

        Raises:
            HarnessError: the world is already built, or the name is taken.

        Example:
            >>> h = IntegrationHarness("#####\\n#...#\\n#####")
            >>> h.spawn_agent("a", (1.5, 1.5), hp=40, cadence_ticks=6)
            'a'
            >>> h.world.get(h.id("a"), Health).hp
            40.0
        """
        spec = self._unbuilt("spawning a character")
        agent_keys: dict[str, Any] = {k: stats.pop(k) for k in AGENT_KEYS if k in stats}
        agent: dict[str, Any] | None = None
        if planner is not None:
            agent = {
                "planner": planner,
                "role": role,
                "leader": leader,
                "patrol": patrol,
                **agent_keys,
            }
            if planner_config:
                agent["planner_config"] = dict(planner_config)
        elif agent_keys or leader is not None or patrol is not None or planner_config:
            raise HarnessError(
                f"{name}: agent settings need a planner",
                name=name,
                hint="pass planner='rule' (or another planner)",
            )
        spec.add_character(name, at, team=team, agent=agent, items=items, **stats)
        return name

    def spawn_enemy(
        self,
        name: str,
        at: str | Sequence[float],
        *,
        team: str = "red",
        planner: str | None = None,
        role: str = "guard",
        **stats: Any,
    ) -> str:
        """Add an enemy: a character of team ``"red"``; without a ``planner`` (the
        default) a target that acts only on :meth:`command`. Arguments as for
        :meth:`spawn_agent`.

        Returns:
            ``name``.

        Raises:
            HarnessError: the world is already built, or the name is taken.
        """
        return self.spawn_agent(name, at, team=team, planner=planner, role=role, **stats)

    def set_goal(
        self,
        who: str,
        at: str | Sequence[float],
        *,
        radius: float = 1.5,
        name: str = "goal",
    ) -> str:
        """Give the mission a goal: an ``objective`` point of interest ``name`` at
        ``at`` and the success predicate "``who`` is up within ``radius`` m of it"
        (an agent with role ``lead`` walks there).

        Returns:
            the goal's name.

        Raises:
            HarnessError: the world is already built.
        """
        spec = self._unbuilt("setting a goal")
        spec.add_poi(name, at, "objective")
        spec.success.append({"type": "within", "entity": who, "poi": name, "radius": float(radius)})
        return name

    def add_failure(self, predicate: Mapping[str, Any]) -> None:
        """Add a failure predicate (``{"type": "down", "entity": "player"}``).

        Raises:
            HarnessError: the world is already built.
        """
        self._unbuilt("adding a failure predicate").failure.append(dict(predicate))

    def add_poi(self, name: str, at: str | Sequence[float], kind: str, **keys: Any) -> str:
        """Add a point of interest (``door``, ``switch``, ``key``, ``terminal``,
        ``objective``; ``locked``, ``open``, ``link`` in ``keys``).

        Raises:
            HarnessError: the world is already built.
        """
        self._unbuilt("adding a point of interest").add_poi(name, at, kind, **keys)
        return name

    def spawn_obstacle(self, rect: Rect, *, kind: str = "wall") -> int:
        """Block the 1 m tiles ``rect`` overlaps with a wall (or low ``"cover"``).

        Before the world is built this paints the map. After, it is a *dynamic*
        obstacle: the tiles change in the world's tile map (paths, sight and the
        sandbox see it at once) and, in a physics world, a static box collider
        appears. Walking agents are not told: in a physics world they bump into it,
        report ``Stuck`` and plan again; kinematic movement walks through walls.

        Args:
            rect: ``(x0, y0, x1, y1)`` in metres.
            kind: ``"wall"`` or ``"cover"``.

        Returns:
            An obstacle id for :meth:`remove_obstacle`.

        Raises:
            HarnessError: bad rectangle or kind, off the map, or a character stands
                on one of its tiles.
        """
        if self._app is None and self._spec is not None:
            self._spec.add_obstacle(rect, kind)
            oid = len(self._obstacles)
            self._obstacles[oid] = _Obstacle(rect_tiles(rect), [], None)
            return oid
        if kind not in _TILE:
            raise HarnessError(f"unknown obstacle kind {kind!r}; use 'wall' or 'cover'", value=kind)
        world = self.world
        tm = world.resource(TileMap)
        tiles = rect_tiles(rect)
        for cx, cy in tiles:
            if not (0 <= cx < tm.width and 0 <= cy < tm.height):
                raise HarnessError(f"obstacle {rect!r} leaves the map", value=rect)
        occupied = {tm.cell_of(*p): n for n, p in self.positions().items()}
        for tile in tiles:
            if tile in occupied:
                raise HarnessError(
                    f"{occupied[tile]} stands on tile {tile} of obstacle {rect!r}",
                    name=occupied[tile],
                    value=rect,
                )
        previous = [tm.kind_at(cx, cy) for cx, cy in tiles]
        for cx, cy in tiles:
            tm.set_kind(cx, cy, _TILE[kind])
        collider = self._collider(world, tiles)
        oid = len(self._obstacles)
        self._obstacles[oid] = _Obstacle(tiles, previous, collider)
        return oid

    @staticmethod
    def _collider(world: World, tiles: list[tuple[int, int]]) -> int | None:
        from astraweave import physics

        if not world.has_resource(physics.PhysicsWorld):
            return None
        x0 = min(cx for cx, _ in tiles)
        x1 = max(cx for cx, _ in tiles) + 1
        y0 = min(cy for _, cy in tiles)
        y1 = max(cy for _, cy in tiles) + 1
        return world.spawn(
            Position((x0 + x1) / 2, (y0 + y1) / 2),
            physics.Collider(
                shape=physics.ShapeKind.BOX,
                width=float(x1 - x0),
                height=float(y1 - y0),
                radius=0.0,
                friction=0.0,
            ),
        )

    def remove_obstacle(self, obstacle: int) -> None:
        """Remove a dynamic obstacle (its tiles get back what they were).

        Raises:
            HarnessError: unknown id, or one painted before the world was built.
        """
        ob = self._obstacles.get(obstacle)
        if ob is None or not ob.previous:
            raise HarnessError(
                f"obstacle {obstacle} is not a dynamic obstacle of this harness",
                value=obstacle,
            )
        tm = self.world.resource(TileMap)
        for (cx, cy), kind in zip(ob.tiles, ob.previous, strict=True):
            tm.set_kind(cx, cy, kind)
        if ob.collider is not None:
            self.world.despawn(ob.collider)
        del self._obstacles[obstacle]

    def command(
        self, who: Who, steps: Sequence[Mapping[str, Any]], *, tick: int | None = None
    ) -> None:
        """Submit a plan for ``who`` at ``tick`` (default: the next tick), through
        the sandbox like any planner's plan (a player command, a scripted input).

        A step's ``target`` may be a name. Before the world is built the plan becomes
        an ``[[inputs]]`` entry of the scenario (default tick 0).

        Args:
            who: the acting entity.
            steps: plan steps, e.g. ``[{"tool": "Attack", "target": "raider"}]``.
            tick: when to submit it.

        Raises:
            HarnessError: a tick in the past, or an unknown name.
        """
        if self._app is None and self._spec is not None:
            if not isinstance(who, str):
                raise HarnessError("before the world is built, name the entity", value=who)
            self._spec.add_input(0 if tick is None else tick, who, steps)
            return
        world = self.world
        at = world.tick if tick is None else int(tick)
        if at < world.tick:
            raise HarnessError(
                f"tick {at} is in the past (the world is at tick {world.tick})", value=at
            )
        resolved = []
        for step in steps:
            s = dict(step)
            if isinstance(s.get("target"), str):
                s["target"] = self.id(s["target"])
            resolved.append(s)
        self._commands += 1
        inbox = world.try_resource(PlanInbox)
        if inbox is None:
            inbox = PlanInbox()
            world.insert_resource(inbox)
        inbox.push(at, self.id(who), {"plan_id": f"command-{self._commands}", "steps": resolved})

    def rename(self, who: Who, text: str) -> None:
        """Change what the entity is called in every snapshot (its ``Label``); the
        scenario name keeps resolving. For adversarial names."""
        self.world.set(self.id(who), Label(text))

    def set_rules(self, **changes: Any) -> None:
        """Change :class:`~astraweave.core.GameRules` fields of the running world
        (``bleedout_s=1.0``).

        Raises:
            HarnessError: a field ``GameRules`` does not have.
        """
        world = self.world
        world.insert_resource(_replace_rules(world.try_resource(GameRules), changes))

    # -------------------------------------------------------------------- running
    def tick(self) -> float:
        """Run one full frame (all seven stages), then the probes.

        Returns:
            The frame's wall time in seconds (the probes not included), for
            benchmarks; tests never assert on it.
        """
        app = self.app
        tick = app.world.tick
        t0 = time.perf_counter()
        app.tick()
        elapsed = time.perf_counter() - t0
        for probe in self.probes:
            probe.after_tick(self, tick)
        return elapsed

    def run(
        self,
        ticks: int,
        *,
        until: Callable[[IntegrationHarness], bool] | None = None,
        stop_on_outcome: bool = False,
    ) -> RunReport:
        """Run up to ``ticks`` full frames.

        Args:
            ticks: the most ticks to run.
            until: stop after the first tick where ``until(harness)`` is true.
            stop_on_outcome: stop once the mission succeeds or fails.

        Returns:
            A :class:`RunReport`.

        Raises:
            Whatever a system raises (with a note naming the system, stage and tick).
        """
        world = self.world
        start = world.tick
        stopped = "ticks"
        for _ in range(int(ticks)):
            self.tick()
            if until is not None and until(self):
                stopped = "until"
                break
            if stop_on_outcome and self.outcome.status != "running":
                stopped = "outcome"
                break
        return RunReport(
            start_tick=start,
            end_tick=world.tick,
            ticks=world.tick - start,
            stopped=stopped,
            final_hash=world.hash(),
            outcome=self.outcome.status,
        )

    def close(self) -> None:
        """Shut the App's thread pool down (planners given in ``planners=`` are the
        caller's to close)."""
        if self._app is not None:
            self._app.close()

    def __enter__(self) -> IntegrationHarness:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ entities
    def id(self, who: Who) -> int:
        """The entity id of ``who`` (a scenario name or an id).

        Raises:
            HarnessError: no entity has that name.
        """
        if isinstance(who, int) and not isinstance(who, bool):
            return who
        names = self.world.resource(Mission).names
        if who not in names:
            raise HarnessError(
                f"no entity named {who!r}; known: {', '.join(sorted(names))}", name=who
            )
        return names[who]

    def name(self, entity: int) -> str:
        """The scenario name of ``entity`` (``"#<id>"`` for unnamed ones)."""
        for n, e in self.world.resource(Mission).names.items():
            if e == entity:
                return n
        return f"#{entity}"

    def characters(self) -> dict[str, int]:
        """Scenario names of the characters (entities with a team) -> ids."""
        world = self.world
        return {
            n: e
            for n, e in sorted(world.resource(Mission).names.items(), key=lambda kv: kv[1])
            if world.is_alive(e) and world.has(e, Team)
        }

    def position(self, who: Who) -> tuple[float, float]:
        """``(x, y)`` of ``who`` in metres.

        Raises:
            HarnessError: unknown name. DeadEntityError: a despawned entity.
        """
        p = self.world.get(self.id(who), Position)
        return (p.x, p.y)

    def positions(self) -> dict[str, tuple[float, float]]:
        """Every character's position, by name."""
        return {n: self.position(e) for n, e in self.characters().items()}

    def hp(self, who: Who) -> float:
        """Hit points of ``who``.

        Raises:
            HarnessError: unknown name. MissingComponentError: not a character.
        """
        return self.world.get(self.id(who), Health).hp

    def life(self, who: Who) -> str:
        """``"up"``, ``"downed"`` or ``"dead"``.

        Raises:
            HarnessError: unknown name. MissingComponentError: not a character.
        """
        st = self.world.get(self.id(who), Status)
        return "dead" if st.dead else "downed" if st.downed else "up"

    def ammo(self, who: Who) -> int:
        """Rounds in the magazine of ``who``.

        Raises:
            HarnessError: unknown name. MissingComponentError: not a character.
        """
        return self.world.get(self.id(who), Ammo).rounds

    def team(self, who: Who) -> int:
        """Team id of ``who`` (scenario teams in order of first appearance: 0, 1, ...).

        Raises:
            HarnessError: unknown name. MissingComponentError: not a character.
        """
        return self.world.get(self.id(who), Team).id

    @property
    def outcome(self) -> Outcome:
        """The mission's outcome."""
        return self.world.try_resource(Outcome) or Outcome()

    def hash(self) -> str:
        """The world hash now."""
        return self.world.hash()

    def snapshot(self) -> bytes:
        """The world's snapshot bytes (restore them with :meth:`restore`)."""
        return self.world.snapshot()

    # ---------------------------------------------------------------- recordings
    @property
    def hashes(self) -> list[str]:
        """The world hash after each tick run by this harness, in order."""
        return list(self.hash_probe.hashes.values())

    def hash_at(self, tick: int) -> str:
        """The world hash recorded after tick ``tick`` ran.

        Raises:
            HarnessError: no hash was recorded for that tick.
        """
        h = self.hash_probe.hashes.get(tick)
        if h is None:
            raise HarnessError(f"no hash recorded for tick {tick}", value=tick)
        return h

    def events(
        self, kind: str | None = None, *, actor: Who | None = None, target: Who | None = None
    ) -> list[GameEvent]:
        """Recorded game events, in order, optionally of one ``kind``, ``actor`` or
        ``target`` (see :class:`~astraweave.core.GameEvent` for the kinds).

        Args:
            kind: ``"shot"``, ``"damaged"``, ``"downed"``, ``"plan_started"``, ...
            actor: the event's actor (the shooter of a shot, the victim of ``downed``).
            target: the event's target.

        Returns:
            The matching events (empty with ``history=False``).

        Raises:
            HarnessError: an unknown name.

        Example:
            >>> h = IntegrationHarness("######\\n#....#\\n######", movement="kinematic")
            >>> h.spawn_agent("a", (1.5, 1.5), planner=None)
            'a'
            >>> h.command("a", [{"tool": "Wait", "seconds": 0.1}])
            >>> _ = h.run(10)
            >>> [(e.tick, e.kind) for e in h.events(actor="a")][:2]
            [(0, 'plan_started'), (0, 'step_started')]
        """
        a = None if actor is None else self.id(actor)
        t = None if target is None else self.id(target)
        return [
            e
            for e in self.event_probe.events
            if (kind is None or e.kind == kind)
            and (a is None or e.actor == a)
            and (t is None or e.target == t)
        ]

    def plans(
        self, agent: Who | None = None, *, planner: str | None = None, outcome: str | None = None
    ) -> list[PlanRecord]:
        """Recorded planning attempts of the AI system, in order.

        Args:
            agent: only this agent's.
            planner: only those of agents with this planner name (the tier that
                answered is ``record.plan.provenance.planner``).
            outcome: ``"accepted"``, ``"kept"``, ``"rejected"`` or ``"no_plan"``.

        Returns:
            :class:`~astraweave.ai.PlanRecord` s (plan, outcome, typed ``errors``).

        Raises:
            HarnessError: an unknown name.
        """
        a = None if agent is None else self.id(agent)
        return [
            r
            for r in self.plan_probe.records
            if (a is None or r.agent == a)
            and (planner is None or r.planner == planner)
            and (outcome is None or r.outcome == outcome)
        ]

    def collisions(self, who: Who | None = None, *, with_map: bool = True) -> list[CollisionRecord]:
        """Recorded physics collisions that began, in order.

        Args:
            who: only those involving this entity.
            with_map: include contacts with the static map (entity ``-1``).

        Returns:
            :class:`~astraweave.testing.CollisionRecord` s (tick, a, b, point,
            normal); empty in a kinematic world.

        Raises:
            HarnessError: an unknown name.
        """
        e = None if who is None else self.id(who)
        return [
            c
            for c in self.collision_probe.records
            if (e is None or c.involves(e)) and (with_map or c.a >= 0)
        ]

    def collision_count(self, who: Who | None = None, *, with_map: bool = True) -> int:
        """How many recorded collisions involve ``who`` (every one when ``None``).

        Raises:
            HarnessError: an unknown name.
        """
        if who is None and with_map:
            return self.collision_probe.total
        return len(self.collisions(who, with_map=with_map))

    def animations(
        self, who: Who | None = None, *, clip: str | None = None
    ) -> list[AnimationTrigger]:
        """Recorded animation triggers (see :class:`~astraweave.testing.AnimationProbe`),
        optionally of one entity or clip.

        Raises:
            HarnessError: an unknown name.
        """
        e = None if who is None else self.id(who)
        return [
            t
            for t in self.animation_probe.triggers
            if (e is None or t.entity == e) and (clip is None or t.clip == clip)
        ]

    def report(self) -> dict[str, Any]:
        """Every probe's summary, by probe name, plus the tick and outcome."""
        out: dict[str, Any] = {"tick": self.world.tick, "outcome": self.outcome.status}
        for probe in self.probes:
            out[probe.name] = probe.report()
        return out
