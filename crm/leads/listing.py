"""Lead lists read plain rows (one joined query for a page of ids, platform names aggregated), no ORM objects."""
from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import bindparam, func, select

from crm.auth.models import User
from crm.db import db
from crm.firms.models import Firm
from crm.leads.models import LeadNaming, Lead, lead_platform
from crm.platforms.models import Platform


@dataclass(slots=True)  # not frozen: a frozen dataclass pays a setattr call per field, 50 rows a page
class LeadRow(LeadNaming):
    """What a list shows of one lead."""

    id: int
    title: str
    codename: str | None
    confidential: bool
    stage: str
    investment: Decimal | None
    next_follow_up: date | None
    stage_since: datetime
    last_activity_at: datetime | None
    firm_name: str
    owner_name: str | None
    platform_names: tuple[str, ...] = ()


_SEPARATOR = '\x1f'
_PLATFORM_NAMES = (select(func.aggregate_strings(Platform.name, _SEPARATOR))
                   .join(lead_platform, lead_platform.c.platform_id == Platform.id)
                   .where(lead_platform.c.lead_id == Lead.id).scalar_subquery())
_COLUMNS = (Lead.id, Lead.title, Lead.codename, Lead.confidential, Lead.stage, Lead.investment, Lead.next_follow_up,
            Lead.stage_since, Lead.last_activity_at, Firm.name, User.name)


@functools.cache
def _rows_statement():
    """Built once: every list page runs it."""
    return (select(*_COLUMNS, _PLATFORM_NAMES).join(Firm, Firm.id == Lead.firm_id)
            .outerjoin(User, User.id == Lead.owner_id).where(Lead.id.in_(bindparam('ids', expanding=True))))


def lead_rows(ids: Sequence[int]) -> list[LeadRow]:
    """The rows for `ids`, in that order (ids already passed the viewer's scope)."""
    rows = db.session.connection().execute(_rows_statement(), {'ids': list(ids)}).all()
    by_id = {row[0]: LeadRow(*row[:-1], platform_names=tuple(sorted(row[-1].split(_SEPARATOR))) if row[-1] else ())
             for row in rows}
    return [by_id[i] for i in ids if i in by_id]
