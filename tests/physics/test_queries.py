import math

import pytest
from hypothesis import assume, example, given
from hypothesis import strategies as st

from astraweave.ecs import Position
from astraweave.errors import ColliderError, PhysicsQueryError
from astraweave.physics import (
    ALL_LAYERS,
    MAP_ENTITY,
    BodyKind,
    Collider,
    PhysicsWorld,
    RayHit,
    RigidBody,
    ShapeKind,
)

from .conftest import make_app, physics_of


@pytest.fixture()
def scene() -> tuple[PhysicsWorld, dict[str, int]]:
    """A wall box [4,5]x[-1,1] (map), discs at x=2 (layer 1) and x=7 (layer 2),
    a sensor at x=-3, a box entity at (0, 5)."""
    app = make_app()
    w = app.world
    physics = physics_of(app)
    physics.add_static_boxes([(4.0, -1.0, 1.0, 2.0)])
    ids = {
        "near": w.spawn(Position(2.0, 0.0), RigidBody(kind=BodyKind.STATIC), Collider(radius=0.5)),
        "far": w.spawn(
            Position(7.0, 0.0), RigidBody(kind=BodyKind.STATIC), Collider(radius=0.5, layers=2)
        ),
        "sensor": w.spawn(Position(-3.0, 0.0), Collider(radius=1.0, sensor=True)),
        "box": w.spawn(Position(0.0, 5.0), Collider(shape=ShapeKind.BOX, width=2.0, height=2.0)),
    }
    app.tick()
    return physics, ids


def test_raycast_first_hit_point_normal_fraction(
    scene: tuple[PhysicsWorld, dict[str, int]],
) -> None:
    physics, ids = scene
    hit = physics.raycast((0.0, 0.0), (10.0, 0.0))
    assert hit == RayHit(ids["near"], (1.5, 0.0), (-1.0, 0.0), 0.15)
    assert physics.raycast((0.0, 0.0), (10.0, 0.0), ignore=[ids["near"]]) == RayHit(
        MAP_ENTITY, (4.0, 0.0), (-1.0, 0.0), 0.4
    )
    assert physics.raycast((0.0, 3.0), (10.0, 3.0)) is None


def test_raycast_all_sorted_by_fraction(scene: tuple[PhysicsWorld, dict[str, int]]) -> None:
    physics, ids = scene
    hits = physics.raycast_all((-10.0, 0.0), (10.0, 0.0))
    assert [h.entity for h in hits] == [ids["near"], MAP_ENTITY, ids["far"]]
    assert [h.fraction for h in hits] == pytest.approx([0.575, 0.7, 0.825])
    backwards = physics.raycast_all((10.0, 0.0), (-10.0, 0.0))
    assert [h.entity for h in backwards] == [ids["far"], MAP_ENTITY, ids["near"]]
    assert backwards[0].normal == (1.0, 0.0)


def test_sensors_only_on_request(scene: tuple[PhysicsWorld, dict[str, int]]) -> None:
    physics, ids = scene
    assert physics.raycast((-10.0, 0.0), (0.0, 0.0)) is None
    hit = physics.raycast((-10.0, 0.0), (0.0, 0.0), include_sensors=True)
    assert (
        hit is not None and hit.entity == ids["sensor"] and hit.point == pytest.approx((-4.0, 0.0))
    )


def test_mask_filters_layers(scene: tuple[PhysicsWorld, dict[str, int]]) -> None:
    physics, ids = scene
    only2 = physics.raycast_all((-10.0, 0.0), (10.0, 0.0), mask=2)
    assert [h.entity for h in only2] == [ids["far"]]
    assert physics.raycast_all((-10.0, 0.0), (10.0, 0.0), mask=0) == []
    assert len(physics.raycast_all((-10.0, 0.0), (10.0, 0.0), mask=ALL_LAYERS)) == 3


def test_thick_ray(scene: tuple[PhysicsWorld, dict[str, int]]) -> None:
    physics, ids = scene
    assert physics.raycast((0.0, 1.0), (10.0, 1.0)).entity == MAP_ENTITY
    hit = physics.raycast((0.0, 1.0), (10.0, 1.0), radius=0.6)
    assert hit.entity == ids["near"]


def test_line_of_sight(scene: tuple[PhysicsWorld, dict[str, int]]) -> None:
    physics, ids = scene
    assert not physics.line_of_sight((0.0, 0.0), (10.0, 0.0))
    assert not physics.line_of_sight((0.0, 0.0), (10.0, 0.0), ignore=[ids["near"], ids["far"]])
    assert physics.line_of_sight((0.0, 0.0), (3.5, 0.0), ignore=[ids["near"]])
    assert physics.line_of_sight((-10.0, 0.0), (0.0, 0.0))  # sensors never block
    assert physics.line_of_sight((1.0, 1.0), (1.0, 1.0))
    assert physics.line_of_sight((0.0, 0.0), (10.0, 0.0), mask=4)


def test_overlap(scene: tuple[PhysicsWorld, dict[str, int]]) -> None:
    physics, ids = scene
    probe = Collider(shape=ShapeKind.BOX, width=4.0, height=1.0)
    assert physics.overlap(probe, (3.0, 0.0)) == [MAP_ENTITY, ids["near"]]
    assert physics.overlap(probe, (3.0, 0.0), angle=math.pi / 2) == [ids["near"]]
    assert physics.overlap(probe, (3.0, 0.0), mask=2) == []
    assert physics.overlap(Collider(radius=0.5), (-3.0, 0.0)) == []
    assert physics.overlap(Collider(radius=0.5), (-3.0, 0.0), include_sensors=True) == [
        ids["sensor"]
    ]
    assert physics.overlap(Collider(radius=0.1), (0.0, 5.0)) == [ids["box"]]
    with pytest.raises(ColliderError):
        physics.overlap(Collider(radius=-1.0), (0.0, 0.0))


def test_nearest(scene: tuple[PhysicsWorld, dict[str, int]]) -> None:
    physics, ids = scene
    assert physics.nearest((3.0, 0.0), 2.0) == (ids["near"], 0.5)
    assert physics.nearest((3.0, 0.0), 2.0, ignore=[ids["near"]]) == (MAP_ENTITY, 1.0)
    assert physics.nearest((3.0, 0.0), 0.4) is None
    assert physics.nearest((0.0, 5.0), 1.0) == (ids["box"], 0.0)  # inside: distance 0
    assert physics.nearest((-3.0, 0.0), 0.5) is None
    assert physics.nearest((-3.0, 0.0), 0.5, include_sensors=True) == (ids["sensor"], 0.0)
    assert physics.nearest((5.5, 0.0), 1.5, mask=2) == (ids["far"], 1.0)


def test_ties_go_to_the_smaller_entity() -> None:
    app = make_app()
    a = app.world.spawn(Position(-1.0, 0.0), Collider(radius=0.5))
    b = app.world.spawn(Position(1.0, 0.0), Collider(radius=0.5))
    app.tick()
    physics = physics_of(app)
    assert physics.nearest((0.0, 0.0), 1.0) == (min(a, b), 0.5)
    up = physics.raycast_all((-1.0, -5.0), (-1.0, 5.0)) + physics.raycast_all(
        (1.0, -5.0), (1.0, 5.0)
    )
    assert {h.fraction for h in up} == {0.45}


@pytest.mark.parametrize(
    ("call", "argument"),
    [
        (lambda p: p.raycast((0.0, 0.0), (0.0, 0.0)), "end"),
        (lambda p: p.raycast((math.nan, 0.0), (1.0, 0.0)), "start"),
        (lambda p: p.raycast((0.0, 0.0), (1.0,)), "end"),
        (lambda p: p.raycast((0.0, 0.0), "ab"), "end"),
        (lambda p: p.raycast((0.0, 0.0), (1.0, 0.0), mask=-1), "mask"),
        (lambda p: p.raycast((0.0, 0.0), (1.0, 0.0), mask=True), "mask"),
        (lambda p: p.raycast((0.0, 0.0), (1.0, 0.0), radius=-1.0), "radius"),
        (lambda p: p.line_of_sight((0.0, 0.0), (math.inf, 0.0)), "b"),
        (lambda p: p.line_of_sight((0.0, 0.0), (1.0, 0.0), mask=1 << 40), "mask"),
        (lambda p: p.overlap(Collider(), (0.0, 0.0), angle=math.nan), "angle"),
        (lambda p: p.overlap(Collider(), (0.0, math.nan)), "at"),
        (lambda p: p.nearest((0.0, 0.0), -1.0), "max_distance"),
        (lambda p: p.nearest((0.0, 0.0), math.nan), "max_distance"),
        (lambda p: p.nearest(None, 1.0), "point"),
    ],
)
def test_bad_query_arguments(call: object, argument: str) -> None:
    physics = PhysicsWorld()
    with pytest.raises(PhysicsQueryError) as info:
        call(physics)  # type: ignore[operator]
    assert info.value.argument == argument


def test_queries_on_an_empty_world() -> None:
    physics = PhysicsWorld()
    assert physics.raycast((0.0, 0.0), (1.0, 0.0)) is None
    assert physics.nearest((0.0, 0.0), 10.0) is None
    assert physics.overlap(Collider(), (0.0, 0.0)) == []
    assert physics.line_of_sight((0.0, 0.0), (5.0, 5.0))


@example(discs=[(-1.0, 0.0, 0.5)], ray=(0.0, 0.0, -1.0, 0.0), radius=0.0)  # along a cell edge
@example(discs=[(0.0, 1.0, 1.0)], ray=(0.0, -1.0, 0.0, -2.2250738585e-313), radius=0.0)  # touch
@given(
    st.lists(st.tuples(st.floats(-8, 8), st.floats(-8, 8), st.floats(0.1, 1.5)), max_size=12),
    st.tuples(st.floats(-10, 10), st.floats(-10, 10), st.floats(-10, 10), st.floats(-10, 10)),
    st.sampled_from([0.0, 0.3, 1.0]),
)
def test_raycast_all_finds_exactly_what_each_shape_reports(
    discs: list[tuple[float, float, float]],
    ray: tuple[float, float, float, float],
    radius: float,
) -> None:
    """The broad phase never hides a hit: compare with a per-shape test."""
    start, end = ray[:2], ray[2:]
    assume(math.dist(start, end) > 1e-3)
    app = make_app()
    ents = [app.world.spawn(Position(x, y), Collider(radius=r)) for x, y, r in discs]
    app.tick()
    physics = physics_of(app)
    expected = set()
    for e in ents:
        info = physics._shapes[e].segment_query(start, end, radius)
        if info is not None:
            expected.add(e)
    hits = physics.raycast_all(start, end, radius=radius)
    assert {h.entity for h in hits} == expected
    assert [h.fraction for h in hits] == sorted(h.fraction for h in hits)
