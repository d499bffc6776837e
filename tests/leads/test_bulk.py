"""Bulk actions on the lead list: assign (leaders), tag, move to the pool and export the ticked leads; CSRF is
required; leads outside the viewer's scope or not theirs to change are left alone and counted."""
from __future__ import annotations

import io

from openpyxl import load_workbook
from sqlalchemy import select

from crm.core.audit import AuditEvent
from crm.leads.models import Lead
from tests.conftest import login, post_form


def _lead(in_app, db_session, lead):
    with in_app():
        db_session.expire_all()
        return db_session.get(Lead, lead.id)


def test_a_leader_assigns_ticked_leads(client, in_app, db_session, factories):
    leader, officer = factories.user('leader'), factories.user('officer')
    leads = [factories.lead(title=f'批量分配{n}') for n in range(3)]
    login(client, leader.email, factories.PASSWORD)
    response = post_form(client, '/leads/bulk', {'action': 'assign', 'owner_id': str(officer.id),
                                                 'id': [str(lead.id) for lead in leads[:2]], 'next': '/leads/'},
                         token_from='/leads/', follow_redirects=True)
    assert '2 个项目已更改' in response.get_data(as_text=True) or '2 leads changed' in response.get_data(as_text=True)
    assert [_lead(in_app, db_session, lead).owner_id for lead in leads] == [officer.id, officer.id, None]
    with in_app():
        assert db_session.scalar(select(AuditEvent).where(AuditEvent.action == 'assign',
                                                          AuditEvent.object_id == str(leads[0].id)))


def test_officers_cannot_assign_and_csrf_is_required(client, factories):
    officer = factories.user('officer')
    lead = factories.lead(owner=officer)
    login(client, officer.email, factories.PASSWORD)
    assert post_form(client, '/leads/bulk', {'action': 'assign', 'owner_id': str(officer.id), 'id': str(lead.id)},
                     token_from='/leads/').status_code == 403
    assert client.post('/leads/bulk', data={'action': 'pool', 'id': str(lead.id)}).status_code == 400


def test_tags_and_pool_moves_touch_only_what_the_officer_may_change(client, in_app, db_session, factories):
    officer, colleague = factories.user('officer'), factories.user('officer')
    mine, theirs = factories.lead(owner=officer, title='我的批量项目'), factories.lead(owner=colleague, title='同事项目')
    login(client, officer.email, factories.PASSWORD)
    tagged = post_form(client, '/leads/bulk', {'action': 'tag', 'tag': '重点 跟踪', 'id': [str(mine.id), str(theirs.id)],
                                               'next': '/leads/'}, token_from='/leads/', follow_redirects=True)
    body = tagged.get_data(as_text=True)
    assert '1 个项目已更改' in body and '1 个项目未更改' in body
    assert _lead(in_app, db_session, mine).tags == ['重点 跟踪'] and not _lead(in_app, db_session, theirs).tags
    listed = client.get('/leads/?tag=重点 跟踪').get_data(as_text=True)
    assert '我的批量项目' in listed
    empty = post_form(client, '/leads/bulk', {'action': 'tag', 'tag': '  ', 'id': str(mine.id)},
                      token_from='/leads/', follow_redirects=True)
    assert '20' in empty.get_data(as_text=True)
    post_form(client, '/leads/bulk', {'action': 'pool', 'id': [str(mine.id), str(theirs.id)]}, token_from='/leads/')
    assert _lead(in_app, db_session, mine).owner_id is None
    assert _lead(in_app, db_session, theirs).owner_id == colleague.id


def test_export_the_ticked_leads_in_scope(client, factories):
    officer, colleague = factories.user('officer'), factories.user('officer')
    picked = factories.lead(owner=officer, title='导出甲项目')
    factories.lead(owner=officer, title='未勾选项目')
    hidden = factories.lead(owner=colleague, title='同事导出项目')
    login(client, officer.email, factories.PASSWORD)
    response = post_form(client, '/leads/bulk', {'export': 'xlsx', 'id': [str(picked.id), str(hidden.id)]},
                         token_from='/leads/')
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).active
    titles = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert titles == ['导出甲项目']
    park_manager = factories.user('park_manager')
    post_form(client, '/logout', {}, token_from='/leads/')
    login(client, park_manager.email, factories.PASSWORD)
    assert post_form(client, '/leads/bulk', {'action': 'pool', 'id': str(picked.id)},
                     token_from='/leads/').status_code == 403
