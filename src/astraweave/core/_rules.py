"""Game rules of the default layer: damage, healing, revive, hit chance, and the
vectorised SIMULATION systems (cooldowns, status timers, morale, bleed-out and death,
smoke expiry, grenade fuses, hazards).

Damage: ``dealt = amount * (1 - armor)``, hp never below 0. An entity whose hp
reaches 0 is *downed*: it cannot act and can be revived until ``bleedout_s`` runs
out; then it is *dead* for good (it stays in the world as a corpse, so its id keeps
resolving and tools reject it as "dead"). Healing never raises hp above ``max_hp``;
reviving sets hp to ``revive_fraction * max_hp``.

Hit chance of a shot: ``accuracy x (1 - cover) x (1 - falloff x d / range) x
suppression x morale``, clamped to ``[0.02, 0.98]``, then one draw of the world RNG.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from astraweave.core._components import (
    Cooldowns,
    Explosive,
    Hazard,
    Health,
    Morale,
    Smoke,
    Stance,
    Status,
    Team,
    Weapon,
)
from astraweave.core._events import GameEvent
from astraweave.core._map import Point
from astraweave.core._view import EntityInfo, WorldView
from astraweave.ecs import Position, World

__all__ = [
    "GameRules",
    "apply_damage",
    "cover_value",
    "explosive_system",
    "hazard_system",
    "heal",
    "hit_chance",
    "resolve_shot",
    "revive",
    "smoke_system",
    "status_system",
]


@dataclass(frozen=True)
class GameRules:
    """Tunable rules (a world resource). Units: seconds, metres, fractions.

    Attributes:
        forbidden_tools: tools this scenario forbids (the sandbox rejects them).
        bleedout_s: how long a downed entity can be revived (default 30 s).
        revive_fraction: hp after a revive, as a fraction of ``max_hp`` (0.3).
        range_falloff: hit chance lost at full weapon range (0.4 = 40 %).
        suppressed_accuracy: accuracy factor while suppressed (0.6).
        crouch_cover_bonus: extra cover for a crouched target behind cover (0.2).
        morale_recovery_per_s: morale regained per second (0.02).
    """

    forbidden_tools: tuple[str, ...] = field(default_factory=tuple)
    bleedout_s: float = 30.0
    revive_fraction: float = 0.3
    range_falloff: float = 0.4
    suppressed_accuracy: float = 0.6
    crouch_cover_bonus: float = 0.2
    morale_recovery_per_s: float = 0.02

    def state_bytes(self) -> bytes:
        """The rules as bytes (they enter the world hash)."""
        return repr(self).encode()


def rules_of(world: World) -> GameRules:
    """The world's :class:`GameRules`, or the defaults."""
    return world.try_resource(GameRules) or GameRules()


# --------------------------------------------------------------------- combat maths
def cover_value(view: WorldView, target: EntityInfo, attacker: Point) -> float:
    """Fraction of shots the target's cover stops against ``attacker`` (0, 0.5, 0.7)."""
    base = view.map.cover_against(target.pos, attacker)
    if base <= 0:
        return 0.0
    stance = view.world.try_get(target.id, Stance)
    bonus = rules_of(view.world).crouch_cover_bonus if stance is not None and stance.crouched else 0
    return min(0.9, base + bonus)


def hit_chance(
    view: WorldView,
    shooter: int,
    target: EntityInfo,
    *,
    accuracy_bonus: float = 0.0,
    cover_ignore: float = 0.0,
) -> float:
    """The probability that a shot of ``shooter`` hits ``target`` (see module docs)."""
    world = view.world
    rules = rules_of(world)
    weapon = world.try_get(shooter, Weapon) or Weapon()
    spos = world.get(shooter, Position)
    d = math.hypot(spos.x - target.x, spos.y - target.y)
    p = min(0.98, weapon.accuracy + accuracy_bonus)
    p *= 1.0 - cover_value(view, target, (spos.x, spos.y)) * (1.0 - cover_ignore)
    p *= max(0.0, 1.0 - rules.range_falloff * d / max(weapon.range_m, 1e-9))
    status = world.try_get(shooter, Status)
    if status is not None and status.suppressed_s > 0:
        p *= rules.suppressed_accuracy
    morale = world.try_get(shooter, Morale)
    if morale is not None:
        p *= 0.8 + 0.2 * min(1.0, max(0.0, morale.value))
    return float(min(0.98, max(0.02, p)))


def apply_damage(world: World, target: int, amount: float, source: int, cause: str) -> float:
    """Hurt ``target`` by ``amount`` before armour; returns the hp actually lost.

    Every loss sends a ``damaged`` event (source, target, hp lost, cause). A target
    brought to 0 hp is downed at once (event ``downed``). Downed or dead targets take
    no damage.
    """
    health = world.try_get(target, Health)
    status = world.try_get(target, Status)
    if health is None or (status is not None and (status.downed or status.dead)):
        return 0.0
    dealt = min(health.hp, max(0.0, amount) * (1.0 - min(0.9, max(0.0, health.armor))))
    health.hp -= dealt
    world.set(target, health)
    if dealt > 0:
        world.send(GameEvent(world.tick, "damaged", source, target, dealt, cause))
    morale = world.try_get(target, Morale)
    if morale is not None and dealt > 0:
        world.set(target, Morale(max(0.0, morale.value - 0.05)))
    if health.hp <= 0 and status is not None:
        status.downed = True
        status.bleedout_s = rules_of(world).bleedout_s
        world.set(target, status)
        world.send(GameEvent(world.tick, "downed", target, source, 0.0, cause))
    return dealt


def resolve_shot(
    view: WorldView,
    shooter: int,
    target: int,
    *,
    damage_mult: float = 1.0,
    accuracy_bonus: float = 0.0,
    cover_ignore: float = 0.0,
    cause: str = "shot",
) -> float:
    """Fire one shot: draw from the world RNG, apply damage on a hit.

    Returns:
        The hp the target lost (0 on a miss). Sends a ``shot`` event.
    """
    world = view.world
    info = view.info(target)
    if info is None or not info.up:
        return 0.0
    p = hit_chance(view, shooter, info, accuracy_bonus=accuracy_bonus, cover_ignore=cover_ignore)
    hit = bool(world.rng.random() < p)
    dealt = 0.0
    if hit:
        weapon = world.try_get(shooter, Weapon) or Weapon()
        dealt = apply_damage(world, target, weapon.damage * damage_mult, shooter, cause)
    world.send(GameEvent(world.tick, "shot", shooter, target, dealt, "hit" if hit else "miss"))
    return dealt


def heal(world: World, target: int, amount: float, healer: int) -> float:
    """Restore up to ``amount`` hp (never above ``max_hp``); returns the hp gained."""
    health = world.get(target, Health)
    gained = max(0.0, min(amount, health.max_hp - health.hp))
    health.hp += gained
    world.set(target, health)
    world.send(GameEvent(world.tick, "healed", healer, target, gained, ""))
    return gained


def revive(world: World, target: int, reviver: int) -> float:
    """Get a downed ally up with ``revive_fraction`` of its max hp; returns new hp."""
    rules = rules_of(world)
    health = world.get(target, Health)
    status = world.get(target, Status)
    health.hp = max(1.0, health.max_hp * rules.revive_fraction)
    status.downed = False
    status.bleedout_s = 0.0
    world.set(target, health, status)
    world.send(GameEvent(world.tick, "revived", reviver, target, health.hp, ""))
    return health.hp


# ---------------------------------------------------------------- SIMULATION systems
TIMER_EPS_S = 1e-9
"""Timers below this many seconds count as expired (absorbs float residue of dt sums)."""


def _decay(col: np.ndarray[Any, Any], dt: float) -> None:
    col -= dt
    col[col < TIMER_EPS_S] = 0.0


def status_system(world: World) -> None:
    """Decay cooldowns and status timers, recover morale, run bleed-out and death.

    Vectorised over every entity's columns; Python runs only for entities whose
    life state changed this tick (to send events).
    """
    dt = world.dt
    rules = rules_of(world)
    for chunk in world.query(Cooldowns):
        _decay(chunk[Cooldowns].remaining_s, dt)
    for chunk in world.query(Morale):
        m = chunk[Morale].value
        np.minimum(m + rules.morale_recovery_per_s * dt, 1.0, out=m)
    for chunk in world.query(Status):
        st = chunk[Status]
        for col in (st.suppressed_s, st.scan_s, st.marked_s, st.distracted_s):
            _decay(col, dt)
        st.marked_by[st.marked_s <= 0] = -1
        health = chunk.get(Health)
        if health is not None:
            newly = (health.hp <= 0) & ~st.downed & ~st.dead
            if newly.any():
                st.downed[newly] = True
                st.bleedout_s[newly] = rules.bleedout_s
                for e in chunk.entities[newly]:
                    world.send(GameEvent(world.tick, "downed", int(e), -1, 0.0, "wounds"))
        bleeding = st.downed & ~st.dead
        if bleeding.any():
            st.bleedout_s[bleeding] -= dt
            died = bleeding & (st.bleedout_s <= TIMER_EPS_S)
            if died.any():
                st.dead[died] = True
                st.downed[died] = False
                st.bleedout_s[died] = 0.0
                for e in chunk.entities[died]:
                    world.send(GameEvent(world.tick, "died", int(e), -1, 0.0, ""))


def smoke_system(world: World) -> None:
    """Count smoke clouds down; despawn the expired ones (vectorised)."""
    expired = []
    for chunk in world.query(Smoke):
        s = chunk[Smoke].remaining_s
        s -= world.dt
        expired.append(chunk.entities[s <= TIMER_EPS_S])
    ids = np.concatenate(expired) if expired else np.zeros(0, np.int64)
    if len(ids):
        world.commands().despawn_batch(ids)


def explosive_system(world: World) -> None:
    """Count grenade fuses down; explode the ones at 0 (damage falls off to half at
    the edge; walls shelter), then despawn them."""
    boom: list[tuple[int, float, float, float, float, int]] = []
    for chunk in world.query(Explosive, Position):
        ex = chunk[Explosive]
        ex.fuse_s -= world.dt
        for i in np.flatnonzero(ex.fuse_s <= TIMER_EPS_S):
            pos = chunk[Position]
            boom.append(
                (
                    int(chunk.entities[i]),
                    float(pos.x[i]),
                    float(pos.y[i]),
                    float(ex.radius_m[i]),
                    float(ex.damage[i]),
                    int(ex.owner[i]),
                )
            )
    if not boom:
        return
    view = WorldView(world)
    for gid, x, y, radius, damage, owner in sorted(boom):
        cols = view.fighters()
        d = np.hypot(cols["x"] - x, cols["y"] - y)
        inside = (d <= radius) & ~cols["dead"]
        hurt = 0
        for i in np.flatnonzero(inside):
            e = int(cols["id"][i])
            if not view.walls_clear((x, y), (float(cols["x"][i]), float(cols["y"][i]))):
                continue
            amount = damage * (1.0 - 0.5 * float(d[i]) / radius)
            if apply_damage(world, e, amount, owner, "explosion") > 0:
                hurt += 1
            morale = world.try_get(e, Morale)
            if morale is not None:
                world.set(e, Morale(max(0.0, morale.value - 0.2)))
        world.send(GameEvent(world.tick, "explosion", owner, gid, float(hurt), ""))
    world.commands().despawn_batch(np.array([b[0] for b in boom], dtype=np.int64))


def hazard_system(world: World) -> None:
    """Hurt every character inside a hazard (vectorised per hazard); each hurt
    character gets a ``damaged`` event (the hazard entity as source, cause
    ``hazard``)."""
    hazards = []
    for chunk in world.query(Hazard, Position):
        for i in range(len(chunk)):
            hazards.append(
                (
                    int(chunk.entities[i]),
                    float(chunk[Position].x[i]),
                    float(chunk[Position].y[i]),
                    float(chunk[Hazard].radius_m[i]),
                    float(chunk[Hazard].dps[i]),
                )
            )
    if not hazards:
        return
    hurt: list[tuple[int, int, float]] = []
    for hid, x, y, radius, dps in sorted(hazards):
        for chunk in world.query(Health, Position, Status, Team):
            pos, st, h = chunk[Position], chunk[Status], chunk[Health]
            inside = (np.hypot(pos.x - x, pos.y - y) <= radius) & ~st.dead & ~st.downed
            if inside.any():
                amount = dps * world.dt * (1.0 - np.clip(h.armor[inside], 0.0, 0.9))
                before = h.hp[inside].copy()
                h.hp[inside] = np.maximum(before - amount, 0.0)
                lost = before - h.hp[inside]
                for e, v in zip(chunk.entities[inside].tolist(), lost.tolist(), strict=True):
                    if v > 0:
                        hurt.append((int(e), hid, float(v)))
    for e, hid, v in sorted(hurt):
        world.send(GameEvent(world.tick, "damaged", hid, e, v, "hazard"))
