"""The daily digest lists each officer's due/overdue follow-ups, follow-ups reached and stale leads."""
from datetime import date, timedelta

from sqlalchemy import select

from crm.db import utcnow
from crm.leads.digest import Digest, send_digests
from crm.leads.models import Lead
from crm.leads.services import add_activity
from tests.conftest import login


def test_digest_is_stored_and_shown_on_the_workbench(client, factories, in_app, db_session):
    officer = factories.user('officer')
    lead = factories.lead(owner=officer, title='日报项目')
    with in_app():
        item = db_session.get(Lead, lead.id)
        add_activity(item, kind='电话', subject='回访', due_on=date.today() - timedelta(days=2), owner_id=officer.id)
        item.next_follow_up = date.today()
        item.stage_since = utcnow() - timedelta(days=40)
        item.last_activity_at = None
        result = send_digests(date.today())
        db_session.commit()
    assert result['digests'] >= 1 and result['emailed'] == 0  # no SMTP configured: stored, not sent
    digest = db_session.scalars(select(Digest).where(Digest.user_id == officer.id)).one()
    assert digest.content['due'][0]['overdue'] is True and digest.content['due'][0]['subject'] == '回访'
    assert digest.content['follow_up'][0]['lead'] == '日报项目' and digest.content['stale'][0]['lead'] == '日报项目'
    login(client, officer.email, factories.PASSWORD)
    assert '跟进日报' in client.get('/').get_data(as_text=True)


def test_saved_filters_belong_to_their_user(client, factories, logged_in):
    from tests.conftest import csrf_from, post_form
    logged_in('officer')
    response = post_form(client, '/leads/filters', {'name': '我的洽谈', 'stage': '洽谈', 'evil': 'x'}, token_from='/leads/')
    assert response.status_code == 302 and response.headers['Location'].endswith('stage=%E6%B4%BD%E8%B0%88')
    page = client.get('/leads/').get_data(as_text=True)
    assert '我的洽谈' in page and 'evil' not in page
    client.post('/logout', data={'csrf_token': csrf_from(client.get('/').data)})
    logged_in('officer')
    assert '我的洽谈' not in client.get('/leads/').get_data(as_text=True)
