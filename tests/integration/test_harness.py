"""The integration harness itself: its public API, hand-built worlds equal to their
scenario files, agreement with ``ai.run_scenario``, snapshots, and misuse errors."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import astraweave.testing as testing
from astraweave import ai
from astraweave.core import TileMap, builtin_scenario, load_scenario, validate
from astraweave.ecs import App, Stage, World
from astraweave.errors import ScenarioError, SnapshotError, UsageError
from astraweave.llm import ServerReply
from astraweave.testing import (
    HarnessError,
    IntegrationHarness,
    MemoryProbe,
    PlanScript,
    Probe,
    WorldSpec,
    rect_tiles,
    request_world,
)
from astraweave.testing._toml import toml_value

ROOM = """
############
#..........#
#..........#
#..........#
############
"""


def test_public_names_are_exported_sorted_and_documented() -> None:
    names = list(testing.__all__)
    assert names == sorted(names, key=lambda n: (not n.isupper(), n))  # constants first
    for name in names:
        assert hasattr(testing, name), name
    assert testing.__doc__ and "_harness" in testing.__doc__ and "Probe" in testing.__doc__
    assert issubclass(HarnessError, UsageError)


def test_hand_built_world_is_its_scenario_file() -> None:
    h = IntegrationHarness(ROOM, seed=11, objective="hold")
    h.spawn_agent("scout", (1.5, 1.5), role="lead", hp=80, items={"medkit": 1})
    h.spawn_enemy("dummy", (9.5, 3.5), armor=0.3)
    h.spawn_obstacle((5, 1, 6, 3), kind="cover")
    h.set_goal("scout", (9.5, 1.5))
    text = h.scenario_text
    assert text is not None and "=" in text.split("map = ")[1].split("\n")[0]
    # the same file loaded by the scenario loader builds the same world, byte for byte
    scenario = load_scenario(text, planners=ai.planner_names())
    assert scenario.build_world(11).hash() == h.world.hash()
    assert h.hp("scout") == 80.0 and h.team("scout") != h.team("dummy")
    assert sorted(h.positions()) == ["dummy", "scout"]
    assert h.position("dummy") == (9.5, 3.5)


def test_harness_records_the_same_hashes_as_run_scenario() -> None:
    scenario = builtin_scenario()
    reference = ai.run_scenario(scenario, ticks=120, record_hashes=True, stop_on_outcome=False)
    h = IntegrationHarness.from_scenario(scenario)
    report = h.run(120)
    assert report.ticks == 120 and report.stopped == "ticks"
    assert h.hashes == reference.hashes
    assert report.final_hash == reference.world.hash() == h.hash_at(119)
    # the plan records are the AI system's, in order
    assert [r.key() for r in h.plans()] == [r.key() for r in reference.log.records]
    assert [e for e in h.events()] == reference.events


def test_snapshot_restore_in_process_continues_hash_for_hash() -> None:
    a = IntegrationHarness.from_scenario(builtin_scenario(), seed=3)
    a.run(90)
    b = IntegrationHarness.restore(a.snapshot())
    a.run(60)
    b.run(60)
    assert b.world.tick == a.world.tick == 150
    assert b.hashes == a.hashes[90:]
    assert b.positions() == a.positions()
    with pytest.raises(SnapshotError):
        IntegrationHarness.restore(b"not a snapshot")


def test_until_and_stop_on_outcome() -> None:
    h = IntegrationHarness(ROOM, seed=1)
    h.spawn_agent("scout", (1.5, 1.5), role="lead")
    h.set_goal("scout", (9.5, 3.5), radius=1.0)
    first = h.run(120, until=lambda hh: hh.position("scout")[0] > 3.0)
    assert first.stopped == "until" and h.position("scout")[0] > 3.0
    assert first.end_tick == first.start_tick + first.ticks
    rest = h.run(2000, stop_on_outcome=True)
    assert rest.stopped == "outcome" and rest.outcome == "success"
    assert h.outcome.reason.startswith("within(entity=scout")


def test_dynamic_obstacle_changes_map_and_physics() -> None:
    h = IntegrationHarness(ROOM, seed=1)
    h.spawn_agent("scout", (1.5, 1.5), planner=None)
    h.build()
    walls_before = h.world.entity_count()
    oid = h.spawn_obstacle((5.0, 1.0, 6.0, 4.0))
    assert h.world.entity_count() == walls_before + 1  # the static collider
    blocked = validate({"steps": [{"tool": "MoveTo", "x": 9.5, "y": 2.5}]}, h.world, h.id("scout"))
    assert [type(e).__name__ for e in blocked.errors] == ["NoPathError"]
    h.remove_obstacle(oid)
    assert h.world.entity_count() == walls_before
    assert validate({"steps": [{"tool": "MoveTo", "x": 9.5, "y": 2.5}]}, h.world, h.id("scout")).ok


def test_misuse_is_a_harness_error_with_context() -> None:
    h = IntegrationHarness(ROOM)
    h.spawn_agent("a", (1.5, 1.5))
    with pytest.raises(HarnessError, match="already used") as taken:
        h.spawn_agent("a", (2.5, 1.5))
    assert taken.value.name == "a"
    with pytest.raises(HarnessError, match="need a planner"):
        h.spawn_agent("b", (2.5, 1.5), planner=None, cadence_ticks=5)
    with pytest.raises(HarnessError, match="leaves the"):
        h.spawn_obstacle((10, 1, 14, 2))
    with pytest.raises(HarnessError, match="x0 < x1"):
        rect_tiles((3, 1, 3, 2))
    h.build()
    with pytest.raises(HarnessError, match="before it is built"):
        h.spawn_enemy("late", (3.5, 1.5))
    with pytest.raises(HarnessError, match="no entity named 'ghost'") as ghost:
        h.id("ghost")
    assert ghost.value.name == "ghost"
    with pytest.raises(HarnessError, match="stands on tile"):
        h.spawn_obstacle((1, 1, 2, 2))
    with pytest.raises(HarnessError, match="in the past"):
        h.run(3)
        h.command("a", [{"tool": "Wait"}], tick=1)
    with pytest.raises(HarnessError, match="GameRules has no field bleed"):
        h.set_rules(bleed=1.0)
    with pytest.raises(HarnessError, match="no hash recorded"):
        h.hash_at(99)


def test_bad_hand_built_worlds_fail_like_scenario_files() -> None:
    h = IntegrationHarness(ROOM)
    h.spawn_agent("a", (0.5, 0.5))  # inside the wall
    with pytest.raises(ScenarioError, match=r"entities\[0\]"):
        h.build()
    h2 = IntegrationHarness(ROOM)
    h2.spawn_agent("a", (1.5, 1.5), planner="no-such-planner")
    with pytest.raises(ScenarioError, match="no-such-planner"):
        h2.build()
    spec = WorldSpec.from_map(ROOM)
    with pytest.raises(HarnessError, match="unknown obstacle kind"):
        spec.add_obstacle((1, 1, 2, 2), kind="lava")


def test_docs_testing_md_python_blocks_run() -> None:
    doc = Path(__file__).resolve().parents[2] / "docs" / "testing.md"
    code = "\n".join(re.findall(r"^```python\n(.*?)^```", doc.read_text(), flags=re.S | re.M))
    assert code.count("IntegrationHarness(") >= 2
    exec(compile(code, str(doc), "exec"), {"__name__": "docs_testing"})


class FrameCounter:
    """A stand-in for a future subsystem's probe (say, rendering): it registers a
    PRESENTATION system through a plugin and reports what it saw."""

    name = "frames"

    def __init__(self) -> None:
        self.frames: list[int] = []

    def attach(self, harness: IntegrationHarness) -> None:
        harness.world.insert_resource(self)

    def after_tick(self, harness: IntegrationHarness, tick: int) -> None:
        assert self.frames[-1] == tick  # the presentation stage ran in that very tick

    def report(self) -> dict[str, object]:
        return {"frames": len(self.frames)}


def _presentation_plugin(app: App, *, label: str) -> None:
    def draw(world: World) -> None:
        world.resource(FrameCounter).frames.append(world.tick)

    app.add_system(draw, stage=Stage.PRESENTATION, name=f"test.{label}")


def test_probes_and_plugins_are_the_extension_points() -> None:
    frames = FrameCounter()
    memory = MemoryProbe(every=5)
    assert isinstance(frames, Probe) and isinstance(memory, Probe)
    h = IntegrationHarness(
        ROOM,
        movement="kinematic",
        probes=[frames, memory],
        plugins=[(_presentation_plugin, {"label": "draw"})],
    )
    h.spawn_agent("scout", (1.5, 1.5), role="lead")
    h.set_goal("scout", (9.5, 3.5))
    h.add_failure({"type": "down", "entity": "scout"})
    h.run(12)
    report = h.report()
    assert report["frames"] == {"frames": 12} and report["tick"] == 12
    assert set(report) >= {"hashes", "events", "collisions", "plans", "animation", "memory"}
    assert report["collisions"] == {"started": 0}  # a kinematic world has no bodies
    assert [s.tick for s in memory.samples] == [0, 5, 10]
    assert all(s.entities == h.world.entity_count() and s.rss_bytes > 0 for s in memory.samples)
    assert h.name(10_000) == "#10000" and h.name(h.id("goal")) == "goal"
    # a dynamic obstacle in a kinematic world changes the map only (no collider)
    count = h.world.entity_count()
    oid = h.spawn_obstacle((6, 3, 7, 4), kind="cover")
    assert h.world.entity_count() == count and h.world.resource(TileMap).kind_at(6, 3) != 0
    h.remove_obstacle(oid)
    with pytest.raises(HarnessError, match="not a dynamic obstacle"):
        h.remove_obstacle(oid)


def test_small_pieces_fail_loudly() -> None:
    with pytest.raises(HarnessError, match="non-finite"):
        toml_value(float("nan"))
    with pytest.raises(HarnessError, match="cannot hold a object"):
        toml_value(object())
    assert toml_value({}) == "{}" and toml_value({"a b": True}) == '{ "a b" = true }'
    with pytest.raises(HarnessError, match="no rows"):
        WorldSpec.from_map("\n\n")
    h = IntegrationHarness(ROOM)
    with pytest.raises(HarnessError, match="name the entity"):
        h.command(0, [{"tool": "Wait"}])
    with pytest.raises(HarnessError, match="no <world>"):
        request_world({"messages": [{"role": "system", "content": "<world>{}</world>"}]})
    script = PlanScript(lambda world, i, body: "plain text" if i == 0 else ServerReply.error(503))
    body = {"messages": [{"role": "user", "content": "<world>{}</world>"}]}
    assert script(body).content == "plain text" and script(body).status == 503
    h.spawn_agent("a", (1.5, 1.5))
    with pytest.raises(HarnessError, match="unknown obstacle kind"):
        h.build().spawn_obstacle((2, 2, 3, 3), kind="lava")
