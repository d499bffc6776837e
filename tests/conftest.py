"""Test harness: one app per database (SQLite file and PostgreSQL), each test in a rolled-back transaction.

Every test that uses `app`, `client` or `db_session` runs twice: once on SQLite and once on
PostgreSQL. PostgreSQL comes from CRM_TEST_PG_URL (default postgresql://postgres@127.0.0.1:5432/);
a fresh UTF-8 database is created for the run and dropped afterwards. When PostgreSQL cannot be
reached its tests are skipped with a loud warning, except under CI (CI=true), where they fail.
"""
from __future__ import annotations

import os
import re
import socket
import uuid
from collections import Counter
from datetime import datetime, time, timedelta, timezone
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

os.environ.setdefault('CRM_ENV', 'testing')

from crm import create_app  # noqa: E402
from crm.cli import alembic_config  # noqa: E402
from crm.core import cache as figures_cache  # noqa: E402
from crm.db import db  # noqa: E402
from crm.extensions import limiter  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
PG_BASE_URL = os.environ.get('CRM_TEST_PG_URL', 'postgresql://postgres@127.0.0.1:5432/')
REDIS_URL = os.environ.get('CRM_TEST_REDIS_URL', 'redis://127.0.0.1:6379')
IN_CI = os.environ.get('CI', '').lower() in {'1', 'true', 'yes'}
_RAN: Counter = Counter()
_PG_PROBLEM: list[str] = []


def unavailable(message: str) -> None:
    """A service the suite needs is missing: fail under CI, otherwise skip loudly (reported at the end)."""
    _PG_PROBLEM.append(message)
    if IN_CI:
        pytest.fail(message + ' (required under CI)', pytrace=False)
    pytest.skip(message)


@pytest.fixture
def redis_prefix():
    """A key prefix of this test's own in the shared Redis (limiter, figures cache, job queue); its keys are removed
    afterwards. Redis unreachable: the test fails under CI, else is skipped."""
    import uuid

    import redis

    server = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        server.ping()
    except redis.exceptions.ConnectionError as exc:
        unavailable(f'Redis unreachable at {REDIS_URL} ({exc}); start it with redis-server or set CRM_TEST_REDIS_URL')
    prefix = f'crm-test-{uuid.uuid4().hex[:12]}'
    yield prefix
    # huey names its keys after the queue name without its dashes
    keys = [*server.scan_iter(f'*{prefix}*'), *server.scan_iter(f"*{prefix.replace('-', '')}*")]
    if keys:
        server.delete(*keys)
    server.close()


def migrate(url: str, revision: str = 'head') -> None:
    """Run the Alembic migrations against `url`."""
    from alembic import command

    command.upgrade(alembic_config(url), revision)


def _pg_admin_url() -> str:
    base = PG_BASE_URL.rstrip('/')
    if base.count('/') <= 2:  # no database name given
        base += '/postgres'
    return base.replace('postgresql://', 'postgresql+psycopg://', 1)


def _create_pg_database() -> str:
    name = f'crm_test_{os.getpid()}_{uuid.uuid4().hex[:6]}'
    admin = create_engine(_pg_admin_url(), isolation_level='AUTOCOMMIT')
    try:
        with admin.connect() as conn:
            conn.execute(text(f"CREATE DATABASE {name} ENCODING 'UTF8' LC_COLLATE 'C.UTF-8' "
                              f"LC_CTYPE 'C.UTF-8' TEMPLATE template0"))
    finally:
        admin.dispose()
    return _pg_admin_url().rsplit('/', 1)[0] + '/' + name


def _drop_pg_database(url: str) -> None:
    name = url.rsplit('/', 1)[1]
    admin = create_engine(_pg_admin_url(), isolation_level='AUTOCOMMIT')
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS {name} WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(params=['sqlite', 'postgresql'])
def scratch_databases(request, tmp_path):
    """A factory of fresh, empty (not migrated) databases of one kind, dropped after the test.

    For tests that need whole databases of their own: migrations, backups, several processes.
    `scratch_databases()` returns a new URL; `scratch_databases.kind` is 'sqlite' or 'postgresql'.
    """
    created: list[str] = []

    def new() -> str:
        if request.param == 'sqlite':
            url = f'sqlite:///{tmp_path / f"scratch-{len(created)}.db"}'
        else:
            try:
                url = _create_pg_database()
            except OperationalError as exc:
                unavailable(f'PostgreSQL unreachable at {PG_BASE_URL}: {str(exc).splitlines()[0]}')
        if not created:
            _RAN[request.param] += 1
        created.append(url)
        return url

    new.kind = request.param
    yield new
    for url in created:
        if not url.startswith('sqlite'):
            _drop_pg_database(url)


@pytest.fixture(scope='session', params=['sqlite', 'postgresql'])
def database_url(request, tmp_path_factory):
    """A migrated, empty database of each kind."""
    if request.param == 'sqlite':
        url = f"sqlite:///{tmp_path_factory.mktemp('sqlite') / 'crm-test.db'}"
        migrate(url)
        yield url
        return
    try:
        url = _create_pg_database()
    except OperationalError as exc:
        unavailable(f'PostgreSQL unreachable at {PG_BASE_URL}: {str(exc).splitlines()[0]}')
    migrate(url)
    yield url
    db.session.remove()
    if db.engine is not None:
        db.engine.dispose()
    _drop_pg_database(url)


@pytest.fixture(scope='session')
def app(database_url, tmp_path_factory):
    """The application, bound to this run's database, with reference data seeded."""
    application = create_app({'SQLALCHEMY_DATABASE_URI': database_url, 'SERVER_NAME': 'localhost',
                              'PREFERRED_URL_SCHEME': 'http',
                              'INSTANCE_PATH': str(tmp_path_factory.mktemp('instance'))})
    with application.app_context():
        from crm.seed import run_seed

        run_seed()
        db.session.commit()
    application.config['DB_KIND'] = 'sqlite' if database_url.startswith('sqlite') else 'postgresql'
    return application


@pytest.fixture
def db_session(app, request):
    """The request-scoped session, inside a transaction that is rolled back after the test."""
    _RAN[app.config['DB_KIND']] += 1
    connection = db.engine.connect()
    transaction = connection.begin()
    db.session.remove()
    db.session.configure(bind=connection, join_transaction_mode='create_savepoint')
    limiter.reset()
    if isinstance(app.extensions.get(figures_cache.EXTENSION), figures_cache.MemoryCache):
        app.extensions[figures_cache.EXTENSION] = figures_cache.MemoryCache()  # nothing kept from another test
    yield db.session
    db.session.remove()
    transaction.rollback()
    connection.close()
    db.session.configure(bind=db.engine, join_transaction_mode='rollback_only')


@pytest.fixture
def client(app, db_session):
    """A test client on the real HTTP stack (CSRF on)."""
    return app.test_client()


@pytest.fixture
def in_app(app, db_session):
    """Run code that needs an application context (services, factories) without keeping it pushed."""
    from contextlib import contextmanager

    @contextmanager
    def context():
        with app.test_request_context():
            yield

    return context


BEIJING_NIGHT = time(17, 30)  # UTC: 01:30 the next day in Beijing, when UTC and Beijing dates differ


@pytest.fixture(params=['now', 'beijing-night'])
def business_clock(request):
    """Date-dependent tests run twice: on the real clock, and with the clock fixed at 17:30 UTC (01:30 the next
    day in Beijing), where any date taken in UTC instead of the office's zone is a day behind."""
    from crm.core import clock

    if request.param == 'now':
        yield None
        return
    night = datetime.combine(datetime.now(timezone.utc).date(), BEIJING_NIGHT, tzinfo=timezone.utc)
    with clock.frozen(night):
        assert clock.today() == night.date() + timedelta(days=1)
        yield night


# --- helpers ---------------------------------------------------------------------------------

CSRF_RE = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|"X-CSRFToken": "([^"]+)"')


def csrf_from(html: str | bytes) -> str:
    """The CSRF token embedded in a rendered page."""
    if isinstance(html, bytes):
        html = html.decode()
    match = CSRF_RE.search(html)
    assert match, 'page carries no CSRF token'
    return match.group(1) or match.group(2)


def errors_beside(html: str | bytes, name: str, form_action: str | None = None) -> list[str]:
    """The refusals a page shows beside its input `name` (in the form posting to `form_action`, if given): the
    messages of the `<p class="error" id="…-err">` the input points to with aria-describedby, asserted to follow it."""
    if isinstance(html, bytes):
        html = html.decode()
    if form_action is not None:
        start = html.index(f'action="{form_action}"')
        html = html[start:html.index('</form>', start)]
    tag = re.search(rf'<(?:input|select|textarea)\b[^>]*\bname="{re.escape(name)}"[^>]*>', html)
    assert tag, f'no input named {name}'
    described = re.search(r'aria-describedby="([^"]+)"', tag.group(0))
    if not described:
        return []
    after = html[tag.end():]
    messages = re.findall(rf'<p class="error" id="{re.escape(described.group(1))}">(.*?)</p>', after)
    assert messages and not re.findall(r'<(?:input|select|textarea)\b', after[:after.index(messages[0])]), \
        'the message follows its input'
    return messages


def post_form(client, url: str, data: dict, *, token_from: str | None = None, **kwargs):
    """POST a form the way a browser does: load a page first to get the CSRF token."""
    page = client.get(token_from or url)
    payload = {'csrf_token': csrf_from(page.data), **data}
    return client.post(url, data=payload, **kwargs)


def login(client, email: str, password: str, follow_redirects: bool = False, *, code: bool = True):
    """Sign in through the login form; for an account with two-step sign-in, also through the code page with the
    current code of its authenticator secret (unless `code=False`: the answer of the password step is returned)."""
    response = post_form(client, '/login', {'email': email, 'password': password})
    if code and response.status_code == 302 and response.headers['Location'].startswith('/login/code'):
        response = post_form(client, '/login/code', {'code': sign_in_code(client.application, email)})
    if follow_redirects and response.status_code in (301, 302, 303):
        response = client.get(response.headers['Location'], follow_redirects=True)
    return response


def fresh_code(secret: str, last_step: int, now_step: int) -> tuple[str, int | None]:
    """A code of `secret` the server will accept (a step within ±1 of now, after the last one used) and, when every
    such step is used up (two sign-ins in 30 seconds), the last step to store first, as if time had passed. The
    code is of the current step or the next, never the last one: on a busy machine a step boundary may pass before
    the server checks it, and the last step would then be out of its window."""
    import pyotp

    step, reset = max(now_step, last_step + 1), None
    if step > now_step + 1:
        step, reset = now_step, now_step - 1
    return pyotp.TOTP(secret).generate_otp(step), reset


def sign_in_code(app, email: str) -> str:
    """The code a user's authenticator app shows now (one the server has not seen used yet)."""
    from crm.auth.models import user_by_email
    from crm.auth.totp import TotpFactor, current_step

    with app.app_context():
        factor = db.session.get(TotpFactor, user_by_email(email).id)
        code, reset = fresh_code(factor.secret, factor.last_step, current_step())
        if reset is not None:
            factor.last_step = reset
            db.session.commit()
        return code


class FormParser(HTMLParser):
    """The forms of a page: their action and the values a browser would submit unchanged."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[tuple[str, dict[str, list[str]], set[str]]] = []
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == 'form':
            self.forms.append((a.get('action') or '', {}, set()))
        if not self.forms or not a.get('name'):
            if tag == 'option' and self._select and self.forms:
                self._option(a)
            return
        _action, values, choices = self.forms[-1]
        name = a['name']
        if tag == 'input':
            kind = a.get('type', 'text')
            if kind in ('checkbox', 'radio') and 'checked' not in a:
                return
            if kind not in ('submit', 'button', 'file'):
                values.setdefault(name, []).append(a.get('value') or '')
        elif tag == 'select':
            self._select = name
            choices.add(name)
        elif tag == 'textarea':
            self._textarea = name
            values.setdefault(name, []).append('')

    def _option(self, a):
        values = self.forms[-1][1]
        if 'selected' in a or self._select not in values:
            values[self._select] = [a.get('value', '')]

    def handle_endtag(self, tag):
        if tag == 'select':
            self._select = None
        elif tag == 'textarea':
            self._textarea = None

    def handle_data(self, data):
        if self._textarea and self.forms:
            self.forms[-1][1][self._textarea][-1] += data


def filled_form(client, page_url: str, action: str | None = None) -> tuple[dict[str, list[str]], set[str]] | None:
    """The values a browser would post, unchanged, with the form that posts to `action` (default: the page itself)
    on `page_url`, and the names of its <select>s; None when the page has no such form."""
    response = client.get(page_url)
    if response.status_code != 200 or not response.mimetype.startswith('text/html'):
        return None
    parser = FormParser()
    parser.feed(response.get_data(as_text=True))
    for form_action, values, selects in parser.forms:
        if urlsplit(form_action or page_url).path == urlsplit(action or page_url).path:
            return values, selects
    return None


@pytest.fixture
def factories(in_app):
    """Factory functions for users and platforms (committed to the test's savepoint)."""
    from tests import factories as module

    return module.Factories(in_app)


@pytest.fixture
def logged_in(client, factories):
    """Create a user of the given role and return a client signed in as them."""

    def sign_in(role: str = 'officer', **kwargs):
        user = factories.user(role=role, **kwargs)
        response = login(client, user.email, factories.PASSWORD)
        assert response.status_code == 302, response.data[:500]
        return user

    return sign_in


@pytest.fixture
def token_for(in_app):
    """Create an API token for a user (days of validity as on the account page); returns the token text."""

    def make(user, *, days: int = 90, name: str = '测试脚本') -> str:
        from crm.auth.models import User
        from crm.auth.tokens import create_token

        with in_app():
            _row, text = create_token(db.session.get(User, user.id), name, days=days)
            db.session.commit()
            return text

    return make


@pytest.fixture
def count_queries(app, db_session):
    """`with count_queries() as seen:` collects the SQL statements run inside the block (savepoints left out)."""
    from contextlib import contextmanager

    from sqlalchemy import event

    @contextmanager
    def counting():
        seen: list[str] = []

        def record(_conn, _cursor, statement, *_args):
            if not statement.lstrip().upper().startswith(('SAVEPOINT', 'RELEASE', 'ROLLBACK TO')):
                seen.append(statement)

        event.listen(db.engine, 'before_cursor_execute', record)
        try:
            yield seen
        finally:
            event.remove(db.engine, 'before_cursor_execute', record)

    return counting


# --- no network egress --------------------------------------------------------------------------

_real_connect = socket.socket.connect
_real_connect_ex = socket.socket.connect_ex


def _is_local(sock, address) -> bool:
    if sock.family == getattr(socket, 'AF_UNIX', None):
        return True
    host = address[0] if isinstance(address, tuple) else address
    return isinstance(host, str) and (host.startswith('127.') or host in {'localhost', '::1'} or host.startswith('/'))


def _guarded_connect(sock, address):
    if not _is_local(sock, address):
        raise AssertionError(f'network egress attempted to {address!r}: tests must stay on loopback')
    return _real_connect(sock, address)


def _guarded_connect_ex(sock, address):
    if not _is_local(sock, address):
        raise AssertionError(f'network egress attempted to {address!r}: tests must stay on loopback')
    return _real_connect_ex(sock, address)


@pytest.fixture(autouse=True)
def no_egress(monkeypatch):
    """Any connection outside loopback fails the test (connect and connect_ex; create_connection uses connect)."""
    monkeypatch.setattr(socket.socket, 'connect', _guarded_connect)
    monkeypatch.setattr(socket.socket, 'connect_ex', _guarded_connect_ex)


# --- running in parallel (pytest-xdist, `make test`) ------------------------------------------------
# Each worker process is a whole harness of its own: its PostgreSQL database (named after its process), its SQLite
# files and instance folders (under the worker's own tmp_path_factory), its Redis key prefixes (redis_prefix) and its
# servers on free ports. Tests that share one costly thing run in one worker: the browser tests share one live server
# and one Chromium (xdist_group, with `--dist loadgroup`).

XDIST_GROUPS = {'browser': 'browser'}  # test folder under tests/ -> the xdist group its tests run in


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    """Mark the tests of XDIST_GROUPS' folders with their group (before xdist reads the marks)."""
    for item in items:
        try:
            parts = Path(item.path).relative_to(ROOT / 'tests').parts
        except ValueError:
            continue
        if parts and parts[0] in XDIST_GROUPS and item.get_closest_marker('xdist_group') is None:
            item.add_marker(pytest.mark.xdist_group(XDIST_GROUPS[parts[0]]))


def pytest_configure(config):
    config.addinivalue_line('markers', 'xdist_group(name): run in one worker with the rest of its group (xdist)')


def pytest_sessionfinish(session):
    """In an xdist worker: hand the per-database counts and service problems to the controller's summary."""
    output = getattr(session.config, 'workeroutput', None)
    if output is not None:
        output['crm_ran'] = dict(_RAN)
        output['crm_problems'] = list(_PG_PROBLEM)


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error):
    """In the xdist controller: add up what each worker ran."""
    output = getattr(node, 'workeroutput', None) or {}
    _RAN.update(output.get('crm_ran', {}))
    _PG_PROBLEM.extend(p for p in output.get('crm_problems', []) if p not in _PG_PROBLEM)


def pytest_terminal_summary(terminalreporter):
    counts = ', '.join(f'{kind}: {n}' for kind, n in sorted(_RAN.items())) or 'none'
    terminalreporter.write_line(f'database-backed tests run per database: {counts}')
    for problem in _PG_PROBLEM:
        terminalreporter.write_line('!' * 78, red=True)
        terminalreporter.write_line(f'WARNING: {problem}; the tests needing it were SKIPPED', red=True)
        terminalreporter.write_line('!' * 78, red=True)
