"""After signing: the 三未 lists (签约未注册, 注册未入驻, 入驻未投产) with days waited, promised versus actual
investment, tax and jobs per year (each actual with its source), and 督办 tasks a leader gives an officer.

Promises are the lead's own figures (计划投资 万元 in total, 预计年税收 万元 a year, 预计就业 people). A year's
actuals are entered (or imported) with where they come from; tax and jobs are compared year by year, investment
as the running total to that year. A figure below its promise is a shortfall.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Integer, Numeric, String, Text, UniqueConstraint, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.core import audit, clock
from crm.core.i18n import gettext as _
from crm.core.rules import RuleError
from crm.db import Base, db, utcnow
from crm.leads.models import Lead, Stage

# (key, stage the project waits in, what it waits for)
UNFINISHED = {'signed': (Stage.SIGNED, Stage.REGISTERED), 'registered': (Stage.REGISTERED, Stage.MOVED_IN),
              'settled': (Stage.MOVED_IN, Stage.IN_OPERATION)}
MAX_MONEY = Decimal('99999999999999')  # 万元, the columns' range


class AftercareError(RuleError):
    """Refused input; the message is shown to the user (`field`: the input at fault, when one is)."""


class ProjectActual(Base):
    """One project's actual figures for one year, with their source (统计报表, 税务数据, 企业自报 …)."""

    __tablename__ = 'project_actual'
    __audited__ = True
    __table_args__ = (UniqueConstraint('lead_id', 'year'),)

    id: Mapped[int] = mapped_column(primary_key=True)
    lead_id: Mapped[int] = mapped_column(ForeignKey('lead.id', ondelete='CASCADE'), index=True)
    year: Mapped[int] = mapped_column(Integer)
    investment: Mapped[Decimal | None] = mapped_column(Numeric(16, 2))  # 万元 invested in the year
    tax: Mapped[Decimal | None] = mapped_column(Numeric(16, 2))  # 万元
    jobs: Mapped[int | None] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(String(200))
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey('user.id'))
    entered_at: Mapped[datetime] = mapped_column(default=utcnow)

    @property
    def import_label(self) -> str:
        lead = db.session.get(Lead, self.lead_id)
        return f'{lead.display_name if lead else self.lead_id} {self.year} 年'


class SupervisionTask(Base):
    """督办: a leader asks an officer to get something done on a project by a date."""

    __tablename__ = 'supervision_task'
    __audited__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    lead_id: Mapped[int] = mapped_column(ForeignKey('lead.id', ondelete='CASCADE'), index=True)
    assignee_id: Mapped[int] = mapped_column(ForeignKey('user.id'), index=True)
    assigned_by_id: Mapped[int | None] = mapped_column(ForeignKey('user.id'))
    title: Mapped[str] = mapped_column(String(200))
    due_on: Mapped[date] = mapped_column(index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    done_at: Mapped[datetime | None] = mapped_column()
    done_note: Mapped[str | None] = mapped_column(Text)

    lead: Mapped[Lead] = relationship(lazy='joined')
    assignee = relationship('User', foreign_keys=[assignee_id], lazy='joined')

    def overdue(self, today: date | None = None) -> bool:
        return self.done_at is None and self.due_on < (today or clock.today())


# --- 三未 ------------------------------------------------------------------------------------------------------------

def unfinished_stmt(kind: str):
    """Leads waiting in the list's stage, longest waiting first (the caller scopes it)."""
    stage, _next = UNFINISHED[kind]
    return select(Lead).where(Lead.stage == stage).order_by(Lead.stage_since, Lead.id)


def days_waited(lead: Lead, today: date | None = None) -> int:
    """Whole office days since the lead entered its stage."""
    return ((today or clock.today()) - clock.local_date(lead.stage_since)).days


# --- promised versus actual ------------------------------------------------------------------------------------

@dataclass
class YearRow:
    year: int
    actual: ProjectActual
    investment_to_date: Decimal | None
    shortfalls: list[str]


def performance(lead: Lead) -> list[YearRow]:
    """Each year's actuals against the promises, oldest first, with the shortfalls flagged."""
    rows, invested = [], Decimal(0)
    actuals = db.session.scalars(select(ProjectActual).where(ProjectActual.lead_id == lead.id)
                                 .order_by(ProjectActual.year)).all()
    for actual in actuals:
        invested += actual.investment or 0
        short = []
        if lead.investment is not None and invested < lead.investment:
            short.append('investment')
        if lead.annual_tax is not None and actual.tax is not None and actual.tax < lead.annual_tax:
            short.append('tax')
        if lead.jobs is not None and actual.jobs is not None and actual.jobs < lead.jobs:
            short.append('jobs')
        rows.append(YearRow(actual.year, actual, invested, short))
    return rows


def record_actual(lead: Lead, *, year: int, investment: Decimal | None, tax: Decimal | None, jobs: int | None,
                  source: str, actor_id: int | None) -> ProjectActual:
    """Enter (or correct) a year's actuals; a later entry for the same year replaces the figures (audited)."""
    source = (source or '').strip()
    if not source:
        raise AftercareError(_('Name the source of the figures (statistics, tax data, the firm\'s own report)'),
                             field='source')
    if not 2000 <= year <= clock.today().year:
        raise AftercareError(_('The year must be between 2000 and %(year)s', year=clock.today().year), field='year')
    for name, label, value in (('investment', _('Actual investment'), investment), ('tax', _('Actual tax'), tax)):
        if value is not None and not (0 <= value <= MAX_MONEY):
            raise AftercareError(_('%(label)s must be an amount of at least 0 (10k yuan)', label=label), field=name)
    if jobs is not None and not 0 <= jobs <= 10_000_000:
        raise AftercareError(_('Actual jobs must be a number of at least 0'), field='jobs')
    if investment is None and tax is None and jobs is None:
        raise AftercareError(_('Fill in at least one actual figure'))
    row = db.session.scalar(select(ProjectActual).where(ProjectActual.lead_id == lead.id, ProjectActual.year == year))
    if row is None:
        row = ProjectActual(lead_id=lead.id, year=year)
        db.session.add(row)
    row.investment, row.tax, row.jobs, row.source = investment, tax, jobs, source[:200]
    row.entered_by_id, row.entered_at = actor_id, utcnow()
    db.session.flush()
    return row


# --- 督办 ------------------------------------------------------------------------------------------------------------

def assign_task(lead: Lead, *, assignee_id: int, title: str, due_on: date, actor_id: int | None) -> SupervisionTask:
    title = (title or '').strip()
    if not title:
        raise AftercareError(_('Fill in the supervision task'), field='title')
    if due_on < clock.today():
        raise AftercareError(_('The deadline cannot be before today'), field='due_on')
    task = SupervisionTask(lead_id=lead.id, assignee_id=assignee_id, assigned_by_id=actor_id, title=title[:200],
                           due_on=due_on)
    db.session.add(task)
    db.session.flush()
    return task


def complete_task(task: SupervisionTask, *, note: str | None, actor_id: int | None) -> None:
    if task.done_at is not None:
        raise AftercareError(_('This supervision task is already done'))
    task.done_at, task.done_note = utcnow(), (note or '').strip()[:4000] or None
    db.session.flush()
    audit.log(db.session, 'done', 'supervision_task', task.id, by=actor_id)
