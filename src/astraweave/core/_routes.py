"""Routes: where an agent can walk, how far it is, and what a route passes through.

Everything here runs on the tile map's walk grid with the moves of path search
(8-connected, diagonals ``sqrt(2)``, no corner cutting), so "reachable" here and "a
path exists" in the sandbox always agree. :func:`route_field` is one Dijkstra run
(``scipy.sparse.csgraph``) from the agent's tile to every tile, optionally with a
per-tile *penalty* (metres of detour a tile is worth avoiding), which gives:

- reachability and walking distances for the snapshot (points of interest, cover);
- the **safe route** of ``MoveTo(safe=true)``: around hazards
  (:data:`HAZARD_PENALTY_M` per tile) and out of the sight of the enemies the agent
  knows (:data:`SIGHT_PENALTY_M` per tile), wherever a detour exists; and the first
  point where that route still comes into an enemy's sight (``exposed``).

A tile is a *hazard tile* when its square comes within a hazard's radius (+
:data:`HAZARD_MARGIN_M`); it is *in sight* of an enemy when its centre lies within the
enemy's perception radius (+ :data:`SIGHT_MARGIN_M`, half a tile's diagonal) with a
clear line (walls, closed doors, smoke) from the enemy. Hazards are map knowledge;
enemies are those the agent sees, remembers or has marked
(:func:`~astraweave.core._knowledge.known_enemies`).
"""

from __future__ import annotations

import math
import zlib
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from astraweave.core import _pathing
from astraweave.core._components import Hazard
from astraweave.core._knowledge import KnownEnemy, known_enemies
from astraweave.core._map import Point, TileMap
from astraweave.core._view import WorldView
from astraweave.ecs import Position
from astraweave.nav import GridMap

__all__ = [
    "HAZARD_MARGIN_M",
    "HAZARD_PENALTY_M",
    "SIGHT_MARGIN_M",
    "SIGHT_PENALTY_M",
    "RouteField",
    "first_exposed",
    "hazard_tiles",
    "penalty_signature",
    "route_field",
    "safe_path",
    "safe_penalty",
    "sight_tiles",
]

HAZARD_PENALTY_M = 100.0
"""Detour (metres) a safe route accepts to avoid one hazard tile."""
SIGHT_PENALTY_M = 30.0
"""Detour (metres) a safe route accepts to avoid one tile in a known enemy's sight."""
HAZARD_MARGIN_M = 0.1
"""Extra distance around a hazard's radius that counts as inside it (metres)."""
SIGHT_MARGIN_M = 0.75
"""Extra distance around an enemy's perception radius that counts as in sight: a
character anywhere on a tile is at most half a diagonal from its centre (metres)."""

_DIRS = ((0, -1), (1, -1), (1, 0), (1, 1), (0, 1), (-1, 1), (-1, 0), (-1, -1))
FloatGrid = npt.NDArray[np.float64]
BoolGrid = npt.NDArray[np.bool_]
Cell = tuple[int, int]


def _graph(tm: TileMap) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], FloatGrid]:
    """``(src, dst, length)`` of every legal move on the walk grid (cached per map
    state; doors invalidate it)."""
    cached = tm._cache.get("route_graph")
    if cached is not None:
        return cached  # type: ignore[no-any-return]  # cached tuple
    walk = tm.walkable
    h, w = walk.shape
    pad = np.zeros((h + 2, w + 2), dtype=np.bool_)
    pad[1:-1, 1:-1] = walk

    def at(dx: int, dy: int) -> BoolGrid:
        return pad[1 + dy : h + 1 + dy, 1 + dx : w + 1 + dx]

    ys, xs = np.mgrid[0:h, 0:w]
    src_parts, dst_parts, len_parts = [], [], []
    for dx, dy in _DIRS:
        ok = walk & at(dx, dy)
        if dx and dy:
            ok = ok & at(dx, 0) & at(0, dy)
        sy, sx = ys[ok], xs[ok]
        src_parts.append(sy * w + sx)
        dst_parts.append((sy + dy) * w + sx + dx)
        len_parts.append(np.full(len(sy), math.sqrt(2.0) if dx and dy else 1.0))
    out = (
        np.concatenate(src_parts).astype(np.int64),
        np.concatenate(dst_parts).astype(np.int64),
        np.concatenate(len_parts),
    )
    tm._cache["route_graph"] = out
    return out


@dataclass(frozen=True, eq=False)
class RouteField:
    """Shortest routes from one tile to every tile (see the module docstring).

    Attributes:
        start: the start tile ``(cx, cy)``.
        cost: ``(height, width)`` route cost to each tile (metres plus penalties);
            ``inf`` where unreachable.
        pred: ``(height * width,)`` the previous tile of each tile's route (flat
            index; negative at the start and where unreachable).
    """

    start: Cell
    cost: FloatGrid
    pred: npt.NDArray[np.int64]

    @property
    def width(self) -> int:
        """Tiles per row."""
        return int(self.cost.shape[1])

    def reachable(self, cell: Cell) -> bool:
        """True when ``cell`` can be walked to."""
        cx, cy = cell
        h, w = self.cost.shape
        return 0 <= cx < w and 0 <= cy < h and bool(np.isfinite(self.cost[cy, cx]))

    def cells_to(self, cell: Cell) -> list[Cell] | None:
        """The tiles of the route ``start .. cell`` (``None`` when unreachable)."""
        if not self.reachable(cell):
            return None
        w = self.width
        idx = cell[1] * w + cell[0]
        out = [cell]
        start = self.start[1] * w + self.start[0]
        while idx != start:
            idx = int(self.pred[idx])
            if idx < 0:  # pragma: no cover  (a reachable tile chains back to the start)
                return None
            out.append((idx % w, idx // w))
        out.reverse()
        return out


def route_field(tm: TileMap, start: Point, penalty: FloatGrid | None = None) -> RouteField | None:
    """Dijkstra from the tile of ``start`` over the walk grid.

    Args:
        tm: the map (its current door state).
        start: where the walker stands (must be walkable).
        penalty: ``(height, width)`` extra cost of entering each tile (default none:
            costs are walking distances in metres).

    Returns:
        The :class:`RouteField`, or ``None`` when ``start`` is not walkable.
    """
    if not tm.walkable_at(*start):
        return None
    cx, cy = tm.cell_of(*start)
    key = f"field:{cx},{cy}"
    if penalty is None:
        cached = tm._cache.get(key)
        if cached is not None:
            return cached  # type: ignore[no-any-return]  # cached field
    from scipy.sparse import csr_matrix
    from scipy.sparse.csgraph import dijkstra

    h, w = tm.kinds.shape
    src, dst, length = _graph(tm)
    weight = length if penalty is None else length + penalty.ravel()[dst]
    graph = csr_matrix((weight, (src, dst)), shape=(h * w, h * w))
    cost, pred = dijkstra(graph, directed=True, indices=cy * w + cx, return_predecessors=True)
    field = RouteField(
        (cx, cy), np.asarray(cost, dtype=np.float64).reshape(h, w), np.asarray(pred, np.int64)
    )
    if penalty is None:
        if len(tm._cache) > 4096:
            tm._cache.clear()
        tm._cache[key] = field
    return field


def _tile_centres(tm: TileMap) -> tuple[FloatGrid, FloatGrid]:
    ys, xs = np.mgrid[0 : tm.height, 0 : tm.width]
    return xs + 0.5, ys + 0.5


def hazard_tiles(view: WorldView) -> BoolGrid:
    """``(height, width)`` mask of tiles inside (or touching) any hazard."""
    tm = view.map
    out = np.zeros(tm.kinds.shape, dtype=np.bool_)
    cx, cy = _tile_centres(tm)
    for chunk in view.world.query(Hazard, Position):
        for i in range(len(chunk)):
            hx, hy = float(chunk[Position].x[i]), float(chunk[Position].y[i])
            r = float(chunk[Hazard].radius_m[i]) + HAZARD_MARGIN_M
            # distance from the hazard's centre to the nearest point of each tile square
            dx = np.maximum(np.abs(cx - hx) - 0.5, 0.0)
            dy = np.maximum(np.abs(cy - hy) - 0.5, 0.0)
            out |= np.hypot(dx, dy) < r
    return out


def _smoked(a: Point, xs: FloatGrid, ys: FloatGrid, view: WorldView) -> BoolGrid:
    """Which segments ``a`` -> ``(xs, ys)`` pass through smoke (vectorised)."""
    centres, radii = view.smoke()
    hit = np.zeros(xs.shape, dtype=np.bool_)
    ax, ay = a
    dx, dy = xs - ax, ys - ay
    seg2 = np.maximum(dx * dx + dy * dy, 1e-12)
    for (sx, sy), r in zip(centres.tolist(), radii.tolist(), strict=True):
        t = np.clip(((sx - ax) * dx + (sy - ay) * dy) / seg2, 0.0, 1.0)
        qx, qy = sx - ax - t * dx, sy - ay - t * dy
        hit |= qx * qx + qy * qy < r * r
    return hit


def sight_tiles(view: WorldView, enemies: list[KnownEnemy]) -> BoolGrid:
    """``(height, width)`` mask of walkable tiles some of ``enemies`` would see an
    agent on (see the module docstring)."""
    tm = view.map
    out = np.zeros(tm.kinds.shape, dtype=np.bool_)
    cx, cy = _tile_centres(tm)
    for e in enemies:
        if e.sight_m <= 0 or not tm.in_bounds(*e.pos):
            continue
        near = tm.walkable & (np.hypot(cx - e.pos[0], cy - e.pos[1]) <= e.sight_m + SIGHT_MARGIN_M)
        ys, xs = np.nonzero(near)
        if len(xs) == 0:
            continue
        pts = np.stack([xs + 0.5, ys + 0.5], axis=1).astype(np.float64)
        clear = tm.lines_of_sight(e.pos, pts)
        clear &= ~_smoked(e.pos, pts[:, 0], pts[:, 1], view)
        out[ys[clear], xs[clear]] = True
    return out


def safe_penalty(view: WorldView, agent: int) -> tuple[FloatGrid, BoolGrid]:
    """The safe route's per-tile penalty for ``agent`` and its sight mask."""
    hazards = hazard_tiles(view)
    sight = sight_tiles(view, known_enemies(view, agent))
    penalty = hazards * HAZARD_PENALTY_M + sight * SIGHT_PENALTY_M
    return penalty.astype(np.float64), sight


def penalty_signature(penalty: FloatGrid) -> float:
    """A number that changes when the penalty map does (deterministic; for re-routing
    a walk when the agent learns of new threats)."""
    return float(zlib.crc32(np.ascontiguousarray(penalty > 0).tobytes()))


def _smooth(tm: TileMap, cells: list[Cell], penalty: FloatGrid) -> list[Cell]:
    """String-pull ``cells`` without cutting through penalised tiles the route avoids
    (straight legs may cross only walkable tiles that are clean or on the route, and
    keep :data:`~astraweave.core._pathing.CLEARANCE_M` from blocked tiles)."""
    if len(cells) <= 2:
        return cells
    allowed = tm.walkable & (penalty <= 0)
    for x, y in cells:
        allowed[y, x] = True
    return _pathing.smooth_with_clearance(GridMap(allowed), tm.grids.corners, cells)


def safe_path(view: WorldView, agent: int, start: Point, goal: Point) -> list[Point] | None:
    """The waypoints of ``agent``'s safe route ``start`` -> ``goal`` (as
    :meth:`TileMap.find_path`: ``start`` excluded, ending exactly at ``goal``), or
    ``None`` when ``goal`` cannot be reached at all."""
    tm = view.map
    if not (tm.walkable_at(*start) and tm.walkable_at(*goal)):
        return None
    penalty, _ = safe_penalty(view, agent)
    field = route_field(tm, start, penalty)
    cells = field.cells_to(tm.cell_of(*goal)) if field is not None else None
    if cells is None:
        return None
    turns = _smooth(tm, cells, penalty)
    pts = [tm.centre(cx, cy) for cx, cy in turns[1:-1]]
    pts.append((float(goal[0]), float(goal[1])))
    return pts


def first_exposed(field: RouteField, cell: Cell, sight: BoolGrid) -> Cell | None:
    """The first tile of the route to ``cell`` that is in sight (``None``: none)."""
    cells = field.cells_to(cell)
    if cells is None:
        return None
    for x, y in cells[1:]:
        if sight[y, x]:
            return (x, y)
    return None
