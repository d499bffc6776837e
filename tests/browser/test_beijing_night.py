"""The server runs on a clock started at 17:30 UTC (01:30 the next day in Beijing; tests/browser/nightclock.py):
我的一天 shows Beijing's date, a follow-up due on Beijing's today is due, not overdue, one due the day before is
overdue, and the promotion pack's cover carries Beijing's date."""
from __future__ import annotations

import json
import os
import re
import subprocess
from datetime import datetime, timedelta, timezone

import pytest
from pypdf import PdfReader

from tests.browser.conftest import BIN, ROOT, follow, screenshot, serve, sign_in, stop
from tests.conftest import BEIJING_NIGHT

pytestmark = pytest.mark.browser


def _night() -> datetime:
    return datetime.combine(datetime.now(timezone.utc).date(), BEIJING_NIGHT, tzinfo=timezone.utc)


@pytest.fixture(scope='module')
def night_server(tmp_path_factory):
    """Like `make run`, with the web server, the worker and the demo data all on the shifted clock."""
    night = _night()
    instance = tmp_path_factory.mktemp('night')
    env = {**os.environ, 'CRM_ENV': 'development', 'CRM_INSTANCE_PATH': str(instance),
           'DATABASE_URL': f'sqlite:///{instance / "crm.db"}', 'CRM_TEST_CLOCK_START': night.isoformat()}
    python = [str(BIN / 'python'), '-m', 'tests.browser.nightclock']

    def crm(*args: str) -> str:
        result = subprocess.run([*python, *args], env=env, cwd=ROOT, capture_output=True, text=True, timeout=300)
        assert result.returncode == 0, result.stderr
        return result.stdout

    crm('db', 'upgrade')
    crm('seed')
    accounts = {a['role']: a for a in json.loads(crm('demo', '--json'))['accounts']}
    base, processes = serve(env, app='tests.browser.nightclock:app', crm=tuple(python))
    yield base, accounts, env, night
    stop(processes)


def _prepare(env: dict, night: datetime, email: str) -> None:
    """Make two of the officer's open demo leads due on Beijing's today and on Beijing's yesterday (a standalone
    engine on the server's database: the test process's own app stays bound to its test database)."""
    from sqlalchemy import create_engine, select, update

    from crm.auth.models import User
    from crm.leads.models import Lead

    beijing = (night + timedelta(hours=8)).date()
    engine = create_engine(env['DATABASE_URL'])
    with engine.begin() as conn:
        officer = conn.scalar(select(User.id).where(User.email == email))
        ids = conn.scalars(select(Lead.id).where(Lead.owner_id == officer, Lead.stage == '洽谈')
                           .order_by(Lead.id).limit(2)).all()
        assert len(ids) == 2, 'the demo gives the officer leads in negotiation'
        for lead_id, title, day in zip(ids, ('北京今日跟进项目', '北京昨日应跟进项目'),
                                       (beijing, beijing - timedelta(days=1))):
            conn.execute(update(Lead).where(Lead.id == lead_id).values(title=title, confidential=False,
                                                                         next_follow_up=day))
    engine.dispose()


def test_my_day_and_the_pack_cover_use_beijing_dates_after_midnight(night_server, page):
    base, accounts, env, night = night_server
    beijing = (night + timedelta(hours=8)).date()
    assert beijing == night.date() + timedelta(days=1)
    _prepare(env, night, accounts['officer']['email'])
    sign_in(page, base, accounts['officer'])
    follow(page, 'nav.sidebar >> text=我的一天')
    assert page.inner_text('h1').endswith(beijing.isoformat()), page.inner_text('h1')
    today_list = page.locator('section.card', has_text='今日应跟进').first.inner_text()
    overdue_list = page.locator('section.card', has_text='跟进逾期').first.inner_text()
    assert '北京今日跟进项目' in today_list and '北京今日跟进项目' not in overdue_list
    assert '北京昨日应跟进项目' in overdue_list and '已逾期 1 天' in overdue_list
    screenshot(page, 'my-day-beijing-night')
    page.click('text=北京今日跟进项目')
    page.locator('form[action$="/packs"] button[type=submit]').first.click()
    page.wait_for_selector('text=下载 PDF', timeout=90_000)
    with page.expect_download() as download:
        page.click('text=下载 PDF')
    text = re.sub(r'\s+', '', ''.join(p.extract_text() for p in PdfReader(download.value.path()).pages))
    cover = text[:600]
    assert beijing.isoformat() in cover or f'{beijing.year}年{beijing.month}月{beijing.day}日' in cover, cover
    assert page.problems == []
