"""Spatial queries on the physics world: raycasts, line of sight, overlap, nearest.

Every query answers from the state after the last physics step, returns entity ids
(``MAP_ENTITY`` for map geometry) and orders results so that the same state always
gives the same answer: by fraction or distance first, then by entity id.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pymunk

from astraweave.errors import PhysicsQueryError
from astraweave.physics._bodies import ShapeSpec, build_shape
from astraweave.physics._components import ALL_LAYERS, Collider

if TYPE_CHECKING:
    from astraweave.physics._space import DeterministicSpace

__all__ = ["QueryMixin", "RayHit"]

_BOX_PAD_M = 1e-6
"""Padding (m) of the box whose shapes a segment query tests (end-point contacts)."""


@dataclass(frozen=True, slots=True)
class RayHit:
    """Where a ray met a shape.

    Attributes:
        entity: the entity hit (``MAP_ENTITY`` for map geometry).
        point: the hit point ``(x, y)`` in metres.
        normal: the unit surface normal ``(x, y)`` at the hit point.
        fraction: how far along the ray, 0 at ``start`` and 1 at ``end``.
    """

    entity: int
    point: tuple[float, float]
    normal: tuple[float, float]
    fraction: float


def _point(name: str, query: str, value: Any) -> tuple[float, float]:
    try:
        x, y = float(value[0]), float(value[1])
    except (TypeError, ValueError, IndexError):
        raise PhysicsQueryError(
            f"{query}: {name} must be a point (x, y), got {value!r:.60}",
            query=query,
            argument=name,
            value=value,
        ) from None
    if not (math.isfinite(x) and math.isfinite(y)) or len(value) != 2:
        raise PhysicsQueryError(
            f"{query}: {name} must be two finite coordinates, got {value!r:.60}",
            query=query,
            argument=name,
            value=value,
        )
    return x, y


def _mask(query: str, mask: int) -> pymunk.ShapeFilter:
    if not isinstance(mask, int) or isinstance(mask, bool) or not 0 <= mask <= ALL_LAYERS:
        raise PhysicsQueryError(
            f"{query}: mask must be an int of 32 bits, got {mask!r}",
            query=query,
            argument="mask",
            value=mask,
            hint="combine layer bits with |, or use ALL_LAYERS",
        )
    return pymunk.ShapeFilter(group=0, categories=ALL_LAYERS, mask=mask)


def _distance(query: str, name: str, value: float) -> float:
    v = float(value)
    if not (math.isfinite(v) and v >= 0):
        raise PhysicsQueryError(
            f"{query}: {name} must be a finite distance >= 0 m, got {value!r}",
            query=query,
            argument=name,
            value=value,
        )
    return v


class QueryMixin:
    """Query methods of :class:`~astraweave.physics.PhysicsWorld`."""

    space: DeterministicSpace
    _shape_entity: dict[int, int]

    def _entity_of(self, shape: pymunk.Shape | None) -> int | None:
        if shape is None:
            return None
        return self._shape_entity.get(shape._hashid)

    def _segment_query(
        self,
        a: tuple[float, float],
        b: tuple[float, float],
        radius: float,
        filt: pymunk.ShapeFilter,
    ) -> list[pymunk.SegmentQueryInfo]:
        # Test every shape in the swept box. The spatial hash's own segment query walks
        # only the cells under the thin ray: it misses shapes only a swept disc touches,
        # and a ray running exactly along a cell boundary (found by hypothesis: a ray
        # from (0, 0) to (-1, 0) missed a disc of radius 0.5 centred at (-1, 0)).
        pad = radius + _BOX_PAD_M  # a hit exactly at an end point is still inside the box
        box = pymunk.BB(
            min(a[0], b[0]) - pad,
            min(a[1], b[1]) - pad,
            max(a[0], b[0]) + pad,
            max(a[1], b[1]) + pad,
        )
        out: list[pymunk.SegmentQueryInfo] = []
        for shape in self.space.bb_query(box, filt):
            info = shape.segment_query(a, b, radius)
            if info is not None:  # None: the swept disc misses this shape
                out.append(info)
        return out

    def raycast_all(
        self,
        start: Sequence[float],
        end: Sequence[float],
        *,
        mask: int = ALL_LAYERS,
        radius: float = 0.0,
        include_sensors: bool = False,
        ignore: Iterable[int] = (),
    ) -> list[RayHit]:
        """Every shape the segment ``start -> end`` meets, nearest first.

        Args:
            start, end: ray end points ``(x, y)`` in metres (must differ).
            mask: layer bits a shape must be on to be hit (default every layer).
            radius: sweep a disc of this radius (m) instead of a thin ray.
            include_sensors: also report sensor shapes (default False).
            ignore: entities to skip (e.g. the caster itself).

        Returns:
            One :class:`RayHit` per shape, sorted by ``(fraction, entity)``. An entity
            whose shape is hit twice (a ray entering and leaving map boxes) may
            appear once per shape.

        Raises:
            PhysicsQueryError: a point is not finite, ``start == end``, a bad mask or
                a negative radius.

        Example:
            >>> from astraweave.physics import PhysicsWorld
            >>> physics = PhysicsWorld()
            >>> _ = physics.add_static_boxes([(2.0, -1.0, 1.0, 2.0), (5.0, -1.0, 1.0, 2.0)])
            >>> [round(h.fraction, 3) for h in physics.raycast_all((0.0, 0.0), (10.0, 0.0))]
            [0.2, 0.5]
        """
        a = _point("start", "raycast", start)
        b = _point("end", "raycast", end)
        if a == b:
            raise PhysicsQueryError(
                "raycast: start and end are the same point",
                query="raycast",
                argument="end",
                value=end,
                hint="use nearest() or overlap() for a point query",
            )
        filt = _mask("raycast", mask)
        r = _distance("raycast", "radius", radius)
        skip = {int(e) for e in ignore}
        hits: list[RayHit] = []
        for info in self._segment_query(a, b, r, filt):
            shape = info.shape
            entity = self._entity_of(shape)
            if entity is None or entity in skip or (shape.sensor and not include_sensors):
                continue
            hits.append(
                RayHit(
                    entity,
                    (float(info.point.x) + 0.0, float(info.point.y) + 0.0),
                    (float(info.normal.x) + 0.0, float(info.normal.y) + 0.0),
                    float(info.alpha),
                )
            )
        hits.sort(key=lambda h: (h.fraction, h.entity, h.point, h.normal))
        return hits

    def raycast(
        self,
        start: Sequence[float],
        end: Sequence[float],
        *,
        mask: int = ALL_LAYERS,
        radius: float = 0.0,
        include_sensors: bool = False,
        ignore: Iterable[int] = (),
    ) -> RayHit | None:
        """The first shape the segment ``start -> end`` meets, or ``None``.

        Arguments and errors as :meth:`raycast_all`; ties in fraction go to the
        smaller entity id.

        Example:
            >>> from astraweave.physics import PhysicsWorld
            >>> physics = PhysicsWorld()
            >>> _ = physics.add_static_boxes([(2.0, -1.0, 1.0, 2.0)])
            >>> hit = physics.raycast((0.0, 0.0), (10.0, 0.0))
            >>> hit.entity, hit.point, hit.normal, round(hit.fraction, 3)
            (-1, (2.0, 0.0), (-1.0, 0.0), 0.2)
        """
        hits = self.raycast_all(
            start, end, mask=mask, radius=radius, include_sensors=include_sensors, ignore=ignore
        )
        return hits[0] if hits else None

    def line_of_sight(
        self,
        a: Sequence[float],
        b: Sequence[float],
        *,
        mask: int = ALL_LAYERS,
        ignore: Iterable[int] = (),
    ) -> bool:
        """True when nothing on ``mask`` (other than ``ignore``) blocks ``a -> b``.

        Sensors never block. ``a == b`` is always in sight.

        Raises:
            PhysicsQueryError: a point is not finite or a bad mask.

        Example:
            >>> from astraweave.physics import PhysicsWorld
            >>> physics = PhysicsWorld()
            >>> _ = physics.add_static_boxes([(2.0, -1.0, 1.0, 2.0)])
            >>> physics.line_of_sight((0.0, 0.0), (5.0, 0.0))
            False
            >>> physics.line_of_sight((0.0, 3.0), (5.0, 3.0))
            True
        """
        pa = _point("a", "line_of_sight", a)
        pb = _point("b", "line_of_sight", b)
        _mask("line_of_sight", mask)
        if pa == pb:
            return True
        return not self.raycast_all(pa, pb, mask=mask, ignore=ignore)

    def overlap(
        self,
        shape: Collider,
        at: Sequence[float],
        *,
        angle: float = 0.0,
        mask: int = ALL_LAYERS,
        include_sensors: bool = False,
    ) -> list[int]:
        """Entities whose shapes overlap ``shape`` placed at ``at`` (and ``angle`` rad).

        Args:
            shape: a :class:`Collider` value describing the probe (its ``layers``,
                ``mask`` and ``sensor`` are ignored; ``mask`` below filters).
            at: where to place the probe's origin, ``(x, y)`` m.
            angle: probe rotation in radians.
            mask: layer bits a shape must be on to be reported.
            include_sensors: also report sensor shapes.

        Returns:
            Sorted, distinct entity ids (``MAP_ENTITY`` first when a wall overlaps).

        Raises:
            ColliderError: the probe shape is invalid.
            PhysicsQueryError: ``at`` or ``angle`` is not finite, or a bad mask.

        Example:
            >>> from astraweave.physics import PhysicsWorld, Collider
            >>> physics = PhysicsWorld()
            >>> _ = physics.add_static_boxes([(2.0, -1.0, 1.0, 2.0)])
            >>> probe = Collider(radius=0.5)
            >>> physics.overlap(probe, (1.6, 0.0)), physics.overlap(probe, (1.0, 0.0))
            ([-1], [])
        """
        x, y = _point("at", "overlap", at)
        ang = float(angle)
        if not math.isfinite(ang):
            raise PhysicsQueryError(
                f"overlap: angle must be finite, got {angle!r}",
                query="overlap",
                argument="angle",
                value=angle,
            )
        filt = _mask("overlap", mask)
        spec = ShapeSpec(
            kind=shape.shape,
            radius=shape.radius,
            width=shape.width,
            height=shape.height,
            vertices=shape.vertices,
            friction=0.0,
            restitution=0.0,
            layers=ALL_LAYERS,
            mask=mask,
            sensor=False,
        )
        body = pymunk.Body(body_type=pymunk.Body.KINEMATIC)
        body.position = (x, y)
        body.angle = ang
        probe = build_shape(body, spec)
        probe.filter = filt
        found: set[int] = set()
        for info in self.space.shape_query(probe):
            entity = self._entity_of(info.shape)
            if entity is None or (info.shape.sensor and not include_sensors):
                continue
            found.add(entity)
        return sorted(found)

    def nearest(
        self,
        point: Sequence[float],
        max_distance: float,
        *,
        mask: int = ALL_LAYERS,
        include_sensors: bool = False,
        ignore: Iterable[int] = (),
    ) -> tuple[int, float] | None:
        """The entity whose shape is closest to ``point`` within ``max_distance`` m.

        Returns:
            ``(entity, distance)``, the distance in metres from the point to the
            shape's surface (0 when the point is inside); ties go to the smaller
            entity id. ``None`` when nothing is that close.

        Raises:
            PhysicsQueryError: the point is not finite, a negative distance or a bad mask.

        Example:
            >>> from astraweave.physics import PhysicsWorld
            >>> physics = PhysicsWorld()
            >>> _ = physics.add_static_boxes([(2.0, -1.0, 1.0, 2.0)])
            >>> physics.nearest((0.5, 0.0), 5.0), physics.nearest((0.5, 0.0), 1.0)
            ((-1, 1.5), None)
        """
        p = _point("point", "nearest", point)
        dist = _distance("nearest", "max_distance", max_distance)
        filt = _mask("nearest", mask)
        skip = {int(e) for e in ignore}
        best: tuple[float, int] | None = None
        for info in self.space.point_query(p, dist, filt):
            entity = self._entity_of(info.shape)
            if entity is None or entity in skip or (info.shape.sensor and not include_sensors):
                continue
            cand = (max(float(info.distance), 0.0), entity)
            if best is None or cand < best:
                best = cand
        return None if best is None else (best[1], best[0])
