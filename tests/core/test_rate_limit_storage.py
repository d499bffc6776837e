"""Rate limits hold across worker processes: with the limiter's counters in Redis (production's default), two app
processes share one limit; with memory:// (the tests' setting) each process counts alone, which is why production
does not use it. Each process is a separate Python interpreter, like two gunicorn workers; the requests go through
the whole WSGI stack (CSRF, login form, Flask-Limiter)."""
import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from config import load_config
from tests.conftest import REDIS_URL, migrate

ROOT = Path(__file__).resolve().parents[2]

WORKER = r'''
import json, re, sys
from crm import create_app

url, storage, prefix, count = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
app = create_app({'SQLALCHEMY_DATABASE_URI': url, 'RATELIMIT_STORAGE_URI': storage, 'RATELIMIT_KEY_PREFIX': prefix,
                  'LOGIN_IP_LIMIT': '3 per minute', 'SERVER_NAME': 'localhost'})
client = app.test_client()
statuses = []
for n in range(count):
    page = client.get('/login').get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = client.post('/login', data={'csrf_token': token, 'email': f'nobody{n}-{prefix}@test-crm.cn',
                                           'password': 'not the password'})
    statuses.append(response.status_code)
print(json.dumps(statuses))
'''


@pytest.fixture(scope='module')
def database(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('limits') / 'crm.db'}"
    migrate(url)
    return url


def _worker(database: str, storage: str, prefix: str, count: int) -> list[int]:
    env = {**os.environ, 'CRM_ENV': 'testing'}
    done = subprocess.run([sys.executable, '-c', WORKER, database, storage, prefix, str(count)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.nodb
def test_two_processes_share_one_limit_through_redis(database, redis_prefix):
    first = _worker(database, REDIS_URL, redis_prefix, 3)
    second = _worker(database, REDIS_URL, redis_prefix, 2)
    assert first == [200, 200, 200]
    assert second == [429, 429]  # the second process sees the first one's three attempts


@pytest.mark.nodb
def test_memory_storage_counts_per_process(database):
    prefix = f'crm-test-{uuid.uuid4().hex[:12]}'
    assert _worker(database, 'memory://', prefix, 3) == [200, 200, 200]
    assert _worker(database, 'memory://', prefix, 2) == [200, 200]  # what production avoids


@pytest.mark.nodb
def test_production_keeps_the_counters_in_redis_and_tests_in_memory(monkeypatch):
    monkeypatch.setenv('SECRET_KEY', 'x' * 40)
    monkeypatch.setenv('CRM_BASE_URL', 'https://crm.example.cn')
    monkeypatch.delenv('RATELIMIT_STORAGE_URI', raising=False)
    assert load_config('production').RATELIMIT_STORAGE_URI == 'redis://127.0.0.1:6379'
    monkeypatch.setenv('RATELIMIT_STORAGE_URI', 'redis://10.0.0.5:6379/2')
    assert load_config('production').RATELIMIT_STORAGE_URI == 'redis://10.0.0.5:6379/2'
    assert load_config('testing').RATELIMIT_STORAGE_URI == 'memory://'
