"""Pack builds through the job queue on both databases: queued → progress → the pack and its download, or the
reason it was not issued. In tests the queue runs each task at once; one test keeps tasks queued and runs them
as the worker does."""
import pytest
from sqlalchemy import func, select, update

from crm.packs.models import Pack, PackBuild
from crm.plans.models import PlanParagraph
from tests.conftest import post_form
from tests.packs.test_packs import _lead


@pytest.fixture
def queued(monkeypatch, app):
    """The real huey queue in memory, not run at once: tasks wait until the test runs them like the worker."""
    from huey.storage import MemoryStorage

    from crm import jobs
    from crm.jobs import huey

    jobs._use(app.extensions[jobs.EXTENSION])  # this app's queue settings (another app may have been built since)

    monkeypatch.setattr(huey, '_immediate', False)
    monkeypatch.setattr(huey, 'storage', MemoryStorage('crm-test-queue'))
    return huey


def test_a_build_request_shows_the_finished_pack_with_its_download(client, factories, logged_in, in_app, db_session):
    officer = logged_in('officer')
    lead = _lead(factories, officer, db_session, in_app)
    response = post_form(client, f'/leads/{lead.id}/packs', {'lang': 'zh'}, token_from=f'/leads/{lead.id}')
    assert response.status_code == 302 and '/packs/builds/' in response.location
    build = db_session.scalars(select(PackBuild).where(PackBuild.lead_id == lead.id)).one()
    assert (build.status, build.percent, build.requested_by_id) == ('done', 100, officer.id)
    pack = db_session.get(Pack, build.pack_id)
    page = client.get(response.location).get_data(as_text=True)
    assert pack.number in page and f'/packs/{pack.id}.pdf' in page and 'hx-trigger' not in page
    assert client.get(f'/packs/{pack.id}.pdf').data[:4] == b'%PDF'


def test_queued_builds_show_progress_until_the_worker_has_run_them(client, factories, logged_in, in_app, db_session,
                                                                   queued):
    officer = logged_in('officer')
    lead = _lead(factories, officer, db_session, in_app)
    response = post_form(client, f'/leads/{lead.id}/packs', {'lang': 'zh'}, token_from=f'/leads/{lead.id}')
    build_id = int(response.location.rsplit('/', 1)[1])
    page = client.get(f'/packs/builds/{build_id}').get_data(as_text=True)
    assert 'hx-trigger="every 1s"' in page and '<progress' in page and '排队等待' in page
    again = post_form(client, f'/leads/{lead.id}/packs', {'lang': 'zh'}, token_from=f'/leads/{lead.id}')
    assert again.location == response.location, 'a second click reuses the waiting build'
    assert queued.pending_count() == 2 and db_session.scalar(select(func.count(Pack.id))) == 0
    with in_app():
        for _ in range(2):
            queued.execute(queued.dequeue())
    status = client.get(f'/packs/builds/{build_id}/status').get_data(as_text=True)
    pack = db_session.scalars(select(Pack).where(Pack.lead_id == lead.id)).one()
    assert f'/packs/{pack.id}.pdf' in status and 'hx-trigger' not in status
    assert db_session.scalar(select(func.count(Pack.id))) == 1, 'the duplicate task found the build finished'


@pytest.fixture
def queue_down(monkeypatch, app):
    """The queue's Redis cannot be reached (nothing listens on port 1)."""
    from huey.storage import RedisStorage

    from crm import jobs

    jobs._use(app.extensions[jobs.EXTENSION])
    monkeypatch.setattr(jobs.huey, '_immediate', False)
    monkeypatch.setattr(jobs.huey, 'storage', RedisStorage('crm-test-down', url='redis://127.0.0.1:1'))


def test_a_build_the_queue_cannot_take_says_so_and_a_new_request_queues_anew(client, factories, logged_in, in_app,
                                                                             db_session, queue_down):
    officer = logged_in('officer')
    lead = _lead(factories, officer, db_session, in_app)
    response = post_form(client, f'/leads/{lead.id}/packs', {'lang': 'zh'}, token_from=f'/leads/{lead.id}')
    assert response.status_code == 302 and '/packs/builds/' in response.location
    page = client.get(response.location).get_data(as_text=True)
    assert '推介包未生成' in page and '任务队列暂时无法连接' in page and 'hx-trigger' not in page
    build = db_session.scalars(select(PackBuild).where(PackBuild.lead_id == lead.id)).one()
    assert build.status == 'failed' and build.finished_at is not None
    again = post_form(client, f'/leads/{lead.id}/packs', {'lang': 'zh'}, token_from=f'/leads/{lead.id}')
    assert again.location != response.location, 'the failed request is not reused'


def test_a_failed_build_says_why_and_issues_nothing(client, factories, logged_in, in_app, db_session):
    officer = logged_in('officer')
    lead = _lead(factories, officer, db_session, in_app)
    db_session.execute(update(PlanParagraph).where(PlanParagraph.text.contains('电竞')).values(text='改写后的段落'))
    db_session.commit()
    response = post_form(client, f'/leads/{lead.id}/packs', {}, token_from=f'/leads/{lead.id}', follow_redirects=True)
    html = response.get_data(as_text=True)
    assert '推介包未生成' in html and '引文与原文不一致' in html
    build = db_session.scalars(select(PackBuild).where(PackBuild.lead_id == lead.id)).one()
    assert build.status == 'failed' and build.pack_id is None
    assert db_session.scalar(select(Pack.id).where(Pack.lead_id == lead.id)) is None


def test_another_officer_cannot_see_a_build(client, factories, logged_in, in_app, db_session):
    owner = factories.user('officer')
    lead = _lead(factories, owner, db_session, in_app)
    with in_app():
        from crm.db import db
        build = PackBuild(lead_id=lead.id, lang='zh', requested_by_id=owner.id)
        db.session.add(build)
        db.session.commit()
        build_id = build.id
    logged_in('officer')
    assert client.get(f'/packs/builds/{build_id}').status_code == 404
    assert client.get(f'/packs/builds/{build_id}/status').status_code == 404
