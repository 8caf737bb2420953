"""Readers for ASCII tile maps and Moving AI ``.map`` / ``.scen`` files."""

from __future__ import annotations

import math
import string
import textwrap
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from astraweave.errors import MapFormatError

__all__ = [
    "ASCII_BLOCKED",
    "ASCII_WALKABLE",
    "MOVINGAI_BLOCKED",
    "MOVINGAI_PASSABLE",
    "ScenarioProblem",
    "load_movingai_scenarios",
    "parse_ascii",
    "parse_movingai",
]

#: Characters of an ASCII map that are blocked by default.
ASCII_BLOCKED: frozenset[str] = frozenset("#@OTW")
#: Characters of an ASCII map that are floor by default: ``.`` and every ASCII letter
#: or digit not in :data:`ASCII_BLOCKED` (scenario markers such as ``S``, ``G``, ``P``,
#: ``E``, ``C``, ``1``).
ASCII_WALKABLE: frozenset[str] = frozenset(
    "." + "".join(c for c in string.ascii_letters + string.digits if c not in ASCII_BLOCKED)
)
#: Passable terrain of Moving AI ``.map`` files.
MOVINGAI_PASSABLE: frozenset[str] = frozenset(".GS")
#: Blocked terrain of Moving AI ``.map`` files.
MOVINGAI_BLOCKED: frozenset[str] = frozenset("@OTW")

BoolGrid = npt.NDArray[np.bool_]


def parse_ascii(
    text: str,
    walkable: frozenset[str] | set[str] | str | None = None,
    blocked: frozenset[str] | set[str] | str | None = None,
) -> tuple[BoolGrid, dict[str, list[tuple[int, int]]]]:
    """Parse an ASCII tile map into a walkability array and marker positions.

    Args:
        text: the map, one row per line. Common indentation and blank lines before
            and after the map are removed, as is trailing whitespace on each line.
        walkable: characters that are floor (default :data:`ASCII_WALKABLE`).
        blocked: characters that are walls (default :data:`ASCII_BLOCKED`, minus any
            character listed in ``walkable``).

    Returns:
        ``(walkable array of shape (H, W), markers)`` where ``markers`` maps each
        floor character other than ``.`` to its cells ``(x, y)`` in row-major order.

    Raises:
        MapFormatError: empty map, rows of different lengths, or a character in
            neither set (``line`` and ``column`` are 1-based within the map).
    """
    floor = frozenset(ASCII_WALKABLE if walkable is None else walkable)
    walls = frozenset(ASCII_BLOCKED if blocked is None else blocked) - floor
    lines = [line.rstrip() for line in textwrap.dedent(text).splitlines()]
    while lines and not lines[0]:
        lines.pop(0)
    while lines and not lines[-1]:
        lines.pop()
    if not lines:
        raise MapFormatError(
            "ASCII map is empty", path=None, line=None, hint="give at least one row of tiles"
        )
    width = len(lines[0])
    out = np.zeros((len(lines), width), dtype=np.bool_)
    markers: dict[str, list[tuple[int, int]]] = {}
    for y, line in enumerate(lines):
        if len(line) != width:
            raise MapFormatError(
                f"ASCII map row {y + 1} has {len(line)} tiles, expected {width}",
                path=None,
                line=y + 1,
                hint="every row must have the same number of tiles",
            )
        for x, ch in enumerate(line):
            if ch in floor:
                out[y, x] = True
                if ch != ".":
                    markers.setdefault(ch, []).append((x, y))
            elif ch not in walls:
                raise MapFormatError(
                    f"unknown tile {ch!r} at row {y + 1}, column {x + 1} of the ASCII map",
                    path=None,
                    line=y + 1,
                    column=x + 1,
                    hint="add it to the `walkable` or `blocked` characters",
                )
    return out, {key: markers[key] for key in sorted(markers)}


def parse_movingai(text: str, path: str | None = None) -> BoolGrid:
    """Parse the text of a Moving AI ``.map`` file (``type octile``).

    Args:
        text: the file's content.
        path: the file name, for error messages.

    Returns:
        The walkability array, shape ``(height, width)``.

    Raises:
        MapFormatError: wrong header, wrong row length or count, unknown terrain.
    """
    lines = text.splitlines()
    while lines and not lines[-1].strip():
        lines.pop()

    def header(index: int, key: str) -> str:
        if index >= len(lines):
            raise MapFormatError(
                f"{path or '<text>'}: missing header line {index + 1} ({key!r})",
                path=path,
                line=index + 1,
            )
        parts = lines[index].split()
        if not parts or parts[0] != key or (key == "map" and len(parts) != 1):
            raise MapFormatError(
                f"{path or '<text>'}:{index + 1}: expected {key!r}, got {lines[index]!r}",
                path=path,
                line=index + 1,
                hint="a Moving AI map starts with 'type octile', 'height H', 'width W', 'map'",
            )
        return parts[1] if len(parts) == 2 else ""

    kind = header(0, "type")
    if kind != "octile":
        raise MapFormatError(
            f"{path or '<text>'}:1: map type {kind!r} is not supported (only 'octile')",
            path=path,
            line=1,
        )
    dims: list[int] = []
    for index, key in ((1, "height"), (2, "width")):
        value = header(index, key)
        if not value.isdigit() or int(value) == 0:
            raise MapFormatError(
                f"{path or '<text>'}:{index + 1}: {key} must be a positive integer, got {value!r}",
                path=path,
                line=index + 1,
            )
        dims.append(int(value))
    height, width = dims
    header(3, "map")
    rows = lines[4:]
    if len(rows) != height:
        raise MapFormatError(
            f"{path or '<text>'}: header says height {height} but the map has {len(rows)} rows",
            path=path,
            line=4 + min(len(rows), height) + 1,
        )
    out = np.zeros((height, width), dtype=np.bool_)
    for y, row in enumerate(rows):
        line_no = y + 5
        row = row.rstrip("\r")
        if len(row) != width:
            raise MapFormatError(
                f"{path or '<text>'}:{line_no}: row has {len(row)} tiles, header says "
                f"width {width}",
                path=path,
                line=line_no,
            )
        for x, ch in enumerate(row):
            if ch in MOVINGAI_PASSABLE:
                out[y, x] = True
            elif ch not in MOVINGAI_BLOCKED:
                raise MapFormatError(
                    f"{path or '<text>'}:{line_no}:{x + 1}: unknown terrain {ch!r}",
                    path=path,
                    line=line_no,
                    column=x + 1,
                    hint="passable terrain is '.', 'G', 'S'; blocked is '@', 'O', 'T', 'W'",
                )
    return out


@dataclass(frozen=True, slots=True)
class ScenarioProblem:
    """One problem of a Moving AI ``.scen`` file.

    Attributes:
        bucket: difficulty bucket (the file's first column).
        map_name: the map the problem is for, as written in the file.
        width: map width in cells.
        height: map height in cells.
        start: start cell ``(x, y)``.
        goal: goal cell ``(x, y)``.
        optimal_length: the optimal path length as printed in the file.
        tolerance: how far a correct length may be from ``optimal_length``: at least
            ``1e-4``, more for long lengths printed with few significant digits (half a
            unit in the last digit, counting at least 5 significant digits).
    """

    bucket: int
    map_name: str
    width: int
    height: int
    start: tuple[int, int]
    goal: tuple[int, int]
    optimal_length: float
    tolerance: float


def load_movingai_scenarios(path: str | Path) -> list[ScenarioProblem]:
    """Read a Moving AI ``.scen`` file (``version 1``, 9 tab-separated fields per line).

    Args:
        path: the ``.scen`` file.

    Returns:
        The problems in file order.

    Raises:
        MapFormatError: wrong version line, wrong field count, unparsable numbers.
        OSError: the file cannot be read.

    Example:
        >>> import tempfile, os
        >>> with tempfile.NamedTemporaryFile("w", suffix=".scen", delete=False) as f:
        ...     _ = f.write("version 1\\n0\\tm.map\\t3\\t3\\t0\\t0\\t2\\t2\\t2.82843\\n")
        >>> [p.goal for p in load_movingai_scenarios(f.name)]
        [(2, 2)]
        >>> os.unlink(f.name)
    """
    name = str(path)
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    if not lines or lines[0].split() not in (["version", "1"], ["version", "1.0"]):
        raise MapFormatError(
            f"{name}:1: expected 'version 1'", path=name, line=1, hint="is this a .scen file?"
        )
    problems: list[ScenarioProblem] = []
    for number, line in enumerate(lines[1:], start=2):
        if not line.strip():
            continue
        fields = line.split("\t")
        if len(fields) != 9:
            fields = line.split()
        if len(fields) != 9:
            raise MapFormatError(
                f"{name}:{number}: expected 9 fields, got {len(fields)}", path=name, line=number
            )
        try:
            bucket, width, height, sx, sy, gx, gy = (int(fields[i]) for i in (0, 2, 3, 4, 5, 6, 7))
            optimal = float(fields[8])
        except ValueError as exc:
            raise MapFormatError(f"{name}:{number}: {exc}", path=name, line=number) from exc
        if not math.isfinite(optimal):
            raise MapFormatError(
                f"{name}:{number}: optimal length {fields[8]!r} is not finite",
                path=name,
                line=number,
            )
        tolerance = _print_tolerance(fields[8], optimal)
        problems.append(
            ScenarioProblem(
                bucket=bucket,
                map_name=fields[1],
                width=width,
                height=height,
                start=(sx, sy),
                goal=(gx, gy),
                optimal_length=optimal,
                tolerance=tolerance,
            )
        )
    return problems


def _print_tolerance(text: str, value: float) -> float:
    """Half a unit in the last significant digit of a printed length (at least 5
    significant digits are assumed, as old ``.scen`` files print ``%g``-style), and
    never less than ``1e-4``."""
    mantissa = text.strip().lower().split("e", 1)[0]
    digits = len(mantissa.replace("-", "").replace("+", "").replace(".", "").lstrip("0"))
    if value == 0.0:
        return 1e-4
    exponent = math.floor(math.log10(abs(value)))
    return max(1e-4, 0.5 * 10.0 ** (exponent - (max(digits, 5) - 1)))
