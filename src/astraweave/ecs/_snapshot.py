"""World hash and snapshot/restore.

**Hash.** :func:`world_hash` digests (BLAKE2b, 128 bit) the tick, the RNG state, every
non-empty archetype (ordered by its sorted component names) with its rows ordered by
entity id, every column (numeric columns as little-endian bytes, object columns
pickled without pickle's memo, so only values count, not object identity), and every
resource that defines ``state_bytes(self) -> bytes`` (ordered by qualified type name).
Storage history (row order, empty tables, spare capacity) does not enter the hash, so
two worlds with the same content hash the same.

**Snapshot.** :func:`snapshot` writes the whole world: tick, dt, seed, RNG state,
the entity allocator (generations and free list, so future ids match), every table
in row order, resources and live events (pickled), and event-reader cursors. The
format is ``MAGIC (8 bytes) | BLAKE2b-128 digest of the body (16 bytes) | body``,
where the body is msgpack. A restored world continues exactly as the original:
restore-then-run gives the same hash at every tick as the uninterrupted run.

Object columns, resources and events are pickled: only restore snapshots you trust.
"""

from __future__ import annotations

import hashlib
import importlib
import io
import json
import pickle
from typing import TYPE_CHECKING, Any

import msgpack
import numpy as np

from astraweave.ecs._component import ComponentInfo, lookup_component
from astraweave.ecs._entity import EntityAllocator
from astraweave.ecs._events import EventBus
from astraweave.errors import SnapshotError

if TYPE_CHECKING:
    from astraweave.ecs._world import World

__all__ = ["FORMAT_VERSION", "MAGIC", "restore", "snapshot", "world_hash"]

MAGIC = b"AWSNAP\x00\x01"
FORMAT_VERSION = 1
_DIGEST = 16


def _rng_state(world: World) -> dict[str, Any]:
    state = world.rng.bit_generator.state
    return json.loads(json.dumps(state, default=str), parse_int=str)  # type: ignore[no-any-return]


def _rng_from_state(state: dict[str, Any]) -> np.random.Generator:
    def to_int(v: Any) -> Any:
        if isinstance(v, dict):
            return {k: to_int(x) for k, x in v.items()}
        if isinstance(v, str) and v.lstrip("-").isdigit():
            return int(v)
        return v

    bitgen = np.random.PCG64()
    bitgen.state = to_int(state)
    return np.random.Generator(bitgen)


def _le_bytes(arr: np.ndarray[Any, Any]) -> bytes:
    arr = np.ascontiguousarray(arr)
    if arr.dtype.byteorder == ">":
        arr = arr.astype(arr.dtype.newbyteorder("<"))
    return arr.tobytes()


def _value_bytes(values: list[Any]) -> bytes:
    """Pickle ``values`` without the memo, so the bytes depend on the values only and
    not on which of them happen to be the same object (pickle's memo would write a
    shared string once and refer back to it, an equal copy twice)."""
    buf = io.BytesIO()
    pickler = pickle.Pickler(buf, protocol=4)
    pickler.fast = True  # no memo: equal values always give equal bytes
    pickler.dump(values)
    return buf.getvalue()


def world_hash(world: World) -> str:
    """The stable hex digest of ``world`` (see the module docstring for what it covers)."""
    h = hashlib.blake2b(digest_size=16)
    h.update(f"tick={world.tick};dt={world.dt!r}".encode())
    h.update(json.dumps(_rng_state(world), sort_keys=True).encode())
    archs = sorted((a for a in world._archetypes if a.len), key=lambda a: a.names)
    for arch in archs:
        ents = arch.entities[: arch.len]
        order = None if np.all(ents[1:] > ents[:-1]) else np.argsort(ents, kind="stable")
        h.update(("|".join(arch.names) + f"#{arch.len}").encode())
        h.update(_le_bytes(ents if order is None else ents[order]))
        for info in arch.infos:
            for spec in info.fields:
                col = arch.cols[info.type][spec.name][: arch.len]
                if order is not None:
                    col = col[order]
                if spec.is_object:
                    h.update(_value_bytes(col.tolist()))
                else:
                    h.update(_le_bytes(col))
    for cls in sorted(world._resources, key=lambda c: f"{c.__module__}.{c.__qualname__}"):
        fn = getattr(world._resources[cls], "state_bytes", None)
        if callable(fn):
            h.update(f"{cls.__module__}.{cls.__qualname__}".encode())
            h.update(fn())
    return h.hexdigest()


def _type_name(cls: type) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


def snapshot(world: World) -> bytes:
    """Serialise ``world`` to bytes (see the module docstring)."""
    alloc = world._alloc.state()
    tables = []
    for arch in world._archetypes:
        if not arch.len:
            continue
        comps = []
        for info in arch.infos:
            fields = []
            for spec in info.fields:
                col = arch.cols[info.type][spec.name][: arch.len]
                data = pickle.dumps(col.tolist(), protocol=4) if spec.is_object else _le_bytes(col)
                fields.append([spec.name, spec.dtype.str, list(spec.shape), data])
            comps.append([info.type.__module__, info.type.__qualname__, fields])
        tables.append({"entities": _le_bytes(arch.entities[: arch.len]), "components": comps})
    resources = sorted(world._resources.items(), key=lambda kv: _type_name(kv[0]))
    body = {
        "version": FORMAT_VERSION,
        "seed": world.seed,
        "tick": world.tick,
        "dt": world.dt,
        "rng": json.dumps(_rng_state(world), sort_keys=True),
        "alloc": {
            "size": alloc["size"],
            "generation": _le_bytes(alloc["generation"]),
            "alive": _le_bytes(alloc["alive"]),
            "free": _le_bytes(alloc["free"]),
        },
        "tables": tables,
        "resources": pickle.dumps([obj for _, obj in resources], protocol=4),
        "events": pickle.dumps(
            (world._events.queues, world._events.cursors, world._events.seq), protocol=4
        ),
    }
    payload: bytes = msgpack.packb(body, use_bin_type=True)
    return MAGIC + hashlib.blake2b(payload, digest_size=_DIGEST).digest() + payload


def _component(module: str, qualname: str) -> ComponentInfo:
    name = f"{module}.{qualname}"
    info = lookup_component(name)
    if info is None:
        try:
            importlib.import_module(module)
        except ImportError as exc:
            raise SnapshotError(
                f"snapshot names component {name}, whose module cannot be imported",
                component=name,
            ) from exc
        info = lookup_component(name)
    if info is None:
        raise SnapshotError(
            f"snapshot names component {name}, which is not registered",
            component=name,
            hint="import the module that declares it before restoring",
        )
    return info


def _array(data: Any, dtype: str | np.dtype[Any], count: int, shape: tuple[int, ...]) -> Any:
    if not isinstance(data, bytes):
        raise SnapshotError("snapshot column is not bytes")
    dt = np.dtype(dtype)
    expected = count * int(np.prod(shape, dtype=np.int64)) * dt.itemsize
    if len(data) != expected:
        raise SnapshotError(f"snapshot column holds {len(data)} bytes, expected {expected}")
    return np.frombuffer(data, dtype=dt).reshape((count, *shape)).copy()


def restore(data: bytes) -> World:
    """Rebuild a world from :func:`snapshot` bytes.

    Raises:
        SnapshotError: wrong magic or version, digest mismatch (corruption or
            truncation), undecodable body, or unknown components.
    """
    from astraweave.ecs._world import World

    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise SnapshotError(f"snapshot must be bytes, got {type(data).__name__}")
    raw = bytes(data)
    if len(raw) < len(MAGIC) + _DIGEST or raw[: len(MAGIC)] != MAGIC:
        raise SnapshotError(
            "not an astraweave snapshot (bad magic bytes)", offset=0, hint="was it truncated?"
        )
    digest, payload = raw[len(MAGIC) : len(MAGIC) + _DIGEST], raw[len(MAGIC) + _DIGEST :]
    if hashlib.blake2b(payload, digest_size=_DIGEST).digest() != digest:
        raise SnapshotError(
            "snapshot is corrupted: its checksum does not match its contents",
            offset=len(MAGIC),
        )
    try:
        body = msgpack.unpackb(payload, raw=False)
        if body["version"] != FORMAT_VERSION:
            raise SnapshotError(
                f"snapshot format version {body['version']} is not supported "
                f"(this build reads {FORMAT_VERSION})"
            )
        world = World(seed=int(body["seed"]), dt=float(body["dt"]))
        world.tick = int(body["tick"])
        world.rng = _rng_from_state(json.loads(body["rng"]))
        a = body["alloc"]
        size = int(a["size"])
        world._alloc = EntityAllocator.from_state(
            {
                "size": size,
                "generation": _array(a["generation"], "<i8", size, ()),
                "alive": _array(a["alive"], "|b1", size, ()),
                "free": np.frombuffer(a["free"], dtype="<i8").copy(),
            }
        )
        for table in body["tables"]:
            infos = [_component(m, q) for m, q, _ in table["components"]]
            arch = world._archetype(frozenset(i.type for i in infos))
            ents = np.frombuffer(table["entities"], dtype="<i8").astype(np.int64)
            if not world._alloc.alive_mask(ents).all():
                raise SnapshotError("snapshot table holds entities its allocator marks dead")
            start = arch.append(ents)
            n = len(ents)
            for info, (_, _, fields) in zip(infos, table["components"], strict=True):
                by_name = {f[0]: f for f in fields}
                for spec in info.fields:
                    if spec.name not in by_name:
                        raise SnapshotError(
                            f"snapshot lacks field {info.name}.{spec.name}",
                            component=info.name,
                        )
                    _, dtype, shape, blob = by_name[spec.name]
                    if spec.is_object:
                        values = pickle.loads(blob)
                        if len(values) != n:
                            raise SnapshotError(f"object column {info.name}.{spec.name} length")
                        col = arch.cols[info.type][spec.name]
                        for i, v in enumerate(values):
                            col[start + i] = v
                    else:
                        if tuple(shape) != spec.shape:
                            raise SnapshotError(
                                f"{info.name}.{spec.name} has shape {tuple(shape)} in the "
                                f"snapshot but {spec.shape} in this build",
                                component=info.name,
                            )
                        arch.cols[info.type][spec.name][start : start + n] = _array(
                            blob, dtype, n, spec.shape
                        )
            idx = ents & 0xFFFFFFFF
            world._alloc.arch[idx] = arch.id
            world._alloc.row[idx] = np.arange(start, start + n, dtype=np.int64)
        for obj in pickle.loads(body["resources"]):
            world.insert_resource(obj)
        bus = EventBus()
        bus.queues, bus.cursors, bus.seq = pickle.loads(body["events"])
        world._events = bus
    except SnapshotError:
        raise
    except (KeyError, TypeError, ValueError, IndexError, pickle.UnpicklingError) as exc:
        raise SnapshotError(f"snapshot body is malformed: {exc}") from exc
    except (msgpack.ExtraData, msgpack.FormatError, msgpack.StackError) as exc:
        raise SnapshotError(f"snapshot body is not valid msgpack: {exc}") from exc
    return world
