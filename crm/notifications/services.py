"""Telling users things: `notify` (any feature may call it), delivery per channel, preferences.

A notification is written to the inbox in the caller's transaction (services flush, never commit). Once that
transaction commits, `dispatch()` queues one delivery job per new notification (after each request, and after each
job's commit); the job sends the e-mail and the webhook message the user chose and records each channel's outcome,
so a retried job never sends a channel twice.
"""
from __future__ import annotations

import json
import logging
import urllib.request
from typing import Any
from urllib.parse import urlsplit

from flask import current_app
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import event, func, inspect, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from crm.auth.models import User
from crm.core import hooks, queue
from crm.core.cache import changed, kept
from crm.core.i18n import gettext as _
from crm.core.mail import send_mail
from crm.db import db, utcnow
from crm.notifications.models import Notification, NotificationDelivery, NotificationPreference

log = logging.getLogger(__name__)

KINDS: dict[str, Any] = {
    'assignment': _l('Lead assigned to you'),
    'mention': _l('Mentioned in a follow-up'),
    'share_opened': _l('Share link opened'),
    'follow_up_overdue': _l('Follow-up overdue'),
    'pool_return': _l('Lead about to return to the pool'),
    'policy_expiring': _l('Policy expiring on a lead'),
    'pack_done': _l('Pack ready'),
    'pack_failed': _l('Pack build failed'),
}
DEFAULT_WEBHOOK_HOSTS = ('qyapi.weixin.qq.com', 'oapi.dingtalk.com')
_NEW, _READY = 'notifications_new', 'notifications_ready'


class PreferenceError(ValueError):
    """A preference the product cannot honour; the message is shown to the user."""


def _user_id(user: Any) -> int:
    return user if isinstance(user, int) else user.id


def notify(user: Any, kind: str, subject: str, body: str | None = None, link: str | None = None, *,
           key: str) -> Notification | None:
    """Tell `user` (a User or its id) something: into their inbox now, to their other channels after the commit.

    `kind` is one of KINDS; `link` a path inside the product; `key` names the event, so that the same event
    never notifies twice (a second call with a known key returns None)."""
    if kind not in KINDS:
        raise ValueError(f'unknown notification kind {kind!r}')
    key = key[:200]
    if db.session.scalar(select(Notification.id).where(Notification.key == key)) is not None:
        return None
    notification = Notification(user_id=_user_id(user), kind=kind, key=key, subject=subject[:200], body=body,
                                link=link[:500] if link else None)
    try:
        with db.session.begin_nested():
            db.session.add(notification)
            db.session.flush()
    except IntegrityError:  # another transaction recorded the same event meanwhile
        return None
    db.session.add(NotificationDelivery(notification_id=notification.id, channel='inbox', status='sent', attempts=1))
    db.session.flush()
    db.session.info.setdefault(_NEW, []).append(notification)
    changed(db.session(), unread_namespace(notification.user_id))  # the header counts it on the next page
    return notification


@event.listens_for(Session, 'after_commit')
def _committed(session: Session) -> None:
    new = session.info.pop(_NEW, [])
    ready = [inspect(n).identity[0] for n in new if inspect(n).persistent]
    if ready:
        session.info.setdefault(_READY, []).extend(ready)


@event.listens_for(Session, 'after_soft_rollback')
def _rolled_back(session: Session, previous_transaction) -> None:
    if not previous_transaction.nested and previous_transaction.parent is None:
        session.info.pop(_NEW, None)


def dispatch() -> int:
    """Queue the delivery of every notification committed since the last call (in this session)."""
    ready = db.session.info.pop(_READY, [])
    for notification_id in ready:
        queue.enqueue('deliver_notification', notification_id)
    return len(ready)


# A job run by the worker has committed: what it notified goes out (a request's go out after the request).
hooks.listen('job_committed', dispatch)


def init_app(app) -> None:
    """Queue deliveries after each request (the request has committed by then); the header's unread count."""
    @app.after_request
    def _dispatch_after_request(response):
        # a request that never used the database (the sign-in page) has no session to look in: none is made
        if db.session.registry.has() and db.session.info.get(_READY):
            dispatch()
        return response

    @app.context_processor
    def _unread():
        def unread_notifications() -> int:
            if not current_user.is_authenticated:
                return 0
            return remembered_unread_count(current_user.id)
        return {'unread_notifications': unread_notifications}


# --- reading ----------------------------------------------------------------------------------------------------

# The header shows the count on every page: it is kept in the figures cache (crm.core.cache) and counted afresh
# when a notification for the user is committed or one is marked read, in whichever process; at the latest after
# UNREAD_CACHE_SECONDS.
UNREAD_CACHE_SECONDS = 60


def unread_namespace(user_id: int) -> str:
    return f'unread:{user_id}'


def unread_count(user_id: int) -> int:
    return db.session.scalar(select(func.count(Notification.id))
                             .where(Notification.user_id == user_id, Notification.read_at.is_(None))) or 0


def remembered_unread_count(user_id: int) -> int:
    """`unread_count`, from the cache while no notification of the user arrived or was read."""
    return kept(unread_namespace(user_id), f'{unread_namespace(user_id)}:count', UNREAD_CACHE_SECONDS,
                      lambda: unread_count(user_id))


def mark_read(user_id: int, notification_id: int | None = None) -> int:
    """Mark one of the user's notifications (or all of them) read; how many changed."""
    stmt = update(Notification).where(Notification.user_id == user_id, Notification.read_at.is_(None))
    if notification_id is not None:
        stmt = stmt.where(Notification.id == notification_id)
    changed(db.session(), unread_namespace(user_id))
    return db.session.execute(stmt.values(read_at=utcnow()), execution_options={'synchronize_session': False}).rowcount


def preference(user_id: int) -> NotificationPreference:
    """The user's channels (a new, unsaved default when they never chose)."""
    return db.session.get(NotificationPreference, user_id) or NotificationPreference(
        user_id=user_id, email=False, webhook=False, webhook_url=None)


def webhook_hosts() -> tuple[str, ...]:
    return tuple(current_app.config.get('WEBHOOK_HOSTS') or DEFAULT_WEBHOOK_HOSTS)


def check_webhook_url(url: str) -> str:
    """A group-robot address of 企业微信 or 钉钉 (or another host the administrator allowed); raises with the
    reason in Chinese."""
    url = (url or '').strip()
    parts = urlsplit(url)
    if parts.scheme not in ('https', 'http') or not parts.hostname:
        raise PreferenceError(_('The robot address must be a full address, e.g. https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…'))
    if parts.hostname not in webhook_hosts():
        raise PreferenceError(_('Only WeCom or DingTalk group robot addresses are supported (qyapi.weixin.qq.com, oapi.dingtalk.com)'))
    if parts.scheme != 'https' and not parts.hostname.startswith('127.'):
        raise PreferenceError(_('The robot address must start with https://'))
    return url


def save_preference(user_id: int, *, email: bool, webhook: bool, webhook_url: str | None) -> NotificationPreference:
    """Store the user's channels; a webhook needs a valid robot address."""
    url = (webhook_url or '').strip() or None
    if url is not None:
        url = check_webhook_url(url)
    if webhook and url is None:
        raise PreferenceError(_('Group robot notifications need the robot address'))
    pref = db.session.get(NotificationPreference, user_id)
    if pref is None:
        pref = NotificationPreference(user_id=user_id)
        db.session.add(pref)
    pref.email, pref.webhook, pref.webhook_url = email, webhook, url
    db.session.flush()
    return pref


# --- delivery ---------------------------------------------------------------------------------------------------

def _text(notification: Notification) -> str:
    """The message sent outside the product: in Chinese whoever triggered it, with the absolute link."""
    base = current_app.config['BASE_URL'].rstrip('/')
    with force_locale(current_app.config.get('BABEL_DEFAULT_LOCALE', 'zh_Hans_CN')):
        label = str(KINDS[notification.kind])
    lines = [f'【{label}】{notification.subject}']
    if notification.body:
        lines.append(notification.body)
    if notification.link:
        lines.append(base + notification.link)
    return '\n'.join(lines)


def robot_message(text: str) -> dict:
    """The text message of 企业微信 and 钉钉 group robots (both take this shape)."""
    return {'msgtype': 'text', 'text': {'content': text}}


def post_webhook(url: str, text: str) -> None:
    """POST one text message to a group robot; raises when the robot refuses it."""
    url = check_webhook_url(url)
    request = urllib.request.Request(url, data=json.dumps(robot_message(text), ensure_ascii=False).encode('utf-8'),
                                     headers={'Content-Type': 'application/json; charset=utf-8'}, method='POST')
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 (host checked above)
        answer = response.read(4096)
    try:
        errcode = json.loads(answer or b'{}').get('errcode', 0)
    except ValueError:
        errcode = 0
    if errcode:
        raise RuntimeError(f'机器人拒绝了消息（errcode {errcode}）')


@queue.handles('deliver_notification')
def deliver(notification_id: int) -> dict[str, str]:
    """Send one notification to the user's e-mail and webhook as they chose; each channel's outcome is recorded,
    and a channel already sent is never sent again. The caller commits."""
    notification = db.session.get(Notification, notification_id)
    if notification is None:
        return {}
    pref = db.session.get(NotificationPreference, notification.user_id)
    user = db.session.get(User, notification.user_id)
    if pref is None or user is None or not user.is_active:
        return {}
    text = _text(notification)
    channels = []
    if pref.email:
        channels.append(('email', lambda: send_mail(user.email, f'【招商CRM】{notification.subject}', text)))
    if pref.webhook and pref.webhook_url:
        channels.append(('webhook', lambda: post_webhook(pref.webhook_url, text) or True))
    outcome = {}
    for channel, send in channels:
        record = db.session.scalar(select(NotificationDelivery).where(
            NotificationDelivery.notification_id == notification.id, NotificationDelivery.channel == channel))
        if record is not None and record.status == 'sent':
            outcome[channel] = 'sent'
            continue
        if record is None:
            record = NotificationDelivery(notification_id=notification.id, channel=channel, status='failed',
                                          attempts=0)
            db.session.add(record)
        record.attempts += 1
        record.at = utcnow()
        try:
            sent = send()
        except Exception as exc:  # the inbox has it; the record says why this channel did not
            log.warning('notification %s via %s failed: %s', notification.id, channel, exc)
            record.status, record.error = 'failed', str(exc)[:500]
        else:
            record.status = 'sent' if sent else 'skipped'
            record.error = None if sent else '未配置邮件服务器（SMTP_HOST）'
        outcome[channel] = record.status
    db.session.flush()
    return outcome
