"""What the crowd needs to know about the tile map, as flat numpy arrays.

:class:`CrowdMap` derives, once per map version, the arrays the vectorised crowd
reads every tick, from the same :class:`~astraweave.core.TileMap` the per-agent
sandbox uses:

* ``walkable`` and ``transparent`` (core's definitions: floor and open doors are
  walkable; walls and closed doors block sight, low cover does not);
* a padded, flattened walkable grid for movement (the padding ring is outside the map);
* connected components of the walkable tiles: a path exists between two walkable tiles
  exactly when they have the same label. Paths are 8-connected without corner cutting,
  and a diagonal step needs both orthogonal neighbours walkable, so 8-connected
  components without corner cutting are the 4-connected components;
* a padded "gives cover" grid (low cover, walls, outside) for the hit chance.

Every query here is vectorised and exact. Line of sight is core's: a
:class:`~astraweave.nav.GridMap` over the see-through tiles and nav's supercover rule
(``GridMap.line_of_sight_many``, the vectorised form of the ``line_of_sight`` that
``TileMap.line_of_sight`` calls), after one exact shortcut: a segment whose end tiles
are at most ``r`` apart in each axis, where ``r`` is the radius of the all-transparent
square around one of them, is clear without tracing (every tile the supercover of a
segment touches lies in the bounding box of its end tiles). Traced results are kept in
a direct-mapped memo keyed by the tile pair (sight between two tiles of a fixed map is
a pure function of the pair), so a pair traced once, by the planner or by an earlier
tick, is not traced again; the memo changes only the time taken, never a result.
Bounds and walkability use core's comparisons (``0 <= x < width``, tile ``floor(x)``).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from astraweave.errors import PlannerError
from astraweave.nav import GridMap

__all__ = ["CrowdMap", "clear_radius", "label_components"]

F64 = npt.NDArray[np.float64]
Bool = npt.NDArray[np.bool_]
I32 = npt.NDArray[np.int32]
I64 = npt.NDArray[np.int64]

WALL_KIND = 1
LOW_COVER_KIND = 2
_MEMO_BITS = 18
_MEMO_SLOTS = 1 << _MEMO_BITS
_HASH = np.uint64(0x9E3779B97F4A7C15)  # Fibonacci hashing


def label_components(walkable: Bool) -> I32:
    """Label the 4-connected components of ``walkable`` (``(H, W)`` booleans).

    Labels are ``1..k`` in row-major order of each component's first tile; blocked
    tiles get 0. Union-find over horizontal runs: Python touches each run once, not
    each tile.

    Args:
        walkable: ``(H, W)`` booleans, indexed ``[y, x]``.

    Returns:
        ``(H, W)`` int32 labels.

    Example:
        >>> import numpy as np
        >>> label_components(np.array([[1, 0, 1], [1, 0, 1]], dtype=bool)).tolist()
        [[1, 0, 2], [1, 0, 2]]
    """
    h, w = walkable.shape
    edges = np.zeros((h, w + 2), dtype=np.int8)
    edges[:, 1:-1] = walkable
    d = np.diff(edges, axis=1)
    rs, cs = np.nonzero(d == 1)  # run starts (row-major order)
    _, ce = np.nonzero(d == -1)  # run ends, exclusive, same order
    n = len(rs)
    labels = np.zeros((h, w), dtype=np.int32)
    if n == 0:
        return labels
    parent = list(range(n))

    def find(a: int) -> int:
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    row_first = np.searchsorted(rs, np.arange(h + 1)).tolist()
    starts = cs.tolist()
    ends = ce.tolist()
    for r in range(1, h):
        i, i_end = row_first[r - 1], row_first[r]
        j, j_end = row_first[r], row_first[r + 1]
        while i < i_end and j < j_end:
            if starts[i] < ends[j] and starts[j] < ends[i]:  # overlap: 4-connected
                a, b = find(i), find(j)
                if a != b:
                    parent[max(a, b)] = min(a, b)
            if ends[i] < ends[j]:
                i += 1
            else:
                j += 1
    roots = np.array([find(i) for i in range(n)], dtype=np.int64)
    uniq, run_label = np.unique(roots, return_inverse=True)
    del uniq
    lengths = ce - cs
    flat = np.repeat(rs * w + cs - np.cumsum(lengths) + lengths, lengths) + np.arange(
        int(lengths.sum())
    )
    labels.ravel()[flat] = np.repeat(run_label.astype(np.int32) + 1, lengths)
    return labels


def clear_radius(transparent: Bool, limit: int = 15) -> npt.NDArray[np.int8]:
    """For each tile, the largest ``r <= limit`` such that every tile of the map within
    Chebyshev distance ``r`` of it is transparent (-1 for opaque tiles). Tiles outside
    the map do not count (sight never leaves the map).

    Example:
        >>> import numpy as np
        >>> clear_radius(np.array([[1, 1, 1, 1]], dtype=bool) & [True, True, True, False]).tolist()
        [[2, 1, 0, -1]]
    """
    h, w = transparent.shape
    reached = np.zeros((h + 2, w + 2), dtype=np.bool_)
    reached[1:-1, 1:-1] = ~transparent
    out = np.where(transparent, 0, -1).astype(np.int8)
    for _ in range(limit):
        grown = reached.copy()
        grown[1:, :] |= reached[:-1, :]
        grown[:-1, :] |= reached[1:, :]
        g2 = grown.copy()
        g2[:, 1:] |= grown[:, :-1]
        g2[:, :-1] |= grown[:, 1:]
        reached = g2
        inner = ~reached[1:-1, 1:-1]
        if not inner.any():
            break
        out += inner
    return out


class CrowdMap:
    """Flat arrays of a tile map for the vectorised crowd (see the module docstring).

    Args:
        kinds: ``(H, W)`` tile kinds of a core ``TileMap`` (``tile_map.kinds``).
        walkable: ``(H, W)`` booleans (``tile_map.walkable``).
        transparent: ``(H, W)`` booleans (``tile_map.transparent``).

    Raises:
        PlannerError: the arrays are not 2-D of the same shape.

    Example:
        >>> from astraweave.core import TileMap
        >>> cm = CrowdMap.from_tile_map(TileMap.from_ascii('''
        ... ....
        ... .#..
        ... ....'''))
        >>> import numpy as np
        >>> cm.line_of_sight(np.array([0.5]), np.array([0.5]), np.array([2.5]), np.array([2.5]))
        array([False])
    """

    def __init__(self, kinds: npt.ArrayLike, walkable: npt.ArrayLike, transparent: npt.ArrayLike):
        k = np.array(kinds, dtype=np.uint8)
        wk = np.array(walkable, dtype=np.bool_)
        tr = np.array(transparent, dtype=np.bool_)
        if k.ndim != 2 or 0 in k.shape or wk.shape != k.shape or tr.shape != k.shape:
            raise PlannerError(
                f"the crowd map needs 2-D kinds/walkable/transparent arrays of one shape, got "
                f"{k.shape}, {wk.shape}, {tr.shape}"
            )
        self.kinds = k
        self.height, self.width = int(k.shape[0]), int(k.shape[1])
        self.walkable = wk
        self.transparent = tr
        self.row = self.width + 2
        pad = np.zeros((self.height + 2, self.row), dtype=np.bool_)
        pad[1:-1, 1:-1] = wk
        self.walk_flat = pad.ravel()
        cover = np.ones((self.height + 2, self.row), dtype=np.bool_)
        cover[1:-1, 1:-1] = (k == LOW_COVER_KIND) | (k == WALL_KIND)
        self.cover_flat = cover.ravel()
        lab = np.zeros((self.height + 2, self.row), dtype=np.int32)
        lab[1:-1, 1:-1] = label_components(wk)
        self.labels_flat = lab.ravel()
        self.sight = GridMap(tr)
        self.clear_flat = clear_radius(tr).ravel()
        # one int64 per slot, ``key << 1 | visible``: a slot is written in one store,
        # so a reader on another thread sees an old or a new entry, never half of each
        self._memo = np.full(_MEMO_SLOTS, -1, dtype=np.int64)
        self._memo_shift = np.uint64(64 - _MEMO_BITS)

    @classmethod
    def from_tile_map(cls, tile_map: Any) -> CrowdMap:
        """Build from a core ``TileMap`` (anything with ``kinds``, ``walkable`` and
        ``transparent`` arrays)."""
        return cls(tile_map.kinds, tile_map.walkable, tile_map.transparent)

    def matches(self, tile_map: Any) -> bool:
        """True when ``tile_map`` still has the tile kinds this map was built from."""
        kinds = tile_map.kinds
        return bool(kinds.shape == self.kinds.shape and np.array_equal(kinds, self.kinds))

    # ----------------------------------------------------------------- queries
    def tile_index(self, x: F64, y: F64) -> npt.NDArray[np.intp]:
        """Flat padded index of the tile of each point (points with ``x, y > -1``)."""
        ix = np.add(x, 1.0).astype(np.intp)
        iy = np.add(y, 1.0).astype(np.intp)
        iy *= self.row
        iy += ix
        return iy

    def in_bounds(self, x: F64, y: F64) -> Bool:
        """``isfinite & 0 <= x < width & 0 <= y < height`` (core's ``in_bounds``)."""
        with np.errstate(invalid="ignore"):
            return np.asarray(
                (x >= 0) & (x < self.width) & (y >= 0) & (y < self.height), dtype=np.bool_
            )

    def walkable_at(self, x: F64, y: F64, inside: Bool | None = None) -> Bool:
        """Whether each point is on the map and its tile can be stood on."""
        ok = self.in_bounds(x, y) if inside is None else inside
        out = np.zeros(len(x), dtype=np.bool_)
        if ok.any():
            out[ok] = self.walk_flat[self.tile_index(x[ok], y[ok])]
        return out

    def same_component(self, ax: F64, ay: F64, bx: F64, by: F64) -> Bool:
        """Whether a walkable path joins the tiles of ``a`` and ``b`` (both walkable)."""
        la = self.labels_flat[self.tile_index(ax, ay)]
        lb = self.labels_flat[self.tile_index(bx, by)]
        return np.asarray((la == lb) & (la > 0), dtype=np.bool_)

    def line_of_sight(self, ax: F64, ay: F64, bx: F64, by: F64) -> Bool:
        """Core's ``TileMap.line_of_sight`` for many segments: both points on the map and
        every tile the segment between their tile centres touches transparent."""
        ok = self.in_bounds(ax, ay) & self.in_bounds(bx, by)
        idx = np.flatnonzero(ok)
        if len(idx) == 0:
            return ok
        tx0 = np.floor(ax[idx]).astype(np.int64)
        ty0 = np.floor(ay[idx]).astype(np.int64)
        tx1 = np.floor(bx[idx]).astype(np.int64)
        ty1 = np.floor(by[idx]).astype(np.int64)
        span = np.maximum(np.abs(tx1 - tx0), np.abs(ty1 - ty0))
        clear = self.clear_flat
        sure = span <= clear[ty0 * self.width + tx0]
        sure |= span <= clear[ty1 * self.width + tx1]
        rest = np.flatnonzero(~sure)
        if len(rest):
            a = ty0[rest] * self.width + tx0[rest]
            b = ty1[rest] * self.width + tx1[rest]
            key = a << np.int64(32)
            key |= b
            slot = ((key.astype(np.uint64) * _HASH) >> self._memo_shift).astype(np.intp)
            entry = self._memo.take(slot)
            seen = (entry & 1).astype(np.bool_)
            miss = np.flatnonzero((entry >> 1) != key)
            if len(miss):
                r = rest[miss]
                starts = np.stack([tx0[r], ty0[r]], axis=1)
                goals = np.stack([tx1[r], ty1[r]], axis=1)
                traced = self.sight.line_of_sight_many(starts, goals)
                seen[miss] = traced
                self._memo[slot[miss]] = (key[miss] << 1) | traced
            ok[idx[rest]] = seen
        return ok

    def cover_against(self, tx: F64, ty: F64, ax: F64, ay: F64) -> F64:
        """Core's ``TileMap.cover_against`` for many (target, attacker) pairs: 0.5 when a
        tile beside the target on the attacker's side is low cover, wall or outside."""
        dx = ax - tx
        dy = ay - ty
        sx = (dx > 0.25).astype(np.intp) - (dx < -0.25)
        sy = (dy > 0.25).astype(np.intp) - (dy < -0.25)
        t = self.tile_index(tx, ty)
        cov = self.cover_flat
        hit = (sx != 0) & cov[t + sx]
        hit |= (sy != 0) & cov[t + sy * self.row]
        hit |= (sx != 0) & (sy != 0) & cov[t + sx + sy * self.row]
        return np.where(hit, 0.5, 0.0)
