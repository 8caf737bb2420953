import numpy as np
import pytest

from astraweave.ecs import Position, Velocity, World, columns, component
from astraweave.errors import ComponentShapeError, ComponentTypeError, MissingComponentError


@component
class Frozen:
    pass


@component
class Mass:
    kg: float = 1.0


def _world() -> tuple[World, np.ndarray]:
    world = World()
    a = world.spawn_batch(3, columns(Position, x=[0.0, 1.0, 2.0]), Velocity(1.0, 0.5))
    b = world.spawn_batch(2, Position(5.0, 5.0), Velocity(1.0, 0.0), Frozen())
    c = world.spawn_batch(2, Position(9.0, 9.0), Velocity(2.0, 0.0), Mass(3.0))
    return world, np.concatenate([a, b, c])


def test_vectorised_update_through_views() -> None:
    world, ids = _world()
    for chunk in world.query(Position, Velocity, exclude=[Frozen]):
        pos, vel = chunk[Position], chunk[Velocity]
        pos.x += vel.x
        pos.y = pos.y + vel.y * 2
    assert world.get(int(ids[0]), Position) == Position(1.0, 1.0)
    assert world.get(int(ids[3]), Position) == Position(5.0, 5.0)  # excluded
    assert world.get(int(ids[5]), Position) == Position(11.0, 9.0)


def test_assigning_reversed_view_copies_correctly() -> None:
    world, ids = _world()
    (chunk,) = world.query(Position, exclude=[Frozen, Mass])
    pos = chunk[Position]
    pos.x = pos.x[::-1]
    assert [world.get(int(i), Position).x for i in ids[:3]] == [2.0, 1.0, 0.0]


def test_optional_and_required_access() -> None:
    world, _ = _world()
    seen = []
    for chunk in world.query(Position, optional=[Mass]):
        mass = chunk.get(Mass)
        seen.append((len(chunk), None if mass is None else mass.kg.tolist()))
        assert chunk.has(Mass) == (mass is not None)
    assert seen == [(3, None), (2, None), (2, [3.0, 3.0])]
    chunk = world.query(Position).chunks()[0]
    with pytest.raises(MissingComponentError, match="no Mass"):
        chunk[Mass]


def test_bad_field_and_bad_shape_assignments() -> None:
    world, _ = _world()
    chunk = world.query(Position).chunks()[0]
    with pytest.raises(ComponentTypeError, match="no field 'z'"):
        chunk[Position].z
    with pytest.raises(ComponentShapeError, match="cannot assign"):
        chunk[Position].x = np.zeros(7)


def test_per_entity_iteration_and_helpers() -> None:
    world, ids = _world()
    rows = list(world.query(Velocity, Position, optional=[Mass]).iter())
    assert rows[0] == (int(ids[0]), Velocity(1.0, 0.5), Position(0.0, 0.0), None)
    assert rows[-1][3] == Mass(3.0)
    q = world.query(Position)
    assert q.count() == 7
    assert sorted(q.entities().tolist()) == sorted(ids.tolist())
    assert "7 entities" in repr(q)
    assert world.query(Mass).entities().tolist() == ids[5:].tolist()
    assert World().query(Mass).entities().tolist() == []


def test_query_sees_new_archetypes_and_is_cached() -> None:
    world, _ = _world()
    q = world.query(Position)
    assert q is world.query(Position)
    assert q.count() == 7
    world.spawn(Position(), Frozen(), Mass())
    assert q.count() == 8


def test_view_after_growth_writes_to_new_storage() -> None:
    world = World()
    world.spawn(Mass(1.0))
    chunk = world.query(Mass).chunks()[0]
    old = chunk[Mass].kg
    world.spawn_batch(100, Mass(1.0))  # grows the table: old view is stale
    view = chunk[Mass]
    view.kg = old  # not the live column: must not be skipped silently
    assert world.query(Mass).count() == 101
    with pytest.raises(ComponentShapeError):
        view.kg = np.zeros(3)
