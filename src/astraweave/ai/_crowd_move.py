"""Vectorised kinematic crowd movement: steering, density separation, wall sliding.

One call of each function handles every agent with numpy, no loop over agents:

1. **Steering** (:func:`steer`): agents that walk (``MOVE``/``RETREAT``) head for their
   destination at their speed and slow down to land on it; the others stand.
2. **Separation** (:class:`DensityField`): agents are counted per 1 m tile (a count
   sits at the tile's centre), plus ``wall_density`` on blocked tiles and outside the
   map. Each agent is pushed down the gradient of that field, read at its position by
   bilinear interpolation between tile centres, *minus its own count's share* (found
   in closed form from which corner of the interpolation cell its own tile is), at
   ``gain`` m/s per unit of gradient: agents move away from neighbours in their own
   and the adjacent tiles, and off walls. Positions are read as float32 here (a push,
   not a rule).
3. **Speed limit and walls** (:func:`move_agents`): the sum is clamped to each agent's
   limit; a step into another tile is taken only when that tile and both tiles at
   the axis-aligned corners are walkable (no corner cutting, like the path search),
   otherwise the agent slides along one axis, or stays. Tiles come from the float64
   positions, exactly, so an agent never stands in a wall.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from astraweave.errors import PlannerError

__all__ = ["DensityField", "move_agents", "steer"]

F32 = npt.NDArray[np.float32]
F64 = npt.NDArray[np.float64]
Bool = npt.NDArray[np.bool_]
IntP = npt.NDArray[np.intp]


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
        >>> x = np.array([1.4, 1.6], np.float32); y = np.array([1.5, 1.5], np.float32)
        >>> field.update(x, y)
        >>> px, py = field.push(x, y, gain=1.0)
        >>> bool(px[0] < 0 < px[1])  # pushed apart along x
        True
    """

    def __init__(self, walkable: npt.ArrayLike, *, wall_density: float = 2.0) -> None:
        mask = np.asarray(walkable)
        if mask.dtype != np.bool_ or mask.ndim != 2 or 0 in mask.shape:
            raise PlannerError(
                f"walkable must be a non-empty 2-D boolean array, got {mask.dtype} {mask.shape}",
                planner="crowd",
            )
        self.height, self.width = int(mask.shape[0]), int(mask.shape[1])
        self.row = self.width + 2
        pad = np.zeros((self.height + 2, self.row), dtype=np.bool_)
        pad[1:-1, 1:-1] = mask
        self.static = np.where(pad.ravel(), 0.0, float(wall_density)).astype(np.float32)
        self.field = self.static.copy()

    def update(self, x: F32 | F64, y: F32 | F64) -> None:
        """Recount agents per tile from their positions (metres, on the map)."""
        ix = np.asarray(x).astype(np.intp)
        iy = np.asarray(y).astype(np.intp)
        iy += 1
        iy *= self.row
        iy += ix
        iy += 1
        counts = np.bincount(iy, minlength=len(self.static))
        np.add(counts, self.static, out=self.field, casting="unsafe")

    def push(self, x: F32, y: F32, gain: float) -> tuple[F32, F32]:
        """The separation velocity (m/s) of each agent: ``-gain`` times the gradient of
        the others' density (see the module docstring).

        Call :meth:`update` first, with the same positions, to count the agents.

        Args:
            x, y: positions (float32 metres).
            gain: metres per second per unit of density gradient.
        """
        half = np.float32(0.5)
        u = x + half
        v = y + half
        base = v.astype(np.intp)
        base *= self.row
        base += u.astype(np.intp)
        u -= np.floor(u)
        v -= np.floor(v)
        ex, r = self.field, self.row
        c00 = ex.take(base)
        c10 = ex[1:].take(base)
        c01 = ex[r:].take(base)
        c11 = ex[r + 1 :].take(base)
        # d/dx = (1 - v) (c10 - c00) + v (c11 - c01); d/dy = (1 - u) (c01 - c00) + u (c11 - c10)
        gx = c11 - c01
        c10 -= c00
        gx -= c10
        gx *= v
        gx += c10
        gy = c11 - c10  # c10 now holds c10 - c00: c11 - c10_orig = c11 - c00 - (c10 - c00)
        gy -= c00
        c01 -= c00
        gy -= c01
        gy *= u
        gy += c01
        # the agent's own count sits on the corner of its own tile: corner i = 1 (the
        # right-hand nodes) when u >= 1/2, j = 1 when v >= 1/2. The gradient of that
        # corner's weight is ((2i - 1) * max(v, 1 - v), (2j - 1) * max(u, 1 - u)),
        # where max(v, 1 - v) = 1/2 + |v - 1/2| and 2i - 1 is the sign of u - 1/2.
        u -= half
        v -= half
        w = np.abs(v)
        w += half
        np.copysign(w, u, out=w)
        gx -= w
        np.abs(u, out=w)
        w += half
        np.copysign(w, v, out=w)
        gy -= w
        g = np.float32(-gain)
        gx *= g
        gy *= g
        return gx, gy


def steer(
    x: F64,
    y: F64,
    dest_x: F64,
    dest_y: F64,
    walking: Bool,
    speed: F32,
    dt: float,
) -> tuple[F32, F32]:
    """Desired velocities (m/s): walkers head for their destination at ``speed``,
    slowing to land on it within the step; the others stand still."""
    dx = np.subtract(dest_x, x).astype(np.float32)
    dy = np.subtract(dest_y, y).astype(np.float32)
    dist = dx * dx
    dist += dy * dy
    np.sqrt(dist, out=dist)
    gain = dist * np.float32(1.0 / dt)
    np.minimum(gain, speed, out=gain)
    np.maximum(dist, np.float32(1e-6), out=dist)
    gain /= dist
    gain *= walking
    dx *= gain
    dy *= gain
    return dx, dy


def move_agents(
    x: F64,
    y: F64,
    vx: F32,
    vy: F32,
    limit: F32,
    walk_flat: Bool,
    row: int,
    dt: float,
    out_x: F64,
    out_y: F64,
) -> tuple[F32, F32]:
    """Move every agent one step and return the velocities used (m/s).

    Args:
        x, y: positions (metres, float64, on walkable tiles).
        vx, vy: wanted velocities (steering plus separation), modified in place.
        limit: each agent's speed limit (m/s).
        walk_flat: the padded walkable grid, flattened (``(H + 2) * (W + 2)``).
        row: the padded grid's row length (``W + 2``).
        dt: time step in seconds.
        out_x, out_y: where the new positions go (may be ``x`` and ``y``).

    Returns:
        ``(vx, vy)``: the velocity each agent moved with (0 along a blocked axis).
    """
    s2 = vx * vx
    s2 += vy * vy
    lim2 = limit * limit
    over = np.flatnonzero(s2 > lim2)
    if len(over):
        scale = np.sqrt(lim2[over] / s2[over])
        vx[over] *= scale
        vy[over] *= scale
    fdt = np.float32(dt)
    # padded tile coordinates (floor + 1); positions stay above -1 within one step
    ox = x.astype(np.intp)
    oy = y.astype(np.intp)
    ox += 1
    oy += 1
    ch_x = x.copy() if np.shares_memory(x, out_x) else x
    ch_y = y.copy() if np.shares_memory(y, out_y) else y
    np.add(x, vx * fdt, out=out_x)
    np.add(y, vy * fdt, out=out_y)
    px = np.add(out_x, 1.0).astype(np.intp)
    py = np.add(out_y, 1.0).astype(np.intp)
    changed = px != ox
    changed |= py != oy
    ch = np.flatnonzero(changed)
    if len(ch):
        cox, coy, cpx, cpy = ox[ch], oy[ch], px[ch], py[ch]
        along_x = walk_flat[coy * row + cpx]  # the tile of a move along x only
        along_y = walk_flat[cpy * row + cox]  # the tile of a move along y only
        full = walk_flat[cpy * row + cpx] & along_x & along_y
        take_y = full | (~along_x & along_y)
        no_x = ch[~along_x]
        no_y = ch[~take_y]
        out_x[no_x] = ch_x[no_x]
        out_y[no_y] = ch_y[no_y]
        vx[no_x] = 0.0
        vy[no_y] = 0.0
    return vx, vy
