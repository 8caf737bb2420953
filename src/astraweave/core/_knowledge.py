"""What an agent knows of its enemies: who it sees now (:func:`visible_to`), and every
enemy it sees, remembers or was told about by a mark (:func:`known_enemies`).

Perception (:mod:`astraweave.core._perception`) builds snapshots from this, and the
safe routes of ``MoveTo`` (:mod:`astraweave.core._routes`) avoid the sight of the
same enemies, so a planner and the tool it uses share one picture of the world.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from astraweave.core._components import Agent, Memory, Status
from astraweave.core._map import Point, smoke_blocks
from astraweave.core._tools_support import perception_radius
from astraweave.core._view import WorldView

__all__ = ["MEMORY_S", "KnownEnemy", "known_enemies", "visible_to"]

MEMORY_S = 10.0
"""How long an agent remembers an enemy it no longer sees (seconds)."""


def visible_to(view: WorldView, agent: int) -> list[int]:
    """Ids of enemies (not dead) ``agent`` sees now, sorted."""
    me = view.info(agent)
    if me is None:
        return []
    cols = view.fighters()
    radius = perception_radius(view, agent)
    d = np.hypot(cols["x"] - me.x, cols["y"] - me.y)
    cand = (cols["team"] != me.team) & ~cols["dead"] & (d <= radius)
    idx = np.flatnonzero(cand)
    pts = np.stack([cols["x"][idx], cols["y"][idx]], axis=1)
    clear = view.map.lines_of_sight(me.pos, pts)
    centres, radii = view.smoke()
    out = []
    for i, ok in zip(idx.tolist(), clear.tolist(), strict=True):
        p = (float(cols["x"][i]), float(cols["y"][i]))
        if ok and not smoke_blocks(me.pos, p, centres, radii):
            out.append(int(cols["id"][i]))
    return out


@dataclass(frozen=True, slots=True)
class KnownEnemy:
    """An enemy as one agent knows it.

    ``pos``/``hp``/``last_seen_s`` are current when it is ``visible`` or ``marked``,
    else as last seen. ``sight_m`` is how far it sees now (its perception radius; 0
    for an enemy that is not an agent, or is down: it sees nothing).
    """

    id: int
    pos: Point
    hp: float
    visible: bool
    marked: bool
    downed: bool
    last_seen_s: float
    sight_m: float


def known_enemies(view: WorldView, agent: int) -> list[KnownEnemy]:
    """Every enemy ``agent`` sees now, remembers (for :data:`MEMORY_S`) or has marked
    by its team, sorted by id. Dead enemies are left out."""
    world = view.world
    me = view.info(agent)
    if me is None:
        return []
    now = world.time
    cols = view.fighters()
    seen_now = set(visible_to(view, agent))
    mem = world.try_get(agent, Memory)
    memory: dict[int, tuple[float, ...]] = dict(mem.seen) if mem is not None and mem.seen else {}
    out: list[KnownEnemy] = []
    for i in np.flatnonzero((cols["team"] != me.team) & ~cols["dead"]):
        e = int(cols["id"][i])
        info = view.info(e)
        if info is None:  # pragma: no cover  (fighters() lists live entities only)
            continue
        status = world.try_get(e, Status)
        marked = status is not None and status.marked_s > 0 and status.marked_by == me.team
        current = e in seen_now or marked
        if current:
            pos, hp, last = info.pos, info.hp, now
        elif e in memory and now - memory[e][4] <= MEMORY_S:
            x, y, hp, _, last = memory[e]
            pos = (x, y)
        else:
            continue
        downed = info.downed if current else False
        sees = world.has(e, Agent) and not info.downed
        out.append(
            KnownEnemy(
                id=e,
                pos=(float(pos[0]), float(pos[1])),
                hp=float(hp),
                visible=e in seen_now,
                marked=bool(marked),
                downed=bool(downed),
                last_seen_s=float(last),
                sight_m=perception_radius(view, e) if sees else 0.0,
            )
        )
    return out
