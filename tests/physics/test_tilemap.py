import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from astraweave.ecs import World
from astraweave.errors import MissingResourceError, TileMapError
from astraweave.physics import (
    MAP_ENTITY,
    PhysicsWorld,
    TileRect,
    add_static_map,
    grid_to_rects,
    parse_tilemap,
    tilemap_to_rects,
)


def room(width: int, height: int, inner_walls: list[str] | None = None) -> str:
    rows = ["#" * width] + ["#" + "." * (width - 2) + "#" for _ in range(height - 2)]
    rows.append("#" * width)
    for spec in inner_walls or []:
        kind, at, start, stop = spec.split(":")
        a, s, e = int(at), int(start), int(stop)
        for k in range(s, e):
            r, c = (a, k) if kind == "row" else (k, a)
            rows[r] = rows[r][:c] + "#" + rows[r][c + 1 :]
    return "\n".join(rows)


def cover(rects: list[TileRect], shape: tuple[int, int]) -> np.ndarray:
    count = np.zeros(shape, dtype=np.int64)
    for r in rects:
        count[r.row : r.row + r.height, r.col : r.col + r.width] += 1
    return count


def test_a_40x40_room_with_long_walls_is_a_handful_of_boxes() -> None:
    text = room(40, 40, ["row:10:1:30", "row:25:10:39", "col:20:11:25", "col:5:26:39"])
    grid = parse_tilemap(text)
    rects = tilemap_to_rects(text)
    assert int(grid.sum()) == 4 * 39 + 29 + 29 + 14 + 13 == 241
    assert len(rects) == 10  # 4 borders, 4 inner walls, 2 splits at T-junctions
    assert (cover(rects, grid.shape) == grid).all()


def test_a_plain_room_is_four_boxes_in_scan_order() -> None:
    assert tilemap_to_rects(room(6, 4)) == [
        TileRect(0, 0, 6, 1),
        TileRect(0, 1, 1, 3),
        TileRect(5, 1, 1, 3),
        TileRect(1, 3, 4, 1),
    ]


def test_a_solid_block_is_one_box_and_floor_is_none() -> None:
    assert tilemap_to_rects("###\n###") == [TileRect(0, 0, 3, 2)]
    assert tilemap_to_rects("...\n...") == []


def test_prefers_the_largest_area() -> None:
    text = """
        #....
        #....
        #####
    """
    assert tilemap_to_rects(text) == [TileRect(0, 0, 1, 3), TileRect(1, 2, 4, 1)]


def test_custom_characters() -> None:
    assert tilemap_to_rects("@T.\nGG.", walls="@T", floors=".G") == [TileRect(0, 0, 2, 1)]


@pytest.mark.parametrize(
    ("text", "line", "column", "message"),
    [
        ("##\n#", 2, 2, "row 2 has 1 tiles, the first row has 2"),
        ("\n\n#.\n#x\n", 4, 2, "unknown tile 'x' at row 2, column 2"),
        ("   \n", None, None, "no rows"),
    ],
)
def test_malformed_maps(text: str, line: int | None, column: int | None, message: str) -> None:
    with pytest.raises(TileMapError, match=message) as info:
        tilemap_to_rects(text)
    assert (info.value.line, info.value.column) == (line, column)


def test_bad_arguments() -> None:
    with pytest.raises(TileMapError, match="disjoint"):
        parse_tilemap("#.", walls="#", floors="#.")
    with pytest.raises(TileMapError, match="is text"):
        parse_tilemap(b"#")  # type: ignore[arg-type]
    with pytest.raises(TileMapError, match="2-D"):
        grid_to_rects(np.zeros(3, dtype=bool))


def test_tile_coordinates_are_metres_with_rows_downwards() -> None:
    physics = PhysicsWorld()
    n = add_static_map(
        physics,
        """
        ....
        ..#.
    """,
    )
    assert n == 1 and physics.static_shape_count == 1
    # tile (col 2, row 1) covers x in [2, 3], y in [1, 2]
    hit = physics.raycast((0.0, 1.5), (5.0, 1.5))
    assert hit.entity == MAP_ENTITY and hit.point == pytest.approx((2.0, 1.5))
    hit = physics.raycast((2.5, 5.0), (2.5, 0.0))
    assert hit.point == pytest.approx((2.5, 2.0))
    assert physics.nearest((2.5, 1.5), 0.1) == (MAP_ENTITY, 0.0)


def test_add_static_map_on_a_world_needs_the_plugin() -> None:
    with pytest.raises(MissingResourceError):
        add_static_map(World(), "#")


@given(arrays(np.bool_, st.tuples(st.integers(1, 14), st.integers(1, 14))))
def test_random_maps_are_covered_exactly_without_overlaps(grid: np.ndarray) -> None:
    rects = grid_to_rects(grid)
    assert (cover(rects, grid.shape) == grid.astype(np.int64)).all()
    assert all(r.width >= 1 and r.height >= 1 for r in rects)
    assert len(rects) <= int(grid.sum())
    # the ASCII path gives the same rectangles
    text = "\n".join("".join("#" if v else "." for v in row) for row in grid)
    assert tilemap_to_rects(text) == rects
