"""The promotion pack as the prospect reads it, built through the HTTP stack on both databases: the cover with the
district, the firm, the officer, the Beijing date and the validity date; the one-page summary; a property sheet per
offered unit with its photos and floor plan; the cost table with the match page's figures; footnote numbers that
match the citation list; the contact section with a QR code that opens the pack's share link; the same in English.

Set PACK_DUMP=<folder> to keep the PDFs these tests build (render them with `pdftoppm -png -r 50`)."""
from __future__ import annotations

import io
import os
import re
import subprocess
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import select, update

from crm.auth.models import User
from crm.leads.models import Lead
from crm.packs.models import Pack, PackShare
from crm.platforms.models import Building, Platform, Unit
from tests.conftest import post_form

OFFICER = {'job_title': '招商专员', 'phone': '13912345678', 'wechat': 'gongshu_zhao', 'office_address': '拱墅区丽水路 58 号'}


def image_bytes(size: tuple[int, int], colour: tuple[int, int, int], *, plan: bool = False) -> bytes:
    """A deterministic test image: a large 'photo' (JPEG) or a line-drawing floor plan (PNG)."""
    from PIL import Image, ImageDraw

    image = Image.new('RGB', size, (255, 255, 255) if plan else colour)
    draw = ImageDraw.Draw(image)
    step = size[0] // 8
    for i in range(0, size[0], step):
        draw.line([(i, 0), (i, size[1])], fill=(40, 40, 40) if plan else (255 - colour[0], 200, 120), width=6)
    draw.rectangle([size[0] // 4, size[1] // 4, size[0] // 2, size[1] // 2], outline=(200, 30, 30), width=12)
    out = io.BytesIO()
    image.save(out, 'PNG' if plan else 'JPEG', quality=95)
    return out.getvalue()


@pytest.fixture
def pack_case(factories, logged_in, in_app, db_session):
    """A prospect with a stated need, an officer with a full profile, and three offerable units: the recommended
    one with every property-sheet fact, two photos and the building's floor plan."""
    from crm.platforms.media import store

    officer = logged_in('officer')
    db_session.execute(update(User).where(User.id == officer.id).values(name='赵一鸣', **OFFICER))
    firm = factories.firm('杭州星竞电子竞技有限公司', industry_code='877', headcount=60)
    platform = db_session.scalars(select(Platform).where(Platform.name == '电竞数娱产业园')).one()
    building = factories.building(platform, name='电竞大楼')
    db_session.execute(update(Building).where(Building.id == building.id).values(
        address='拱墅区莫干山路 100 号', parking_spaces=320, parking_fee=Decimal(450)))
    units = {n: factories.unit(building, number=n, area=area, rent=rent)
             for n, area, rent in (('801', '800', '3.5'), ('802', '760', '3.2'), ('901', '880', '3.8'))}
    db_session.execute(update(Unit).where(Unit.id == units['801'].id).values(
        fitout='精装', property_fee=Decimal(12), ceiling_height=Decimal('3.8'), floor_load=Decimal('3.5'),
        power_kva=250, deposit_months=3, rent_free_months=2, lease_term_years=3))
    lead = factories.lead(firm, owner=officer, title='电竞俱乐部区域总部')
    db_session.execute(update(Lead).where(Lead.id == lead.id).values(space_need_m2=Decimal(800), space_use='办公'))
    db_session.commit()
    with in_app():
        unit = db_session.get(Unit, units['801'].id)
        home = db_session.get(Building, building.id)
        for colour in ((30, 90, 160), (160, 90, 30)):
            store(image_bytes((3000, 2000), colour), 'photo.jpg', building=home, unit=unit, kind='photo',
                  actor_id=officer.id)
        store(image_bytes((2400, 1700), (0, 0, 0), plan=True), 'plan.png', building=home, unit=None,
              kind='floor_plan', actor_id=officer.id)
        db_session.commit()
    return lead, officer, units


def _build(client, db_session, lead_id: int, lang: str) -> Pack:
    response = post_form(client, f'/leads/{lead_id}/packs', {'lang': lang}, token_from=f'/leads/{lead_id}')
    assert response.status_code == 302
    return db_session.scalars(select(Pack).where(Pack.lead_id == lead_id).order_by(Pack.version.desc())).first()


def _pages(pdf: bytes) -> list[str]:
    return [re.sub(r'\s+', '', page.extract_text()) for page in PdfReader(io.BytesIO(pdf)).pages]


def _dump(pdf: bytes, name: str) -> None:
    folder = os.environ.get('PACK_DUMP')
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        (Path(folder) / name).write_bytes(pdf)


def qr_links(pdf: bytes, page: int, tmp_path: Path) -> list[str]:
    """The QR codes printed on one page (1-based), decoded from a 200 dpi rendering."""
    import zxingcpp
    from PIL import Image

    (tmp_path / 'qr.pdf').write_bytes(pdf)
    subprocess.run(['pdftoppm', '-png', '-r', '200', '-f', str(page), '-l', str(page), str(tmp_path / 'qr.pdf'),
                    str(tmp_path / 'qr')], check=True)
    with Image.open(next(tmp_path.glob('qr*.png'))) as image:
        return [r.text for r in zxingcpp.read_barcodes(image)]


def test_a_chinese_pack_reads_as_a_proposal_to_the_ceo(business_clock, client, app, db_session, in_app, pack_case,
                                                        tmp_path):
    from crm.core import clock
    from crm.core.access import SYSTEM
    from crm.matching.services import match_lead

    lead, officer, units = pack_case
    pack = _build(client, db_session, lead.id, 'zh')
    pdf = client.get(f'/packs/{pack.id}.pdf').data
    _dump(pdf, 'pack-zh.pdf')
    pages = _pages(pdf)
    text = ''.join(pages)
    today = clock.today()

    cover = pages[0]
    for expected in ('杭州市拱墅区', '招商推介包', '杭州星竞电子竞技有限公司', '赵一鸣', pack.number,
                     f'{today.year}年{today.month}月{today.day}日'):
        assert expected in cover, expected
    valid = today + timedelta(days=30)
    assert f'有效期至{valid.year}年{valid.month}月{valid.day}日' in cover

    summary = pages[1]
    assert summary.startswith('为贵企业量身定制')
    for expected in ('800㎡', '电竞大楼801', '推荐', '备选', '入驻成本', '下一步', '确认房源与租赁条件'):
        assert expected in summary, expected

    sheets = [p for p in pages if p.startswith('房源资料')]
    assert len(sheets) == 3, 'the recommended unit and two alternatives'
    assert '801' in sheets[0] and '推荐' in sheets[0]
    for expected in ('精装', '净高3.8m', '楼板荷载3.5kN/㎡', '供电容量250kVA', '物业费12元/㎡·月', '押金3个月租金',
                     '免租期2个月', '租期3年', '停车位320个，每个每月450元', '平面图'):
        assert expected in sheets[0], expected
    images = [len(PdfReader(io.BytesIO(pdf)).pages[i].images) for i, p in enumerate(pages) if p.startswith('房源资料')]
    assert images[0] == 3, 'two photos and the floor plan on the recommended unit'

    with in_app():
        cost = match_lead(db_session.get(Lead, lead.id), viewer=SYSTEM)['cost']
    assert f'{cost["totals"]["rent"]:,.2f}' in text and '年租金' in text, 'the match page figures'
    for row in cost['rows']:
        assert f'第{row["year"]}年' in text

    quotes = pack.snapshot['quotes']
    assert 2 <= len(quotes) <= 4
    for n, quote in enumerate(quotes, 1):
        assert re.sub(r'\s+', '', quote['text']) + f'”{n}' in text, f'footnote {n} follows its sentence'
        assert f'{n}.' + re.sub(r'\s+', '', quote['citation']) in text, f'citation {n} in the list'
    assert '第十四个五年规划' in text and '下城区' not in text, 'current 拱墅区 plans are cited'

    contact = pages[-1]
    for expected in ('联系方式与下一步', '赵一鸣', '招商专员', '13912345678', officer.email, 'gongshu_zhao',
                     '拱墅区丽水路58号'):
        assert expected in contact, expected
    share = db_session.get(PackShare, pack.snapshot['qr_share'])
    assert share is not None and share.revoked_at is None
    links = qr_links(pdf, len(pages), tmp_path)
    assert len(links) == 1 and links[0].startswith('http://localhost/s/')
    assert app.test_client().get(links[0].removeprefix('http://localhost')).status_code == 200, \
        'the QR code opens the pack for the prospect'

    for internal in ('项目的目标平台', '空置房源合计', '演示', '示例', 'ID', '主导产业与项目方向一致'):
        assert internal not in text, internal


def test_an_english_pack_has_english_labels_dates_and_footer(client, db_session, pack_case, tmp_path):
    lead, _officer, _units = pack_case
    pack = _build(client, db_session, lead.id, 'en')
    pdf = client.get(f'/packs/{pack.id}.pdf').data
    _dump(pdf, 'pack-en.pdf')
    pages = [re.sub(r'\s+', ' ', page.extract_text()) for page in PdfReader(io.BytesIO(pdf)).pages]
    assert 'Gongshu District, Hangzhou' in pages[0] and 'Valid until' in pages[0]
    assert re.search(r'(January|February|March|April|May|June|July|August|September|October|November|December) '
                     r'\d{1,2}, \d{4}', pages[0])
    assert 'Tailored for your company' in pages[1] and 'Next steps' in pages[1]
    text = ' '.join(pages)
    for expected in ('Property sheet', 'Clear ceiling height 3.8 m', 'Deposit 3 months of rent', 'Annual rent',
                     'Contact and next step', 'WeChat', 'Mobile', 'Page 2 of'):
        assert expected in text, expected
    assert qr_links(pdf, len(pages), tmp_path)[0].startswith('http://localhost/s/')


def test_unit_and_building_pages_record_the_property_sheet_facts(client, factories, logged_in, db_session):
    platform = factories.platform('测试园区')
    building = factories.building(platform, name='测试大楼')
    unit = factories.unit(building, number='501', area='500')
    logged_in('park_manager', platforms=[platform])
    form = {'floor': '5', 'number': '501', 'area_gross': '500', 'use': '办公', 'fitout': '精装', 'rent': '3.2',
            'property_fee': '11', 'status': '空置', 'ceiling_height': '4.2', 'floor_load': '5', 'power_kva': '400',
            'deposit_months': '2', 'rent_free_months': '3', 'lease_term_years': '5', 'version': '1'}
    response = post_form(client, f'/platforms/units/{unit.id}', form)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    db_session.expire_all()
    saved = db_session.get(Unit, unit.id)
    assert (saved.ceiling_height, saved.floor_load, saved.power_kva, saved.deposit_months, saved.rent_free_months,
            saved.lease_term_years) == (Decimal('4.2'), Decimal(5), 400, 2, 3, 5)
    page = client.get(f'/platforms/units/{unit.id}').get_data(as_text=True)
    assert 'value="4.20"' in page and 'value="400"' in page
    bad = post_form(client, f'/platforms/units/{unit.id}', {**form, 'ceiling_height': '80', 'version': '2'})
    assert bad.status_code in (200, 422) and '净高' in bad.get_data(as_text=True) and 'value="80"' in \
        bad.get_data(as_text=True), 'a clear Chinese message, the form keeps what was typed'
    response = post_form(client, f'/platforms/buildings/{building.id}/edit',
                         {'name': '测试大楼', 'floors': '10', 'parking_spaces': '120', 'parking_fee': '400',
                          'version': '1'})
    assert response.status_code == 302
    db_session.expire_all()
    assert (db_session.get(Building, building.id).parking_spaces,
            db_session.get(Building, building.id).parking_fee) == (120, Decimal(400))
