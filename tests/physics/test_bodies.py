import math
import subprocess
import sys

import pytest

from astraweave.ecs import Position
from astraweave.errors import ColliderError, PymunkError, RigidBodyError, UsageError
from astraweave.physics import BodyKind, Collider, RigidBody, ShapeKind, _bodies
from astraweave.physics._bodies import BodySpec, ShapeSpec, build_body

from .conftest import make_app


def _spawn_and_tick(*components: object) -> None:
    app = make_app()
    app.world.spawn(Position(), *components)
    app.tick()


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        (RigidBody(mass=0.0), "mass", "must be finite and > 0 kg, got 0.0"),
        (RigidBody(mass=-1.0), "mass", "must be finite and > 0 kg"),
        (RigidBody(mass=math.inf), "mass", "must be finite and > 0 kg, got inf"),
        (RigidBody(mass=math.nan), "mass", "must be finite and > 0 kg, got nan"),
        (RigidBody(kind=7), "kind", "RigidBody.kind 7 of entity"),
        (RigidBody(linear_damping=-0.5), "linear_damping", "must be finite and >= 0 1/s"),
    ],
)
def test_bad_rigid_bodies(body: RigidBody, field: str, message: str) -> None:
    with pytest.raises(RigidBodyError, match=message) as info:
        _spawn_and_tick(body, Collider())
    assert info.value.field == field and info.value.entity is not None
    assert isinstance(info.value, UsageError)


def test_kinematic_and_static_ignore_mass() -> None:
    _spawn_and_tick(RigidBody(kind=BodyKind.KINEMATIC, mass=0.0), Collider())
    _spawn_and_tick(RigidBody(kind=BodyKind.STATIC, mass=-5.0), Collider())


SQUARE = ((0.0, 0.0), (1.0, 0.0), (1.0, 1.0), (0.0, 1.0))


@pytest.mark.parametrize(
    ("collider", "field", "message"),
    [
        (Collider(radius=0.0), "radius", "radius=0.0 must be > 0 m"),
        (Collider(radius=-1.0), "radius", "must be > 0 m"),
        (Collider(radius=math.nan), "radius", "is not finite"),
        (Collider(shape=ShapeKind.BOX, width=0.0), "width", "width=0.0 must be > 0 m"),
        (Collider(shape=ShapeKind.BOX, height=-2.0), "height", "must be > 0 m"),
        (
            Collider(shape=ShapeKind.CAPSULE, width=1.0, radius=0.5),
            "width",
            "must exceed 2 \\* radius = 1.0 m",
        ),
        (Collider(shape=ShapeKind.POLYGON), "vertices", "needs at least 3 points"),
        (
            Collider(shape=ShapeKind.POLYGON, vertices=((0.0, 0.0), (1.0, 1.0))),
            "vertices",
            "needs at least 3 points",
        ),
        (
            Collider(shape=ShapeKind.POLYGON, vertices=((0.0, 0.0), (1.0, 1.0), (2.0, 2.0))),
            "vertices",
            "degenerate",
        ),
        (
            Collider(
                shape=ShapeKind.POLYGON,
                vertices=((0.0, 0.0), (2.0, 0.0), (1.0, 0.5), (2.0, 2.0), (0.0, 2.0)),
            ),
            "vertices",
            "not convex",
        ),
        (
            Collider(shape=ShapeKind.POLYGON, vertices=((0.0, 0.0), (1.0, math.inf), (0.0, 1.0))),
            "vertices",
            "non-finite",
        ),
        (Collider(shape=ShapeKind.POLYGON, vertices=(1, 2, 3)), "vertices", "sequence of"),
        (Collider(shape=ShapeKind.SEGMENT), "vertices", "two end points"),
        (
            Collider(shape=ShapeKind.SEGMENT, vertices=((1.0, 1.0), (1.0, 1.0))),
            "vertices",
            "equal end points",
        ),
        (
            Collider(shape=ShapeKind.SEGMENT, vertices=((0.0, 0.0), (1.0, 0.0)), radius=-0.1),
            "radius",
            "must be >= 0 m",
        ),
        (Collider(friction=-0.1), "friction", "must be >= 0"),
        (Collider(restitution=1.5), "restitution", "must be in \\[0, 1\\]"),
        (Collider(layers=-1), "layers", "must fit 32 bits"),
        (Collider(mask=1 << 33), "mask", "must fit 32 bits"),
        (Collider(shape=9), "shape", "is not a ShapeKind"),
    ],
)
def test_bad_colliders(collider: Collider, field: str, message: str) -> None:
    with pytest.raises(ColliderError, match=message) as info:
        _spawn_and_tick(RigidBody(), collider)
    assert info.value.field == field


def test_valid_polygon_in_any_winding() -> None:
    _spawn_and_tick(RigidBody(), Collider(shape=ShapeKind.POLYGON, vertices=SQUARE))
    _spawn_and_tick(RigidBody(), Collider(shape=ShapeKind.POLYGON, vertices=SQUARE[::-1]))


def test_bad_collider_leaves_no_body_behind() -> None:
    app = make_app()
    e = app.world.spawn(Position(), RigidBody(), Collider(radius=-1.0))
    with pytest.raises(ColliderError):
        app.tick()
    from astraweave.physics import PhysicsWorld

    assert not app.world.resource(PhysicsWorld).has_body(e)


def test_our_checks_hold_under_python_O() -> None:
    """pymunk's own checks are asserts, gone under -O; ours are not."""
    code = (
        "from astraweave.physics._bodies import BodySpec\n"
        "from astraweave.errors import RigidBodyError\n"
        "assert False, 'asserts are on'\n"
    )
    run = subprocess.run([sys.executable, "-O", "-c", code], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr  # -O really strips asserts
    code = (
        "from astraweave.physics._bodies import BodySpec\n"
        "from astraweave.errors import RigidBodyError\n"
        "try:\n"
        "    BodySpec(kind=0, mass=0.0, linear_damping=0.0, fixed_rotation=False, entity=1)\n"
        "except RigidBodyError as e:\n"
        "    print('typed', e.field)\n"
    )
    run = subprocess.run([sys.executable, "-O", "-c", code], capture_output=True, text=True)
    assert run.stdout.strip() == "typed mass", run.stderr


UPSTREAM = [AssertionError, TypeError, ValueError, OverflowError]


@pytest.mark.parametrize("exc_type", UPSTREAM, ids=lambda t: t.__name__)
def test_pymunk_exceptions_are_translated_at_the_boundary(
    exc_type: type[Exception], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every upstream exception type we map becomes PymunkError raised from it."""

    class Exploding:
        DYNAMIC, KINEMATIC, STATIC = 0, 1, 2

        def __init__(self, *args: object, **kwargs: object) -> None:
            raise exc_type("boom")

    monkeypatch.setattr(_bodies.pymunk, "Body", Exploding)
    spec = BodySpec(kind=0, mass=1.0, linear_damping=0.0, fixed_rotation=False)
    shape = ShapeSpec(
        kind=0,
        radius=0.5,
        width=1.0,
        height=1.0,
        vertices=None,
        friction=0.5,
        restitution=0.0,
        layers=1,
        mask=1,
        sensor=False,
    )
    with pytest.raises(PymunkError, match="pymunk rejected the body of entity 7") as info:
        build_body(spec, shape, (0.0, 0.0), 0.0, None, entity=7)
    assert isinstance(info.value.__cause__, exc_type)
    assert info.value.operation == "build_body" and info.value.entity == 7
