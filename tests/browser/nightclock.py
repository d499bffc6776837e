"""Serve or run the app with the one clock (crm.core.clock) starting at CRM_TEST_CLOCK_START and running on from
there: `gunicorn tests.browser.nightclock:app`, `python -m tests.browser.nightclock demo --json`.

Debian's libfaketime (0.9.10) cannot be used for this: under it Python's time.sleep fails with EINVAL or hangs, so
gunicorn and the job worker do not start. Product code takes every instant from crm.core.clock (a test in
tests/core/test_clock.py keeps it so), which is why shifting that one clock shifts the whole server.
"""
from __future__ import annotations

import os
import sys
from datetime import datetime, timezone

from crm.core import clock

_START = datetime.fromisoformat(os.environ['CRM_TEST_CLOCK_START'])
_REAL_START = datetime.now(timezone.utc)
_real_now = clock.now


def _shifted_now() -> datetime:
    return _START + (_real_now() - _REAL_START)


clock.now = _shifted_now

from wsgi import app  # noqa: E402,F401  (built after the clock is shifted; gunicorn serves it)

if __name__ == '__main__':
    from crm.cli import main

    sys.argv[0] = 'crm'
    main()
