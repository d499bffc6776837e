"""Two app instances behind one address behave as one system: two gunicorn servers (as on two machines) on
different ports, one PostgreSQL database, one Redis, one `crm worker`, configured only through the environment as
the README's deployment says. A session signed in on one is valid (and ended) on the other, the login rate limit
counts attempts on both, the dashboard's cached figures are shared and cleared by an edit on either, and a pack
build queued on one is run by the worker and downloaded from the other.

Each instance is reached directly (the cookie jar sends a host's cookies to every port of it, as a browser does
behind one address). Needs PostgreSQL and Redis: skipped loudly without them, failed under CI."""
from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

from tests.conftest import (
    CSRF_RE,
    PG_BASE_URL,
    REDIS_URL,
    FormParser,
    _create_pg_database,
    _drop_pg_database,
    migrate,
    unavailable,
)

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = 'correct horse battery'
SECRET_KEY = 'two-instances-share-this-secret-key-0123456789abcdef'

# Run once in a process of its own (the test process keeps its own app and engine): reference data, an officer,
# a signed lead with its planned investment, and a lead a pack can be built for.
SETUP = r'''
import json, sys
from decimal import Decimal
from sqlalchemy import select
from crm import create_app
from crm.db import db
from crm.leads.models import Lead
from crm.platforms.models import Platform
from crm.seed import run_seed
from tests.factories import Factories

app = create_app({'SQLALCHEMY_DATABASE_URI': sys.argv[1], 'INSTANCE_PATH': sys.argv[2]})
with app.app_context():
    run_seed()
    db.session.commit()
factories = Factories(app.test_request_context)
officer = factories.user('officer', email='officer@two-instances.cn', name='双实例专员', password=sys.argv[3])
signed = factories.lead(owner=officer, stage='签约', title='双实例签约项目')
firm = factories.firm('杭州星竞电子竞技有限公司', industry_code='877')
with app.app_context():
    platform = db.session.scalars(select(Platform).where(Platform.name == '电竞数娱产业园')).one()
building = factories.building(platform, name='电竞大楼')
for number in ('801', '802'):
    factories.unit(building, number=number, area='800', rent='3.5')
packed = factories.lead(firm, owner=officer, title='电竞俱乐部区域总部')
with app.app_context():
    db.session.get(Lead, signed.id).investment = Decimal(1234)
    db.session.get(Lead, packed.id).space_need_m2 = Decimal(800)
    db.session.commit()
print(json.dumps({'officer': officer.email, 'signed': signed.id, 'packed': packed.id}))
'''


class Browser:
    """A browser's cookie jar, talking to any instance; redirects are returned, not followed."""

    class _NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    def __init__(self) -> None:
        self.jar = CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), self._NoRedirect)

    def request(self, base: str, path: str, data: dict | None = None) -> tuple[int, dict, bytes]:
        body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
        try:
            with self.opener.open(urllib.request.Request(base + path, data=body), timeout=60) as response:
                return response.status, dict(response.headers), response.read()
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), error.read()

    def get(self, base: str, path: str) -> tuple[int, dict, str]:
        status, headers, body = self.request(base, path)
        return status, headers, body.decode('utf-8', 'replace')

    def post_form(self, base: str, path: str, data: dict, *, token_from: str | None = None) -> tuple[int, dict, str]:
        """Load a page of the same instance for its CSRF token, then post, as a browser does."""
        status, _headers, page = self.get(base, token_from or path)
        assert status == 200, (status, page[:300])
        match = CSRF_RE.search(page)
        assert match, 'page carries no CSRF token'
        status, headers, body = self.request(base, path, {'csrf_token': match.group(1) or match.group(2), **data})
        return status, headers, body.decode('utf-8', 'replace')


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def _wait_until_serving(base: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f'instance at {base} exited: {log.read_text()[-3000:]}')
        try:
            with urllib.request.urlopen(base + '/login', timeout=5) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.5)
    pytest.fail(f'instance at {base} did not answer within 120 s: {log.read_text()[-3000:]}')


@pytest.fixture
def deployment(tmp_path, redis_prefix):
    """One PostgreSQL database, one Redis, two gunicorn instances and (started by the test) one worker."""
    try:
        url = _create_pg_database()
    except OperationalError as exc:
        unavailable(f'PostgreSQL unreachable at {PG_BASE_URL}: {str(exc).splitlines()[0]}')
    processes: list[subprocess.Popen] = []
    instance = tmp_path / 'instance'  # stored packs: one folder (shared storage across machines)
    try:
        migrate(url)
        done = subprocess.run([sys.executable, '-c', SETUP, url, str(instance), PASSWORD], cwd=ROOT,
                              env={**os.environ, 'CRM_ENV': 'testing', 'CRM_INSTANCE_PATH': str(instance)},
                              capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr[-3000:]
        records = json.loads(done.stdout.strip().splitlines()[-1])
        ports = [_free_port(), _free_port()]
        env = {key: value for key, value in os.environ.items()
               if key not in ('CRM_ENV', 'RATELIMIT_STORAGE_URI', 'CACHE_URL', 'HUEY_REDIS_URL', 'LOGIN_IP_LIMIT')}
        env.update({'CRM_ENV': 'development', 'DATABASE_URL': url, 'SECRET_KEY': SECRET_KEY,
                    'CRM_INSTANCE_PATH': str(instance), 'CRM_BASE_URL': f'http://127.0.0.1:{ports[0]}',
                    'RATELIMIT_STORAGE_URI': REDIS_URL, 'RATELIMIT_KEY_PREFIX': redis_prefix,
                    'LOGIN_IP_LIMIT': '6 per minute',
                    'CACHE_URL': REDIS_URL, 'CACHE_KEY_PREFIX': redis_prefix,
                    'HUEY_REDIS_URL': REDIS_URL, 'JOBS_QUEUE_NAME': redis_prefix})
        bases = []
        for n, port in enumerate(ports):
            log = tmp_path / f'instance-{n}.log'
            processes.append(subprocess.Popen(
                [sys.executable, '-m', 'gunicorn', '--workers', '1', '--threads', '2', '--timeout', '120',
                 '--bind', f'127.0.0.1:{port}', 'wsgi:app'],
                cwd=ROOT, env=env, stdout=log.open('w'), stderr=subprocess.STDOUT))
            bases.append(f'http://127.0.0.1:{port}')
        for n, base in enumerate(bases):
            _wait_until_serving(base, processes[n], tmp_path / f'instance-{n}.log')

        def start_worker() -> subprocess.Popen:
            log = tmp_path / 'worker.log'
            worker = subprocess.Popen([str(Path(sys.executable).with_name('crm')), 'worker'], cwd=ROOT, env=env,
                                      stdout=log.open('w'), stderr=subprocess.STDOUT)
            processes.append(worker)
            return worker

        yield {'url': url, 'a': bases[0], 'b': bases[1], 'start_worker': start_worker, 'logs': tmp_path, **records}
    finally:
        for process in reversed(processes):
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
        _drop_pg_database(url)


def _figures(page: str) -> dict:
    match = re.search(r'<script type="application/json" id="dashboard-data">(.*?)</script>', page, re.S)
    assert match, 'the dashboard carries its figures'
    return json.loads(match.group(1))


@pytest.mark.nodb
def test_two_instances_behind_one_address_are_one_system(deployment):
    a, b = deployment['a'], deployment['b']
    officer = Browser()

    # (a) a session signed in on one instance is valid on the other, and ended there for both
    status, headers, _body = officer.post_form(a, '/login', {'email': deployment['officer'], 'password': PASSWORD})
    assert status == 302 and '/login' not in headers['Location']
    status, _headers, page = officer.get(b, '/leads/')
    assert status == 200 and '双实例签约项目' in page and '双实例专员' in page

    # (b) the login limit (6 a minute per address) counts the attempts made on both instances: the officer's
    # sign-in and two wrong passwords on one, three on the other are all answered; the next one is refused on both
    stranger = Browser()
    answered = []
    for n in range(5):
        status, _headers, _page = stranger.post_form(a if n < 2 else b, '/login', {
            'email': f'nobody{n}@two-instances.cn', 'password': 'not the password'})
        answered.append(status)
    assert answered == [200] * 5
    for base in (a, b):
        status, _headers, _page = stranger.post_form(base, '/login', {'email': 'nobody@two-instances.cn',
                                                                      'password': 'not the password'})
        assert status == 429, base

    # (c) the dashboard's figures computed on one instance are served from the shared cache on the other ...
    status, _headers, page = officer.get(a, '/leads/dashboard')
    first = _figures(page)
    assert status == 200 and first['signed'] == {'projects': 1, 'investment': 1234.0}
    engine = create_engine(deployment['url'])
    with engine.begin() as conn:  # behind the application's back: no instance is told, no fingerprint moves
        conn.execute(text('UPDATE lead SET investment = 9999 WHERE id = :id'), {'id': deployment['signed']})
    engine.dispose()
    time.sleep(1.1)  # a figure computed now would carry a later second
    status, _headers, page = officer.get(b, '/leads/dashboard')
    second = _figures(page)
    assert second['signed']['investment'] == 1234.0 and second['generated_at'] == first['generated_at'], \
        'the second instance computed its own figures instead of using the shared ones'
    # ... and an edit saved on that other instance clears them for both
    edit = f"/leads/{deployment['signed']}/edit"
    status, _headers, page = officer.get(b, edit)
    parser = FormParser()
    parser.feed(page)
    values = next(values for action, values, _selects in parser.forms if 'investment' in values)
    values['investment'] = ['5678']
    status, headers, body = officer.request(b, edit, values)
    assert status == 302, body[:2000]
    status, _headers, page = officer.get(a, '/leads/dashboard')
    assert _figures(page)['signed']['investment'] == 5678.0

    # (d) a pack build queued on one instance waits for the worker, which runs it; the other shows and serves it
    lead = deployment['packed']
    status, headers, _body = officer.post_form(a, f'/leads/{lead}/packs', {'lang': 'zh'}, token_from=f'/leads/{lead}')
    assert status == 302 and '/packs/builds/' in headers['Location']
    build = urllib.parse.urlsplit(headers['Location']).path
    status, _headers, page = officer.get(b, build)
    assert status == 200 and '排队等待' in page, 'the build runs in the worker, not in the request'
    deployment['start_worker']()
    deadline, pdf_link = time.monotonic() + 240, None
    while pdf_link is None and time.monotonic() < deadline:
        time.sleep(1)
        status, _headers, fragment = officer.get(b, f'{build}/status')
        assert status == 200 and '推介包未生成' not in fragment, fragment[:2000]
        pdf_link = re.search(r'href="(/packs/\d+\.pdf)"', fragment)
    assert pdf_link, 'the worker did not build the pack: ' + (deployment['logs'] / 'worker.log').read_text()[-3000:]
    status, headers, pdf = officer.request(b, pdf_link.group(1))
    assert status == 200 and pdf[:4] == b'%PDF'

    # the session ends on both when the officer signs out on one
    status, _headers, _page = officer.post_form(b, '/logout', {}, token_from='/leads/')
    status, headers, _page = officer.get(a, '/leads/')
    assert status == 302 and '/login' in headers['Location']
