import threading
from dataclasses import dataclass

import numpy as np
import pytest

from astraweave.ecs import App, Position, Stage, Velocity, World, columns, component
from astraweave.errors import (
    DuplicateSystemError,
    PluginError,
    StructuralChangeError,
    SystemConflictError,
    SystemCycleError,
    UnknownStageError,
)


@component
class A:
    v: float = 0.0


@component
class B:
    v: float = 0.0


def noop(world: World) -> None:
    pass


def test_stages_run_in_order_every_tick() -> None:
    app = App()
    calls: list[str] = []
    for stage in reversed(list(Stage)):
        app.add_system(lambda w, s=stage: calls.append(s.name), stage=stage, name=f"s{stage.value}")
    app.run(2)
    assert calls == [s.name for s in Stage] * 2
    assert app.world.tick == 2


def test_stage_parsing_and_unknown_stage() -> None:
    assert Stage.parse("physics") is Stage.PHYSICS
    assert Stage.parse(3) is Stage.AI_PLANNING
    app = App()
    for bad in ("RENDER", 7, -1, True, None):
        with pytest.raises(UnknownStageError) as info:
            app.add_system(noop, stage=bad)  # type: ignore[arg-type]
        assert "PRE_SIMULATION" in str(info.value)
    assert app.schedule.systems() == []


def test_conflicting_declarations_are_errors() -> None:
    app = App()
    with pytest.raises(SystemConflictError, match="both reads and writes"):
        app.add_system(noop, stage=Stage.SIMULATION, reads=[A], writes=[A])
    app.add_system(noop, stage=Stage.SIMULATION, name="n")
    with pytest.raises(DuplicateSystemError, match="already registered"):
        app.add_system(noop, stage=Stage.PHYSICS, name="n")
    with pytest.raises(SystemConflictError, match="itself"):
        app.add_system(noop, stage=Stage.PHYSICS, name="m", after=["m"])
    with pytest.raises(SystemConflictError, match="not callable"):
        app.add_system(3, stage=Stage.PHYSICS, name="k")  # type: ignore[arg-type]


def test_unknown_and_cross_stage_ordering() -> None:
    app = App()
    app.add_system(noop, stage=Stage.SIMULATION, name="a", after=["ghost"])
    with pytest.raises(SystemConflictError, match="not registered"):
        app.tick()
    app = App()
    app.add_system(noop, stage=Stage.SIMULATION, name="a")
    app.add_system(noop, stage=Stage.PHYSICS, name="b", after=["a"])
    with pytest.raises(SystemConflictError, match="stages already run in order"):
        app.schedule.build()


def test_cycle_detected() -> None:
    app = App()
    app.add_system(noop, stage=Stage.SIMULATION, name="a", after=["b"], reads=[A])
    app.add_system(noop, stage=Stage.SIMULATION, name="b", after=["a"], reads=[B])
    with pytest.raises(SystemCycleError) as info:
        app.schedule.build()
    assert info.value.cycle == ["a", "b"]


def test_ordering_by_constraints_then_registration() -> None:
    app = App()
    app.add_system(noop, stage=Stage.SIMULATION, name="first", writes=[A])
    app.add_system(noop, stage=Stage.SIMULATION, name="second", writes=[B])
    app.add_system(noop, stage=Stage.SIMULATION, name="zero", reads=[A], before=["first"])
    app.add_system(noop, stage=Stage.SIMULATION, name="third", reads=[B], after=["first"])
    names = [s.name for s in app.schedule.systems(Stage.SIMULATION)]
    # ready systems run in registration order; "first" must wait for "zero"
    assert names == ["second", "zero", "first", "third"]


def test_structural_changes_inside_systems_must_use_commands() -> None:
    app = App()

    def bad(world: World) -> None:
        world.spawn(A())

    app.add_system(bad, stage=Stage.SIMULATION, writes=[A])
    with pytest.raises(StructuralChangeError, match="commands") as info:
        app.tick()
    assert "bad" in info.value.system
    assert any("in system" in note for note in info.value.__notes__)


def test_commands_apply_at_stage_end_in_order() -> None:
    app = App()
    seen: list[int] = []

    def spawner(world: World) -> None:
        handle = world.commands().spawn(A(1.0))
        assert not handle.applied
        world.commands().spawn_batch(2, A(2.0))

    def counter(world: World) -> None:
        seen.append(world.query(A).count())

    app.add_system(spawner, stage=Stage.SIMULATION, reads=[B])
    app.add_system(counter, stage=Stage.SIMULATION, reads=[A])
    app.add_system(counter, stage=Stage.AI_PLANNING, reads=[A], name="later")
    app.tick()
    assert seen == [0, 3]


def test_plugins_register_once() -> None:
    app = App()
    calls = []

    def plugin(app: App, *, speed: float) -> None:
        calls.append(speed)
        app.add_system(noop, stage=Stage.SIMULATION, name="plugin.noop")

    app.add_plugin(plugin, speed=2.0).add_plugin(plugin, speed=3.0)
    assert calls == [2.0] and app.has_plugin(plugin)
    with pytest.raises(PluginError):
        app.add_plugin("nope")  # type: ignore[arg-type]
    with pytest.raises(PluginError):
        App(threads=0)


def _physics_app(threads: int) -> App:
    app = App(seed=11, threads=threads)
    rng = app.world.rng
    n = 3000
    app.world.spawn_batch(
        n,
        columns(Position, x=rng.random(n), y=rng.random(n)),
        columns(Velocity, x=rng.normal(size=n), y=rng.normal(size=n)),
        columns(A, v=rng.random(n)),
        columns(B, v=rng.random(n)),
    )

    def move(world: World) -> None:
        for c in world.query(Position, Velocity):
            c[Position].x += c[Velocity].x * world.dt
            c[Position].y += c[Velocity].y * world.dt

    def jitter(world: World) -> None:
        for c in world.query(Velocity):
            c[Velocity].x += world.rng.normal(size=len(c)) * 0.01

    def grow_a(world: World) -> None:
        for c in world.query(A):
            c[A].v = np.sqrt(c[A].v + 1.0)

    def grow_b(world: World) -> None:
        for c in world.query(B):
            c[B].v *= 1.0001
        world.send(Note(world.tick))

    def despawn_some(world: World) -> None:
        for c in world.query(A):
            ids = c.entities[c[A].v > 1.618]
            if len(ids) and world.tick % 7 == 0:
                world.commands().despawn_batch(ids[:3])

    app.add_system(jitter, stage=Stage.SIMULATION, writes=["rng", Velocity])
    app.add_system(grow_a, stage=Stage.SIMULATION, writes=[A])
    app.add_system(grow_b, stage=Stage.SIMULATION, writes=[B])
    app.add_system(move, stage=Stage.PHYSICS, reads=[Velocity], writes=[Position])
    app.add_system(despawn_some, stage=Stage.POST_SIMULATION, reads=[A])
    return app


@dataclass(frozen=True)
class Note:
    tick: int


def test_threads_two_is_bit_identical_to_sequential() -> None:
    hashes = []
    for threads in (1, 2):
        with _physics_app(threads) as app:
            run = []
            for _ in range(30):
                app.tick()
                run.append(app.world.hash())
            hashes.append(run)
            assert [n.tick for n in app.world.read_events(Note)] == [28, 29]
    assert hashes[0] == hashes[1]
    assert len(set(hashes[0])) == 30


def test_parallel_systems_really_run_on_worker_threads() -> None:
    app = App(threads=2)
    names: set[str] = set()
    barrier = threading.Barrier(2, timeout=5)

    def a(world: World) -> None:
        names.add(threading.current_thread().name)
        barrier.wait()  # only passes if both systems run at the same time

    app.add_system(a, stage=Stage.SIMULATION, writes=[A], name="a")
    app.add_system(a, stage=Stage.SIMULATION, writes=[B], name="b")
    app.tick()
    app.close()
    assert all(n.startswith("astraweave") for n in names) and len(names) == 2


def test_error_in_parallel_system_propagates() -> None:
    app = App(threads=2)

    def boom(world: World) -> None:
        raise ValueError("boom")

    app.add_system(boom, stage=Stage.SIMULATION, writes=[A])
    app.add_system(noop, stage=Stage.SIMULATION, writes=[B], name="ok")
    with pytest.raises(ValueError, match="boom"):
        app.tick()
    app.close()
