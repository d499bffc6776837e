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


def test_a_job_nobody_does_is_refused_before_it_is_queued(app):
    with pytest.raises(KeyError, match='no feature does the job'):
        queue.enqueue('build_rocket', 1)


def test_a_second_doer_for_one_job_is_refused(app):
    with pytest.raises(ValueError, match='crm.packs.services.run_build'):
        queue.handles('build_pack')(lambda build_id: None)
    assert queue.handler('build_pack').__name__ == 'run_build'
