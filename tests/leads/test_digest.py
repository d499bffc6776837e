"""The daily digest lists each officer's leads due today, overdue and stale, and their open follow-ups due; every
test runs on the real clock and at 01:30 Beijing time (17:30 UTC)."""
import socketserver
import threading
from datetime import timedelta
from email import message_from_bytes
from email.policy import default

import pytest
from sqlalchemy import select

from crm.core import clock
from crm.db import utcnow
from crm.leads.digest import Digest, send_digests
from crm.leads.models import Lead
from crm.leads.services import add_activity
from tests.conftest import login

pytestmark = pytest.mark.usefixtures('business_clock')


def test_digest_is_stored_and_shown_on_the_workbench(client, factories, in_app, db_session):
    officer = factories.user('officer')
    lead = factories.lead(owner=officer, title='日报项目')
    today = clock.today()
    with in_app():
        item = db_session.get(Lead, lead.id)
        add_activity(item, kind='电话', subject='回访', due_on=today - timedelta(days=2), owner_id=officer.id)
        item.stage_since = utcnow() - timedelta(days=40)
        item.last_activity_at = None
        result = send_digests(today)
        db_session.commit()
    assert result['digests'] >= 1 and result['emailed'] == 0  # no SMTP configured: stored, not sent
    digest = db_session.scalars(select(Digest).where(Digest.user_id == officer.id)).one()
    assert digest.day == today
    assert digest.content['tasks'][0]['overdue'] is True and digest.content['tasks'][0]['subject'] == '回访'
    # the planned follow-up set the lead's next follow-up: two days ago, so the lead is overdue by two days
    assert [(o['lead'], o['days']) for o in digest.content['overdue']] == [('日报项目', 2)]
    assert digest.content['due_today'] == [] and digest.content['stale'][0]['lead'] == '日报项目'
    login(client, officer.email, factories.PASSWORD)
    home = client.get('/').get_data(as_text=True)
    assert '跟进日报' in home and '跟进逾期 1 个' in home and '久未跟进 1 个' in home


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


class _SMTPHandler(socketserver.StreamRequestHandler):
    """Just enough of RFC 5321 for smtplib to deliver one message."""

    def handle(self):
        self.wfile.write(b'220 test ESMTP\r\n')
        while line := self.rfile.readline():
            verb = line[:4].upper()
            if verb == b'DATA':
                self.wfile.write(b'354 go ahead\r\n')
                body = b''
                while (chunk := self.rfile.readline()) != b'.\r\n':
                    body += chunk
                self.server.messages.append(message_from_bytes(body, policy=default))
            elif verb == b'QUIT':
                self.wfile.write(b'221 bye\r\n')
                return
            self.wfile.write(b'250 ok\r\n')


def _overdue_call(in_app, db_session, officer, lead):
    with in_app():
        add_activity(db_session.get(Lead, lead.id), kind='电话', subject='回访', owner_id=officer.id,
                     due_on=clock.today() - timedelta(days=1))
        db_session.commit()


def test_digest_is_emailed_once_per_day_when_smtp_is_configured(app, factories, in_app, db_session, monkeypatch):
    server = socketserver.ThreadingTCPServer(('127.0.0.1', 0), _SMTPHandler)
    server.messages = []
    threading.Thread(target=server.serve_forever, daemon=True).start()
    monkeypatch.setitem(app.config, 'SMTP_HOST', '127.0.0.1')
    monkeypatch.setitem(app.config, 'SMTP_PORT', server.server_address[1])
    monkeypatch.setitem(app.config, 'BASE_URL', 'https://crm.example.cn/zs')
    officer = factories.user('officer')
    lead = factories.lead(owner=officer, title='邮件项目')
    _overdue_call(in_app, db_session, officer, lead)
    try:
        with in_app():
            send_digests(clock.today())
            send_digests(clock.today())  # the job may run twice: still one digest, one e-mail
            db_session.commit()
    finally:
        server.shutdown()
        server.server_close()
    mine = [m for m in server.messages if m['To'] == officer.email]
    assert len(mine) == 1
    assert mine[0]['Subject'] == f'招商跟进日报 {clock.today().isoformat()}'
    assert '[跟进逾期 1 天] 邮件项目' in mine[0].get_content()
    assert '[逾期待办] 邮件项目：电话 回访' in mine[0].get_content()
    # links come from the configured address (there is no request, so no Host header, when digests are sent)
    assert f'https://crm.example.cn/zs/leads/{lead.id}' in mine[0].get_content()
    assert '我的一天：https://crm.example.cn/zs/leads/my-day' in mine[0].get_content()
    rows = db_session.scalars(select(Digest).where(Digest.user_id == officer.id)).all()
    assert len(rows) == 1 and rows[0].emailed is True


def test_digest_lists_only_the_officers_own_work(factories, in_app, db_session):
    officer, other = factories.user('officer'), factories.user('officer')
    _overdue_call(in_app, db_session, other, factories.lead(owner=other, title='别人的项目'))
    mine = factories.lead(owner=officer, title='自己的项目')
    _overdue_call(in_app, db_session, officer, mine)
    with in_app():
        send_digests(clock.today())
        db_session.commit()
    digest = db_session.scalars(select(Digest).where(Digest.user_id == officer.id)).one()
    assert [d['lead'] for d in digest.content['tasks']] == ['自己的项目']
    assert [d['lead'] for d in digest.content['overdue']] == ['自己的项目']
