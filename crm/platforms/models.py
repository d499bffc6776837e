"""Platform (产业平台): a park, town, business district or cluster that firms land in, with cited facts."""
from __future__ import annotations

from sqlalchemy import JSON, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.core.mixins import TimestampMixin, VersionedMixin
from crm.db import Base
from crm.plans.models import PlanParagraph

PLATFORM_KINDS = ('特色小镇', '产业园', '商圈', '新城', '基地', '楼宇集群', '功能区', '集聚区')


class Platform(TimestampMixin, VersionedMixin, Base):
    """An industrial platform in a district."""

    __tablename__ = 'platform'
    __audited__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(20))
    district: Mapped[str] = mapped_column(String(40), index=True)
    former_district: Mapped[str | None] = mapped_column(String(40))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey('platform.id'), index=True)
    aliases: Mapped[list[str]] = mapped_column(JSON, default=list)
    focus_industries: Mapped[list[str]] = mapped_column(JSON, default=list)
    positioning: Mapped[str | None] = mapped_column(Text)
    managing_body: Mapped[str | None] = mapped_column(String(200))

    parent: Mapped[Platform | None] = relationship(remote_side=[id], back_populates='children')
    children: Mapped[list[Platform]] = relationship(back_populates='parent', order_by='Platform.name')
    facts: Mapped[list[PlatformFact]] = relationship(back_populates='platform', cascade='all, delete-orphan',
                                                     order_by='PlatformFact.seq')

    def __repr__(self) -> str:
        return f'<Platform {self.id} {self.name}>'


class PlatformFact(Base):
    """One fact about a platform as a plan document states it, with the verbatim quote and where it is."""

    __tablename__ = 'platform_fact'

    id: Mapped[int] = mapped_column(primary_key=True)
    platform_id: Mapped[int] = mapped_column(ForeignKey('platform.id', ondelete='CASCADE'), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    field: Mapped[str] = mapped_column(String(40))
    value: Mapped[str] = mapped_column(Text)
    unit: Mapped[str | None] = mapped_column(String(40))
    year: Mapped[int | None] = mapped_column(Integer)
    doc_slug: Mapped[str] = mapped_column(String(80))
    quote: Mapped[str] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)
    paragraph_id: Mapped[int | None] = mapped_column(ForeignKey('plan_paragraph.id', ondelete='SET NULL'))

    platform: Mapped[Platform] = relationship(back_populates='facts')
    paragraph: Mapped[PlanParagraph | None] = relationship(lazy='joined')
