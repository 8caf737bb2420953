"""PhysicsConfig: the small value object that tunes the physics world."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Final

from astraweave.errors import PhysicsConfigError

__all__ = [
    "DEFAULT_CELL_COUNT",
    "DEFAULT_CELL_SIZE_M",
    "DEFAULT_COLLISION_BIAS",
    "DEFAULT_COLLISION_SLOP_M",
    "DEFAULT_ITERATIONS",
    "DEFAULT_SEPARATION_GAIN",
    "DEFAULT_SUBSTEPS",
    "PhysicsConfig",
]

DEFAULT_SUBSTEPS: Final = 1
"""Sub-steps per tick (each advances ``dt / substeps`` seconds)."""
DEFAULT_ITERATIONS: Final = 10
"""Solver iterations per sub-step (pymunk's default)."""
DEFAULT_COLLISION_SLOP_M: Final = 0.01
"""Overlap allowed between shapes before the solver pushes them apart, in metres."""
DEFAULT_COLLISION_BIAS: Final = (1.0 - 0.1) ** 60
"""Fraction of an overlap left unresolved after one second (pymunk's default)."""
DEFAULT_CELL_SIZE_M: Final = 1.0
"""Edge of a spatial-hash cell in metres; about the size of a typical body."""
DEFAULT_CELL_COUNT: Final = 10_007
"""Number of spatial-hash buckets; about 10x the number of bodies is a good start."""
DEFAULT_SEPARATION_GAIN: Final = 1.0
"""How strongly character controllers steer apart (1.0: overlap removed in ~1 s)."""


@dataclass(frozen=True, kw_only=True, slots=True)
class PhysicsConfig:
    """How the physics world steps. Keyword-only, immutable, compared by value.

    Args:
        gravity_mps2: gravity ``(x, y)`` in m/s². Default ``(0.0, 0.0)``: gameplay is
            on a ground plane seen from above. Use ``(0.0, 9.81)`` for a side view
            (``y`` grows downwards, like tile-map rows).
        substeps: sub-steps per tick, each of ``dt / substeps`` seconds. Default 1.
            Raise it for fast bodies or tall stacks (costs linearly).
        iterations: solver iterations per sub-step. Default 10. Raise it for stiffer
            stacks and joints (costs linearly in contacts).
        velocity_kept_per_s: fraction of its velocity a body keeps after one second
            (pymunk ``Space.damping``). Default 1.0 (no global damping). Per-body damping
            is :attr:`RigidBody.linear_damping`.
        collision_slop_m: overlap in metres tolerated before shapes are pushed apart.
            Default 0.01. Larger values reduce jitter in piles; smaller look tighter.
        collision_bias: fraction of an overlap left after one second of correction.
            Default ``0.9**60`` (about 0.0018). Lower corrects overlaps faster.
        cell_size_m: spatial-hash cell edge in metres. Default 1.0. Set it near the
            size of the typical moving body.
        cell_count: spatial-hash buckets. Default 10007. About 10x the body count.
        separation_gain: character-controller steering apart, in (m/s) per metre of
            overlap per metre of radius. Default 1.0; 0 disables separation.
        stuck_progress_m: a character controller that gets no closer than this to its
            waypoint for ``CharacterController.stuck_after_s`` seconds is stuck.
            Default 0.05.

    Raises:
        PhysicsConfigError: a value is out of range (the message names the field).

    Example:
        >>> cfg = PhysicsConfig(substeps=2, gravity_mps2=(0.0, 9.81))
        >>> cfg.substeps, cfg.gravity_mps2, cfg.iterations
        (2, (0.0, 9.81), 10)
        >>> cfg == PhysicsConfig(gravity_mps2=(0.0, 9.81), substeps=2)
        True
    """

    gravity_mps2: tuple[float, float] = (0.0, 0.0)
    substeps: int = DEFAULT_SUBSTEPS
    iterations: int = DEFAULT_ITERATIONS
    velocity_kept_per_s: float = 1.0
    collision_slop_m: float = DEFAULT_COLLISION_SLOP_M
    collision_bias: float = DEFAULT_COLLISION_BIAS
    cell_size_m: float = DEFAULT_CELL_SIZE_M
    cell_count: int = DEFAULT_CELL_COUNT
    separation_gain: float = DEFAULT_SEPARATION_GAIN
    stuck_progress_m: float = 0.05

    def __post_init__(self) -> None:
        g = self.gravity_mps2
        if (
            not isinstance(g, tuple)
            or len(g) != 2
            or not all(_is_real(v) and math.isfinite(v) for v in g)
        ):
            _bad("gravity_mps2", g, "a tuple of two finite floats, e.g. (0.0, 9.81)")
        object.__setattr__(self, "gravity_mps2", (float(g[0]), float(g[1])))
        _check_int(self, "substeps", 1, 64)
        _check_int(self, "iterations", 1, 1000)
        _check_float(self, "velocity_kept_per_s", 0.0, 1.0, low_open=True)
        _check_float(self, "collision_slop_m", 0.0, 10.0)
        _check_float(self, "collision_bias", 0.0, 1.0)
        _check_float(self, "cell_size_m", 0.0, 1e6, low_open=True)
        _check_int(self, "cell_count", 1, 1 << 26)
        _check_float(self, "separation_gain", 0.0, 1e6)
        _check_float(self, "stuck_progress_m", 0.0, 1e6)

    def describe(self) -> dict[str, Any]:
        """Every field and its value, JSON-ready (for benchmark workloads and logs)."""
        return {
            "gravity_mps2": list(self.gravity_mps2),
            "substeps": self.substeps,
            "iterations": self.iterations,
            "velocity_kept_per_s": self.velocity_kept_per_s,
            "collision_slop_m": self.collision_slop_m,
            "collision_bias": self.collision_bias,
            "cell_size_m": self.cell_size_m,
            "cell_count": self.cell_count,
            "separation_gain": self.separation_gain,
            "stuck_progress_m": self.stuck_progress_m,
        }


def _is_real(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _bad(name: str, value: Any, expected: str) -> None:
    raise PhysicsConfigError(
        f"PhysicsConfig.{name} must be {expected}, got {value!r}",
        field=name,
        value=value,
        hint=f"see the PhysicsConfig docstring for the unit and default of {name}",
    )


def _check_int(cfg: PhysicsConfig, name: str, low: int, high: int) -> None:
    v = getattr(cfg, name)
    if not isinstance(v, int) or isinstance(v, bool) or not low <= v <= high:
        _bad(name, v, f"an int in [{low}, {high}]")


def _check_float(
    cfg: PhysicsConfig, name: str, low: float, high: float, *, low_open: bool = False
) -> None:
    v = getattr(cfg, name)
    ok = _is_real(v) and math.isfinite(v) and (v > low if low_open else v >= low) and v <= high
    if not ok:
        bracket = "(" if low_open else "["
        _bad(name, v, f"a finite number in {bracket}{low}, {high}]")
    object.__setattr__(cfg, name, float(v))
