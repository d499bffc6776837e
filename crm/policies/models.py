"""Policy and PolicyClause. Most policies come from the plans by name only: they keep their citations and say
金额未公开; only clauses with stated (or clearly labelled 示例) formulas produce amounts."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import JSON, Boolean, ForeignKey, Numeric, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.core.mixins import TimestampMixin, VersionedMixin
from crm.db import Base

CLAUSE_KINDS = ('落户奖励', '房租补助', '购房补助', '研发资助', '人才奖励', '税收贡献奖励', '上市奖励', '知识产权', '融资/基金', '其他')
FORMULAS = ('fixed', 'percent', 'per_m2', 'schedule')
BASES = ('rent', 'rd_spend', 'fiscal_contribution', 'investment')
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
    source_type: Mapped[str | None] = mapped_column(String(40))

    clauses: Mapped[list[PolicyClause]] = relationship(back_populates='policy', cascade='all, delete-orphan',
                                                       order_by='PolicyClause.id', lazy='selectin')


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

    policy: Mapped[Policy] = relationship(back_populates='clauses')
