"""Leads (招商项目): lifecycle stages with a full change log, lost reasons, activities (跟进)."""
from __future__ import annotations

from datetime import date, datetime, timezone
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import JSON, Boolean, Column, ForeignKey, Index, Integer, Numeric, String, Table, Text, false, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.core.mixins import TimestampMixin, VersionedMixin
from crm.db import Base, one_of, utcnow
from crm.firms.models import Firm


class Stage(StrEnum):
    """A lead's stage, stored as the office's own word (labels: crm.core.labels.STAGES)."""

    PROSPECT = '线索'
    FIRST_CONTACT = '初步接洽'
    SITE_VISIT = '考察看房'
    NEGOTIATION = '洽谈'
    SIGNED = '签约'
    REGISTERED = '注册'
    MOVED_IN = '入驻'
    IN_OPERATION = '投产'
    LOST = '流失'
    ON_HOLD = '暂缓'


# Pipeline stages in order, with the fixed default probability (%). 流失 and 暂缓 are terminal (reopenable).
# When a lead is overdue or stale is defined in crm.leads.followups.
STAGES = [(stage.value, probability) for stage, probability in (
    (Stage.PROSPECT, 5), (Stage.FIRST_CONTACT, 10), (Stage.SITE_VISIT, 25), (Stage.NEGOTIATION, 50),
    (Stage.SIGNED, 80), (Stage.REGISTERED, 90), (Stage.MOVED_IN, 95), (Stage.IN_OPERATION, 100))]
TERMINAL = [(Stage.LOST.value, 0), (Stage.ON_HOLD.value, 0)]
STAGE_NAMES = [s for s, _p in STAGES]
ALL_STAGES = STAGE_NAMES + [s for s, _p in TERMINAL]
PROBABILITY = {s: p for s, p in STAGES + TERMINAL}
SIGNED_STAGES = STAGE_NAMES[STAGE_NAMES.index(Stage.SIGNED):]
SOURCES = ('以商招商', '中介推荐', '展会/峰会', '基金招商', '上门拜访', '线上', '产业链招商', '其他')
PRIORITIES = ('高', '中', '低')
ACTIVITY_KINDS = ('电话', '拜访', '考察看房', '会议', '函件', '备注')

lead_platform = Table(
    'lead_platform', Base.metadata,
    Column('lead_id', ForeignKey('lead.id', ondelete='CASCADE'), primary_key=True),
    Column('platform_id', ForeignKey('platform.id', ondelete='CASCADE'), primary_key=True, index=True),
)
lead_collaborator = Table(
    'lead_collaborator', Base.metadata,
    Column('lead_id', ForeignKey('lead.id', ondelete='CASCADE'), primary_key=True),
    Column('user_id', ForeignKey('user.id', ondelete='CASCADE'), primary_key=True, index=True),
)


class LostReason(Base):
    """Why a lead was lost; the list is edited by administrators."""

    __tablename__ = 'lost_reason'

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(60), unique=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class LeadNaming:
    """What lists and pages call a lead (its codename when confidential) and its stage probability.

    Shared by the Lead model and the plain rows lists use (both have stage, title, codename, confidential)."""

    __slots__ = ()

    @property
    def probability(self) -> int:
        return PROBABILITY.get(self.stage, 0)

    @property
    def display_name(self) -> str:
        return self.codename if self.confidential and self.codename else self.title


class Lead(LeadNaming, TimestampMixin, VersionedMixin, Base):
    """An investment project pursued with a prospect firm."""

    __tablename__ = 'lead'
    __audited__ = True
    __table_args__ = (Index('ix_lead_stage_updated', 'stage', 'updated_at', 'id'),
                      Index('ix_lead_updated', 'updated_at', 'id'),
                      # the follow-up figures (crm.leads.followups) are counted on these three indexes alone:
                      # overdue and due today per owner, overdue and due today, stale per stage
                      Index('ix_lead_owner_stage', 'owner_id', 'stage', 'next_follow_up'),
                      Index('ix_lead_next_follow_up', 'next_follow_up', 'stage', 'owner_id'),
                      Index('ix_lead_stage_since', 'stage', 'stage_since', 'last_activity_at', 'owner_id'),
                      Index('ix_lead_owner_updated', 'owner_id', 'updated_at', 'id'),  # "my leads", last changed first
                      # the header's search reads titles from this index alone, in title order
                      Index('ix_lead_search', 'title', 'codename', 'confidential', 'stage', 'owner_id', 'id'),
                      one_of('stage', Stage))

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    codename: Mapped[str | None] = mapped_column(String(60))
    confidential: Mapped[bool] = mapped_column(Boolean, default=False)
    firm_id: Mapped[int] = mapped_column(ForeignKey('firm.id'), index=True)
    source: Mapped[str] = mapped_column(String(20))
    industry_code: Mapped[str | None] = mapped_column(String(8))
    space_need_m2: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    space_use: Mapped[str | None] = mapped_column(String(10))
    space_by: Mapped[date | None] = mapped_column()
    investment: Mapped[Decimal | None] = mapped_column(Numeric(16, 2))  # 万元
    annual_tax: Mapped[Decimal | None] = mapped_column(Numeric(16, 2))  # 万元
    jobs: Mapped[int | None] = mapped_column(Integer)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey('user.id'))  # None: the shared pool
    priority: Mapped[str] = mapped_column(String(4), default='中')
    stage: Mapped[str] = mapped_column(String(10), default=Stage.PROSPECT.value)
    stage_since: Mapped[datetime] = mapped_column(default=utcnow)
    signed_at: Mapped[datetime | None] = mapped_column(index=True)  # the first 签约: counted once, ever
    lost_reason_id: Mapped[int | None] = mapped_column(ForeignKey('lost_reason.id'))
    next_follow_up: Mapped[date | None] = mapped_column()
    last_activity_at: Mapped[datetime | None] = mapped_column()
    notes: Mapped[str | None] = mapped_column(Text)
    tags: Mapped[list | None] = mapped_column(JSON, default=list)  # the office's own labels (批量打标签)
    owned_since: Mapped[datetime | None] = mapped_column()  # when its owner took it (the pool's recall counts from it)
    pool_warned_on: Mapped[date | None] = mapped_column(index=True)  # warned of a return to the pool (business date)
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)

    firm: Mapped[Firm] = relationship(lazy='joined')
    owner = relationship('User', foreign_keys=[owner_id], lazy='joined')
    platforms = relationship('Platform', secondary=lead_platform, lazy='selectin', order_by='Platform.name')
    collaborators = relationship('User', secondary=lead_collaborator, lazy='selectin')
    lost_reason: Mapped[LostReason | None] = relationship(lazy='joined')



class StageChange(Base):
    """Every stage move: from, to, when, who, why — time in stage and signing dates derive from these."""

    __tablename__ = 'lead_stage_change'
    __table_args__ = (Index('ix_lead_stage_change_stage_lead', 'to_stage', 'lead_id'),
                      Index('ix_lead_stage_change_stage_stay', 'to_stage', 'stay_days'))

    id: Mapped[int] = mapped_column(primary_key=True)
    lead_id: Mapped[int] = mapped_column(ForeignKey('lead.id', ondelete='CASCADE'), index=True)
    from_stage: Mapped[str | None] = mapped_column(String(10))
    to_stage: Mapped[str] = mapped_column(String(10))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    by_id: Mapped[int | None] = mapped_column(ForeignKey('user.id'))
    note: Mapped[str | None] = mapped_column(Text)
    # a stage passed over by a move forward (logged at the move, with no stay): it was reached, never stayed in
    skipped: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false(), nullable=False)
    # days until the lead's next stage change (None while it is still in this stage): kept by the service that
    # logs changes, so the dashboard's median time in stage is read from an index instead of the whole log
    stay_days: Mapped[float | None]


def leads_written(session, *also: type) -> bool:
    """Whether `session`'s flush writes a lead (added, removed, or a column or its platforms or collaborators
    changed — an attribute set to the value it had is no change) or a row of the models `also`."""
    kinds = (Lead, *also)
    if any(isinstance(obj, kinds) for obj in (*session.new, *session.deleted)):
        return True
    return any(isinstance(obj, kinds) and session.is_modified(obj) for obj in session.dirty)


def stay_days(entered: datetime, left: datetime) -> float:
    """Days between entering a stage and leaving it (naive times are read as UTC, as the database stores them)."""
    entered, left = (t if t.tzinfo else t.replace(tzinfo=timezone.utc) for t in (entered, left))
    return (left - entered).total_seconds() / 86400


class Increment(Base):
    """Later 增资/扩产 on a signed project: reported separately, never a new project."""

    __tablename__ = 'lead_increment'

    id: Mapped[int] = mapped_column(primary_key=True)
    lead_id: Mapped[int] = mapped_column(ForeignKey('lead.id', ondelete='CASCADE'), index=True)
    at: Mapped[date] = mapped_column()
    investment: Mapped[Decimal] = mapped_column(Numeric(16, 2))
    note: Mapped[str | None] = mapped_column(Text)
    by_id: Mapped[int | None] = mapped_column(ForeignKey('user.id'))


class Activity(TimestampMixin, VersionedMixin, Base):
    """A follow-up (跟进): call, visit, site tour, meeting, letter or note."""

    __tablename__ = 'activity'
    __audited__ = True
    __table_args__ = (Index('ix_activity_open_due', 'due_on', sqlite_where=text('done_at IS NULL'),
                            postgresql_where=text('done_at IS NULL')),  # open follow-ups by due date
                      Index('ix_activity_updated', 'updated_at'))  # the latest change, for cached figures

    id: Mapped[int] = mapped_column(primary_key=True)
    lead_id: Mapped[int] = mapped_column(ForeignKey('lead.id', ondelete='CASCADE'), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    subject: Mapped[str] = mapped_column(String(200))
    due_on: Mapped[date | None] = mapped_column(index=True)
    done_at: Mapped[datetime | None] = mapped_column()
    owner_id: Mapped[int | None] = mapped_column(ForeignKey('user.id'), index=True)
    outcome: Mapped[str | None] = mapped_column(Text)
    data: Mapped[dict] = mapped_column(JSON, default=dict)

    lead: Mapped[Lead] = relationship(lazy='joined')


class SavedFilter(Base):
    """A named set of list filters a user keeps (the query string of the list page)."""

    __tablename__ = 'saved_filter'

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey('user.id', ondelete='CASCADE'), index=True)
    name: Mapped[str] = mapped_column(String(60))
    query: Mapped[str] = mapped_column(String(1000))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
