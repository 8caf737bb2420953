"""Vectorised crowd perception: grid buckets, representatives, perceived enemies.

Everything here works on plain numpy columns (one value per agent, row order) and
reuses preallocated tables, so a perception pass over 100,000 agents runs no Python
loop over agents. Two levels of grid:

* **Buckets** (``bucket_m`` square; the crowd uses 6 m). Every agent gets a bucket and a
  key ``team * buckets + bucket``. Each (bucket, team) elects a *representative*:
  the member nearest to the bucket's centre (ties: lowest row), found with one
  ``np.minimum.at`` over packed ``(quantised squared distance, row)`` integers, so the
  election is exact and deterministic.
* **Perceived enemy, per bucket.** For each bucket and team, the perceived enemy is
  the representative of another team, among the 3 x 3 buckets around it, nearest to
  the bucket's centre (ties: lowest row). Every agent of that bucket and team
  perceives that enemy. *This is the crowd's approximation*: it is the exact nearest
  enemy of the bucket's centre among representatives, not the exact nearest enemy
  of each agent (the error is at most about a bucket diagonal), and an agent sees
  enemies at least ``bucket_m`` away in every direction and at most ``2.1 x bucket_m``.
  It costs ``9 x buckets x teams`` distance tests instead of ``agents x neighbours``.
* **Far goals, per sector** (``sector_buckets`` buckets square, at most 16 x 16
  sectors). Each (sector, team) elects the bucket representative nearest to the sector
  centre; the far goal of a sector and team is the position of the representative of
  another team nearest to the sector centre, over the whole map. Agents that perceive
  no enemy walk there. Far goals are refreshed every few ticks (the caller decides);
  between refreshes they are positions, not rows, so despawns cannot stale them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from astraweave.errors import PlannerError

__all__ = ["MAX_SECTORS_PER_SIDE", "BucketGrid", "Perception"]

F32 = npt.NDArray[np.float32]
F64 = npt.NDArray[np.float64]
I32 = npt.NDArray[np.int32]
I64 = npt.NDArray[np.int64]
Bool = npt.NDArray[np.bool_]

_EMPTY = np.iinfo(np.int64).max
_ROW_BITS = 32
_ROW_MASK = (1 << _ROW_BITS) - 1
_Q_BITS = 24  # bits of a quantised squared distance (relative to its largest value)
_FAR = np.float32(1.0e9)  # coordinate of an absent representative
_NONE_BITS = int(np.array(np.float32(1.0e17)).view(np.int32))  # distance bits meaning "none"
MAX_SECTORS_PER_SIDE = 16
"""Sectors per side at most (the far-goal search is quadratic in sectors)."""


@dataclass
class Perception:
    """What each agent perceives (row-aligned arrays).

    Attributes:
        enemy_row: row of the perceived enemy (see the module docstring), or -1.
        bucket: the agent's padded bucket index.
        team: the agent's team (int32).
        xf, yf: the positions as float32.
    """

    enemy_row: I32
    bucket: I32
    team: I32
    xf: F32
    yf: F32

    def __len__(self) -> int:
        return len(self.enemy_row)


class BucketGrid:
    """The bucket and sector geometry of a ``width x height`` metre map.

    Args:
        width_m: map width in metres (tiles).
        height_m: map height in metres.
        teams: number of teams (ids ``0 .. teams - 1``), at least 2.
        bucket_m: bucket side in metres (default 4.0); larger buckets see further
            and cost less, smaller ones pick nearer enemies.
        sector_buckets: sector side in buckets (default 8), raised as needed so that
            there are at most :data:`MAX_SECTORS_PER_SIDE` sectors per side.

    Raises:
        PlannerError: a size is not positive, or ``teams < 2``.

    Example:
        >>> import numpy as np
        >>> grid = BucketGrid(16, 16, teams=2)
        >>> x = np.array([1.0, 3.0, 14.0]); y = np.array([1.0, 1.0, 14.0])
        >>> p = grid.perceive(x, y, np.array([0, 1, 1]))
        >>> p.enemy_row.tolist()
        [1, 0, -1]
        >>> fx, fy, ok = grid.far_goals(p.bucket, p.team)
        >>> ok.tolist(), float(fx[2]), float(fy[2])
        ([True, True, True], 1.0, 1.0)
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
                f"bucket {bucket_m} m, sector {sector_buckets} buckets)",
                planner="crowd",
            )
        if teams < 2:
            raise PlannerError(f"a crowd needs at least 2 teams, got {teams}", planner="crowd")
        self.teams = k = int(teams)
        self.width_m = float(width_m)
        self.height_m = float(height_m)
        self.bucket_m = float(bucket_m)
        self.inv_bucket = np.float32(1.0 / bucket_m)
        self.bw = int(np.ceil(width_m / bucket_m))
        self.bh = int(np.ceil(height_m / bucket_m))
        self.pbw = self.bw + 2
        self.n_buckets = self.pbw * (self.bh + 2)
        if self.n_buckets * k >= 2**31:
            raise PlannerError("the crowd map has too many buckets", planner="crowd")
        sb = max(int(sector_buckets), int(np.ceil(max(self.bw, self.bh) / MAX_SECTORS_PER_SIDE)))
        self.sector_buckets = sb
        self.sw = -(-self.bw // sb)
        self.sh = -(-self.bh // sb)
        self.n_sectors = self.sw * self.sh
        # interior buckets (padded indices), their centres and their 3 x 3 neighbours
        by, bx = np.divmod(np.arange(self.bw * self.bh, dtype=np.int64), self.bw)
        self.interior = ((by + 1) * self.pbw + (bx + 1)).astype(np.intp)
        self.centre_x = ((bx + 0.5) * bucket_m).astype(np.float32)
        self.centre_y = ((by + 0.5) * bucket_m).astype(np.float32)
        self.neighbours = [
            self.interior + (dy * self.pbw + dx) for dy in (-1, 0, 1) for dx in (-1, 0, 1)
        ]
        sector = (by // sb) * self.sw + (bx // sb)
        self.sector_of_bucket = np.zeros(self.n_buckets, dtype=np.intp)
        self.sector_of_bucket[self.interior] = sector
        sy, sx = np.divmod(np.arange(self.n_sectors, dtype=np.int64), self.sw)
        self.sector_cx = ((sx + 0.5) * sb * bucket_m).astype(np.float32)
        self.sector_cy = ((sy + 0.5) * sb * bucket_m).astype(np.float32)
        # squared distances in bucket units are at most 0.5; to a sector centre at most
        # 2 * (sector side / 2) ** 2 m^2: both quantised to _Q_BITS bits
        self._q_scale = np.float32((1 << _Q_BITS) / 0.5001)
        half = sb * bucket_m / 2.0
        self._sq_scale = np.float32((1 << _Q_BITS) / (2.0 * half * half * 1.0001))
        self._rep = np.empty(self.n_buckets * k, dtype=np.int64)
        self._target = np.full(self.n_buckets * k, -1, dtype=np.int32)
        self._rows = np.zeros(0, dtype=np.int64)
        self.far_x = np.zeros(self.n_sectors * k, dtype=np.float64)
        self.far_y = np.zeros(self.n_sectors * k, dtype=np.float64)
        self.far_ok = np.zeros(self.n_sectors * k, dtype=np.bool_)
        self.far_fresh = False

    def _arange(self, n: int) -> I64:
        if len(self._rows) < n:
            self._rows = np.arange(max(n, 2 * len(self._rows)), dtype=np.int64)
        return self._rows[:n]

    # ------------------------------------------------------------------ perceive
    def perceive(
        self,
        x: F64 | F32,
        y: F64 | F32,
        team: npt.NDArray[np.integer],
        *,
        refresh_far: bool = True,
        bucket_range: tuple[int, int] | None = None,
        alive: Bool | None = None,
    ) -> Perception:
        """Perceived enemy of every agent (see the module docstring).

        Args:
            x, y: positions in metres, on the map (float32 is enough).
            team: team ids in ``0 .. teams - 1``.
            refresh_far: also recompute the far goals (see :meth:`far_goals`).
            bucket_range: only choose the perceived enemies of this slice of the
                interior buckets (for splitting the work between threads; then call
                :meth:`choose_targets` for the rest and :meth:`lookup` at the end).
            alive: agents that can be perceived (default: all).

        Returns:
            The :class:`Perception`, row-aligned with the inputs.

        Raises:
            PlannerError: a team id is out of range, or a position is off the map.
        """
        bucket, key, team32 = self.elect(x, y, team, alive)
        lo, hi = (0, len(self.interior)) if bucket_range is None else bucket_range
        self.choose_targets(lo, hi)
        if refresh_far:
            self.refresh_far_goals(x, y)
        return self.lookup(bucket, key, team32)

    def elect(
        self,
        x: F64 | F32,
        y: F64 | F32,
        team: npt.NDArray[np.integer],
        alive: Bool | None = None,
    ) -> tuple[I32, I32, I32]:
        """Elect the representative of every (bucket, team); returns each agent's
        ``(bucket, key, team)``. Agents not ``alive`` are never elected (so nobody
        perceives them).

        Raises:
            PlannerError: a team id is out of range, or a position is off the map.
        """
        n = len(x)
        k = self.teams
        team32 = np.asarray(team).astype(np.int32)
        rep = self._rep
        rep.fill(_EMPTY)
        self._target.fill(-1)  # buckets no shard chooses for perceive nobody
        if n == 0:
            self._xf = np.zeros(0, dtype=np.float32)
            self._yf = np.zeros(0, dtype=np.float32)
            empty = np.zeros(0, dtype=np.int32)
            return empty, empty.copy(), team32
        if int(team32.min()) < 0 or int(team32.max()) >= k:
            raise PlannerError(
                f"crowd team ids must lie in 0..{k - 1}, got {int(team32.min())}.."
                f"{int(team32.max())}",
                planner="crowd",
                hint="set CrowdConfig.teams to the number of teams",
            )
        xf = np.asarray(x).astype(np.float32, copy=False)
        yf = np.asarray(y).astype(np.float32, copy=False)
        if not (
            float(xf.min()) >= 0
            and float(yf.min()) >= 0
            and float(xf.max()) <= self.width_m
            and float(yf.max()) <= self.height_m
        ):
            raise PlannerError(
                f"crowd agents must stand on the {self.width_m:g} x {self.height_m:g} m map "
                f"(x in {float(xf.min()):g}..{float(xf.max()):g}, "
                f"y in {float(yf.min()):g}..{float(yf.max()):g})",
                planner="crowd",
            )
        fx = xf * self.inv_bucket
        bx = fx.astype(np.int32)
        fx -= bx
        fy = yf * self.inv_bucket
        by = fy.astype(np.int32)
        fy -= by
        by += 1
        by *= self.pbw
        by += bx
        by += 1
        bucket = by
        key = team32 * np.int32(self.n_buckets)
        key += bucket
        half = np.float32(0.5)
        fx -= half
        fy -= half
        fx *= fx
        fy *= fy
        fx += fy
        fx *= self._q_scale
        packed = fx.astype(np.int64)
        packed <<= _ROW_BITS
        packed |= self._arange(n)
        if alive is not None:
            packed[~alive] = _EMPTY
        np.minimum.at(rep, key, packed)
        present = rep != _EMPTY
        rows = rep & _ROW_MASK
        self._present = present
        self._rep_row = rows  # garbage where absent
        pr = rows[present]
        rep_x = np.full(len(rep), _FAR, dtype=np.float32)
        rep_y = np.full(len(rep), _FAR, dtype=np.float32)
        rep_x[present] = xf[pr]
        rep_y[present] = yf[pr]
        self._rep_x = rep_x
        self._rep_y = rep_y
        self._xf, self._yf = xf, yf
        return bucket, key, team32

    def choose_targets(self, lo: int, hi: int) -> None:
        """Choose the perceived enemy of interior buckets ``lo:hi`` for every team
        (after :meth:`elect`; slices may run on different threads)."""
        k = self.teams
        nbt = self.n_buckets
        cx = self.centre_x[lo:hi]
        cy = self.centre_y[lo:hi]
        nbrs = [nb[lo:hi] for nb in self.neighbours]
        for t in range(k):
            best = np.full(hi - lo, _EMPTY, dtype=np.int64)
            for u in range(k):
                if u == t:
                    continue
                rx = self._rep_x[u * nbt : (u + 1) * nbt]
                ry = self._rep_y[u * nbt : (u + 1) * nbt]
                rr = self._rep_row[u * nbt : (u + 1) * nbt]
                for nb in nbrs:
                    dx = rx.take(nb)
                    dx -= cx
                    dx *= dx
                    dy = ry.take(nb)
                    dy -= cy
                    dy *= dy
                    dx += dy
                    # non-negative float32 bits order like the floats: pack (d2, row)
                    pk = dx.view(np.int32).astype(np.int64)
                    pk <<= _ROW_BITS
                    pk |= rr.take(nb)
                    np.minimum(best, pk, out=best)
            found = (best >> _ROW_BITS) < _NONE_BITS
            out = np.where(found, best & _ROW_MASK, -1).astype(np.int32)
            self._target[t * nbt + self.interior[lo:hi]] = out

    def lookup(self, bucket: I32, key: I32, team32: I32) -> Perception:
        """Each agent's perceived enemy, once every bucket slice was chosen."""
        return Perception(self._target.take(key), bucket, team32, self._xf, self._yf)

    # ----------------------------------------------------------------- far goals
    def refresh_far_goals(self, x: F64 | F32, y: F64 | F32) -> None:
        """Recompute the far goal of every (sector, team) (after :meth:`elect`).

        Args:
            x, y: the positions given to :meth:`elect` (float64 gives exact goals).
        """
        k = self.teams
        ns = self.n_sectors
        nbt = self.n_buckets
        self.far_ok[:] = False
        slots = np.flatnonzero(self._present)
        self.far_fresh = True
        if len(slots) == 0:
            return
        bucket = slots % nbt
        team = slots // nbt
        sec = self.sector_of_bucket[bucket]
        dx = self._rep_x[slots] - self.sector_cx[sec]
        dy = self._rep_y[slots] - self.sector_cy[sec]
        dx *= dx
        dy *= dy
        dx += dy
        dx *= self._sq_scale
        np.minimum(dx, np.float32(2**_Q_BITS - 1), out=dx)
        packed = dx.astype(np.int64)
        packed <<= _ROW_BITS
        packed |= self._rep_row[slots]
        sp = np.full(ns * k, _EMPTY, dtype=np.int64)
        np.minimum.at(sp, team * ns + sec, packed)
        s_ok = sp != _EMPTY
        s_row = sp[s_ok] & _ROW_MASK
        s_x = np.full(ns * k, _FAR, dtype=np.float32)
        s_y = np.full(ns * k, _FAR, dtype=np.float32)
        s_x[s_ok] = self._xf[s_row]
        s_y[s_ok] = self._yf[s_row]
        rows_all = np.zeros(ns * k, dtype=np.int64)
        rows_all[s_ok] = s_row
        cxs = self.sector_cx[:, None]
        cys = self.sector_cy[:, None]
        every = np.arange(ns)
        xs = np.asarray(x)
        ys = np.asarray(y)
        for t in range(k):
            best_d = np.full(ns, np.inf, dtype=np.float32)
            best_r = np.zeros(ns, dtype=np.int64)
            for u in range(k):
                if u == t:
                    continue
                ddx = s_x[u * ns : (u + 1) * ns][None, :] - cxs
                ddy = s_y[u * ns : (u + 1) * ns][None, :] - cys
                d = ddx * ddx + ddy * ddy
                j = np.argmin(d, axis=1)
                dmin = d[every, j]
                better = dmin < best_d
                best_d = np.where(better, dmin, best_d)
                best_r = np.where(better, rows_all[u * ns + j], best_r)
            ok = best_d < np.float32(1e17)
            self.far_ok[t * ns : (t + 1) * ns] = ok
            self.far_x[t * ns : (t + 1) * ns] = np.where(ok, xs[best_r], 0.0)
            self.far_y[t * ns : (t + 1) * ns] = np.where(ok, ys[best_r], 0.0)

    def far_goals(self, bucket: I32, team: I32) -> tuple[F64, F64, Bool]:
        """The far goal ``(x, y, exists)`` of agents in padded buckets ``bucket`` of
        teams ``team`` (as of the last refresh)."""
        slot = team.astype(np.intp) * self.n_sectors
        slot += self.sector_of_bucket.take(bucket)
        return self.far_x.take(slot), self.far_y.take(slot), self.far_ok.take(slot)
