"""The crowd in the ECS: components, systems, the tick report and ``crowd_plugin``.

A crowd agent is an entity with core's game components (``Position``, ``Velocity``,
``Team``, ``Health``, ``Ammo``, ``Weapon``, ``Mover``, ``Cooldowns``) plus
:class:`CrowdAgent` (its current action). The per-agent sandbox reads the very same
components, so a crowd agent's action can be checked by ``core.validate`` as well.
All crowd agents must share one archetype (do not add components to a few of them).

Systems, by stage (each one numpy pass over the whole crowd, no loop over agents):

=================  ===================  ============================================
stage              system               what
=================  ===================  ============================================
PERCEPTION         ``crowd.perceive``   buckets, representatives, perceived enemies
PERCEPTION         ``crowd.density``    agents per tile (separation), in parallel
SIMULATION         ``crowd.cooldowns``  decay of the attack cooldown slot
AI_PLANNING        ``crowd.plan``       choice of actions and vectorised validation
AI_PLANNING        ``crowd.attack``     valid attacks: hit chance, damage, ammo, cooldown
PHYSICS            ``crowd.move``       steering, separation, wall sliding
POST_SIMULATION    ``crowd.reap``       dead agents despawned, one CrowdTickReport
=================  ===================  ============================================

Crowd agents have no ``Status``: one at 0 hp dies at once (no downed phase) and is
despawned in the same tick's POST_SIMULATION. Rejected actions do nothing (the agent
waits) and are counted by reason in the :class:`CrowdTickReport` event, the one event
the crowd sends per tick.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from astraweave.ai._crowd_move import DensityField, move_agents
from astraweave.ai._crowd_planner import CrowdActions, CrowdConfig, CrowdPlanner, CrowdState
from astraweave.ai._crowd_rules import CrowdAction, CrowdReject, CrowdRules
from astraweave.ai._crowd_spatial import Perception
from astraweave.core._components import Ammo, Cooldowns, Health, Mover, Smoke, Team, Weapon
from astraweave.core._map import TileMap
from astraweave.ecs import App, Chunk, Position, Stage, Velocity, World, columns, component
from astraweave.errors import PlannerError

__all__ = [
    "CrowdAgent",
    "CrowdRuntime",
    "CrowdTickReport",
    "crowd_plugin",
    "crowd_state",
    "spawn_crowd",
]

Arr = npt.NDArray[Any]

SINGLE_DESPAWN_RATIO = 128
"""Despawn one by one (swap-remove, O(deaths)) while deaths x this < agents; else
compact the table once (O(agents))."""


@component
class CrowdAgent:
    """Marks a crowd agent and holds the action it took this tick.

    ``action`` is a :class:`CrowdAction` code, ``target`` the entity it attacks
    (-1), ``dest_x``/``dest_y`` where it walks (m).
    """

    action: np.int8 = np.int8(0)
    target: int = -1
    dest_x: float = 0.0
    dest_y: float = 0.0


@dataclass(frozen=True)
class CrowdTickReport:
    """What the crowd did in one tick (one event per tick, not one per agent).

    Attributes:
        tick: the tick.
        alive: agents alive per team after the deaths of this tick.
        deaths: agents that died this tick, per team.
        attacks: valid attacks (shots fired); ``hits`` of them hit, for ``damage`` hp.
        moves, retreats, waits: valid actions of each kind.
        rejected: actions the validation rejected, as ``(reason name, count)`` pairs.
    """

    tick: int
    alive: tuple[int, ...]
    deaths: tuple[int, ...]
    attacks: int
    hits: int
    damage: float
    moves: int
    retreats: int
    waits: int
    rejected: tuple[tuple[str, int], ...] = ()

    @property
    def rejected_total(self) -> int:
        """Rejected actions, all reasons together."""
        return sum(c for _, c in self.rejected)


@dataclass(eq=False)
class CrowdRuntime:
    """The crowd's per-world working state (a resource; not part of the world hash:
    everything in it is recomputed each tick from components)."""

    config: CrowdConfig
    rules: CrowdRules | None = None
    planner: CrowdPlanner | None = None
    density: DensityField | None = None
    perception: Perception | None = None
    actions: CrowdActions | None = None
    counters: dict[str, Any] = field(default_factory=dict)

    def ensure(self, world: World) -> CrowdPlanner:
        """The planner for ``world``'s tile map (built on first use, rebuilt when the
        tiles change).

        Raises:
            MissingResourceError: the world has no ``TileMap``.
        """
        tm = world.resource(TileMap)
        if self.planner is None:
            rules = self.rules if self.rules is not None else _rules_of(world)
            self.planner = CrowdPlanner(tm, rules, self.config)
            self.density = DensityField(tm.walkable, wall_density=self.config.wall_density)
        elif self.planner.refresh_map(tm):
            self.density = DensityField(tm.walkable, wall_density=self.config.wall_density)
        return self.planner


def _rules_of(world: World) -> CrowdRules:
    from astraweave.core._rules import GameRules
    from astraweave.core._sandbox import registry_of

    return CrowdRules.from_registry(registry_of(world), world.try_resource(GameRules))


# ----------------------------------------------------------------------- spawning
def spawn_crowd(
    world: World,
    x: npt.ArrayLike,
    y: npt.ArrayLike,
    team: npt.ArrayLike,
    *,
    health: Health | None = None,
    ammo: Ammo | None = None,
    weapon: Weapon | None = None,
    mover: Mover | None = None,
) -> npt.NDArray[np.int64]:
    """Spawn crowd agents at ``(x, y)`` with teams ``team`` (one value or one per agent).

    Args:
        world: the world (outside a running system).
        x, y: positions in metres (one per agent); they should be walkable tiles.
        team: team ids.
        health, ammo, weapon, mover: component values every agent starts with
            (default: core's defaults).

    Returns:
        The new entity ids.

    Raises:
        PlannerError: lengths differ.

    Example:
        >>> from astraweave.ecs import World
        >>> world = World(seed=1)
        >>> ids = spawn_crowd(world, [1.5, 2.5], [1.5, 1.5], [0, 1])
        >>> world.get(int(ids[1]), Team).id
        1
    """
    xs = np.asarray(x, dtype=np.float64)
    ys = np.asarray(y, dtype=np.float64)
    n = len(xs)
    teams = np.broadcast_to(np.asarray(team, dtype=np.int64), (n,))
    if ys.shape != (n,):
        raise PlannerError(f"spawn_crowd: {n} x values but y has shape {ys.shape}")
    return world.spawn_batch(
        n,
        columns(Position, x=xs, y=ys),
        Velocity(),
        columns(Team, id=np.array(teams)),
        health if health is not None else Health(),
        ammo if ammo is not None else Ammo(),
        weapon if weapon is not None else Weapon(),
        mover if mover is not None else Mover(),
        Cooldowns(),
        columns(CrowdAgent, dest_x=xs, dest_y=ys),
    )


# -------------------------------------------------------------------------- state
def _chunk(world: World) -> Chunk | None:
    chunks = world.query(CrowdAgent, Position, Team, Health, Ammo, Weapon, Mover, Cooldowns)
    found = chunks.chunks()
    if len(found) > 1:
        raise PlannerError(
            f"crowd agents are spread over {len(found)} archetypes; the crowd needs them "
            "in one table",
            planner="crowd",
            hint="give every crowd agent the same set of components",
        )
    return found[0] if found else None


def crowd_state(chunk: Chunk, rules: CrowdRules) -> CrowdState:
    """The :class:`CrowdState` of a crowd chunk: views of its columns, no copies
    (the cooldown column is the attack slot of ``Cooldowns``)."""
    pos, hp = chunk[Position], chunk[Health]
    return CrowdState(
        x=pos.x,
        y=pos.y,
        team=chunk[Team].id,
        entity=chunk.entities,
        hp=hp.hp,
        max_hp=hp.max_hp,
        ammo=chunk[Ammo].rounds,
        cooldown_s=chunk[Cooldowns].remaining_s[:, rules.attack_slot],
        range_m=chunk[Weapon].range_m,
        speed_mps=chunk[Mover].speed_mps,
    )


def _runtime(world: World) -> CrowdRuntime:
    return world.resource(CrowdRuntime)


def _smoke(world: World) -> tuple[Arr, Arr] | None:
    cs: list[Arr] = []
    rs: list[Arr] = []
    for c in world.query(Smoke, Position):
        cs.append(np.stack([c[Position].x, c[Position].y], axis=1))
        rs.append(c[Smoke].radius_m.copy())
    if not cs:
        return None
    return np.concatenate(cs), np.concatenate(rs)


# ------------------------------------------------------------------------ systems
def prepare_system(world: World) -> None:
    """PRE_SIMULATION: build the planner on the first tick; follow map changes."""
    _runtime(world).ensure(world)


def _planner(rt: CrowdRuntime) -> CrowdPlanner:
    if rt.planner is None:
        raise PlannerError(
            "the crowd planner is not built yet", planner="crowd", hint="add crowd_plugin"
        )
    return rt.planner


def perceive_system(world: World) -> None:
    """PERCEPTION: each agent's perceived enemy and far goal."""
    rt = _runtime(world)
    planner = _planner(rt)
    chunk = _chunk(world)
    if chunk is None:
        rt.perception = None
        return
    rt.perception = planner.grid.perceive(chunk[Position].x, chunk[Position].y, chunk[Team].id)


def density_system(world: World) -> None:
    """PERCEPTION: agents per tile, for separation (runs beside ``perceive``)."""
    rt = _runtime(world)
    chunk = _chunk(world)
    if chunk is None or rt.density is None:
        return
    rt.density.update(chunk[Position].x, chunk[Position].y)


def cooldown_system(world: World) -> None:
    """SIMULATION: the attack cooldown of every crowd agent decays by ``dt``."""
    rt = _runtime(world)
    if not rt.config.decay_cooldowns:
        return
    planner = _planner(rt)
    chunk = _chunk(world)
    if chunk is None:
        return
    slot = chunk[Cooldowns].remaining_s[:, planner.rules.attack_slot]
    left = slot - world.dt
    np.maximum(left, 0.0, out=left)
    slot[:] = left


def plan_system(world: World) -> None:
    """AI_PLANNING: choose and validate one action per agent; store it in CrowdAgent."""
    rt = _runtime(world)
    planner = _planner(rt)
    chunk = _chunk(world)
    if chunk is None or rt.perception is None or len(rt.perception.enemy_row) != len(chunk):
        rt.actions = None
        return
    state = crowd_state(chunk, planner.rules)
    acts = planner.plan(state, smoke=_smoke(world), perception=rt.perception)
    # a rejected action does nothing: the agent waits where it stands
    bad = ~acts.valid
    if bad.any():
        acts.code[bad] = CrowdAction.WAIT
        acts.target_row[bad] = -1
        acts.target[bad] = -1
        acts.dest_x[bad] = state.x[bad]
        acts.dest_y[bad] = state.y[bad]
    agent = chunk[CrowdAgent]
    agent.action[:] = acts.code
    agent.target[:] = acts.target
    agent.dest_x[:] = acts.dest_x
    agent.dest_y[:] = acts.dest_y
    rt.actions = acts
    rt.counters = {
        "codes": np.bincount(acts.code, minlength=len(CrowdAction)),
        "rejected": np.bincount(acts.reason, minlength=len(CrowdReject)),
        "hits": 0,
        "damage": 0.0,
    }


def attack_system(world: World) -> None:
    """AI_PLANNING: resolve every valid attack at once (core's shot rules).

    Hit chance ``accuracy x (1 - cover) x (1 - falloff x d / range)`` clamped to
    ``[0.02, 0.98]``, one draw of the world RNG per shot in row order; damage
    ``weapon.damage x (1 - armor)``; hp never below 0; each shooter pays the attack's
    ammo and its cooldown starts. All shots of a tick see the state before any of them
    (simultaneous fire).
    """
    rt = _runtime(world)
    planner = _planner(rt)
    chunk = _chunk(world)
    acts = rt.actions
    if chunk is None or acts is None or len(acts) != len(chunk):
        return
    rules = planner.rules
    shooters = np.flatnonzero(acts.code == CrowdAction.ATTACK)
    if len(shooters) == 0:
        return
    targets = acts.target_row[shooters].astype(np.intp)
    pos, weapon, health = chunk[Position], chunk[Weapon], chunk[Health]
    ax, ay = pos.x[shooters], pos.y[shooters]
    bx, by = pos.x[targets], pos.y[targets]
    d = np.hypot(ax - bx, ay - by)
    p = np.minimum(weapon.accuracy[shooters], 0.98)
    p *= 1.0 - np.minimum(planner.map.cover_against(bx, by, ax, ay), 0.9)
    p *= np.maximum(0.0, 1.0 - rules.range_falloff * d / np.maximum(weapon.range_m[shooters], 1e-9))
    np.clip(p, 0.02, 0.98, out=p)
    hit = world.rng.random(len(shooters)) < p
    armor = np.clip(health.armor[targets], 0.0, 0.9)
    dealt = np.where(hit, np.maximum(weapon.damage[shooters], 0.0) * (1.0 - armor), 0.0)
    total = np.bincount(targets, weights=dealt, minlength=len(chunk))
    hp = health.hp
    lost = np.minimum(total, np.maximum(hp, 0.0))
    hp -= lost
    chunk[Ammo].rounds[shooters] -= rules.attack_ammo
    slot = chunk[Cooldowns].remaining_s[:, rules.attack_slot]
    slot[shooters] = rules.attack_cooldown_s
    rt.counters["hits"] = int(hit.sum())
    rt.counters["damage"] = float(lost.sum())


def move_system(world: World) -> None:
    """PHYSICS: steer towards destinations, separate, slide along walls."""
    rt = _runtime(world)
    planner = _planner(rt)
    chunk = _chunk(world)
    field_ = rt.density
    if chunk is None or field_ is None:
        return
    agent, pos = chunk[CrowdAgent], chunk[Position]
    x, y = pos.x, pos.y
    speed = chunk[Mover].speed_mps
    walking = (agent.action == CrowdAction.MOVE) | (agent.action == CrowdAction.RETREAT)
    dx = agent.dest_x - x
    dy = agent.dest_y - y
    dist = np.sqrt(dx * dx + dy * dy)
    dt = world.dt
    # full speed towards the destination; slow down to land on it in one step
    gain = np.where(
        walking & (dist > 1e-9), np.minimum(speed, dist / dt) / np.maximum(dist, 1e-9), 0.0
    )
    want_x = (dx * gain).astype(np.float32)
    want_y = (dy * gain).astype(np.float32)
    push_x, push_y = field_.push(x, y, rt.config.separation_mps)
    max_speed = float(np.max(speed)) * rt.config.max_speed_factor if len(speed) else 0.0
    vx, vy = move_agents(
        x,
        y,
        want_x,
        want_y,
        push_x,
        push_y,
        planner.map.walk_flat,
        planner.map.row,
        max_speed_mps=max_speed,
        dt=dt,
    )
    vel = chunk[Velocity]
    vel.x[:] = vx
    vel.y[:] = vy


def reap_system(world: World) -> None:
    """POST_SIMULATION: despawn agents at 0 hp; send this tick's CrowdTickReport."""
    rt = _runtime(world)
    chunk = _chunk(world)
    k = rt.config.teams
    if chunk is None:
        world.send(CrowdTickReport(world.tick, (0,) * k, (0,) * k, 0, 0, 0.0, 0, 0, 0))
        return
    hp = chunk[Health].hp
    team = chunk[Team].id
    dead_rows = np.flatnonzero(hp <= 0)
    deaths = np.bincount(team[dead_rows], minlength=k)[:k]
    alive = np.bincount(team, minlength=k)[:k] - deaths
    if len(dead_rows):
        ids = chunk.entities[dead_rows]
        cmd = world.commands()
        if len(dead_rows) * SINGLE_DESPAWN_RATIO < len(chunk):
            for e in ids[::-1].tolist():  # descending rows: swap-removes stay cheap
                cmd.despawn(e)
        else:
            cmd.despawn_batch(ids.copy())
    c = rt.counters
    codes = c.get("codes", np.zeros(len(CrowdAction), dtype=np.int64))
    rejected = c.get("rejected", np.zeros(len(CrowdReject), dtype=np.int64))
    world.send(
        CrowdTickReport(
            tick=world.tick,
            alive=tuple(int(v) for v in alive),
            deaths=tuple(int(v) for v in deaths),
            attacks=int(codes[CrowdAction.ATTACK]),
            hits=int(c.get("hits", 0)),
            damage=round(float(c.get("damage", 0.0)), 6),
            moves=int(codes[CrowdAction.MOVE]),
            retreats=int(codes[CrowdAction.RETREAT]),
            waits=int(codes[CrowdAction.WAIT]),
            rejected=tuple(
                (CrowdReject(i).name.lower(), int(v))
                for i, v in enumerate(rejected.tolist())
                if i and v
            ),
        )
    )
    rt.counters = {}


# ------------------------------------------------------------------------ plugin
def crowd_plugin(
    app: App, config: CrowdConfig | None = None, rules: CrowdRules | None = None
) -> None:
    """Register the crowd's systems and its :class:`CrowdRuntime` resource.

    Args:
        app: the App; its world needs a core ``TileMap`` resource by the first tick.
        config: tuning (default :class:`CrowdConfig`).
        rules: rule parameters (default: from the world's tool registry and
            ``GameRules`` at the first tick).

    Raises:
        PlannerError: the crowd plugin is already registered on this App's world.

    Example:
        >>> from astraweave.ecs import App
        >>> from astraweave.core import TileMap
        >>> app = App(seed=3)
        >>> app.world.insert_resource(TileMap.from_ascii("........\\n........"))
        >>> app.add_plugin(crowd_plugin)  # doctest: +ELLIPSIS
        <astraweave.ecs._app.App object at ...>
        >>> _ = spawn_crowd(app.world, [0.5, 6.5], [0.5, 0.5], [0, 1])
        >>> app.run(3)
        >>> app.world.read_events(CrowdTickReport)[-1].alive
        (1, 1)
    """
    if app.world.has_resource(CrowdRuntime):
        raise PlannerError(
            "the crowd plugin is already registered on this world",
            planner="crowd",
            hint="add it with app.add_plugin(crowd_plugin, ...) once",
        )
    cfg = config if config is not None else CrowdConfig()
    app.world.insert_resource(CrowdRuntime(cfg, rules))
    base = [CrowdAgent, Position, Team]
    app.add_system(
        prepare_system,
        stage=Stage.PRE_SIMULATION,
        reads=[TileMap],
        writes=["crowd.runtime"],
        name="crowd.prepare",
    )
    app.add_system(
        perceive_system,
        stage=Stage.PERCEPTION,
        reads=[*base, TileMap],
        writes=["crowd.perception"],
        name="crowd.perceive",
    )
    app.add_system(
        density_system,
        stage=Stage.PERCEPTION,
        reads=[CrowdAgent, Position, TileMap],
        writes=["crowd.density"],
        name="crowd.density",
    )
    app.add_system(
        cooldown_system,
        stage=Stage.SIMULATION,
        reads=[CrowdAgent],
        writes=[Cooldowns],
        name="crowd.cooldowns",
    )
    app.add_system(
        plan_system,
        stage=Stage.AI_PLANNING,
        reads=[Position, Team, Health, Ammo, Weapon, Mover, Cooldowns, Smoke, TileMap]
        + ["crowd.perception"],
        writes=[CrowdAgent, "crowd.actions", "crowd.counters"],
        name="crowd.plan",
    )
    app.add_system(
        attack_system,
        stage=Stage.AI_PLANNING,
        reads=[Position, Weapon, "crowd.actions"],
        writes=[Health, Ammo, Cooldowns, "rng", "crowd.counters"],
        after=["crowd.plan"],
        name="crowd.attack",
    )
    app.add_system(
        move_system,
        stage=Stage.PHYSICS,
        reads=[CrowdAgent, Mover, TileMap, "crowd.density"],
        writes=[Position, Velocity],
        name="crowd.move",
    )
    app.add_system(
        reap_system,
        stage=Stage.POST_SIMULATION,
        reads=[CrowdAgent, Health, Team, "crowd.counters"],
        writes=["crowd.report"],
        name="crowd.reap",
    )
