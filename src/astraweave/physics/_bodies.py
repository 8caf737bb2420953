"""Building pymunk bodies and shapes from components, with our own precondition checks.

pymunk validates with ``assert`` (stripped by ``python -O``); every value is checked
here first and a typed error names the entity, the field and the fix.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import pymunk

from astraweave.errors import ColliderError, PymunkError, RigidBodyError
from astraweave.physics._components import ALL_LAYERS, BodyKind, ShapeKind
from astraweave.physics._space import make_poly

__all__ = ["BodySpec", "ShapeSpec", "build_body", "build_shape", "filter_for", "moment_for"]

_MIN_AREA_M2 = 1e-12


class ShapeSpec:
    """Checked collider values (plain Python), from a ``Collider`` row or instance."""

    __slots__ = (
        "friction",
        "height",
        "kind",
        "layers",
        "mask",
        "radius",
        "restitution",
        "sensor",
        "vertices",
        "width",
    )

    def __init__(
        self,
        *,
        kind: int,
        radius: float,
        width: float,
        height: float,
        vertices: Any,
        friction: float,
        restitution: float,
        layers: int,
        mask: int,
        sensor: bool,
        entity: int | None = None,
    ) -> None:
        try:
            self.kind = ShapeKind(int(kind))
        except ValueError:
            raise ColliderError(
                f"Collider.shape {kind!r} of entity {entity} is not a ShapeKind "
                f"({', '.join(f'{k.name}={k.value}' for k in ShapeKind)})",
                entity=entity,
                field="shape",
                value=kind,
            ) from None
        self.radius = float(radius)
        self.width = float(width)
        self.height = float(height)
        self.friction = float(friction)
        self.restitution = float(restitution)
        self.layers = int(layers)
        self.mask = int(mask)
        self.sensor = bool(sensor)
        self.vertices = _points(vertices, entity, self.kind)
        self._check(entity)

    def _fail(self, entity: int | None, field: str, value: Any, why: str, hint: str) -> None:
        raise ColliderError(
            f"Collider of entity {entity} ({self.kind.name}): {field}={value!r} {why}",
            entity=entity,
            shape=self.kind.name,
            field=field,
            value=value,
            hint=hint,
        )

    def _check(self, entity: int | None) -> None:
        k = self.kind
        for name in ("radius", "width", "height", "friction", "restitution"):
            v = getattr(self, name)
            if not math.isfinite(v):
                self._fail(entity, name, v, "is not finite", "use a finite number")
        if k in (ShapeKind.CIRCLE, ShapeKind.CAPSULE) and self.radius <= 0:
            self._fail(entity, "radius", self.radius, "must be > 0 m", "give a positive radius")
        if k is ShapeKind.SEGMENT and self.radius < 0:
            self._fail(entity, "radius", self.radius, "must be >= 0 m", "use 0 for a thin wall")
        if k is ShapeKind.BOX:
            for name in ("width", "height"):
                if getattr(self, name) <= 0:
                    self._fail(entity, name, getattr(self, name), "must be > 0 m", "")
        if k is ShapeKind.CAPSULE and self.width <= 2 * self.radius:
            self._fail(
                entity,
                "width",
                self.width,
                f"must exceed 2 * radius = {2 * self.radius} m (overall length)",
                "use ShapeKind.CIRCLE for a round shape",
            )
        if k is ShapeKind.POLYGON:
            self._check_polygon(entity)
        if k is ShapeKind.SEGMENT:
            if self.vertices is None or len(self.vertices) != 2:
                self._fail(entity, "vertices", self.vertices, "must be two end points", "")
            elif self.vertices[0] == self.vertices[1]:
                self._fail(entity, "vertices", self.vertices, "has equal end points", "")
        if self.friction < 0:
            self._fail(entity, "friction", self.friction, "must be >= 0", "")
        if not 0.0 <= self.restitution <= 1.0:
            self._fail(entity, "restitution", self.restitution, "must be in [0, 1]", "")
        for name in ("layers", "mask"):
            v = getattr(self, name)
            if not 0 <= v <= ALL_LAYERS:
                self._fail(entity, name, v, "must fit 32 bits", "use bits 0..31 (ALL_LAYERS)")

    def _check_polygon(self, entity: int | None) -> None:
        pts = self.vertices
        if pts is None or len(pts) < 3:
            self._fail(entity, "vertices", pts, "needs at least 3 points", "")
            return
        hull = [(v.x, v.y) for v in pymunk.Poly(None, list(pts)).get_vertices()]
        area = 0.5 * abs(
            sum(
                x0 * y1 - x1 * y0
                for (x0, y0), (x1, y1) in zip(hull, hull[1:] + hull[:1], strict=True)
            )
        )
        if area <= _MIN_AREA_M2:
            self._fail(entity, "vertices", pts, "is degenerate (zero area)", "")
        if len(hull) != len(set(pts)):
            self._fail(
                entity,
                "vertices",
                pts,
                "is not convex (or has collinear points)",
                "split concave outlines into convex pieces (one entity each)",
            )


def _points(
    vertices: Any, entity: int | None, kind: ShapeKind
) -> tuple[tuple[float, float], ...] | None:
    if vertices is None:
        return None
    try:
        pts = tuple((float(x), float(y)) for x, y in vertices)
    except (TypeError, ValueError):
        raise ColliderError(
            f"Collider.vertices of entity {entity} must be a sequence of (x, y) pairs, "
            f"got {vertices!r:.80}",
            entity=entity,
            shape=kind.name,
            field="vertices",
            value=vertices,
        ) from None
    if not all(math.isfinite(c) for p in pts for c in p):
        raise ColliderError(
            f"Collider.vertices of entity {entity} holds a non-finite coordinate",
            entity=entity,
            shape=kind.name,
            field="vertices",
            value=vertices,
        )
    return pts


class BodySpec:
    """Checked rigid-body values (plain Python)."""

    __slots__ = ("fixed_rotation", "kind", "linear_damping", "mass")

    def __init__(
        self,
        *,
        kind: int,
        mass: float,
        linear_damping: float,
        fixed_rotation: bool,
        entity: int | None = None,
    ) -> None:
        try:
            self.kind = BodyKind(int(kind))
        except ValueError:
            raise RigidBodyError(
                f"RigidBody.kind {kind!r} of entity {entity} is not a BodyKind "
                "(DYNAMIC=0, KINEMATIC=1, STATIC=2)",
                entity=entity,
                field="kind",
                value=kind,
            ) from None
        self.mass = float(mass)
        self.linear_damping = float(linear_damping)
        self.fixed_rotation = bool(fixed_rotation)
        if self.kind is BodyKind.DYNAMIC and not (math.isfinite(self.mass) and self.mass > 0):
            raise RigidBodyError(
                f"RigidBody.mass of dynamic entity {entity} must be finite and > 0 kg, "
                f"got {self.mass!r}",
                entity=entity,
                field="mass",
                value=self.mass,
                hint="give a positive mass, or make the body KINEMATIC or STATIC",
            )
        if not (math.isfinite(self.linear_damping) and self.linear_damping >= 0):
            raise RigidBodyError(
                f"RigidBody.linear_damping of entity {entity} must be finite and >= 0 1/s, "
                f"got {self.linear_damping!r}",
                entity=entity,
                field="linear_damping",
                value=self.linear_damping,
            )


def _capsule_ends(spec: ShapeSpec) -> tuple[tuple[float, float], tuple[float, float]]:
    half = spec.width / 2 - spec.radius
    return (-half, 0.0), (half, 0.0)


def _box_corners(spec: ShapeSpec) -> list[tuple[float, float]]:
    w, h = spec.width / 2, spec.height / 2
    return [(-w, -h), (w, -h), (w, h), (-w, h)]


def moment_for(mass: float, spec: ShapeSpec) -> float:
    """Moment of inertia (kg m²) of ``spec`` with ``mass`` about the body's origin."""
    k = spec.kind
    if k is ShapeKind.CIRCLE:
        return float(pymunk.moment_for_circle(mass, 0.0, spec.radius))
    if k is ShapeKind.BOX:
        return float(pymunk.moment_for_box(mass, (spec.width, spec.height)))
    if k is ShapeKind.CAPSULE:
        a, b = _capsule_ends(spec)
        return float(pymunk.moment_for_segment(mass, a, b, spec.radius))
    if k is ShapeKind.SEGMENT:
        a, b = spec.vertices or ((0.0, 0.0), (0.0, 0.0))
        return float(pymunk.moment_for_segment(mass, a, b, spec.radius))
    return float(pymunk.moment_for_poly(mass, list(spec.vertices or ())))


def filter_for(layers: int, mask: int) -> pymunk.ShapeFilter:
    """The pymunk filter of a shape on ``layers`` that collides with ``mask``."""
    return pymunk.ShapeFilter(group=0, categories=layers, mask=mask)


def build_shape(body: pymunk.Body, spec: ShapeSpec) -> pymunk.Shape:
    """A pymunk shape for ``spec`` attached to ``body`` (not yet added to a space)."""
    k = spec.kind
    shape: pymunk.Shape
    if k is ShapeKind.CIRCLE:
        shape = pymunk.Circle(body, spec.radius)
    elif k is ShapeKind.BOX:
        shape = make_poly(body, _box_corners(spec))
    elif k is ShapeKind.CAPSULE:
        a, b = _capsule_ends(spec)
        shape = pymunk.Segment(body, a, b, spec.radius)
    elif k is ShapeKind.SEGMENT:
        a, b = spec.vertices or ((0.0, 0.0), (1.0, 0.0))
        shape = pymunk.Segment(body, a, b, spec.radius)
    else:
        shape = make_poly(body, list(spec.vertices or ()))
    shape.friction = spec.friction
    shape.elasticity = spec.restitution
    shape.filter = filter_for(spec.layers, spec.mask)
    shape.sensor = spec.sensor
    return shape


def build_body(
    spec: BodySpec,
    shape: ShapeSpec,
    position: Sequence[float],
    angle: float,
    velocity: Sequence[float] | None,
    entity: int | None = None,
) -> pymunk.Body:
    """A pymunk body for ``spec`` at ``position`` (metres) and ``angle`` (radians).

    Raises:
        PymunkError: pymunk rejected the values (translated, raised from its error).
    """
    try:
        if spec.kind is BodyKind.DYNAMIC:
            moment = math.inf if spec.fixed_rotation else moment_for(spec.mass, shape)
            body = pymunk.Body(spec.mass, moment, body_type=pymunk.Body.DYNAMIC)
        elif spec.kind is BodyKind.KINEMATIC:
            body = pymunk.Body(body_type=pymunk.Body.KINEMATIC)
        else:
            body = pymunk.Body(body_type=pymunk.Body.STATIC)
        body.position = (float(position[0]), float(position[1]))
        body.angle = float(angle)
        if velocity is not None and spec.kind is not BodyKind.STATIC:
            body.velocity = (float(velocity[0]), float(velocity[1]))
    except (AssertionError, TypeError, ValueError, OverflowError) as exc:
        raise PymunkError(
            f"pymunk rejected the body of entity {entity}: {exc}",
            operation="build_body",
            entity=entity,
        ) from exc
    return body
