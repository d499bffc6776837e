"""Unit outlines on a building's floor plan: saved once by the park manager, then the plan is drawn as SVG with each
unit coloured by its status (clickable in the browser, the offered unit highlighted in a pack)."""
from __future__ import annotations

import io
import json
from collections import defaultdict
from functools import lru_cache
from typing import Any

from flask_babel import gettext as _
from markupsafe import Markup, escape
from PIL import Image, ImageDraw
from sqlalchemy import select

from crm.core.access import scoped
from crm.core.labels import unit_status_label
from crm.core.rules import RuleError
from crm.db import db, utcnow
from crm.platforms.maps import FONT
from crm.platforms.media import media_folder, print_data_uri, store
from crm.platforms.models import UNIT_STATUSES, Building, MediaFile, Unit, UnitOutline, UnitStatus

MAX_POINTS = 200
PRINT_MAX_PX = 1200  # longest side of a floor plan embedded in a pack
STATUS_FILL = {UnitStatus.VACANT: '#52c41a', UnitStatus.PROMISED: '#faad14', UnitStatus.LET: '#597ef7',
               UnitStatus.FITTING_OUT: '#b37feb', UnitStatus.LOCKED: '#8c8c8c'}
HIGHLIGHT = '#d4380d'


class OutlineError(RuleError):
    """The outline cannot be saved; the message says why (`field`: the drawn points, when they are at fault)."""


@lru_cache(maxsize=256)
def _size_of(stored_name: str, folder: str) -> tuple[int, int]:
    with Image.open(f'{folder}/{stored_name}') as image:
        return image.size


def image_size(media: MediaFile) -> tuple[int, int]:
    """(width, height) in pixels of a stored image (files never change under their random name, so it is cached)."""
    try:
        return _size_of(media.stored_name, str(media_folder()))
    except (OSError, ValueError):
        return (0, 0)


def parse_points(raw: str, size: tuple[int, int]) -> list[list[float]]:
    """The polygon posted by the drawing page (JSON [[x, y], …] in image pixels), checked: at least three distinct
    corners, at most MAX_POINTS, every corner inside the image."""
    try:
        data = json.loads(raw or '')
    except ValueError:
        raise OutlineError(_('The outline cannot be read; draw it again'), field='points') from None
    if not isinstance(data, list) or not all(isinstance(p, list) and len(p) == 2 and
                                             all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in p)
                                             for p in data):
        raise OutlineError(_('The outline cannot be read; draw it again'), field='points')
    points = [[round(float(x), 1), round(float(y), 1)] for x, y in data]
    if len({tuple(p) for p in points}) < 3:
        raise OutlineError(_('An outline needs at least 3 different points'), field='points')
    if len(points) > MAX_POINTS:
        raise OutlineError(_('An outline has at most %(count)s points; simplify it and save again', count=MAX_POINTS),
                           field='points')
    width, height = size
    if not width or not height:
        raise OutlineError(_('The floor plan file cannot be read, so no outline can be drawn'))
    if any(not (0 <= x <= width and 0 <= y <= height) for x, y in points):
        raise OutlineError(_('The outline\'s points must lie within the floor plan (%(width)s×%(height)s pixels)', width=width, height=height),
                           field='points')
    if abs(_area(points)) < 1:
        raise OutlineError(_('The outline has no area (its points lie on a line); draw it again'), field='points')
    return points


def _num(value) -> str:
    """800.00 → 800, 85.50 → 85.5."""
    return f'{value.normalize():f}' if hasattr(value, 'normalize') else f'{value:g}'


def _area(points: list[list[float]]) -> float:
    return sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in zip(points, points[1:] + points[:1])) / 2


def save_outline(media: MediaFile, unit: Unit, points: list[list[float]], *, actor_id: int | None) -> UnitOutline:
    """Create or replace the unit's outline on this plan (flushes; the request commits)."""
    outline = db.session.scalar(select(UnitOutline).where(UnitOutline.media_id == media.id,
                                                          UnitOutline.unit_id == unit.id))
    if outline is None:
        outline = UnitOutline(media_id=media.id, unit_id=unit.id, platform_id=unit.platform_id)
        db.session.add(outline)
    outline.points, outline.updated_by_id, outline.updated_at = points, actor_id, utcnow()
    db.session.flush()
    return outline


def remove_outline(outline: UnitOutline) -> None:
    db.session.delete(outline)
    db.session.flush()


def outlines_of(media: MediaFile, user: Any = None) -> list[UnitOutline]:
    return list(db.session.scalars(scoped(select(UnitOutline), UnitOutline, user)
                                   .where(UnitOutline.media_id == media.id).order_by(UnitOutline.id)))


def _label(x: float, y: float, text: str, size: float, fill: str) -> str:
    """A centred bold unit number (no halo: the shapes are light, and each extra text node costs PDF time)."""
    return (f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size:.1f}" text-anchor="middle" font-weight="bold" '
            f'fill="{fill}">{escape(text)}</text>')


def plan_for_unit(unit: Unit, user: Any = None) -> MediaFile | None:
    """The floor plan on which the unit's outline is drawn (the newest, when it is drawn on several)."""
    return db.session.scalar(scoped(select(MediaFile), MediaFile, user).join(
        UnitOutline, UnitOutline.media_id == MediaFile.id).where(UnitOutline.unit_id == unit.id)
        .order_by(MediaFile.id.desc()).limit(1))


def site_plan_svg(media: MediaFile, *, user: Any = None, highlight_unit_id: int | None = None,
                  image_href: str | None = None, unit_href=None) -> Markup:
    """The floor plan with every drawn unit coloured by status and numbered, a legend below.

    `image_href`: the image's URL (browser); None embeds it downscaled as a data: URI (PDF). `unit_href(unit)`: the
    link of each unit's shape (browser), or None. `highlight_unit_id`: the offered unit, outlined in red and named
    below the plan; the others are drawn faded."""
    width, height = image_size(media)
    if not width or not height:
        return Markup('')
    outlines = outlines_of(media, user)
    href = image_href or print_data_uri(media_folder() / media.stored_name, PRINT_MAX_PX)
    if not href:
        return Markup('')
    unit_px = max(width, height) / 100  # one hundredth of the plan: line widths and text follow the image's size
    band = unit_px * 6
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" class="site-plan" '
           f'viewBox="0 0 {width} {height + band:.0f}" width="100%" role="img" font-family="{FONT}" '
           f'data-width="{width}" data-height="{height}">',
           f'<rect width="{width}" height="{height + band:.0f}" fill="#fff"/>',
           f'<image href="{escape(href)}" xlink:href="{escape(href)}" x="0" y="0" width="{width}" height="{height}" '
           f'preserveAspectRatio="none"/>']
    highlighted = None
    for outline in outlines:
        unit = outline.unit
        colour = STATUS_FILL.get(unit.status, '#8c8c8c')
        chosen = unit.id == highlight_unit_id
        if chosen:
            highlighted = unit
        faded = highlight_unit_id is not None and not chosen
        points = ' '.join(f'{x:g},{y:g}' for x, y in outline.points)
        cx = sum(p[0] for p in outline.points) / len(outline.points)
        cy = sum(p[1] for p in outline.points) / len(outline.points)
        stroke, stroke_width = (HIGHLIGHT, unit_px * 0.8) if chosen else (colour, unit_px * 0.3)
        opacity = 0.18 if faded else 0.5
        shape = (f'<polygon class="unit-outline{" highlighted" if chosen else ""}" data-unit="{escape(unit.number)}" '
                 f'data-status="{escape(unit.status)}" points="{points}" fill="{colour}" fill-opacity="{opacity}" '
                 f'stroke="{stroke}" stroke-width="{stroke_width:.1f}" stroke-linejoin="round">'
                 f'<title>{escape(unit.number)} · {escape(unit_status_label(unit.status))} · {_num(unit.area_gross)} ㎡</title></polygon>'
                 + _label(cx, cy + unit_px * 0.7, unit.number, unit_px * (2.6 if chosen else 2),
                          HIGHLIGHT if chosen else '#262626'))
        link = unit_href(unit) if unit_href else None
        out.append(f'<a href="{escape(link)}">{shape}</a>' if link else shape)
    y = height + band * 0.62
    size = unit_px * 2.2
    if highlighted is not None:
        caption = _('Unit %(number)s, floor %(floor)s, %(area)s ㎡ (outlined in red)', number=highlighted.number,
                    floor=highlighted.floor, area=_num(highlighted.area_gross))
        out.append(f'<text x="{unit_px}" y="{y:.1f}" font-size="{size:.1f}" fill="{HIGHLIGHT}" font-weight="bold">'
                   f'{escape(caption)}</text>')
    else:
        x = unit_px
        for status in UNIT_STATUSES:
            label = unit_status_label(status)
            out.append(f'<rect x="{x:.1f}" y="{y - size * 0.8:.1f}" width="{size:.1f}" height="{size * 0.8:.1f}" '
                       f'fill="{STATUS_FILL[status]}" fill-opacity="0.6"/>'
                       f'<text x="{x + size * 1.3:.1f}" y="{y:.1f}" font-size="{size:.1f}" fill="#262626">'
                       f'{escape(label)}</text>')
            x += size * (1.3 + sum(1 if ord(c) > 0x2e80 else 0.6 for c in label) + 1.2)
    out.append('</svg>')
    return Markup(''.join(out))


def pack_site_plans(units: list[dict], user: Any = None) -> dict[int, Markup]:
    """{unit id: the plan with that unit highlighted} for a pack's offered units whose outline is drawn."""
    result: dict[int, Markup] = {}
    for row in units:
        unit = db.session.get(Unit, row['id'])
        plan = plan_for_unit(unit, user) if unit is not None else None
        if plan is not None:
            result[row['id']] = site_plan_svg(plan, user=user, highlight_unit_id=unit.id)
    return result


# --- demo floor plans -----------------------------------------------------------------------------------------------

DEMO_PLAN_SIZE = (1200, 800)
DEMO_SLOTS = 6  # demo units are numbered floor + slot (101 … 106, 201 …), three north of the corridor, three south


def _demo_rooms() -> dict[int, tuple[int, int, int, int]]:
    """{slot: (left, top, right, bottom)} of the rooms on the demo typical floor, in image pixels: three north of the
    corridor, three south, between the two cores (stairs, lift, toilets) at the ends."""
    width, height = DEMO_PLAN_SIZE
    left, right, top, bottom = 160, width - 160, 40, height - 40
    corridor = (height // 2 - 35, height // 2 + 35)
    xs = [left + (right - left) * i // 3 for i in range(4)]
    rooms = {}
    for i in range(3):
        rooms[i + 1] = (xs[i], top, xs[i + 1], corridor[0])
        rooms[i + 4] = (xs[i], corridor[1], xs[i + 1], bottom)
    return rooms


@lru_cache(maxsize=1)
def demo_plan_png() -> bytes:
    """The demo buildings' floor plan, drawn as a line drawing: outer walls with windows, six rooms on a corridor
    with their doors, a core at each end (stairs, lift), a north arrow and a scale bar."""

    width, height = DEMO_PLAN_SIZE
    image = Image.new('RGB', DEMO_PLAN_SIZE, 'white')
    draw = ImageDraw.Draw(image)
    wall, ink, light = 10, (40, 40, 40), (150, 150, 150)
    rooms = _demo_rooms()
    for x0 in (40, width - 160):  # the cores: stairs and a lift
        draw.rectangle([x0, 40, x0 + 120, height - 40], fill=(238, 238, 238), outline=ink, width=4)
        for y in range(70, 330, 16):
            draw.line([x0 + 10, y, x0 + 110, y], fill=light, width=2)
        draw.rectangle([x0 + 20, height - 300, x0 + 100, height - 180], outline=ink, width=3)
        draw.line([x0 + 20, height - 300, x0 + 100, height - 180], fill=light, width=2)
        draw.line([x0 + 100, height - 300, x0 + 20, height - 180], fill=light, width=2)
    for slot, (x0, y0, x1, y1) in rooms.items():
        draw.rectangle([x0, y0, x1, y1], outline=ink, width=4)
        hinge = (x0 + x1) // 2 - 30
        if slot <= 3:  # doors open from the corridor into the rooms
            draw.line([hinge, y1, hinge + 60, y1], fill='white', width=6)
            draw.line([hinge, y1, hinge, y1 - 60], fill=ink, width=2)
            draw.arc([hinge - 60, y1 - 60, hinge + 60, y1 + 60], 270, 360, fill=light, width=2)
        else:
            draw.line([hinge, y0, hinge + 60, y0], fill='white', width=6)
            draw.line([hinge, y0, hinge, y0 + 60], fill=ink, width=2)
            draw.arc([hinge - 60, y0 - 60, hinge + 60, y0 + 60], 0, 90, fill=light, width=2)
    draw.rectangle([40, 40, width - 40, height - 40], outline=ink, width=wall)
    for x0, _y0, x1, _y1 in rooms.values():  # windows in the outer walls
        for y in (40, height - 40):
            draw.line([x0 + 50, y, x1 - 50, y], fill='white', width=wall - 4)
            draw.line([x0 + 50, y, x1 - 50, y], fill=light, width=2)
    draw.polygon([(width - 70, 8), (width - 78, 32), (width - 62, 32)], fill=ink)  # north arrow
    draw.line([60, height - 16, 260, height - 16], fill=ink, width=3)  # scale bar
    for x in (60, 160, 260):
        draw.line([x, height - 24, x, height - 8], fill=ink, width=3)
    out = io.BytesIO()
    image.save(out, 'PNG', optimize=True)
    return out.getvalue()


def demo_floor_plans() -> dict[str, int]:
    """A floor plan per floor of each demo building, with the outline of every demo unit on it drawn (the park
    manager's work done once), so the 租控表 shows as a coloured plan and a demo pack prints its unit outlined.
    Buildings that have a floor plan already are left alone."""

    have_plans = set(db.session.scalars(select(MediaFile.building_id).where(MediaFile.kind == 'floor_plan')))
    rooms = _demo_rooms()
    plans = outlines = 0
    for building in db.session.scalars(select(Building).where(Building.is_demo.is_(True)).order_by(Building.id)):
        if building.id in have_plans:
            continue
        floors: dict[int, list[Unit]] = defaultdict(list)
        for unit in db.session.scalars(select(Unit).where(Unit.building_id == building.id, Unit.is_demo.is_(True))
                                       .order_by(Unit.floor, Unit.number)):
            slot = int(unit.number[-2:]) if unit.number[-2:].isdigit() else 0
            if 1 <= slot <= DEMO_SLOTS:
                floors[unit.floor].append(unit)
        for floor, units in sorted(floors.items()):
            media = store(demo_plan_png(), f'{floor}层平面图.png', building=building, unit=None, kind='floor_plan',
                          actor_id=None)
            plans += 1
            for unit in units:
                x0, y0, x1, y1 = rooms[int(unit.number[-2:])]
                inset = 7
                save_outline(media, unit, [[x0 + inset, y0 + inset], [x1 - inset, y0 + inset],
                                           [x1 - inset, y1 - inset], [x0 + inset, y1 - inset]], actor_id=None)
                outlines += 1
    return {'demo_floor_plans': plans, 'demo_unit_outlines': outlines}
