"""Values that only an invalidation corrects (the unread count, the platform options, list totals) are kept only
where every process sees the invalidations: in Redis, or in memory when the app runs in one process."""
from __future__ import annotations

from config import load_config
from crm.core.cache import EXTENSION, MemoryCache, kept


def _computations(app, store) -> list[int]:
    calls: list[int] = []
    saved = app.extensions[EXTENSION]
    app.extensions[EXTENSION] = store
    try:
        with app.app_context():
            for _ in range(3):
                kept('unread:1', 'unread:1:count', 60, lambda: calls.append(1) or len(calls))
    finally:
        app.extensions[EXTENSION] = saved
    return calls


def test_several_processes_with_their_own_memory_compute_every_time(app):
    assert _computations(app, MemoryCache(one_process=False)) == [1, 1, 1]


def test_one_process_keeps_the_value_until_it_changes(app):
    assert _computations(app, MemoryCache(one_process=True)) == [1]


def test_only_the_test_suite_declares_one_process():
    assert load_config('testing').CACHE_ONE_PROCESS is True
    assert load_config('development').CACHE_ONE_PROCESS is False  # make run: gunicorn with two workers
