"""From a policy to its firms: every firm housed on the platforms or behind an open lead, within the viewer's
scope, sorted into eligible, may be eligible (with the data still missing) and not eligible — by the evaluator
every page uses (`evaluate.eligibility`, the level `evaluate_policy` gives) on the facts `firm_facts` gives,
read for all firms in two queries."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from itertools import chain
from operator import itemgetter
from typing import Any, NamedTuple

from sqlalchemy import String, Text, cast, or_, select

from crm.core import clock
from crm.core.access import scoped
from crm.core.industries import industries_of_code, industries_of_text
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
CHUNK = 200  # rows fetched at a time: fewer calls than one by one, and no list of every row held at once


class FirmRow(NamedTuple):
    """A firm of a policy's list: a small tuple (its platforms a tuple shared by the firms on the same platforms),
    cheap to build 20,000 times."""

    id: int
    name: str
    uscc: str | None
    platforms: tuple[str, ...]

    def as_dict(self) -> dict[str, Any]:
        return {'id': self.id, 'name': self.name, 'uscc': self.uscc, 'platforms': list(self.platforms)}


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


def population(user=None, columns=COLUMNS):
    """The firms a policy is brought to: live, housed on a platform or the firm of an open lead, in scope."""
    housed = select(Tenancy.firm_id)
    courted = select(Lead.firm_id).where(Lead.stage.not_in(CLOSED_STAGES))
    stmt = select(*columns).where(Firm.deleted_at.is_(None), Firm.merged_into_id.is_(None),
                                  or_(Firm.id.in_(housed), Firm.id.in_(courted))).order_by(Firm.name_key, Firm.id)
    return scoped(stmt, Firm, user)


def columns_for(fields: tuple[str, ...]) -> tuple:
    """The columns of `COLUMNS` a list needs: who the firm is, and the stored facts among `fields`."""
    names = {'id', 'name', 'uscc'} | {COLUMN_OF[f] for f in fields if f in COLUMN_OF}
    if 'industry' in fields:
        names.add('industry_code')
    if 'years_registered' in fields:
        names.add('registered_on')
    return tuple(c for c in COLUMNS if c.key in names)


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
    """The platforms (names, sorted) and leased area of each firm whose id is in `firms` (None: of every firm).
    Firms on the same platforms share one tuple of names."""
    names = dict(db.session.connection().execute(select(Platform.id, Platform.name)).all())
    first: dict[int, int] = {}          # a firm's first platform; most firms are on one
    more: dict[int, set[int]] = {}      # all platforms of the firms on several
    leased: dict[int, Decimal] = {}
    stmt = select(Tenancy.firm_id, Tenancy.platform_id)
    if areas:
        stmt = stmt.add_columns(cast(Tenancy.area, String))
    if firms is not None:
        stmt = stmt.where(Tenancy.firm_id.in_(firms))
    for row in chain.from_iterable(db.session.connection().execute(stmt).partitions(CHUNK)):
        firm_id, platform_id = row[0], row[1]
        if first.setdefault(firm_id, platform_id) != platform_id:
            more.setdefault(firm_id, {first[firm_id]}).add(platform_id)
        if areas and row[2]:
            leased[firm_id] = leased.get(firm_id, Decimal(0)) + Decimal(row[2])
    alone = {platform_id: (name,) for platform_id, name in names.items()}
    platforms = {firm_id: alone[platform_id] for firm_id, platform_id in first.items()}
    shown: dict[frozenset, tuple[str, ...]] = {}
    for firm_id, ids in more.items():
        key = frozenset(ids)
        if key not in shown:
            shown[key] = tuple(sorted(names[i] for i in ids))
        platforms[firm_id] = shown[key]
    return platforms, leased


class _Reader:
    """What `firm_facts` gives, from firm rows of `COLUMNS` and their housing: each fact by its own small function,
    so that a list of firms reads only the facts a policy looks at."""

    def __init__(self, platforms: dict[int, tuple[str, ...]], areas: dict[int, Decimal]) -> None:
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
        return self.years_of(row.registered_on)

    def years_of(self, day: str | None) -> int | None:
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

    def key(self, fields: tuple[str, ...], columns: tuple = COLUMNS):
        """A function giving a cheap hashable stand-in for the `fields` of a firm row of `columns`: firms with equal
        keys have equal facts. Stored columns are read together, by position; facts no firm record holds are left
        out."""
        at = {column.key: n for n, column in enumerate(columns)}
        stored = [COLUMN_OF[name] for name in fields if name in COLUMN_OF]
        if 'industry' in fields:
            stored += ['industry_code', 'name']
        read = itemgetter(*(at[name] for name in stored)) if stored else (lambda _row: ())
        platforms, areas, years, firm = self.platforms, self.areas, self.years_of, at['id']
        day = at.get('registered_on')
        computed = [(lambda row: years(row[day])) if name == 'years_registered' else
                    (lambda row: platforms.get(row[firm])) if name == 'platform' else
                    (lambda row: areas.get(row[firm]))
                    for name in fields if name in COMPUTED]  # values that are hashable as they are
        if not computed:
            return read
        return lambda row: (read(row), *(f(row) for f in computed))

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
    reader = _Reader(*_housing(areas='leased_area' in fields))
    columns = columns_for(fields)  # id, name and uscc first
    key_of = reader.key(fields, columns)
    visible = set(db.session.scalars(scoped(select(Platform.name), Platform, user)))
    shown: dict[tuple[str, ...], tuple[str, ...]] = {}  # a firm's platforms as the viewer may see them
    for names in set(reader.platforms.values()):
        shown[names] = tuple(name for name in names if name in visible)
    platforms_of = reader.platforms.get
    result = Eligibility()
    eligible, maybe = result.eligible.append, result.maybe.append
    answers: dict[Any, tuple[str, list[str]]] = {}
    texts: dict[tuple, str] = {}  # a missing condition as a sentence, worked out once
    not_eligible = 0
    firms = db.session.connection().execute(population(user, columns)).partitions(CHUNK)
    for row in chain.from_iterable(firms):
        key = key_of(row)
        answer = answers.get(key)
        if answer is None:
            level, missing = eligibility(policy, reader.facts(row, fields), clauses)
            said = []
            for c in missing:
                text_key = (c.field, c.op, repr(c.value))
                if text_key not in texts:
                    texts[text_key] = c.text
                said.append(texts[text_key])
            answer = answers[key] = (level, list(dict.fromkeys(said)))
        level = answer[0]
        if level == ELIGIBLE:
            eligible(FirmRow(row[0], row[1], row[2], shown.get(platforms_of(row[0]), ())))
        elif level == CONDITIONAL:
            maybe((FirmRow(row[0], row[1], row[2], shown.get(platforms_of(row[0]), ())), list(answer[1])))
        else:
            not_eligible += 1
    result.not_eligible = not_eligible
    previous = last_push(policy)
    seen = set(previous.eligible_ids or []) if previous else set()
    result.newly = {f.id for f in result.eligible} - seen
    return result
