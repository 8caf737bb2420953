"""The top-down picture: every kind of thing is drawn, the file is a PNG."""

from __future__ import annotations

from pathlib import Path

from PIL import Image

from astraweave import core
from astraweave.ecs import Position

from .conftest import app_for, make
from .test_tools_support import DOOR_MAP


def test_draw_world_with_everything(tmp_path: Path) -> None:
    _, world, ids = make(
        map_rows=DOOR_MAP,
        entities=[
            {"name": "a", "at": "A"},
            {"name": "b", "pos": [2.5, 1.5]},
            {"name": "c", "pos": [2.5, 3.5], "hp": 20.0},
            {"name": "e", "at": "X", "team": "red"},
        ],
        pois=[
            {"name": "door", "kind": "door", "pos": [4.5, 1.5]},
            {"name": "key", "kind": "key", "at": "K"},
            {"name": "exit", "kind": "objective", "at": "T"},
        ],
        hazards=[{"name": "fire", "at": "S", "radius": 1.0}],
    )
    world.spawn(Position(6.5, 3.5), core.Smoke())
    world.spawn(Position(7.5, 3.5), core.Explosive())
    trails = core.Trails(every_ticks=1)
    app = app_for(world)
    for _ in range(3):
        app.tick()
        trails.sample(world)
    core.apply_damage(world, ids["b"], 500.0, ids["e"], "test")
    world.set(ids["e"], core.Status(dead=True))
    world.set(ids["a"], Position(3.0, 2.0))
    trails.sample(world, force=True)
    assert trails.smokes and trails.blasts and len(trails.points[ids["a"]]) == 2
    out = core.draw_world(world, tmp_path / "x" / "pic.png", trails=trails, title="t", subtitle="s")
    with Image.open(out) as img:
        assert img.format == "PNG"
        w, h = img.size
        assert w >= 760 and h > 5 * 26 + 58
        colours = img.convert("RGB").getcolors(maxcolors=1 << 20)
        assert colours is not None and len(colours) > 20  # not a blank canvas
