"""Perception: what each agent may know, built into a :class:`WorldSnapshot`.

An agent sees an enemy when it lies within its perception radius (the agent's
``perception_radius_m``, x1.5 while scanning, x0.5 while distracted) and neither
walls, closed doors nor smoke block the line between them. The PERCEPTION system
(:func:`perception_system`, every :data:`PERCEPTION_PERIOD_TICKS`) records sightings
in each agent's :class:`Memory`; a sighting is forgotten after :data:`MEMORY_S`.
"""

from __future__ import annotations

import numpy as np

from astraweave.core._checks import TOUCH_M
from astraweave.core._components import (
    Agent,
    Ammo,
    Hazard,
    Health,
    Inventory,
    Memory,
    Morale,
    Mover,
    PointOfInterest,
    SequenceMember,
    Stance,
    Status,
    Team,
    Weapon,
)
from astraweave.core._knowledge import MEMORY_S, known_enemies, visible_to
from astraweave.core._map import Point, TileMap
from astraweave.core._mission import Mission
from astraweave.core._registry import ToolRegistry
from astraweave.core._routes import (
    RouteField,
    first_exposed,
    hazard_tiles,
    route_field,
    safe_penalty,
)
from astraweave.core._rules import GameRules, cover_value
from astraweave.core._sandbox import registry_of
from astraweave.core._snapshot import (
    AllyView,
    EnemyView,
    MapView,
    ObstacleView,
    PoiView,
    SelfView,
    WorldSnapshot,
)
from astraweave.core._tools_support import perception_radius
from astraweave.core._view import WorldView
from astraweave.ecs import Position, World
from astraweave.errors import ActorUnableError

__all__ = ["MEMORY_S", "PERCEPTION_PERIOD_TICKS", "perceive", "perception_system", "visible_to"]

PERCEPTION_PERIOD_TICKS = 6
"""Ticks between memory updates (10 Hz at 60 Hz)."""
MAX_COVER_SPOTS = 6
"""Cover spots listed in a snapshot's obstacles (the nearest ones)."""


def _remember(world: World, view: WorldView, agent: int) -> dict[int, tuple[float, ...]]:
    mem = world.try_get(agent, Memory)
    old: dict[int, tuple[float, ...]] = dict(mem.seen) if mem is not None and mem.seen else {}
    now = world.time
    for e in visible_to(view, agent):
        info = view.info(e)
        if info is not None:
            old[e] = (info.x, info.y, info.hp, info.max_hp, now)
    kept = {}
    for e in sorted(old):
        entry = old[e]
        info = view.info(e)
        if info is None or info.dead or now - entry[4] > MEMORY_S:
            continue
        kept[e] = entry
    return kept


def perception_system(world: World) -> None:
    """Update every up agent's :class:`Memory` (every PERCEPTION_PERIOD_TICKS ticks)."""
    if world.tick % PERCEPTION_PERIOD_TICKS:
        return
    view = WorldView(world)
    for chunk in world.query(Agent, Memory, Status):
        st = chunk[Status]
        for i in np.flatnonzero(~st.dead & ~st.downed):
            e = int(chunk.entities[i])
            chunk[Memory].seen[i] = _remember(world, view, e)


def _self_view(world: World, view: WorldView, agent: int, reg: ToolRegistry) -> SelfView:
    info = view.info(agent)
    if info is None:
        raise ActorUnableError(f"agent {agent} does not exist", actor=agent)
    ag = world.try_get(agent, Agent) or Agent()
    ammo = world.try_get(agent, Ammo) or Ammo(0, 0, 0)
    inv = world.try_get(agent, Inventory) or Inventory()
    status = world.try_get(agent, Status) or Status()
    health = world.try_get(agent, Health) or Health()
    weapon = world.try_get(agent, Weapon)
    mover = world.try_get(agent, Mover)
    morale = world.try_get(agent, Morale)
    stance = world.try_get(agent, Stance)
    cooldowns: dict[str, float] = {}
    from astraweave.core._components import Cooldowns

    cds = world.try_get(agent, Cooldowns)
    if cds is not None:
        for name in reg.names():
            left = float(cds.remaining_s[reg.slot(name)])
            if left > 0.005:
                cooldowns[name] = left
    return SelfView(
        id=agent,
        name=info.name,
        team=info.team,
        role=str(ag.role),
        pos=info.pos,
        hp=info.hp,
        max_hp=info.max_hp,
        armor=health.armor,
        crouched=bool(stance.crouched) if stance is not None else False,
        morale=morale.value if morale is not None else 1.0,
        ammo=ammo.rounds,
        magazine=ammo.magazine,
        reserve=ammo.reserve,
        items={
            "grenade": inv.grenade,
            "keys": inv.keys,
            "medkit": inv.medkit,
            "smoke": inv.smoke,
        },
        cooldowns=cooldowns,
        weapon_range_m=weapon.range_m if weapon is not None else 0.0,
        speed_mps=mover.speed_mps if mover is not None else 0.0,
        perception_radius_m=perception_radius(view, agent),
        suppressed_s=status.suppressed_s,
        scan_s=status.scan_s,
        distracted_s=status.distracted_s,
        distraction=(status.distract_x, status.distract_y) if status.distracted_s > 0 else None,
        leader=int(ag.leader) if ag.leader >= 0 else None,
        patrol=[(float(x), float(y)) for x, y in (ag.patrol or ())],
    )


def _dist(a: Point, b: Point) -> float:
    return float(np.hypot(a[0] - b[0], a[1] - b[1]))


def _walk_m(field: RouteField | None, cell: tuple[int, int]) -> float | None:
    if field is None or not field.reachable(cell):
        return None
    return float(field.cost[cell[1], cell[0]])


def _poi_ids(world: World) -> list[int]:
    ids: list[int] = []
    for chunk in world.query(PointOfInterest, Position):
        ids.extend(int(e) for e in chunk.entities)
    return sorted(ids)


def _stand(
    tm: TileMap, pos: Point, walk: RouteField | None, hazards: np.ndarray
) -> tuple[int, int] | None:
    """The tile to stand on to use a point of interest at ``pos``: out of hazards if
    possible, then its own tile when walkable and reachable, else the reachable tile
    within touch range (centre within 1.5 m) nearest by walk (ties: row, column)."""
    if walk is None:
        return None
    own = tm.cell_of(*pos)
    own_ok = tm.walkable_at(*pos) and walk.reachable(own)
    best: tuple[bool, bool, float, int, int] | None = None
    for y in range(own[1] - 2, own[1] + 3):
        for x in range(own[0] - 2, own[0] + 3):
            mine = (x, y) == own
            if mine and not own_ok:
                continue
            if not walk.reachable((x, y)) or (
                not mine and _dist((x + 0.5, y + 0.5), pos) > TOUCH_M
            ):
                continue
            key = (bool(hazards[y, x]), not mine, float(walk.cost[y, x]), y, x)
            if best is None or key < best:
                best = key
    return None if best is None else (best[4], best[3])


def _poi_view(
    world: World,
    view: WorldView,
    entity: int,
    me: Point,
    walk: RouteField | None,
    safe: RouteField | None,
    sight: np.ndarray,
    hazards: np.ndarray,
) -> PoiView:
    info = view.info(entity)
    poi = world.get(entity, PointOfInterest)
    pos = info.pos if info is not None else (0.0, 0.0)
    stand = _stand(view.map, pos, walk, hazards)
    exposed = None
    if stand is not None and safe is not None:
        cell = first_exposed(safe, stand, sight)
        exposed = view.map.centre(*cell) if cell is not None else None
    spot = None
    if stand is not None:
        spot = pos if view.map.cell_of(*pos) == stand else view.map.centre(*stand)
    seq = world.try_get(entity, SequenceMember)
    return PoiView(
        id=entity,
        name=info.name if info is not None else f"#{entity}",
        kind=str(poi.kind),
        pos=pos,
        active=bool(poi.active),
        locked=bool(poi.locked),
        distance=_dist(me, pos),
        reachable=stand is not None,
        path_m=_walk_m(walk, stand) if stand is not None else None,
        stand=spot,
        exposed=exposed,
        link=int(poi.link) if poi.kind == "switch" and poi.link >= 0 else None,
        remote=bool(poi.remote),
        sequence=str(seq.name) if seq is not None else None,
    )


def perceive(world: World, agent: int, *, registry: ToolRegistry | None = None) -> WorldSnapshot:
    """Build ``agent``'s snapshot of the world now (reads only).

    Args:
        world: the world (with a TileMap).
        agent: the perceiving entity (needs Position, Team and Health).
        registry: the tools (default: the world's registry) for the ``tools`` list.

    Raises:
        ActorUnableError: the agent does not exist or has no position.

    Example:
        >>> from astraweave.core import load_scenario
        >>> sc = load_scenario('''
        ... [scenario]
        ... name = "doc"
        ... map = ["#######", "#A...B#", "#######"]
        ... [[entities]]
        ... name = "a"
        ... at = "A"
        ... [[entities]]
        ... name = "b"
        ... at = "B"
        ... team = "red"
        ... ''')
        >>> world = sc.build_world()
        >>> snap = perceive(world, sc.entity_id(world, "a"))
        >>> [(e.name, e.visible, e.distance) for e in snap.enemies]
        [('b', True, 4.0)]
    """
    reg = registry if registry is not None else registry_of(world)
    view = WorldView(world)
    me_view = _self_view(world, view, agent, reg)
    me = me_view.pos
    team = me_view.team
    now = world.time
    cols = view.fighters()

    allies = []
    for i in np.flatnonzero((cols["team"] == team) & (cols["id"] != agent) & ~cols["dead"]):
        p = (float(cols["x"][i]), float(cols["y"][i]))
        info = view.info(int(cols["id"][i]))
        if info is None:  # pragma: no cover  (fighters() lists live entities only)
            continue
        allies.append(
            AllyView(
                id=info.id,
                name=info.name,
                pos=p,
                hp=info.hp,
                max_hp=info.max_hp,
                downed=info.downed,
                distance=_dist(me, p),
            )
        )

    known = known_enemies(view, agent)
    enemies = []
    for k in known:
        info = view.info(k.id)
        if info is None:  # pragma: no cover  (known_enemies lists live entities only)
            continue
        enemies.append(
            EnemyView(
                id=k.id,
                name=info.name,
                pos=k.pos,
                hp=k.hp,
                max_hp=info.max_hp,
                downed=k.downed,
                cover=cover_value(view, info, me) if k.visible else 0.0,
                visible=k.visible,
                marked=k.marked,
                last_seen_s=k.last_seen_s,
                distance=_dist(me, k.pos),
                sight_m=k.sight_m,
            )
        )

    walk = route_field(view.map, me)
    penalty, sight = safe_penalty(view, agent)
    safe = route_field(view.map, me, penalty) if walk is not None else None
    hazards = hazard_tiles(view)
    pois = [_poi_view(world, view, int(e), me, walk, safe, sight, hazards) for e in _poi_ids(world)]

    radius = me_view.perception_radius_m
    visible = [e for e in enemies if e.visible and not e.downed]
    obstacles: list[ObstacleView] = []
    tiles = view.map.cover_tiles()
    if len(tiles):
        c = tiles.astype(np.float64) + 0.5
        d = np.hypot(c[:, 0] - me[0], c[:, 1] - me[1])
        order = np.lexsort((tiles[:, 0], tiles[:, 1], d))
        for i in order[:MAX_COVER_SPOTS]:
            if d[i] <= radius:
                spot = (float(c[i, 0]), float(c[i, 1]))
                cell = (int(tiles[i, 0]), int(tiles[i, 1]))
                obstacles.append(
                    ObstacleView(
                        kind="cover",
                        pos=spot,
                        radius=0.5,
                        distance=float(d[i]),
                        path_m=_walk_m(walk, cell),
                        shelters=[e.id for e in visible if view.map.cover_against(spot, e.pos) > 0],
                    )
                )
    centres, radii = view.smoke()
    for (x, y), r in zip(centres.tolist(), radii.tolist(), strict=True):
        if _dist(me, (x, y)) <= radius + r:
            obstacles.append(
                ObstacleView(kind="smoke", pos=(x, y), radius=r, distance=_dist(me, (x, y)))
            )
    for chunk in world.query(Hazard, Position):
        for row in range(len(chunk)):
            p = (float(chunk[Position].x[row]), float(chunk[Position].y[row]))
            r = float(chunk[Hazard].radius_m[row])
            if _dist(me, p) <= radius + r:
                obstacles.append(
                    ObstacleView(kind="hazard", pos=p, radius=r, distance=_dist(me, p))
                )
    obstacles.sort(key=lambda o: (round(o.distance, 2), o.kind, o.pos))

    rules = world.try_resource(GameRules) or GameRules()
    mission = world.try_resource(Mission)
    return WorldSnapshot(
        tick=world.tick,
        time_s=now,
        map=MapView(width=view.map.width, height=view.map.height),
        objective=mission.objective if mission is not None else "",
        agent=me_view,
        allies=sorted(allies, key=lambda a: a.id),
        enemies=enemies,
        pois=pois,
        obstacles=obstacles,
        tools=reg.allowlist(rules.forbidden_tools),
    )


_ = Team  # Team is read through WorldView.fighters()
