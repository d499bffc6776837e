"""Where an app process keeps what several processes must share: the figures cache (crm.core.cache) and the job
queue (crm.jobs) are chosen by the app's configuration — in the process for development and the tests, in Redis
when configured (production's figures cache by default) — and a Redis that cannot be reached costs speed, never
a wrong figure or a failed page. The two-instance test (test_two_instances.py) runs them end to end."""
import os
import uuid

import pytest
from flask import Flask
from huey.storage import MemoryStorage, RedisStorage, SqliteStorage

from config import ConfigError, load_config
from crm import jobs
from crm.core import cache as figures_cache
from tests.conftest import unavailable

REDIS_URL = os.environ.get('CRM_TEST_REDIS_URL', 'redis://127.0.0.1:6379')


@pytest.fixture
def clean_env(monkeypatch):
    for name in ('CACHE_URL', 'CACHE_KEY_PREFIX', 'HUEY_REDIS_URL', 'JOBS_QUEUE_NAME'):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv('SECRET_KEY', 'x' * 40)
    monkeypatch.setenv('CRM_BASE_URL', 'https://crm.example.cn')
    return monkeypatch


@pytest.mark.nodb
def test_each_mode_chooses_where_the_cache_and_the_queue_live(clean_env):
    testing, development, production = (load_config(mode) for mode in ('testing', 'development', 'production'))
    assert (testing.CACHE_URL, testing.JOBS_IMMEDIATE, testing.JOBS_REDIS_URL) == ('memory://', True, '')
    assert (development.CACHE_URL, development.JOBS_IMMEDIATE, development.JOBS_REDIS_URL) == ('memory://', False, '')
    assert (production.CACHE_URL, production.JOBS_IMMEDIATE) == ('redis://127.0.0.1:6379', False)
    clean_env.setenv('CACHE_URL', 'redis://10.0.0.5:6379/1')
    clean_env.setenv('HUEY_REDIS_URL', 'redis://10.0.0.5:6379/2')
    clean_env.setenv('JOBS_QUEUE_NAME', 'gongshu')
    production = load_config('production')
    assert (production.CACHE_URL, production.JOBS_REDIS_URL, production.JOBS_QUEUE_NAME) == (
        'redis://10.0.0.5:6379/1', 'redis://10.0.0.5:6379/2', 'gongshu')
    assert load_config('testing').CACHE_URL == 'memory://'  # tests never share figures through a server


@pytest.mark.nodb
def test_the_sign_in_limit_per_address_is_configurable(monkeypatch):
    monkeypatch.delenv('LOGIN_IP_LIMIT', raising=False)
    assert load_config('development').LOGIN_IP_LIMIT == '30 per minute'
    monkeypatch.setenv('LOGIN_IP_LIMIT', '120 per minute')  # a whole office behind one NAT address
    assert load_config('development').LOGIN_IP_LIMIT == '120 per minute'


@pytest.fixture
def restore_queue():
    """The queue as the suite's app configured it, put back afterwards."""
    saved = (huey_state(), dict(jobs._configured))
    yield
    (jobs.huey.name, jobs.huey.storage_class, jobs.huey.storage_kwargs, jobs.huey._immediate,
     jobs.huey.storage), configured = saved
    jobs._configured.clear()
    jobs._configured.update(configured)


def huey_state():
    huey = jobs.huey
    return huey.name, huey.storage_class, huey.storage_kwargs, huey._immediate, huey.storage


def _bare_app(tmp_path, **config) -> Flask:
    app = Flask(__name__, instance_path=str(tmp_path))
    app.config.update(config)
    return app


@pytest.mark.nodb
def test_the_queue_follows_the_configuration_of_the_app_that_uses_it(tmp_path, restore_queue):
    on_disk = _bare_app(tmp_path / 'one')
    jobs.init_app(on_disk)
    assert isinstance(jobs.huey.storage, SqliteStorage) and not jobs.huey.immediate
    assert jobs.huey.storage.filename == str(tmp_path / 'one' / 'jobs.db')
    shared = _bare_app(tmp_path / 'two', JOBS_REDIS_URL=REDIS_URL, JOBS_QUEUE_NAME='gongshutest')
    jobs.init_app(shared)
    assert isinstance(jobs.huey.storage, RedisStorage) and jobs.huey.storage.name == 'gongshutest'
    inline = _bare_app(tmp_path / 'three', JOBS_IMMEDIATE=True)
    jobs.init_app(inline)
    assert isinstance(jobs.huey.storage, MemoryStorage) and jobs.huey.immediate
    assert not (tmp_path / 'three').exists(), 'the tests write no queue file'
    with on_disk.app_context():  # a request of the first app enqueues on the first app's queue
        jobs._use(on_disk.extensions[jobs.EXTENSION])
    assert isinstance(jobs.huey.storage, SqliteStorage) and not jobs.huey.immediate


@pytest.mark.nodb
def test_a_memory_cache_forgets_a_namespace_when_its_generation_moves():
    store = figures_cache.MemoryCache()
    generation = figures_cache.generation('dashboard')
    assert store.get_many([generation, 'dashboard:x']) == [None, None]
    store.set('dashboard:x', (None, 'figures'), 60)
    assert store.get_many([generation, 'dashboard:x']) == [None, (None, 'figures')]
    assert store.incr(generation) == 1 and store.incr(generation) == 2
    store.set('dashboard:short', 'gone', -1)
    assert store.get_many(['dashboard:short']) == [None], 'an expired entry is a miss'
    assert store.claim('dashboard:x:recompute', 30) and not store.claim('dashboard:x:recompute', 30)
    assert store.claim('dashboard:y:recompute', -1) and store.claim('dashboard:y:recompute', 30), 'a claim expires'


@pytest.mark.nodb
def test_a_redis_cache_keeps_values_and_counters_under_its_prefix():
    import redis

    server = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        server.ping()
    except redis.exceptions.ConnectionError as exc:
        unavailable(f'Redis unreachable at {REDIS_URL} ({exc}); start it with redis-server or set CRM_TEST_REDIS_URL')
    prefix = f'crm-test-{uuid.uuid4().hex[:12]}:'
    try:
        store = figures_cache.RedisCache(REDIS_URL, prefix)
        other = figures_cache.RedisCache(REDIS_URL, prefix)  # another process, as far as Redis can tell
        from decimal import Decimal

        store.set('dashboard:x', (3, {'investment': Decimal('1234.50')}), 60)
        assert other.incr('dashboard:generation') == 1
        assert other.get_many(['dashboard:generation', 'dashboard:x', 'dashboard:y']) == [
            1, (3, {'investment': Decimal('1234.50')}), None]
        assert 0 < server.ttl(prefix + 'dashboard:x') <= 60
        assert store.claim('dashboard:x:recompute', 30) and not other.claim('dashboard:x:recompute', 30)
        assert all(key.startswith(prefix.encode()) for key in server.scan_iter(f'{prefix}*'))
    finally:
        keys = list(server.scan_iter(f'{prefix}*'))
        if keys:
            server.delete(*keys)
        server.close()


@pytest.mark.nodb
def test_an_unreachable_redis_makes_every_read_a_miss_not_an_error(caplog):
    store = figures_cache.RedisCache('redis://127.0.0.1:1', 'crm-test:')  # nothing listens on port 1
    store.set('dashboard:x', 'figures', 60)
    assert store.get_many(['dashboard:generation', 'dashboard:x']) == [None, None]
    assert store.incr('dashboard:generation') == -1
    assert store.claim('dashboard:x:recompute', 30), 'nobody to share the work with: every caller does it'
    assert 'figures cache unavailable' in caplog.text


@pytest.mark.nodb
def test_an_unknown_cache_address_is_refused_at_start(tmp_path):
    with pytest.raises(ConfigError, match='CACHE_URL'):
        figures_cache.init_app(_bare_app(tmp_path, CACHE_URL='memcached://127.0.0.1', SQLALCHEMY_DATABASE_URI='x'))
