"""The vectorised crowd planner: columns in, actions out, validated like the sandbox.

:class:`CrowdPlanner` takes the state of many agents as numpy columns
(:class:`CrowdState`), perceives (:class:`~astraweave.ai._crowd_spatial.BucketGrid`),
chooses one action per agent and validates every action with the rules of the
per-agent sandbox (:meth:`CrowdPlanner.validate`), all without a Python loop over
agents. It needs no App: the ECS systems of :func:`crowd_plugin` call it on the
columns of the crowd's archetype.

Choice, per agent (the perceived enemy is the one of its bucket, see
``_crowd_spatial``):

1. hp at or below ``retreat_hp_fraction`` of max, or no ammo left, with an enemy
   perceived: ``RETREAT`` to a walkable point ``retreat_m`` away from it;
2. enemy within weapon range, attack ready (cooldown over, ammo), line of sight:
   ``ATTACK`` it;
3. enemy within range but the attack not ready: ``WAIT`` (hold position);
4. an enemy perceived: ``MOVE`` to its position (walking stops once in range);
5. otherwise ``MOVE`` towards the far goal of its sector, or ``WAIT`` when the map
   holds no enemy.

Validation checks each chosen action as the sandbox checks the same single-step plan
(``MoveTo``: destination on the map, walkable, reachable, actor can move; ``Attack``:
weapon, live non-friendly target, range, line of sight with smoke, cooldown, ammo).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from astraweave.ai._crowd_map import CrowdMap
from astraweave.ai._crowd_rules import CrowdAction, CrowdReject, CrowdRules
from astraweave.ai._crowd_spatial import BucketGrid, Perception
from astraweave.ai._crowd_state import CrowdActions, CrowdConfig, CrowdState
from astraweave.errors import PlannerError

__all__ = ["CrowdPlanner"]

F64 = npt.NDArray[np.float64]
F32 = npt.NDArray[np.float32]
Bool = npt.NDArray[np.bool_]
I8 = npt.NDArray[np.int8]
I32 = npt.NDArray[np.int32]
I64 = npt.NDArray[np.int64]
Arr = npt.NDArray[Any]


class CrowdPlanner:
    """Plans and validates actions for thousands of agents at once.

    Args:
        tile_map: the level (a core ``TileMap``, or a :class:`CrowdMap`).
        rules: rule parameters (default: :meth:`CrowdRules.from_registry`).
        config: tuning (default :class:`CrowdConfig`).

    Example:
        >>> from astraweave.core import TileMap
        >>> tm = TileMap.from_ascii("\\n".join(["." * 40] * 3))
        >>> planner = CrowdPlanner(tm)
        >>> state = CrowdState.from_columns({"x": [0.5, 3.5, 39.5], "y": [1.5, 1.5, 1.5],
        ...                                  "team": [0, 1, 1]})
        >>> acts = planner.plan(state)
        >>> [CrowdAction(c).name for c in acts.code], acts.target.tolist(), acts.valid.tolist()
        (['ATTACK', 'ATTACK', 'MOVE'], [1, 0, -1], [True, True, True])
    """

    def __init__(
        self,
        tile_map: Any,
        rules: CrowdRules | None = None,
        config: CrowdConfig | None = None,
    ) -> None:
        self.rules = CrowdRules.from_registry() if rules is None else rules
        self.config = CrowdConfig() if config is None else config
        self._tile_map = tile_map
        self._walkable = getattr(tile_map, "walkable", None)
        self.map = tile_map if isinstance(tile_map, CrowdMap) else CrowdMap.from_tile_map(tile_map)
        self.grid = BucketGrid(
            self.map.width,
            self.map.height,
            teams=self.config.teams,
            bucket_m=self.config.bucket_m,
            sector_buckets=self.config.sector_buckets,
        )

    def refresh_map(self, tile_map: Any) -> bool:
        """Rebuild the map arrays when ``tile_map``'s tiles changed (doors); True if so."""
        if isinstance(tile_map, CrowdMap):
            self.map = tile_map
            return True
        if tile_map is self._tile_map and tile_map.walkable is self._walkable:
            return False  # core's TileMap rebuilds its cached arrays when a tile changes
        self._tile_map, self._walkable = tile_map, getattr(tile_map, "walkable", None)
        if self.map.matches(tile_map):
            return False
        self.map = CrowdMap.from_tile_map(tile_map)
        return True

    # ------------------------------------------------------------------ perceive
    def perceive(self, state: CrowdState, *, refresh_far: bool = True) -> Perception:
        """Each agent's perceived enemy (rows; see ``_crowd_spatial``); also refreshes
        the far goals unless ``refresh_far`` is False.

        Raises:
            PlannerError: team ids out of range, or agents off the map.
        """
        alive = np.asarray(state.hp) > 0
        if state.alive is not None:
            alive &= state.alive
        return self.grid.perceive(
            state.x, state.y, state.team, refresh_far=refresh_far, alive=alive
        )

    # ---------------------------------------------------------------------- plan
    def plan(
        self,
        state: CrowdState | dict[str, npt.ArrayLike],
        *,
        smoke: tuple[F64, F64] | None = None,
        perception: Perception | None = None,
        validate: bool = True,
        sight_gate: Bool | None = None,
        rows: tuple[int, int] | None = None,
        out: CrowdActions | None = None,
    ) -> CrowdActions:
        """Choose (and validate) one action per agent.

        Args:
            state: a :class:`CrowdState` or a dict of columns for
                :meth:`CrowdState.from_columns`.
            smoke: ``(centres (k, 2), radii (k,))`` of smoke clouds blocking sight.
            perception: a perception of ``state`` computed earlier (default: computed,
                with fresh far goals).
            validate: fill ``valid``/``reason`` (default True).
            sight_gate: which agents may test line of sight this call (default: all).
                An agent ready to fire but not allowed keeps walking towards its
                enemy; the ECS systems use it to spread the sight tests of agents
                that chase for a clear shot over several ticks.
            rows: plan only rows ``lo:hi`` (the others of ``out`` are left alone), so
                that threads can share the work; the result does not depend on how
                the rows are split.
            out: actions to write into (default: new ones, see
                :meth:`CrowdActions.empty`).

        Returns:
            The :class:`CrowdActions` (``out`` when given).

        Raises:
            PlannerError: malformed columns, team ids out of range, agents off the map,
                or a perception or ``out`` of another length.
        """
        st = state if isinstance(state, CrowdState) else CrowdState.from_columns(state)
        n = len(st)
        p = self.perceive(st) if perception is None else perception
        acts = CrowdActions.empty(n) if out is None else out
        if len(p) != n or len(acts) != n:
            raise PlannerError(
                f"{n} agents but the perception has {len(p)} rows and the actions {len(acts)}",
                planner="crowd",
            )
        lo, hi = (0, n) if rows is None else rows
        self._choose(st, p, lo, hi, acts, smoke, sight_gate)
        if validate:
            valid, reason = self.validate(st, acts, smoke=smoke, rows=(lo, hi))
            acts.valid[lo:hi] = valid
            acts.reason[lo:hi] = reason
        return acts

    def _choose(
        self,
        st: CrowdState,
        p: Perception,
        lo: int,
        hi: int,
        acts: CrowdActions,
        smoke: tuple[F64, F64] | None,
        sight_gate: Bool | None,
    ) -> None:
        """The choice rules of the module docstring for rows ``lo:hi``."""
        rules, cfg = self.rules, self.config
        x_all, y_all = st.x, st.y
        x, y = x_all[lo:hi], y_all[lo:hi]
        er = p.enemy_row[lo:hi]
        has = er >= 0
        tr = np.maximum(er, 0)
        # geometry in float32 (the validation redoes what matters in float64)
        dx = p.xf.take(tr)
        dx -= p.xf[lo:hi]
        dy = p.yf.take(tr)
        dy -= p.yf[lo:hi]
        d2 = dx * dx
        d2 += dy * dy
        hp = np.asarray(st.hp)[lo:hi]
        able = hp > 0
        if st.alive is not None:
            able &= st.alive[lo:hi]
        r2 = np.asarray(st.range_m)[lo:hi].astype(np.float32)
        r2 *= r2
        in_range = d2 <= r2
        in_range &= has
        in_range &= able
        loaded = np.asarray(st.ammo)[lo:hi] >= rules.attack_ammo
        low = hp <= np.asarray(st.max_hp)[lo:hi] * cfg.retreat_hp_fraction
        low |= ~loaded
        retreat = low & has
        retreat &= able
        ready = np.asarray(st.cooldown_s)[lo:hi] <= rules.cooldown_eps_s
        ready &= loaded
        ready &= in_range
        ready &= ~retreat
        if st.has_weapon is not None:
            ready &= st.has_weapon[lo:hi]
        hold = in_range & ~ready
        hold &= ~retreat
        look = ready if sight_gate is None else ready & sight_gate[lo:hi]
        shoot = np.flatnonzero(look)
        if len(shoot):
            ts = tr[shoot]
            seen = self._sight(x[shoot], y[shoot], x_all[ts], y_all[ts], smoke)
            shoot = shoot[seen]
        chase = has & able
        chase &= ~hold
        chase &= ~retreat
        # codes by arithmetic on exclusive masks (attackers were chasers until now)
        code = acts.code[lo:hi]
        np.multiply(chase.view(np.int8), np.int8(CrowdAction.MOVE), out=code)
        code[shoot] = CrowdAction.ATTACK
        code += retreat.view(np.int8) * np.int8(CrowdAction.RETREAT)
        # destinations: the chased enemy, the far goal, or the agent's own position
        dest_row = np.where(chase, tr, self.grid._arange(hi)[lo:hi].astype(np.int32))
        dest_x = acts.dest_x[lo:hi]
        dest_y = acts.dest_y[lo:hi]
        np.take(x_all, dest_row, out=dest_x)
        np.take(y_all, dest_row, out=dest_y)
        if len(shoot):
            dest_x[shoot] = x[shoot]
            dest_y[shoot] = y[shoot]
        lone = np.flatnonzero(~has & able)
        if len(lone):
            fx, fy, ok = self.grid.far_goals(p.bucket[lo:hi][lone], p.team[lo:hi][lone])
            lone = lone[ok]
            code[lone] = CrowdAction.MOVE
            dest_x[lone] = fx[ok]
            dest_y[lone] = fy[ok]
        if retreat.any():
            self._retreat(x, y, retreat, dx, dy, d2, dest_x, dest_y)
        target_row = acts.target_row[lo:hi]
        target = acts.target[lo:hi]
        target_row.fill(-1)
        target.fill(-1)
        if len(shoot):
            target_row[shoot] = er[shoot]
            target[shoot] = st.entity[er[shoot]]

    def _retreat(
        self,
        xs: F64,
        ys: F64,
        mask: Bool,
        dx: F32,
        dy: F32,
        d2: F32,
        dest_x: F64,
        dest_y: F64,
    ) -> None:
        """Destinations ``retreat_m`` away from the threat (half that, or stay, when the
        full distance is off the map, in a wall or cut off)."""
        cm = self.map
        idx = np.flatnonzero(mask)
        x, y = xs[idx], ys[idx]
        d = np.sqrt(d2[idx].astype(np.float64))
        safe = d > 1e-6
        ux = np.where(safe, -dx[idx] / np.where(safe, d, 1.0), 1.0)
        uy = np.where(safe, -dy[idx] / np.where(safe, d, 1.0), 0.0)
        home = cm.labels_flat.take(cm.tile_index(x, y))
        bx, by = x.copy(), y.copy()
        done = np.zeros(len(idx), dtype=np.bool_)
        for frac in (1.0, 0.5):
            px = x + ux * (self.config.retreat_m * frac)
            py = y + uy * (self.config.retreat_m * frac)
            ok = ~done & cm.in_bounds(px, py)
            sub = np.flatnonzero(ok)
            lab = cm.labels_flat.take(cm.tile_index(px[sub], py[sub]))
            sub = sub[(lab > 0) & (lab == home[sub])]
            bx[sub] = px[sub]
            by[sub] = py[sub]
            done[sub] = True
        dest_x[idx] = bx
        dest_y[idx] = by

    def _sight(self, ax: F64, ay: F64, bx: F64, by: F64, smoke: tuple[F64, F64] | None) -> Bool:
        """Line of sight as the sandbox's ``WorldView.can_see``: walls, doors, smoke."""
        ok = self.map.line_of_sight(ax, ay, bx, by)
        if smoke is not None and len(smoke[1]) and ok.any():
            ok &= ~_smoke_blocks(ax, ay, bx, by, smoke[0], smoke[1])
        return ok

    # ------------------------------------------------------------------ validate
    def validate(
        self,
        state: CrowdState,
        actions: CrowdActions,
        *,
        smoke: tuple[F64, F64] | None = None,
        rows: tuple[int, int] | None = None,
    ) -> tuple[Bool, I8]:
        """Check every action as the sandbox checks the same one-step plan.

        Args:
            state: the agents.
            actions: their actions (``code``, ``target_row``/``target``,
                ``dest_x``/``dest_y``).
            smoke: smoke clouds (see :meth:`plan`).
            rows: check only rows ``lo:hi``.

        Returns:
            ``(valid, reason)``: booleans and :class:`CrowdReject` codes for the rows
            checked (all rows by default).

        Raises:
            PlannerError: ``actions`` and ``state`` differ in length, or a code is
                unknown.
        """
        n = len(state)
        if len(actions) != n:
            raise PlannerError(
                f"{len(actions)} actions for {n} agents", planner="crowd", hint="one per row"
            )
        lo, hi = (0, n) if rows is None else rows
        code = actions.code[lo:hi]
        if hi > lo and (int(code.min()) < 0 or int(code.max()) >= len(CrowdAction)):
            raise PlannerError(f"unknown crowd action code in {np.unique(code)}", planner="crowd")
        reason = np.zeros(hi - lo, dtype=np.int8)
        forbidden = self.rules.forbidden
        if forbidden:
            for act in CrowdAction:
                if self.rules.tool_of(act) in forbidden:
                    reason[code == act] = CrowdReject.FORBIDDEN
        if state.alive is not None:
            reason[~state.alive[lo:hi]] = CrowdReject.ACTOR_UNABLE
        # MOVE (1) and RETREAT (3) are the odd codes
        walk = np.flatnonzero((code & 1).view(np.bool_))
        if forbidden or state.alive is not None:
            walk = walk[reason[walk] == 0]
        if len(walk):
            reason[walk] = self._check_moves(state, actions, walk + lo)
        shoot = np.flatnonzero(code == CrowdAction.ATTACK)
        if forbidden or state.alive is not None:
            shoot = shoot[reason[shoot] == 0]
        if len(shoot):
            reason[shoot] = self._check_attacks(state, actions, shoot + lo, smoke)
        return reason == 0, reason

    def _check_moves(self, st: CrowdState, acts: CrowdActions, idx: I64) -> I8:
        """``MoveTo``: destination on the map, walkable, reachable; the actor moves."""
        cm = self.map
        out = np.zeros(len(idx), dtype=np.int8)
        px = acts.dest_x.take(idx)
        py = acts.dest_y.take(idx)
        inside = cm.in_bounds(px, py)
        sub = np.arange(len(idx))
        if not inside.all():
            out[~inside] = CrowdReject.OUT_OF_BOUNDS
            out[~(np.isfinite(px) & np.isfinite(py))] = CrowdReject.BAD_ARGUMENTS
            sub = np.flatnonzero(inside)
            px, py = px[sub], py[sub]
        rows = idx[sub]
        to = cm.labels_flat.take(cm.tile_index(px, py))
        start = cm.tile_index(st.x.take(rows), st.y.take(rows))
        cut = to != cm.labels_flat.take(start)
        cut |= to == 0  # a wall, or the start is not walkable (label 0 never matches)
        out[sub[cut]] = CrowdReject.NO_PATH
        slow = np.asarray(st.speed_mps).take(rows) <= 0
        slow &= ~cut
        out[sub[slow]] = CrowdReject.CANNOT_MOVE
        return out

    def _check_attacks(
        self, st: CrowdState, acts: CrowdActions, idx: I64, smoke: tuple[F64, F64] | None
    ) -> I8:
        """``Attack``, in the sandbox's order: arguments (a target id >= 0), cooldown,
        ammo, then the tool's check: weapon, live target, not friendly, range, sight."""
        rules = self.rules
        n = len(st)
        out = np.zeros(len(idx), dtype=np.int8)
        pending = np.ones(len(idx), dtype=np.bool_)

        def fail(mask: Bool, why: CrowdReject) -> None:
            hit = pending & mask
            out[hit] = why
            pending[hit] = False

        fail(acts.target[idx] < 0, CrowdReject.BAD_ARGUMENTS)
        fail(np.asarray(st.cooldown_s)[idx] > rules.cooldown_eps_s, CrowdReject.ON_COOLDOWN)
        fail(np.asarray(st.ammo)[idx] < rules.attack_ammo, CrowdReject.NO_AMMO)
        if st.has_weapon is not None:
            fail(~st.has_weapon[idx], CrowdReject.NO_WEAPON)
        tr = acts.target_row[idx].astype(np.int64)
        exists = (tr >= 0) & (tr < n)
        trc = np.where(exists, tr, 0)
        if st.alive is not None:
            exists &= st.alive[trc]
        exists &= acts.target[idx] == st.entity[trc]
        exists &= np.asarray(st.max_hp)[trc] > 0
        fail(~exists, CrowdReject.INVALID_TARGET)
        team = np.asarray(st.team)
        fail(team[trc] == team[idx], CrowdReject.FRIENDLY_TARGET)
        ax, ay = st.x[idx], st.y[idx]
        bx, by = st.x[trc], st.y[trc]
        dist = np.hypot(ax - bx, ay - by)
        reach = np.asarray(st.range_m, dtype=np.float64)[idx] + rules.range_eps_m
        fail(dist > reach, CrowdReject.OUT_OF_RANGE)
        look = np.flatnonzero(pending)
        if len(look):
            seen = self._sight(ax[look], ay[look], bx[look], by[look], smoke)
            blocked = np.zeros(len(idx), dtype=np.bool_)
            blocked[look[~seen]] = True
            fail(blocked, CrowdReject.NO_LINE_OF_SIGHT)
        return out


def _smoke_blocks(ax: F64, ay: F64, bx: F64, by: F64, centres: F64, radii: F64) -> Bool:
    """Vectorised core ``smoke_blocks``: segment ``a``-``b`` passes through a circle."""
    out = np.zeros(len(ax), dtype=np.bool_)
    dx = bx - ax
    dy = by - ay
    seg2 = dx * dx + dy * dy
    for (cx, cy), r in zip(np.asarray(centres).tolist(), np.asarray(radii).tolist(), strict=True):
        px = cx - ax
        py = cy - ay
        with np.errstate(invalid="ignore", divide="ignore"):
            t = np.where(seg2 > 0, np.clip((px * dx + py * dy) / seg2, 0.0, 1.0), 0.0)
        qx = px - t * dx
        qy = py - t * dy
        out |= qx * qx + qy * qy < r * r
    return out
