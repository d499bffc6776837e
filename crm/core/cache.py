"""The figures cache: values that are expensive to compute and cheap to keep for a minute (the dashboard's figures).

`CACHE_URL` says where they live. `memory://` (the default in development and tests) keeps them in each process,
which is right for one process and wrong for several: every gunicorn worker — and every machine — would keep its
own copy, and an edit on one could not clear the others'. `redis://…` keeps one copy in Redis, shared by every app
process; a change clears it for all of them at once. When Redis cannot be reached, every read is a miss and the
figures are computed from the database (slower, never wrong), with a warning in the log.

Invalidation is by generation: `bump(namespace)` moves a counter, and entries stored under an older generation are
treated as absent (no key scan, one atomic increment)."""
from __future__ import annotations

import hashlib
import logging
import pickle
import threading
import time
from typing import Any

import redis
from flask import Flask, current_app, has_app_context
from sqlalchemy import event
from sqlalchemy.orm import Session

from config import ConfigError

LOGGER = logging.getLogger('crm.core.cache')
EXTENSION = 'crm_cache'
MEMORY_MAX_ENTRIES = 1024


class MemoryCache:
    """Entries in this process only (one per app object). `one_process` says whether this process is the app's only
    one (the test client, `flask run`): only then may it keep values that nothing but an invalidation corrects
    (`kept`), since a change committed by another process (a second gunicorn worker, the job worker) cannot reach
    this memory."""

    def __init__(self, one_process: bool = False) -> None:
        self.one_process = one_process
        self._data: dict[str, tuple[float, Any]] = {}
        self._lock = threading.Lock()

    def get_many(self, keys: list[str]) -> list[Any]:
        now = time.monotonic()
        found = []
        for key in keys:
            entry = self._data.get(key)
            found.append(entry[1] if entry is not None and entry[0] > now else None)
        return found

    def set(self, key: str, value: Any, seconds: float) -> None:
        with self._lock:
            if len(self._data) >= MEMORY_MAX_ENTRIES:
                self._data.clear()
            self._data[key] = (time.monotonic() + seconds, value)

    def claim(self, key: str, seconds: float) -> bool:
        """True for the one caller that takes `key` (until `seconds` have passed), False for the others."""
        with self._lock:
            entry = self._data.get(key)
            now = time.monotonic()
            if entry is not None and entry[0] > now:
                return False
            self._data[key] = (now + seconds, True)
            return True

    def incr(self, key: str) -> int:
        with self._lock:
            entry = self._data.get(key)
            value = (entry[1] if entry else 0) + 1
            self._data[key] = (float('inf'), value)
            return value


class RedisCache:
    """Entries in Redis, shared by every app process using the same server and key prefix. Values are pickled:
    the Redis server must be as private as the database (the job queue keeps pickled tasks in it too)."""

    one_process = True  # every process reads and invalidates the same entries

    def __init__(self, url: str, prefix: str) -> None:
        self._redis = redis.Redis.from_url(url, socket_timeout=1, socket_connect_timeout=1)
        self._errors = redis.exceptions.RedisError
        self.prefix = prefix

    def _failed(self, exc: Exception) -> None:
        LOGGER.warning('figures cache unavailable (%s); computing from the database', exc)

    def get_many(self, keys: list[str]) -> list[Any]:
        try:
            raw = self._redis.mget([self.prefix + key for key in keys])
        except self._errors as exc:
            self._failed(exc)
            return [None] * len(keys)
        return [None if value is None else _loads(value) for value in raw]

    def set(self, key: str, value: Any, seconds: float) -> None:
        try:
            self._redis.set(self.prefix + key, pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL),
                            ex=max(1, int(seconds)))
        except self._errors as exc:
            self._failed(exc)

    def claim(self, key: str, seconds: float) -> bool:
        """True for the one caller, in any process, that takes `key` (until `seconds` have passed)."""
        try:
            return bool(self._redis.set(self.prefix + key, b'1', nx=True, ex=max(1, int(seconds))))
        except self._errors as exc:
            self._failed(exc)
            return True  # nothing to coordinate with: every caller does the work

    def incr(self, key: str) -> int:
        try:
            return int(self._redis.incr(self.prefix + key))
        except self._errors as exc:
            self._failed(exc)
            return -1  # matches no stored generation: readers recompute


def _loads(value: bytes) -> Any:
    if value.lstrip(b'-').isdigit():  # a counter (INCR keeps its decimal text)
        return int(value)
    try:
        return pickle.loads(value)
    except Exception:  # a value written by another version of the code: a miss
        return None


def init_app(app: Flask) -> None:
    """Attach the cache `CACHE_URL` names (memory:// or redis://…) to the app."""
    url = app.config.get('CACHE_URL') or 'memory://'
    if url.startswith('memory://'):
        app.extensions[EXTENSION] = MemoryCache(one_process=bool(app.config.get('CACHE_ONE_PROCESS')))
    elif url.startswith(('redis://', 'rediss://', 'unix://')):
        # keys name the installation (prefix) and the database, so two databases never share figures
        database = hashlib.sha256(str(app.config['SQLALCHEMY_DATABASE_URI']).encode()).hexdigest()[:12]
        prefix = f"{app.config.get('CACHE_KEY_PREFIX') or 'crm'}:cache:{database}:"
        app.extensions[EXTENSION] = RedisCache(url, prefix)
    else:
        raise ConfigError(f'CACHE_URL 只能是 memory:// 或 redis://… (expected memory:// or a redis:// URL, got {url!r})')


def cache() -> MemoryCache | RedisCache:
    """The current app's cache."""
    return current_app.extensions[EXTENSION]


def generation(namespace: str) -> str:
    """The key of a namespace's generation counter (read with the entries, moved by `bump`)."""
    return f'{namespace}:generation'


def bump(namespace: str) -> None:
    """Every entry of `namespace` is out of date, in every process sharing the cache."""
    cache().incr(generation(namespace))


def remembered(namespace: str, key: str, seconds: float, compute):
    """The value kept under `key` (in `namespace`, as of its current generation), else `compute()` kept for
    `seconds`: one cache read when it is there."""
    store = cache()
    current, hit = store.get_many([generation(namespace), key])
    if hit is not None and hit[0] == current:
        return hit[1]
    value = compute()
    store.set(key, (current, value), seconds)
    return value


def kept(namespace: str, key: str, seconds: float, compute):
    """`remembered` for a value that only an invalidation (`changed`) corrects — no fingerprint checks it — where
    every process sees the invalidations: in Redis, or in memory when this process is the app's only one. Several
    processes each with its own memory would show a value another process already changed: computed every time."""
    if not cache().one_process:
        return compute()
    return remembered(namespace, key, seconds, compute)


_BUMP_ON_COMMIT = 'crm.cache.bump_on_commit'


def changed(session: Session, namespace: str) -> None:
    """What `namespace` keeps changes in `session`'s transaction: out of date now (for this transaction's own
    next reads), and again once the transaction commits (another process may have kept what it read just before
    the commit, under the generation moved now)."""
    if has_app_context():
        bump(namespace)
    session.info.setdefault(_BUMP_ON_COMMIT, set()).add(namespace)


@event.listens_for(Session, 'after_commit')
def _bump_committed(session: Session) -> None:
    namespaces = session.info.pop(_BUMP_ON_COMMIT, None)
    if namespaces and has_app_context():
        for namespace in sorted(namespaces):
            bump(namespace)


@event.listens_for(Session, 'after_soft_rollback')
def _forget_rolled_back(session: Session, previous_transaction) -> None:
    if not previous_transaction.nested and previous_transaction.parent is None:
        session.info.pop(_BUMP_ON_COMMIT, None)
