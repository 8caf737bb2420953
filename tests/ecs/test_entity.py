import numpy as np
import pytest

from astraweave.ecs import Position, World, entity_generation, entity_index, make_entity
from astraweave.ecs._entity import EntityAllocator
from astraweave.errors import DeadEntityError


def test_ids_pack_index_and_generation() -> None:
    e = make_entity(5, 3)
    assert e == (3 << 32) | 5
    assert entity_index(e) == 5
    assert entity_generation(e) == 3


def test_stale_handle_never_reaches_new_tenant() -> None:
    world = World()
    a = world.spawn(Position(1.0, 1.0))
    world.despawn(a)
    b = world.spawn(Position(9.0, 9.0))
    assert entity_index(b) == entity_index(a)
    assert entity_generation(b) == entity_generation(a) + 1
    with pytest.raises(DeadEntityError) as info:
        world.get(a, Position)
    assert info.value.entity == a
    assert info.value.index == 0 and info.value.generation == 0
    assert "stale" in str(info.value) and "generation 1" in str(info.value)
    assert world.get(b, Position) == Position(9.0, 9.0)
    assert world.try_get(a, Position) is None


def test_never_spawned_and_non_int_handles() -> None:
    world = World()
    with pytest.raises(DeadEntityError, match="never spawned"):
        world.get(123, Position)
    with pytest.raises(DeadEntityError, match="ints"):
        world.get("bob", Position)  # type: ignore[arg-type]
    with pytest.raises(DeadEntityError):
        world.get(True, Position)
    assert not world.is_alive(-1)
    assert not world.is_alive(3.5)


def test_free_list_is_fifo_and_deterministic() -> None:
    alloc = EntityAllocator(capacity=2)
    ids = alloc.allocate(5)
    assert ids.tolist() == [0, 1, 2, 3, 4]
    alloc.free(np.array([3, 1]))
    again = alloc.allocate(3)
    assert [entity_index(int(e)) for e in again] == [3, 1, 5]
    assert [entity_generation(int(e)) for e in again] == [1, 1, 0]
    assert alloc.free_count == 0


def test_alive_mask_vectorised() -> None:
    alloc = EntityAllocator()
    ids = alloc.allocate(4)
    alloc.free(ids[1:2])
    probe = np.array([ids[0], ids[1], 99, -5, ids[3]], dtype=np.int64)
    assert alloc.alive_mask(probe).tolist() == [True, False, False, False, True]
