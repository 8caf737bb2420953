"""Capture and replay: the whole initial world, then per tick the inputs, the plans
and the world hash.

A replay file is msgpack (:data:`REPLAY_MAGIC` first)::

    {"format": "astraweave-replay", "version": 1,
     "scenario": {"name", "path", "text"}, "seed": int, "config": {...},
     "initial": <World.snapshot() bytes: every entity, resource and the RNG>,
     "ticks": [[tick, world_hash, inputs, plans], ...], "final_hash": str}

``inputs`` are ``[entity, plan JSON, accepted]`` submitted from outside (the
:class:`PlanInbox`), ``plans`` are ``[agent, planner, canonical plan JSON, outcome]``
from the planners. Replaying restores the initial world, feeds the recorded inputs
back, re-runs every planner and compares the hash (and plans) tick by tick:
:func:`first_divergence` names the first tick that differs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import msgpack

from astraweave.errors import ReplayError

__all__ = [
    "REPLAY_MAGIC",
    "REPLAY_VERSION",
    "ReplayData",
    "ReplayRecorder",
    "TickRecord",
    "first_divergence",
    "read_replay",
    "write_replay",
]

REPLAY_MAGIC = b"AWREPLAY"
REPLAY_VERSION = 1


@dataclass(frozen=True)
class TickRecord:
    """What happened in one tick: the hash after it, inputs and plans submitted."""

    tick: int
    world_hash: str
    inputs: tuple[tuple[int, str, bool], ...] = ()
    plans: tuple[tuple[int, str, str, str], ...] = ()

    def to_list(self) -> list[Any]:
        """Plain data for msgpack."""
        return [
            self.tick,
            self.world_hash,
            [list(i) for i in self.inputs],
            [list(p) for p in self.plans],
        ]

    @classmethod
    def from_list(cls, data: Any) -> TickRecord:
        """Inverse of :meth:`to_list`.

        Raises:
            ReplayError: malformed data.
        """
        try:
            tick, h, inputs, plans = data
            return cls(
                int(tick),
                str(h),
                tuple((int(e), str(p), bool(ok)) for e, p, ok in inputs),
                tuple((int(a), str(n), str(p), str(o)) for a, n, p, o in plans),
            )
        except (TypeError, ValueError) as exc:
            raise ReplayError(f"malformed tick record: {exc}") from None


@dataclass
class ReplayData:
    """A replay in memory."""

    scenario_name: str
    scenario_text: str
    scenario_path: str | None
    seed: int
    config: dict[str, Any]
    initial: bytes
    ticks: list[TickRecord] = field(default_factory=list)
    final_hash: str = ""


class ReplayRecorder:
    """Collects :class:`TickRecord` s while a run goes (the driver calls :meth:`record`
    after each tick), then writes the file.

    Args:
        scenario_name / scenario_text / scenario_path: where the run came from.
        seed: the world seed. config: run settings (planner override, budget).
        initial: ``world.snapshot()`` before the first tick.
    """

    def __init__(
        self,
        *,
        scenario_name: str,
        scenario_text: str,
        scenario_path: str | None,
        seed: int,
        config: dict[str, Any],
        initial: bytes,
    ) -> None:
        self.data = ReplayData(
            scenario_name, scenario_text, scenario_path, seed, dict(config), bytes(initial)
        )

    def record(
        self,
        tick: int,
        world_hash: str,
        inputs: list[tuple[int, str, bool]] | tuple[tuple[int, str, bool], ...] = (),
        plans: list[tuple[int, str, str, str]] | tuple[tuple[int, str, str, str], ...] = (),
    ) -> None:
        """Add the record of ``tick``."""
        self.data.ticks.append(TickRecord(tick, world_hash, tuple(inputs), tuple(plans)))
        self.data.final_hash = world_hash

    def write(self, path: str | Path) -> Path:
        """Write the replay file (see :func:`write_replay`)."""
        return write_replay(self.data, path)


def write_replay(data: ReplayData, path: str | Path) -> Path:
    """Write ``data`` to ``path`` (parents created); returns the path."""
    body = {
        "format": "astraweave-replay",
        "version": REPLAY_VERSION,
        "scenario": {
            "name": data.scenario_name,
            "path": data.scenario_path,
            "text": data.scenario_text,
        },
        "seed": data.seed,
        "config": data.config,
        "initial": data.initial,
        "ticks": [t.to_list() for t in data.ticks],
        "final_hash": data.final_hash,
    }
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(REPLAY_MAGIC + msgpack.packb(body, use_bin_type=True))
    return out


def read_replay(path: str | Path) -> ReplayData:
    """Read a replay file.

    Raises:
        ReplayError: unreadable, not a replay, another version, or malformed.
    """
    where = str(path)
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise ReplayError(f"cannot read replay {where}: {exc.strerror}", path=where) from exc
    if not raw.startswith(REPLAY_MAGIC):
        raise ReplayError(f"{where} is not an astraweave replay (bad magic)", path=where)
    try:
        body = msgpack.unpackb(raw[len(REPLAY_MAGIC) :], raw=False)
    except (msgpack.ExtraData, msgpack.FormatError, msgpack.StackError, ValueError) as exc:
        raise ReplayError(f"{where}: corrupted replay body: {exc}", path=where) from None
    if not isinstance(body, dict) or body.get("format") != "astraweave-replay":
        raise ReplayError(f"{where}: not an astraweave replay body", path=where)
    if body.get("version") != REPLAY_VERSION:
        raise ReplayError(
            f"{where}: replay version {body.get('version')} is not supported "
            f"(this build reads {REPLAY_VERSION})",
            path=where,
        )
    try:
        sc = body["scenario"]
        return ReplayData(
            scenario_name=str(sc["name"]),
            scenario_text=str(sc["text"]),
            scenario_path=sc["path"],
            seed=int(body["seed"]),
            config=dict(body["config"]),
            initial=bytes(body["initial"]),
            ticks=[TickRecord.from_list(t) for t in body["ticks"]],
            final_hash=str(body["final_hash"]),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise ReplayError(f"{where}: malformed replay: {exc}", path=where) from None


def first_divergence(
    recorded: list[TickRecord], actual: list[TickRecord]
) -> tuple[int, str] | None:
    """The first tick where two runs differ, and what differs (``"hash"``,
    ``"plans"``, ``"inputs"`` or ``"length"``); ``None`` when they match."""
    for a, b in zip(recorded, actual, strict=False):
        if a.tick != b.tick:
            return min(a.tick, b.tick), "tick"
        if a.world_hash != b.world_hash:
            return a.tick, "hash"
        if a.plans != b.plans:
            return a.tick, "plans"
        if a.inputs != b.inputs:
            return a.tick, "inputs"
    if len(recorded) != len(actual):
        shorter = recorded if len(recorded) < len(actual) else actual
        return (shorter[-1].tick + 1 if shorter else 0), "length"
    return None
