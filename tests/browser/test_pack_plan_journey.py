"""A unit's outline drawn in the browser reaches the prospect: an officer pins a unit for a new lead, the platform's
park manager uploads the building's floor plan and draws that unit's outline on it, the officer builds the pack,
and the downloaded PDF shows the plan with the unit outlined in red, the platform map, and a QR code that opens the
pack's share page. The same PDF carries the cover, the summary for the prospect, the unit's photo, the cost table,
commitments whose footnote numbers match the citation list, and the officer's contact."""
import io
import re
import subprocess

import pytest
from pypdf import PdfReader

from tests.browser.conftest import follow, screenshot, sign_in

pytestmark = pytest.mark.browser

PLAN_SIZE = (1000, 700)
PHOTO_SIZE = (640, 480)
HIGHLIGHT = (212, 56, 13)  # #d4380d, the offered unit's outline
CORNERS = ((0.1, 0.1), (0.5, 0.1), (0.5, 0.8), (0.1, 0.8))


def _plan_png() -> bytes:
    from PIL import Image, ImageDraw

    image = Image.new('RGB', PLAN_SIZE, 'white')
    draw = ImageDraw.Draw(image)
    draw.rectangle([10, 10, PLAN_SIZE[0] - 11, PLAN_SIZE[1] - 11], outline='black', width=6)
    for x in (500, 750):
        draw.line([x, 10, x, PLAN_SIZE[1] - 11], fill='black', width=3)
    out = io.BytesIO()
    image.save(out, 'PNG')
    return out.getvalue()


def _photo_jpeg() -> bytes:
    from PIL import Image, ImageDraw

    image = Image.new('RGB', PHOTO_SIZE, (196, 214, 232))
    ImageDraw.Draw(image).rectangle([80, 120, 560, 440], fill=(120, 132, 150))
    out = io.BytesIO()
    image.save(out, 'JPEG', quality=85)
    return out.getvalue()


def _longest_runs(image) -> tuple[int, int]:
    """The longest vertical and horizontal runs of outline-red pixels (an outline's edges; text makes none)."""
    width, height = image.size
    pixels = image.load()

    def red(x, y):
        r, g, b = pixels[x, y][:3]
        return abs(r - HIGHLIGHT[0]) < 40 and abs(g - HIGHLIGHT[1]) < 40 and abs(b - HIGHLIGHT[2]) < 40

    def longest(outer, inner, at):
        best = 0
        for a in range(outer):
            run = 0
            for b in range(inner):
                run = run + 1 if red(*at(a, b)) else 0
                best = max(best, run)
        return best

    return longest(width, height, lambda a, b: (a, b)), longest(height, width, lambda a, b: (b, a))


def test_an_outline_drawn_in_the_browser_is_printed_in_the_pack_with_the_map_and_a_working_qr_code(
        live_server, page, browser, tmp_path):
    import zxingcpp
    from PIL import Image

    base, accounts = live_server
    # the officer: a new lead on 跨贸小镇, its best unit pinned for the pack
    sign_in(page, base, accounts['officer'])
    follow(page, 'nav.sidebar >> text=招商项目')
    page.click('.page-head >> text=新建项目')
    page.fill('#title', '数字贸易结算中心')
    page.fill('#firm_id-search', '跨境')
    page.locator('#firm_id-list .picker-option').first.click()
    firm = page.input_value('#firm_id-search')
    page.fill('#industry_code', '529')
    page.fill('#platforms-search', 'kmxz')
    page.locator('#platforms-list .picker-option', has_text='跨贸小镇').click()
    page.fill('#space_need_m2', '200')
    page.select_option('#space_use', '办公')
    page.click('form.card button[type=submit].primary')
    page.wait_for_url(re.compile(r'/leads/\d+$'))
    lead_url = page.url
    follow(page, '.page-head >> text=匹配')
    row = page.locator('table.list').first.locator('tbody tr').first
    building, number = (row.locator('td').nth(i).inner_text().strip() for i in (0, 1))
    follow(page, row.locator('button[value=pin]'))
    assert page.locator('table.list').first.locator('tbody tr', has=page.locator('.badge.ok')).count() == 1

    # the park manager of 跨贸小镇: the building's floor plan uploaded, that unit's outline drawn on it
    manager = browser.new_context(viewport={'width': 1366, 'height': 768}, locale='zh-CN').new_page()
    sign_in(manager, base, accounts['park_manager'])
    manager.click('nav.sidebar >> text=产业平台')
    manager.click('table.list >> text=跨贸小镇')
    manager.locator('table.list a', has_text=building).first.click()
    manager.wait_for_url(re.compile(r'/platforms/buildings/\d+$'))
    building_url = manager.url
    plan = tmp_path / '标准层平面图.png'
    plan.write_bytes(_plan_png())
    manager.set_input_files('form[enctype="multipart/form-data"] input[type=file]', str(plan))
    follow(manager, 'form[enctype="multipart/form-data"] button[type=submit]')
    manager.click('.plan-links a >> text=标准层平面图')
    manager.wait_for_selector('#outline-editor')
    option = manager.locator('#outline-unit option', has_text=f' · {number} · ')
    assert option.count() == 1, f'unit {number} of {building} can be outlined on its building\'s plan'
    manager.select_option('#outline-unit', option.get_attribute('value'))
    manager.click('#outline-start')
    manager.locator('#plan-view').evaluate('view => view.scrollIntoView()')
    box = manager.locator('svg.site-plan image').bounding_box()
    for fx, fy in CORNERS:
        manager.mouse.click(box['x'] + box['width'] * fx, box['y'] + box['height'] * fy)
    with manager.expect_navigation():
        manager.click('#outline-save')
    assert manager.locator(f'svg.site-plan polygon.unit-outline[data-unit="{number}"]').count() == 1
    screenshot(manager, 'park_manager-outline-for-pack')
    # and a photo of the unit, from its edit page on the 租控表
    manager.goto(building_url)
    manager.locator(f'#rent-grid .cell[data-unit="{number}"] a', has_text='编辑').click()
    photo = tmp_path / '室内实景.jpg'
    photo.write_bytes(_photo_jpeg())
    manager.set_input_files('form[enctype="multipart/form-data"] input[type=file]', str(photo))
    follow(manager, 'form[enctype="multipart/form-data"] button[type=submit]')
    assert manager.locator('figure img[alt="室内实景.jpg"]').count() == 1
    manager.context.close()

    # the officer builds the pack and downloads it
    page.goto(lead_url)
    page.locator('form[action$="/packs"] button[type=submit]').first.click()
    page.wait_for_selector('text=下载 PDF', timeout=90_000)
    with page.expect_download() as download:
        page.click('text=下载 PDF')
    pdf_path = tmp_path / 'pack.pdf'
    download.value.save_as(pdf_path)
    reader = PdfReader(pdf_path)
    pages = [re.sub(r'\s+', '', p.extract_text()) for p in reader.pages]
    assert f'致{firm}' in pages[0]
    sheet = next(i for i, text in enumerate(pages) if text.startswith('房源资料') and f'{building}{number}' in text)
    assert '推荐' in pages[sheet] and f'{number}室' in pages[sheet] and '红框所示' in pages[sheet], \
        'the recommended unit\'s sheet names the unit outlined on the plan'

    # the plan printed is the one uploaded, with the drawn outline in red along the corners clicked
    listed = subprocess.run(['pdfimages', '-list', '-f', str(sheet + 1), '-l', str(sheet + 1), str(pdf_path)],
                            capture_output=True, text=True, check=True).stdout.splitlines()[2:]
    assert any(line.split()[3:5] == [str(PLAN_SIZE[0]), str(PLAN_SIZE[1])] for line in listed), listed
    assert any(line.split()[3:5] == [str(PHOTO_SIZE[0]), str(PHOTO_SIZE[1])] for line in listed), \
        ('the unit photo uploaded is on its sheet', listed)
    subprocess.run(['pdftoppm', '-png', '-r', '100', '-f', str(sheet + 1), '-l', str(sheet + 1), str(pdf_path),
                    str(tmp_path / 'sheet')], check=True)
    with Image.open(next(tmp_path.glob('sheet*.png'))) as image:
        rgb = image.convert('RGB')
    vertical, horizontal = _longest_runs(rgb)
    # the plan prints about 170 mm wide (670 px at 100 dpi): the outline spans 0.7 of its height, 0.4 of its width
    assert vertical >= 200 and horizontal >= 180, (vertical, horizontal)

    # the summary for the prospect and the cost table over the term
    whole = ''.join(pages)
    assert '为贵企业量身定制' in whole and re.search(r'入驻成本：.*\d年（万元）', whole)
    # every commitment's footnote number has its citation, in order
    lines = subprocess.run(['pdftotext', str(pdf_path), '-'], capture_output=True, text=True,
                           check=True).stdout.splitlines()
    markers = [int(m.group(1)) for line in lines if (m := re.search(r'”(\d{1,2})$', line.strip()))]
    notes = [int(m.group(1)) for line in lines if (m := re.match(r'(\d{1,2})\.\s*《', line.strip()))]
    assert 2 <= len(markers) <= 4 and markers == notes == list(range(1, len(markers) + 1)), (markers, notes)
    # the officer's contact from their profile
    assert '13800000002' in pages[-1] and '招商专员' in pages[-1]

    # the platform map is on the location page
    location = next(text for text in pages if text.startswith('落户平台'))
    assert '跨贸小镇区位' in location and '直线距离' in location

    # the QR code on the contact page opens this pack's share page
    subprocess.run(['pdftoppm', '-png', '-r', '200', '-f', str(len(pages)), '-l', str(len(pages)), str(pdf_path),
                    str(tmp_path / 'contact')], check=True)
    with Image.open(next(tmp_path.glob('contact*.png'))) as image:
        links = [r.text for r in zxingcpp.read_barcodes(image)]
    assert len(links) == 1 and links[0].startswith(f'{base}/s/'), links
    pack_number = re.search(r'GS-\d{4}-[A-Z0-9]+-V\d+', pages[0]).group(0)
    prospect = browser.new_context(viewport={'width': 390, 'height': 844}, locale='zh-CN').new_page()
    prospect.goto(links[0])
    assert pack_number in prospect.inner_text('.subtitle'), 'the QR code opens the share page of this very pack'
    assert prospect.locator('a.button.primary', has_text='PDF').count() == 1
    prospect.context.close()
    assert page.problems == []
