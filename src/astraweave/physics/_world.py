"""PhysicsWorld: the resource that owns the pymunk space and its entity mapping."""

from __future__ import annotations

import math
import pickle
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
import pymunk
import pymunk.batch

from astraweave.errors import PhysicsQueryError, PymunkError
from astraweave.physics._bodies import BodySpec, ShapeSpec, build_body, build_shape, filter_for
from astraweave.physics._components import MAP_ENTITY
from astraweave.physics._config import PhysicsConfig
from astraweave.physics._queries import QueryMixin
from astraweave.physics._space import (
    BodyBatch,
    DeterministicSpace,
    make_poly,
    settle_bias_velocities,
)
from astraweave.physics._tilemap import TileRect

__all__ = ["PhysicsWorld"]

_EMPTY_I64 = np.zeros(0, dtype=np.int64)
_COMPACT_MIN = 64


class PhysicsWorld(QueryMixin):
    """The physics resource: a deterministic pymunk space synced with the ECS.

    The plugin inserts one into the world; systems keep it in step with entities
    that have ``Position`` and ``Collider``. Queries (:meth:`raycast`,
    :meth:`raycast_all`, :meth:`line_of_sight`, :meth:`overlap`, :meth:`nearest`)
    answer from the state after the last physics step.

    It pickles with the world snapshot (bodies, shapes, cached contacts, the
    entity mapping) and its :meth:`state_bytes` enter ``world.hash()``.

    Args:
        config: how to step (see :class:`PhysicsConfig`).

    Example:
        >>> from astraweave.physics import PhysicsWorld
        >>> physics = PhysicsWorld()
        >>> physics.add_static_boxes([(0.0, 0.0, 1.0, 1.0)])
        1
        >>> hit = physics.raycast((-1.0, 0.5), (2.0, 0.5))
        >>> hit.entity, round(hit.fraction, 6)
        (-1, 0.333333)
    """

    def __init__(self, config: PhysicsConfig | None = None) -> None:
        self.config = config if config is not None else PhysicsConfig()
        cfg = self.config
        space = DeterministicSpace(False, cfg.cell_size_m, cfg.cell_count)
        space.gravity = cfg.gravity_mps2
        space.iterations = cfg.iterations
        space.damping = cfg.velocity_kept_per_s
        space.collision_slop = cfg.collision_slop_m
        space.collision_bias = cfg.collision_bias
        # Every cached arbiter after a step is then an active contact (see _space).
        space.collision_persistence = 1
        self.space = space
        self._bodies: dict[int, pymunk.Body] = {}
        self._shapes: dict[int, pymunk.Shape] = {}
        self._specs: dict[int, tuple[BodySpec, ShapeSpec]] = {}
        self._shape_entity: dict[int, int] = {}  # shape hash id -> entity
        self._tombstones: list[tuple[pymunk.Body, pymunk.Shape]] = []
        self._map_shapes: list[pymunk.Shape] = []
        self.touching: npt.NDArray[np.int64] = np.zeros((0, 2), dtype=np.int64)
        self.steps = 0
        # Components seen by the last push, sorted by entity (change detection).
        self._synced = _EMPTY_I64
        # What the last pull wrote to the ECS, sorted by entity: (entities, state).
        self._last_entities = _EMPTY_I64
        self._last_state = np.zeros((0, 6), dtype=np.float64)
        self._last_sig: npt.NDArray[np.float64] = np.zeros((0, 0))
        self._last_verts: npt.NDArray[Any] = np.zeros(0, dtype=object)
        self._reset_transient()

    # ------------------------------------------------------------ transient state
    def _reset_transient(self) -> None:
        self._batch: BodyBatch | None = None
        self._ids_sorted: npt.NDArray[np.uint64] | None = None
        self._ids_entity = _EMPTY_I64
        self._dynamic_by_id: dict[int, pymunk.Body] | None = None

    def _invalidate(self) -> None:
        self._ids_sorted = None
        self._dynamic_by_id = None

    @property
    def batch(self) -> BodyBatch:
        """The batched body reader/writer (created on first use, never pickled)."""
        if self._batch is None:
            self._batch = BodyBatch()
        return self._batch

    def _id_map(self) -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.int64]]:
        if self._ids_sorted is None:
            ids = [self.space.static_body.id]
            ents = [MAP_ENTITY]
            for entity, body in self._bodies.items():
                ids.append(body.id)
                ents.append(entity)
            id_arr = np.array(ids, dtype=np.uint64)
            order = np.argsort(id_arr, kind="stable")
            self._ids_sorted = id_arr[order]
            self._ids_entity = np.array(ents, dtype=np.int64)[order]
        return self._ids_sorted, self._ids_entity

    def entities_of_bodies(self, ids: npt.NDArray[np.uint64]) -> npt.NDArray[np.int64]:
        """Entity of each pymunk body id; ``MAP_ENTITY`` for map geometry, and
        ``-2`` for bodies that belong to no entity (tombstones)."""
        sorted_ids, ents = self._id_map()
        if not len(ids):
            return _EMPTY_I64
        pos = np.searchsorted(sorted_ids, ids)
        pos = np.minimum(pos, len(sorted_ids) - 1)
        found = sorted_ids[pos] == ids
        return np.where(found, ents[pos], -2)

    def dynamic_bodies(self) -> dict[int, pymunk.Body]:
        """Live dynamic bodies by pymunk body id."""
        if self._dynamic_by_id is None:
            dyn = pymunk.Body.DYNAMIC
            self._dynamic_by_id = {b.id: b for b in self._bodies.values() if b.body_type == dyn}
        return self._dynamic_by_id

    def contact_bodies(self) -> list[pymunk.Body]:
        """Dynamic bodies with a contact in the last step, in any order (the only
        ones that can carry a bias velocity: only contacts apply bias impulses)."""
        f = pymunk.batch.ArbiterFields
        ints, _ = self.batch.read_arbiters(self.space, f.BODY_A_ID | f.BODY_B_ID)
        ids = np.unique(ints)
        dyn = self.dynamic_bodies()
        return [dyn[i] for i in ids.tolist() if i in dyn]

    # ------------------------------------------------------------ introspection
    @property
    def body_count(self) -> int:
        """Number of entities that have a body."""
        return len(self._bodies)

    @property
    def static_shape_count(self) -> int:
        """Number of map shapes (boxes) added with :meth:`add_static_boxes`."""
        return len(self._map_shapes)

    @property
    def tombstone_count(self) -> int:
        """Inert bodies of removed entities awaiting compaction (see docs/physics.md)."""
        return len(self._tombstones)

    def entities(self) -> npt.NDArray[np.int64]:
        """Entities that have a body, sorted."""
        return np.array(sorted(self._bodies), dtype=np.int64)

    def has_body(self, entity: int) -> bool:
        """True when ``entity`` has a body in the space."""
        return int(entity) in self._bodies

    def unsafe_body(self, entity: int) -> pymunk.Body:
        """The pymunk body of ``entity`` (escape hatch: changing it bypasses the ECS
        sync and its checks; structural changes to the space break determinism).

        Raises:
            PhysicsQueryError: the entity has no body.
        """
        try:
            return self._bodies[int(entity)]
        except KeyError:
            raise PhysicsQueryError(
                f"entity {entity} has no physics body",
                query="unsafe_body",
                argument="entity",
                value=entity,
                hint="give it Position and Collider and run a tick first",
            ) from None

    def apply_impulse(self, entity: int, impulse: Sequence[float]) -> None:
        """Add ``impulse`` (N s, world frame) at the centre of ``entity``'s body.

        The velocity change shows in ``Velocity`` after the next step.

        Raises:
            PhysicsQueryError: the entity has no body or the impulse is not finite.
        """
        ix, iy = float(impulse[0]), float(impulse[1])
        if not (math.isfinite(ix) and math.isfinite(iy)):
            raise PhysicsQueryError(
                f"impulse {impulse!r} is not finite",
                query="apply_impulse",
                argument="impulse",
                value=impulse,
            )
        body = self.unsafe_body(entity)
        body.apply_impulse_at_local_point((ix, iy), (0.0, 0.0))

    # ------------------------------------------------------------ structure
    def add_body(
        self,
        entity: int,
        body_spec: BodySpec,
        shape_spec: ShapeSpec,
        position: Sequence[float],
        angle: float = 0.0,
        velocity: Sequence[float] | None = None,
    ) -> None:
        """Create the body and shape of ``entity`` (used by the sync system)."""
        body = build_body(body_spec, shape_spec, position, angle, velocity, entity)
        shape = build_shape(body, shape_spec)
        try:
            self.space.add(body, shape)
        except AssertionError as exc:  # pragma: no cover  (our checks come first)
            raise PymunkError(
                f"pymunk refused the body of entity {entity}: {exc}",
                operation="space.add",
                entity=entity,
            ) from exc
        self._bodies[entity] = body
        self._shapes[entity] = shape
        self._specs[entity] = (body_spec, shape_spec)
        self._shape_entity[shape._hashid] = entity
        self._invalidate()

    def remove_body(self, entity: int) -> None:
        """Turn ``entity``'s body into an inert tombstone (see docs/physics.md).

        The shape stops colliding and matching queries at once; the body and shape
        stay in the space (removing them would reorder the broad phase) until enough
        tombstones gather for :meth:`compact`.
        """
        body = self._bodies.pop(entity)
        shape = self._shapes.pop(entity)
        self._specs.pop(entity)
        self._shape_entity.pop(shape._hashid, None)
        shape.filter = filter_for(0, 0)
        shape.sensor = True
        if body.body_type == pymunk.Body.DYNAMIC:
            body.velocity = (0.0, 0.0)
            body.angular_velocity = 0.0
            body.body_type = pymunk.Body.KINEMATIC
        elif body.body_type == pymunk.Body.KINEMATIC:
            body.velocity = (0.0, 0.0)
            body.angular_velocity = 0.0
        self._tombstones.append((body, shape))
        self._invalidate()

    def update_surface(self, entity: int, spec: ShapeSpec) -> None:
        """Apply friction, restitution, layers, mask and sensor of ``spec`` in place."""
        shape = self._shapes[entity]
        shape.friction = spec.friction
        shape.elasticity = spec.restitution
        shape.filter = filter_for(spec.layers, spec.mask)
        shape.sensor = spec.sensor
        body_spec, _ = self._specs[entity]
        self._specs[entity] = (body_spec, spec)

    def needs_compaction(self) -> bool:
        """True when tombstones outnumber live bodies (and at least 64)."""
        return len(self._tombstones) >= max(_COMPACT_MIN, len(self._bodies))

    def compact(self) -> None:
        """Drop tombstones and rebuild the space in its canonical form.

        The rebuild is a pickle round trip, exactly what a snapshot restore does, so
        a compacted world and a restored one continue identically.
        """
        for body, shape in self._tombstones:
            self.space.remove(shape, body)
        self._tombstones = []
        state = (self.space, self._bodies, self._shapes, self._map_shapes)
        space, bodies, shapes, map_shapes = pickle.loads(pickle.dumps(state, protocol=4))
        self.space, self._bodies, self._shapes, self._map_shapes = space, bodies, shapes, map_shapes
        self._shape_entity = {s._hashid: e for e, s in self._shapes.items()}
        self._shape_entity.update({s._hashid: MAP_ENTITY for s in self._map_shapes})
        self._reset_transient()

    def add_static_boxes(
        self,
        rects: Iterable[TileRect | tuple[float, float, float, float]],
        *,
        friction: float = 0.5,
        restitution: float = 0.0,
        layers: int = 1,
        mask: int = 0xFFFF_FFFF,
    ) -> int:
        """Add axis-aligned static boxes ``(x, y, width, height)`` (metres, ``x, y``
        the min corner) as map geometry, reported as ``MAP_ENTITY``.

        Returns:
            The number of boxes added.

        Raises:
            ColliderError: a box has a non-positive or non-finite size, or a surface
                value is out of range.
        """
        added = 0
        for rect in rects:
            x, y, w, h = (float(v) for v in rect)
            spec = ShapeSpec(
                kind=1,
                radius=0.0,
                width=w,
                height=h,
                vertices=None,
                friction=friction,
                restitution=restitution,
                layers=layers,
                mask=mask,
                sensor=False,
                entity=MAP_ENTITY,
            )
            if not (math.isfinite(x) and math.isfinite(y)):
                spec._fail(MAP_ENTITY, "position", (x, y), "is not finite", "")
            corners = [(x, y), (x + w, y), (x + w, y + h), (x, y + h)]
            shape = make_poly(self.space.static_body, corners)
            shape.friction = spec.friction
            shape.elasticity = spec.restitution
            shape.filter = filter_for(spec.layers, spec.mask)
            self.space.add(shape)
            self._map_shapes.append(shape)
            self._shape_entity[shape._hashid] = MAP_ENTITY
            added += 1
        return added

    # ------------------------------------------------------------ state
    def read_state(self) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float64]]:
        """``(entities, state)`` of every entity body, sorted by entity; ``state``
        rows are ``x, y, angle, vx, vy, angular_velocity`` (m, rad, m/s, rad/s)."""
        ids, state = self.batch.read(self.space)
        ents = self.entities_of_bodies(ids)
        keep = ents >= 0
        ents, state = ents[keep], state[keep]
        order = np.argsort(ents, kind="stable")
        return ents[order], state[order]

    def state_bytes(self) -> bytes:
        """Raw bytes of the physics state, for ``world.hash()``.

        Entity ids (int64), then per body ``x, y, angle, vx, vy, angular_velocity``
        as little-endian float64 in entity order, then the touching pairs (int64).
        """
        ents, state = self.read_state()
        return (
            ents.astype("<i8").tobytes()
            + state.astype("<f8").tobytes()
            + self.touching.astype("<i8").tobytes()
        )

    def step(self, dt: float) -> None:
        """Advance the space by ``dt`` seconds in ``config.substeps`` sub-steps.

        Raises:
            PymunkError: pymunk failed during the step.
        """
        n = self.config.substeps
        sub = dt / n
        try:
            for _ in range(n):
                self.space.step(sub)
        except AssertionError as exc:  # pragma: no cover  (bodies are checked on creation)
            raise PymunkError(f"pymunk step failed: {exc}", operation="space.step") from exc
        # Apply and clear the bias velocities now, so that no state pymunk cannot
        # pickle is pending between ticks (see _space.settle_bias_velocities).
        settle_bias_velocities(self.space, self.batch, self.contact_bodies(), sub)
        self.steps += 1

    # ------------------------------------------------------------ pickling
    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        for key in ("_batch", "_ids_sorted", "_ids_entity", "_dynamic_by_id"):
            state.pop(key, None)
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._reset_transient()

    def __repr__(self) -> str:
        return (
            f"PhysicsWorld(bodies={len(self._bodies)}, map_shapes={len(self._map_shapes)}, "
            f"tombstones={len(self._tombstones)}, steps={self.steps})"
        )
