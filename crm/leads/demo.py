"""Deterministic demo leads with realistic stage histories and follow-ups over the last two years."""
from __future__ import annotations

import random
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import insert, select

from crm.auth.models import OFFICER, User
from crm.core import clock
from crm.db import db
from crm.firms.models import Firm
from crm.leads.followups import CLOSED_STAGES, DEFAULT_STALE_DAYS
from crm.leads.models import (
    ACTIVITY_KINDS,
    PRIORITIES,
    SOURCES,
    STAGE_NAMES,
    Activity,
    Lead,
    LostReason,
    Stage,
    StageChange,
    lead_platform,
    stay_days,
)
from crm.leads.queries import forget_totals
from crm.platforms.models import Platform

DEMO_PLATFORMS = ('跨贸小镇', '数字经济产业园', '中国(杭州)人力资源服务产业园', '电竞数娱产业园', '人工智能产业园区',
                  '创新中国产业园', '城市之星', '武林商圈')
PROJECT_KINDS = ('区域总部', '研发中心', '跨境电商运营中心', '人力资源服务平台', '电竞俱乐部', '数据中心', '结算中心', '设计工作室')
ADVANCE = 0.62  # chance to reach the next stage


def _history(rng: random.Random, start: datetime, now: datetime) -> list[tuple[str, datetime]]:
    steps, when = [(Stage.PROSPECT.value, start)], start
    for stage in STAGE_NAMES[1:]:
        when = when + timedelta(days=rng.randint(5, 70))
        if when >= now or rng.random() > ADVANCE:
            break
        steps.append((stage, when))
    if steps[-1][0] != Stage.IN_OPERATION and rng.random() < 0.2:
        when = steps[-1][1] + timedelta(days=rng.randint(10, 60))
        if when < now:
            steps.append((rng.choice([Stage.LOST.value, Stage.LOST.value, Stage.ON_HOLD.value]), when))
    return steps


def _follow_up(rng: random.Random, stage: str, since: datetime, now: datetime, today) -> tuple:
    """(next follow-up date, last contact) of an open demo lead, as a working office keeps them: most leads were
    contacted within their stage's stale threshold and have a contact planned in the coming weeks; about one in
    eight is overdue and about one in ten has gone stale."""
    limit = DEFAULT_STALE_DAYS.get(stage) or 30
    if rng.random() < 0.1:
        last = now - timedelta(days=limit + rng.randint(1, 40), hours=rng.randint(0, 12))
    else:
        last = now - timedelta(days=rng.randint(0, max(1, limit - 3)), hours=rng.randint(0, 12))
    roll = rng.random()
    if roll < 0.12:
        follow_up = today - timedelta(days=rng.randint(1, 10))
    elif roll < 0.2:
        follow_up = today
    else:
        follow_up = today + timedelta(days=rng.randint(1, 30))
    return follow_up, max(last, since)


def demo_leads(count: int, seed: int = 7) -> dict[str, int]:
    """Create `count` demo leads (labelled demo) unless demo leads exist already."""
    if count <= 0 or db.session.scalar(select(Lead.id).where(Lead.is_demo.is_(True)).limit(1)):
        return {'demo_leads': 0}
    rng = random.Random(seed)
    firms = list(db.session.scalars(select(Firm.id).where(Firm.is_demo.is_(True)).order_by(Firm.id)))
    if not firms:
        return {'demo_leads': 0}
    officers = list(db.session.scalars(select(User.id).where(User.role_code == OFFICER).order_by(User.id)))
    platforms = list(db.session.scalars(select(Platform.id).where(Platform.name.in_(DEMO_PLATFORMS))))
    reasons = list(db.session.scalars(select(LostReason.id)))
    now = clock.now().replace(microsecond=0)
    today = clock.local_date(now)
    leads, histories = [], []
    for n in range(count):
        start = now - timedelta(days=rng.randint(1, 730), hours=rng.randint(0, 23))
        history = _history(rng, start, now)
        stage, since = history[-1]
        signed = next((at for s, at in history if s == Stage.SIGNED), None)
        chased = stage not in CLOSED_STAGES
        follow_up, last_contact = _follow_up(rng, stage, since, now, today) if chased else (None, since)
        leads.append({
            'title': f'{rng.choice(PROJECT_KINDS)}项目（示例{n + 1}）', 'codename': f'DEMO-{n + 1:05d}',
            'confidential': rng.random() < 0.05, 'firm_id': rng.choice(firms), 'source': rng.choice(SOURCES),
            'industry_code': rng.choice(['6513', '726', '529', '642', '877', '651']),
            'space_need_m2': Decimal(rng.choice([100, 200, 300, 500, 800, 1200, 2000])),
            'space_use': '办公', 'investment': Decimal(rng.randint(50, 50_000)),
            'annual_tax': Decimal(rng.randint(10, 5_000)), 'jobs': rng.randint(5, 500),
            'owner_id': rng.choice(officers) if officers and rng.random() < 0.85 else None,
            'priority': rng.choice(PRIORITIES), 'stage': stage, 'stage_since': since, 'signed_at': signed,
            'lost_reason_id': rng.choice(reasons) if stage == Stage.LOST and reasons else None,
            'next_follow_up': follow_up, 'last_activity_at': last_contact, 'is_demo': True, 'version': 1,
            'created_at': start, 'updated_at': since,
        })
        histories.append(history)
    ids = []
    for start in range(0, len(leads), 1000):  # RETURNING over one huge batch is quadratic in SQLAlchemy
        ids += db.session.scalars(insert(Lead).returning(Lead.id, sort_by_parameter_order=True),
                                  leads[start:start + 1000]).all()
    changes, activities, links = [], [], []
    for lead_id, history, row in zip(ids, histories, leads):
        previous = None
        for step, (stage, at) in enumerate(history):
            left = history[step + 1][1] if step + 1 < len(history) else None
            changes.append({'lead_id': lead_id, 'from_stage': previous, 'to_stage': stage, 'at': at,
                            'by_id': row['owner_id'], 'note': '流失原因见项目' if stage == Stage.LOST else None,
                            'stay_days': stay_days(at, left) if left else None})
            previous = stage
            activities.append({'lead_id': lead_id, 'kind': rng.choice(ACTIVITY_KINDS), 'subject': f'{stage}阶段跟进',
                               'due_on': clock.local_date(at), 'done_at': at + timedelta(days=1), 'owner_id': row['owner_id'],
                               'outcome': '已沟通', 'data': {}, 'version': 1, 'created_at': at, 'updated_at': at})
        if row['last_activity_at'] > history[-1][1] + timedelta(days=1):  # the latest contact, done
            at = row['last_activity_at']
            activities.append({'lead_id': lead_id, 'kind': rng.choice(ACTIVITY_KINDS[:4]), 'subject': '例行跟进',
                               'due_on': clock.local_date(at), 'done_at': at, 'owner_id': row['owner_id'],
                               'outcome': '已沟通', 'data': {}, 'version': 1, 'created_at': at, 'updated_at': at})
        if row['next_follow_up']:  # the next contact, planned: the lead's next follow-up is its due date
            activities.append({'lead_id': lead_id, 'kind': rng.choice(ACTIVITY_KINDS[:4]), 'subject': '计划跟进',
                               'due_on': row['next_follow_up'], 'done_at': None, 'owner_id': row['owner_id'],
                               'outcome': None, 'data': {}, 'version': 1, 'created_at': now, 'updated_at': now})
        if platforms:
            for platform_id in rng.sample(platforms, rng.randint(1, 2)):
                links.append({'lead_id': lead_id, 'platform_id': platform_id})
    for table, rows in ((StageChange, changes), (Activity, activities)):
        for start in range(0, len(rows), 20_000):
            db.session.execute(insert(table), rows[start:start + 20_000])
    if links:
        db.session.execute(insert(lead_platform), links)
    forget_totals(db.session())  # bulk inserts: the ORM's flush does not see them
    db.session.flush()
    return {'demo_leads': len(ids), 'demo_stage_changes': len(changes)}
