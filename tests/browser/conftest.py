"""A real server (gunicorn, own SQLite database with demo data) and Debian's Chromium driven by Playwright."""
from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import unavailable

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
CHROMIUM = shutil.which('chromium') or '/usr/bin/chromium'
ARTIFACTS = ROOT / 'test-artifacts'
LIVE_ENV: dict = {}  # the live server's environment (its database), for tests that prepare data in it


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def _crm(env: dict, *args: str) -> str:
    result = subprocess.run([str(BIN / 'crm'), *args], env=env, cwd=ROOT, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.fixture(scope='session')
def live_server(tmp_path_factory):
    """Serve the app like `make run` does, on a free loopback port; yields (base_url, demo accounts)."""
    instance = tmp_path_factory.mktemp('instance')
    env = {**os.environ, 'CRM_ENV': 'development', 'CRM_INSTANCE_PATH': str(instance),
           'DATABASE_URL': f'sqlite:///{instance / "crm.db"}',
           # notification webhooks may also go to a loopback stand-in for the group robot
           'CRM_WEBHOOK_HOSTS': 'qyapi.weixin.qq.com,oapi.dingtalk.com,127.0.0.1'}
    _crm(env, 'db', 'upgrade')
    _crm(env, 'seed')
    accounts = {a['role']: a for a in json.loads(_crm(env, 'demo', '--json'))['accounts']}
    base, processes = serve(env)
    LIVE_ENV.update(env)
    yield base, accounts
    stop(processes)


def serve(env: dict, *, app: str = 'wsgi:app', crm: tuple[str, ...] = (str(BIN / 'crm'),)) -> tuple[str, list]:
    """gunicorn (2 workers) on a free loopback port and a `crm worker` beside it (pack builds run there, as under
    `make run`); returns the base URL once /healthz answers, and the processes. Like `make run`, the server is told
    its address (CRM_BASE_URL), so the links it prints (a pack's QR code, e-mails) lead back to it."""
    port = _free_port()
    env = {**env, 'CRM_BASE_URL': f'http://127.0.0.1:{port}'}
    server = subprocess.Popen([str(BIN / 'gunicorn'), '--workers', '2', '--bind', f'127.0.0.1:{port}', app],
                              env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    worker = subprocess.Popen([*crm, 'worker'], env=env, cwd=ROOT, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    base = f'http://127.0.0.1:{port}'
    for _ in range(300):
        try:
            urllib.request.urlopen(base + '/healthz', timeout=1)
            break
        except OSError:
            time.sleep(0.1)
    return base, [server, worker]


def stop(processes: list) -> None:
    for process in processes:
        process.terminate()
        process.wait(10)


@pytest.fixture(scope='session')
def browser():
    if not Path(CHROMIUM).exists():
        unavailable('Debian chromium is not installed (make test installs it)')
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
                  '--disable-sync', '--no-first-run', '--disable-quic'])
        yield instance
        instance.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={'width': 1366, 'height': 768}, locale='zh-CN')
    page = context.new_page()
    page.problems = []
    page.on('console', lambda msg: page.problems.append(msg.text) if msg.type == 'error' else None)
    page.on('dialog', lambda dialog: (page.problems.append(f'dialog: {dialog.message}'), dialog.dismiss()))
    yield page
    context.close()


def follow(page, target) -> None:
    """Click a link or a submit button (a selector or a locator) and wait until the page it opens has loaded: a click
    does not wait for the navigation it starts, and reading the page right after it could read the page being left."""
    with page.expect_navigation():
        page.click(target) if isinstance(target, str) else target.click()


def sign_in(page, base: str, account: dict) -> None:
    """Sign in as a demo account; the administrator also types the code its authenticator app would show (its key
    is published by `crm demo`)."""
    page.goto(base + '/login')
    page.fill('input[name=email]', account['email'])
    page.fill('input[name=password]', account['password'])
    page.click('button[type=submit].primary')
    if account.get('totp_secret'):
        page.wait_for_url(base + '/login/code')
        page.fill('input[name=code]', live_code(account))
        page.click('button[type=submit].primary')
    page.wait_for_url(base + '/')


def live_code(account: dict) -> str:
    """A code of the account's key the live server has not seen used (each code works once; a test session signs
    the administrator in many times, so when the current steps are used up the stored step is moved back, as if the
    next half-minute had come)."""
    import sqlite3

    from crm.auth.totp import STEP_SECONDS
    from tests.conftest import fresh_code

    path = LIVE_ENV['DATABASE_URL'].removeprefix('sqlite:///')
    with sqlite3.connect(path, timeout=10) as conn:
        user_id, last = conn.execute('SELECT u.id, t.last_step FROM user u JOIN user_totp t ON t.user_id = u.id '
                                     'WHERE u.email = ?', (account['email'],)).fetchone()
        code, reset = fresh_code(account['totp_secret'], last, int(time.time()) // STEP_SECONDS)
        if reset is not None:
            conn.execute('UPDATE user_totp SET last_step = ? WHERE user_id = ?', (reset, user_id))
    return code


SCREEN_SIZES = ((1366, 768), (390, 844))  # the office desktop, and a phone on a site tour
SETTLED = '() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))'  # resize handlers ran


def screenshot(page, name: str) -> None:
    """Save the whole page at each screen size as `test-artifacts/NAME-WIDTH.png`; at every size the page itself
    must not scroll sideways (wide tables and the kanban board scroll inside their own box)."""
    ARTIFACTS.mkdir(exist_ok=True)
    viewport = page.viewport_size
    try:
        for width, height in SCREEN_SIZES:
            page.set_viewport_size({'width': width, 'height': height})
            page.evaluate(SETTLED)
            overflow = page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth')
            assert overflow <= 0, f'{name} is {overflow}px wider than a {width}px screen'
            page.screenshot(path=str(ARTIFACTS / f'{name}-{width}.png'), full_page=True)
    finally:
        page.set_viewport_size(viewport)
