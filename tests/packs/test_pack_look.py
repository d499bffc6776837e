"""The pack's look, checked against reference images: the cover, the summary, a property sheet and the contact page
of a pack rendered from a fixed context, in Chinese and in English, compared page by page with the PNGs in
tests/packs/reference/ within a tolerance.

After an intended change of the pack's look, look at the new pages and regenerate the references:

    make pack-reference      (or: PACK_REFERENCE_UPDATE=1 .venv/bin/python -m pytest tests/packs/test_pack_look.py)
"""
from __future__ import annotations

import base64
import os
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest

from tests.packs.test_pack_document import image_bytes

REFERENCE = Path(__file__).parent / 'reference'
DPI = 40
TOLERANCE = 2.0  # mean absolute difference, in grey levels (0–255), over the whole page
PAGES = {'cover': 1, 'summary': 2, 'sheet': 3, 'contact': -1}


def _data_uri(data: bytes, kind: str) -> str:
    return f'data:image/{kind};base64,' + base64.b64encode(data).decode()


def fixed_context(lang: str) -> dict:
    """A complete pack context that does not depend on the database or the clock."""
    from crm.packs.content import qr_data_uri

    en = lang == 'en'
    rows = [('Floor' if en else '楼层', 'Floor 8' if en else '8 层'), ('Gross area' if en else '建筑面积', '800 ㎡'),
            ('Use' if en else '用途', 'Office' if en else '办公'), ('Fit-out' if en else '装修', 'Fully fitted' if en else '精装'),
            ('Clear ceiling height' if en else '净高', '3.8 m'), ('Floor load' if en else '楼板荷载', '3.5 kN/㎡'),
            ('Rent' if en else '租金', '3.5 yuan/㎡/day' if en else '3.5 元/㎡·天'),
            ('Deposit' if en else '押金', '3 months of rent' if en else '3 个月租金')]
    photo = _data_uri(image_bytes((600, 400), (30, 90, 160)), 'jpeg')
    plan = _data_uri(image_bytes((800, 560), (0, 0, 0), plan=True), 'png')
    unit = {'id': 1, 'version': 1, 'role': 'recommended', 'building': '电竞大楼', 'address': '拱墅区莫干山路 100 号',
            'platform': '电竞数娱产业园', 'number': '801', 'floor': 8, 'area': Decimal(800), 'rows': rows,
            'photos': [photo, photo], 'plan': plan, 'demo': False, 'use': rows[2][1], 'rent': rows[6][1],
            'available': 'Available now' if en else '现可入驻'}
    date, valid = ('November 21, 2026', 'December 21, 2026') if en else ('2026年11月21日', '2026年12月21日')
    url = 'https://crm.example.cn/s/reference-token'
    return {'lang': lang, 'number': 'GS-2026-REFPCK-V1', 'date': date, 'valid_until': valid, 'author': '赵一鸣',
            'demo': False, 'brand': {'name': 'Gongshu District, Hangzhou' if en else '杭州市拱墅区',
                                     'office': 'Investment Promotion Office' if en else '投资促进部门', 'logo': None},
            'lead': {'name': '电竞俱乐部区域总部', 'confidential': False, 'need': 800, 'investment': 6000,
                     'industries': ['电竞数娱']},
            'need': {'area': Decimal(800), 'use': rows[2][1], 'by': date, 'headcount': 60},
            'firm': {'name': '杭州星竞电子竞技有限公司'},
            'platforms': [{'name': '电竞数娱产业园', 'kind': '产业园', 'positioning': '打造国际电竞产业强核'}],
            'units': [unit], 'policies': [], 'incentives': [], 'services': [],
            'totals': {'confirmed': 0, 'conditional': 0},
            'quotes': [], 'net_cost': [], 'cost': None, 'term_years': 3, 'cost_levels': {}, 'cost_unit': None,
            'cost_building': None, 'steps': [(date, 'Site visit' if en else '实地考察')],
            'contact': {'name': '赵一鸣', 'title': '招商专员', 'mobile': '13912345678', 'email': 'zhao@example.cn',
                        'wechat': 'gongshu_zhao', 'address': '拱墅区丽水路 58 号', 'share_url': url,
                        'qr': qr_data_uri(url)},
            'platform_map_svg': None, 'site_plan_svg': None, 'notes': []}


def page_images(pdf: bytes, tmp_path: Path) -> list:
    from PIL import Image

    (tmp_path / 'look.pdf').write_bytes(pdf)
    subprocess.run(['pdftoppm', '-png', '-gray', '-r', str(DPI), str(tmp_path / 'look.pdf'), str(tmp_path / 'look')],
                   check=True)
    files = sorted(tmp_path.glob('look-*.png'), key=lambda p: int(p.stem.rsplit('-', 1)[1]))
    return [Image.open(f).convert('L') for f in files]


def difference(image, reference) -> float:
    """Mean absolute difference in grey levels; a page of another size differs completely."""
    from PIL import ImageChops, ImageStat

    if image.size != reference.size:
        return 255.0
    return ImageStat.Stat(ImageChops.difference(image, reference)).mean[0]


@pytest.mark.parametrize('lang', ['zh', 'en'])
def test_pages_match_the_reference_images(app, lang, tmp_path):
    from PIL import Image

    from crm.packs.pdf import render_pdf
    from crm.packs.services import ASSET_ROOT, render_html

    with app.test_request_context():
        pdf = render_pdf(render_html(fixed_context(lang)), asset_root=ASSET_ROOT)
    images = page_images(pdf, tmp_path)
    update = os.environ.get('PACK_REFERENCE_UPDATE') == '1'
    for name, page in PAGES.items():
        path = REFERENCE / f'{lang}-{name}.png'
        image = images[page if page < 0 else page - 1]
        if update:
            REFERENCE.mkdir(exist_ok=True)
            image.save(path, optimize=True)
            continue
        assert path.exists(), f'{path.name} missing: regenerate with `make pack-reference`'
        with Image.open(path) as reference:
            diff = difference(image, reference.convert('L'))
        assert diff < TOLERANCE, f'{lang} {name} page differs from {path.name} by {diff:.2f} grey levels on average'


def test_the_comparison_notices_a_changed_page(app, tmp_path):
    """The check itself: a cover without the firm's name is not within the tolerance of the reference."""
    from PIL import Image, ImageDraw

    with Image.open(REFERENCE / 'zh-cover.png') as reference:
        changed = reference.convert('L').copy()
    ImageDraw.Draw(changed).rectangle([0, changed.height // 3, changed.width, changed.height // 2], fill=0)
    assert difference(changed, Image.open(REFERENCE / 'zh-cover.png').convert('L')) > TOLERANCE
    assert difference(changed.resize((10, 10)), changed) == 255.0
