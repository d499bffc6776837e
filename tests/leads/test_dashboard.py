"""Dashboard figures count each project once and stay within the viewer's scope; drill-downs list the records."""
import json
from datetime import timedelta

from crm.db import utcnow
from crm.leads.models import Lead
from crm.leads.services import move_stage


def _figures(client) -> dict:
    page = client.get('/leads/dashboard').get_data(as_text=True)
    return json.loads(page.split('id="dashboard-data">')[1].split('</script>')[0])


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
