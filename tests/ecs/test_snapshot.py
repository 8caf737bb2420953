from dataclasses import dataclass
from typing import Annotated

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from numpy.typing import NDArray

from astraweave.ecs import (
    App,
    EventReader,
    Position,
    Shape,
    Stage,
    Velocity,
    World,
    columns,
    component,
)
from astraweave.ecs._snapshot import MAGIC
from astraweave.errors import SnapshotError


@component
class Inventory:
    items: tuple[str, ...] = ()


@component
class Mat:
    m: Annotated[NDArray[np.float64], Shape(2, 2)]


@dataclass
class Score:
    points: int = 0

    def state_bytes(self) -> bytes:
        return self.points.to_bytes(8, "little")


@dataclass(frozen=True)
class Ping:
    n: int


def _app(seed: int = 3) -> App:
    app = App(seed=seed)
    w = app.world
    rng = w.rng
    w.spawn_batch(
        50,
        columns(Position, x=rng.random(50), y=rng.random(50)),
        columns(Velocity, x=rng.normal(size=50), y=rng.normal(size=50)),
    )
    w.spawn(Inventory(("medkit", "smoke")), Mat(np.eye(2)))
    w.insert_resource(Score())

    def step(world: World) -> None:
        for c in world.query(Position, Velocity):
            c[Velocity].x += world.rng.normal(size=len(c)) * 0.1
            c[Position].x += c[Velocity].x * world.dt
        world.resource(Score).points += 1
        world.send(Ping(world.tick))
        if world.tick % 5 == 0:
            first = int(world.query(Position).entities()[0])
            world.commands().despawn(first)
            world.commands().spawn(Position(float(world.tick), 0.0), Velocity(1.0, 0.0))

    def read(world: World) -> None:
        got = EventReader(Ping, "test.read").read(world)
        world.resource(Score).points += len(got) * 100

    app.add_system(step, stage=Stage.SIMULATION, writes=[Position, Velocity, Score, "rng"])
    app.add_system(read, stage=Stage.POST_SIMULATION, writes=[Score])
    return app


def test_restore_then_run_matches_uninterrupted_run() -> None:
    app = _app()
    app.run(12)
    snap = app.world.snapshot()
    reference = []
    for _ in range(15):
        app.tick()
        reference.append(app.world.hash())
    resumed = _app(seed=999)  # different seed: everything must come from the snapshot
    resumed.world.restore(snap)
    hashes = []
    for _ in range(15):
        resumed.tick()
        hashes.append(resumed.world.hash())
    assert hashes == reference
    assert resumed.world.resource(Score) == app.world.resource(Score)


def test_from_snapshot_round_trip_and_content() -> None:
    app = _app()
    app.run(3)
    data = app.world.snapshot()
    assert data.startswith(MAGIC)
    other = World.from_snapshot(data)
    assert other.hash() == app.world.hash()
    assert other.tick == 3 and other.dt == app.world.dt
    inv = other.query(Inventory).chunks()[0][Inventory].items.tolist()
    assert inv == [("medkit", "smoke")]
    assert other.rng.random() == app.world.rng.random()


def test_hash_is_independent_of_row_order_and_history() -> None:
    a = World()
    b = World()
    ea = [a.spawn(Position(float(i), 0.0)) for i in range(4)]
    eb = [b.spawn(Position(float(i), 0.0)) for i in range(4)]
    b.insert(eb[1], Velocity())
    b.remove(eb[1], Velocity)  # row order in b now differs from a
    assert ea == eb
    assert a.hash() == b.hash()
    b.set(eb[2], Position(2.5, 0.0))
    assert a.hash() != b.hash()


def test_hash_covers_rng_tick_and_resources() -> None:
    a, b = World(seed=1), World(seed=1)
    assert a.hash() == b.hash()
    b.rng.random()
    assert a.hash() != b.hash()
    c = World(seed=1)
    c.tick = 1
    assert c.hash() != a.hash()
    d = World(seed=1)
    d.insert_resource(Score(5))
    assert d.hash() != a.hash()


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda d: b"XXXX" + d[4:], "bad magic"),
        (lambda d: d[:-10], "checksum"),
        (lambda d: d[:30] + bytes([d[30] ^ 0xFF]) + d[31:], "checksum"),
        (lambda d: d[:10], "checksum|magic"),
        (lambda d: b"", "magic"),
    ],
)
def test_corrupted_snapshots_are_rejected_and_world_untouched(mutate, message) -> None:  # type: ignore[no-untyped-def]
    app = _app()
    data = app.world.snapshot()
    app.tick()
    before = app.world.hash()
    with pytest.raises(SnapshotError, match=message):
        app.world.restore(mutate(data))
    assert app.world.hash() == before


def test_snapshot_body_errors_are_typed() -> None:
    import hashlib

    import msgpack

    def forge(body: object) -> bytes:
        payload = msgpack.packb(body, use_bin_type=True)
        return MAGIC + hashlib.blake2b(payload, digest_size=16).digest() + payload

    with pytest.raises(SnapshotError, match="version 99"):
        World.from_snapshot(forge({"version": 99}))
    with pytest.raises(SnapshotError, match="malformed"):
        World.from_snapshot(forge({"version": 1}))
    with pytest.raises(SnapshotError, match="must be bytes"):
        World.from_snapshot("text")  # type: ignore[arg-type]
    good = msgpack.unpackb(World().snapshot()[24:], raw=False)
    good["tables"] = [{"entities": b"\x00" * 8, "components": [["no.such.module", "Thing", []]]}]
    good["alloc"]["size"] = 1
    good["alloc"]["generation"] = b"\x00" * 8
    good["alloc"]["alive"] = b"\x01"
    with pytest.raises(SnapshotError, match="cannot be imported"):
        World.from_snapshot(forge(good))
    good["tables"][0]["components"] = [["astraweave.ecs._builtin", "Nope", []]]
    with pytest.raises(SnapshotError, match="not registered"):
        World.from_snapshot(forge(good))
    good["alloc"]["alive"] = b"\x00"
    good["tables"][0]["components"] = [["astraweave.ecs._builtin", "Position", []]]
    with pytest.raises(SnapshotError, match="marks dead"):
        World.from_snapshot(forge(good))


ops = st.lists(
    st.tuples(
        st.sampled_from(["spawn", "despawn", "insert", "remove", "move"]), st.integers(0, 50)
    ),
    max_size=40,
)


def _apply(world: World, program: list[tuple[str, int]]) -> None:
    for op, k in program:
        live = world.entities()
        if op == "spawn":
            world.spawn(Position(float(k), 1.0))
        elif not len(live):
            continue
        elif op == "despawn":
            world.despawn(int(live[k % len(live)]))
        elif op == "insert":
            world.insert(int(live[k % len(live)]), Velocity(float(k), 0.0))
        elif op == "batch":
            world.spawn_batch(k % 7, Position(float(k), 2.0), Velocity(1.0, float(k)))
        elif op == "kill":
            world.despawn_batch(live[k % 3 :: 2])
        elif op == "remove":
            e = int(live[k % len(live)])
            if world.has(e, Velocity):
                world.remove(e, Velocity)
        else:
            for c in world.query(Position):
                c[Position].x += k


@given(ops)
def test_same_operations_same_hash_and_snapshot_round_trip(program: list[tuple[str, int]]) -> None:
    a, b = World(seed=2), World(seed=2)
    _apply(a, program)
    _apply(b, program)
    assert a.hash() == b.hash()
    c = World.from_snapshot(a.snapshot())
    assert c.hash() == a.hash()
    _apply(a, program)
    _apply(c, program)
    assert c.hash() == a.hash()
    assert c.entities().tolist() == a.entities().tolist()


@component
class Note:
    text: str = ""


def test_hash_depends_on_object_values_not_identity() -> None:
    shared = "".join(["status-"] * 8)
    a, b = World(), World()
    a.spawn_batch(2, Note(shared))  # one string object in both rows
    b.spawn(Note("".join(["status-"] * 8)))
    b.spawn(Note("".join(["status-"] * 8)))  # an equal but distinct object
    assert a.hash() == b.hash()
    c = World.from_snapshot(a.snapshot())
    assert c.hash() == a.hash()
