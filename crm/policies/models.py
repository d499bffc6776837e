"""Policy, its articles and clauses. Most policies come from the plans by name only: they keep their citations and
say 金额未公开; only clauses with stated (or clearly labelled 示例) formulas produce amounts. A policy whose text is
imported keeps its articles; the clauses read from them are candidates until an administrator accepts them, and
only accepted clauses are evaluated."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, Numeric, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.core.mixins import TimestampMixin, VersionedMixin
from crm.db import Base, utcnow

CLAUSE_KINDS = ('落户奖励', '房租补助', '购房补助', '研发资助', '人才奖励', '税收贡献奖励', '上市奖励', '认定奖励', '技改', '知识产权',
                '融资/基金', '其他')
# fixed amount, up to a stated maximum (给予最高…), percentage of a base, rate per ㎡ (of leased area), rate per
# person or 亩, multi-year schedule, tiers (a percentage or an amount by the range a quantity falls in), and a
# measure without money (一事一议 …)
FORMULAS = ('fixed', 'up_to', 'percent', 'per_m2', 'per_unit', 'schedule', 'tiers', 'none')
BASES = ('rent', 'rd_spend', 'fiscal_contribution', 'investment', 'leased_area', 'headcount', 'persons', 'land_area',
         'equipment')
REVIEW_STATES = ('candidate', 'accepted', 'rejected')
LEVELS = ('区', '市', '省', '国家')


class Policy(TimestampMixin, VersionedMixin, Base):
    """A support policy with its source and applicability."""

    __tablename__ = 'policy'
    __audited__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    issuer: Mapped[str | None] = mapped_column(String(200))
    level: Mapped[str] = mapped_column(String(10), default='区')
    district: Mapped[str | None] = mapped_column(String(40))
    doc_number: Mapped[str | None] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(20), default='named')  # named | described | active | example
    effective_from: Mapped[date | None] = mapped_column()
    expires_on: Mapped[date | None] = mapped_column()
    amounts_public: Mapped[bool] = mapped_column(Boolean, default=False)
    kinds: Mapped[list[str]] = mapped_column(JSON, default=list)
    industries: Mapped[list[str]] = mapped_column(JSON, default=list)
    platform_names: Mapped[list[str]] = mapped_column(JSON, default=list)
    summary: Mapped[str | None] = mapped_column(Text)
    facts: Mapped[list[dict]] = mapped_column(JSON, default=list)  # citations: doc slug + verbatim quote
    is_example: Mapped[bool] = mapped_column(Boolean, default=False)
    # 就高不重复: where another policy also pays for the same cost, only the higher of the two is granted.
    highest_only: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # An uploaded policy document (PDF or text), stored by its SHA-256 under instance/policy_docs.
    source_sha256: Mapped[str | None] = mapped_column(String(64))
    source_name: Mapped[str | None] = mapped_column(String(200))
    source_type: Mapped[str | None] = mapped_column(String(100))
    issued_on: Mapped[date | None] = mapped_column()
    # 申兑指南: {key: {text, quote, article, citation}} for 申报条件, 申报材料, 申报时间, 兑现方式与时限, 受理部门, 咨询电话, 叠加规则
    guide: Mapped[dict | None] = mapped_column(JSON)
    import_report: Mapped[dict | None] = mapped_column(JSON)  # layout, removed junk, sentences not read

    # every clause, imported candidates and rejected ones included: the evaluator uses `accepted_clauses`
    clauses: Mapped[list[PolicyClause]] = relationship(back_populates='policy', cascade='all, delete-orphan',
                                                       order_by='PolicyClause.id', lazy='selectin')
    articles: Mapped[list[PolicyArticle]] = relationship(cascade='all, delete-orphan', order_by='PolicyArticle.seq',
                                                         lazy='select', passive_deletes=True)

    @property
    def accepted_clauses(self) -> list[PolicyClause]:
        """The clauses that count: entered by hand, or read from the text and accepted by an administrator."""
        return [c for c in self.clauses if c.counts]

    @property
    def candidates(self) -> list[PolicyClause]:
        return [c for c in self.clauses if c.review == 'candidate']


class PolicyClause(TimestampMixin, VersionedMixin, Base):
    """One benefit: formula, caps and the conditions a firm or lead must meet."""

    __tablename__ = 'policy_clause'
    __audited__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    policy_id: Mapped[int] = mapped_column(ForeignKey('policy.id', ondelete='CASCADE'), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    formula: Mapped[str] = mapped_column(String(10), default='fixed')
    amount: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))       # 万元 (fixed)
    percent: Mapped[Decimal | None] = mapped_column(Numeric(6, 2))       # 0–100, of `base`
    base: Mapped[str | None] = mapped_column(String(30))
    rate: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))         # 元/㎡ per year (per_m2)
    schedule: Mapped[list[float]] = mapped_column(JSON, default=list)    # percent of base per year
    cap_year: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))     # 万元
    cap_total: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))    # 万元
    conditions: Mapped[list[dict]] = mapped_column(JSON, default=list)   # [{field, op, value}]
    note: Mapped[str | None] = mapped_column(Text)
    review: Mapped[str] = mapped_column(String(10), default='accepted', server_default='accepted')
    unit: Mapped[str | None] = mapped_column(String(20))                # as the text wrote it: 万元, 元/㎡·天, %
    tiers: Mapped[list[dict] | None] = mapped_column(JSON)               # [{field, min, max, percent | amount}]
    uncapped: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())  # 上不封顶, stated
    article: Mapped[str | None] = mapped_column(String(40))              # anchor of the article it was read from
    citation: Mapped[str | None] = mapped_column(String(60))
    quote: Mapped[str | None] = mapped_column(Text)                      # the sentence, verbatim in the article

    policy: Mapped[Policy] = relationship(back_populates='clauses')

    @property
    def counts(self) -> bool:
        """Evaluated (a clause built in memory before it is stored has no review state yet: it counts)."""
        return self.review not in ('candidate', 'rejected')


class PolicyArticle(Base):
    """A citable unit of an imported policy text: 第N条, an item such as 二、（一）, the preamble, or a paragraph."""

    __tablename__ = 'policy_article'
    __table_args__ = (UniqueConstraint('policy_id', 'anchor'),)

    id: Mapped[int] = mapped_column(primary_key=True)
    policy_id: Mapped[int] = mapped_column(ForeignKey('policy.id', ondelete='CASCADE'), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    number: Mapped[str | None] = mapped_column(String(20))
    anchor: Mapped[str] = mapped_column(String(40))
    citation: Mapped[str] = mapped_column(String(60))
    title: Mapped[str | None] = mapped_column(String(100))
    chapter: Mapped[str | None] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text)


class PolicyPush(Base):
    """Issuing 政策摘要 to the firms an officer chose from a policy's eligible list: a background job with its
    progress, the summaries it issued, and the firms eligible at that time (to tell the newly eligible later)."""

    __tablename__ = 'policy_push'

    id: Mapped[int] = mapped_column(primary_key=True)
    policy_id: Mapped[int] = mapped_column(ForeignKey('policy.id', ondelete='CASCADE'), index=True)
    policy_version: Mapped[int] = mapped_column(Integer)
    lang: Mapped[str] = mapped_column(String(10), default='zh')
    firm_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    eligible_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    summary_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(10), default='queued')  # queued | running | done | failed
    done: Mapped[int] = mapped_column(Integer, default=0)
    total: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(String(500))
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey('user.id'))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column()
    finished_at: Mapped[datetime | None] = mapped_column()


PAYMENT_STATES = ('applied', 'approved', 'paid')


class PolicyPayment(TimestampMixin, VersionedMixin, Base):
    """兑现: one firm's claim under a policy clause, from application (applied) to approval and payment, with the
    amounts (万元) and dates of each step."""

    __tablename__ = 'policy_payment'
    __audited__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    firm_id: Mapped[int] = mapped_column(ForeignKey('firm.id'), index=True)
    policy_id: Mapped[int] = mapped_column(ForeignKey('policy.id', ondelete='CASCADE'), index=True)
    clause_id: Mapped[int | None] = mapped_column(ForeignKey('policy_clause.id', ondelete='SET NULL'))
    status: Mapped[str] = mapped_column(String(10), default='applied')
    applied_amount: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    applied_on: Mapped[date] = mapped_column()
    approved_amount: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    approved_on: Mapped[date | None] = mapped_column()
    paid_amount: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    paid_on: Mapped[date | None] = mapped_column()
    note: Mapped[str | None] = mapped_column(Text)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey('user.id'))
