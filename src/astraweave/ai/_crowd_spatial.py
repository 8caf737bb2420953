"""Vectorised crowd perception: grid buckets, nearest enemies, density for separation.

Everything here works on plain numpy columns (one value per agent, row order) and
reuses preallocated buffers, so a perception pass over 100,000 agents allocates little
and runs no Python loop over agents. Two levels of grid:

* **Buckets** (``bucket_m`` square, 4 m by default). Every agent gets a bucket and a
  key ``bucket * teams + team``. Each (bucket, team) elects a *representative*: the
  member nearest to the bucket's centre (ties: lowest row), found with one
  ``np.minimum.at`` over packed ``(quantised squared distance, row)`` integers, so
  the result is exact and deterministic.
* **Target choice per bucket.** For each bucket and team, the *perceived enemy* is
  the representative of another team, among the 3 x 3 neighbouring buckets, nearest
  to the bucket's centre. Every agent of that bucket and team perceives that enemy.
  This is the approximation of the crowd: it is the exact nearest enemy of the
  bucket's centre among the representatives, not the exact nearest enemy of each
  agent (the error is at most a bucket diagonal). It costs ``9 x buckets x teams``
  distance tests instead of ``agents x neighbours``.
* **Sectors** (``sector_buckets`` buckets square, at most 16 x 16 sectors). Each
  (sector, team) elects the bucket representative nearest to the sector centre;
  for each sector and team the *far goal* is the representative of another team
  nearest to the sector centre, over the whole map. Agents that perceive no enemy
  nearby walk towards it.
* **Density** on the 1 m tile grid, for separation: the count of agents per tile,
  minus one (a lone agent is not crowded), plus a constant for blocked tiles, read
  back at each agent's position by bilinear interpolation of the tile-centre values;
  agents are pushed down its gradient.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from astraweave.errors import PlannerError

__all__ = ["BucketGrid", "DensityField", "Perception"]

F32 = npt.NDArray[np.float32]
F64 = npt.NDArray[np.float64]
I32 = npt.NDArray[np.int32]
I64 = npt.NDArray[np.int64]
IntP = npt.NDArray[np.intp]
Bool = npt.NDArray[np.bool_]

_EMPTY = np.iinfo(np.int64).max
_ROW_BITS = 32
_ROW_MASK = (1 << _ROW_BITS) - 1
_Q_BITS = 24  # quantised squared distance bits (relative to the cell's largest one)
_FAR = np.float32(1.0e9)  # coordinate of an absent representative
MAX_SECTORS_PER_SIDE = 16


@dataclass
class Perception:
    """What each agent perceives (row-aligned arrays; ``-1`` means none).

    Attributes:
        enemy_row: row of the perceived enemy (the nearest enemy representative of
            the agent's bucket, see the module docstring), or -1.
        far_row: row of an enemy to walk towards when none is near, or -1.
        bucket: the agent's padded bucket index.
    """

    enemy_row: I32
    far_row: I32
    bucket: I32


class BucketGrid:
    """The bucket and sector geometry of a ``width x height`` metre map.

    Args:
        width_m: map width in metres (tiles).
        height_m: map height in metres.
        teams: number of teams (ids ``0 .. teams - 1``), at least 2.
        bucket_m: bucket side in metres (default 4.0); larger buckets see further
            and cost less, smaller ones pick nearer enemies.
        sector_buckets: sector side in buckets (default 8), raised as needed so that
            there are at most 16 sectors per side.

    Raises:
        PlannerError: a size is not positive, or ``teams < 2``.

    Example:
        >>> import numpy as np
        >>> grid = BucketGrid(16, 16, teams=2)
        >>> p = grid.perceive(np.array([1.0, 3.0, 14.0]), np.array([1.0, 1.0, 14.0]),
        ...                   np.array([0, 1, 1]))
        >>> p.enemy_row.tolist(), p.far_row.tolist()
        [1, 0, -1]
    """

    def __init__(
        self,
        width_m: float,
        height_m: float,
        *,
        teams: int = 2,
        bucket_m: float = 4.0,
        sector_buckets: int = 8,
    ) -> None:
        if not (width_m > 0 and height_m > 0 and bucket_m > 0 and sector_buckets >= 1):
            raise PlannerError(
                f"crowd grid sizes must be positive (width {width_m}, height {height_m}, "
                f"bucket {bucket_m} m, sector {sector_buckets} buckets)"
            )
        if teams < 2:
            raise PlannerError(f"a crowd needs at least 2 teams, got {teams}")
        self.teams = int(teams)
        self.bucket_m = float(bucket_m)
        self.inv_bucket = np.float32(1.0 / bucket_m)
        self.bw = int(np.ceil(width_m / bucket_m))
        self.bh = int(np.ceil(height_m / bucket_m))
        self.pbw = self.bw + 2
        self.n_buckets = self.pbw * (self.bh + 2)
        sb = max(int(sector_buckets), int(np.ceil(max(self.bw, self.bh) / MAX_SECTORS_PER_SIDE)))
        self.sector_buckets = sb
        self.sw = -(-self.bw // sb)
        self.sh = -(-self.bh // sb)
        self.n_sectors = self.sw * self.sh
        # interior buckets, their centres and their 9 neighbours (padded indices)
        by, bx = np.divmod(np.arange(self.bw * self.bh, dtype=np.int64), self.bw)
        self.interior = ((by + 1) * self.pbw + (bx + 1)).astype(np.intp)
        self.centre_x = ((bx + 0.5) * bucket_m).astype(np.float32)
        self.centre_y = ((by + 0.5) * bucket_m).astype(np.float32)
        self.offsets = [dy * self.pbw + dx for dy in (-1, 0, 1) for dx in (-1, 0, 1)]
        sec = (by // sb) * self.sw + (bx // sb)
        self.sector_of_bucket = np.full(self.n_buckets, -1, dtype=np.intp)
        self.sector_of_bucket[self.interior] = sec
        sy, sx = np.divmod(np.arange(self.n_sectors, dtype=np.int64), self.sw)
        self.sector_cx = ((sx + 0.5) * sb * bucket_m).astype(np.float32)
        self.sector_cy = ((sy + 0.5) * sb * bucket_m).astype(np.float32)
        # squared distances in bucket units are at most 0.5; in metres to a sector
        # centre at most 2 * (sector side / 2) ** 2: both quantised to _Q_BITS bits
        self._q_scale = np.float32((1 << _Q_BITS) / 0.5001)
        shalf = sb * bucket_m / 2.0
        self._sq_scale = np.float32((1 << _Q_BITS) / (2.0 * shalf * shalf * 1.0001))
        k = self.teams
        self._rep_packed = np.empty(self.n_buckets * k, dtype=np.int64)
        self._sec_packed = np.empty(self.n_sectors * k, dtype=np.int64)
        self._bucket_target = np.full(self.n_buckets * k, -1, dtype=np.int32)
        self._sector_far = np.full(self.n_sectors * k, -1, dtype=np.int32)

    def bucket_of(self, x: F64 | F32, y: F64 | F32) -> I32:
        """Padded bucket index of each position (positions must lie on the map)."""
        bx = np.multiply(x, self.inv_bucket, dtype=np.float32).astype(np.int32)
        by = np.multiply(y, self.inv_bucket, dtype=np.float32).astype(np.int32)
        np.clip(bx, 0, self.bw - 1, out=bx)
        np.clip(by, 0, self.bh - 1, out=by)
        by += 1
        by *= self.pbw
        by += bx
        by += 1
        return by

    # ------------------------------------------------------------------ perceive
    def perceive(self, x: F64 | F32, y: F64 | F32, team: npt.NDArray[np.integer]) -> Perception:
        """Perceived enemy and far goal of every agent (see the module docstring).

        Args:
            x, y: positions in metres, on the map.
            team: team ids in ``0 .. teams - 1``.

        Returns:
            The :class:`Perception`, row-aligned with the inputs.

        Raises:
            PlannerError: a team id is out of range.
        """
        n = len(x)
        k = self.teams
        if n == 0:
            empty = np.zeros(0, dtype=np.int32)
            return Perception(empty, empty.copy(), empty.copy())
        team32 = team.astype(np.int32, copy=False)
        if int(team32.min()) < 0 or int(team32.max()) >= k:
            raise PlannerError(
                f"crowd team ids must lie in 0..{k - 1}, got {int(team32.min())}.."
                f"{int(team32.max())}",
                hint="set CrowdConfig.teams to the number of teams",
            )
        xf = x.astype(np.float32, copy=False)
        yf = y.astype(np.float32, copy=False)
        bucket = self.bucket_of(xf, yf)
        key = bucket * np.int32(k)
        key += team32
        # representative of each (bucket, team): nearest member to the bucket centre
        inv = self.inv_bucket
        fx = xf * inv
        fx -= np.floor(fx)
        fx -= np.float32(0.5)
        fy = yf * inv
        fy -= np.floor(fy)
        fy -= np.float32(0.5)
        fx *= fx
        fy *= fy
        fx += fy
        fx *= self._q_scale
        packed = fx.astype(np.int64)
        packed <<= _ROW_BITS
        packed |= np.arange(n, dtype=np.int64)
        rep = self._rep_packed
        rep.fill(_EMPTY)
        np.minimum.at(rep, key, packed)
        present = rep != _EMPTY
        rep_row = np.where(present, rep & _ROW_MASK, -1).astype(np.int32)
        rep_x = np.full(len(rep), _FAR, dtype=np.float32)
        rep_y = np.full(len(rep), _FAR, dtype=np.float32)
        pr = rep_row[present]
        rep_x[present] = xf[pr]
        rep_y[present] = yf[pr]
        self._choose_bucket_targets(rep_row, rep_x, rep_y)
        self._choose_far_goals(xf, yf, rep_row, rep_x, rep_y, present)
        enemy_row = self._bucket_target[key]
        far_row = self._sector_far[self.sector_of_bucket[bucket] * k + team32]
        return Perception(enemy_row, far_row, bucket)

    def _choose_bucket_targets(self, rep_row: I32, rep_x: F32, rep_y: F32) -> None:
        k = self.teams
        nb = len(self.interior)
        cx, cy = self.centre_x, self.centre_y
        best_d = np.full((k, nb), np.inf, dtype=np.float32)
        best_r = np.full((k, nb), -1, dtype=np.int32)
        dx = np.empty(nb, dtype=np.float32)
        dy = np.empty(nb, dtype=np.float32)
        for off in self.offsets:
            nbk = (self.interior + off) * k
            for u in range(k):
                idx = nbk + u
                np.subtract(rep_x[idx], cx, out=dx)
                np.subtract(rep_y[idx], cy, out=dy)
                dx *= dx
                dy *= dy
                dx += dy
                rows = rep_row[idx]
                for t in range(k):
                    if t == u:
                        continue
                    better = dx < best_d[t]
                    np.copyto(best_d[t], dx, where=better)
                    np.copyto(best_r[t], rows, where=better)
        target = self._bucket_target
        base = self.interior * k
        for t in range(k):
            target[base + t] = best_r[t]

    def _choose_far_goals(
        self, xf: F32, yf: F32, rep_row: I32, rep_x: F32, rep_y: F32, present: Bool
    ) -> None:
        k = self.teams
        far = self._sector_far
        far.fill(-1)
        slots = np.flatnonzero(present)
        if len(slots) == 0:
            return
        sec = self.sector_of_bucket[slots // k]
        dx = rep_x[slots] - self.sector_cx[sec]
        dy = rep_y[slots] - self.sector_cy[sec]
        dx *= dx
        dy *= dy
        dx += dy
        dx *= self._sq_scale
        np.minimum(dx, np.float32(2**_Q_BITS - 1), out=dx)
        packed = dx.astype(np.int64)
        packed <<= _ROW_BITS
        packed |= rep_row[slots].astype(np.int64)
        sp = self._sec_packed
        sp.fill(_EMPTY)
        np.minimum.at(sp, sec * k + slots % k, packed)
        s_present = sp != _EMPTY
        s_row = np.where(s_present, sp & _ROW_MASK, -1).astype(np.int32)
        s_x = np.full(len(sp), _FAR, dtype=np.float32)
        s_y = np.full(len(sp), _FAR, dtype=np.float32)
        s_x[s_present] = xf[s_row[s_present]]
        s_y[s_present] = yf[s_row[s_present]]
        ns = self.n_sectors
        cxs = self.sector_cx[:, None]
        cys = self.sector_cy[:, None]
        every = np.arange(ns)
        for t in range(k):
            best_d = np.full(ns, np.inf, dtype=np.float32)
            best_r = np.full(ns, -1, dtype=np.int32)
            for u in range(k):
                if u == t:
                    continue
                ddx = s_x[u::k][None, :] - cxs
                ddy = s_y[u::k][None, :] - cys
                d = ddx * ddx + ddy * ddy
                j = np.argmin(d, axis=1)
                dmin = d[every, j]
                better = dmin < best_d
                best_d = np.where(better, dmin, best_d)
                best_r = np.where(better, s_row[j * k + u], best_r)
            best_r[best_d >= _FAR] = -1
            far[t::k] = best_r
