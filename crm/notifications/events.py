"""The product's own notifications: who is told what, when, under which event key (each happens once)."""
from __future__ import annotations

from datetime import date

from flask import current_app
from sqlalchemy import select

from crm.auth.models import FIRM, User
from crm.core import clock, hooks
from crm.core.access import scoped
from crm.db import db
from crm.leads import followups
from crm.leads.models import Lead
from crm.notifications.models import Notification
from crm.notifications.services import notify
from crm.packs.reliance import expiring_relied_policies


def url_for(endpoint: str, **values) -> str:
    """A path inside the product, built with or without a request (jobs have none)."""
    return current_app.url_map.bind('localhost').build(endpoint, values)


def _lead_link(lead_id: int) -> str:
    return url_for('leads.detail', lead_id=lead_id)


def lead_assigned(lead, owner_id: int | None, *, actor_id: int | None) -> None:
    """The new owner of a lead (unless they took it themselves). The lead's version names the assignment."""
    if owner_id is None or owner_id == actor_id:
        return

    actor = db.session.get(User, actor_id) if actor_id else None
    notify(owner_id, 'assignment', f'新分配给您的项目：{lead.display_name}',
           f'{actor.name if actor else "系统"}将项目「{lead.display_name}」（{lead.stage}）分配给您。',
           _lead_link(lead.id), key=f'assignment:{lead.id}:{owner_id}:v{lead.version}')


def mentioned_users(text: str, *, exclude: int | None = None) -> list:
    """Active staff named with @ in `text` (names are matched whole: `@张三` in 「请@张三 跟进」)."""
    if '@' not in (text or '') and '＠' not in (text or ''):
        return []
    text = text.replace('＠', '@')
    users = db.session.scalars(select(User).where(User.is_active.is_(True), User.role_code != FIRM)).all()
    # a longer name first, so that @张三丰 does not also mention 张三
    found, taken = [], text
    for user in sorted(users, key=lambda u: -len(u.name)):
        if f'@{user.name}' in taken and user.id != exclude:
            found.append(user)
            taken = taken.replace(f'@{user.name}', '')
    return found


def follow_up_mentions(activity, *, actor_id: int | None) -> int:
    """Everyone mentioned (@name) in a follow-up's subject or outcome who may see its lead."""
    text = ' '.join(filter(None, [activity.subject, activity.outcome]))
    actor = db.session.get(User, actor_id) if actor_id else None
    lead = activity.lead
    sent = 0
    for user in mentioned_users(text, exclude=actor_id):
        if db.session.scalar(scoped(select(Lead.id).where(Lead.id == lead.id), Lead, user)) is None:
            continue  # they may not see the lead: naming them tells them nothing of it
        sent += notify(user, 'mention', f'{actor.name if actor else "同事"}在跟进中提到了您：{lead.display_name}',
                       text[:1000], _lead_link(lead.id), key=f'mention:{activity.id}:{user.id}') is not None
    return sent


def share_opened(share, pack, what: str) -> None:
    """The officer who shared a pack (else the lead's owner), once per link and day, when the prospect opens it."""
    lead = db.session.get(Lead, pack.lead_id)
    officer_id = share.created_by_id or (lead.owner_id if lead else None)
    if officer_id is None or lead is None:
        return
    today = clock.today()
    notify(officer_id, 'share_opened', f'客户打开了推介包：{lead.display_name}',
           f'推介包 {pack.number} 的分享链接于 {clock.now().astimezone(clock.zone()).strftime("%Y-%m-%d %H:%M")}'
           f'（北京时间）被打开（{"网页" if what == "page" else "PDF"}）。',
           url_for('packs.detail', pack_id=pack.id), key=f'share_opened:{share.id}:{today.isoformat()}')


def pack_build_finished(build) -> None:
    """The officer who asked for a pack build: it is ready, or why it failed."""
    if build.requested_by_id is None or build.status not in ('done', 'failed'):
        return

    lead = db.session.get(Lead, build.lead_id)
    name = lead.display_name if lead else ''
    if build.status == 'done':
        notify(build.requested_by_id, 'pack_done', f'推介包已生成：{name}', None,
               url_for('packs.build_progress', build_id=build.id), key=f'pack_build:{build.id}')
    else:
        notify(build.requested_by_id, 'pack_failed', f'推介包生成失败：{name}', build.error,
               url_for('packs.build_progress', build_id=build.id), key=f'pack_build:{build.id}')


def lead_returning_to_pool(lead, return_on: date) -> Notification | None:
    """Warn a lead's owner that it returns to the shared pool on `return_on` unless followed up (the pool's rules
    decide when; this is the message)."""
    if lead.owner_id is None:
        return None
    days = (return_on - clock.today()).days
    return notify(lead.owner_id, 'pool_return', f'项目即将退回公海：{lead.display_name}',
                  f'项目「{lead.display_name}」如在 {return_on.isoformat()} 前（还有 {max(days, 0)} 天）仍无跟进记录，'
                  f'将退回公海。', _lead_link(lead.id), key=f'pool_return:{lead.id}:{return_on.isoformat()}')


def overdue_follow_ups(today: date | None = None, *, batch: int = 500) -> int:
    """Tell each owner of a lead whose follow-up is overdue (crm.leads.followups), once per missed date."""
    today = today or clock.today()
    rows = db.session.execute(select(Lead.id, Lead.owner_id, Lead.title, Lead.codename, Lead.confidential,
                                     Lead.next_follow_up)
                              .where(followups.clause('overdue', today), Lead.owner_id.is_not(None))
                              .order_by(Lead.id)).all()
    sent = 0
    for start in range(0, len(rows), batch):
        chunk = rows[start:start + batch]
        keys = {f'follow_up_overdue:{r.id}:{r.next_follow_up.isoformat()}': r for r in chunk}
        known = set(db.session.scalars(select(Notification.key).where(Notification.key.in_(list(keys)))))
        for key, r in keys.items():
            if key in known:
                continue
            name = r.codename if r.confidential and r.codename else r.title
            sent += notify(r.owner_id, 'follow_up_overdue', f'跟进已逾期：{name}',
                           f'项目「{name}」应于 {r.next_follow_up.isoformat()} 跟进，已逾期 '
                           f'{(today - r.next_follow_up).days} 天。', _lead_link(r.id), key=key) is not None
    return sent


def expiring_policies_on_leads(today: date | None = None) -> int:
    """Tell each owner of an open lead that relies on a policy expiring within 90 days, once per policy and date."""
    sent = 0
    for row in expiring_relied_policies(today=today):
        if row['owner_id'] is None or row['expires_on'] < (today or clock.today()):
            continue
        sent += notify(row['owner_id'], 'policy_expiring', f'政策即将到期：{row["policy"]}',
                       f'项目「{row["lead"]}」引用的政策《{row["policy"]}》将于 {row["expires_on"].isoformat()} 到期。',
                       _lead_link(row['lead_id']),
                       key=f'policy_expiring:{row["lead_id"]}:{row["policy_id"]}:{row["expires_on"].isoformat()}') \
            is not None
    return sent


def daily_sweep(today: date | None = None) -> dict[str, int]:
    """The daily notifications: overdue follow-ups and expiring policies."""
    return {'follow_up_overdue': overdue_follow_ups(today), 'policy_expiring': expiring_policies_on_leads(today)}


# Leads and packs announce these; they do not import this module (crm.core.hooks).
for _name, _listener in (('lead_assigned', lead_assigned), ('follow_up_mentions', follow_up_mentions),
                         ('lead_returning_to_pool', lead_returning_to_pool), ('share_opened', share_opened),
                         ('pack_build_finished', pack_build_finished)):
    hooks.listen(_name, _listener)
