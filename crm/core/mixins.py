"""Column mixins shared by the models."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from crm.db import utcnow


class TimestampMixin:
    """Creation and last-change times, in UTC."""

    created_at: Mapped[datetime] = mapped_column(default=utcnow, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow, nullable=False)


class VersionedMixin:
    """An optimistic-lock counter: a stale write raises StaleDataError instead of overwriting.

    Forms carry the version they were rendered with; services compare it before applying
    changes (see `crm.core.concurrency.check_version`).
    """

    version: Mapped[int] = mapped_column(default=1, nullable=False)

    @declared_attr.directive
    def __mapper_args__(cls) -> dict:
        return {'version_id_col': cls.__table__.c.version}
