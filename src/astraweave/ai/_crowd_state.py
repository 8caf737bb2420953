"""The crowd's data: tuning (:class:`CrowdConfig`), agent columns (:class:`CrowdState`)
and actions (:class:`CrowdActions`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from astraweave.ai._crowd_rules import CrowdAction, CrowdRules
from astraweave.errors import PlannerError

__all__ = ["CrowdActions", "CrowdConfig", "CrowdState"]

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
        bucket_m: perception bucket side (default 6 m): agents perceive enemies in
            the 3 x 3 buckets around their own, so at least ``bucket_m`` and at most
            about ``2.1 x bucket_m`` away (6 to 12.7 m, within core's 14 m weapons).
            Smaller buckets pick nearer enemies but see less far and cost more.
        sector_buckets: far-goal sector side in buckets (default 8).
        retreat_hp_fraction: retreat at or below this fraction of max hp (0.25).
        retreat_m: how far a retreat walks (4 m).
        separation_mps: separation speed per unit of density gradient (1.5 m/s).
        wall_density: excess density of walls, pushing agents off them (2.0).
        max_speed_factor: speed limit of steering plus separation, as a multiple of
            the agent's ``Mover.speed_mps`` (1.25).
        decay_cooldowns: whether the crowd plugin decays the attack cooldown of crowd
            agents (turn off when core's ``status_system`` already does).
        sight_every_ticks: an agent that is ready to fire but found no line of sight
            walks on and tests again only every this many ticks (staggered by entity
            id; default 4). Agents that just became ready test at once.
        far_every_ticks: far goals are recomputed every this many ticks (default 8).
        reap_every_ticks: dead agents (hp at or below 0, inert at once) are despawned
            together every this many ticks (default 30, half a second): one pass over
            the table instead of one swap-remove per death. 1 despawns every tick.
        shards: how many systems share the heavy passes (perception, planning,
            movement), so that an ``App(threads=N)`` runs them at once; default
            ``None``: the App's thread count. Results do not depend on it.

    Raises:
        PlannerError: a value is out of range.
    """

    teams: int = 2
    bucket_m: float = 6.0
    sector_buckets: int = 8
    retreat_hp_fraction: float = 0.25
    retreat_m: float = 4.0
    separation_mps: float = 1.5
    wall_density: float = 2.0
    max_speed_factor: float = 1.25
    decay_cooldowns: bool = True
    sight_every_ticks: int = 4
    far_every_ticks: int = 8
    reap_every_ticks: int = 30
    shards: int | None = None

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
        if self.shards is not None and self.shards < 1:
            bad.append(f"shards={self.shards} (at least 1, or None)")
        if self.reap_every_ticks < 1:
            bad.append(f"reap_every_ticks={self.reap_every_ticks} (at least 1)")
        if self.sight_every_ticks < 1 or self.far_every_ticks < 1:
            bad.append("sight_every_ticks and far_every_ticks must be >= 1")
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

    @classmethod
    def empty(cls, n: int) -> CrowdActions:
        """``n`` rows of ``WAIT``, valid, with no target (buffers to plan into)."""
        return cls(
            code=np.zeros(n, dtype=np.int8),
            target_row=np.full(n, -1, dtype=np.int32),
            target=np.full(n, -1, dtype=np.int64),
            dest_x=np.zeros(n, dtype=np.float64),
            dest_y=np.zeros(n, dtype=np.float64),
            valid=np.ones(n, dtype=np.bool_),
            reason=np.zeros(n, dtype=np.int8),
        )

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
