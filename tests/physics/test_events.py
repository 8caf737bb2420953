from typing import Any

import pytest

from astraweave.ecs import App, EventReader, Position, Velocity
from astraweave.physics import (
    MAP_ENTITY,
    BodyKind,
    Collider,
    CollisionCount,
    CollisionEnded,
    CollisionStarted,
    RigidBody,
    add_static_map,
)

from .conftest import make_app, physics_of


def _record(app: App, ticks: int) -> list[tuple[int, Any]]:
    """(tick, event) for every collision event, in sending order."""
    started = EventReader(CollisionStarted, "test.started")
    ended = EventReader(CollisionEnded, "test.ended")
    out: list[tuple[int, Any]] = []
    for _ in range(ticks):
        app.tick()
        t = app.world.tick - 1
        out += [(t, ev) for ev in started.read(app.world)]
        out += [(t, ev) for ev in ended.read(app.world)]
    return out


def test_bounce_gives_started_then_ended_with_contact_details() -> None:
    app = make_app()
    w = app.world
    wall = w.spawn(
        Position(3.0, 0.0),
        RigidBody(kind=BodyKind.STATIC),
        Collider(radius=0.5, restitution=1.0),
        CollisionCount(),
    )
    ball = w.spawn(
        Position(0.0, 0.0),
        Velocity(2.0, 0.0),
        RigidBody(),
        Collider(radius=0.5, restitution=1.0),
        CollisionCount(),
    )
    events = _record(app, 90)
    assert wall < ball
    assert [(t, type(e).__name__) for t, e in events] == [
        (59, "CollisionStarted"),
        (60, "CollisionEnded"),
    ]
    start = events[0][1]
    assert (start.a, start.b) == (wall, ball)
    assert start.normal == pytest.approx((-1.0, 0.0))  # from the wall (a) towards the ball (b)
    assert start.point[0] == pytest.approx(2.5, abs=0.02) and start.point[1] == 0.0
    assert events[1][1] == CollisionEnded(wall, ball)
    assert w.get(ball, CollisionCount) == CollisionCount(started=1, touching=0)
    assert w.get(wall, CollisionCount) == CollisionCount(started=1, touching=0)


def test_resting_contact_keeps_touching_without_new_events() -> None:
    app = make_app()
    w = app.world
    a = w.spawn(
        Position(0.0, 0.0), Velocity(1.0, 0.0), RigidBody(), Collider(radius=0.5), CollisionCount()
    )
    b = w.spawn(Position(2.0, 0.0), RigidBody(kind=BodyKind.STATIC), Collider(radius=0.5))
    events = _record(app, 120)
    assert [type(e).__name__ for _, e in events] == ["CollisionStarted"]
    assert w.get(a, CollisionCount) == CollisionCount(started=1, touching=1)
    assert physics_of(app).touching.tolist() == [[a, b]]


def test_map_walls_are_map_entity() -> None:
    app = make_app()
    w = app.world
    add_static_map(
        w,
        """
        #####
        #...#
        #####
    """,
    )
    ball = w.spawn(Position(2.5, 1.5), Velocity(3.0, 0.0), RigidBody(), Collider(radius=0.25))
    events = _record(app, 30)
    kinds = [(type(e).__name__, getattr(e, "a", None), getattr(e, "b", None)) for _, e in events]
    assert kinds[0] == ("CollisionStarted", MAP_ENTITY, ball)
    # the wall (a) is at x = 4, right of the ball (b): the normal from a to b points -x
    assert events[0][1].normal == pytest.approx((-1.0, 0.0))
    assert events[0][1].point == pytest.approx((4.023, 1.5), abs=1e-9)


def test_sensor_overlap_reports_midpoint_and_zero_normal() -> None:
    app = make_app()
    w = app.world
    sensor = w.spawn(Position(5.0, 0.0), Collider(radius=1.0, sensor=True), CollisionCount())
    ball = w.spawn(Position(0.0, 0.0), Velocity(6.0, 0.0), RigidBody(), Collider(radius=0.5))
    events = _record(app, 120)
    assert [(t, type(e).__name__) for t, e in events] == [
        (34, "CollisionStarted"),  # after 35 steps: x = 3.5, centres 1.5 m apart
        (65, "CollisionEnded"),  # after 66 steps: x = 6.6, 1.6 m apart
    ]
    start = events[0][1]
    assert (start.a, start.b, start.normal) == (sensor, ball, (0.0, 0.0))
    ball_x = 6.0 * 35 / 60
    assert start.point == pytest.approx(((5.0 + ball_x) / 2, 0.0))
    assert w.get(ball, Velocity) == Velocity(6.0, 0.0)  # sensors never push
    assert w.get(sensor, CollisionCount).started == 1


def test_despawn_ends_the_contact_and_events_are_sorted() -> None:
    app = make_app()
    w = app.world
    hub = w.spawn(Position(0.0, 0.0), RigidBody(kind=BodyKind.STATIC), Collider(radius=1.0))
    spokes = [
        w.spawn(Position(x, y), RigidBody(kind=BodyKind.KINEMATIC), Collider(radius=0.5))
        for x, y in ((1.2, 0.0), (-1.2, 0.0), (0.0, 1.2))
    ]
    # kinematic vs static overlap: reported like sensors (pymunk does not push them)
    events = _record(app, 2)
    assert [(e.a, e.b) for _, e in events] == [(hub, s) for s in spokes]
    w.despawn(spokes[1])
    events = _record(app, 1)
    assert [(type(e).__name__, e.a, e.b) for _, e in events] == [("CollisionEnded", hub, spokes[1])]
