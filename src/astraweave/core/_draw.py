"""A top-down PNG of a world: tiles, hazards, smoke, points of interest, the paths
characters walked (:class:`Trails`), characters coloured by team with hp bars,
downed and dead markers, a title and a legend. Pillow is imported when drawing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from astraweave.core._components import (
    Explosive,
    Hazard,
    Health,
    Label,
    PointOfInterest,
    Smoke,
    Status,
    Team,
)
from astraweave.core._map import DOOR_CLOSED, DOOR_OPEN, LOW_COVER, WALL, TileMap
from astraweave.core._mission import Mission
from astraweave.ecs import Position, World

if TYPE_CHECKING:
    from PIL import ImageDraw, ImageFont

__all__ = ["TEAM_COLOURS", "Trails", "draw_world"]

TEAM_COLOURS = [(37, 99, 235), (220, 38, 38), (22, 163, 74), (217, 119, 6), (147, 51, 234)]
"""Colour of team 0, 1, 2, ... (cycled)."""

_FLOOR = (236, 232, 220)
_GRID = (222, 217, 203)
_WALL = (55, 60, 70)
_LOW = (166, 124, 82)
_LOW_EDGE = (120, 86, 52)
_DOOR = (139, 90, 43)
_BG = (250, 250, 247)
_INK = (30, 32, 36)


@dataclass
class Trails:
    """What happened where, for the picture: every character's positions over time,
    and every smoke cloud and grenade seen (sampled by :meth:`sample`)."""

    every_ticks: int = 6
    points: dict[int, list[tuple[float, float]]] = field(default_factory=dict)
    smokes: dict[int, tuple[float, float, float]] = field(default_factory=dict)
    blasts: dict[int, tuple[float, float, float]] = field(default_factory=dict)

    def sample(self, world: World, force: bool = False) -> None:
        """Record positions (every ``every_ticks`` ticks, or now when ``force``)."""
        if not force and world.tick % self.every_ticks:
            return
        for chunk in world.query(Team, Position):
            xs, ys = chunk[Position].x, chunk[Position].y
            for e, x, y in zip(chunk.entities.tolist(), xs.tolist(), ys.tolist(), strict=True):
                pts = self.points.setdefault(e, [])
                if not pts or abs(pts[-1][0] - x) + abs(pts[-1][1] - y) > 1e-6:
                    pts.append((x, y))
        for cls, store in ((Smoke, self.smokes), (Explosive, self.blasts)):
            for chunk in world.query(cls, Position):
                radii = chunk[cls].radius_m.tolist()
                xs, ys = chunk[Position].x.tolist(), chunk[Position].y.tolist()
                for e, x, y, r in zip(chunk.entities.tolist(), xs, ys, radii, strict=True):
                    store.setdefault(e, (x, y, r))


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    from PIL import ImageFont

    return ImageFont.load_default(size=size)


def _colour(team: int) -> tuple[int, int, int]:
    return TEAM_COLOURS[team % len(TEAM_COLOURS)] if team >= 0 else (90, 90, 90)


def _tint(c: tuple[int, int, int], k: float) -> tuple[int, int, int]:
    return (
        int(c[0] + (255 - c[0]) * k),
        int(c[1] + (255 - c[1]) * k),
        int(c[2] + (255 - c[2]) * k),
    )


def draw_world(
    world: World,
    path: str | Path,
    *,
    trails: Trails | None = None,
    title: str = "",
    subtitle: str = "",
    cell_px: int = 26,
) -> Path:
    """Draw ``world`` top-down into a PNG at ``path`` (parents created).

    Args:
        world: a world with a :class:`TileMap`.
        path: the PNG to write.
        trails: paths to draw (from :class:`Trails`).
        title / subtitle: text above the map.
        cell_px: pixels per tile (metre).

    Returns:
        The path written.
    """
    from PIL import Image, ImageDraw

    tm = world.resource(TileMap)
    s = cell_px
    header, pad, legend_h = 58, 14, 64
    w_px = tm.width * s + 2 * pad
    h_px = header + tm.height * s + legend_h + 2 * pad
    img = Image.new("RGB", (max(w_px, 760), h_px), _BG)
    over = Image.new("RGBA", img.size, (0, 0, 0, 0))
    d = ImageDraw.Draw(img)
    od = ImageDraw.Draw(over)
    ox, oy = pad, header + pad

    def px(x: float, y: float) -> tuple[float, float]:
        return ox + x * s, oy + y * s

    # tiles
    for cy in range(tm.height):
        for cx in range(tm.width):
            x0, y0 = px(cx, cy)
            box = (x0, y0, x0 + s - 1, y0 + s - 1)
            kind = int(tm.kinds[cy, cx])
            if kind == WALL:
                d.rectangle(box, fill=_WALL)
            elif kind == LOW_COVER:
                d.rectangle(box, fill=_FLOOR)
                d.rectangle((x0 + 3, y0 + 3, x0 + s - 4, y0 + s - 4), fill=_LOW, outline=_LOW_EDGE)
                d.line((x0 + 3, y0 + 3, x0 + s - 4, y0 + s - 4), fill=_LOW_EDGE)
                d.line((x0 + 3, y0 + s - 4, x0 + s - 4, y0 + 3), fill=_LOW_EDGE)
            else:
                d.rectangle(box, fill=_FLOOR, outline=_GRID)
                if kind == DOOR_CLOSED:
                    d.rectangle((x0 + 2, y0 + 2, x0 + s - 3, y0 + s - 3), fill=_DOOR)
                elif kind == DOOR_OPEN:
                    d.rectangle((x0 + 2, y0 + 2, x0 + s - 3, y0 + s - 3), outline=_DOOR, width=2)

    # hazards and smoke (translucent)
    for chunk in world.query(Hazard, Position):
        for x, y, r in zip(
            chunk[Position].x, chunk[Position].y, chunk[Hazard].radius_m, strict=True
        ):
            cx_, cy_ = px(float(x), float(y))
            od.ellipse(
                (cx_ - r * s, cy_ - r * s, cx_ + r * s, cy_ + r * s),
                fill=(255, 90, 54, 90),
                outline=(220, 60, 30, 200),
            )
    for chunk in world.query(Smoke, Position):
        for x, y, r in zip(
            chunk[Position].x, chunk[Position].y, chunk[Smoke].radius_m, strict=True
        ):
            cx_, cy_ = px(float(x), float(y))
            od.ellipse(
                (cx_ - r * s, cy_ - r * s, cx_ + r * s, cy_ + r * s), fill=(150, 155, 160, 150)
            )
    img.paste(over, (0, 0), over)
    d = ImageDraw.Draw(img)
    small = _font(11)

    # points of interest
    for chunk in world.query(PointOfInterest, Position, Label):
        poi = chunk[PointOfInterest]
        for row in range(len(chunk)):
            x, y = float(chunk[Position].x[row]), float(chunk[Position].y[row])
            pkind = str(poi.kind[row])
            cx_, cy_ = px(x, y)
            if pkind == "objective":
                r = s * 0.42
                d.rectangle((cx_ - r, cy_ - r, cx_ + r, cy_ + r), outline=(22, 130, 60), width=3)
                d.line((cx_ - r + 4, cy_, cx_ + r - 4, cy_), fill=(22, 130, 60), width=2)
                d.line((cx_, cy_ - r + 4, cx_, cy_ + r - 4), fill=(22, 130, 60), width=2)
            elif pkind != "door":
                r = s * 0.28
                d.polygon(
                    [(cx_, cy_ - r), (cx_ + r, cy_), (cx_, cy_ + r), (cx_ - r, cy_)],
                    fill=(234, 179, 8),
                    outline=_INK,
                )
            d.text(
                (cx_, cy_ + s * 0.5),
                str(chunk[Label].name[row]),
                fill=_INK,
                font=small,
                anchor="mt",
            )

    # trails
    teams: dict[int, int] = {}
    for chunk in world.query(Team):
        for e, t in zip(chunk.entities.tolist(), chunk[Team].id.tolist(), strict=True):
            teams[e] = t
    if trails is not None:
        for e in sorted(trails.points):
            pts = trails.points[e]
            if len(pts) >= 2:
                colour = _tint(_colour(teams.get(e, -1)), 0.35)
                d.line([px(x, y) for x, y in pts], fill=colour, width=3, joint="curve")
                sx, sy = px(*pts[0])
                d.ellipse((sx - 4, sy - 4, sx + 4, sy + 4), outline=colour, width=2)

    # where smoke hung and grenades went off during the run
    if trails is not None:
        for x, y, r in trails.smokes.values():
            cx_, cy_ = px(x, y)
            d.ellipse(
                (cx_ - r * s, cy_ - r * s, cx_ + r * s, cy_ + r * s),
                outline=(140, 145, 150),
                width=2,
            )
        for x, y, r in trails.blasts.values():
            cx_, cy_ = px(x, y)
            spikes = []
            for j in range(16):
                rad = (r * s * 0.55) if j % 2 else (r * s * 0.25)
                ang = j * np.pi / 8
                spikes.append((cx_ + rad * np.cos(ang), cy_ + rad * np.sin(ang)))
            d.polygon(spikes, outline=(234, 88, 12), width=2)

    # explosives in flight
    for chunk in world.query(Explosive, Position):
        for x, y in zip(chunk[Position].x, chunk[Position].y, strict=True):
            cx_, cy_ = px(float(x), float(y))
            d.ellipse((cx_ - 4, cy_ - 4, cx_ + 4, cy_ + 4), fill=_INK)

    # characters
    font = _font(12)
    initials = _font(11)
    placed: list[tuple[float, float, float, float]] = []

    def label(cx_: float, cy_: float, r: float, text: str, fill: tuple[int, int, int]) -> None:
        w = d.textlength(text, font=font)
        for dx, dy, anchor in (
            (0, -r - 2, "mb"),
            (0, r + 9, "mt"),
            (r + 3, 0, "lm"),
            (-r - 3, 0, "rm"),
        ):
            x0 = cx_ + dx - (w / 2 if anchor in ("mb", "mt") else (w if anchor == "rm" else 0))
            y0 = cy_ + dy - (13 if anchor == "mb" else (0 if anchor == "mt" else 7))
            box = (x0, y0, x0 + w, y0 + 13)
            if not any(
                box[0] < b[2] and b[0] < box[2] and box[1] < b[3] and b[1] < box[3] for b in placed
            ):
                placed.append(box)
                d.text((cx_ + dx, cy_ + dy), text, fill=fill, font=font, anchor=anchor)
                return
        d.text((cx_, cy_ - r - 2), text, fill=fill, font=font, anchor="mb")

    for chunk in world.query(Team, Position, Health, Status):
        st, h = chunk[Status], chunk[Health]
        labels = chunk.get(Label)
        for row in range(len(chunk)):
            e = int(chunk.entities[row])
            x, y = float(chunk[Position].x[row]), float(chunk[Position].y[row])
            cx_, cy_ = px(x, y)
            colour = _colour(int(chunk[Team].id[row]))
            r = s * 0.36
            name = str(labels.name[row]) if labels is not None else f"#{e}"
            if st.dead[row]:
                k = r * 0.8
                d.line((cx_ - k, cy_ - k, cx_ + k, cy_ + k), fill=(120, 20, 20), width=4)
                d.line((cx_ - k, cy_ + k, cx_ + k, cy_ - k), fill=(120, 20, 20), width=4)
                label(cx_, cy_, r, name, (120, 20, 20))
                continue
            if st.downed[row]:
                d.ellipse((cx_ - r, cy_ - r, cx_ + r, cy_ + r), outline=colour, width=3)
                d.line((cx_ - r * 0.5, cy_, cx_ + r * 0.5, cy_), fill=colour, width=3)
                d.line((cx_, cy_ - r * 0.5, cx_, cy_ + r * 0.5), fill=colour, width=3)
            else:
                d.ellipse((cx_ - r, cy_ - r, cx_ + r, cy_ + r), fill=colour, outline=_INK, width=2)
                d.text(
                    (cx_, cy_), name[:1].upper(), fill=(255, 255, 255), font=initials, anchor="mm"
                )
            frac = float(np.clip(h.hp[row] / max(h.max_hp[row], 1e-9), 0.0, 1.0))
            bw = s * 0.9
            bx, by = cx_ - bw / 2, cy_ + r + 3
            d.rectangle((bx, by, bx + bw, by + 4), fill=(200, 200, 200))
            bar = (34, 197, 94) if frac > 0.5 else ((234, 179, 8) if frac > 0.25 else (220, 38, 38))
            d.rectangle((bx, by, bx + bw * frac, by + 4), fill=bar)
            label(cx_, cy_, r, name, _INK)

    # title
    d.text((pad, 10), title, fill=_INK, font=_font(20))
    d.text((pad, 36), subtitle, fill=(80, 84, 90), font=_font(13))
    _legend(d, world, pad, oy + tm.height * s + 14, small, img.size[0] - 2 * pad)
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    img.save(out, format="PNG")
    return out


def _legend(d: ImageDraw.ImageDraw, world: World, x: int, y: int, font: Any, width: int) -> None:
    items: list[tuple[str, str, tuple[int, int, int]]] = [
        ("wall", "box", _WALL),
        ("low cover", "box", _LOW),
        ("door", "box", _DOOR),
        ("objective", "frame", (22, 130, 60)),
        ("smoke", "disc", (150, 155, 160)),
        ("smoke (past)", "ring", (140, 145, 150)),
        ("grenade blast", "star", (234, 88, 12)),
        ("hazard", "disc", (255, 120, 90)),
        ("path", "line", (130, 150, 200)),
        ("downed", "ring", (90, 90, 90)),
        ("dead", "cross", (120, 20, 20)),
    ]
    mission = world.try_resource(Mission)
    teams = sorted((mission.teams if mission is not None else {}).items(), key=lambda kv: kv[1])
    for name, tid in teams:
        items.insert(0, (f"team {name}", "dot", _colour(tid)))
    cx, cy = x, y
    for label, shape, colour in items:
        box = (cx, cy, cx + 14, cy + 14)
        if shape == "box":
            d.rectangle(box, fill=colour)
        elif shape == "frame":
            d.rectangle(box, outline=colour, width=3)
        elif shape in ("disc", "dot"):
            d.ellipse(box, fill=colour, outline=_INK if shape == "dot" else None)
        elif shape == "line":
            d.line((cx, cy + 7, cx + 14, cy + 7), fill=colour, width=3)
        elif shape == "ring":
            d.ellipse(box, outline=colour, width=2)
        elif shape == "star":
            d.polygon(
                [
                    (cx + 7, cy),
                    (cx + 9, cy + 5),
                    (cx + 14, cy + 7),
                    (cx + 9, cy + 9),
                    (cx + 7, cy + 14),
                    (cx + 5, cy + 9),
                    (cx, cy + 7),
                    (cx + 5, cy + 5),
                ],
                outline=colour,
                width=2,
            )
        else:
            d.line((cx, cy, cx + 14, cy + 14), fill=colour, width=3)
            d.line((cx, cy + 14, cx + 14, cy), fill=colour, width=3)
        d.text((cx + 20, cy + 7), label, fill=_INK, font=font, anchor="lm")
        cx += 20 + int(d.textlength(label, font=font)) + 18
        nxt = items.index((label, shape, colour)) + 1
        if nxt < len(items) and cx + 40 + int(d.textlength(items[nxt][0], font=font)) > x + width:
            cx, cy = x, cy + 22
