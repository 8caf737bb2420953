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

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from astraweave.ai._crowd_map import CrowdMap
from astraweave.ai._crowd_rules import CrowdAction, CrowdReject, CrowdRules
from astraweave.ai._crowd_spatial import BucketGrid, Perception
from astraweave.errors import PlannerError

__all__ = ["CrowdActions", "CrowdConfig", "CrowdPlanner", "CrowdState"]

F64 = npt.NDArray[np.float64]
Bool = npt.NDArray[np.bool_]
I8 = npt.NDArray[np.int8]
I32 = npt.NDArray[np.int32]
I64 = npt.NDArray[np.int64]
Arr = npt.NDArray[Any]

_REQUIRED = ("x", "y", "team")


@dataclass(frozen=True, kw_only=True)
class CrowdConfig:
    """Tuning of the crowd (perception, choice, movement). Units: metres, seconds.

    Attributes:
        teams: number of teams, ids ``0 .. teams - 1`` (default 2).
        bucket_m: perception bucket side (default 4 m): agents perceive enemies in
            the 3 x 3 buckets around their own.
        sector_buckets: far-goal sector side in buckets (default 8).
        retreat_hp_fraction: retreat at or below this fraction of max hp (0.25).
        retreat_m: how far a retreat walks (4 m).
        separation_mps: separation speed per unit of density gradient (1.5 m/s).
        wall_density: excess density of walls, pushing agents off them (2.0).
        max_speed_factor: speed limit of steering plus separation, as a multiple of
            the agent's ``Mover.speed_mps`` (1.25).
        decay_cooldowns: whether the crowd plugin decays the attack cooldown of crowd
            agents (turn off when core's ``status_system`` already does).

    Raises:
        PlannerError: a value is out of range.
    """

    teams: int = 2
    bucket_m: float = 4.0
    sector_buckets: int = 8
    retreat_hp_fraction: float = 0.25
    retreat_m: float = 4.0
    separation_mps: float = 1.5
    wall_density: float = 2.0
    max_speed_factor: float = 1.25
    decay_cooldowns: bool = True

    def __post_init__(self) -> None:
        bad = []
        if self.teams < 2:
            bad.append(f"teams={self.teams} (at least 2)")
        if not self.bucket_m > 0:
            bad.append(f"bucket_m={self.bucket_m} (positive)")
        if self.sector_buckets < 1:
            bad.append(f"sector_buckets={self.sector_buckets} (at least 1)")
        if not 0 <= self.retreat_hp_fraction <= 1:
            bad.append(f"retreat_hp_fraction={self.retreat_hp_fraction} (0..1)")
        if not self.retreat_m > 0:
            bad.append(f"retreat_m={self.retreat_m} (positive)")
        if self.separation_mps < 0 or self.wall_density < 0:
            bad.append("separation_mps and wall_density must be >= 0")
        if not self.max_speed_factor > 0:
            bad.append(f"max_speed_factor={self.max_speed_factor} (positive)")
        if bad:
            raise PlannerError(f"bad CrowdConfig: {'; '.join(bad)}", planner="crowd")


@dataclass
class CrowdState:
    """The columns the crowd reads, one row per agent (row ``i`` is agent ``i``).

    Only ``x``, ``y`` and ``team`` are required by :meth:`from_columns`; the others
    default to a healthy, armed, ready agent (the defaults of core's components).

    Attributes:
        x, y: position (m).
        team: team id.
        entity: entity id (default: the row number).
        hp, max_hp: ``Health``.
        ammo: magazine rounds (``Ammo.rounds``).
        cooldown_s: seconds until the attack tool is ready (its ``Cooldowns`` slot).
        range_m: weapon range (``Weapon.range_m``); ``has_weapon`` False for none.
        speed_mps: walking speed (``Mover.speed_mps``).
        alive: False for rows that do not stand for a live agent.
    """

    x: F64
    y: F64
    team: Arr
    entity: I64
    hp: Arr
    max_hp: Arr
    ammo: Arr
    cooldown_s: Arr
    range_m: Arr
    speed_mps: Arr
    has_weapon: Bool | None = None
    alive: Bool | None = None

    def __len__(self) -> int:
        return len(self.x)

    @classmethod
    def from_columns(cls, columns: dict[str, npt.ArrayLike]) -> CrowdState:
        """Check and wrap a dict of columns (see the attributes for names).

        Raises:
            PlannerError: a required column is missing, an unknown one is given,
                lengths differ, or positions are not finite.

        Example:
            >>> s = CrowdState.from_columns({"x": [1.0, 2.0], "y": [1.0, 1.0], "team": [0, 1]})
            >>> len(s), s.hp.tolist(), s.entity.tolist()
            (2, [100.0, 100.0], [0, 1])
        """
        missing = [k for k in _REQUIRED if k not in columns]
        if missing:
            raise PlannerError(f"crowd columns lack {missing}", planner="crowd")
        known = set(cls.__dataclass_fields__)
        extra = sorted(set(columns) - known)
        if extra:
            raise PlannerError(
                f"unknown crowd columns {extra}; known: {sorted(known)}", planner="crowd"
            )
        x = np.asarray(columns["x"], dtype=np.float64)
        n = len(x)
        defaults: dict[str, Any] = {
            "entity": np.arange(n, dtype=np.int64),
            "hp": 100.0,
            "max_hp": 100.0,
            "ammo": 12,
            "cooldown_s": 0.0,
            "range_m": 14.0,
            "speed_mps": 3.0,
            "has_weapon": True,
            "alive": True,
        }
        cols: dict[str, Any] = {}
        for name in known:
            raw = columns.get(name, defaults.get(name))
            arr = np.asarray(raw)
            if arr.ndim == 0:
                arr = np.full(n, arr)
            if arr.shape != (n,):
                raise PlannerError(
                    f"crowd column {name!r} has shape {arr.shape}, expected ({n},)",
                    planner="crowd",
                )
            cols[name] = arr
        cols["x"] = x
        cols["y"] = np.asarray(cols["y"], dtype=np.float64)
        cols["entity"] = cols["entity"].astype(np.int64)
        cols["has_weapon"] = cols["has_weapon"].astype(np.bool_)
        cols["alive"] = cols["alive"].astype(np.bool_)
        if not (np.isfinite(cols["x"]).all() and np.isfinite(cols["y"]).all()):
            raise PlannerError("crowd positions must be finite", planner="crowd")
        return cls(**cols)


@dataclass
class CrowdActions:
    """One action per agent (row-aligned with the :class:`CrowdState`).

    Attributes:
        code: :class:`CrowdAction` codes (int8).
        target_row: row of the target for ``ATTACK`` (else -1).
        target: entity id of that target (else -1).
        dest_x, dest_y: destination of ``MOVE``/``RETREAT`` (else the agent's position).
        valid: the validation's verdict (see :meth:`CrowdPlanner.validate`).
        reason: :class:`CrowdReject` codes (0 where valid).
    """

    code: I8
    target_row: I32
    target: I64
    dest_x: F64
    dest_y: F64
    valid: Bool = field(default_factory=lambda: np.zeros(0, dtype=np.bool_))
    reason: I8 = field(default_factory=lambda: np.zeros(0, dtype=np.int8))

    def __len__(self) -> int:
        return len(self.code)

    def counts(self) -> dict[str, int]:
        """How many agents chose each action (names of :class:`CrowdAction`)."""
        c = np.bincount(self.code, minlength=len(CrowdAction))
        return {a.name.lower(): int(c[a]) for a in CrowdAction}

    def step(self, i: int, rules: CrowdRules, wait_s: float = 1.0) -> dict[str, Any]:
        """Agent ``i``'s action as a raw single plan step for the registry/sandbox.

        Example:
            >>> a = CrowdActions(np.array([2], np.int8), np.array([0], np.int32),
            ...                  np.array([7]), np.zeros(1), np.zeros(1))
            >>> a.step(0, CrowdRules())
            {'tool': 'Attack', 'target': 7, 'shots': 1}
        """
        code = CrowdAction(int(self.code[i]))
        if code is CrowdAction.ATTACK:
            return {"tool": rules.attack_tool, "target": int(self.target[i]), "shots": 1}
        if code in (CrowdAction.MOVE, CrowdAction.RETREAT):
            return {
                "tool": rules.move_tool,
                "x": float(self.dest_x[i]),
                "y": float(self.dest_y[i]),
            }
        return {"tool": rules.wait_tool, "seconds": float(wait_s)}


class CrowdPlanner:
    """Plans and validates actions for thousands of agents at once.

    Args:
        tile_map: the level (a core ``TileMap``, or a :class:`CrowdMap`).
        rules: rule parameters (default: :meth:`CrowdRules.from_registry`).
        config: tuning (default :class:`CrowdConfig`).

    Example:
        >>> from astraweave.core import TileMap
        >>> tm = TileMap.from_ascii('''
        ... ..........
        ... ..........
        ... ..........''')
        >>> planner = CrowdPlanner(tm)
        >>> state = CrowdState.from_columns({"x": [0.5, 3.5, 9.5], "y": [1.5, 1.5, 1.5],
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
        if self.map.matches(tile_map):
            return False
        self.map = CrowdMap.from_tile_map(tile_map)
        return True

    # ------------------------------------------------------------------ perceive
    def perceive(self, state: CrowdState) -> Perception:
        """Each agent's perceived enemy and far goal (rows; see ``_crowd_spatial``)."""
        return self.grid.perceive(state.x, state.y, state.team)

    # ---------------------------------------------------------------------- plan
    def plan(
        self,
        state: CrowdState | dict[str, npt.ArrayLike],
        *,
        smoke: tuple[F64, F64] | None = None,
        perception: Perception | None = None,
        validate: bool = True,
    ) -> CrowdActions:
        """Choose (and validate) one action per agent.

        Args:
            state: a :class:`CrowdState` or a dict of columns for
                :meth:`CrowdState.from_columns`.
            smoke: ``(centres (k, 2), radii (k,))`` of smoke clouds blocking sight.
            perception: a perception of ``state`` computed earlier (default: computed).
            validate: fill ``valid``/``reason`` (default True).

        Returns:
            The :class:`CrowdActions`.

        Raises:
            PlannerError: malformed columns or team ids out of range.
        """
        st = state if isinstance(state, CrowdState) else CrowdState.from_columns(state)
        n = len(st)
        p = self.perceive(st) if perception is None else perception
        rules, cfg = self.rules, self.config
        x, y = st.x, st.y
        er = p.enemy_row
        has = er >= 0
        tr = np.where(has, er, 0)
        tx = x[tr] if n else x.copy()
        ty = y[tr] if n else y.copy()
        dx = tx - x
        dy = ty - y
        d2 = dx * dx + dy * dy
        able = st.hp > 0
        if st.alive is not None:
            able &= st.alive
        rng = np.asarray(st.range_m, dtype=np.float64)
        in_range = has & (d2 <= rng * rng) & able
        loaded = st.ammo >= rules.attack_ammo
        ready = in_range & (st.cooldown_s <= rules.cooldown_eps_s) & loaded
        if st.has_weapon is not None:
            ready &= st.has_weapon
        low = (st.hp <= cfg.retreat_hp_fraction * st.max_hp) | ~loaded
        retreat = able & has & low
        ready &= ~retreat
        cand = np.flatnonzero(ready)
        attack = np.zeros(n, dtype=np.bool_)
        if len(cand):
            attack[cand] = self._sight(x[cand], y[cand], tx[cand], ty[cand], smoke)
        hold = in_range & ~ready & ~retreat
        code = np.zeros(n, dtype=np.int8)
        dest_x = x.copy()
        dest_y = y.copy()
        chase = able & has & ~attack & ~hold & ~retreat
        code[chase] = CrowdAction.MOVE
        np.copyto(dest_x, tx, where=chase)
        np.copyto(dest_y, ty, where=chase)
        far = able & ~has & (p.far_row >= 0)
        if far.any():
            fr = p.far_row[far]
            code[far] = CrowdAction.MOVE
            dest_x[far] = x[fr]
            dest_y[far] = y[fr]
        code[attack] = CrowdAction.ATTACK
        if retreat.any():
            self._retreat(st, retreat, dx, dy, d2, dest_x, dest_y)
            code[retreat] = CrowdAction.RETREAT
        target_row = np.where(attack, er, -1).astype(np.int32)
        target = np.where(attack, st.entity[tr], -1).astype(np.int64)
        acts = CrowdActions(code, target_row, target, dest_x, dest_y)
        if validate:
            acts.valid, acts.reason = self.validate(st, acts, smoke=smoke)
        return acts

    def _retreat(
        self, st: CrowdState, mask: Bool, dx: F64, dy: F64, d2: F64, dest_x: F64, dest_y: F64
    ) -> None:
        """Destinations ``retreat_m`` away from the threat (half that, or stay, when the
        full distance lands in a wall)."""
        idx = np.flatnonzero(mask)
        x, y = st.x[idx], st.y[idx]
        d = np.sqrt(d2[idx])
        safe = d > 1e-9
        ux = np.where(safe, -dx[idx] / np.where(safe, d, 1.0), 1.0)
        uy = np.where(safe, -dy[idx] / np.where(safe, d, 1.0), 0.0)
        bx, by = x.copy(), y.copy()
        done = np.zeros(len(idx), dtype=np.bool_)
        for frac in (1.0, 0.5):
            px = x + ux * (self.config.retreat_m * frac)
            py = y + uy * (self.config.retreat_m * frac)
            ok = ~done & self.map.walkable_at(px, py)
            ok[ok] = self.map.same_component(x[ok], y[ok], px[ok], py[ok])
            bx[ok] = px[ok]
            by[ok] = py[ok]
            done |= ok
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
    ) -> tuple[Bool, I8]:
        """Check every action as the sandbox checks the same one-step plan.

        Args:
            state: the agents.
            actions: their actions (``code``, ``target_row``, ``dest_x``/``dest_y``).
            smoke: smoke clouds (see :meth:`plan`).

        Returns:
            ``(valid, reason)``: booleans and :class:`CrowdReject` codes, row-aligned.

        Raises:
            PlannerError: ``actions`` and ``state`` differ in length, or a code is
                unknown.
        """
        n = len(state)
        if len(actions) != n:
            raise PlannerError(
                f"{len(actions)} actions for {n} agents", planner="crowd", hint="one per row"
            )
        code = actions.code
        if n and (int(code.min()) < 0 or int(code.max()) >= len(CrowdAction)):
            raise PlannerError(f"unknown crowd action code in {np.unique(code)}", planner="crowd")
        reason = np.zeros(n, dtype=np.int8)
        forbidden = self.rules.forbidden
        if forbidden:
            for act in CrowdAction:
                if self.rules.tool_of(act) in forbidden:
                    reason[code == act] = CrowdReject.FORBIDDEN
        if state.alive is not None:
            reason[~state.alive] = CrowdReject.ACTOR_UNABLE
        walk = np.flatnonzero(
            ((code == CrowdAction.MOVE) | (code == CrowdAction.RETREAT)) & (reason == 0)
        )
        if len(walk):
            reason[walk] = self._check_moves(state, actions, walk)
        shoot = np.flatnonzero((code == CrowdAction.ATTACK) & (reason == 0))
        if len(shoot):
            reason[shoot] = self._check_attacks(state, actions, shoot, smoke)
        return reason == 0, reason

    def _check_moves(self, st: CrowdState, acts: CrowdActions, idx: I64) -> I8:
        out = np.zeros(len(idx), dtype=np.int8)
        px, py = acts.dest_x[idx], acts.dest_y[idx]
        inside = self.map.in_bounds(px, py)
        out[~inside] = CrowdReject.OUT_OF_BOUNDS
        walk = self.map.walkable_at(px, py, inside)
        out[inside & ~walk] = CrowdReject.NO_PATH
        ok = np.flatnonzero(walk)
        if len(ok):
            sx, sy = st.x[idx[ok]], st.y[idx[ok]]
            start_ok = self.map.walkable_at(sx, sy)
            reach = np.zeros(len(ok), dtype=np.bool_)
            reach[start_ok] = self.map.same_component(
                sx[start_ok], sy[start_ok], px[ok][start_ok], py[ok][start_ok]
            )
            out[ok[~reach]] = CrowdReject.NO_PATH
            slow = reach & ~(np.asarray(st.speed_mps)[idx[ok]] > 0)
            out[ok[slow]] = CrowdReject.CANNOT_MOVE
        return out

    def _check_attacks(
        self, st: CrowdState, acts: CrowdActions, idx: I64, smoke: tuple[F64, F64] | None
    ) -> I8:
        rules = self.rules
        n = len(st)
        out = np.zeros(len(idx), dtype=np.int8)
        pending = np.ones(len(idx), dtype=np.bool_)

        def fail(mask: Bool, why: CrowdReject) -> None:
            hit = pending & mask
            out[hit] = why
            pending[hit] = False

        # the sandbox's order: cooldown, costs, then the tool's own check
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
        fail(np.asarray(st.team)[trc] == np.asarray(st.team)[idx], CrowdReject.FRIENDLY_TARGET)
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
