"""soak_requests, soak_5xx, soak_p95_ms and soak_cpu_ms_per_request: gunicorn (2 workers × 4 threads, gthread) on a
loopback port against a database of the bench's engine (SQLite, or PostgreSQL with BENCH_DB=postgresql: the
soak_pg_* entries) with 10,000 firms and 50,000 leads, browsed by 50 signed-in clients at once for a fixed time.

Each client is a thread with its own keep-alive connection, its own session cookie and its own loopback source
address (127.0.0.2 …), as 50 officers on 50 machines would be; they read lead lists with filters and pages, lead
details, the firm list, the vacancy search and the dashboard, and now and then save a follow-up (with CSRF).
Between requests each waits a moment (BENCH_SOAK_THINK seconds on average, default 0.5). BENCH_SOAK_SECONDS sets
the duration (default 120), BENCH_SOAK_CLIENTS the number of clients (default 50). The server records the CPU time of every request's thread
(tests/bench/soak_gunicorn.py): mean, p50 and p95 milliseconds per route are in soak_cpu_ms_per_request's detail.
BENCH_SOAK_PROFILE=1 adds py-spy's sampling profile of the workers there: the shares of SQL, templates and the rest,
and the top frames.
"""
from __future__ import annotations

import http.client
import os
import random
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
from http.cookies import SimpleCookie
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
FIRMS, LEADS, UNITS = 10_000, 50_000, 2_000
CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
LEAD_LINK = re.compile(r'href="/leads/(\d+)"')
STAGES = ('线索', '初步接触', '洽谈', '签约', '入驻')
LIST_KINDS = {'lead_list', 'lead_filter', 'lead_page', 'firm_list', 'unit_search'}
# role → demo account (crm demo); clients take them in turn. Not the administrator: it signs in with a one-time code,
# and each code works once, so fifty clients signing in at the same moment could not all be administrators.
ACCOUNTS = [('officer@demo-crm.cn', 'demo-officer-2026'), ('leader@demo-crm.cn', 'demo-leader-2026'),
            ('officer@demo-crm.cn', 'demo-officer-2026'), ('leader@demo-crm.cn', 'demo-leader-2026'),
            ('park@demo-crm.cn', 'demo-park-2026')]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def _crm(env: dict, *args: str) -> str:
    done = subprocess.run([str(BIN / 'crm'), *args], env=env, cwd=ROOT, capture_output=True, text=True, timeout=1800)
    if done.returncode != 0:
        raise RuntimeError(f'crm {" ".join(args)} failed: {done.stderr[-2000:]}')
    return done.stdout


class Client:
    """One browser: a keep-alive connection from its own loopback address, a cookie jar, CSRF from pages."""

    def __init__(self, port: int, index: int) -> None:
        self.port, self.source = port, (f'127.0.0.{2 + index}', 0)
        self.cookies: dict[str, str] = {}
        self.conn: http.client.HTTPConnection | None = None
        self.reconnects = 0

    def _connection(self) -> http.client.HTTPConnection:
        if self.conn is None:
            self.conn = http.client.HTTPConnection('127.0.0.1', self.port, timeout=60, source_address=self.source)
        return self.conn

    def request(self, method: str, path: str, form: dict | None = None) -> tuple[int, str]:
        headers = {'Cookie': '; '.join(f'{k}={v}' for k, v in self.cookies.items()), 'Accept-Language': 'zh-CN'}
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            headers['Content-Type'] = 'application/x-www-form-urlencoded'
        for attempt in (1, 2):
            conn = self._connection()
            try:
                conn.request(method, path, body=body, headers=headers)
                response = conn.getresponse()
                text = response.read().decode('utf-8', 'replace')
                break
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError,
                    http.client.CannotSendRequest):
                conn.close()
                self.conn = None
                self.reconnects += 1
                if attempt == 2:
                    raise
        for header in response.headers.get_all('Set-Cookie') or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        return response.status, text

    def login(self, email: str, password: str) -> None:
        _status, page = self.request('GET', '/login')
        status, _text = self.request('POST', '/login', {'email': email, 'password': password,
                                                        'csrf_token': CSRF.search(page).group(1)})
        if status != 302:
            raise RuntimeError(f'login of {email} from {self.source[0]} answered {status}')


def _browse(client: Client, rng: random.Random, lead_ids: list[int], think: float, stop: float,
            log: list[tuple[str, float, int]]) -> None:
    """Requests until `stop`: (kind, milliseconds, status) appended to `log`."""

    def get(kind: str, path: str) -> str:
        started = time.perf_counter()
        status, text = client.request('GET', path)
        log.append((kind, (time.perf_counter() - started) * 1000, status))
        for match in LEAD_LINK.finditer(text[:200_000]):
            if len(lead_ids) < 500:
                lead_ids.append(int(match.group(1)))
        return text

    while time.monotonic() < stop:
        roll = rng.random()
        if roll < 0.20:
            get('lead_list', '/leads/')
        elif roll < 0.38:
            query = rng.choice([f'stage={urllib.parse.quote(rng.choice(STAGES))}', 'owner=me', 'overdue=1',
                                f'q={urllib.parse.quote("示例" + str(rng.randint(1, 999)))}', 'source=' +
                                urllib.parse.quote('自主招商')])
            get('lead_filter', f'/leads/?{query}')
        elif roll < 0.46:
            get('lead_page', f'/leads/?page={rng.randint(2, 40)}')
        elif roll < 0.64 and lead_ids:
            get('lead_detail', f'/leads/{rng.choice(lead_ids)}')
        elif roll < 0.76:
            get('firm_list', rng.choice(['/firms/', f'/firms/?q={urllib.parse.quote(rng.choice(["科技", "云图", "电竞"]))}',
                                         f'/firms/?page={rng.randint(2, 30)}']))
        elif roll < 0.88:
            low = rng.choice([50, 100, 200, 300])
            get('unit_search', f'/platforms/vacancies?area_min={low}&area_max={low * 4}&sort=rent')
        elif roll < 0.95:
            get('dashboard', '/leads/dashboard')
        elif lead_ids:
            lead_id = rng.choice(lead_ids)
            page = get('lead_detail', f'/leads/{lead_id}')
            token = CSRF.search(page)
            if token and f'action="/leads/{lead_id}/activities"' in page:
                started = time.perf_counter()
                status, _text = client.request('POST', f'/leads/{lead_id}/activities', {
                    'csrf_token': token.group(1), 'kind': '电话', 'subject': '电话回访（压力测试）',
                    'due_on': '', 'outcome': '已沟通'})
                log.append(('follow_up_post', (time.perf_counter() - started) * 1000, status))
        time.sleep(rng.uniform(0, 2 * think))


def _percentile(values: list[float], share: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def run(ctx, compare) -> list[dict]:
    seconds = float(os.environ.get('BENCH_SOAK_SECONDS', '120'))
    clients_n = int(os.environ.get('BENCH_SOAK_CLIENTS', '50'))
    think = float(os.environ.get('BENCH_SOAK_THINK', '0.5'))
    folder = ctx.tmp / 'soak'
    folder.mkdir()
    cpu_dir = folder / 'cpu'
    cpu_dir.mkdir()
    env = {**os.environ, 'CRM_ENV': 'development', 'CRM_INSTANCE_PATH': str(folder),
           'DATABASE_URL': ctx.scratch_url('soak'), 'SECRET_KEY': 'soak-bench-' + 'k' * 40,
           'BENCH_SOAK_CPU_DIR': str(cpu_dir), **_shared_state()}
    started = time.perf_counter()
    _crm(env, 'db', 'upgrade')
    _crm(env, 'seed')
    _crm(env, 'demo', '--firms', str(FIRMS), '--leads', str(LEADS), '--units', str(UNITS))
    build_seconds = time.perf_counter() - started

    port = _free_port()
    error_log = folder / 'gunicorn.log'
    server = subprocess.Popen([str(BIN / 'gunicorn'), '--workers', '2', '--threads', '4', '--worker-class', 'gthread',
                               '--bind', f'127.0.0.1:{port}', '--error-logfile', str(error_log), '--keep-alive', '5',
                               '--config', str(Path(__file__).with_name('soak_gunicorn.py')), 'wsgi:app'], env=env, cwd=ROOT, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        for _ in range(300):
            try:
                probe = http.client.HTTPConnection('127.0.0.1', port, timeout=2)
                probe.request('GET', '/healthz')
                if probe.getresponse().status == 200:
                    break
            except OSError:
                time.sleep(0.1)
        else:
            raise RuntimeError(f'gunicorn did not start: {error_log.read_text()[-2000:]}')
        clients = [Client(port, n) for n in range(clients_n)]
        for n, client in enumerate(clients):
            client.login(*ACCOUNTS[n % len(ACCOUNTS)])
        logs: list[list] = [[] for _ in clients]
        failures: list[str] = []
        stop = time.monotonic() + seconds
        profiler = _start_profile(server.pid, folder / 'profile.txt', seconds)

        def work(n: int) -> None:
            try:
                _browse(clients[n], random.Random(n), [], think, stop, logs[n])
            except Exception as exc:  # noqa: BLE001  (a client that dies is reported, not hidden)
                failures.append(f'client {n}: {type(exc).__name__}: {exc}')

        threads = [threading.Thread(target=work, args=(n,), daemon=True) for n in range(clients_n)]
        began = time.monotonic()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(seconds + 120)
        elapsed = time.monotonic() - began
        if profiler is not None:
            profiler.wait(60)
    finally:
        _stop(server)
    entries = [entry for log in logs for entry in log]
    statuses: dict[int, int] = {}
    for _kind, _ms, status in entries:
        statuses[status] = statuses.get(status, 0) + 1
    by_kind: dict[str, list[float]] = {}
    for kind, ms, _status in entries:
        by_kind.setdefault(kind, []).append(ms)
    all_ms = [ms for _kind, ms, _status in entries]
    list_ms = [ms for kind, ms, _status in entries if kind in LIST_KINDS]
    server_log = error_log.read_text(errors='replace') if error_log.exists() else ''
    fives = sum(n for status, n in statuses.items() if status >= 500)
    cpu = _cpu_by_kind(cpu_dir)
    all_cpu = [ms for values in cpu.values() for ms in values]
    common = {'seconds': round(elapsed, 1), 'clients': clients_n, 'think_seconds_mean': think,
              'gunicorn': '2 workers × 4 threads (gthread)', 'firms': FIRMS, 'leads': LEADS, 'units': UNITS,
              'database': 'postgresql' if env['DATABASE_URL'].startswith('postgresql') else 'sqlite',
              'shared_state': 'redis' if env.get('CACHE_URL', '').startswith('redis') else 'memory (Redis unreachable)'}
    return [
        {'name': 'soak_requests', 'value': len(entries), 'unit': 'requests', 'target': 'reported',
         'detail': {**common, 'requests_per_second': round(len(entries) / elapsed, 1),
                    'by_kind': {k: len(v) for k, v in sorted(by_kind.items())},
                    'data_build_seconds': round(build_seconds, 1)}},
        {'name': 'soak_5xx', 'value': fives, 'unit': 'responses', 'target': '0',
         'detail': {'statuses': dict(sorted(statuses.items())), 'client_failures': failures[:10],
                    'reconnects': sum(c.reconnects for c in clients),
                    'database_locked_in_server_log': server_log.count('database is locked'),
                    'tracebacks_in_server_log': server_log.count('Traceback')}},
        {'name': 'soak_p95_ms', 'value': round(_percentile(all_ms, 0.95), 1), 'unit': 'ms',
         'target': '<= 300',
         'detail': {'p50_ms': round(_percentile(all_ms, 0.50), 1), 'p99_ms': round(_percentile(all_ms, 0.99), 1),
                    'list_pages_p95_ms': round(_percentile(list_ms, 0.95), 1),
                    'p95_ms_by_kind': {k: round(_percentile(v, 0.95), 1) for k, v in sorted(by_kind.items())}}},
        {'name': 'soak_cpu_ms_per_request', 'value': round(sum(all_cpu) / len(all_cpu), 1) if all_cpu else 0,
         'unit': 'ms', 'target': 'reported',
         'detail': {'measured_by': "the request thread's CPU time in the server (time.thread_time, gunicorn hooks)",
                    'requests': len(all_cpu),
                    'mean_ms_by_kind': {k: round(sum(v) / len(v), 1) for k, v in sorted(cpu.items())},
                    'p50_ms_by_kind': {k: round(_percentile(v, 0.50), 1) for k, v in sorted(cpu.items())},
                    'p95_ms_by_kind': {k: round(_percentile(v, 0.95), 1) for k, v in sorted(cpu.items())},
                    'server_cpu_seconds_total': round(sum(all_cpu) / 1000, 1),
                    **_profile_summary(folder / 'profile.txt')}},
    ]


def _shared_state() -> dict[str, str]:
    """The server as deployed with more than one process (README, "Several app instances behind one address"): the
    figures cache and the rate limits in Redis, shared by both workers, under a key prefix of this run's own. The
    office signs in from one address: fifty people within a minute, so the per-address sign-in limit is raised as
    an office behind one NAT address would raise it. Without a reachable Redis the workers keep their own memory."""
    url = os.environ.get('CRM_TEST_REDIS_URL', 'redis://127.0.0.1:6379')
    try:
        import redis

        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except Exception:  # noqa: BLE001  (no Redis: measured as before, and said so in the detail)
        return {}
    prefix = f'soak-{os.getpid()}-{int(time.time())}'
    return {'CACHE_URL': url, 'CACHE_KEY_PREFIX': prefix, 'RATELIMIT_STORAGE_URI': url,
            'RATELIMIT_KEY_PREFIX': prefix, 'LOGIN_IP_LIMIT': '200 per minute'}


def _start_profile(pid: int, output: Path, seconds: float):
    """With BENCH_SOAK_PROFILE=1: py-spy samples the gunicorn workers (busy threads only) for the whole run."""
    if os.environ.get('BENCH_SOAK_PROFILE') != '1':
        return None
    return subprocess.Popen([str(BIN / 'py-spy'), 'record', '--pid', str(pid), '--subprocesses', '--format', 'raw',
                             '--rate', '50', '--duration', str(int(seconds)), '--nonblocking', '--output',
                             str(output)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _profile_summary(path: Path, top: int = 15) -> dict:
    """Where the sampled CPU went: shares of samples in SQL (driver and SQLAlchemy), in templates (Jinja), and
    elsewhere, and the functions that held most samples themselves and in total (folded py-spy stacks)."""
    if not path.exists():
        return {}
    total = sql = template = 0
    own: dict[str, int] = {}
    inclusive: dict[str, int] = {}
    for line in path.read_text(encoding='utf-8', errors='replace').splitlines():
        stack, _, count = line.rpartition(' ')
        if not count.isdigit():
            continue
        n = int(count)
        frames = [f for f in stack.split(';') if f and not f.startswith(('process ', 'thread '))]
        total += n
        if any(m in stack for m in ('sqlalchemy/', 'sqlite3', 'psycopg')):
            sql += n
        elif any(m in stack for m in ('jinja2/', 'templates/')):
            template += n
        if frames:
            own[frames[-1]] = own.get(frames[-1], 0) + n
        for frame in set(frames):
            inclusive[frame] = inclusive.get(frame, 0) + n

    def share(value: int) -> float:
        return round(100 * value / total, 1) if total else 0.0

    def ranked(counts: dict[str, int]) -> list[str]:
        return [f'{share(n)}% {frame}' for frame, n in sorted(counts.items(), key=lambda kv: -kv[1])[:top]]

    return {'profile': {'samples': total, 'sql_percent': share(sql), 'template_percent': share(template),
                        'other_percent': share(total - sql - template), 'top_self': ranked(own),
                        'top_inclusive': ranked({f: n for f, n in inclusive.items() if 'site-packages/gunicorn' not in f
                                                 and 'threading.py' not in f})}}


def _kind(method: str, uri: str) -> str:
    """The soak's name for a request the server saw (as the clients name theirs)."""
    path, _, query = uri.partition('?')
    if method == 'POST':
        return 'follow_up_post' if path.endswith('/activities') else 'login_post' if path == '/login' else 'other_post'
    if path == '/leads/':
        return 'lead_page' if query.startswith('page=') else 'lead_filter' if query else 'lead_list'
    if re.fullmatch(r'/leads/\d+', path):
        return 'lead_detail'
    return {'/leads/dashboard': 'dashboard', '/firms/': 'firm_list', '/platforms/vacancies': 'unit_search',
            '/login': 'login_page'}.get(path, 'other')


def _cpu_by_kind(folder: Path) -> dict[str, list[float]]:
    found: dict[str, list[float]] = {}
    for log in folder.glob('cpu-*.log'):
        for line in log.read_text(encoding='utf-8', errors='replace').splitlines():
            method, rest = line.split(' ', 1)
            uri, ms = rest.rsplit(' ', 1)
            found.setdefault(_kind(method, uri), []).append(float(ms))
    return found


def _stop(server: subprocess.Popen) -> None:
    """TERM the gunicorn master (it stops its workers), then KILL its whole process group if it lingers."""
    if server.poll() is None:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(30)
        except subprocess.TimeoutExpired:
            pass
    try:
        os.killpg(server.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    server.wait(10)
