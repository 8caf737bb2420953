"""ASCII maps, Moving AI .map and .scen files: what is accepted, what is rejected."""

from __future__ import annotations

from pathlib import Path

import pytest

from astraweave.errors import MapFormatError, NavError
from astraweave.nav import (
    ASCII_BLOCKED,
    ASCII_WALKABLE,
    GridMap,
    load_movingai_scenarios,
)

GOOD_MAP = "type octile\nheight 2\nwidth 3\nmap\n.G@\nSTW\n"


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# ----------------------------------------------------------------------- ASCII
def test_ascii_default_character_sets() -> None:
    assert {"#", "@", "O", "T", "W"} == set(ASCII_BLOCKED)
    for ch in ".GSPEC0129abzXY":
        assert ch in ASCII_WALKABLE
    assert not ASCII_BLOCKED & ASCII_WALKABLE
    grid = GridMap.from_ascii("#@OTW.GSPEC19x")
    assert grid.walkable.tolist() == [[False] * 5 + [True] * 9]
    assert grid.markers == {
        "1": [(11, 0)],
        "9": [(12, 0)],
        "C": [(10, 0)],
        "E": [(9, 0)],
        "G": [(6, 0)],
        "P": [(8, 0)],
        "S": [(7, 0)],
        "x": [(13, 0)],
    }
    assert list(grid.markers) == sorted(grid.markers)


def test_ascii_dedent_blank_lines_and_markers_in_row_major_order() -> None:
    grid = GridMap.from_ascii(
        """

        E.E
        .#E

        """
    )
    assert grid.shape == (2, 3)
    assert grid.markers == {"E": [(0, 0), (2, 0), (2, 1)]}


def test_ascii_custom_sets() -> None:
    grid = GridMap.from_ascii("~~ x", walkable={"~", " "}, blocked="x")
    assert grid.walkable.tolist() == [[True, True, True, False]]
    # a character in both sets is floor
    assert GridMap.from_ascii("#.", walkable="#.").walkable.all()


@pytest.mark.parametrize(
    ("text", "message", "line", "column"),
    [
        ("", "ASCII map is empty", None, None),
        ("\n   \n", "ASCII map is empty", None, None),
        ("...\n..\n", "row 2 has 2 tiles, expected 3", 2, None),
        ("..\n.~\n", "unknown tile '~' at row 2, column 2", 2, 2),
        (". .\n", "unknown tile ' ' at row 1, column 2", 1, 2),
    ],
)
def test_ascii_errors(text: str, message: str, line: int | None, column: int | None) -> None:
    with pytest.raises(MapFormatError, match=message) as info:
        GridMap.from_ascii(text)
    assert info.value.line == line
    assert info.value.column == column
    assert info.value.path is None
    assert isinstance(info.value, NavError)


# ----------------------------------------------------------------------- Moving AI .map
def test_movingai_terrain(tmp_path: Path) -> None:
    grid = GridMap.from_movingai(write(tmp_path, "m.map", GOOD_MAP))
    assert grid.walkable.tolist() == [[True, True, False], [True, False, False]]
    crlf = GridMap.from_movingai(write(tmp_path, "crlf.map", GOOD_MAP.replace("\n", "\r\n")))
    assert crlf.walkable.tolist() == grid.walkable.tolist()
    trailing = GridMap.from_movingai(write(tmp_path, "t.map", GOOD_MAP + "\n\n"))
    assert trailing.shape == (2, 3)


@pytest.mark.parametrize(
    ("text", "message", "line"),
    [
        ("", "missing header line 1", 1),
        ("type octile\nheight 2\n", "missing header line 3", 3),
        ("type grid\nheight 2\nwidth 3\nmap\n...\n...\n", "type 'grid' is not supported", 1),
        ("kind octile\nheight 2\nwidth 3\nmap\n...\n...\n", "expected 'type'", 1),
        ("type octile\nheight two\nwidth 3\nmap\n...\n...\n", "height must be a positive", 2),
        ("type octile\nheight 0\nwidth 3\nmap\n", "height must be a positive", 2),
        ("type octile\nheight 2\nwidth 3\nmaps\n...\n...\n", "expected 'map'", 4),
        ("type octile\nwidth 3\nheight 2\nmap\n...\n...\n", "expected 'height'", 2),
        ("type octile\nheight 2\nwidth 3\nmap\n...\n", "height 2 but the map has 1 rows", 6),
        ("type octile\nheight 2\nwidth 3\nmap\n...\n...\n...\n", "has 3 rows", 7),
        ("type octile\nheight 2\nwidth 3\nmap\n...\n....\n", "row has 4 tiles", 6),
        ("type octile\nheight 2\nwidth 3\nmap\n...\n.#.\n", "6:2: unknown terrain '#'", 6),
    ],
)
def test_movingai_errors(tmp_path: Path, text: str, message: str, line: int) -> None:
    path = write(tmp_path, "bad.map", text)
    with pytest.raises(MapFormatError, match=message) as info:
        GridMap.from_movingai(path)
    assert info.value.path == str(path)
    assert info.value.line == line


def test_movingai_missing_file(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        GridMap.from_movingai(tmp_path / "absent.map")


# ----------------------------------------------------------------------- .scen
def test_scenarios(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "s.scen",
        "version 1\n0\tm.map\t3\t2\t0\t0\t1\t0\t1\n\n"
        "1\tm.map\t3\t2\t0\t1\t1\t0\t1.41421\n"
        "2 m.map 3 2 0 0 2 1 12345.6\n"
        "3\tm.map\t3\t2\t1\t1\t1\t1\t0\n",
    )
    problems = load_movingai_scenarios(path)
    assert [(p.bucket, p.start, p.goal) for p in problems] == [
        (0, (0, 0), (1, 0)),
        (1, (0, 1), (1, 0)),
        (2, (0, 0), (2, 1)),
        (3, (1, 1), (1, 1)),
    ]
    assert problems[3].optimal_length == 0.0 and problems[3].tolerance == 1e-4
    assert problems[0].map_name == "m.map" and (problems[0].width, problems[0].height) == (3, 2)
    assert problems[1].optimal_length == 1.41421
    assert problems[0].tolerance == 1e-4
    assert problems[1].tolerance == 1e-4
    # 6 printed digits on a 5-digit integer part: half a unit in the last digit
    assert problems[2].tolerance == pytest.approx(0.05)


@pytest.mark.parametrize(
    ("text", "message", "line"),
    [
        ("", "expected 'version 1'", 1),
        ("version 2\n", "expected 'version 1'", 1),
        ("version 1\n0\tm.map\t3\t2\t0\t0\t1\n", "expected 9 fields, got 7", 2),
        ("version 1\n0\tm.map\t3\t2\tx\t0\t1\t0\t1\n", "invalid literal", 2),
        ("version 1\n0\tm.map\t3\t2\t0\t0\t1\t0\tnan\n", "is not finite", 2),
    ],
)
def test_scenario_errors(tmp_path: Path, text: str, message: str, line: int) -> None:
    with pytest.raises(MapFormatError, match=message) as info:
        load_movingai_scenarios(write(tmp_path, "bad.scen", text))
    assert info.value.line == line
