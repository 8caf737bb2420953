"""Vectorised kinematic crowd movement: steering, density separation, wall sliding.

One call moves every agent one fixed step, with numpy over the whole crowd:

1. **Steering**: agents that walk (``MOVE``/``RETREAT``) head for their destination
   at ``speed_mps`` and slow down to land on it; the others stand.
2. **Separation**: the :class:`DensityField` counts agents per 1 m tile; each tile's
   *excess* is ``max(count - 1, 0)`` (one agent per square metre is not crowding)
   plus ``wall_density`` on blocked tiles and outside the map. Agents are pushed
   down the gradient of the excess, read at their position by bilinear
   interpolation between tile centres, at ``separation_mps`` per unit of gradient.
   The push spreads crowded agents apart and keeps them off walls.
3. **Speed limit**: the sum is clamped to ``max_speed_mps``.
4. **Walls**: a step is taken only when the destination tile and both tiles of the
   axis-aligned corners are walkable (no corner cutting, like the path search);
   otherwise the agent slides along one axis, or stays.

Positions never leave walkable tiles, so every position stays on the map.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from astraweave.errors import PlannerError

__all__ = ["DensityField", "move_agents"]

F32 = npt.NDArray[np.float32]
F64 = npt.NDArray[np.float64]
Bool = npt.NDArray[np.bool_]
IntP = npt.NDArray[np.intp]


def _padded(mask: Bool) -> Bool:
    out = np.zeros((mask.shape[0] + 2, mask.shape[1] + 2), dtype=np.bool_)
    out[1:-1, 1:-1] = mask
    return out


def padded_tile(x: F64, y: F64, row: int) -> IntP:
    """Flat index into a 1-tile padded ``(H + 2, W + 2)`` grid of each position
    (``x, y > -1``; the padding ring lies outside the map)."""
    ix = np.add(x, 1.0).astype(np.intp)
    iy = np.add(y, 1.0).astype(np.intp)
    iy *= row
    iy += ix
    return iy


class DensityField:
    """Agents per tile and the separation push derived from it.

    Args:
        walkable: ``(H, W)`` booleans, indexed ``[y, x]``, True where agents may stand.
        wall_density: excess density of blocked tiles and of the outside (default 2.0).

    Raises:
        PlannerError: ``walkable`` is not a non-empty 2-D boolean array.

    Example:
        >>> import numpy as np
        >>> field = DensityField(np.ones((4, 4), dtype=bool))
        >>> x = np.array([1.4, 1.6]); y = np.array([1.5, 1.5])
        >>> px, py = field.push(x, y, gain=1.0)
        >>> bool(px[0] < 0 < px[1]), float(py[0]) == 0.0
        (True, True)
    """

    def __init__(self, walkable: npt.ArrayLike, *, wall_density: float = 2.0) -> None:
        mask = np.asarray(walkable)
        if mask.dtype != np.bool_ or mask.ndim != 2 or 0 in mask.shape:
            raise PlannerError(
                f"walkable must be a non-empty 2-D boolean array, got {mask.dtype} {mask.shape}"
            )
        self.height, self.width = int(mask.shape[0]), int(mask.shape[1])
        self.row = self.width + 2
        self.walk_flat = _padded(mask).ravel()
        self.static = np.where(self.walk_flat, 0.0, float(wall_density)).astype(np.float32)
        self.excess = self.static.copy()

    def update(self, x: F64, y: F64) -> None:
        """Recount agents per tile from their positions (metres, on the map)."""
        tiles = padded_tile(x, y, self.row)
        counts = np.bincount(tiles, minlength=len(self.static)).astype(np.float32)
        counts -= np.float32(1.0)
        np.maximum(counts, np.float32(0.0), out=counts)
        np.add(counts, self.static, out=self.excess)

    def push(self, x: F64, y: F64, gain: float) -> tuple[F32, F32]:
        """The separation velocity (m/s) of each agent: ``-gain * grad(excess)``.

        Call :meth:`update` first (with the same positions) to count the agents.
        """
        u = np.add(x, 0.5, dtype=np.float64)
        v = np.add(y, 0.5, dtype=np.float64)
        i0 = u.astype(np.intp)
        j0 = v.astype(np.intp)
        fu = (u - i0).astype(np.float32)
        fv = (v - j0).astype(np.float32)
        base = j0 * self.row
        base += i0
        ex = self.excess
        c00 = ex[base]
        c10 = ex[base + 1]
        base += self.row
        c01 = ex[base]
        c11 = ex[base + 1]
        # d/dx: (1 - fv) (c10 - c00) + fv (c11 - c01); d/dy likewise.
        a = c10 - c00
        b = c11 - c01
        b -= a
        b *= fv
        a += b
        c = c01 - c00
        d = c11 - c10
        d -= c
        d *= fu
        c += d
        g = np.float32(-gain)
        a *= g
        c *= g
        return a, c


def move_agents(
    x: F64,
    y: F64,
    want_x: F32,
    want_y: F32,
    push_x: F32,
    push_y: F32,
    walk_flat: Bool,
    row: int,
    *,
    max_speed_mps: float,
    dt: float,
) -> tuple[F32, F32]:
    """Move every agent one step, in place, and return the velocities used (m/s).

    Args:
        x, y: positions (metres, float64), updated in place.
        want_x, want_y: desired velocities from steering (m/s).
        push_x, push_y: separation velocities (m/s).
        walk_flat: the padded walkable grid, flattened (see :class:`DensityField`).
        row: the padded grid's row length (``width + 2``).
        max_speed_mps: speed limit of the sum.
        dt: time step in seconds.

    Returns:
        ``(vx, vy)``: the velocity each agent actually moved with (0 where blocked).
    """
    vx = np.add(want_x, push_x)
    vy = np.add(want_y, push_y)
    s2 = vx * vx
    s2 += vy * vy
    lim = np.float32(max_speed_mps * max_speed_mps)
    fast = s2 > lim
    if fast.any():
        scale = np.sqrt(lim / s2[fast])
        vx[fast] *= scale
        vy[fast] *= scale
    fdt = np.float32(dt)
    nx = x + vx * fdt
    ny = y + vy * fdt
    old = padded_tile(x, y, row)
    new = padded_tile(nx, ny, row)
    ox = old % row
    nxx = new % row
    oy = old - ox
    nyy = new - nxx
    # full step: new tile and both corner tiles walkable (no corner cutting)
    keep_x = walk_flat[oy + nxx]  # moving along x only
    keep_y = walk_flat[nyy + ox]  # moving along y only
    full = walk_flat[new] & keep_x & keep_y
    slide_x = ~full & keep_x
    slide_y = ~full & ~keep_x & keep_y
    take_x = full | slide_x
    take_y = full | slide_y
    np.copyto(x, nx, where=take_x)
    np.copyto(y, ny, where=take_y)
    vx[~take_x] = 0.0
    vy[~take_y] = 0.0
    return vx, vy


def check_walkable(walkable: npt.ArrayLike) -> Bool:
    """``walkable`` as a 2-D boolean array.

    Raises:
        PlannerError: it is not one.
    """
    mask = np.asarray(walkable)
    if mask.dtype != np.bool_ or mask.ndim != 2 or 0 in mask.shape:
        raise PlannerError(
            f"walkable must be a non-empty 2-D boolean array, got {mask.dtype} {mask.shape}"
        )
    return mask
