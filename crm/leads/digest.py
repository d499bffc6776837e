"""The daily digest: each officer's due and overdue follow-ups, follow-up dates reached and stale leads.
Always stored for the app (the workbench shows the latest); also e-mailed when SMTP is configured."""
from __future__ import annotations

from datetime import date

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Integer, UniqueConstraint, select
from sqlalchemy.orm import Mapped, mapped_column

from crm.auth.models import LEADER, OFFICER, User
from crm.core import clock
from crm.core.links import external_url
from crm.core.mail import mail_configured, send_mail
from crm.db import Base, db
from crm.leads import followups
from crm.leads.models import Activity, Lead


class Digest(Base):
    """One user's digest for one day."""

    __tablename__ = 'lead_digest'
    __table_args__ = (UniqueConstraint('user_id', 'day'),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey('user.id', ondelete='CASCADE'), index=True)
    day: Mapped[date] = mapped_column(Date)
    content: Mapped[dict] = mapped_column(JSON, default=dict)
    emailed: Mapped[bool] = mapped_column(Boolean, default=False)
    items: Mapped[int] = mapped_column(Integer, default=0)


def digest_for(user: User, today: date) -> dict:
    """What needs the user's attention today: their leads due for a follow-up today, overdue and stale (the
    definitions of crm.leads.followups, as on 我的一天 and the dashboard), and their open follow-ups due by today."""
    mine = select(Lead).where(Lead.owner_id == user.id)
    due_today = db.session.scalars(mine.where(followups.clause('due_today', today)).order_by(Lead.id)).all()
    overdue = db.session.scalars(mine.where(followups.clause('overdue', today))
                                 .order_by(Lead.next_follow_up, Lead.id)).all()
    stale = db.session.scalars(mine.where(followups.clause('stale', today)).order_by(Lead.stage_since, Lead.id)).all()
    tasks = db.session.scalars(select(Activity).where(Activity.owner_id == user.id, Activity.done_at.is_(None),
                                                      Activity.due_on <= today)
                               .order_by(Activity.due_on, Activity.id)).all()
    return {
        'due_today': [{'lead': lead.display_name, 'lead_id': lead.id, 'date': lead.next_follow_up.isoformat()}
                      for lead in due_today],
        'overdue': [{'lead': lead.display_name, 'lead_id': lead.id, 'date': lead.next_follow_up.isoformat(),
                     'days': (today - lead.next_follow_up).days} for lead in overdue],
        'stale': [{'lead': lead.display_name, 'lead_id': lead.id, 'stage': lead.stage} for lead in stale],
        'tasks': [{'lead': a.lead.display_name, 'lead_id': a.lead_id, 'subject': a.subject, 'kind': a.kind,
                   'due_on': a.due_on.isoformat(), 'overdue': a.due_on < today} for a in tasks],
    }


def _email(user: User, today: date, content: dict) -> bool:
    if not mail_configured():
        return False

    def link(item: dict) -> str:  # from the configured address: no request, and no Host header, decides it
        return external_url('leads.detail', lead_id=item['lead_id'])

    lines = [f"[今日跟进] {d['lead']} {link(d)}" for d in content['due_today']]
    lines += [f"[跟进逾期 {d['days']} 天] {d['lead']}（应于 {d['date']}） {link(d)}" for d in content['overdue']]
    lines += [f"[久未跟进] {s['lead']}（{s['stage']}） {link(s)}" for s in content['stale']]
    lines += [f"[{'逾期' if d['overdue'] else '今日'}待办] {d['lead']}：{d['kind']} {d['subject']}（{d['due_on']}） {link(d)}"
              for d in content['tasks']]
    lines.append(f"我的一天：{external_url('leads.my_day')}")
    return send_mail(user.email, f'招商跟进日报 {today.isoformat()}',
                     '\n'.join(lines) if len(lines) > 1 else '今日没有待办跟进。')


def send_digests(today: date | None = None) -> dict[str, int]:
    """Build (and store; e-mail when configured) today's digest for every active officer and leader."""
    today = today or clock.today()
    stored = emailed = 0
    for user in db.session.scalars(select(User).where(User.is_active.is_(True), User.role_code.in_((OFFICER, LEADER)))):
        content = digest_for(user, today)
        count = sum(len(v) for v in content.values())
        digest = db.session.scalar(select(Digest).where(Digest.user_id == user.id, Digest.day == today))
        if digest is None:
            digest = Digest(user_id=user.id, day=today)
            db.session.add(digest)
        digest.content, digest.items = content, count
        if count and not digest.emailed:
            digest.emailed = _email(user, today, content)
            emailed += digest.emailed
        stored += 1
    db.session.flush()
    return {'digests': stored, 'emailed': emailed}
