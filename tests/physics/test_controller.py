import math

import pytest

from astraweave.ecs import EventReader, Heading, Position, Velocity, World
from astraweave.errors import PhysicsQueryError
from astraweave.physics import (
    Arrived,
    BodyKind,
    CharacterController,
    Collider,
    CollisionCount,
    CollisionStarted,
    ControllerStatus,
    PhysicsConfig,
    RigidBody,
    ShapeKind,
    Stuck,
    character_bundle,
    controller_system,
    set_waypoints,
)

from .conftest import make_app


def test_seed_agent_goes_around_an_obstacle_without_touching_it() -> None:
    """Agent at (0,0) to (5,0) around an obstacle at (2,0), given waypoints around it."""
    app = make_app()
    w = app.world
    obstacle = w.spawn(
        Position(2.0, 0.0), RigidBody(kind=BodyKind.STATIC), Collider(radius=0.5), CollisionCount()
    )
    agent = w.spawn(*character_bundle(0.0, 0.0, radius=0.4, speed=1.5))
    set_waypoints(w, agent, [(1.0, 1.2), (3.0, 1.2), (5.0, 0.0)])
    arrived = EventReader(Arrived, "test.arrived")
    hits = EventReader(CollisionStarted, "test.hits")
    seen_arrival: list[tuple[int, Arrived]] = []
    contacts: list[CollisionStarted] = []
    for _ in range(600):
        app.tick()
        seen_arrival += [(w.tick - 1, ev) for ev in arrived.read(w)]
        contacts += hits.read(w)
        if seen_arrival:
            break
    assert len(seen_arrival) == 1
    tick, event = seen_arrival[0]
    assert event.entity == agent
    pos = w.get(agent, Position)
    assert math.hypot(pos.x - 5.0, pos.y) < 0.5
    assert math.hypot(event.position[0] - 5.0, event.position[1]) <= 0.25
    assert contacts == []
    assert w.get(obstacle, CollisionCount) == CollisionCount(started=0, touching=0)
    assert w.get(agent, CollisionCount).started == 0
    cc = w.get(agent, CharacterController)
    assert cc.status == ControllerStatus.ARRIVED and cc.waypoint_index == 2
    # the path is about 5.4 m at 1.5 m/s: a little over 3.6 s
    assert 3.4 < tick / 60 < 4.2
    app.run(5)
    assert w.get(agent, Velocity) == Velocity(0.0, 0.0)
    assert arrived.read(w) == []  # arrival is reported once


def test_straight_walk_timing_and_heading() -> None:
    app = make_app()
    w = app.world
    agent = w.spawn(*character_bundle(0.0, 0.0, speed=2.0, arrive_radius=0.1))
    set_waypoints(w, agent, [(0.0, 3.0)])
    app.tick()
    assert w.get(agent, Heading).angle == pytest.approx(math.pi / 2)
    assert w.get(agent, Velocity) == Velocity(0.0, 2.0)
    for _ in range(200):
        app.tick()
        if w.get(agent, CharacterController).status == ControllerStatus.ARRIVED:
            break
    # 2.9 m to cover at 2 m/s (arrival within 0.1 m): 1.45 s = 87 ticks, + the first one
    assert w.tick == 88
    assert w.get(agent, Position).y == pytest.approx(2.9, abs=0.04)


def test_agent_slows_down_instead_of_overshooting() -> None:
    app = make_app()
    w = app.world
    agent = w.spawn(*character_bundle(0.0, 0.0, speed=10.0, arrive_radius=0.01))
    app.tick()  # the body exists from here on
    set_waypoints(w, agent, [(0.05, 0.0)])
    app.run(2)
    assert w.get(agent, Position).x == pytest.approx(0.05)
    assert w.get(agent, CharacterController).status == ControllerStatus.ARRIVED


def test_agent_slides_along_a_wall_and_never_passes_it() -> None:
    app = make_app()
    w = app.world
    w.spawn(
        Position(0.0, 1.5),
        RigidBody(kind=BodyKind.STATIC),
        Collider(shape=ShapeKind.BOX, width=40.0, height=1.0),
    )
    agent = w.spawn(*character_bundle(0.0, 0.0, radius=0.4, speed=2.0))
    set_waypoints(w, agent, [(6.0, 6.0)])
    app.run(180)
    pos = w.get(agent, Position)
    assert pos.y < 0.62  # wall face at y = 1.0, radius 0.4, slop 0.01 + solver give
    assert pos.x > 3.0  # it kept moving along the wall


def test_stuck_is_reported_once_with_the_waypoint() -> None:
    app = make_app(PhysicsConfig(stuck_progress_m=0.05))
    w = app.world
    w.spawn(
        Position(0.0, 1.5),
        RigidBody(kind=BodyKind.STATIC),
        Collider(shape=ShapeKind.BOX, width=40.0, height=1.0),
    )
    agent = w.spawn(*character_bundle(0.0, 0.0, radius=0.4, speed=2.0))
    cc = w.get(agent, CharacterController)
    cc.stuck_after_s = 0.5
    w.set(agent, cc)
    set_waypoints(w, agent, [(0.0, 0.0), (0.0, 5.0)])
    stuck = EventReader(Stuck, "test.stuck")
    events: list[tuple[int, Stuck]] = []
    for _ in range(120):
        app.tick()
        events += [(w.tick - 1, ev) for ev in stuck.read(w)]
    assert len(events) == 1
    tick, ev = events[0]
    assert ev.entity == agent and ev.waypoint_index == 1
    assert ev.position[1] == pytest.approx(0.6, abs=0.02)
    # reaching the wall takes ~0.3 s, then 0.5 s without progress
    assert 40 <= tick <= 56
    state = w.get(agent, CharacterController)
    assert state.status == ControllerStatus.STUCK
    assert w.get(agent, Velocity) == Velocity(0.0, 0.0)
    set_waypoints(w, agent, [(-3.0, 0.0)])  # a new path un-sticks it
    app.run(3)
    assert w.get(agent, CharacterController).status == ControllerStatus.MOVING


def test_two_agents_head_on_both_arrive() -> None:
    app = make_app()
    w = app.world
    a = w.spawn(*character_bundle(0.0, 0.0, speed=1.5))
    b = w.spawn(*character_bundle(6.0, 0.0, speed=1.5))
    set_waypoints(w, a, [(6.0, 0.0)])
    set_waypoints(w, b, [(0.0, 0.0)])
    for _ in range(900):
        app.tick()
        statuses = {w.get(e, CharacterController).status for e in (a, b)}
        if statuses == {ControllerStatus.ARRIVED}:
            break
    assert statuses == {ControllerStatus.ARRIVED}
    assert w.get(a, Position).x == pytest.approx(6.0, abs=0.25)
    assert w.get(b, Position).x == pytest.approx(0.0, abs=0.25)


def test_separation_pushes_neighbours_apart_symmetrically() -> None:
    app = make_app()
    w = app.world
    a = w.spawn(*character_bundle(0.0, 0.0, speed=1.0))
    b = w.spawn(*character_bundle(0.9, 0.0, speed=1.0))
    set_waypoints(w, a, [(0.0, 10.0)])
    set_waypoints(w, b, [(0.9, 10.0)])
    app.tick()
    va, vb = w.get(a, Velocity), w.get(b, Velocity)
    assert va.x < 0.0 < vb.x and va.x == pytest.approx(-vb.x)
    assert math.hypot(va.x, va.y) == pytest.approx(1.0)  # clamped to speed


def test_coincident_agents_split_deterministically() -> None:
    w = World()
    a = w.spawn(*character_bundle(1.0, 1.0))
    b = w.spawn(*character_bundle(1.0, 1.0))
    set_waypoints(w, a, [(1.0, 9.0)])
    set_waypoints(w, b, [(1.0, 9.0)])
    controller_system(w)  # works without the physics plugin (default config)
    assert w.get(a, Velocity).x < 0.0 < w.get(b, Velocity).x


def test_idle_agents_stand_still_and_empty_paths_idle() -> None:
    app = make_app()
    w = app.world
    agent = w.spawn(*character_bundle(0.0, 0.0))
    w.set(agent, Velocity(3.0, 0.0))
    app.tick()
    assert w.get(agent, Velocity) == Velocity(0.0, 0.0)
    set_waypoints(w, agent, [])
    cc = w.get(agent, CharacterController)
    assert cc.status == ControllerStatus.IDLE and cc.waypoints is None
    cc.status = ControllerStatus.MOVING  # moving without a path: back to idle
    w.set(agent, cc)
    app.tick()
    assert w.get(agent, CharacterController).status == ControllerStatus.IDLE


def test_waypoints_already_reached_are_skipped() -> None:
    app = make_app()
    w = app.world
    agent = w.spawn(*character_bundle(0.0, 0.0, arrive_radius=0.3))
    set_waypoints(w, agent, [(0.1, 0.0), (0.2, 0.0), (3.0, 0.0)])
    app.tick()
    assert w.get(agent, CharacterController).waypoint_index == 2


@pytest.mark.parametrize("bad", [[(0.0, math.nan)], [(1.0,)], [(1.0, 2.0, 3.0)], ["ab"], [None]])
def test_set_waypoints_rejects_bad_points(bad: list[object]) -> None:
    w = World()
    agent = w.spawn(*character_bundle(0.0, 0.0))
    with pytest.raises(PhysicsQueryError, match="is not a finite point") as info:
        set_waypoints(w, agent, bad)  # type: ignore[arg-type]
    assert info.value.entity == agent
    assert w.get(agent, CharacterController).status == ControllerStatus.IDLE


def test_world_without_agents() -> None:
    controller_system(World())
