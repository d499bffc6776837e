"""From a policy to its firms: every firm housed on the platforms or behind an open lead, within the viewer's
scope, sorted into eligible, may be eligible (with the data still missing) and not eligible — by the evaluator
every page uses (`evaluate.eligibility`, the level `evaluate_policy` gives) on the facts `firm_facts` gives,
read for all firms in two queries."""
from __future__ import annotations

import json
from collections import defaultdict
from datetime import date
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from operator import attrgetter

from sqlalchemy import String, Text, cast, or_, select

from crm.core import clock
from crm.core.access import scoped
from crm.db import db
from crm.firms.models import Firm, Tenancy
from crm.leads.followups import CLOSED_STAGES
from crm.leads.models import Lead
from crm.platforms.models import Platform
from crm.policies.evaluate import CONDITIONAL, ELIGIBLE, counted_clauses, eligibility
from crm.policies.models import Policy, PolicyPush

# Values come as the database stores them (tags as JSON text, dates and decimals as text): firms share few distinct
# values, and each is decoded once, not once per firm.
COLUMNS = (Firm.id, Firm.name, Firm.uscc, Firm.industry_code, cast(Firm.tags, Text).label('tags_json'), Firm.district,
           cast(Firm.registered_on, String).label('registered_on'), Firm.headcount,
           cast(Firm.rd_ratio, String).label('rd_ratio'), cast(Firm.registered_capital, String).label('registered_capital'))


@dataclass
class FirmRow:
    id: int
    name: str
    uscc: str | None
    platforms: list[str]

    def as_dict(self) -> dict[str, Any]:
        return {'id': self.id, 'name': self.name, 'uscc': self.uscc, 'platforms': self.platforms}


@dataclass
class Eligibility:
    """A policy's firms: eligible, maybe (with what is missing), and how many are not eligible."""

    eligible: list[FirmRow] = field(default_factory=list)
    maybe: list[tuple[FirmRow, list[str]]] = field(default_factory=list)
    not_eligible: int = 0
    newly: set[int] = field(default_factory=set)  # eligible now, not when 政策摘要 were last issued for the policy

    def as_dict(self) -> dict[str, Any]:
        return {'eligible': [f.as_dict() for f in self.eligible],
                'maybe': [{'firm': f.as_dict(), 'missing': missing} for f, missing in self.maybe],
                'not_eligible': self.not_eligible, 'newly_eligible': sorted(self.newly)}


def population(user=None):
    """The firms a policy is brought to: live, housed on a platform or the firm of an open lead, in scope."""
    housed = select(Tenancy.firm_id)
    courted = select(Lead.firm_id).where(Lead.stage.not_in(CLOSED_STAGES))
    stmt = select(*COLUMNS).where(Firm.deleted_at.is_(None), Firm.merged_into_id.is_(None),
                                  or_(Firm.id.in_(housed), Firm.id.in_(courted))).order_by(Firm.name_key, Firm.id)
    return scoped(stmt, Firm, user)


def needed_facts(policy: Policy, clauses) -> tuple[str, ...]:
    """The facts the policy's scope and clauses look at (nothing else changes its level for a firm)."""
    fields = {c.get('field') for clause in clauses for c in clause.conditions or []}
    if policy.platform_names:
        fields.add('platform')
    if policy.industries:
        fields.add('industry')
    return tuple(sorted(f for f in fields if f))


FACT_FIELDS = ('industry_code', 'tags', 'registered_district', 'platform', 'years_registered', 'headcount', 'rd_ratio',
               'leased_area', 'industry', 'registered_capital', 'rent', 'rd_spend', 'investment', 'revenue')


def _housing(firms=None, *, areas: bool = True) -> tuple[dict[int, tuple[str, ...]], dict[int, Decimal]]:
    """The platforms (names, sorted) and leased area of each firm whose id is in `firms` (None: of every firm)."""
    names = dict(db.session.connection().execute(select(Platform.id, Platform.name)).all())
    housed: dict[int, set[int]] = defaultdict(set)
    leased: dict[int, Decimal] = defaultdict(Decimal)
    stmt = select(Tenancy.firm_id, Tenancy.platform_id)
    if areas:
        stmt = stmt.add_columns(cast(Tenancy.area, String))
    if firms is not None:
        stmt = stmt.where(Tenancy.firm_id.in_(firms))
    for row in db.session.connection().execute(stmt).all():
        housed[row[0]].add(row[1])
        if areas and row[2]:
            leased[row[0]] += Decimal(row[2])
    shown: dict[frozenset, tuple[str, ...]] = {}
    platforms = {}
    for firm_id, ids in housed.items():
        key = frozenset(ids)
        if key not in shown:
            shown[key] = tuple(sorted(names[i] for i in ids))
        platforms[firm_id] = shown[key]
    return platforms, leased


class _Reader:
    """What `firm_facts` gives, from firm rows of `COLUMNS` and their housing: each fact by its own small function,
    so that a list of firms reads only the facts a policy looks at."""

    def __init__(self, platforms: dict[int, set[str]], areas: dict[int, Decimal]) -> None:
        self.platforms, self.areas, self.today = platforms, areas, clock.today()
        self.tag_lists: dict[str | None, list[str] | None] = {}
        self.by_code: dict[str | None, set[str]] = {}
        self.years: dict[str | None, int | None] = {}

    def platform(self, row) -> list[str] | None:
        housed = self.platforms.get(row.id)
        return list(housed) if housed else None

    def leased_area(self, row):
        return self.areas.get(row.id) or None

    def years_registered(self, row) -> int | None:
        day = row.registered_on
        if day not in self.years:
            self.years[day] = (self.today - date.fromisoformat(day[:10])).days // 365 if day else None
        return self.years[day]

    def tags(self, row) -> list[str] | None:
        if row.tags_json not in self.tag_lists:
            self.tag_lists[row.tags_json] = json.loads(row.tags_json) if row.tags_json else None
        return self.tag_lists[row.tags_json] or None

    def registered_district(self, row) -> str | None:
        return row.district

    def industry(self, row) -> list[str] | None:
        from crm.matching.services import industries_of_code, industries_of_text  # matching builds on policies

        if row.industry_code not in self.by_code:
            self.by_code[row.industry_code] = industries_of_code(row.industry_code)
        return sorted(self.by_code[row.industry_code] | industries_of_text(row.name)) or None

    def getter(self, name: str):
        if hasattr(self, name) and name not in ('getter', 'facts'):
            return getattr(self, name)
        if name in ('industry_code', 'headcount'):
            return lambda row: getattr(row, name)
        if name in ('rd_ratio', 'registered_capital'):  # decimals stored as text
            return lambda row: None if getattr(row, name) is None else Decimal(getattr(row, name))
        return lambda row: None  # what a firm's record does not hold (rent, R&D spend, investment, revenue …)

    def key(self, fields: tuple[str, ...]):
        """A function giving a cheap hashable stand-in for the `fields` of a firm row: firms with equal keys have
        equal facts. Stored columns are read together; facts no firm record holds are left out."""
        columns = [COLUMN_OF[name] for name in fields if name in COLUMN_OF]
        computed = [self.getter(name) for name in fields if name in COMPUTED]
        if 'industry' in fields:
            columns += ['industry_code', 'name']
        read = attrgetter(*columns) if columns else (lambda _row: ())
        if not computed:
            return read
        return lambda row: (read(row), *(tuple(v) if isinstance(v := f(row), list) else v for f in computed))

    def facts(self, row, fields: tuple[str, ...] = FACT_FIELDS) -> dict[str, Any]:
        return {name: self.getter(name)(row) for name in fields}


def facts_of_rows(rows, fields: tuple[str, ...] = FACT_FIELDS) -> list[tuple[Any, dict[str, Any]]]:
    """(row, facts) for firm rows of `COLUMNS`: what `firm_facts` gives for each firm (`fields` of it)."""
    platforms, areas = _housing([row.id for row in rows]) if set(fields) & {'platform', 'leased_area'} else ({}, {})
    # (a list of firm ids: for the few firms of a page or a test)
    reader = _Reader(platforms, areas)
    return [(row, reader.facts(row, fields)) for row in rows]


LIST_FACTS = ('tags', 'platform', 'industry', 'certification')
COLUMN_OF = {'registered_district': 'district', 'tags': 'tags_json', 'industry_code': 'industry_code',
             'headcount': 'headcount', 'rd_ratio': 'rd_ratio', 'registered_capital': 'registered_capital'}
COMPUTED = ('platform', 'leased_area', 'years_registered')


def last_push(policy: Policy) -> PolicyPush | None:
    return db.session.scalar(select(PolicyPush).where(PolicyPush.policy_id == policy.id, PolicyPush.status == 'done')
                             .order_by(PolicyPush.id.desc()).limit(1))


def policy_firms(policy: Policy, user=None) -> Eligibility:
    """The policy's firms by eligibility (see the module doc). Firms with the same values of the facts the policy
    looks at get the same answer, which is worked out once."""
    clauses = counted_clauses(policy)
    fields = needed_facts(policy, clauses)
    stmt = population(user)
    rows = db.session.connection().execute(stmt).all()
    reader = _Reader(*_housing(areas='leased_area' in fields))
    key_of = reader.key(fields)
    visible = set(db.session.scalars(scoped(select(Platform.name), Platform, user)))
    housed = {firm: [name for name in names if name in visible] for firm, names in reader.platforms.items()}
    result = Eligibility()
    answers: dict[tuple, tuple[str, list[str]]] = {}
    for row in rows:
        key = key_of(row)
        answer = answers.get(key)
        if answer is None:
            level, missing = eligibility(policy, reader.facts(row, fields), clauses)
            answer = answers[key] = (level, list(dict.fromkeys(c.text for c in missing)))
        level, missing = answer
        if level == ELIGIBLE:
            result.eligible.append(FirmRow(row.id, row.name, row.uscc, list(housed.get(row.id, ()))))
        elif level == CONDITIONAL:
            result.maybe.append((FirmRow(row.id, row.name, row.uscc, list(housed.get(row.id, ()))), list(missing)))
        else:
            result.not_eligible += 1
    previous = last_push(policy)
    seen = set(previous.eligible_ids or []) if previous else set()
    result.newly = {f.id for f in result.eligible} - seen
    return result
