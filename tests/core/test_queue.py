"""Jobs are queued by name (crm.core.queue): each name a feature does has its huey task, and each task its doer."""
from __future__ import annotations

import pytest

from crm import jobs
from crm.core import queue


def test_every_job_a_feature_does_has_a_task_and_every_task_a_doer(app):
    assert set(queue._handlers) == set(jobs.TASKS) == {'build_pack', 'push_summaries', 'run_export',
                                                       'deliver_notification'}
    assert queue.handler('build_pack').__module__ == 'crm.packs.services'
    assert queue.handler('deliver_notification').__module__ == 'crm.notifications.services'


def test_every_job_a_feature_runs_on_a_schedule_has_its_task_under_the_name_the_queue_stores(app):
    """Each feature declares its scheduled jobs (crm.core.queue.every); the worker's tasks keep the names of the
    messages already in a queue (crm.jobs.<job>) and run at the declared time on the office's clock."""
    from datetime import datetime

    assert set(queue.scheduled()) == set(jobs.SCHEDULED) == {'pool_recall', 'daily_digest', 'daily_notifications',
                                                             'purge_exports', 'refresh_statistics'}
    assert {f'{t.__module__}.{t.__name__}' for t in jobs.huey._registry._periodic_tasks} == {
        f'crm.jobs.{name}' for name in jobs.SCHEDULED}
    assert queue.scheduled()['daily_digest'][1].__module__ == 'crm.leads.digest'
    due = {name: [hour for hour in range(24) for minute in range(60)
                  if schedule(datetime(2026, 3, 2, hour, minute))] for name, (schedule, _work) in queue.scheduled().items()}
    if app.config['BUSINESS_TIMEZONE'] == 'Asia/Shanghai':
        assert due['daily_digest'] == [0] and due['pool_recall'] == [23] and due['refresh_statistics'] == [19]
    assert due['purge_exports'] == list(range(24))


def test_a_job_nobody_does_is_refused_before_it_is_queued(app):
    with pytest.raises(KeyError, match='no feature does the job'):
        queue.enqueue('build_rocket', 1)


def test_a_second_doer_for_one_job_is_refused(app):
    with pytest.raises(ValueError, match='crm.packs.services.run_build'):
        queue.handles('build_pack')(lambda build_id: None)
    assert queue.handler('build_pack').__name__ == 'run_build'
