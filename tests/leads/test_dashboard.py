"""Dashboard figures count each project once and stay within the viewer's scope; drill-downs list the records."""
import json
from datetime import timedelta

import pytest

from crm.core import clock
from crm.db import utcnow
from crm.leads.models import Lead, StageChange
from crm.leads.services import move_stage
from tests.conftest import login

pytestmark = pytest.mark.usefixtures('business_clock')  # also at 01:30 Beijing time (17:30 UTC)


def _figures(client) -> dict:
    page = client.get('/leads/dashboard').get_data(as_text=True)
    return json.loads(page.split('id="dashboard-data">')[1].split('</script>')[0])


def _counted(monkeypatch, dashboard, group: str, runs: list | None = None) -> list:
    """The dashboard's figures of `group` computed as before, each computation counted in the returned list (or
    in `runs`)."""
    runs = [] if runs is None else runs
    fingerprint, compute = dashboard.GROUPS[group]
    monkeypatch.setitem(dashboard.GROUPS, group, (fingerprint, lambda: runs.append(1) or compute()))
    return runs


def test_signed_count_rises_once_and_drill_down_lists_the_lead(client, factories, logged_in, in_app, db_session):
    officer = logged_in('officer')
    lead = factories.lead(owner=officer, title='看板项目', stage='洽谈')
    before = sum(r['projects'] for r in _figures(client)['by_month'])
    with in_app():
        item = db_session.get(Lead, lead.id)
        move_stage(item, '签约', actor_id=officer.id)
        move_stage(item, '暂缓', actor_id=officer.id)
        move_stage(item, '签约', actor_id=officer.id, at=utcnow() + timedelta(seconds=1))
        db_session.commit()
        month = item.signed_at.strftime('%Y-%m')
    after = _figures(client)
    assert sum(r['projects'] for r in after['by_month']) == before + 1
    assert next(r for r in after['funnel'] if r['stage'] == '签约')['count'] == 1
    assert '看板项目' in client.get(f'/leads/?signed_month={month}').get_data(as_text=True)
    assert '看板项目' in client.get('/leads/?reached=签约').get_data(as_text=True)


def test_officer_dashboard_excludes_another_officers_private_leads(client, factories, logged_in, in_app, db_session):
    other = factories.user('officer')
    private = factories.lead(owner=other, title='他人项目', stage='洽谈')
    with in_app():
        move_stage(db_session.get(Lead, private.id), '签约', actor_id=other.id)
        db_session.commit()
    logged_in('officer')
    figures = _figures(client)
    assert sum(r['projects'] for r in figures['by_month']) == 0
    assert next(r for r in figures['funnel'] if r['stage'] == '洽谈')['count'] == 0


def _median_oracle(db_session, visible) -> dict:
    """Median days in stage straight from the log: each stage lasts until the lead's next change in time order."""
    import statistics

    from sqlalchemy import select

    from crm.leads.models import StageChange

    changes = [c for c in db_session.scalars(select(StageChange).order_by(StageChange.lead_id, StageChange.at,
                                                                          StageChange.id)) if visible(c.lead_id)]
    stays: dict[str, list[float]] = {}
    for current, following in zip(changes, changes[1:]):
        if current.lead_id == following.lead_id:
            stays.setdefault(current.to_stage, []).append((following.at - current.at).total_seconds() / 86400)
    return {stage: round(statistics.median(days), 1) for stage, days in stays.items()}


def test_median_days_in_stage_equals_the_logged_stays_in_and_out_of_scope(app, client, factories, in_app, db_session):
    """Odd and even numbers of stays, a back-dated move slotted between earlier ones, another officer's lead
    counted for the leader only — the figure equals the median recomputed from the log itself."""
    officer, other = factories.user('officer'), factories.user('officer')
    plans = {officer: [(('初步接洽', 2), ('考察看房', 5.5)), (('初步接洽', 1), ('考察看房', 8.25), ('洽谈', 9)),
                       (('初步接洽', 3), ('考察看房', 10), ('洽谈', 4)),  # the last move is back-dated
                       (('初步接洽', 1), ('考察看房', 2), ('洽谈', 4))],
             other: [(('初步接洽', 0.5), ('考察看房', 30)), (('初步接洽', 2.75),)]}
    owned = {}
    with in_app():
        for owner, leads in plans.items():
            for steps in leads:
                lead = factories.lead(owner=owner)
                owned[lead.id] = owner.id
                item = db_session.get(Lead, lead.id)
                start = item.stage_since
                for stage, days in steps:
                    move_stage(item, stage, actor_id=owner.id, at=start + timedelta(days=days))
                db_session.commit()
        mine = _median_oracle(db_session, lambda lead_id: owned.get(lead_id) == officer.id)
        everyone = _median_oracle(db_session, lambda lead_id: True)
    assert (mine['初步接洽'], everyone['初步接洽']) == (2.2, 3.5)  # four stays, then five with the other's
    login(client, officer.email, factories.PASSWORD)
    shown = {r['stage']: r['median_days'] for r in _figures(client)['median_days'] if r['median_days'] is not None}
    assert shown == mine
    leader, leader_client = factories.user('leader'), app.test_client()
    login(leader_client, leader.email, factories.PASSWORD)
    shown = {r['stage']: r['median_days'] for r in _figures(leader_client)['median_days']
             if r['median_days'] is not None}
    assert shown == everyone


def test_a_new_follow_up_refreshes_only_the_follow_up_figures(client, factories, logged_in, in_app, db_session,
                                                               monkeypatch):
    """Figures are cached per scope and per group of data: an overdue follow-up saved by any process shows at
    once, without recomputing the pipeline figures (though it touches its lead); a stage move recomputes them."""

    from crm.leads import dashboard
    from crm.leads.services import add_activity

    officer = logged_in('officer')
    lead = factories.lead(owner=officer, stage='洽谈')
    runs = _counted(monkeypatch, dashboard, 'pipeline')
    assert _figures(client)['overdue'] == [] and len(runs) == 1
    with in_app():
        item = db_session.get(Lead, lead.id)
        add_activity(item, kind='电话', subject='回访', due_on=clock.today() - timedelta(days=3), owner_id=officer.id)
        add_activity(item, kind='拜访', subject='已拜访', due_on=None, owner_id=officer.id, done=True, outcome='已沟通')
        db_session.commit()
    assert [(r['name'], r['count']) for r in _figures(client)['overdue']] == [(officer.name, 1)] and len(runs) == 1
    with in_app():
        db_session.execute(StageChange.__table__.insert().values(lead_id=lead.id, from_stage='洽谈', to_stage='签约',
                                                                 at=utcnow()))  # as another process would log it
        db_session.commit()
    _figures(client)
    assert len(runs) == 2


def test_a_follow_up_only_logged_keeps_the_follow_up_figures(client, factories, logged_in, in_app, db_session,
                                                             monkeypatch):
    """A follow-up that moves none of its lead's dates changes no follow-up figure: they are not recomputed; one
    that moves the lead's next follow-up is shown at once."""
    from crm.leads import dashboard
    from crm.leads.services import add_activity

    officer = logged_in('officer')
    lead = factories.lead(owner=officer, stage='洽谈')
    runs = _counted(monkeypatch, dashboard, 'follow_ups')
    assert _figures(client)['overdue'] == [] and len(runs) == 1
    with in_app():
        add_activity(db_session.get(Lead, lead.id), kind='电话', subject='记一笔', due_on=None, owner_id=officer.id)
        db_session.commit()
    assert _figures(client)['overdue'] == [] and len(runs) == 1
    with in_app():
        add_activity(db_session.get(Lead, lead.id), kind='电话', subject='回访', owner_id=officer.id,
                     due_on=clock.today() - timedelta(days=2))
        db_session.commit()
    assert [(r['name'], r['count']) for r in _figures(client)['overdue']] == [(officer.name, 1)] and len(runs) == 2


def test_figures_past_their_minute_are_recomputed_by_one_request(client, logged_in, monkeypatch):
    """After a minute one request recomputes a group of figures while the others show the figures kept (with the
    time they were computed); figures of data changed since are never shown."""
    import time

    from crm.core.cache import MemoryCache
    from crm.leads import dashboard

    logged_in('leader')
    runs = _counted(monkeypatch, dashboard, 'pipeline')
    first = _figures(client)
    assert len(runs) == 1
    later = time.time() + dashboard.CACHE_SECONDS + 1
    monkeypatch.setattr(dashboard.time, 'time', lambda: later)
    monkeypatch.setattr(MemoryCache, 'claim', lambda self, key, seconds: False)  # another request recomputes
    assert _figures(client)['generated_at'] == first['generated_at'] and len(runs) == 1
    monkeypatch.undo()
    _counted(monkeypatch, dashboard, 'pipeline', runs)
    monkeypatch.setattr(dashboard.time, 'time', lambda: later)
    _figures(client)
    assert len(runs) == 2  # this request took the recomputation
    _figures(client)
    assert len(runs) == 2  # and the others have the new figures
