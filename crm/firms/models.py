"""Firm (企业), Contact (联系人) and Tenancy (入驻)."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, Numeric, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.core.mixins import TimestampMixin, VersionedMixin
from crm.db import Base
from crm.firms import names
from crm.platforms.models import Unit

FIRM_TAGS = ('世界500强', '中国500强', '总部', '上市', '高新技术企业', '专精特新', '规上', '独角兽', '准独角兽', '外资')
REVENUE_BANDS = ('<500万', '500万–2000万', '2000万–1亿', '1亿–10亿', '10亿以上')
CONTACT_ROLES = ('法定代表人', '总经理', '负责人', '财务', '行政', '联络人', '其他')


class Firm(TimestampMixin, VersionedMixin, Base):
    """A firm: tenant, prospect or partner. One record per firm; USCC unique among live records."""

    __tablename__ = 'firm'
    __audited__ = True
    __table_args__ = (
        Index('uq_firm_uscc_live', 'uscc', unique=True, sqlite_where=text('deleted_at IS NULL'),
              postgresql_where=text('deleted_at IS NULL')),
        Index('ix_firm_name_key', 'name_key'),
        Index('ix_firm_search', 'name', 'uscc', 'deleted_at', 'id'),  # the header's search, from the index alone
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    name_key: Mapped[str] = mapped_column(String(200))
    name_core: Mapped[str | None] = mapped_column(String(200), index=True)  # see crm.firms.names
    former_names: Mapped[list[str]] = mapped_column(JSON, default=list)
    uscc: Mapped[str | None] = mapped_column(String(18))
    legal_rep: Mapped[str | None] = mapped_column(String(60))
    address: Mapped[str | None] = mapped_column(String(300))
    district: Mapped[str | None] = mapped_column(String(40))
    industry_code: Mapped[str | None] = mapped_column(String(8), index=True)
    registered_capital: Mapped[Decimal | None] = mapped_column(Numeric(16, 2))  # 万元
    revenue_band: Mapped[str | None] = mapped_column(String(20))
    headcount: Mapped[int | None] = mapped_column(Integer)
    rd_ratio: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))  # percent
    registered_on: Mapped[date | None] = mapped_column()
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    notes: Mapped[str | None] = mapped_column(Text)
    sources: Mapped[list[dict]] = mapped_column(JSON, default=list)  # cited mentions in the plan documents
    seed_key: Mapped[str | None] = mapped_column(String(80), unique=True)
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey('firm.id'))
    deleted_at: Mapped[datetime | None] = mapped_column()
    deleted_by_id: Mapped[int | None] = mapped_column(ForeignKey('user.id'))

    contacts: Mapped[list[Contact]] = relationship(back_populates='firm', order_by='Contact.id')
    __import_owned__ = ('firm_name_gram',)  # the name index, not a use of the firm
    tenancies: Mapped[list[Tenancy]] = relationship(back_populates='firm', order_by='Tenancy.start_date.desc()')


class FirmNameGram(Base):
    """One two-character run of a firm's core name: the index that finds possibly duplicate firms."""

    __tablename__ = 'firm_name_gram'

    gram: Mapped[str] = mapped_column(String(8), primary_key=True)
    firm_id: Mapped[int] = mapped_column(ForeignKey('firm.id', ondelete='CASCADE'), primary_key=True, index=True)


names.listen(Firm)


class Contact(TimestampMixin, VersionedMixin, Base):
    """A person at a firm. Phones are stored in E.164 and masked in lists."""

    __tablename__ = 'contact'
    __audited__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    firm_id: Mapped[int] = mapped_column(ForeignKey('firm.id'), index=True)
    name: Mapped[str] = mapped_column(String(60))
    title: Mapped[str | None] = mapped_column(String(60))
    role: Mapped[str | None] = mapped_column(String(20))
    phone: Mapped[str | None] = mapped_column(String(20))
    email: Mapped[str | None] = mapped_column(String(254))
    wechat: Mapped[str | None] = mapped_column(String(60))
    notes: Mapped[str | None] = mapped_column(Text)

    firm: Mapped[Firm] = relationship(back_populates='contacts')


class Tenancy(TimestampMixin, VersionedMixin, Base):
    """A firm in a unit (入驻): dates, area and rent as agreed."""

    __tablename__ = 'tenancy'
    __audited__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    firm_id: Mapped[int] = mapped_column(ForeignKey('firm.id'), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey('unit.id'), index=True)
    platform_id: Mapped[int] = mapped_column(ForeignKey('platform.id'), index=True)
    start_date: Mapped[date] = mapped_column()
    end_date: Mapped[date | None] = mapped_column()
    area: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    rent: Mapped[Decimal | None] = mapped_column(Numeric(10, 2))  # 元/㎡·天

    firm: Mapped[Firm] = relationship(back_populates='tenancies')
    unit: Mapped[Unit] = relationship(lazy='joined')


class Industry(Base):
    """GB/T 4754-2017 国民经济行业分类: 门类 (A–T), 大类 (2 digits), 中类 (3), 小类 (4)."""

    __tablename__ = 'industry'

    code: Mapped[str] = mapped_column(String(8), primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    level: Mapped[str] = mapped_column(String(10))
    parent: Mapped[str | None] = mapped_column(String(8))
