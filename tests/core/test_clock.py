"""One clock: instants in UTC, business dates in the office's zone (Asia/Shanghai unless CRM_TIMEZONE says
otherwise), and no product code reading the date any other way."""
from __future__ import annotations

import re
from datetime import date, datetime, timezone
from pathlib import Path

import pytest

from config import ConfigError, load_config
from crm.core import clock

pytestmark = pytest.mark.nodb
ROOT = Path(__file__).resolve().parents[2]


def test_no_product_code_reads_the_date_around_the_clock():
    stray = re.compile(r'\b(date\.today|datetime\.now|datetime\.utcnow|datetime\.today|date\.fromtimestamp)\(')
    found = [f'{path.relative_to(ROOT)}:{n}' for path in (ROOT / 'crm').rglob('*.py') if path.name != 'clock.py'
             for n, line in enumerate(path.read_text().splitlines(), 1) if stray.search(line)]
    assert found == []


def test_after_midnight_in_beijing_it_is_already_tomorrow():
    with clock.frozen(datetime(2026, 11, 30, 17, 30, tzinfo=timezone.utc)):
        assert clock.today() == date(2026, 12, 1)
        assert clock.now() == datetime(2026, 11, 30, 17, 30, tzinfo=timezone.utc)
    with clock.frozen(datetime(2026, 11, 30, 15, 59, tzinfo=timezone.utc)):
        assert clock.today() == date(2026, 11, 30)


def test_business_days_and_months_start_at_beijing_midnight():
    assert clock.start_of(date(2026, 12, 1)) == datetime(2026, 11, 30, 16, 0, tzinfo=timezone.utc)
    assert clock.month_range(2026, 12) == (datetime(2026, 11, 30, 16, tzinfo=timezone.utc),
                                           datetime(2026, 12, 31, 16, tzinfo=timezone.utc))
    assert clock.month_key(datetime(2026, 11, 30, 23, 0, tzinfo=timezone.utc)) == '2026-12'  # 07:00 on 1 Dec
    assert clock.local_date(datetime(2026, 11, 30, 23, 0)) == date(2026, 12, 1)  # naive values are UTC


def test_the_digest_is_scheduled_at_half_past_eight_beijing_time():
    due = clock.at_local_time(8, 30)
    assert due(datetime(2026, 12, 5, 0, 30)) is True  # the queue hands over naive UTC times
    assert due(datetime(2026, 12, 5, 8, 30)) is False


def test_the_zone_is_a_setting(monkeypatch):
    monkeypatch.setenv('CRM_TIMEZONE', 'Asia/Urumqi')
    config = load_config('testing')
    assert config.BUSINESS_TIMEZONE == 'Asia/Urumqi' == config.BABEL_DEFAULT_TIMEZONE
    monkeypatch.setenv('CRM_TIMEZONE', 'Mars/Olympus')
    with pytest.raises(ConfigError, match='未知的时区'):
        load_config('testing')
