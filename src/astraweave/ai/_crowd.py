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

Crowd agents have no ``Status``: one at 0 hp is dead at once (no downed phase): it
stops acting and is no longer perceived, and its entity is despawned, with every other
dead agent, in one batch every ``CrowdConfig.reap_every_ticks`` ticks. Rejected
actions do nothing (the agent waits) and are counted by reason in the
:class:`CrowdTickReport` event, the one event the crowd sends per tick.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from astraweave.ai._crowd_rules import CrowdAction, CrowdRules
from astraweave.ai._crowd_state import CrowdConfig
from astraweave.ai._crowd_systems import (
    SINGLE_DESPAWN_RATIO,
    CrowdAgent,
    CrowdRuntime,
    attack_system,
    cooldown_system,
    crowd_chunk,
    density_system,
    elect_system,
    move_shard_system,
    move_system,
    perceive_system,
    plan_shard_system,
    plan_system,
    prepare_system,
    targets_system,
)
from astraweave.core import Ammo, Cooldowns, Health, Mover, Smoke, Team, TileMap, Weapon
from astraweave.ecs import App, Position, Stage, Velocity, World, columns
from astraweave.errors import PlannerError

__all__ = ["CrowdTickReport", "crowd_plugin", "reap_system", "spawn_crowd"]


@dataclass(frozen=True)
class CrowdTickReport:
    """What the crowd did in one tick (one event per tick, not one per agent).

    Attributes:
        tick: the tick.
        alive: agents alive (hp above 0) per team after this tick's shots.
        deaths: agents whose hp reached 0 this tick, per team.
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


def reap_system(world: World) -> None:
    """POST_SIMULATION: count this tick's deaths, remove the dead every
    ``reap_every_ticks`` ticks, and send this tick's :class:`CrowdTickReport`.

    An agent whose hp reached 0 is dead at once: it no longer acts, moves, or is
    perceived (so no crowd agent targets it). Its entity stays until the next reaping
    tick, which despawns all the dead in one batch: one pass over the table instead of
    one swap-remove per death.
    """
    rt = world.resource(CrowdRuntime)
    chunk = crowd_chunk(world)
    k = rt.config.teams
    if chunk is None:
        rt.corpses = (0,) * k
        world.send(CrowdTickReport(world.tick, (0,) * k, (0,) * k, 0, 0, 0.0, 0, 0, 0))
        return
    hp = chunk[Health].hp
    team = chunk[Team].id
    dead_rows = np.flatnonzero(hp <= 0)
    dead = np.bincount(team[dead_rows], minlength=k)[:k]
    deaths = np.maximum(dead - np.array(rt.corpses[:k] + (0,) * (k - len(rt.corpses))), 0)
    alive = np.array([np.count_nonzero(team == t) for t in range(k)]) - dead
    rt.corpses = tuple(int(v) for v in dead)
    if len(dead_rows) and (world.tick + 1) % rt.config.reap_every_ticks == 0:
        ids = chunk.entities[dead_rows]
        cmd = world.commands()
        if len(dead_rows) * SINGLE_DESPAWN_RATIO < len(chunk):
            for e in ids[::-1].tolist():  # descending rows: swap-removes stay cheap
                cmd.despawn(e)
        else:
            cmd.despawn_batch(ids.copy())
        rt.corpses = (0,) * k
    c = rt.frame.counters
    codes = c.get("codes", [0] * len(CrowdAction))
    rejected: dict[str, int] = c.get("rejected", {})
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
            rejected=tuple(sorted(rejected.items())),
        )
    )


# ------------------------------------------------------------------------ plugin
_STATE = (Position, Team, Health, Ammo, Weapon, Mover, Cooldowns)


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
    shards = cfg.shards if cfg.shards is not None else app.threads
    app.world.insert_resource(CrowdRuntime(cfg, rules, shards))
    targets = [f"crowd.targets.{i}" for i in range(shards)]
    plans = [f"crowd.plan.{i}" for i in range(shards)]
    moves = [f"crowd.move.{i}" for i in range(shards)]
    add = app.add_system
    add(
        prepare_system,
        stage=Stage.PRE_SIMULATION,
        reads=[TileMap],
        writes=["crowd.frame"],
        name="crowd.prepare",
    )
    # PERCEPTION: elect -> targets shards -> perceive (join); density and cooldowns beside
    perception = Stage.PERCEPTION
    add(
        elect_system,
        stage=perception,
        reads=[CrowdAgent, Position, Team, TileMap],
        writes=["crowd.reps"],
        name="crowd.elect",
    )
    add(
        cooldown_system,
        stage=perception,
        reads=[CrowdAgent],
        writes=[Cooldowns, "crowd.cool"],
        name="crowd.cooldowns",
    )
    for i, name in enumerate(targets):
        add(
            targets_system(i),
            stage=perception,
            reads=["crowd.reps"],
            writes=[name],
            after=["crowd.elect"],
            name=name,
        )
    add(
        density_system,
        stage=perception,
        reads=[CrowdAgent, Position, TileMap],
        writes=["crowd.density"],
        name="crowd.density",
    )
    add(
        perceive_system,
        stage=perception,
        reads=["crowd.reps", Smoke, Position, *targets],
        writes=["crowd.perception"],
        after=targets,
        name="crowd.perceive",
    )
    # AI_PLANNING: plan shards -> plan (join, writes CrowdAgent) -> attack
    state = [CrowdAgent, *_STATE, "crowd.perception", "crowd.cool"]
    for i, name in enumerate(plans):
        add(plan_shard_system(i), stage=Stage.AI_PLANNING, reads=state, writes=[name], name=name)
    add(
        plan_system,
        stage=Stage.AI_PLANNING,
        reads=[*_STATE, Smoke, "crowd.perception", *plans],
        writes=[CrowdAgent, "crowd.actions", "crowd.counters"],
        after=plans,
        name="crowd.plan",
    )
    add(
        attack_system,
        stage=Stage.AI_PLANNING,
        reads=[Position, Weapon, "crowd.actions"],
        writes=[Health, Ammo, Cooldowns, "rng", "crowd.counters"],
        after=["crowd.plan"],
        name="crowd.attack",
    )
    # PHYSICS: move shards -> move (join, writes Position and Velocity)
    motion = [CrowdAgent, Position, Mover, TileMap, "crowd.density", "crowd.actions"]
    for i, name in enumerate(moves):
        add(move_shard_system(i), stage=Stage.PHYSICS, reads=motion, writes=[name], name=name)
    add(
        move_system,
        stage=Stage.PHYSICS,
        reads=[CrowdAgent, Mover, TileMap, "crowd.density", "crowd.actions", *moves],
        writes=[Position, Velocity],
        after=moves,
        name="crowd.move",
    )
    add(
        reap_system,
        stage=Stage.POST_SIMULATION,
        reads=[CrowdAgent, Health, Team, "crowd.counters"],
        writes=["crowd.report"],
        name="crowd.reap",
    )
