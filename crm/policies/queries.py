"""The policy register: the filter the list is asked for, read once (from the page's query string or the API's
checked query), and the statement built from it that the register page and the API both run."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import Select, Text, cast, or_, select

from crm.core import clock
from crm.core.access import scoped
from crm.plans.search import _like_pattern
from crm.policies import services
from crm.policies.models import CLAUSE_KINDS, LEVELS, Policy

EXPIRIES = ('soon', 'expired')  # within EXPIRY_WARNING_DAYS from today, or already past
MAX_WORDS = 100


@dataclass(frozen=True)
class PolicyFilter:
    """What the register is narrowed to: words in the title, the issuer or the document number (`q`), a level, a
    status, public amounts only, an expiry ('soon' or 'expired') and a kind of support."""

    q: str = ''
    level: str | None = None
    status: str = ''
    public_amounts: bool = False
    expiry: str = ''
    kind: str | None = None

    @classmethod
    def from_args(cls, args) -> PolicyFilter:
        """The filter in a query string (or any mapping of the same names): unknown values are ignored."""
        level, kind, expiry = args.get('level'), args.get('kind'), args.get('expiry')
        return cls(q=str(args.get('q') or '').strip()[:MAX_WORDS], level=level if level in LEVELS else None,
                   status=str(args.get('status') or ''), public_amounts=args.get('amounts') == 'public',
                   expiry=expiry if expiry in EXPIRIES else '', kind=kind if kind in CLAUSE_KINDS else None)


def list_statement(spec: PolicyFilter) -> Select:
    """The policies `spec` selects, in the register's order: examples first, then by expiry (the soonest first,
    those without an end last) and title."""
    stmt = scoped(select(Policy), Policy)
    if spec.q:
        stmt = stmt.where(or_(Policy.title.contains(spec.q, autoescape=True),
                              Policy.issuer.contains(spec.q, autoescape=True),
                              Policy.doc_number.contains(spec.q, autoescape=True)))
    if spec.level:
        stmt = stmt.where(Policy.level == spec.level)
    if spec.status:
        stmt = stmt.where(Policy.status == spec.status)
    if spec.public_amounts:
        stmt = stmt.where(Policy.amounts_public.is_(True))
    stmt = _expiry(stmt, spec.expiry)
    if spec.kind:
        stmt = stmt.where(cast(Policy.kinds, Text).like(_like_pattern(f'"{spec.kind}"'), escape='\\'))
    return stmt.order_by(Policy.is_example.desc(), Policy.expires_on.is_(None), Policy.expires_on, Policy.title,
                         Policy.id)


def _expiry(stmt: Select, expiry: str) -> Select:
    today = clock.today()
    if expiry == 'soon':
        return stmt.where(Policy.expires_on.between(today, today + timedelta(days=services.EXPIRY_WARNING_DAYS)))
    if expiry == 'expired':
        return stmt.where(Policy.expires_on < today)
    return stmt
