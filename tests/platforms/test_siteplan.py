"""Unit outlines on a floor plan: drawn by the platform's park manager, checked against the image, shown as the
plan coloured by status, and printed in a pack with the offered unit highlighted."""
import io
import json
import re
import subprocess
from decimal import Decimal

from sqlalchemy import func, select, update

from crm.leads.models import Lead
from crm.platforms.models import MediaFile, Platform, UnitOutline
from tests.conftest import csrf_from

SQUARE = [[20, 20], [180, 20], [180, 140], [20, 140]]


def plan_png(width: int = 400, height: int = 300) -> bytes:
    """A floor plan drawing: white, a frame and two rooms."""
    from PIL import Image, ImageDraw

    image = Image.new('RGB', (width, height), 'white')
    draw = ImageDraw.Draw(image)
    draw.rectangle([5, 5, width - 6, height - 6], outline='black', width=3)
    draw.line([width // 2, 5, width // 2, height - 6], fill='black', width=2)
    out = io.BytesIO()
    image.save(out, 'PNG')
    return out.getvalue()


def _plan(app, building, name='plan.png', data=None) -> int:
    with app.test_request_context():
        from crm.db import db
        from crm.platforms.media import store
        from crm.platforms.models import Building

        media = store(data or plan_png(), name, building=db.session.get(Building, building.id), unit=None,
                      kind='floor_plan', actor_id=None)
        db.session.commit()
        return media.id


def _save(client, media_id, unit_id, points, *, token=None):
    token = token or csrf_from(client.get(f'/platforms/plans/{media_id}').data)
    return client.post(f'/platforms/plans/{media_id}/outlines',
                       data={'csrf_token': token, 'unit_id': str(unit_id), 'points': json.dumps(points)},
                       headers={'Accept': 'application/json'})


def _world(app, factories):
    own, other = factories.platform('轮廓园'), factories.platform('他人园')
    building, other_building = factories.building(own, name='一号楼'), factories.building(other, name='乙楼')
    units = {'101': factories.unit(building, number='101', status='空置'),
             '102': factories.unit(building, number='102', status='已租'),
             'x': factories.unit(other_building, number='乙-1')}
    return own, other, building, units, _plan(app, building), _plan(app, other_building)


def test_the_park_manager_draws_an_outline_and_the_plan_shows_the_unit_coloured_and_linked(
        app, client, factories, logged_in, db_session):
    own, _other, building, units, media_id, _ = _world(app, factories)
    logged_in('park_manager', platforms=[own])
    page = client.get(f'/platforms/plans/{media_id}').get_data(as_text=True)
    assert 'id="outline-editor"' in page and 'js/siteplan.js' in page
    assert 'class="unit-outline' not in page
    response = _save(client, media_id, units['101'].id, SQUARE)
    assert response.status_code == 200 and response.json['ok'], response.json
    saved = db_session.scalars(select(UnitOutline).where(UnitOutline.media_id == media_id)).one()
    assert saved.unit_id == units['101'].id and saved.points == SQUARE and saved.platform_id == own.id
    _save(client, media_id, units['102'].id, [[200, 20], [380, 20], [380, 280], [200, 280]])
    page = client.get(f'/platforms/plans/{media_id}').get_data(as_text=True)
    shapes = re.findall(r'<a href="([^"]+)"><polygon class="unit-outline" data-unit="(\d+)" data-status="([^"]+)" '
                        r'points="([^"]+)" fill="([^"]+)"', page)
    assert [(u, s, f) for _h, u, s, _p, f in shapes] == [('101', '空置', '#52c41a'), ('102', '已租', '#597ef7')]
    assert shapes[0][0] == f'/platforms/units/{units["101"].id}' and shapes[0][3] == '20,20 180,20 180,140 20,140'
    assert f'/platforms/media/{media_id}' in page, 'the browser loads the plan image by its URL'
    # drawing again replaces the unit's outline
    assert _save(client, media_id, units['101'].id, [[30, 30], [60, 30], [60, 90]]).status_code == 200
    assert db_session.scalar(select(func.count()).select_from(UnitOutline).where(
        UnitOutline.unit_id == units['101'].id)) == 1
    # the building's grid links to the plan view
    assert f'/platforms/plans/{media_id}' in client.get(f'/platforms/buildings/{building.id}').get_data(as_text=True)


def test_outlines_are_checked_against_the_image_and_the_building(app, client, factories, logged_in, db_session):
    own, _other, _building, units, media_id, _ = _world(app, factories)
    logged_in('park_manager', platforms=[own])
    cases = [([[10, 10], [50, 10]], '至少需要 3 个不同的点'),
             ([[10, 10], [10, 10], [10, 10], [50, 50]], '至少需要 3 个不同的点'),
             ([[10, 10], [401, 10], [200, 200]], '必须落在平面图范围内（400×300 像素）'),
             ([[10, 10], [100, 10], [100, -1]], '必须落在平面图范围内'),
             ([[10, 10], [20, 20], [30, 30]], '面积为零'),
             ('not json', '无法读取'), ([['a', 1], [2, 3], [4, 5]], '无法读取')]
    for points, message in cases:
        token = csrf_from(client.get(f'/platforms/plans/{media_id}').data)
        raw = points if isinstance(points, str) else json.dumps(points)
        response = client.post(f'/platforms/plans/{media_id}/outlines',
                               data={'csrf_token': token, 'unit_id': str(units['101'].id), 'points': raw})
        assert response.status_code == 422 and message in response.json['message'], (points, response.json)
        error = response.json['error']  # the API's refusal: the input at fault under `fields`
        assert error['code'] == 'outline_refused' and error['fields'] == {'points': [response.json['message']]}
    wrong_building = _save(client, media_id, units['x'].id, SQUARE)
    assert wrong_building.status_code == 404, 'a unit of another platform does not exist for this manager'
    no_unit = _save(client, media_id, '', SQUARE)
    assert no_unit.status_code == 422
    assert no_unit.json['error']['fields'] == {'unit_id': ['请选择这个轮廓对应的房源。']} and no_unit.json['ok'] is False
    assert db_session.scalar(select(func.count()).select_from(UnitOutline)) == 0
    # within bounds, the edges included
    assert _save(client, media_id, units['101'].id, [[0, 0], [400, 0], [400, 300]]).status_code == 200


def test_another_platforms_manager_gets_404_officers_read_only_and_csrf_is_required(
        app, client, factories, logged_in, db_session):
    own, other, building, units, media_id, other_media_id = _world(app, factories)
    logged_in('park_manager', platforms=[other])
    assert client.get(f'/platforms/plans/{media_id}').status_code == 404
    token = csrf_from(client.get(f'/platforms/plans/{other_media_id}').data)
    assert _save(client, media_id, units['101'].id, SQUARE, token=token).status_code == 404
    assert client.post(f'/platforms/plans/{media_id}/outlines/{units["101"].id}/delete',
                       data={'csrf_token': token}).status_code == 404
    client.post('/logout', data={'csrf_token': token})
    logged_in('park_manager', platforms=[own])
    no_token = client.post(f'/platforms/plans/{media_id}/outlines',
                           data={'unit_id': str(units['101'].id), 'points': json.dumps(SQUARE)})
    assert no_token.status_code == 400
    assert _save(client, media_id, units['101'].id, SQUARE).status_code == 200
    token = csrf_from(client.get('/').data)
    client.post('/logout', data={'csrf_token': token})
    logged_in('officer')
    page = client.get(f'/platforms/plans/{media_id}').get_data(as_text=True)
    assert 'data-unit="101"' in page and 'id="outline-editor"' not in page
    assert f'/platforms/buildings/{building.id}#unit-{units["101"].id}' in page, 'officers open the unit in the grid'
    token = csrf_from(page)
    assert _save(client, media_id, units['102'].id, SQUARE, token=token).status_code == 403
    assert client.post(f'/platforms/plans/{media_id}/outlines/{units["101"].id}/delete',
                       data={'csrf_token': token}).status_code == 403
    assert db_session.scalar(select(func.count()).select_from(UnitOutline)) == 1


def test_removing_an_outline(app, client, factories, logged_in, db_session):
    own, _other, _building, units, media_id, _ = _world(app, factories)
    logged_in('park_manager', platforms=[own])
    _save(client, media_id, units['101'].id, SQUARE)
    token = csrf_from(client.get(f'/platforms/plans/{media_id}').data)
    response = client.post(f'/platforms/plans/{media_id}/outlines/{units["101"].id}/delete',
                           data={'csrf_token': token}, follow_redirects=True)
    assert response.status_code == 200 and 'data-unit="101"' not in response.get_data(as_text=True)
    assert db_session.scalar(select(func.count()).select_from(UnitOutline)) == 0


def test_a_photo_is_not_a_floor_plan(app, client, factories, logged_in, db_session):
    own, _other, building, units, _media_id, _ = _world(app, factories)
    with app.test_request_context():
        from crm.db import db
        from crm.platforms.media import store
        from crm.platforms.models import Building, Unit

        photo = store(plan_png(), 'photo.png', building=db.session.get(Building, building.id),
                      unit=db.session.get(Unit, units['101'].id), kind='photo', actor_id=None)
        db.session.commit()
        photo_id = photo.id
    logged_in('park_manager', platforms=[own])
    assert client.get(f'/platforms/plans/{photo_id}').status_code == 404


def _pack_lead(app, factories, officer, db_session):
    firm = factories.firm('杭州星竞电子竞技有限公司', industry_code='877')
    platform = db_session.scalars(select(Platform).where(Platform.name == '电竞数娱产业园')).one()
    building = factories.building(platform, name='电竞大楼')
    units = {n: factories.unit(building, number=n, area='800', rent='3.5') for n in ('801', '802')}
    lead = factories.lead(firm, owner=officer, title='电竞俱乐部区域总部')
    db_session.execute(update(Lead).where(Lead.id == lead.id).values(space_need_m2=Decimal(800)))
    db_session.commit()
    return lead, units, building, platform


def test_the_pack_context_has_the_map_and_the_plan_with_the_offered_unit_highlighted_and_the_pdf_embeds_it(
        app, client, factories, logged_in, db_session, tmp_path):
    officer = logged_in('officer')
    lead, units, building, platform = _pack_lead(app, factories, officer, db_session)
    media_id = _plan(app, building, data=plan_png(3000, 2000))  # a large upload is downscaled for print
    token = csrf_from(client.get(f'/leads/{lead.id}/match').data)
    client.post(f'/leads/{lead.id}/match/choices',
                data={'csrf_token': token, 'kind': 'unit', 'item_id': units['802'].id, 'choice': 'pin'})
    with app.test_request_context():
        from crm.db import db
        from crm.platforms import siteplan
        from crm.platforms.models import Unit

        media = db.session.get(MediaFile, media_id)
        for number, points in (('801', [[100, 100], [1400, 100], [1400, 1800], [100, 1800]]),
                               ('802', [[1500, 100], [2900, 100], [2900, 1800], [1500, 1800]])):
            siteplan.save_outline(media, db.session.get(Unit, units[number].id), points, actor_id=None)
        db.session.commit()
        from crm.packs.pdf import render_pdf
        from crm.packs.services import ASSET_ROOT, build_context

        record = db.session.get(Lead, lead.id)
        context = build_context(record, lang='zh', author=officer.name, number='GS-TEST-V1', viewer=officer)
    offered = context['units'][0]['id']
    assert offered == units['802'].id
    plan = str(context['site_plan_svg'])
    assert re.search(r'class="unit-outline highlighted" data-unit="802"[^>]*stroke="#d4380d"', plan)
    assert 'class="unit-outline" data-unit="801"' in plan and 'fill-opacity="0.18"' in plan, 'others are faded'
    assert '802' in plan and '800 ㎡' in plan
    href = re.search(r'href="(data:image/(png|jpeg);base64,[^"]+)"', plan)
    assert href and len(href.group(1)) < 600_000, 'the plan is downscaled before it is embedded'
    assert set(context['site_plan_svgs']) == {units['802'].id} | ({units['801'].id} & {u['id'] for u in context['units']})
    map_svg = str(context['platform_map_svg'])
    assert '电竞数娱产业园' in map_svg and 'class="platform-marker"' in map_svg and '拱墅区' in map_svg
    html = (f'<html><body><h1>平面图</h1><div style="width:16cm">{plan}</div>'
            f'<div style="width:16cm">{map_svg}</div></body></html>')
    pdf = render_pdf(html, asset_root=ASSET_ROOT)
    (tmp_path / 'pack.pdf').write_bytes(pdf)
    text = subprocess.run(['pdftotext', str(tmp_path / 'pack.pdf'), '-'], capture_output=True, text=True,
                          check=True).stdout
    assert '802' in text and '电竞数娱产业园' in text
    images = subprocess.run(['pdfimages', '-list', str(tmp_path / 'pack.pdf')], capture_output=True, text=True,
                            check=True).stdout.splitlines()[2:]
    assert images, 'the floor plan is embedded as an image'
    width, height = (int(v) for v in images[0].split()[3:5])
    assert max(width, height) == 1200 and width / height == 1.5


def test_a_transparent_plan_prints_on_white(app, factories, db_session):
    import base64

    from PIL import Image

    building = factories.building(factories.platform('透明园'))
    clear = Image.new('RGBA', (1600, 900), (0, 0, 0, 0))
    clear.paste((0, 0, 0, 255), (100, 100, 200, 800))
    out = io.BytesIO()
    clear.save(out, 'PNG')
    media_id = _plan(app, building, data=out.getvalue())
    with app.test_request_context():
        from crm.core.access import SYSTEM
        from crm.db import db
        from crm.platforms import siteplan

        svg = str(siteplan.site_plan_svg(db.session.get(MediaFile, media_id), user=SYSTEM))
    data = base64.b64decode(re.search(r'href="data:image/jpeg;base64,([^"]+)"', svg).group(1))
    printed = Image.open(io.BytesIO(data))
    assert printed.size == (1200, 675)
    assert min(printed.getpixel((10, 10))) > 240 and max(printed.getpixel((110, 300))) < 40
    assert 'viewBox="0 0 1600 ' in svg, 'outlines stay in the upload\'s own pixels'


def test_demo_buildings_get_floor_plans_with_their_units_outlined_and_a_demo_pack_prints_one(app, db_session,
                                                                                            tmp_path):
    from PIL import Image

    from crm.cli import demo_command
    from crm.packs.cli import pack_group
    from crm.platforms.models import Building, Unit

    runner = app.test_cli_runner()
    result = runner.invoke(demo_command, ['--units', '60', '--firms', '20', '--leads', '20', '--json'])
    assert result.exit_code == 0, result.output
    counts = json.loads(result.output)
    demo_buildings = db_session.scalar(select(func.count(Building.id)).where(Building.is_demo.is_(True)))
    assert counts['demo_floor_plans'] >= demo_buildings > 0
    assert counts['demo_unit_outlines'] == db_session.scalar(select(func.count(Unit.id)).where(Unit.is_demo.is_(True)))
    unit = db_session.scalars(select(Unit).where(Unit.is_demo.is_(True), Unit.number.like('%02'))).first()
    outline = db_session.scalar(select(UnitOutline).where(UnitOutline.unit_id == unit.id))
    media = db_session.get(MediaFile, outline.media_id)
    assert media.kind == 'floor_plan' and media.building_id == unit.building_id
    assert media.original_name == f'{unit.floor}层平面图.png'
    on_plan = db_session.scalars(select(UnitOutline).where(UnitOutline.media_id == media.id)).all()
    assert {o.unit.floor for o in on_plan} == {unit.floor}, 'a plan per floor: only that floor\'s units on it'
    xs, ys = [p[0] for p in outline.points], [p[1] for p in outline.points]
    assert 450 < min(xs) < max(xs) < 750 and 40 < min(ys) < max(ys) < 370, 'unit x02: the middle room north'
    with app.app_context():
        from crm.platforms.media import media_folder

        with Image.open(media_folder() / media.stored_name) as image:
            assert image.size == (1200, 800)
            assert image.getpixel((600, 600)) == (255, 255, 255) and image.getpixel((45, 400)) != (255, 255, 255)
    again = runner.invoke(demo_command, ['--units', '60', '--firms', '20', '--leads', '20', '--json'])
    assert json.loads(again.output)['demo_floor_plans'] == 0, 'loading the demo again adds no plans'
    pack = runner.invoke(pack_group, ['demo', '-o', str(tmp_path / 'demo.pdf'), '--json'])
    assert pack.exit_code == 0, pack.output
    text = subprocess.run(['pdftotext', str(tmp_path / 'demo.pdf'), '-'], capture_output=True, text=True,
                          check=True).stdout
    assert '红框所示' in text, 'the demo pack prints its unit outlined on the floor plan'
