"""A park manager uploads a floor plan, draws a unit's outline on it in the browser, and the plan then shows the unit
coloured by its status; the platform page shows the offline location map."""
import io

from tests.browser.conftest import follow, screenshot, sign_in


def _plan_png() -> bytes:
    from PIL import Image, ImageDraw

    image = Image.new('RGB', (800, 500), 'white')
    draw = ImageDraw.Draw(image)
    draw.rectangle([10, 10, 789, 489], outline='black', width=4)
    draw.line([400, 10, 400, 489], fill='black', width=3)
    out = io.BytesIO()
    image.save(out, 'PNG')
    return out.getvalue()


def test_park_manager_draws_a_unit_outline_and_the_plan_shows_it_coloured(live_server, page, tmp_path):
    base, accounts = live_server
    sign_in(page, base, accounts['park_manager'])
    follow(page, 'nav.sidebar >> text=产业平台')
    follow(page, 'table.list >> text=跨贸小镇')
    assert page.locator('svg.platform-map .platform-marker').count() == 1, 'the platform is on its map'
    map_text = page.locator('svg.platform-map').text_content()
    assert '跨贸小镇' in map_text and '直线距离' in map_text
    screenshot(page, 'park_manager-platform-map')
    page.locator('table.list a', has_text='（示例）').first.click()
    plan = tmp_path / '三层平面图.png'
    plan.write_bytes(_plan_png())
    page.set_input_files('form[enctype="multipart/form-data"] input[type=file]', str(plan))
    page.click('form[enctype="multipart/form-data"] button[type=submit]')
    page.wait_for_load_state()
    page.click('.plan-links a >> text=三层平面图')  # the demo building's own floor plans are listed too
    page.wait_for_selector('#outline-editor')
    option = page.locator('#outline-unit option').first
    unit_number = option.inner_text().split(' · ')[1]
    status = option.inner_text().split(' · ')[2].strip()
    page.click('#outline-start')
    page.locator('#plan-view').evaluate('view => view.scrollIntoView()')
    image = page.locator('svg.site-plan image')
    box = image.bounding_box()
    # the image is shown scaled down; clicks are turned back into the image's own pixels by the page
    for fx, fy in ((0.05, 0.05), (0.45, 0.05), (0.45, 0.9), (0.05, 0.9)):
        page.mouse.click(box['x'] + box['width'] * fx, box['y'] + box['height'] * fy)
    assert '已点 4 个' in page.inner_text('#outline-message')
    with page.expect_navigation():
        page.click('#outline-save')
    shape = page.locator(f'svg.site-plan polygon.unit-outline[data-unit="{unit_number}"]')
    assert shape.count() == 1
    assert shape.get_attribute('data-status') == status
    assert shape.get_attribute('fill') == {'空置': '#52c41a', '意向': '#faad14', '已租': '#597ef7', '装修中': '#b37feb',
                                           '锁定': '#8c8c8c'}[status]
    xs = [float(p.split(',')[0]) for p in shape.get_attribute('points').split()]
    assert 30 <= min(xs) <= 50 and 350 <= max(xs) <= 370, 'the outline is stored in the image pixels'
    assert '已描画的轮廓' in page.inner_text('#outline-editor')
    screenshot(page, 'park_manager-floor-plan')
    assert not page.problems, page.problems
    # a click on the unit opens it
    shape.click()
    page.wait_for_load_state()
    assert '/platforms/units/' in page.url
