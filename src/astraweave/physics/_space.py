"""A pymunk Space whose pickled copy continues bit-identically.

pymunk pickles a Space with its bodies, shapes and cached contacts, but a restored
space does not, out of the box, continue exactly like the original. Five causes were
found here (pymunk 7.3), and each is removed:

1. **Broad-phase history.** The default bounding-box tree evolves with every step, so
   a rebuilt tree finds colliding pairs in another order and the solver (Gauss-Seidel)
   rounds differently. :class:`DeterministicSpace` uses Chipmunk's spatial hash, whose
   pair order depends only on the order shapes were inserted, which pickling keeps.
   Removing a shape changes that history, so the physics world never removes shapes
   between rebuilds (see ``PhysicsWorld``: despawned bodies become inert tombstones,
   compacted by a pickle round trip that is itself the canonical form).
2. **Shape hash ids.** pymunk renumbers shapes when re-adding them; the ids seed the
   spatial hash and the contact-matching hashes. They are kept.
3. **Bias velocities.** Chipmunk carries each body's position-correction velocity
   (``v_bias``) from one step into the next and pymunk cannot read or pickle it.
   :func:`settle_bias_velocities` applies and clears it at the end of every tick, so
   nothing unpicklable is pending between ticks.
4. **Cached-contact state.** An arbiter kept only for contact persistence is restored
   as active. The physics world sets ``collision_persistence`` to 1, so every cached
   arbiter after a step is an active one.
5. **Polygon vertex order and the ``swapped`` flag.** A re-created polygon re-runs the
   convex hull, which may rotate its vertex list; :func:`make_poly` builds polygons
   from an order that the hull keeps. Arbiters get their ``swapped`` flag back.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
import pymunk
import pymunk.batch
from pymunk._chipmunk_cffi import lib as _cp

from astraweave.errors import PhysicsStateError, PymunkError

__all__ = [
    "BodyBatch",
    "DeterministicSpace",
    "make_poly",
    "settle_bias_velocities",
]

_BODY_FIELDS = (
    pymunk.batch.BodyFields.BODY_ID
    | pymunk.batch.BodyFields.POSITION
    | pymunk.batch.BodyFields.ANGLE
    | pymunk.batch.BodyFields.VELOCITY
    | pymunk.batch.BodyFields.ANGULAR_VELOCITY
)
_SET_FIELDS = (
    pymunk.batch.BodyFields.POSITION
    | pymunk.batch.BodyFields.ANGLE
    | pymunk.batch.BodyFields.VELOCITY
    | pymunk.batch.BodyFields.ANGULAR_VELOCITY
)
_VEL_FIELDS = pymunk.batch.BodyFields.VELOCITY | pymunk.batch.BodyFields.ANGULAR_VELOCITY
_FULL_GET = _BODY_FIELDS | pymunk.batch.BodyFields.FORCE
_FULL_SET = _SET_FIELDS | pymunk.batch.BodyFields.FORCE


class DeterministicSpace(pymunk.Space):
    """A ``pymunk.Space`` on a spatial hash whose pickle round trip is exact.

    Args:
        threaded: pymunk's threaded solver flag (kept False by astraweave).
        cell_size_m: spatial-hash cell edge in metres.
        cell_count: number of spatial-hash buckets.
    """

    _pickle_attrs_init = ["threaded", "_cell_size_m", "_cell_count"]  # noqa: RUF012  (pymunk's pickle protocol)

    def __init__(
        self, threaded: bool = False, _cell_size_m: float = 1.0, _cell_count: int = 10_007
    ) -> None:
        super().__init__(threaded)
        self._cell_size_m = float(_cell_size_m)
        self._cell_count = int(_cell_count)
        # pymunk's unpickling calls __init__ again: keep the flag __setstate__ set.
        self._keep_hashids: bool = getattr(self, "_keep_hashids", False)
        self.use_spatial_hash(self._cell_size_m, self._cell_count)

    def _add_shape(self, shape: pymunk.Shape) -> None:
        if self._keep_hashids:
            # Chipmunk numbers a shape from the space's counter when it is added;
            # while restoring, make that number the shape's original id.
            _cp.cpSpaceSetShapeIDCounter(self._space, shape._hashid)
        super()._add_shape(shape)

    def __getstate__(self) -> dict[str, list[tuple[str, Any]]]:
        # pymunk's own __getstate__ rebuilds a shape map for every cached arbiter
        # (quadratic); this one builds it once and is otherwise the same.
        state: dict[str, list[tuple[str, Any]]] = pymunk._pickle.PickleMixin.__getstate__(self)
        special = state["special"]
        special.append(("pymunk_version", pymunk.version))
        special.append(("bodies", list(self.bodies)))
        if self._static_body is not None:
            special.append(("_static_body", self._static_body))
        special.append(("shapes", list(self.shapes)))
        special.append(("constraints", list(self.constraints)))
        special.append(("_handlers", []))
        special.append(("shapeIDCounter", _cp.cpSpaceGetShapeIDCounter(self._space)))
        special.append(("stamp", _cp.cpSpaceGetTimestamp(self._space)))
        special.append(("currentTimeStep", _cp.cpSpaceGetCurrentTimeStep(self._space)))
        by_ptr = {shape._shape: shape for shape in self.shapes}
        arbiters = [_arbiter_state(arb, by_ptr) for arb in self._get_arbiters()]
        special.append(("arbiters", arbiters))
        return state

    def __setstate__(self, state: dict[str, list[tuple[str, Any]]]) -> None:
        special = dict(state["special"])
        found = special.get("pymunk_version")
        if found != pymunk.version:
            raise PhysicsStateError(
                f"physics state was saved with pymunk {found}, this is pymunk {pymunk.version}",
                expected=pymunk.version,
                found=found,
                hint="restore snapshots with the pymunk version that wrote them",
            )
        self._keep_hashids = True
        try:
            super().__setstate__(state)
        finally:
            self._keep_hashids = False
        wanted = {(d["a"]._hashid, d["b"]._hashid): d["swapped"] for d in special["arbiters"]}
        by_ptr = {shape._shape: shape for shape in self.shapes}
        for arb in self._get_arbiters():
            key = (by_ptr[arb.a]._hashid, by_ptr[arb.b]._hashid)
            arb.swapped = wanted[key]


def _arbiter_state(arb: Any, by_ptr: dict[Any, pymunk.Shape]) -> dict[str, Any]:
    contacts = []
    for i in range(arb.count):
        c = arb.contacts[i]
        contacts.append(
            {
                "r1": (c.r1.x, c.r1.y),
                "r2": (c.r2.x, c.r2.y),
                "nMass": c.nMass,
                "tMass": c.tMass,
                "bounce": c.bounce,
                "jnAcc": c.jnAcc,
                "jtAcc": c.jtAcc,
                "jBias": c.jBias,
                "bias": c.bias,
                "hash": c.hash,
            }
        )
    return {
        "e": arb.e,
        "u": arb.u,
        "surface_vr": (arb.surface_vr.x, arb.surface_vr.y),
        "a": by_ptr[arb.a],
        "b": by_ptr[arb.b],
        "count": arb.count,
        "contacts": contacts,
        "n": (arb.n.x, arb.n.y),
        "swapped": arb.swapped,
        "stamp": arb.stamp,
        "state": arb.state,
    }


def make_poly(
    body: pymunk.Body | None, vertices: Sequence[tuple[float, float]], radius: float = 0.0
) -> pymunk.Poly:
    """A ``pymunk.Poly`` whose vertex order survives a pickle round trip.

    pymunk re-runs the convex hull when it unpickles a polygon; the hull of a hull
    may start at another vertex, which changes contact ids. This builds the polygon
    from a vertex order that the hull maps to itself.

    Raises:
        PymunkError: no stable order was found (never seen; would be a pymunk change).
    """
    verts = [(float(x), float(y)) for x, y in vertices]
    for _ in range(4):
        hull = [(v.x, v.y) for v in pymunk.Poly(None, verts, radius=radius).get_vertices()]
        if hull == verts:
            return pymunk.Poly(body, verts, radius=radius)
        verts = hull
    raise PymunkError(  # pragma: no cover  (the hull of a hull is stable in pymunk 7)
        f"pymunk's convex hull does not settle for {vertices!r}", operation="make_poly"
    )


class BodyBatch:
    """Reads and writes every body of a space at once through ``pymunk.batch``.

    Rows follow pymunk's body iteration order; columns are
    ``x, y, angle, vx, vy, angular_velocity``. ``ids`` are pymunk body ids.
    """

    __slots__ = ("_arb", "_get", "_set")

    def __init__(self) -> None:
        # Separate buffers: a buffer given memory by set_float_buf must never be
        # grown by a get (pymunk would realloc numpy's memory). pymunk never frees a
        # Buffer's arrays, so these few are made once per world and reused.
        self._get = pymunk.batch.Buffer()
        self._set = pymunk.batch.Buffer()
        self._arb = pymunk.batch.Buffer()

    def read_arbiters(
        self, space: pymunk.Space, fields: pymunk.batch.ArbiterFields
    ) -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.float64]]:
        """``(ints, floats)`` of every cached arbiter (see ``pymunk.batch``), copied."""
        self._arb.clear()
        pymunk.batch.get_space_arbiters(space, fields, self._arb)
        ints = np.frombuffer(self._arb.int_buf(), dtype=np.uintp).astype(np.uint64)
        floats = np.frombuffer(self._arb.float_buf(), dtype=np.float64).copy()
        return ints, floats

    def read(self, space: pymunk.Space) -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.float64]]:
        """``(ids, state)`` of every body; ``state`` has shape ``(n, 6)``."""
        self._get.clear()
        pymunk.batch.get_space_bodies(space, _BODY_FIELDS, self._get)
        ids = np.frombuffer(self._get.int_buf(), dtype=np.uintp).astype(np.uint64)
        state = np.frombuffer(self._get.float_buf(), dtype=np.float64).reshape(-1, 6).copy()
        return ids, state

    def read_full(
        self, space: pymunk.Space
    ) -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.float64]]:
        """Like :meth:`read` with two more columns, the force ``fx, fy`` (N)."""
        self._get.clear()
        pymunk.batch.get_space_bodies(space, _FULL_GET, self._get)
        ids = np.frombuffer(self._get.int_buf(), dtype=np.uintp).astype(np.uint64)
        state = np.frombuffer(self._get.float_buf(), dtype=np.float64).reshape(-1, 8).copy()
        return ids, state

    def write_full(self, space: pymunk.Space, state: npt.NDArray[np.float64]) -> None:
        """Set every body's motion and force from ``state`` of shape ``(n, 8)``."""
        self._set.set_float_buf(np.ascontiguousarray(state, dtype=np.float64).reshape(-1))
        pymunk.batch.set_space_bodies(space, _FULL_SET, self._set)

    def write(self, space: pymunk.Space, state: npt.NDArray[np.float64]) -> None:
        """Set every body's position, angle and velocities from ``state`` (read order)."""
        self._set.set_float_buf(np.ascontiguousarray(state, dtype=np.float64).reshape(-1))
        pymunk.batch.set_space_bodies(space, _SET_FIELDS, self._set)

    def write_velocities(self, space: pymunk.Space, vel: npt.NDArray[np.float64]) -> None:
        """Set every body's ``vx, vy, angular_velocity`` from ``vel`` of shape ``(n, 3)``."""
        self._set.set_float_buf(np.ascontiguousarray(vel, dtype=np.float64).reshape(-1))
        pymunk.batch.set_space_bodies(space, _VEL_FIELDS, self._set)


def settle_bias_velocities(
    space: pymunk.Space, batch: BodyBatch, dynamic: Sequence[pymunk.Body], dt: float
) -> None:
    """Apply and clear the pending position-correction velocity of ``dynamic`` bodies.

    Chipmunk would add ``v_bias * dt`` to the position at the start of the next step;
    this adds it now (velocities are zeroed around ``Body.update_position``), so no
    hidden state is carried between ticks.
    """
    if not dynamic or not math.isfinite(dt):
        return
    _, state = batch.read(space)
    saved = state[:, 3:6].copy()
    batch.write_velocities(space, np.zeros_like(saved))
    update = pymunk.Body.update_position
    for body in dynamic:
        update(body, dt)
    batch.write_velocities(space, saved)
