import math

import numpy as np
import pytest

from astraweave.ecs import App, Heading, Position, Stage, Velocity
from astraweave.errors import NonFiniteStateError, PhysicsQueryError, PluginError
from astraweave.physics import (
    SYSTEM_NAMES,
    BodyKind,
    Collider,
    PhysicsConfig,
    PhysicsWorld,
    RigidBody,
    ShapeKind,
    plugin,
)

from .conftest import make_app, physics_of

G = 9.81
DT = 1 / 60


def test_free_fall_matches_chipmunks_integrator_exactly() -> None:
    # Chipmunk moves positions with the old velocity, then adds gravity:
    # after n steps y = g dt^2 (0 + 1 + ... + n-1) and vy = n g dt.
    app = make_app(PhysicsConfig(gravity_mps2=(0.0, G)))
    ball = app.world.spawn(Position(0.0, 0.0), Velocity(), RigidBody(), Collider(radius=0.5))
    app.run(60)
    pos, vel = app.world.get(ball, Position), app.world.get(ball, Velocity)
    assert pos.x == 0.0
    assert pos.y == pytest.approx(G * DT * DT * sum(range(60)), rel=1e-12)
    assert round(pos.y, 6) == 4.82325
    assert vel.y == pytest.approx(G, rel=1e-12)


def test_substeps_split_the_tick() -> None:
    app = make_app(PhysicsConfig(gravity_mps2=(0.0, G), substeps=4))
    ball = app.world.spawn(Position(0.0, 0.0), Velocity(), RigidBody(), Collider(radius=0.5))
    app.run(60)
    h = DT / 4
    assert app.world.get(ball, Position).y == pytest.approx(G * h * h * sum(range(240)), rel=1e-12)


def test_kinematic_moves_at_its_velocity_and_static_never_moves() -> None:
    app = make_app(PhysicsConfig(gravity_mps2=(0.0, G)))
    w = app.world
    kin = w.spawn(
        Position(0.0, 0.0),
        Velocity(2.0, -1.0),
        RigidBody(kind=BodyKind.KINEMATIC),
        Collider(radius=0.1),
    )
    wall = w.spawn(
        Position(50.0, 50.0),
        Velocity(0.0, 0.0),
        RigidBody(kind=BodyKind.STATIC),
        Collider(shape=ShapeKind.BOX),
    )
    bare = w.spawn(Position(60.0, 60.0), Collider(radius=1.0))  # no RigidBody: static
    app.run(30)
    p = w.get(kin, Position)
    assert (p.x, p.y) == pytest.approx((1.0, -0.5), abs=1e-12)
    assert w.get(kin, Velocity) == Velocity(2.0, -1.0)
    assert w.get(wall, Position) == Position(50.0, 50.0)
    assert w.get(wall, Velocity) == Velocity(0.0, 0.0)
    assert w.get(bare, Position) == Position(60.0, 60.0)
    physics = physics_of(app)
    assert physics.unsafe_body(bare).body_type == 2 and physics.body_count == 3


def test_ball_bounces_off_a_wall_with_restitution_one() -> None:
    app = make_app()
    w = app.world
    w.spawn(
        Position(5.0, 0.0),
        RigidBody(kind=BodyKind.STATIC),
        Collider(shape=ShapeKind.BOX, width=1.0, height=4.0, restitution=1.0),
    )
    ball = w.spawn(
        Position(0.0, 0.0), Velocity(3.0, 0.0), RigidBody(), Collider(radius=0.5, restitution=1.0)
    )
    app.run(120)
    v = w.get(ball, Velocity)
    assert v.x == pytest.approx(-3.0, rel=1e-9) and v.y == 0.0
    assert w.get(ball, Position).x < 3.0


def test_linear_damping_is_exponential_per_tick() -> None:
    app = make_app()
    ball = app.world.spawn(
        Position(), Velocity(4.0, 0.0), RigidBody(linear_damping=1.0), Collider(radius=0.5)
    )
    app.run(60)
    assert app.world.get(ball, Velocity).x == pytest.approx(4.0 * math.exp(-1.0), rel=1e-12)


def test_global_damping_keeps_the_given_fraction_per_second() -> None:
    app = make_app(PhysicsConfig(velocity_kept_per_s=0.5))
    ball = app.world.spawn(Position(), Velocity(4.0, 0.0), RigidBody(), Collider(radius=0.5))
    app.run(60)
    assert app.world.get(ball, Velocity).x == pytest.approx(2.0, rel=1e-9)


def test_ecs_side_changes_are_pushed_teleport_velocity_heading() -> None:
    app = make_app()
    w = app.world
    box = w.spawn(
        Position(0.0, 0.0),
        Velocity(1.0, 0.0),
        Heading(0.0),
        RigidBody(),
        Collider(shape=ShapeKind.BOX, width=0.5, height=0.5),
    )
    app.run(2)
    w.set(box, Position(10.0, 10.0), Velocity(0.0, -2.0), Heading(1.25))
    app.tick()
    body = physics_of(app).unsafe_body(box)
    # a dynamic body's new velocity applies in the velocity phase of the step (as
    # a force): this step still moves it with the old velocity
    assert w.get(box, Position) == Position(10.0 + 1.0 * DT, 10.0)
    v = w.get(box, Velocity)
    assert (v.x, v.y) == pytest.approx((0.0, -2.0), abs=1e-12)
    assert w.get(box, Heading).angle == 1.25 == body.angle
    assert body.force == (0.0, 0.0)  # the force lasted one sub-step
    app.tick()
    assert w.get(box, Position).y == pytest.approx(10.0 - 2.0 * DT, abs=1e-12)


def test_kinematic_velocity_changes_apply_at_once() -> None:
    app = make_app()
    w = app.world
    kin = w.spawn(Position(), Velocity(1.0, 0.0), RigidBody(kind=BodyKind.KINEMATIC), Collider())
    app.tick()
    w.set(kin, Velocity(0.0, 3.0))
    app.tick()
    assert w.get(kin, Position) == Position(DT, 3.0 * DT)


def test_moving_a_static_entity_reindexes_it() -> None:
    app = make_app()
    w = app.world
    wall = w.spawn(Position(0.0, 0.0), Collider(shape=ShapeKind.BOX, width=1.0, height=1.0))
    app.tick()
    physics = physics_of(app)
    assert physics.raycast((-5.0, 0.0), (5.0, 0.0)).entity == wall
    w.set(wall, Position(0.0, 10.0))
    app.tick()
    assert physics.raycast((-5.0, 0.0), (5.0, 0.0)) is None
    assert physics.raycast((-5.0, 10.0), (5.0, 10.0)).point == pytest.approx((-0.5, 10.0))


def test_heading_follows_a_spinning_body() -> None:
    app = make_app()
    w = app.world
    box = w.spawn(Position(), Heading(0.0), RigidBody(), Collider(shape=ShapeKind.BOX))
    app.tick()
    physics_of(app).unsafe_body(box).angular_velocity = 1.0
    app.run(30)
    assert w.get(box, Heading).angle == pytest.approx(0.5, rel=1e-12)


def test_apply_impulse_changes_velocity_by_impulse_over_mass() -> None:
    app = make_app()
    ball = app.world.spawn(Position(), Velocity(), RigidBody(mass=2.0), Collider(radius=0.5))
    app.tick()
    physics = physics_of(app)
    physics.apply_impulse(ball, (4.0, 0.0))
    app.tick()
    assert app.world.get(ball, Velocity) == Velocity(2.0, 0.0)
    with pytest.raises(PhysicsQueryError, match="not finite"):
        physics.apply_impulse(ball, (math.nan, 0.0))
    with pytest.raises(PhysicsQueryError, match="has no physics body") as info:
        physics.unsafe_body(12345)
    assert info.value.value == 12345


def test_nan_position_is_a_typed_error_naming_the_entity() -> None:
    app = make_app()
    w = app.world
    ok = w.spawn(Position(0.0, 0.0), Collider())
    bad = w.spawn(Position(math.nan, 0.0), Collider())
    with pytest.raises(NonFiniteStateError) as info:
        app.tick()
    assert info.value.entity == bad != ok
    assert info.value.component == "Position"
    assert f"entity {bad} has a non-finite Position.x/y" in str(info.value)


@pytest.mark.parametrize(
    ("comp", "name"), [(Velocity(math.inf, 0.0), "Velocity"), (Heading(math.nan), "Heading")]
)
def test_nan_velocity_or_heading_is_rejected(comp: object, name: str) -> None:
    app = make_app()
    e = app.world.spawn(Position(), comp, RigidBody(), Collider())
    with pytest.raises(NonFiniteStateError) as info:
        app.tick()
    assert (info.value.entity, info.value.component) == (e, name)


def test_despawn_leaves_a_tombstone_then_compaction_drops_them() -> None:
    app = make_app()
    w = app.world
    ids = [
        w.spawn(Position(float(i) * 3, 0.0), Velocity(), RigidBody(), Collider(radius=0.5))
        for i in range(70)
    ]
    app.tick()
    physics = physics_of(app)
    assert physics.body_count == 70 and len(physics.space.shapes) == 70
    for e in ids[:65]:
        w.despawn(e)
    app.tick()
    assert physics.body_count == 5 and physics.tombstone_count == 65
    assert len(physics.space.shapes) == 70  # tombstones stay in the space ...
    assert physics.raycast((-1.0, 0.0), (200.0, 0.0)).entity == ids[65]  # ... but are inert
    app.tick()  # 65 >= max(64, 5): compacted at the start of this tick
    assert physics.tombstone_count == 0 and len(physics.space.shapes) == 5
    assert sorted(physics.entities().tolist()) == sorted(ids[65:])
    assert w.get(ids[66], Position) == Position(198.0, 0.0)


def test_removing_the_collider_removes_the_body() -> None:
    app = make_app()
    w = app.world
    e = w.spawn(Position(), RigidBody(), Collider())
    app.tick()
    w.remove(e, Collider)
    app.tick()
    assert not physics_of(app).has_body(e)


def test_shape_changes_rebuild_surface_changes_update_in_place() -> None:
    app = make_app()
    w = app.world
    e = w.spawn(Position(), Velocity(1.0, 0.0), RigidBody(), Collider(radius=0.5))
    app.tick()
    physics = physics_of(app)
    shape = physics._shapes[e]
    w.set(e, Collider(radius=0.5, friction=0.9, restitution=0.3, layers=2, mask=4, sensor=True))
    app.tick()
    assert physics._shapes[e] is shape
    assert (shape.friction, shape.elasticity, shape.sensor) == (0.9, 0.3, True)
    assert (shape.filter.categories, shape.filter.mask) == (2, 4)
    w.set(e, Collider(radius=2.0))
    app.tick()
    new = physics._shapes[e]
    assert new is not shape and new.radius == 2.0 and physics.tombstone_count == 1
    assert w.get(e, Velocity) == Velocity(1.0, 0.0)  # state carried over
    w.set(e, RigidBody(kind=BodyKind.KINEMATIC))
    app.tick()
    assert physics.unsafe_body(e).body_type == BodyKind.KINEMATIC


def test_fixed_rotation_gives_infinite_moment_and_mass_gives_moment() -> None:
    app = make_app()
    w = app.world
    a = w.spawn(Position(), RigidBody(mass=2.0, fixed_rotation=True), Collider(radius=0.5))
    b = w.spawn(Position(5.0, 0.0), RigidBody(mass=2.0), Collider(radius=0.5))
    c = w.spawn(
        Position(9.0, 0.0),
        RigidBody(mass=3.0),
        Collider(shape=ShapeKind.BOX, width=2.0, height=1.0),
    )
    app.tick()
    physics = physics_of(app)
    assert physics.unsafe_body(a).moment == math.inf
    assert physics.unsafe_body(b).moment == pytest.approx(0.5 * 2.0 * 0.25)
    assert physics.unsafe_body(c).moment == pytest.approx(3.0 * (4.0 + 1.0) / 12)


def test_shapes_of_every_kind_are_built() -> None:
    app = make_app()
    w = app.world
    kinds = [
        Collider(shape=ShapeKind.CIRCLE, radius=0.5),
        Collider(shape=ShapeKind.BOX, width=1.0, height=2.0),
        Collider(shape=ShapeKind.CAPSULE, width=2.0, radius=0.25),
        Collider(shape=ShapeKind.POLYGON, vertices=((0.0, 0.0), (1.0, 0.0), (0.0, 1.0))),
        Collider(shape=ShapeKind.SEGMENT, vertices=((-1.0, 0.0), (1.0, 0.0)), radius=0.1),
    ]
    ents = [w.spawn(Position(10.0 * i, 0.0), RigidBody(), c) for i, c in enumerate(kinds)]
    app.tick()
    physics = physics_of(app)
    names = [type(physics._shapes[e]).__name__ for e in ents]
    assert names == ["Circle", "Poly", "Segment", "Poly", "Segment"]
    capsule = physics._shapes[ents[2]]
    assert (tuple(capsule.a), tuple(capsule.b), capsule.radius) == ((-0.75, 0.0), (0.75, 0.0), 0.25)
    hit = physics.raycast((20.0, -5.0), (20.0, 5.0))
    assert hit.entity == ents[2] and hit.point == pytest.approx((20.0, -0.25))


def test_plugin_twice_registers_once_and_rejects_a_different_config() -> None:
    app = App()
    app.add_plugin(plugin)
    app.add_plugin(plugin)
    plugin(app)
    plugin(app, config=PhysicsConfig())
    names = [s.name for s in app.schedule.systems(Stage.PHYSICS)]
    assert names == list(SYSTEM_NAMES)
    with pytest.raises(PluginError, match="already set up") as info:
        plugin(app, config=PhysicsConfig(substeps=2))
    assert info.value.plugin == "astraweave.physics.plugin"


def test_plugin_keeps_an_existing_resource() -> None:
    app = App()
    mine = PhysicsWorld(PhysicsConfig(iterations=3))
    app.world.insert_resource(mine)
    plugin(app)
    assert app.world.resource(PhysicsWorld) is mine


def test_entities_spawned_later_get_bodies_and_read_state_is_sorted() -> None:
    app = make_app()
    w = app.world
    app.tick()
    a = w.spawn(Position(1.0, 2.0), Velocity(3.0, 0.0), RigidBody(), Collider())
    app.tick()
    physics = physics_of(app)
    ents, state = physics.read_state()
    assert ents.tolist() == [a]
    np.testing.assert_array_equal(state[0], [1.0 + 3.0 * DT, 2.0, 0.0, 3.0, 0.0, 0.0])
    assert "bodies=1" in repr(physics)


def test_state_bytes_layout() -> None:
    app = make_app()
    e = app.world.spawn(Position(1.0, 2.0), Velocity(0.5, 0.0), RigidBody(), Collider())
    app.tick()
    raw = physics_of(app).state_bytes()
    assert len(raw) == 8 + 6 * 8
    assert np.frombuffer(raw[:8], "<i8").tolist() == [e]
    np.testing.assert_array_equal(
        np.frombuffer(raw[8:], "<f8"), [1.0 + 0.5 * DT, 2.0, 0.0, 0.5, 0.0, 0.0]
    )
