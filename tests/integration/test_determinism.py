"""Determinism across the whole frame: the demo (physics bodies, AI, combat) gives the
same hash at every one of 1,000 ticks with one thread or two, its replay file
re-runs identically, and a snapshot taken mid-fight and restored in a new process
continues hash for hash with the run that was never interrupted."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from astraweave import ai
from astraweave.core import builtin_scenario, read_replay
from astraweave.testing import IntegrationHarness, ReplayProbe

TICKS = 1000


@pytest.fixture(scope="module")
def one_thread(tmp_path_factory: pytest.TempPathFactory) -> tuple[IntegrationHarness, Path]:
    """The demo for 1,000 ticks with one thread, captured as a replay file."""
    replay = ReplayProbe()
    h = IntegrationHarness.from_scenario(builtin_scenario(), threads=1, probes=[replay])
    h.run(TICKS)
    path = replay.write(tmp_path_factory.mktemp("replay") / "demo.awr")
    return h, path


def test_physics_world_is_bit_identical_with_one_or_two_threads(
    one_thread: tuple[IntegrationHarness, Path],
) -> None:
    reference, _ = one_thread
    with IntegrationHarness.from_scenario(builtin_scenario(), threads=2) as two:
        two.run(TICKS)
        assert len(reference.hashes) == len(two.hashes) == TICKS
        first_diff = next(
            (
                t
                for t, (a, b) in enumerate(zip(reference.hashes, two.hashes, strict=True))
                if a != b
            ),
            None,
        )
        assert first_diff is None, f"threads=2 diverged at tick {first_diff}"
        # the frames did real work: bodies moved, bumped, fought
        assert reference.collision_count() > 0 and reference.events("shot")
        assert [e for e in two.events()] == reference.events()
        assert two.positions() == reference.positions()


def test_replay_of_1000_ticks_re_runs_identically(
    one_thread: tuple[IntegrationHarness, Path],
) -> None:
    reference, path = one_thread
    data = read_replay(path)
    assert len(data.ticks) == TICKS
    assert [t.world_hash for t in data.ticks] == reference.hashes
    assert sum(len(t.plans) for t in data.ticks) == len(reference.plans())
    check = ai.verify_replay(path)
    assert check.ok, f"replay diverged at tick {check.diverged_at} ({check.what})"
    assert check.ticks == TICKS and check.actual_hash == reference.hash()


RESTORE = textwrap.dedent(
    """
    import json, sys
    from pathlib import Path
    from astraweave.testing import IntegrationHarness

    h = IntegrationHarness.restore(Path(sys.argv[1]).read_bytes())
    h.run(int(sys.argv[2]))
    print(json.dumps({
        "tick": h.world.tick,
        "hashes": h.hashes,
        "events": [[e.tick, e.kind, e.actor, e.target, e.value] for e in h.events()],
        "hp": {n: h.hp(n) for n in sorted(h.characters())},
    }))
    """
)


def test_snapshot_mid_fight_restored_in_a_new_process_continues_identically(
    tmp_path: Path,
) -> None:
    h = IntegrationHarness.from_scenario(builtin_scenario(), seed=7)
    h.run(400, until=lambda hh: bool(hh.events("damaged")))
    h.run(40)  # mid-fight: shots are flying
    snap_tick = h.world.tick
    assert h.events("damaged") and h.events("damaged")[-1].tick < snap_tick
    snap = tmp_path / "mid_fight.snap"
    snap.write_bytes(h.snapshot())
    already = len(h.events())

    h.run(300)  # the uninterrupted run
    env = {**os.environ, "PYTHONHASHSEED": "12345"}  # another process, another str hash
    out = subprocess.run(
        [sys.executable, "-c", RESTORE, str(snap), "300"],
        capture_output=True,
        text=True,
        check=True,
        env=env,
        timeout=120,
    )
    other = json.loads(out.stdout)
    assert other["tick"] == h.world.tick == snap_tick + 300
    assert other["hashes"] == h.hashes[snap_tick:]
    expected = [[e.tick, e.kind, e.actor, e.target, e.value] for e in h.events()[already:]]
    assert other["events"] == expected
    assert any(e[1] == "shot" for e in expected)  # the fight went on after the snapshot
    assert other["hp"] == {n: h.hp(n) for n in sorted(h.characters())}
