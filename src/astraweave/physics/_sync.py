"""Keeping the pymunk space and the ECS in step, vectorised per chunk.

Before the step (:func:`push_to_space`): bodies are created for new entities (those
with ``Position`` and ``Collider``), removed for entities that lost them or died,
rebuilt when their shape or body kind changed, and the positions, velocities and
headings that something other than physics changed since the last step are pushed
to the bodies (with per-body damping). After the step (:func:`pull_from_space`):
positions, velocities and headings are written back, collision events are sent and
``CollisionCount`` is updated.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pymunk

from astraweave.ecs import Heading, Position, Velocity, World
from astraweave.errors import NonFiniteStateError
from astraweave.physics._bodies import BodySpec, ShapeSpec
from astraweave.physics._components import (
    MAP_ENTITY,
    BodyKind,
    Collider,
    CollisionCount,
    CollisionEnded,
    CollisionStarted,
    RigidBody,
)
from astraweave.physics._world import PhysicsWorld

__all__ = ["gather", "pull_from_space", "push_to_space", "touching_pairs"]

# Signature columns: a change in the first _REBUILD columns (or the vertices) rebuilds
# the body; a change in the others updates the shape's surface in place.
_SIG = (
    "kind",
    "mass",
    "fixed_rotation",
    "shape",
    "radius",
    "width",
    "height",
    "friction",
    "restitution",
    "layers",
    "mask",
    "sensor",
)
_REBUILD = 7
_NO_BODY = (float(BodyKind.STATIC), 1.0, 0.0)


@dataclass(slots=True)
class Frame:
    """The ECS side of all physics entities at one moment, sorted by entity."""

    entities: npt.NDArray[np.int64]
    pos: npt.NDArray[np.float64]  # (n, 2)
    vel: npt.NDArray[np.float64]  # (n, 2), zeros where there is no Velocity
    has_vel: npt.NDArray[np.bool_]
    heading: npt.NDArray[np.float64]  # zeros where there is no Heading
    has_heading: npt.NDArray[np.bool_]
    damping: npt.NDArray[np.float64]
    sig: npt.NDArray[np.float64]  # (n, len(_SIG))
    verts: npt.NDArray[Any]  # object

    def specs(self, i: int) -> tuple[BodySpec, ShapeSpec]:
        """Checked body and shape specs of row ``i``."""
        s = self.sig[i]
        e = int(self.entities[i])
        body = BodySpec(
            kind=int(s[0]),
            mass=s[1],
            linear_damping=float(self.damping[i]),
            fixed_rotation=bool(s[2]),
            entity=e,
        )
        shape = ShapeSpec(
            kind=int(s[3]),
            radius=s[4],
            width=s[5],
            height=s[6],
            vertices=self.verts[i],
            friction=s[7],
            restitution=s[8],
            layers=int(s[9]),
            mask=int(s[10]),
            sensor=bool(s[11]),
            entity=e,
        )
        return body, shape


def gather(world: World) -> Frame:
    """Collect every physics entity's components into one :class:`Frame`."""
    ents: list[npt.NDArray[np.int64]] = []
    pos: list[npt.NDArray[np.float64]] = []
    vel: list[npt.NDArray[np.float64]] = []
    has_vel: list[npt.NDArray[np.bool_]] = []
    head: list[npt.NDArray[np.float64]] = []
    has_head: list[npt.NDArray[np.bool_]] = []
    damp: list[npt.NDArray[np.float64]] = []
    sig: list[npt.NDArray[np.float64]] = []
    verts: list[npt.NDArray[Any]] = []
    query = world.query(Position, Collider, optional=(RigidBody, Velocity, Heading))
    for chunk in query:
        n = len(chunk)
        ents.append(chunk.entities)
        p = chunk[Position]
        pos.append(np.column_stack((p.x, p.y)))
        v = chunk.get(Velocity)
        if v is None:
            vel.append(np.zeros((n, 2)))
            has_vel.append(np.zeros(n, dtype=np.bool_))
        else:
            vel.append(np.column_stack((v.x, v.y)))
            has_vel.append(np.ones(n, dtype=np.bool_))
        h = chunk.get(Heading)
        head.append(np.zeros(n) if h is None else np.array(h.angle, dtype=np.float64))
        has_head.append(np.full(n, h is not None, dtype=np.bool_))
        s = np.empty((n, len(_SIG)), dtype=np.float64)
        rb = chunk.get(RigidBody)
        if rb is None:
            s[:, 0:3] = _NO_BODY
            damp.append(np.zeros(n))
        else:
            s[:, 0] = rb.kind
            s[:, 1] = rb.mass
            s[:, 2] = rb.fixed_rotation
            damp.append(np.array(rb.linear_damping, dtype=np.float64))
        c = chunk[Collider]
        for j, name in enumerate(_SIG[3:], start=3):
            s[:, j] = getattr(c, name)
        sig.append(s)
        verts.append(c.vertices)
    if not ents:
        z = np.zeros(0)
        return Frame(
            np.zeros(0, dtype=np.int64),
            np.zeros((0, 2)),
            np.zeros((0, 2)),
            np.zeros(0, dtype=np.bool_),
            z,
            np.zeros(0, dtype=np.bool_),
            z,
            np.zeros((0, len(_SIG))),
            np.zeros(0, dtype=object),
        )
    e = np.concatenate(ents)
    order = np.argsort(e, kind="stable")
    v_all = np.concatenate(verts)
    return Frame(
        e[order],
        np.concatenate(pos)[order],
        np.concatenate(vel)[order],
        np.concatenate(has_vel)[order],
        np.concatenate(head)[order],
        np.concatenate(has_head)[order],
        np.concatenate(damp)[order],
        np.concatenate(sig)[order],
        v_all[order],
    )


def _check_finite(frame: Frame) -> None:
    finite = (np.isfinite(a).all() for a in (frame.pos, frame.vel, frame.heading))
    if all(finite):
        return  # the common case; absent components are stored as zeros
    checks = (
        ("Position", "x/y", np.isfinite(frame.pos).all(axis=1)),
        ("Velocity", "x/y", np.isfinite(frame.vel).all(axis=1) | ~frame.has_vel),
        ("Heading", "angle", np.isfinite(frame.heading) | ~frame.has_heading),
    )
    for component, field, ok in checks:
        if not ok.all():
            bad = int(frame.entities[int(np.flatnonzero(~ok)[0])])
            raise NonFiniteStateError(
                f"entity {bad} has a non-finite {component}.{field}; physics cannot use it",
                entity=bad,
                component=component,
                field=field,
                hint="find the system that wrote NaN or inf (division by zero?)",
            )


def _row_changed(a: npt.NDArray[Any], b: npt.NDArray[Any]) -> npt.NDArray[np.bool_]:
    return np.asarray(a != b, dtype=np.bool_)


def push_to_space(world: World, physics: PhysicsWorld) -> None:
    """Bring the space in line with the ECS before the step (see module docstring).

    Raises:
        NonFiniteStateError: a position, velocity or heading is NaN or infinite.
        RigidBodyError, ColliderError: a new or changed component is invalid.
    """
    if physics.needs_compaction():
        physics.compact()
    frame = gather(world)
    _check_finite(frame)
    ents = frame.entities
    known = physics._synced
    same = np.array_equal(ents, known)
    if not same:
        # Entities that left (despawned or lost Position/Collider).
        for e in known[~np.isin(known, ents)].tolist():
            if physics.has_body(e):
                physics.remove_body(e)
    # Entities whose shape or kind changed: rebuild; surface changes: in place.
    in_known = np.ones(len(ents), dtype=np.bool_) if same else np.isin(ents, known)
    rows_known = np.flatnonzero(in_known)
    old_rows = rows_known if same else np.searchsorted(known, ents[rows_known])
    rebuild_rows: list[int] = []
    if len(old_rows):
        diff = frame.sig[rows_known] != physics._last_sig[old_rows]
        verts_changed = _row_changed(frame.verts[rows_known], physics._last_verts[old_rows])
        need_rebuild = diff[:, :_REBUILD].any(axis=1) | verts_changed
        need_surface = diff[:, _REBUILD:].any(axis=1) & ~need_rebuild
        rebuild_rows = rows_known[need_rebuild].tolist()
        for i in rebuild_rows:
            physics.remove_body(int(ents[i]))
        for i in rows_known[need_surface].tolist():
            physics.update_surface(int(ents[i]), frame.specs(i)[1])
    # New bodies (and rebuilt ones), in entity order; damping applies from the start.
    for i in sorted(np.flatnonzero(~in_known).tolist() + rebuild_rows):
        body_spec, shape_spec = frame.specs(i)
        vel = frame.vel[i] * math.exp(-body_spec.linear_damping * world.dt)
        physics.add_body(
            int(ents[i]),
            body_spec,
            shape_spec,
            frame.pos[i],
            float(frame.heading[i]),
            vel if frame.has_vel[i] else None,
        )
    existing = in_known.copy()
    existing[rebuild_rows] = False
    _push_motion(world, physics, frame, existing)
    physics._synced = ents
    physics._last_sig = frame.sig
    physics._last_verts = frame.verts


def _push_motion(
    world: World,
    physics: PhysicsWorld,
    frame: Frame,
    existing: npt.NDArray[np.bool_],
) -> None:
    """Push ECS-side changes of motion since the last pull, and per-body damping."""
    ents = frame.entities
    last_e, last = physics._last_entities, physics._last_state
    if np.array_equal(ents, last_e):
        rows = np.flatnonzero(existing)
        prev = last if len(rows) == len(ents) else last[rows]
    else:
        rows = np.flatnonzero(existing & np.isin(ents, last_e))
        prev = last[np.searchsorted(last_e, ents[rows])]
    pos_ch = (frame.pos[rows] != prev[:, 0:2]).any(axis=1)
    head_ch = frame.has_heading[rows] & (frame.heading[rows] != prev[:, 2])
    vel_ch = frame.has_vel[rows] & (frame.vel[rows] != prev[:, 3:5]).any(axis=1)
    damped = frame.damping[rows] > 0
    if not (pos_ch.any() or head_ch.any() or vel_ch.any() or damped.any()):
        return
    ids, state = physics.batch.read_full(physics.space)
    body_ent = physics.entities_of_bodies(ids)
    # Row in `state` for each existing entity row.
    order = np.argsort(body_ent, kind="stable")
    srow = order[np.searchsorted(body_ent[order], ents[rows])]
    kinds = frame.sig[rows, 0]
    state[srow[pos_ch], 0:2] = frame.pos[rows][pos_ch]
    state[srow[head_ch], 2] = frame.heading[rows][head_ch]
    # Kinematic: the new velocity is set. Dynamic: it becomes the force m dv / h of the
    # next sub-step, so it enters in the velocity phase, where contacts still
    # constrain it (set directly, it would move the body into a wall first).
    kin = vel_ch & (kinds == BodyKind.KINEMATIC)
    state[srow[kin], 3:5] = frame.vel[rows][kin]
    dyn = vel_ch & (kinds == BodyKind.DYNAMIC)
    if dyn.any():
        h = world.dt / physics.config.substeps
        mass = frame.sig[rows, 1][dyn]
        dv = frame.vel[rows][dyn] - state[srow[dyn], 3:5]
        state[srow[dyn], 6:8] += dv * (mass / h)[:, None]
    if damped.any():
        factor = np.exp(-frame.damping[rows][damped] * world.dt)
        state[srow[damped], 3:5] *= factor[:, None]
        state[srow[damped], 5] *= factor
    physics.batch.write_full(physics.space, state)
    static_moved = pos_ch | head_ch
    for i in np.flatnonzero(static_moved & (kinds == BodyKind.STATIC)).tolist():
        body: pymunk.Body = physics.unsafe_body(int(ents[rows[i]]))
        physics.space.reindex_shapes_for_body(body)


def touching_pairs(
    physics: PhysicsWorld, ents: npt.NDArray[np.int64], state: npt.NDArray[np.float64]
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float64]]:
    """Entity pairs whose shapes overlap after the last step.

    Args:
        physics: the physics world.
        ents, state: :meth:`PhysicsWorld.read_state` (for the midpoints of sensor
            overlaps, which have no contact points).

    Returns:
        ``(pairs, contact)``: ``pairs`` of shape ``(k, 2)`` with ``a < b``, sorted and
        distinct; ``contact`` rows ``px, py, nx, ny`` (point, normal from a to b).
    """
    f = pymunk.batch.ArbiterFields
    # pymunk writes the fields in flag order: ints a, b, count; floats n, point a, point b.
    fields = f.BODY_A_ID | f.BODY_B_ID | f.CONTACT_COUNT | f.NORMAL | f.POINT_A_1 | f.POINT_B_1
    raw_ints, raw_floats = physics.batch.read_arbiters(physics.space, fields)
    ints = raw_ints.reshape(-1, 3)
    floats = raw_floats.reshape(-1, 6)
    ea = physics.entities_of_bodies(ints[:, 0])
    eb = physics.entities_of_bodies(ints[:, 1])
    keep = (ea > -2) & (eb > -2) & (ea != eb)
    ea, eb, count, floats = ea[keep], eb[keep], ints[keep, 2], floats[keep]
    swap = ea > eb
    a = np.where(swap, eb, ea)
    b = np.where(swap, ea, eb)
    normal = np.where(swap[:, None], -floats[:, 0:2], floats[:, 0:2])
    point = (floats[:, 2:4] + floats[:, 4:6]) / 2.0  # midway between the surfaces
    sensor = count == 0
    if sensor.any():
        normal[sensor] = 0.0
        point[sensor] = _midpoints(a[sensor], b[sensor], ents, state)
    contact = np.column_stack((point, normal))
    order = np.lexsort((contact[:, 3], contact[:, 2], contact[:, 1], contact[:, 0], b, a))
    a, b, contact = a[order], b[order], contact[order]
    first = np.ones(len(a), dtype=np.bool_)
    first[1:] = (a[1:] != a[:-1]) | (b[1:] != b[:-1])
    pairs = np.column_stack((a[first], b[first])).astype(np.int64)
    return pairs, contact[first]


def _midpoints(
    a: npt.NDArray[np.int64],
    b: npt.NDArray[np.int64],
    ents: npt.NDArray[np.int64],
    state: npt.NDArray[np.float64],
) -> npt.NDArray[np.float64]:
    """Midpoint of the two bodies of each pair (the other body's position for map pairs)."""
    pos_b = state[np.searchsorted(ents, b), 0:2]
    on_map = a == MAP_ENTITY
    pos_a = state[np.searchsorted(ents, np.where(on_map, b, a)), 0:2]
    return np.asarray((pos_a + pos_b) / 2.0, dtype=np.float64)


def _pair_keys(pairs: npt.NDArray[np.int64]) -> npt.NDArray[np.void]:
    return np.ascontiguousarray(pairs).view(np.dtype((np.void, 16))).ravel()


def pull_from_space(world: World, physics: PhysicsWorld) -> None:
    """Write body motion back to the ECS, send collision events, update counters."""
    ents, state = physics.read_state()
    query = world.query(Position, Collider, optional=(Velocity, Heading))
    for chunk in query:
        # Every entity of these chunks normally got its body in push_to_space,
        # earlier in this stage; any other one (spawned directly between the two)
        # is left alone until the next push.
        rows = np.minimum(np.searchsorted(ents, chunk.entities), max(len(ents) - 1, 0))
        ok = ents[rows] == chunk.entities if len(ents) else np.zeros(len(chunk), dtype=np.bool_)
        sel: npt.NDArray[np.int64] | slice = slice(None)
        if not ok.all():
            rows, sel = rows[ok], np.flatnonzero(ok)
        st = state[rows]
        p = chunk[Position]
        p.x[sel] = st[:, 0]
        p.y[sel] = st[:, 1]
        v = chunk.get(Velocity)
        if v is not None:
            v.x[sel] = st[:, 3]
            v.y[sel] = st[:, 4]
        h = chunk.get(Heading)
        if h is not None:
            h.angle[sel] = st[:, 2]
    physics._last_state = state
    physics._last_entities = ents
    _collisions(world, physics, ents, state)


def _collisions(
    world: World,
    physics: PhysicsWorld,
    ents: npt.NDArray[np.int64],
    state: npt.NDArray[np.float64],
) -> None:
    pairs, contact = touching_pairs(physics, ents, state)
    old = physics.touching
    if np.array_equal(pairs, old):
        started = np.zeros(len(pairs), dtype=np.bool_)
        ended = np.zeros(len(old), dtype=np.bool_)
    else:
        new_keys, old_keys = _pair_keys(pairs), _pair_keys(old)
        started = ~np.isin(new_keys, old_keys)
        ended = ~np.isin(old_keys, new_keys)
    for (a, b), c in zip(pairs[started].tolist(), contact[started].tolist(), strict=True):
        world.send(CollisionStarted(a, b, (c[0], c[1]), (c[2], c[3])))
    for a, b in old[ended].tolist():
        world.send(CollisionEnded(a, b))
    physics.touching = pairs
    # Counters: one "started" per event naming the entity; "touching" = current pairs.
    st_ids = pairs[started].ravel()
    cur_ids = pairs.ravel()
    for chunk in world.query(CollisionCount):
        counts = chunk[CollisionCount]
        e = chunk.entities
        counts.started[:] += _count_in(e, st_ids)
        counts.touching[:] = _count_in(e, cur_ids)


def _count_in(entities: npt.NDArray[np.int64], ids: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    if not len(ids):
        return np.zeros(len(entities), dtype=np.int64)
    uniq, counts = np.unique(ids[ids != MAP_ENTITY], return_counts=True)
    if not len(uniq):
        return np.zeros(len(entities), dtype=np.int64)
    pos = np.minimum(np.searchsorted(uniq, entities), len(uniq) - 1)
    return np.where(uniq[pos] == entities, counts[pos], 0)
