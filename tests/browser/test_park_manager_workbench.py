"""Journey in Chromium against gunicorn: a park manager opens the 工作台 and sees a lease on their platform that ends
within 90 days (with its firm and unit, counted in the headline), and not one ending later or elsewhere."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import create_engine, insert, select

from crm.core import clock
from tests.browser.conftest import LIVE_ENV, screenshot, sign_in

pytestmark = pytest.mark.browser


def _lease(email: str, firm_name: str, days: int, *, own_platform: bool = True) -> str:
    """A firm let a unit (on the manager's platform, or on one they do not look after) until `days` from today."""
    from crm.auth.models import PlatformMembership, User
    from crm.core.validators import firm_name_key
    from crm.firms.models import Firm, Tenancy
    from crm.platforms.models import Unit

    engine = create_engine(LIVE_ENV['DATABASE_URL'])
    today = clock.today()
    with engine.begin() as conn:
        manager = conn.scalar(select(User.id).where(User.email == email))
        mine = select(PlatformMembership.platform_id).where(PlatformMembership.user_id == manager)
        where = Unit.platform_id.in_(mine) if own_platform else Unit.platform_id.notin_(mine)
        unit_id, platform_id, number = conn.execute(select(Unit.id, Unit.platform_id, Unit.number).where(where)
                                                    .order_by(Unit.id).limit(1)).one()
        firm_id = conn.execute(insert(Firm).values(name=firm_name, name_key=firm_name_key(firm_name))).inserted_primary_key[0]
        conn.execute(insert(Tenancy).values(firm_id=firm_id, unit_id=unit_id, platform_id=platform_id,
                                            start_date=today - timedelta(days=700), end_date=today + timedelta(days=days)))
    engine.dispose()
    return number


def test_the_park_manager_sees_a_lease_ending_within_90_days_on_the_workbench(live_server, page):
    base, accounts = live_server
    email = accounts['park_manager']['email']
    number = _lease(email, '九十天内到期科技有限公司', 30)
    _lease(email, '半年后到期科技有限公司', 180)
    _lease(email, '别处到期科技有限公司', 20, own_platform=False)
    sign_in(page, base, accounts['park_manager'])
    page.goto(base + '/')
    ending = page.locator('#wb-ending')
    text = ending.inner_text()
    assert '九十天内到期科技有限公司' in text and number in text
    assert (clock.today() + timedelta(days=30)).isoformat() in text
    assert '半年后到期科技有限公司' not in text and '别处到期科技有限公司' not in text
    assert int(page.inner_text('[data-figure="ending"]')) >= 1
    screenshot(page, 'park_manager-workbench-ending')
    ending.get_by_role('link', name='九十天内到期科技有限公司').click()
    page.wait_for_load_state()
    assert page.locator('h1').first.inner_text().startswith('九十天内到期科技有限公司')
    assert not page.problems, page.problems
