import numpy as np
import pytest

from astraweave.ecs import Position, Velocity, World, columns, component
from astraweave.errors import (
    ComponentShapeError,
    DeadEntityError,
    MissingComponentError,
    MissingResourceError,
)


@component
class Tag:
    pass


@component
class Hp:
    value: float = 10.0


def test_spawn_get_set_insert_remove_despawn() -> None:
    world = World(seed=1)
    e = world.spawn(Position(1.0, 2.0))
    assert world.has(e, Position) and not world.has(e, Velocity)
    world.set(e, Position(3.0, 4.0))
    assert world.get(e, Position) == Position(3.0, 4.0)
    world.insert(e, Velocity(1.0, 0.0), Tag())
    assert set(world.components_of(e)) == {Position, Tag, Velocity}
    assert world.get(e, Position) == Position(3.0, 4.0)  # carried across the move
    world.insert(e, Velocity(2.0, 0.0))  # overwrite in place
    assert world.get(e, Velocity) == Velocity(2.0, 0.0)
    world.remove(e, Tag)
    assert set(world.components_of(e)) == {Position, Velocity}
    world.despawn(e)
    assert not world.is_alive(e)
    assert world.entity_count() == 0


def test_missing_component_errors_name_entity_and_component() -> None:
    world = World()
    e = world.spawn(Position())
    with pytest.raises(MissingComponentError) as info:
        world.get(e, Velocity)
    assert info.value.entity == e and info.value.component == "Velocity"
    with pytest.raises(MissingComponentError, match="to set"):
        world.set(e, Velocity())
    with pytest.raises(MissingComponentError, match="to remove"):
        world.remove(e, Velocity)
    assert world.try_get(e, Velocity) is None


def test_swap_remove_keeps_rows_consistent() -> None:
    world = World()
    ids = [world.spawn(Hp(float(i))) for i in range(5)]
    world.despawn(ids[1])
    world.remove(ids[0], Hp)
    for i in (2, 3, 4):
        assert world.get(ids[i], Hp) == Hp(float(i))
    assert world.entity_count() == 4


def test_batch_insert_remove_despawn() -> None:
    world = World()
    ids = world.spawn_batch(6, columns(Hp, value=np.arange(6.0)))
    odd = ids[1::2]
    world.insert_batch(odd, columns(Position, x=[10.0, 30.0, 50.0]), Tag())
    assert world.query(Position, Tag).count() == 3
    assert world.get(int(ids[3]), Position) == Position(30.0, 0.0)
    assert world.get(int(ids[3]), Hp) == Hp(3.0)
    world.insert_batch(ids, Tag())  # mixed archetypes, some already tagged
    assert world.query(Tag).count() == 6
    world.remove_batch(odd, Position)
    assert world.query(Position).count() == 0
    with pytest.raises(MissingComponentError):
        world.remove_batch(ids[:2], Position)
    world.despawn_batch(ids[:3])
    assert world.entity_count() == 3
    assert [world.get(int(i), Hp).value for i in ids[3:]] == [3.0, 4.0, 5.0]


def test_batch_rejects_dead_and_duplicate_ids() -> None:
    world = World()
    ids = world.spawn_batch(3, Hp())
    world.despawn(int(ids[0]))
    before = world.hash()
    with pytest.raises(DeadEntityError, match="1 of 3"):
        world.insert_batch(ids, Tag())
    with pytest.raises(DeadEntityError, match="more than once"):
        world.insert_batch([ids[1], ids[1]], Tag())
    with pytest.raises(DeadEntityError, match="1-D int"):
        world.despawn_batch(np.array([[1, 2]]))
    with pytest.raises(ComponentShapeError):
        world.insert_batch(ids[1:], columns(Hp, value=[1.0, 2.0, 3.0]))
    assert world.hash() == before


class Clock:
    def __init__(self) -> None:
        self.t = 0


def test_resources() -> None:
    world = World()
    with pytest.raises(MissingResourceError, match="no Clock resource") as info:
        world.resource(Clock)
    assert info.value.resource == "Clock"
    assert world.try_resource(Clock) is None
    clock = Clock()
    world.insert_resource(clock)
    assert world.resource(Clock) is clock and world.has_resource(Clock)
    assert world.resources == {Clock: clock}
    assert world.remove_resource(Clock) is clock
    assert not world.has_resource(Clock)


def test_time_is_tick_times_dt() -> None:
    world = World(dt=0.1)
    world.tick = 3
    assert world.time == pytest.approx(0.30000000000000004)
    assert "tick=3" in repr(world)


def test_rng_is_seeded() -> None:
    assert World(seed=5).rng.random() == World(seed=5).rng.random()
    assert World(seed=5).rng.random() != World(seed=6).rng.random()


def test_entities_sorted_and_archetypes_listed() -> None:
    world = World()
    a = world.spawn(Hp())
    b = world.spawn(Position())
    assert world.entities().tolist() == sorted([a, b])
    assert len([x for x in world.archetypes if x.len]) == 2
    assert "rows" in repr(world.archetypes[1])
