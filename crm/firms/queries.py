"""Firm lists: the filter a list is asked for, read once (from a page's query string or the API's checked query),
and the statements built from it that the firm list, its exports and the API all run."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Select, Text, cast, or_, select

from crm.core.access import scoped
from crm.core.pagination import Sort, sort_arg, sort_order
from crm.db import db
from crm.firms import services
from crm.firms.models import FIRM_TAGS, Firm

# The columns the list can be sorted by (`?sort=<key>&dir=asc|desc`); by default by name.
SORTS = {'name': (Firm.name_key,), 'uscc': (Firm.uscc,), 'industry': (Firm.industry_code,),
         'headcount': (Firm.headcount,)}


@dataclass(frozen=True)
class FirmFilter:
    """What the firm list is narrowed to: part of the name or the whole credit code (`q`), a GB/T 4754 code
    prefix, a tag, deleted firms instead of live ones (administrators only), and the sort."""

    q: str = ''
    industry: str = ''
    tag: str | None = None
    deleted: bool = False
    sort: Sort = Sort()

    @classmethod
    def from_args(cls, args, *, may_see_deleted: bool = False) -> FirmFilter:
        """The filter in a query string (or any mapping of the same names): unknown values are ignored."""
        tag = args.get('tag')
        return cls(q=str(args.get('q') or '').strip(), industry=services.industry_prefix(args.get('industry')),
                   tag=tag if tag in FIRM_TAGS else None, deleted=may_see_deleted and args.get('deleted') == '1',
                   sort=sort_arg(args, SORTS))


def list_statement(spec: FirmFilter) -> Select:
    """Firms in the viewer's scope that `spec` selects, in the list's order (whole firms)."""
    stmt = scoped(select(Firm), Firm)
    if spec.q:
        like = '%' + spec.q.replace('%', '').replace('_', '') + '%'
        stmt = stmt.where(or_(Firm.name.like(like), Firm.uscc == spec.q.upper()))
    if spec.industry:
        stmt = stmt.where(Firm.industry_code.startswith(spec.industry, autoescape=True))
    if spec.tag:
        stmt = stmt.where(cast(Firm.tags, Text).like(f'%"{spec.tag}"%'))
    stmt = stmt.where(Firm.deleted_at.is_not(None) if spec.deleted else Firm.deleted_at.is_(None))
    return stmt.order_by(*sort_order(spec.sort, SORTS, (Firm.name_key, Firm.id), Firm.id))


def merged_away_target(firm_id: int) -> Firm | None:
    """The live firm in the viewer's scope that a merged-away firm `firm_id` now lives on as, if any."""
    firm = db.session.get(Firm, firm_id)
    if firm is None or firm.merged_into_id is None or firm.deleted_at is None:
        return None
    survivor = services.merged_survivor(firm)
    if survivor is None:
        return None
    return db.session.scalar(scoped(select(Firm), Firm).where(Firm.id == survivor.id))
