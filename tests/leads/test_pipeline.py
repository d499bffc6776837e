"""Leads on both databases: stage rules, count-once signing, time in stage, visibility, concurrent edits."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from crm.db import utcnow
from crm.leads.models import Lead, LostReason, StageChange
from crm.leads.services import LeadError, move_stage, time_in_stages
from tests.conftest import csrf_from, post_form


def test_lost_needs_a_reason_and_a_note(client, factories, logged_in, db_session):
    officer = logged_in('officer')
    lead = factories.lead(owner=officer)
    without = post_form(client, f'/leads/{lead.id}/stage', {'to_stage': '流失', 'lost_reason_id': '0', 'note': ''},
                        token_from=f'/leads/{lead.id}', follow_redirects=True)
    assert '必须选择流失原因' in without.get_data(as_text=True)
    reason = db_session.scalar(select(LostReason.id).where(LostReason.name == '选择其他区域'))
    no_note = post_form(client, f'/leads/{lead.id}/stage', {'to_stage': '流失', 'lost_reason_id': reason, 'note': ''},
                        token_from=f'/leads/{lead.id}', follow_redirects=True)
    assert '必须填写说明' in no_note.get_data(as_text=True)
    done = post_form(client, f'/leads/{lead.id}/stage', {'to_stage': '流失', 'lost_reason_id': reason,
                                                         'note': '企业选择了滨江'}, token_from=f'/leads/{lead.id}')
    assert done.status_code == 302
    db_session.expire_all()
    assert db_session.get(Lead, lead.id).stage == '流失'


def test_signing_twice_counts_once(in_app, factories, db_session):
    lead = factories.lead()
    with in_app():
        item = db_session.get(Lead, lead.id)
        first = utcnow() - timedelta(days=30)
        move_stage(item, '签约', actor_id=None, at=first)
        move_stage(item, '暂缓', actor_id=None)
        move_stage(item, '签约', actor_id=None)
        db_session.commit()
        assert item.signed_at == first
        with pytest.raises(LeadError):
            move_stage(item, '签约', actor_id=None)


def test_time_in_stage_equals_the_logged_intervals(in_app, factories, db_session):
    lead = factories.lead()
    start = utcnow() - timedelta(days=10)
    with in_app():
        item = db_session.get(Lead, lead.id)
        db_session.execute(StageChange.__table__.update().where(StageChange.lead_id == lead.id).values(at=start))
        move_stage(item, '初步接洽', actor_id=None, at=start + timedelta(days=3))
        move_stage(item, '考察看房', actor_id=None, at=start + timedelta(days=7))
        spent = time_in_stages(lead.id, now=start + timedelta(days=10))
    assert spent == {'线索': timedelta(days=3), '初步接洽': timedelta(days=4), '考察看房': timedelta(days=3)}


def test_officer_never_sees_another_officers_private_lead(client, factories, logged_in):
    other = factories.user('officer')
    private = factories.lead(owner=other, title='别人的项目')
    pool = factories.lead(title='公共池项目')
    logged_in('officer')
    listing = client.get('/leads/').get_data(as_text=True)
    assert '别人的项目' not in listing and '公共池项目' in listing
    assert client.get(f'/leads/{private.id}').status_code == 404
    assert '别人的项目' not in client.get('/leads/export.xlsx').data.decode('latin-1')
    assert client.get(f'/leads/{pool.id}').status_code == 200


def test_collaborators_and_park_managers_see_what_concerns_them(client, factories, logged_in):
    platform = factories.platform('项目园')
    owner = factories.user('officer')
    helper = factories.user('officer')
    lead = factories.lead(owner=owner, platforms=[platform], collaborators=[helper], title='协办项目')
    factories.lead(owner=owner, title='无关项目')
    from tests.conftest import login
    login(client, helper.email, factories.PASSWORD)
    assert client.get(f'/leads/{lead.id}').status_code == 200
    client.post('/logout', data={'csrf_token': csrf_from(client.get('/').data)})
    logged_in('park_manager', platforms=[platform])
    listing = client.get('/leads/').get_data(as_text=True)
    assert '协办项目' in listing and '无关项目' not in listing
    assert post_form(client, f'/leads/{lead.id}/stage', {'to_stage': '洽谈'},
                     token_from='/leads/').status_code == 403


def test_concurrent_lead_edits_are_detected(client, factories, logged_in, db_session):
    officer = logged_in('officer')
    firm = factories.firm()
    lead = factories.lead(firm, owner=officer)
    form = {'title': '甲改', 'firm_id': firm.id, 'source': '上门拜访', 'priority': '中', 'version': 1}
    assert post_form(client, f'/leads/{lead.id}/edit', form).status_code == 302
    second = post_form(client, f'/leads/{lead.id}/edit', {**form, 'title': '乙改'})
    assert second.status_code == 409 and '乙改' in second.get_data(as_text=True)
    db_session.expire_all()
    assert db_session.get(Lead, lead.id).title == '甲改'


def test_move_in_records_the_tenancy_and_lets_the_unit(client, factories, logged_in, db_session):
    from crm.platforms.models import Unit
    officer = logged_in('officer')
    unit = factories.unit(factories.building(factories.platform()))
    lead = factories.lead(owner=officer, stage='注册')
    post_form(client, f'/leads/{lead.id}/stage', {'to_stage': '入驻', 'unit_id': unit.id}, token_from=f'/leads/{lead.id}')
    db_session.expire_all()
    assert db_session.get(Unit, unit.id).status == '已租'
