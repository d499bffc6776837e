"""Platform (产业平台): a park, town, business district or cluster that firms land in."""
from __future__ import annotations

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from crm.core.mixins import TimestampMixin, VersionedMixin
from crm.db import Base

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

    def __repr__(self) -> str:
        return f'<Platform {self.id} {self.name}>'
