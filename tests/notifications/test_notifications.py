"""Notifications: the inbox with its unread count, e-mail and group-robot delivery through the job queue (inline in
tests), each event once, and the events the product tells about."""
from __future__ import annotations

import re
import socketserver
import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from crm.core import clock
from crm.db import db, utcnow
from crm.leads.models import Lead
from crm.notifications.models import Notification, NotificationDelivery, NotificationPreference
from tests.conftest import csrf_from, login, post_form
from tests.leads.test_digest import _SMTPHandler
from tests.notifications.robot import Robot


@pytest.fixture
def robot_allowed(app, monkeypatch):
    """The loopback robot's host is allowed (a deployment allows 企业微信 and 钉钉 only)."""
    monkeypatch.setitem(app.config, 'WEBHOOK_HOSTS', ('qyapi.weixin.qq.com', 'oapi.dingtalk.com', '127.0.0.1'))


def _prefer(db_session, user, *, email=False, webhook_url=None):
    db_session.add(NotificationPreference(user_id=user.id, email=email, webhook=webhook_url is not None,
                                          webhook_url=webhook_url))
    db_session.commit()


def _notes(db_session, user):
    return db_session.scalars(select(Notification).where(Notification.user_id == user.id)
                              .order_by(Notification.id)).all()


def _deliveries(db_session, notification):
    return {d.channel: d for d in db_session.scalars(select(NotificationDelivery).where(
        NotificationDelivery.notification_id == notification.id))}


def test_an_assigned_lead_reaches_the_inbox_and_the_group_robot(client, factories, db_session, robot_allowed):
    leader = factories.user('leader')
    officer = factories.user('officer', name='王专员')
    lead = factories.lead(title='智能网联项目')
    with Robot() as robot:
        _prefer(db_session, officer, webhook_url=robot.url)
        login(client, leader.email, factories.PASSWORD)
        response = post_form(client, f'/leads/{lead.id}/assign', {'owner_id': officer.id},
                             token_from=f'/leads/{lead.id}')
        assert response.status_code == 302
        assert len(robot.messages) == 1
        message = robot.messages[0]
    assert message['content_type'].startswith('application/json')
    assert message['json']['msgtype'] == 'text'
    content = message['json']['text']['content']
    assert '智能网联项目' in content and f'/leads/{lead.id}' in content and '项目分配' in content
    [note] = _notes(db_session, officer)
    assert note.kind == 'assignment' and note.read_at is None
    channels = _deliveries(db_session, note)
    assert channels['inbox'].status == 'sent' and channels['webhook'].status == 'sent'
    assert 'email' not in channels  # not chosen

    client.post('/logout', data={'csrf_token': csrf_from(client.get('/').data)})
    login(client, officer.email, factories.PASSWORD)
    home = client.get('/').get_data(as_text=True)
    assert re.search(r'data-figure="unread-count">1<', home)
    inbox = client.get('/notifications/').get_data(as_text=True)
    assert '新分配给您的项目：智能网联项目' in inbox and '群机器人: 已发送' in inbox
    opened = post_form(client, f'/notifications/{note.id}/read', {'open': '1'}, token_from='/notifications/')
    assert opened.status_code == 302 and opened.headers['Location'].endswith(f'/leads/{lead.id}')
    assert 'data-figure="unread-count"' not in client.get('/').get_data(as_text=True)


def test_each_event_is_notified_once_and_each_channel_sent_once(app, factories, in_app, db_session, robot_allowed):
    from crm import jobs
    from crm.notifications import dispatch, notify

    officer = factories.user('officer')
    with Robot() as robot:
        _prefer(db_session, officer, webhook_url=robot.url)
        with in_app():
            first = notify(officer.id, 'pool_return', '项目即将退回公海：甲', key='test:once')
            again = notify(officer.id, 'pool_return', '项目即将退回公海：甲', key='test:once')
            db.session.commit()
            assert first is not None and again is None
            assert dispatch() == 1 and dispatch() == 0
            first_id = first.id
            jobs.TASKS['deliver_notification'](first_id)  # a retried job: the robot was already told
        assert len(robot.messages) == 1
    assert db_session.scalar(select(func.count(Notification.id)).where(Notification.key == 'test:once')) == 1
    delivery = _deliveries(db_session, db_session.get(Notification, first_id))['webhook']
    assert delivery.status == 'sent' and delivery.attempts == 1


def test_a_refused_webhook_is_recorded_and_the_inbox_keeps_the_message(app, factories, in_app, db_session,
                                                                       robot_allowed):
    from crm.notifications import dispatch, notify

    officer = factories.user('officer')
    with Robot(errcode=93000) as robot:
        _prefer(db_session, officer, webhook_url=robot.url)
        with in_app():
            note = notify(officer.id, 'pack_failed', '推介包生成失败：乙', key='test:refused')
            db.session.commit()
            dispatch()
            note = note.id
        assert len(robot.messages) == 1
    note = db_session.get(Notification, note)
    delivery = _deliveries(db_session, note)['webhook']
    assert delivery.status == 'failed' and '93000' in delivery.error
    assert _deliveries(db_session, note)['inbox'].status == 'sent'


def test_email_goes_through_the_mail_server_or_is_recorded_as_not_sent(app, factories, in_app, db_session,
                                                                      monkeypatch):
    from crm.notifications import dispatch, notify

    officer = factories.user('officer')
    _prefer(db_session, officer, email=True)
    with in_app():
        unsent = notify(officer.id, 'pack_done', '推介包已生成：丙', key='test:nosmtp').id
        db.session.commit()
        dispatch()
    assert _deliveries(db_session, db_session.get(Notification, unsent))['email'].status == 'skipped'

    server = socketserver.ThreadingTCPServer(('127.0.0.1', 0), _SMTPHandler)
    server.messages = []
    threading.Thread(target=server.serve_forever, daemon=True).start()
    monkeypatch.setitem(app.config, 'SMTP_HOST', '127.0.0.1')
    monkeypatch.setitem(app.config, 'SMTP_PORT', server.server_address[1])
    try:
        with in_app():
            sent = notify(officer.id, 'pack_done', '推介包已生成：丁', '/packs/1', key='test:smtp').id
            db.session.commit()
            dispatch()
    finally:
        server.shutdown()
        server.server_close()
    [mail] = server.messages
    assert mail['To'] == officer.email and '推介包已生成：丁' in mail['Subject']
    assert _deliveries(db_session, db_session.get(Notification, sent))['email'].status == 'sent'


def test_mentions_tell_colleagues_who_may_see_the_lead(client, factories, db_session):
    officer = factories.user('officer', name='李专员')
    leader = factories.user('leader', name='赵主任')
    other = factories.user('officer', name='钱专员')
    lead = factories.lead(owner=officer, title='提及项目')
    login(client, officer.email, factories.PASSWORD)
    response = post_form(client, f'/leads/{lead.id}/activities',
                         {'kind': '电话', 'subject': '请@赵主任 把关，@钱专员 知悉', 'done': 'y'},
                         token_from=f'/leads/{lead.id}')
    assert response.status_code == 302
    [note] = _notes(db_session, leader)
    assert note.kind == 'mention' and '李专员' in note.subject and '把关' in note.body
    assert _notes(db_session, other) == []  # 钱专员 may not see the lead: nothing of it is sent
    assert _notes(db_session, officer) == []  # naming oneself is no news


def test_opening_a_share_link_tells_the_officer_once_a_day(client, factories, db_session):
    officer = factories.user('officer')
    lead = factories.lead(owner=officer, title='分享项目')
    pack = factories.pack(lead)
    share, token = factories.share(pack)
    assert client.get(f'/s/{token}').status_code == 200
    assert client.get(f'/s/{token}/pack.pdf').status_code == 200
    [note] = [n for n in _notes(db_session, officer) if n.kind == 'share_opened']
    assert '分享项目' in note.subject and pack.number in note.body and note.link == f'/packs/{pack.id}'

    from crm.packs.models import PackShare
    expired = db_session.get(PackShare, share.id)
    expired.expires_at = utcnow() - timedelta(days=1)
    db_session.commit()
    gone = client.get(f'/s/{token}')
    assert gone.status_code == 410
    assert len([n for n in _notes(db_session, officer) if n.kind == 'share_opened']) == 1


def test_a_finished_pack_build_is_notified(client, factories, db_session):
    officer = factories.user('officer')
    lead = factories.lead(owner=officer, title='生成项目')
    login(client, officer.email, factories.PASSWORD)
    response = post_form(client, f'/leads/{lead.id}/packs', {'lang': 'zh'}, token_from=f'/leads/{lead.id}')
    assert response.status_code == 302
    [note] = [n for n in _notes(db_session, officer) if n.kind in ('pack_done', 'pack_failed')]
    assert note.kind == 'pack_done' and '生成项目' in note.subject


@pytest.mark.usefixtures('business_clock')
def test_daily_sweep_tells_overdue_follow_ups_and_expiring_policies_once(factories, in_app, db_session):
    from crm.leads.services import add_activity
    from crm.matching.models import MatchChoice
    from crm.notifications.events import daily_sweep
    from crm.policies.models import Policy

    officer = factories.user('officer')
    lead = factories.lead(owner=officer, title='逾期项目')
    today = clock.today()
    with in_app():
        add_activity(db.session.get(Lead, lead.id), kind='电话', subject='回访', owner_id=officer.id,
                     due_on=today - timedelta(days=3))
        policy = Policy(key='expiring-test', title='即将到期的政策', level='区', amounts_public=True, kinds=[],
                        industries=[], platform_names=[], facts=[], clauses=[], expires_on=today + timedelta(days=20))
        db.session.add(policy)
        db.session.flush()
        db.session.add(MatchChoice(lead_id=lead.id, kind='policy', item_id=policy.id, choice='pin'))
        db.session.commit()
        first = daily_sweep(today)
        second = daily_sweep(today)
        db.session.commit()
    assert first == {'follow_up_overdue': 1, 'policy_expiring': 1}
    assert second == {'follow_up_overdue': 0, 'policy_expiring': 0}
    kinds = {n.kind: n for n in _notes(db_session, officer)}
    assert '已逾期 3 天' in kinds['follow_up_overdue'].body
    assert '即将到期的政策' in kinds['policy_expiring'].subject


def test_the_workers_daily_reminders_commit_and_go_to_the_chosen_channels(app, factories, in_app, db_session,
                                                                            robot_allowed, monkeypatch):
    """The scheduled job run by the worker (outside any request): the reminders its function wrote are committed,
    then sent to the group robot the officer chose."""
    from crm import jobs
    from crm.leads.services import add_activity

    monkeypatch.setitem(jobs._configured, 'app', app)  # the worker's app
    officer = factories.user('officer')
    lead = factories.lead(owner=officer, title='定时提醒项目')
    with Robot() as robot:
        _prefer(db_session, officer, webhook_url=robot.url)
        with in_app():
            add_activity(db.session.get(Lead, lead.id), kind='电话', subject='回访', owner_id=officer.id,
                         due_on=clock.today() - timedelta(days=2))
            db.session.commit()
        jobs.SCHEDULED['daily_notifications']()
        assert len(robot.messages) == 1 and '定时提醒项目' in robot.messages[0]['json']['text']['content']
    [note] = [n for n in _notes(db_session, officer) if n.kind == 'follow_up_overdue']
    assert _deliveries(db_session, note)['webhook'].status == 'sent'


@pytest.mark.usefixtures('business_clock')
def test_pool_return_warning_is_a_notification_for_the_owner(factories, in_app, db_session):
    from crm.notifications.events import lead_returning_to_pool

    officer = factories.user('officer')
    lead = factories.lead(owner=officer, title='公海项目')
    on = clock.today() + timedelta(days=3)
    with in_app():
        assert lead_returning_to_pool(db.session.get(Lead, lead.id), on) is not None
        assert lead_returning_to_pool(db.session.get(Lead, lead.id), on) is None
        db.session.commit()
    [note] = _notes(db_session, officer)
    assert note.kind == 'pool_return' and '还有 3 天' in note.body and on.isoformat() in note.body


def test_preferences_refuse_an_address_that_is_not_a_group_robot(client, logged_in, db_session):
    user = logged_in('officer')
    response = post_form(client, '/notifications/settings',
                         {'webhook': 'y', 'webhook_url': 'https://evil.example.com/hook'})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert '只支持企业微信或钉钉群机器人的地址' in page and 'https://evil.example.com/hook' in page
    assert db_session.get(NotificationPreference, user.id) is None
    missing = post_form(client, '/notifications/settings', {'webhook': 'y', 'webhook_url': ''})
    assert missing.status_code == 422 and '需要填写机器人地址' in missing.get_data(as_text=True)
    saved = post_form(client, '/notifications/settings',
                      {'email': 'y', 'webhook': 'y',
                       'webhook_url': 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abc'})
    assert saved.status_code == 302
    pref = db_session.get(NotificationPreference, user.id)
    assert pref.email and pref.webhook and pref.webhook_url.startswith('https://qyapi.weixin.qq.com/')


def test_an_inbox_is_personal(client, factories, db_session, in_app):
    from crm.notifications import notify

    owner = factories.user('officer')
    admin_like = factories.user('leader')
    with in_app():
        note = notify(owner.id, 'mention', '私人消息', key='test:personal').id
        db.session.commit()
    note = db_session.get(Notification, note)
    login(client, admin_like.email, factories.PASSWORD)
    assert '私人消息' not in client.get('/notifications/').get_data(as_text=True)
    response = post_form(client, f'/notifications/{note.id}/read', {}, token_from='/notifications/')
    assert response.status_code == 404
    assert db_session.get(Notification, note.id).read_at is None


def test_a_new_notification_shows_in_the_header_count_on_the_next_page(app, client, factories, db_session):
    """The header's count is kept between pages, and counted afresh as soon as a notification arrives (here from
    another user's request) or is read."""
    leader, officer = factories.user('leader'), factories.user('officer')
    first, second = factories.lead(title='甲项目'), factories.lead(title='乙项目')
    login(client, officer.email, factories.PASSWORD)
    for _ in range(2):  # counted, then kept
        assert 'data-figure="unread-count"' not in client.get('/').get_data(as_text=True)
    boss = app.test_client()
    login(boss, leader.email, factories.PASSWORD)
    for n, lead in enumerate((first, second), start=1):
        assigned = post_form(boss, f'/leads/{lead.id}/assign', {'owner_id': officer.id}, token_from=f'/leads/{lead.id}')
        assert assigned.status_code == 302
        assert re.search(rf'data-figure="unread-count">{n}<', client.get('/leads/').get_data(as_text=True))
    assert post_form(client, '/notifications/read-all', {}, token_from='/notifications/').status_code == 302
    assert 'data-figure="unread-count"' not in client.get('/').get_data(as_text=True)
