"""Kinematic path following (PHYSICS stage), vectorised over every walking entity.

Each tick an entity with an active :class:`PathFollow` moves ``speed * dt`` metres
towards its current waypoint; reaching it (within the step) it snaps onto it and
takes the next one, carrying no leftover distance (so speeds are exact per tick and
results do not depend on float accumulation order). Downed and dead entities stop.
Only entities that reached a waypoint this tick are touched one by one.
"""

from __future__ import annotations

import numpy as np

from astraweave.core._components import Mover, PathFollow, Status
from astraweave.ecs import Heading, Position, World

__all__ = ["movement_system"]


def movement_system(world: World) -> None:
    """Move every walking entity one tick along its path."""
    dt = world.dt
    for chunk in world.query(Position, PathFollow, Mover):
        pf = chunk[PathFollow]
        active = pf.active.copy()
        status = chunk.get(Status)
        if status is not None:
            halted = active & (status.downed | status.dead)
            if halted.any():
                pf.active[halted] = False
                active &= ~halted
        if not active.any():
            continue
        pos = chunk[Position]
        idx = np.flatnonzero(active)
        dx = pf.tx[idx] - pos.x[idx]
        dy = pf.ty[idx] - pos.y[idx]
        d = np.hypot(dx, dy)
        step = chunk[Mover].speed_mps[idx] * dt
        arrive = d <= step + 1e-9
        go = ~arrive
        scale = np.where(go, step / np.where(d > 0, d, 1.0), 0.0)
        pos.x[idx[go]] += dx[go] * scale[go]
        pos.y[idx[go]] += dy[go] * scale[go]
        heading = chunk.get(Heading)
        if heading is not None:
            moving = d > 1e-9
            heading.angle[idx[moving]] = np.arctan2(dy[moving], dx[moving])
        for row in idx[arrive]:
            pos.x[row] = pf.tx[row]
            pos.y[row] = pf.ty[row]
            wps = pf.waypoints[row]
            nxt = int(pf.index[row]) + 1
            if nxt < len(wps):
                pf.index[row] = nxt
                pf.tx[row], pf.ty[row] = wps[nxt]
            else:
                pf.active[row] = False
                pf.waypoints[row] = ()
