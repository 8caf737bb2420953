"""Capture/replay: the whole world, per-tick hashes, first differing tick."""

from __future__ import annotations

from pathlib import Path

import msgpack
import pytest

from astraweave import ai, core
from astraweave.ecs import World
from astraweave.errors import ReplayError

from .conftest import scenario_text


def short_scenario() -> core.Scenario:
    return core.load_scenario(
        scenario_text(
            entities=[
                {"name": "a", "at": "A", "agent": {"role": "companion"}},
                {"name": "b", "at": "B", "agent": {"role": "lead"}},
                {"name": "e", "at": "E", "team": "red", "agent": {"role": "guard"}},
            ],
            inputs=[{"tick": 4, "entity": "b", "steps": [{"tool": "MoveTo", "x": 2.5, "y": 4.5}]}],
            max_ticks=150,
        )
    )


def test_round_trip_matches_every_tick(tmp_path: Path) -> None:
    path = tmp_path / "run.awr"
    result = ai.run_scenario(short_scenario(), replay_path=path, record_hashes=True)
    data = core.read_replay(path)
    assert [t.tick for t in data.ticks] == list(range(result.ticks))
    assert [t.world_hash for t in data.ticks] == result.hashes
    assert data.final_hash == result.world.hash()
    assert data.ticks[4].inputs and data.ticks[4].inputs[0][2] is True
    assert any(t.plans for t in data.ticks)
    # the initial world is complete: every entity, resource and the RNG state
    initial = World.from_snapshot(data.initial)
    assert initial.tick == 0 and initial.entity_count() == 3
    assert initial.hash() == short_scenario().build_world().hash()
    check = ai.verify_replay(path)
    assert check.ok and check.ticks == result.ticks and check.actual_hash == data.final_hash


def test_a_tampered_hash_is_found_at_its_tick(tmp_path: Path) -> None:
    path = tmp_path / "run.awr"
    ai.run_scenario(short_scenario(), replay_path=path)
    data = core.read_replay(path)
    bad = data.ticks[37]
    data.ticks[37] = core.TickRecord(bad.tick, "0" * 32, bad.inputs, bad.plans)
    core.write_replay(data, path)
    check = ai.verify_replay(path)
    assert (check.diverged_at, check.what) == (37, "hash")
    assert check.expected_hash == "0" * 32 and check.actual_hash == bad.world_hash


def test_a_tampered_input_changes_the_run_from_its_tick(tmp_path: Path) -> None:
    path = tmp_path / "run.awr"
    ai.run_scenario(short_scenario(), replay_path=path)
    data = core.read_replay(path)
    rec = data.ticks[4]
    (entity, text, ok) = rec.inputs[0]
    moved = text.replace('"x":2.5', '"x":3.5')
    assert moved != text
    data.ticks[4] = core.TickRecord(4, rec.world_hash, ((entity, moved, ok),), rec.plans)
    core.write_replay(data, path)
    check = ai.verify_replay(path)
    assert check.diverged_at == 4 and check.what == "hash"


def test_first_divergence_cases() -> None:
    a = [core.TickRecord(0, "h0"), core.TickRecord(1, "h1")]
    assert core.first_divergence(a, list(a)) is None
    assert core.first_divergence(a, a[:1]) == (1, "length")
    b = [core.TickRecord(0, "h0"), core.TickRecord(1, "h1", plans=((1, "rule", "{}", "ok"),))]
    assert core.first_divergence(a, b) == (1, "plans")
    c = [core.TickRecord(0, "h0", inputs=((1, "{}", True),)), a[1]]
    assert core.first_divergence(a, c) == (0, "inputs")
    assert core.first_divergence(a, [core.TickRecord(5, "h0")]) == (0, "tick")


def test_bad_replay_files(tmp_path: Path) -> None:
    with pytest.raises(ReplayError, match="cannot read"):
        core.read_replay(tmp_path / "missing.awr")
    junk = tmp_path / "junk.awr"
    junk.write_bytes(b"hello")
    with pytest.raises(ReplayError, match="bad magic"):
        core.read_replay(junk)
    junk.write_bytes(core._replay.REPLAY_MAGIC + b"\xc1\xc1")
    with pytest.raises(ReplayError, match="corrupted"):
        core.read_replay(junk)
    body = {"format": "astraweave-replay", "version": 99}
    junk.write_bytes(core._replay.REPLAY_MAGIC + msgpack.packb(body))
    with pytest.raises(ReplayError, match="version 99"):
        core.read_replay(junk)
    body = {"format": "astraweave-replay", "version": 1, "scenario": {}}
    junk.write_bytes(core._replay.REPLAY_MAGIC + msgpack.packb(body))
    with pytest.raises(ReplayError, match="malformed"):
        core.read_replay(junk)
    with pytest.raises(ReplayError, match="malformed tick"):
        core.TickRecord.from_list([1, 2])
    data = core.ReplayData("x", "", None, 0, {}, b"not a snapshot")
    core.write_replay(data, junk)
    with pytest.raises(ReplayError, match="cannot be restored"):
        ai.verify_replay(junk)


def test_snapshot_restore_mid_run_continues_identically() -> None:
    sc = short_scenario()
    full = ai.run_scenario(sc, ticks=120, record_hashes=True, stop_on_outcome=False)
    app = ai.build_app(sc)
    app.run(60)
    restored = World.from_snapshot(app.world.snapshot())
    from astraweave.ecs import App

    app2 = App(world=restored)
    app2.add_plugin(ai.plugin)
    hashes = []
    for _ in range(60):
        app2.tick()
        hashes.append(restored.hash())
    assert hashes == full.hashes[60:]
