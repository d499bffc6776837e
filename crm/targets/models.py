"""TrackedTarget: a plan target copied into the register (so re-imports never lose it), with its measure."""
from __future__ import annotations

from sqlalchemy import JSON, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from crm.core.mixins import TimestampMixin, VersionedMixin
from crm.db import Base


class TrackedTarget(TimestampMixin, VersionedMixin, Base):
    """A target the office is judged by: the plan's words and value, and how the CRM measures progress.

    `measure` is data, not code: {"entity": "firms|tenancies|leads|buildings", "agg": "count|sum",
    "field": "investment", "filters": {...}}; `actuals` holds manually entered values with their sources
    for targets the CRM cannot compute (GDP, 社零 …).
    """

    __tablename__ = 'tracked_target'
    __audited__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    document_slug: Mapped[str] = mapped_column(String(80))
    citation: Mapped[str] = mapped_column(String(400))
    anchor: Mapped[str | None] = mapped_column(String(120))
    quote: Mapped[str] = mapped_column(Text)
    metric: Mapped[str] = mapped_column(Text)
    value: Mapped[str] = mapped_column(String(60))
    unit: Mapped[str] = mapped_column(String(40), default='')
    comparator: Mapped[str] = mapped_column(String(20), default='')
    year: Mapped[int | None] = mapped_column(Integer)
    period_start: Mapped[int | None] = mapped_column(Integer)
    period_end: Mapped[int | None] = mapped_column(Integer)
    measure: Mapped[dict | None] = mapped_column(JSON)
    actuals: Mapped[list[dict]] = mapped_column(JSON, default=list)
    note: Mapped[str | None] = mapped_column(Text)
