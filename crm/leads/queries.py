"""Lead lists: the filter a list is asked for, read once into a LeadFilter (from a page's query string or the
API's checked query), and the statements built from it that the list, the board, the exports and the API run.
Lists read plain rows (one statement per page: its ids found on the indexes, their rows with firm, owner and
platform names), no ORM objects; the statements are built from the filters filled in, values bound."""
from __future__ import annotations

import functools
import json
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any, NamedTuple

from flask_login import current_user
from sqlalchemy import Select, Text, and_, bindparam, case, cast, event, func, or_, select
from sqlalchemy.orm import Session, aliased

from crm.auth.models import User
from crm.core import clock
from crm.core.access import scoped, visibility_clause
from crm.core.args import id_arg
from crm.core.cache import changed, kept
from crm.core.pagination import (
    Page,
    PageStatements,
    Sort,
    kept_page,
    page_statements,
    sort_arg,
    sort_order,
)
from crm.core.validators import record_id
from crm.db import db
from crm.firms.models import Firm
from crm.firms.services import industry_prefix
from crm.leads import followups
from crm.leads.access import lead_visible_per_row, scope_is_lead_list
from crm.leads.models import (
    ALL_STAGES,
    SOURCES,
    Lead,
    LeadNaming,
    LostReason,
    SavedFilter,
    StageChange,
    lead_platform,
    leads_written,
)
from crm.platforms.listing import platform_name_map


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
    tags: list[str] | None
    platform_names: tuple[str, ...] = ()


# A row carries its platforms' ids (read on lead_platform's primary key alone); names come from the kept map.
_PLATFORM_IDS = (select(func.aggregate_strings(cast(lead_platform.c.platform_id, Text), ','))
                 .where(lead_platform.c.lead_id == Lead.id).scalar_subquery())
_COLUMNS = (Lead.id, Lead.title, Lead.codename, Lead.confidential, Lead.stage, Lead.investment, Lead.next_follow_up,
            Lead.stage_since, Lead.last_activity_at, Firm.name, User.name, Lead.tags)


def _row_maker():
    """A row's builder for one page: the platforms' names are read once, from the kept map, when a row has any."""
    names: dict[int, str] | None = None

    def make(row) -> LeadRow:
        nonlocal names
        ids = row[-1]
        if not ids:
            return LeadRow(*row[:-1])
        if names is None:
            names = platform_name_map()
        found = (names.get(int(i)) for i in ids.split(','))
        return LeadRow(*row[:-1], platform_names=tuple(sorted(name for name in found if name)))
    return make


# --- the list's filters ---------------------------------------------------------------------------------------
# Each filter is a clause over parameters bound when the statement runs, so one statement (built, keyed and
# compiled once) serves every list with the same filters filled in, whatever the values.
_CLAUSES = {
    'stage': Lead.stage == bindparam('stage'),
    'source': Lead.source == bindparam('source'),
    'mine': Lead.owner_id == bindparam('me'),
    'pool': Lead.owner_id.is_(None),
    'platform': Lead.id.in_(select(lead_platform.c.lead_id)
                            .where(lead_platform.c.platform_id == bindparam('platform')).correlate(None)),
    'industry': Lead.industry_code.startswith(bindparam('industry')),
    'tag': cast(Lead.tags, Text).like(bindparam('tag')),
    'ids': Lead.id.in_(bindparam('ids', expanding=True)),
    # follow-up discipline: the one definition in crm.leads.followups
    'overdue': followups.CLAUSES['overdue'],
    'due_today': followups.CLAUSES['due_today'],
    'stale': followups.CLAUSES['stale'],
    'q': or_(Lead.title.like(bindparam('q')), Lead.codename.like(bindparam('q'))),
    # what the dashboard links use: stage reached, signed, month of signing, lost reason, officer
    'reached': Lead.id.in_(select(StageChange.lead_id).where(StageChange.to_stage == bindparam('reached'))
                           .correlate(None)),
    'signed': Lead.signed_at.is_not(None),
    'signed_month': and_(Lead.signed_at >= bindparam('signed_from'), Lead.signed_at < bindparam('signed_to')),
    'lost_reason': Lead.lost_reason_id == bindparam('lost_reason'),
    'owner_id': Lead.owner_id == bindparam('owner_id'),
}
ORDER = (Lead.updated_at.desc(), Lead.id.desc())

_SORT_FIRM, _SORT_OWNER = aliased(Firm), aliased(User)
# The columns a list can be sorted by (`?sort=<key>&dir=asc|desc`); the firm's and owner's names are read per lead,
# so the page's ids are still found on the lead table alone. A project sorts by the name the list shows.
SORTS = {
    'project': (case((and_(Lead.confidential.is_(True), Lead.codename.is_not(None)), Lead.codename),
                     else_=Lead.title),),
    'firm': (case((Lead.confidential.is_(True), None),  # the list hides a confidential lead's firm: so does its order
                  else_=select(_SORT_FIRM.name).where(_SORT_FIRM.id == Lead.firm_id).correlate(Lead).scalar_subquery()),),
    'stage': (case({stage: rank for rank, stage in enumerate(ALL_STAGES)}, value=Lead.stage),),
    'investment': (Lead.investment,),
    'owner': (select(_SORT_OWNER.name).where(_SORT_OWNER.id == Lead.owner_id).correlate(Lead).scalar_subquery(),),
    'next_follow_up': (Lead.next_follow_up,),
    'updated': (Lead.updated_at,),
}


def list_sort(args) -> Sort:
    """The sort asked for on the query string (an unknown key: the default order, last changed first)."""
    return sort_arg(args, SORTS)


def _order(sort: Sort) -> tuple:
    return sort_order(sort, SORTS, ORDER, Lead.id)


def _month(text: str) -> tuple[datetime, datetime] | None:
    """`2025-03` → the instants that month starts and ends by the office's calendar; anything else is ignored,
    not a 500."""
    if len(text) == 7 and text[4] == '-' and text.replace('-', '').isdigit() \
            and 1 < int(text[:4]) < 9999 and 1 <= int(text[5:]) <= 12:
        return clock.month_range(int(text[:4]), int(text[5:]))
    return None


def _choice(args, name: str, allowed) -> str | None:
    value = args.get(name)
    return value if value in allowed else None


@dataclass(frozen=True)
class LeadFilter:
    """What a lead list is narrowed to, and its sort. Every field empty: every lead in scope."""

    stage: str | None = None
    source: str | None = None
    owner: str | None = None  # 'me': the viewer's leads; 'pool': nobody's
    platform: int | None = None
    industry: str = ''  # a GB/T 4754 code prefix
    overdue: bool = False
    due_today: bool = False
    stale: bool = False
    q: str = ''
    tag: str = ''
    ids: tuple[int, ...] = ()
    # what the dashboard links use: stage reached, signed, month of signing, lost reason, officer
    reached: str | None = None
    signed: bool = False
    signed_month: tuple[datetime, datetime] | None = None
    lost_reason: int | None = None
    owner_id: int | None = None
    sort: Sort = field(default_factory=Sort)

    @classmethod
    def from_args(cls, args) -> LeadFilter:
        """The filter in a query string (or a mapping of the same names with checked values): values that are not
        understood are ignored (an id that is not a record number is reported on the page, see id_arg)."""
        return cls(
            stage=_choice(args, 'stage', ALL_STAGES), source=_choice(args, 'source', SOURCES),
            owner=_choice(args, 'owner', ('me', 'pool')), platform=id_arg('platform', args),
            industry=industry_prefix(args.get('industry')),  # a code prefix, or a picked 'code name', or a name
            overdue=args.get('overdue') == '1', due_today=args.get('due_today') == '1',
            stale=args.get('stale') == '1', q=args.get('q') or '', tag=clean_tag(args.get('tag', '')),
            ids=tuple(selected_ids(args)), reached=_choice(args, 'reached', ALL_STAGES),
            signed=args.get('signed') == '1', signed_month=_month(str(args.get('signed_month') or '')),
            lost_reason=id_arg('lost_reason', args), owner_id=id_arg('owner_id', args), sort=list_sort(args))


def list_filters(spec: LeadFilter, viewer_id: int) -> tuple[frozenset[str], dict[str, Any]]:
    """The filters `spec` fills in: (their names, the values of their parameters)."""
    used: set[str] = set()
    params: dict[str, Any] = {}

    def use(name: str, **values: Any) -> None:
        used.add(name)
        params.update(values)

    if spec.stage:
        use('stage', stage=spec.stage)
    if spec.source:
        use('source', source=spec.source)
    if spec.owner == 'me':
        use('mine', me=viewer_id)
    elif spec.owner == 'pool':
        use('pool')
    if spec.platform:
        use('platform', platform=spec.platform)
    if spec.industry:
        use('industry', industry=spec.industry)
    for name in ('overdue', 'due_today', 'stale'):
        if getattr(spec, name):
            use(name, **followups.params(name))
    if spec.q:
        use('q', q='%' + spec.q.replace('%', '').replace('_', '') + '%')
    if spec.tag:
        use('tag', tag='%' + json.dumps(spec.tag, ensure_ascii=False).replace('%', '').replace('_', '') + '%')
    if spec.ids:
        use('ids', ids=list(spec.ids))
    if spec.reached:
        use('reached', reached=spec.reached)
    if spec.signed:
        use('signed')
    if spec.signed_month:
        use('signed_month', signed_from=spec.signed_month[0], signed_to=spec.signed_month[1])
    if spec.lost_reason:
        use('lost_reason', lost_reason=spec.lost_reason)
    if spec.owner_id:
        use('owner_id', owner_id=spec.owner_id)
    return frozenset(used), params


MAX_SELECTED = 500
MAX_TAG = 20


def clean_tag(text: str) -> str:
    """A tag as stored: spaces collapsed, at most MAX_TAG characters, no quotes or wildcards."""
    return ''.join(ch for ch in ' '.join((text or '').split()) if ch not in '"\\%_')[:MAX_TAG]


def selected_ids(args) -> list[int]:
    """The lead ids ticked on the list (`id`, repeated), at most MAX_SELECTED, valid record ids only."""
    def valid(text: str) -> int | None:
        try:
            return record_id(text)
        except ValueError:
            return None

    getlist = getattr(args, 'getlist', None)
    values = getlist('id') if getlist else []
    return list(dict.fromkeys(i for i in (valid(v) for v in values[:MAX_SELECTED]) if i))


def _where(used: frozenset[str]) -> list:
    return [clause for name, clause in _CLAUSES.items() if name in used]


def filtered_leads(spec: LeadFilter, viewer_id: int) -> Select:
    """Leads in the viewer's scope that `spec` selects, in the list's order (whole leads)."""
    used, params = list_filters(spec, viewer_id)
    return scoped(select(Lead).where(*_where(used)), Lead).order_by(*_order(spec.sort)).params(**params)


_ROW_COLUMNS = (select(*_COLUMNS, _PLATFORM_IDS).join(Firm, Firm.id == Lead.firm_id)
                .outerjoin(User, User.id == Lead.owner_id))


def _statements(used: frozenset[str], sort: Sort = Sort(), scope=None, found_once: bool = False) -> PageStatements:
    """(one page of rows, the count) for one combination of filters and a sort, within `scope` (a WHERE clause or
    None). `found_once`: the matching leads are found in one pass the page and the count share (see
    `page_statements`)."""
    stmt = select(Lead.id).where(*_where(used))
    return page_statements(stmt if scope is None else stmt.where(scope), _order(sort), _ROW_COLUMNS,
                           found_once=found_once)


# Leaders and administrators see every lead: their statements are built, keyed and compiled once per combination.
_unscoped_statements = functools.lru_cache(maxsize=512)(_statements)


def lead_page(spec: LeadFilter, viewer_id: int, page: int, per_page: int) -> Page:
    """One page of the list that `spec` selects as plain rows, and the total (kept between pages while no lead
    changes)."""
    used, params = list_filters(spec, viewer_id)
    sort, scope = spec.sort, visibility_clause(Lead)
    sqlite = db.session.get_bind().dialect.name == 'sqlite'
    if sqlite and scope is not None and scope_is_lead_list(current_user):
        scope = lead_visible_per_row(current_user)  # the same leads, checked one by one as the page is walked
    # A text search tests every lead's title and code name. SQLite reads them from the covering ix_lead_search in
    # one pass for the page and the count (40 -> 12 ms for a term of 111 leads in 50,000); PostgreSQL's plans for
    # that form sort and join every match (a term of 11,111 leads: 44 -> 102 ms on the server), so it keeps the
    # page and the count apart.
    found_once = 'q' in used and sqlite
    statements = (_unscoped_statements(used, sort, None, found_once) if scope is None
                  else _statements(used, sort, scope, found_once))
    return kept_page(statements, params, page, per_page, _row_maker(), namespace=TOTALS, seconds=TOTALS_SECONDS,
                           scope=scope, order=sort, variant=sorted(used))


# The list's total is an exact count of every matching lead (100,000 rows take tens of milliseconds on a busy
# server), and a page's rows are read with the firm's and the owner's names: both are kept per filter and viewer
# scope until a lead (with its platforms and collaborators), a stage move, a firm or a user is written, in any
# process (`_leads_changing`), and at the latest after TOTALS_SECONDS. A follow-up counts when it moves its lead's
# dates (the lead row changes); one only logged changes no filter's answer. Platform names are looked up on every
# request (their own kept map).
TOTALS = 'lead-totals'
TOTALS_SECONDS = 60


def forget_totals(session: Session) -> None:
    """The list's kept totals and rows are out of date (leads written other than through the ORM: bulk inserts)."""
    changed(session, TOTALS)


@event.listens_for(Session, 'before_flush')
def _leads_changing(session: Session, _context, _instances) -> None:
    if leads_written(session, StageChange, Firm, User):
        changed(session, TOTALS)


# Every list page shows the viewer's saved filters: they are kept per user in the figures cache until the user saves
# or forgets one, in whichever process.
SAVED_FILTERS = 'saved-filters'
SAVED_FILTERS_SECONDS = 600


class SavedFilterRow(NamedTuple):
    id: int
    name: str
    query: str


_SAVED_FILTERS = (select(SavedFilter.id, SavedFilter.name, SavedFilter.query)
                  .where(SavedFilter.user_id == bindparam('user_id')).order_by(SavedFilter.name, SavedFilter.id))


def _saved_namespace(user_id: int) -> str:
    return f'{SAVED_FILTERS}:{user_id}'


def saved_filters(user_id: int) -> list[SavedFilterRow]:
    """The user's saved filters, by name."""
    namespace = _saved_namespace(user_id)
    return kept(namespace, f'{namespace}:rows', SAVED_FILTERS_SECONDS, lambda: [
        SavedFilterRow(*row) for row in db.session.connection().execute(_SAVED_FILTERS, {'user_id': user_id})])


@event.listens_for(Session, 'before_flush')
def _saved_filters_changing(session: Session, _context, _instances) -> None:
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, SavedFilter):
            changed(session, _saved_namespace(obj.user_id))


# The lead page's stage form offers the active lost reasons: kept in the figures cache until a reason is added,
# changed or removed, in whichever process (labels are translated per request: the cache keeps the stored names).
LOST_REASONS = 'lost-reason-options'
LOST_REASONS_SECONDS = 600


class LostReasonOption(NamedTuple):
    id: int
    name: str


_ACTIVE_LOST_REASONS = select(LostReason.id, LostReason.name).where(LostReason.active.is_(True)).order_by(LostReason.id)


def active_lost_reasons() -> list[LostReasonOption]:
    """The active lost reasons, by id (the order they were added in)."""
    return kept(LOST_REASONS, f'{LOST_REASONS}:active', LOST_REASONS_SECONDS, lambda: [
        LostReasonOption(*row) for row in db.session.connection().execute(_ACTIVE_LOST_REASONS)])


@event.listens_for(Session, 'before_flush')
def _lost_reasons_changing(session: Session, _context, _instances) -> None:
    if any(isinstance(obj, LostReason) for obj in (*session.new, *session.dirty, *session.deleted)):
        changed(session, LOST_REASONS)
