"""The crowd's ECS systems and their per-world working state (:class:`CrowdRuntime`).

Each system is one numpy pass over the crowd's archetype table (no loop over agents).
The heavy passes are split into *shards* (row ranges, or bucket ranges for the
perception) run by separate systems, so that ``App(threads=2)`` runs them at the same
time; the result does not depend on the split (every row is computed the same way,
and only integer reductions are combined). Shards write only crowd-owned buffers (in
a :class:`CrowdFrame`) and declare exactly that; one *join* system per stage, which
declares the component writes, copies the buffers into the components. So the
scheduler's conflict rules hold for every other system.

Work handed from one stage to a later one is kept with the entity ids of the rows it
belongs to; a system that finds the table's rows changed in between (another system
spawned or despawned crowd agents at a sync point) recomputes instead of reading
misaligned rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from astraweave.ai._crowd_move import DensityField, move_agents, steer
from astraweave.ai._crowd_planner import CrowdPlanner
from astraweave.ai._crowd_rules import CrowdAction, CrowdReject, CrowdRules
from astraweave.ai._crowd_spatial import Perception
from astraweave.ai._crowd_state import CrowdActions, CrowdConfig, CrowdState
from astraweave.core import (
    Ammo,
    Cooldowns,
    GameRules,
    Health,
    Mover,
    Smoke,
    Team,
    TileMap,
    Weapon,
    registry_of,
)
from astraweave.ecs import Chunk, Position, Velocity, World, component
from astraweave.errors import PlannerError

__all__ = [
    "CrowdAgent",
    "CrowdFrame",
    "CrowdRuntime",
    "crowd_chunk",
    "crowd_state",
]

Arr = npt.NDArray[Any]
I64 = npt.NDArray[np.int64]
F32 = npt.NDArray[np.float32]
F64 = npt.NDArray[np.float64]

SINGLE_DESPAWN_RATIO = 128
"""Despawn one by one (swap-remove, cost per death) while deaths x this < agents;
otherwise compact the table once (cost per agent)."""


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


def shard_rows(n: int, shards: int, i: int) -> tuple[int, int]:
    """Rows ``lo:hi`` of shard ``i`` of ``shards`` over ``n`` rows."""
    return n * i // shards, n * (i + 1) // shards


@dataclass(eq=False)
class CrowdFrame:
    """One tick's hand-over buffers between crowd systems (row-aligned)."""

    entities: I64 = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    keys: tuple[Arr, Arr, Arr] | None = None
    perception: Perception | None = None
    cooldown: F64 | None = None
    cooldown_entities: I64 | None = None
    actions: CrowdActions | None = None
    smoke: tuple[Arr, Arr] | None = None
    planned: list[bool] = field(default_factory=list)
    move: tuple[F64, F64, F32, F32] | None = None
    moved: list[bool] = field(default_factory=list)
    counters: dict[str, Any] = field(default_factory=dict)

    def rows_match(self, chunk: Chunk, ids: I64 | None = None, lo: int = 0, hi: int = -1) -> bool:
        """True when ``chunk`` still holds the recorded rows (``ids``, default
        :attr:`entities`), in the same order, over ``lo:hi`` (default all)."""
        ref = self.entities if ids is None else ids
        ent = chunk.entities
        if len(ref) != len(ent):
            return False
        end = len(ent) if hi < 0 else hi
        return bool(np.array_equal(ref[lo:end], ent[lo:end]))


@dataclass(eq=False)
class CrowdRuntime:
    """The crowd's per-world working state (a resource). It is not part of the world
    hash: everything in it is derived from components each tick, except the far goals
    (positions refreshed every ``far_every_ticks`` ticks, saved with snapshots)."""

    config: CrowdConfig
    rules: CrowdRules | None = None
    shards: int = 1
    planner: CrowdPlanner | None = None
    density: DensityField | None = None
    frame: CrowdFrame = field(default_factory=CrowdFrame)
    _far: tuple[Arr, Arr, Arr, bool] | None = None
    _acts: CrowdActions | None = None
    _move: tuple[F64, F64, F32, F32] | None = None
    corpses: tuple[int, ...] = ()

    def action_buffers(self, n: int) -> CrowdActions:
        """Reused per-tick action buffers for ``n`` agents (no allocation per tick)."""
        if self._acts is None or len(self._acts) < n:
            self._acts = CrowdActions.empty(max(n, len(self._acts or ()) * 5 // 4))
        a = self._acts
        return CrowdActions(
            a.code[:n],
            a.target_row[:n],
            a.target[:n],
            a.dest_x[:n],
            a.dest_y[:n],
            a.valid[:n],
            a.reason[:n],
        )

    def move_buffers(self, n: int) -> tuple[F64, F64, F32, F32]:
        """Reused per-tick movement buffers (new x, y, vx, vy) for ``n`` agents."""
        if self._move is None or len(self._move[0]) < n:
            cap = max(n, (len(self._move[0]) if self._move else 0) * 5 // 4)
            self._move = (
                np.empty(cap, dtype=np.float64),
                np.empty(cap, dtype=np.float64),
                np.empty(cap, dtype=np.float32),
                np.empty(cap, dtype=np.float32),
            )
        x, y, vx, vy = self._move
        return x[:n], y[:n], vx[:n], vy[:n]

    def __getstate__(self) -> dict[str, Any]:
        # a snapshot keeps the settings and the one piece of state that crosses ticks
        # (the far goals); the planner's arrays are rebuilt from the TileMap on restore
        far = None
        if self.planner is not None:
            g = self.planner.grid
            far = (g.far_x.copy(), g.far_y.copy(), g.far_ok.copy(), g.far_fresh)
        return {
            "config": self.config,
            "rules": self.planner.rules if self.planner is not None else self.rules,
            "shards": self.shards,
            "far": far,
            "corpses": self.corpses,
        }

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.config = state["config"]
        self.rules = state["rules"]
        self.shards = state["shards"]
        self.planner = None
        self.density = None
        self.frame = CrowdFrame()
        self._far = state["far"]
        self._acts = None
        self._move = None
        self.corpses = state["corpses"]

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
            if self._far is not None:
                g = self.planner.grid
                g.far_x[:], g.far_y[:], g.far_ok[:], g.far_fresh = self._far
                self._far = None
        elif self.planner.refresh_map(tm):
            self.density = DensityField(tm.walkable, wall_density=self.config.wall_density)
        return self.planner

    def built(self) -> tuple[CrowdPlanner, DensityField]:
        """The planner and density field.

        Raises:
            PlannerError: the crowd's PRE_SIMULATION system has not run yet.
        """
        if self.planner is None or self.density is None:
            raise PlannerError(
                "the crowd planner is not built yet",
                planner="crowd",
                hint="add crowd_plugin and run a tick (or call CrowdRuntime.ensure)",
            )
        return self.planner, self.density


def _rules_of(world: World) -> CrowdRules:
    return CrowdRules.from_registry(registry_of(world), world.try_resource(GameRules))


def crowd_chunk(world: World) -> Chunk | None:
    """The archetype chunk holding every crowd agent, or ``None`` when there are none.

    Raises:
        PlannerError: crowd agents are spread over several archetypes.
    """
    found = world.query(CrowdAgent, Position, Team, Health, Ammo, Weapon, Mover, Cooldowns)
    chunks = found.chunks()
    if len(chunks) > 1:
        raise PlannerError(
            f"crowd agents are spread over {len(chunks)} archetypes; the crowd needs them "
            "in one table",
            planner="crowd",
            hint="give every crowd agent the same set of components",
        )
    return chunks[0] if chunks else None


def crowd_state(chunk: Chunk, rules: CrowdRules, cooldown: Arr | None = None) -> CrowdState:
    """The :class:`CrowdState` of a crowd chunk: views of its columns, no copies.

    Args:
        chunk: the crowd's chunk.
        rules: for the attack tool's cooldown slot.
        cooldown: a contiguous copy of that slot (default: a strided view of it).
    """
    pos, hp = chunk[Position], chunk[Health]
    cd = chunk[Cooldowns].remaining_s[:, rules.attack_slot] if cooldown is None else cooldown
    return CrowdState(
        x=pos.x,
        y=pos.y,
        team=chunk[Team].id,
        entity=chunk.entities,
        hp=hp.hp,
        max_hp=hp.max_hp,
        ammo=chunk[Ammo].rounds,
        cooldown_s=cd,
        range_m=chunk[Weapon].range_m,
        speed_mps=chunk[Mover].speed_mps,
    )


def _smoke(world: World) -> tuple[Arr, Arr] | None:
    cs: list[Arr] = []
    rs: list[Arr] = []
    for c in world.query(Smoke, Position):
        cs.append(np.stack([c[Position].x, c[Position].y], axis=1))
        rs.append(c[Smoke].radius_m.copy())
    if not cs:
        return None
    return np.concatenate(cs), np.concatenate(rs)


def _sight_gate(world: World, chunk: Chunk, every: int) -> npt.NDArray[np.bool_] | None:
    """Agents allowed to test line of sight now: those that did not walk last tick
    (they just became ready) and, in turn, one in ``every`` of the others."""
    if every <= 1:
        return None
    gate: npt.NDArray[np.bool_] = (chunk[CrowdAgent].action & 1) == 0  # WAIT/ATTACK
    turn = chunk.entities + world.tick
    if every & (every - 1) == 0:  # a power of two: a mask instead of a division
        turn &= every - 1
    else:
        turn %= every
    gate |= turn == 0
    return gate


# ------------------------------------------------------------------ PRE_SIMULATION
def prepare_system(world: World) -> None:
    """Build the planner on the first tick; follow map changes; a new frame."""
    rt = world.resource(CrowdRuntime)
    rt.ensure(world)
    rt.frame = CrowdFrame(planned=[False] * rt.shards, moved=[False] * rt.shards)


# ---------------------------------------------------------------------- PERCEPTION
def elect_system(world: World) -> None:
    """Bucket keys and representatives (and the far goals, every few ticks)."""
    rt = world.resource(CrowdRuntime)
    planner, _ = rt.built()
    chunk = crowd_chunk(world)
    if chunk is None:
        return
    pos = chunk[Position]
    grid = planner.grid
    rt.frame.keys = grid.elect(pos.x, pos.y, chunk[Team].id, alive=chunk[Health].hp > 0)
    if world.tick % rt.config.far_every_ticks == 0 or not grid.far_fresh:
        grid.refresh_far_goals(pos.x, pos.y)
    rt.frame.entities = chunk.entities.copy()


def targets_system(shard: int) -> Any:
    """The system choosing perceived enemies for shard ``shard`` of the buckets."""

    def targets(world: World) -> None:
        rt = world.resource(CrowdRuntime)
        planner, _ = rt.built()
        if rt.frame.keys is None:
            return
        lo, hi = shard_rows(len(planner.grid.interior), rt.shards, shard)
        planner.grid.choose_targets(lo, hi)

    targets.__qualname__ = f"targets_{shard}"
    return targets


def perceive_system(world: World) -> None:
    """Join: each agent's perceived enemy, and the action buffers of this tick."""
    rt = world.resource(CrowdRuntime)
    planner, _ = rt.built()
    if rt.frame.keys is None:
        return
    rt.frame.perception = planner.grid.lookup(*rt.frame.keys)
    rt.frame.actions = rt.action_buffers(len(rt.frame.entities))
    rt.frame.smoke = _smoke(world)


def density_system(world: World) -> None:
    """Agents per tile, for separation."""
    rt = world.resource(CrowdRuntime)
    _, density = rt.built()
    chunk = crowd_chunk(world)
    if chunk is None:
        return
    pos = chunk[Position]
    density.update(pos.x.astype(np.float32), pos.y.astype(np.float32))


def cooldown_system(world: World) -> None:
    """The attack cooldown of every crowd agent decays by ``dt``, as core's
    ``status_system`` decays every slot (``max(remaining - dt, 0)``), before planning.

    It runs in PERCEPTION, beside the other perception systems (it touches only
    ``Cooldowns``). The strided slot is read once into a contiguous copy, kept for
    planning, and only the rows still cooling are written back.
    """
    rt = world.resource(CrowdRuntime)
    planner, _ = rt.built()
    chunk = crowd_chunk(world)
    if chunk is None:
        return
    slot = chunk[Cooldowns].remaining_s[:, planner.rules.attack_slot]
    cool = slot.copy()
    if rt.config.decay_cooldowns:
        active = np.flatnonzero(cool > 0)
        if len(active):
            left = cool[active] - world.dt
            np.maximum(left, 0.0, out=left)
            cool[active] = left
            slot[active] = left
    rt.frame.cooldown = cool
    rt.frame.cooldown_entities = chunk.entities.copy()


# --------------------------------------------------------------------- AI_PLANNING
def _planning_state(world: World, rt: CrowdRuntime, chunk: Chunk) -> CrowdState:
    planner, _ = rt.built()
    frame = rt.frame
    cool = frame.cooldown
    if cool is None or not frame.rows_match(chunk, frame.cooldown_entities):
        cool = chunk[Cooldowns].remaining_s[:, planner.rules.attack_slot].copy()
    return crowd_state(chunk, planner.rules, cool)


def plan_shard_system(shard: int) -> Any:
    """The system planning rows of shard ``shard`` into the frame's action buffers."""

    def plan_rows(world: World) -> None:
        rt = world.resource(CrowdRuntime)
        planner, _ = rt.built()
        chunk = crowd_chunk(world)
        frame = rt.frame
        if chunk is None or frame.perception is None or frame.actions is None:
            return
        lo, hi = shard_rows(len(chunk), rt.shards, shard)
        if not frame.rows_match(chunk, lo=lo, hi=hi):
            return  # the join plans every row again
        planner.plan(
            _planning_state(world, rt, chunk),
            smoke=frame.smoke,
            perception=frame.perception,
            sight_gate=_sight_gate(world, chunk, rt.config.sight_every_ticks),
            rows=(lo, hi),
            out=frame.actions,
        )
        frame.planned[shard] = True

    plan_rows.__qualname__ = f"plan_rows_{shard}"
    return plan_rows


def plan_system(world: World) -> None:
    """Join: rejected actions become waits; the actions go into CrowdAgent; counters."""
    rt = world.resource(CrowdRuntime)
    planner, _ = rt.built()
    chunk = crowd_chunk(world)
    frame = rt.frame
    if chunk is None:
        frame.actions = None
        return
    state = _planning_state(world, rt, chunk)
    if not (all(frame.planned) and frame.actions is not None):
        # the rows changed since perception: perceive and plan everything here
        frame.perception = planner.perceive(state, refresh_far=not planner.grid.far_fresh)
        frame.entities = chunk.entities.copy()
        frame.actions = planner.plan(
            state,
            smoke=_smoke(world),
            perception=frame.perception,
            sight_gate=_sight_gate(world, chunk, rt.config.sight_every_ticks),
        )
    acts = frame.actions
    counters: dict[str, Any] = {"hits": 0, "damage": 0.0, "rejected": {}}
    bad = np.flatnonzero(~acts.valid)
    if len(bad):
        reasons = np.bincount(acts.reason[bad], minlength=len(CrowdReject))
        counters["rejected"] = {
            CrowdReject(i).name.lower(): int(v) for i, v in enumerate(reasons.tolist()) if v
        }
        # a rejected action does nothing: the agent waits where it stands
        acts.code[bad] = CrowdAction.WAIT
        acts.target_row[bad] = -1
        acts.target[bad] = -1
        acts.dest_x[bad] = state.x[bad]
        acts.dest_y[bad] = state.y[bad]
    code = acts.code
    counters["codes"] = [int(np.count_nonzero(code == a)) for a in CrowdAction]
    agent = chunk[CrowdAgent]
    agent.action[:] = code
    agent.target[:] = acts.target
    agent.dest_x[:] = acts.dest_x
    agent.dest_y[:] = acts.dest_y
    frame.counters = counters
    frame.move = rt.move_buffers(len(chunk))


def attack_system(world: World) -> None:
    """Resolve every valid attack at once, with core's shot rules.

    Hit chance ``accuracy x (1 - cover) x (1 - falloff x d / range)`` clamped to
    ``[0.02, 0.98]`` (crowd agents have no morale, suppression or stance), one draw of
    the world RNG per shot in row order; damage ``weapon.damage x (1 - armor)``; hp
    never below 0; each shooter pays the attack's ammo and its cooldown starts. All
    shots of a tick see the state before any of them (simultaneous fire).
    """
    rt = world.resource(CrowdRuntime)
    planner, _ = rt.built()
    chunk = crowd_chunk(world)
    acts = rt.frame.actions
    if chunk is None or acts is None or not rt.frame.rows_match(chunk):
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
    reach = np.maximum(weapon.range_m[shooters], 1e-9)
    p *= np.maximum(0.0, 1.0 - rules.range_falloff * d / reach)
    np.clip(p, 0.02, 0.98, out=p)
    hit = world.rng.random(len(shooters)) < p
    armor = np.clip(health.armor[targets], 0.0, 0.9)
    dealt = np.where(hit, np.maximum(weapon.damage[shooters], 0.0) * (1.0 - armor), 0.0)
    hurt, where = np.unique(targets, return_inverse=True)
    total = np.bincount(where, weights=dealt, minlength=len(hurt))
    hp = health.hp
    before = hp[hurt]
    lost = np.minimum(total, np.maximum(before, 0.0))
    hp[hurt] = before - lost
    chunk[Ammo].rounds[shooters] -= rules.attack_ammo
    slot = chunk[Cooldowns].remaining_s[:, rules.attack_slot]
    slot[shooters] = rules.attack_cooldown_s
    rt.frame.counters["hits"] = int(np.count_nonzero(hit))
    rt.frame.counters["damage"] = float(lost.sum())


# ------------------------------------------------------------------------- PHYSICS
def _move_rows(
    world: World, rt: CrowdRuntime, chunk: Chunk, lo: int, hi: int, out: tuple[Arr, ...]
) -> None:
    planner, density = rt.built()
    agent, pos = chunk[CrowdAgent], chunk[Position]
    x, y = pos.x[lo:hi], pos.y[lo:hi]
    speed = chunk[Mover].speed_mps[lo:hi].astype(np.float32)
    walking = (agent.action[lo:hi] & 1).view(np.bool_)
    vx, vy = steer(x, y, agent.dest_x[lo:hi], agent.dest_y[lo:hi], walking, speed, world.dt)
    px, py = density.push(x.astype(np.float32), y.astype(np.float32), rt.config.separation_mps)
    vx += px
    vy += py
    speed *= np.float32(rt.config.max_speed_factor)
    speed *= chunk[Health].hp[lo:hi] > 0  # the dead lie still
    nx, ny, ovx, ovy = (a[lo:hi] for a in out)
    move_agents(x, y, vx, vy, speed, planner.map.walk_flat, planner.map.row, world.dt, nx, ny)
    ovx[...] = vx
    ovy[...] = vy


def move_shard_system(shard: int) -> Any:
    """The system moving rows of shard ``shard`` into the frame's move buffers."""

    def move_rows(world: World) -> None:
        rt = world.resource(CrowdRuntime)
        chunk = crowd_chunk(world)
        frame = rt.frame
        if chunk is None or frame.move is None or len(frame.move[0]) != len(chunk):
            return
        lo, hi = shard_rows(len(chunk), rt.shards, shard)
        _move_rows(world, rt, chunk, lo, hi, frame.move)
        frame.moved[shard] = True

    move_rows.__qualname__ = f"move_rows_{shard}"
    return move_rows


def move_system(world: World) -> None:
    """Join: the new positions and velocities go into Position and Velocity."""
    rt = world.resource(CrowdRuntime)
    chunk = crowd_chunk(world)
    frame = rt.frame
    if chunk is None:
        return
    n = len(chunk)
    if frame.move is None or len(frame.move[0]) != n or not all(frame.moved):
        frame.move = rt.move_buffers(n)
        _move_rows(world, rt, chunk, 0, n, frame.move)
    nx, ny, vx, vy = frame.move
    pos, vel = chunk[Position], chunk[Velocity]
    pos.x[:] = nx
    pos.y[:] = ny
    vel.x[:] = vx
    vel.y[:] = vy
