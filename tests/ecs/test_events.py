from dataclasses import dataclass

import pytest

from astraweave.ecs import App, EventReader, Stage, World, component
from astraweave.errors import EcsError


@component
class Marker:
    pass


@dataclass(frozen=True)
class Hit:
    target: int


def test_event_lifetime_is_this_tick_and_next() -> None:
    app = App()
    log: list[tuple[int, list[int]]] = []

    def sender(world: World) -> None:
        if world.tick == 0:
            world.send(Hit(1))

    def reader(world: World) -> None:
        log.append((world.tick, [h.target for h in world.read_events(Hit)]))

    app.add_system(sender, stage=Stage.SIMULATION, name="send")
    app.add_system(reader, stage=Stage.SIMULATION, name="same-stage")
    app.add_system(reader, stage=Stage.PHYSICS, name="later-stage")
    app.run(3)
    # same stage: not visible until the sync point; later stage: visible
    assert log == [(0, []), (0, [1]), (1, [1]), (1, [1]), (2, []), (2, [])]


def test_reader_sees_each_event_once() -> None:
    world = World()
    reader = EventReader(Hit, "test.reader")
    world.send(Hit(1))
    world.send(Hit(2))
    assert [h.target for h in reader.read(world)] == [1, 2]
    assert reader.read(world) == []
    world.send(Hit(3))
    assert [h.target for h in reader.read(world)] == [3]
    assert [h.target for h in EventReader(Hit, "other").read(world)] == [1, 2, 3]


def test_spawn_handle_before_apply_is_an_error() -> None:
    world = World()
    handle = world.commands().spawn()
    with pytest.raises(EcsError, match="not been applied"):
        _ = handle.entity
    world.apply_commands()
    assert world.is_alive(handle.entity)


def test_world_level_commands() -> None:
    world = World()
    e = world.spawn()
    cmds = world.commands()
    cmds.insert(e, Marker())
    cmds.remove(e, Marker)
    cmds.insert_batch([e], Marker())
    cmds.remove_batch([e], Marker)
    cmds.add(lambda w: w.insert(e, Marker()))
    cmds.despawn(e)
    cmds.despawn(e)  # already gone by then: skipped
    cmds.despawn_batch([e])
    assert len(cmds) == 8
    world.apply_commands()
    assert not world.is_alive(e)
