"""On a phone (390×844, touch): the navigation is folded behind a menu button so the page starts near the top of
the screen, and a kanban card moves to another column by touch (real touch events through Chromium's DevTools
protocol: touchstart, touchmove, touchend become pointer events)."""
from __future__ import annotations

import pytest
from sqlalchemy import create_engine, select

from tests.browser.conftest import LIVE_ENV, sign_in

pytestmark = pytest.mark.browser


@pytest.fixture
def phone(browser):
    context = browser.new_context(viewport={'width': 390, 'height': 844}, locale='zh-CN', has_touch=True,
                                  is_mobile=True, device_scale_factor=2)
    page = context.new_page()
    page.problems = []
    page.on('console', lambda msg: page.problems.append(msg.text) if msg.type == 'error' else None)
    yield page
    context.close()


def test_the_navigation_folds_and_the_page_starts_at_the_top(live_server, phone):
    base, accounts = live_server
    sign_in(phone, base, accounts['officer'])
    phone.goto(base + '/leads/')
    heading = phone.locator('h1').first.bounding_box()
    assert heading['y'] < 844 / 3, heading  # the list's heading is on the first third of the screen
    assert not phone.locator('#main-nav').is_visible()
    phone.click('.nav-toggle')
    assert phone.locator('#main-nav').is_visible()
    assert phone.get_attribute('.nav-toggle', 'aria-expanded') == 'true'
    phone.locator('#main-nav >> text=项目看板').click()
    phone.wait_for_url(base + '/leads/board')
    assert not phone.problems


def _touch_drag(page, start: dict, end: dict, steps: int = 12) -> None:
    cdp = page.context.new_cdp_session(page)
    x0, y0 = start['x'] + start['width'] / 2, start['y'] + start['height'] / 2
    x1, y1 = end['x'] + end['width'] / 2, end['y'] + min(end['height'] / 2, 60)
    cdp.send('Input.dispatchTouchEvent', {'type': 'touchStart', 'touchPoints': [{'x': x0, 'y': y0}]})
    for n in range(1, steps + 1):
        x, y = x0 + (x1 - x0) * n / steps, y0 + (y1 - y0) * n / steps
        cdp.send('Input.dispatchTouchEvent', {'type': 'touchMove', 'touchPoints': [{'x': x, 'y': y}]})
        page.wait_for_timeout(15)
    cdp.send('Input.dispatchTouchEvent', {'type': 'touchEnd', 'touchPoints': []})


def test_a_kanban_card_moves_by_touch(live_server, phone):
    from crm.auth.models import User
    from crm.leads.models import Lead

    base, accounts = live_server
    sign_in(phone, base, accounts['officer'])
    phone.goto(base + '/leads/board')
    source = phone.locator('.column[data-stage="初步接洽"] .kcard').first
    lead_id = int(source.get_attribute('data-lead'))
    target = phone.locator('.column[data-stage="考察看房"]')
    target.scroll_into_view_if_needed()
    # both columns on the screen at once: the first card's grip, dragged into the next column
    phone.evaluate("document.querySelector('.board').scrollLeft = "
                   "document.querySelector('.column[data-stage=\"初步接洽\"]').offsetLeft - 10")
    _touch_drag(phone, source.locator('.kgrip').bounding_box(), target.bounding_box())
    phone.wait_for_selector(f'.column[data-stage="考察看房"] .kcard[data-lead="{lead_id}"]', timeout=10_000)
    engine = create_engine(LIVE_ENV['DATABASE_URL'])
    with engine.connect() as conn:
        assert conn.scalar(select(Lead.stage).where(Lead.id == lead_id)) == '考察看房'
        assert conn.scalar(select(User.id).where(User.email == accounts['officer']['email']))
    engine.dispose()
    assert not phone.problems
