"""Flow fields: one goal, many agents.

The distance field is exact octile distance to the goal under the same move rules as
path search (8-connected, diagonal ``sqrt(2)``, no corner cutting), computed by
Dijkstra's algorithm (``scipy.sparse.csgraph``) over the grid's move graph. Each cell
points at the neighbour that starts a shortest path (ties: the first in the order N,
NE, E, SE, S, SW, W, NW), so following the field from any reachable cell reaches the
goal and never steps into a wall or cuts a corner.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import numpy.typing as npt

from astraweave.errors import NavConfigError
from astraweave.nav._astar import DIRECTIONS, SQRT2

__all__ = ["FlowField", "move_graph"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

_DX = np.array([d[0] for d in DIRECTIONS], dtype=np.int64)
_DY = np.array([d[1] for d in DIRECTIONS], dtype=np.int64)
_COST = np.array([SQRT2 if dx and dy else 1.0 for dx, dy in DIRECTIONS])


def _scipy() -> tuple[Any, Any]:
    try:
        from scipy.sparse import csr_matrix
        from scipy.sparse.csgraph import dijkstra
    except ImportError as exc:  # pragma: no cover - scipy is installed with nav
        raise ImportError(
            "flow fields need scipy: pip install 'scipy>=1.11'", name="scipy"
        ) from exc
    return csr_matrix, dijkstra


def move_graph(masks: npt.NDArray[np.uint8]) -> Any:
    """The sparse move graph (CSR, cost-weighted) of an unpadded move-mask array."""
    csr_matrix, _ = _scipy()
    h, w = masks.shape
    flat = masks.ravel()
    src_parts, dst_parts, cost_parts = [], [], []
    for bit in range(8):
        src = np.flatnonzero(flat & np.uint8(1 << bit))
        src_parts.append(src)
        dst_parts.append(src + _DY[bit] * w + _DX[bit])
        cost_parts.append(np.full(len(src), _COST[bit]))
    src = np.concatenate(src_parts)
    dst = np.concatenate(dst_parts)
    cost = np.concatenate(cost_parts)
    return csr_matrix((cost, (src, dst)), shape=(h * w, h * w))


def _points(points: npt.ArrayLike) -> FloatArray:
    """``(N, 2)`` float64 positions from an ``(N, 2)`` array or one ``(x, y)`` pair."""
    try:
        pts = np.asarray(points, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise NavConfigError(
            "points must be an (N, 2) array of numbers", parameter="points", value=points
        ) from exc
    if pts.ndim == 1 and pts.shape == (2,):
        pts = pts[None, :]
    if pts.ndim != 2 or pts.shape[1] != 2:
        raise NavConfigError(
            f"points must have shape (N, 2), got {pts.shape}", parameter="points", value=pts.shape
        )
    return pts


class FlowField:
    """Distances to one goal cell and the direction to move from every cell.

    Built by :meth:`GridMap.flow_field <astraweave.nav.GridMap.flow_field>`. World
    positions map to cells by flooring (cell ``(x, y)`` covers ``[x, x + 1) x [y, y +
    1)``).

    Attributes:
        goal: the goal cell ``(x, y)``.
        distance: ``(H, W)`` octile distance to the goal; ``inf`` where unreachable or
            blocked.
        directions: ``(H, W, 2)`` unit vectors ``(dx, dy)`` towards the next cell;
            zero at the goal and where unreachable.
        next_cell: ``(H, W, 2)`` the next cell ``(x, y)``; ``-1`` where there is none.
        version: the grid's version when the field was built (it goes stale when the
            grid changes; build a new one).

    Example:
        >>> from astraweave.nav import GridMap
        >>> flow = GridMap.from_ascii("..#\\n...").flow_field((2, 1))
        >>> round(float(flow.distance[0, 0]), 4), flow.next_cell[0, 0].tolist()
        (2.4142, [1, 1])
    """

    def __init__(
        self,
        masks: npt.NDArray[np.uint8],
        goal: tuple[int, int],
        graph: Any,
        version: int,
    ) -> None:
        _, dijkstra = _scipy()
        h, w = masks.shape
        gx, gy = goal
        self.goal = goal
        self.version = version
        dist = np.asarray(dijkstra(graph, directed=True, indices=gy * w + gx), dtype=np.float64)
        self.distance: FloatArray = dist.reshape(h, w)
        pad = np.full((h + 2, w + 2), np.inf)
        pad[1:-1, 1:-1] = self.distance
        cand = np.empty((8, h, w))
        for bit in range(8):
            dx, dy = int(_DX[bit]), int(_DY[bit])
            legal = (masks >> np.uint8(bit)) & np.uint8(1)
            ahead = pad[1 + dy : h + 1 + dy, 1 + dx : w + 1 + dx]
            cand[bit] = np.where(legal.astype(np.bool_), ahead + _COST[bit], np.inf)
        best = np.argmin(cand, axis=0)
        has_next: npt.NDArray[np.bool_] = np.asarray(
            np.isfinite(self.distance) & np.isfinite(cand.min(axis=0)), dtype=np.bool_
        )
        has_next[gy, gx] = False
        ys, xs = np.mgrid[0:h, 0:w]
        nxt = np.stack([xs + _DX[best], ys + _DY[best]], axis=-1)
        self.next_cell: IntArray = np.where(has_next[..., None], nxt, -1).astype(np.int64)
        unit = np.stack([_DX, _DY], axis=-1).astype(np.float64)
        unit /= np.hypot(unit[:, 0], unit[:, 1])[:, None]
        self.directions: FloatArray = np.where(has_next[..., None], unit[best], 0.0)
        for arr in (self.distance, self.next_cell, self.directions):
            arr.flags.writeable = False

    @property
    def shape(self) -> tuple[int, int]:
        """``(height, width)`` of the field."""
        h, w = self.distance.shape
        return (h, w)

    def _cells(self, points: npt.ArrayLike) -> tuple[IntArray, IntArray, npt.NDArray[np.bool_]]:
        pts = _points(points)
        h, w = self.distance.shape
        finite: npt.NDArray[np.bool_] = np.asarray(np.isfinite(pts).all(axis=1), dtype=np.bool_)
        safe = np.where(finite[:, None], pts, -1.0)
        cx = np.floor(safe[:, 0]).astype(np.int64)
        cy = np.floor(safe[:, 1]).astype(np.int64)
        inside = finite & (cx >= 0) & (cx < w) & (cy >= 0) & (cy < h)
        return np.where(inside, cx, 0), np.where(inside, cy, 0), inside

    def direction_at(self, points: npt.ArrayLike) -> FloatArray:
        """The field's direction at many world positions (vectorised).

        Args:
            points: ``(N, 2)`` positions ``(x, y)`` in metres.

        Returns:
            ``(N, 2)`` unit vectors; zero outside the map, in blocked or unreachable
            cells, and in the goal cell.

        Example:
            >>> from astraweave.nav import GridMap
            >>> flow = GridMap.from_ascii("...").flow_field((2, 0))
            >>> flow.direction_at([[0.5, 0.5], [2.5, 0.5]]).tolist()
            [[1.0, 0.0], [0.0, 0.0]]
        """
        cx, cy, inside = self._cells(points)
        return np.where(inside[:, None], self.directions[cy, cx], 0.0)

    def distance_at(self, points: npt.ArrayLike) -> FloatArray:
        """Distance to the goal from the cells of many world positions.

        Args:
            points: ``(N, 2)`` positions ``(x, y)`` in metres.

        Returns:
            ``(N,)`` distances; ``inf`` outside the map, in blocked or unreachable
            cells.

        Example:
            >>> from astraweave.nav import GridMap
            >>> flow = GridMap.from_ascii("...").flow_field((0, 0))
            >>> flow.distance_at([[2.5, 0.5], [9.0, 0.0]]).tolist()
            [2.0, inf]
        """
        cx, cy, inside = self._cells(points)
        return np.where(inside, self.distance[cy, cx], np.inf)

    def steer_at(self, points: npt.ArrayLike) -> FloatArray:
        """Unit vectors from each position towards the centre of its cell's next cell
        (in the goal cell: towards the goal's centre). Agents that move along these in
        steps of at most half a cell stay in walkable cells and reach the goal.

        Args:
            points: ``(N, 2)`` positions ``(x, y)`` in metres.

        Returns:
            ``(N, 2)`` unit vectors; zero where there is no next cell (outside, blocked,
            unreachable) or at the goal's centre.

        Example:
            >>> from astraweave.nav import GridMap
            >>> flow = GridMap.from_ascii("...").flow_field((2, 0))
            >>> flow.steer_at([[0.5, 0.5], [2.5, 0.5]]).tolist()
            [[1.0, 0.0], [0.0, 0.0]]
        """
        pts = _points(points)
        cx, cy, inside = self._cells(pts)
        nxt = self.next_cell[cy, cx]
        at_goal = inside & (cx == self.goal[0]) & (cy == self.goal[1])
        target = np.where(at_goal[:, None], np.array(self.goal), nxt).astype(np.float64) + 0.5
        ok = inside & ((nxt[:, 0] >= 0) | at_goal)
        vec = np.where(ok[:, None], target - np.where(ok[:, None], pts, 0.0), 0.0)
        norm = np.hypot(vec[:, 0], vec[:, 1])
        scale = np.where(norm > 1e-12, 1.0 / np.where(norm > 1e-12, norm, 1.0), 0.0)
        return np.asarray(vec * scale[:, None], dtype=np.float64)

    def path_from(self, cell: tuple[int, int]) -> list[tuple[int, int]] | None:
        """Follow the field from ``cell`` to the goal.

        Args:
            cell: the starting cell ``(x, y)``.

        Returns:
            The cells to the goal, both ends included; ``None`` when ``cell`` is
            outside the map, blocked or cannot reach the goal.
        """
        x, y = int(cell[0]), int(cell[1])
        h, w = self.distance.shape
        if not (0 <= x < w and 0 <= y < h) or not math.isfinite(self.distance[y, x]):
            return None
        out = [(x, y)]
        while (x, y) != self.goal:
            x, y = (int(v) for v in self.next_cell[y, x])
            out.append((x, y))
        return out

    def __repr__(self) -> str:
        h, w = self.shape
        return f"FlowField(goal={self.goal}, shape=({h}, {w}))"
