"""Firm operations: duplicate candidates, create/update, soft delete and restore, merge, seed and demo data."""
from __future__ import annotations

import random
import re
import tomllib
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from config import ROOT
from crm.core import audit, clock, hooks
from crm.core.access import can
from crm.core.concurrency import check_version
from crm.core.i18n import gettext as _
from crm.core.industries import classification_rows
from crm.core.rules import RuleError
from crm.core.validators import firm_name_key, make_uscc
from crm.db import Base, db, utcnow
from crm.firms import names
from crm.firms.models import FIRM_TAGS, REVENUE_BANDS, Firm, FirmNameGram, Industry, Tenancy
from crm.platforms.models import Unit, UnitStatus
from crm.platforms.units import set_status

FIRMS_SEED = ROOT / 'seeds' / 'firms.toml'
FIELDS = ('name', 'uscc', 'legal_rep', 'address', 'district', 'industry_code', 'registered_capital', 'revenue_band',
          'headcount', 'rd_ratio', 'registered_on', 'tags', 'notes')
# Tables pointing at firms whose rows stay with the merged-away firm (its name index).
MERGE_SKIP = frozenset({'firm_name_gram'})


class FirmError(RuleError):
    """A rule about firms was broken; the message (from the catalogue) is shown to the user, beside the input
    named by `field` when one input is at fault (None: the whole form)."""


@dataclass(frozen=True)
class DuplicateMatch:
    """A live firm that may be the same as the one in question: `certain` when the credit codes are equal,
    else `score` (0–100) says how alike the names are at their core (see crm.firms.names)."""

    firm: Firm
    score: float
    certain: bool = False


def find_duplicates(name: str, uscc: str | None, *, exclude_id: int | None = None, visible=None,
                    limit: int = 10) -> list[DuplicateMatch]:
    """Live firms with the same credit code (certain) or a name alike at its core, best first; `visible` narrows
    them to what a viewer may see (a WHERE clause on Firm, None for all). Reads the firms sharing the rarest
    two-character runs of the core from the index, never every firm on record."""
    core = names.core_name(name)
    live = [Firm.deleted_at.is_(None)]
    if exclude_id:
        live.append(Firm.id != exclude_id)
    if visible is not None:
        live.append(visible)
    scores: dict[int, float] = {}
    certain: set[int] = set()
    if uscc:
        certain.update(db.session.scalars(select(Firm.id).where(Firm.uscc == uscc, *live).limit(limit)))
    if core:
        found = db.session.execute(select(Firm.id, Firm.name_core).where(Firm.name_core == core, *live)
                                   .limit(limit)).all()
        if (block := _block(core)) is not None:
            found += db.session.execute(select(Firm.id, Firm.name_core).join(block, block.c.firm_id == Firm.id)
                                        .where(*live)).all()
        for firm_id, other in found:
            score = names.similarity(core, other or '')
            if score >= names.SIMILAR:
                scores[firm_id] = score
    ranked = sorted(certain | set(scores), key=lambda i: (i not in certain, -scores.get(i, 100.0), i))[:limit]
    firms = {f.id: f for f in db.session.scalars(select(Firm).where(Firm.id.in_(ranked)))} if ranked else {}
    return [DuplicateMatch(firms[i], scores.get(i, 100.0), i in certain) for i in ranked if i in firms]


def _block(core: str):
    """The firms sharing the rarest runs of `core` (a subquery; None when it has no run on record): runs are
    taken rarest first while their index entries add up to at most names.POSTINGS, and the firms sharing most
    of them come first, names.CANDIDATES at most."""
    runs = names.grams(core)
    if not runs:
        return None
    counts = sorted(db.session.execute(select(FirmNameGram.gram, func.count()).where(FirmNameGram.gram.in_(runs))
                                       .group_by(FirmNameGram.gram)).all(), key=lambda row: (row[1], row[0]))
    chosen, read = [], 0
    for gram, count in counts:
        if chosen and read + count > names.POSTINGS:
            break
        chosen.append(gram)
        read += count
    if not chosen:
        return None
    shared = func.count().label('shared')
    return (select(FirmNameGram.firm_id).where(FirmNameGram.gram.in_(chosen)).group_by(FirmNameGram.firm_id)
            .order_by(shared.desc(), FirmNameGram.firm_id).limit(names.CANDIDATES).subquery())


def duplicate_candidates(name: str, uscc: str | None, *, exclude_id: int | None = None, visible=None) -> list[Firm]:
    """The firms of `find_duplicates`, best first."""
    return [match.firm for match in find_duplicates(name, uscc, exclude_id=exclude_id, visible=visible)]


def _apply(firm: Firm, data: dict[str, Any]) -> None:
    for key in FIELDS:
        if key in data:
            setattr(firm, key, data[key])
    firm.name_key = firm_name_key(firm.name)
    firm.uscc = firm.uscc or None


def check_unique_uscc(uscc: str | None, exclude_id: int | None) -> None:
    if not uscc:
        return
    clash = db.session.scalar(select(Firm.id).where(Firm.uscc == uscc, Firm.deleted_at.is_(None),
                                                    Firm.id != (exclude_id or 0)))
    if clash:
        raise FirmError(_('This unified social credit code belongs to another firm (no. %(id)s); use “Merge”', id=clash),
                        field='uscc')


class DuplicateFirm(FirmError):
    """Firms already on record under the same USCC or a similar name; offer them instead of creating a twin."""

    def __init__(self, firms: list[Firm], *, same_code: bool, message: str | None = None) -> None:
        default = (_('A firm with the same unified social credit code is already on record') if same_code
                   else _('A firm with the same or a similar name is already on record'))
        super().__init__(message or default, field='uscc' if same_code else None)
        self.firms = firms
        self.same_code = same_code


def create_firm_unless_known(data: dict[str, Any], *, allow_similar_name: bool = False) -> Firm:
    """Create a firm unless it is already on record: the same USCC always raises DuplicateFirm, a similar name
    does until the user confirms it is a different firm."""
    candidates = duplicate_candidates(data['name'], data.get('uscc'))
    same_code = [f for f in candidates if data.get('uscc') and f.uscc == data['uscc']]
    if same_code:
        raise DuplicateFirm(same_code, same_code=True)
    if candidates and not allow_similar_name:
        raise DuplicateFirm(candidates, same_code=False)
    return create_firm(data, allow_similar_name=True)


def create_firm(data: dict[str, Any], *, allow_similar_name: bool = False) -> Firm:
    """Create a firm; same USCC is refused, a similar name needs confirmation."""
    check_unique_uscc(data.get('uscc'), None)
    if not allow_similar_name and duplicate_candidates(data['name'], None):
        raise FirmError(_('A firm with the same or a similar name exists; confirm it is a different firm before saving'))
    firm = Firm(tags=[], former_names=[], sources=[])
    _apply(firm, data)
    db.session.add(firm)
    db.session.flush()
    return firm


def update_firm(firm: Firm, data: dict[str, Any], *, version: int) -> Firm:
    """Edit a firm (stale versions are refused); a changed name is kept among the former names."""
    check_version(firm, version)
    check_unique_uscc(data.get('uscc'), firm.id)
    old_name = firm.name
    _apply(firm, data)
    if firm.name != old_name and old_name not in firm.former_names:
        firm.former_names = [*firm.former_names, old_name]
    db.session.flush()
    return firm


def save_firm(firm: Firm | None, data: dict[str, Any], *, version: int | None = None,
              confirm_similar: bool = False) -> Firm:
    """Create (`firm` None) or update a firm from the firm form's values: the industry entry is resolved to its
    code, a credit code taken by another live firm is refused (FirmError on `uscc`), and live firms with a similar
    name raise DuplicateFirm until the user confirms this one differs. A stale `version` raises EditConflict."""
    data = {**data, 'industry_code': resolve_industry(data.get('industry_code'))}
    check_unique_uscc(data.get('uscc'), firm.id if firm else None)
    candidates = duplicate_candidates(data['name'], None, exclude_id=firm.id if firm else None)
    if candidates and not confirm_similar:
        raise DuplicateFirm(candidates, same_code=False, message=_(
            'Similar firms already exist. Open them to check, or tick the box to confirm this is a different firm.'))
    if firm is None:
        return create_firm(data, allow_similar_name=True)
    return update_firm(firm, data, version=version)


def soft_delete(firm: Firm, *, actor_id: int | None) -> None:
    """Hide a firm everywhere (lists, search, exports, matching, packs); restorable by administrators."""
    firm.deleted_at, firm.deleted_by_id = utcnow(), actor_id
    db.session.flush()


def restore(firm: Firm) -> None:
    """Bring a deleted firm back (refused if a live firm took its USCC meanwhile, or if it was merged away)."""
    if firm.merged_into_id is not None:
        raise FirmError(_('This firm was merged into another and its records moved; it cannot be restored'))
    check_unique_uscc(firm.uscc, firm.id)
    firm.deleted_at, firm.deleted_by_id = None, None
    db.session.flush()


def firm_references() -> list[tuple[Any, Any]]:
    """(table, column) of every column that points at a firm, whichever feature declared it: leads, tenancies,
    contacts, packs, 政策摘要, accounts of firm users, firms merged earlier … (the name index excepted). The metadata
    is complete once the app is built: create_app imports every feature, and each declares its tables."""
    return [(table, column) for table in Base.metadata.sorted_tables if table.name not in MERGE_SKIP
            for column in table.columns if any(fk.target_fullname == 'firm.id' for fk in column.foreign_keys)]


def _mapped(table):
    return next((m for m in Base.registry.mappers if m.local_table is table and not m.inherits), None)


def move_references(old_id: int, new_id: int) -> tuple[dict[str, int], dict[str, list]]:
    """Point every row that refers to firm `old_id` at `new_id`. Mapped rows are changed one by one, so each gets
    its version bumped and its own audit entry (firm changed from … to …); plain link tables in one statement.
    Returns the number of moved rows per table, and the moved records' ids per mapped table."""
    counts: dict[str, int] = {}
    ids: dict[str, list] = {}
    for table, column in firm_references():
        mapper = _mapped(table)
        if mapper is None:
            result = db.session.execute(update(table).where(column == old_id).values({column.name: new_id}))
            if result.rowcount:
                counts[table.name] = counts.get(table.name, 0) + result.rowcount
            continue
        key = mapper.get_property_by_column(column).key
        rows = db.session.scalars(select(mapper.class_).where(getattr(mapper.class_, key) == old_id)).all()
        for row in rows:
            setattr(row, key, new_id)
        if rows:
            counts[table.name] = counts.get(table.name, 0) + len(rows)
            ids.setdefault(table.name, []).extend(mapper.primary_key_from_instance(row)[0] for row in rows)
    db.session.flush()
    return counts, ids


def can_merge(user, firm: Firm, other: Firm) -> bool:
    """Administrators, and those who may edit both firms."""
    return can(user, 'edit', firm) and can(user, 'edit', other)


def merge(survivor: Firm, duplicate: Firm, *, chosen: dict[str, Any], actor_id: int | None) -> Firm:
    """Merge `duplicate` into `survivor`: the chosen field values, every record that referred to the duplicate
    moved over (each with its own audit entry), the duplicate soft-deleted with `merged_into_id`, its names kept
    as former names; both firms keep their history and the merge is logged with what moved."""
    if survivor.id == duplicate.id:
        raise FirmError(_('A firm cannot be merged with itself'))
    if survivor.deleted_at is not None or duplicate.deleted_at is not None:
        raise FirmError(_('A deleted or merged firm cannot be merged; restore it first'))
    try:
        with db.session.begin_nested():
            moved, moved_ids = move_references(duplicate.id, survivor.id)
    except IntegrityError as exc:  # a table allowing one row per firm (and year …) holds one for each
        raise FirmError(_('Both firms have a record of which only one may exist; resolve the duplicate records before merging')) from exc
    names_kept = [survivor.name, *survivor.former_names, duplicate.name, *duplicate.former_names]
    uscc = chosen.get('uscc') or survivor.uscc or duplicate.uscc
    duplicate.uscc = None  # frees the code before the survivor may take it
    duplicate.merged_into_id = survivor.id
    soft_delete(duplicate, actor_id=actor_id)
    for key, value in chosen.items():
        if key in FIELDS and key != 'uscc':
            setattr(survivor, key, value)
    survivor.uscc = uscc
    survivor.name_key = firm_name_key(survivor.name)
    survivor.former_names = list(dict.fromkeys(n for n in names_kept if n != survivor.name))
    survivor.tags = list(dict.fromkeys([*survivor.tags, *duplicate.tags]))
    survivor.sources = [*survivor.sources, *duplicate.sources]
    db.session.flush()
    audit.log(db.session, 'merge', 'firm', survivor.id, merged=duplicate.id, merged_name=duplicate.name,
              moved=moved, moved_ids=moved_ids, chosen=sorted(chosen))
    return survivor


def merged_survivor(firm: Firm) -> Firm | None:
    """The live firm a merged-away firm ended up in (following later merges), or None."""
    seen = {firm.id}
    current = firm
    while current.merged_into_id is not None and current.merged_into_id not in seen:
        seen.add(current.merged_into_id)
        current = db.session.get(Firm, current.merged_into_id)
        if current is None:
            return None
        if current.deleted_at is None:
            return current
    return None


def seed_industries() -> dict[str, int]:
    """The GB/T 4754-2017 classification (seeds/industries.csv); idempotent: rows missing from an existing database
    are added, changed names are updated, codes already in use stay valid."""
    existing = {code: (name, level, parent) for code, name, level, parent in
                db.session.execute(select(Industry.code, Industry.name, Industry.level, Industry.parent))}
    created = updated = 0
    for row in classification_rows():
        values = (row['name'], row['level'], row['parent'] or None)
        if row['code'] not in existing:
            db.session.add(Industry(code=row['code'], name=values[0], level=values[1], parent=values[2]))
            created += 1
        elif existing[row['code']] != values:
            industry = db.session.get(Industry, row['code'])
            industry.name, industry.level, industry.parent = values
            updated += 1
    db.session.flush()
    return {'industries_created': created, 'industries_updated': updated}


class IndustryIndex:
    """The classification loaded once, for resolving many cells (imports) without a query each."""

    def __init__(self) -> None:
        rows = db.session.execute(select(Industry.code, Industry.name).order_by(Industry.code)).all()
        self.codes = {code for code, _name in rows}
        self.by_name: dict[str, str] = {}
        for code, name in rows:  # a group and its only class share a name: the name means the class
            if len(code) > len(self.by_name.get(name, '')):
                self.by_name[name] = code

    def resolve(self, text: str | None) -> str | None:
        """A GB/T 4754 code from a code, a name, or 'code name' as pickers write it; FirmError when unknown."""
        value = (text or '').strip()
        if not value:
            return None
        first = value.split()[0].upper()
        code = first if first in self.codes else self.by_name.get(value)
        if code is None:
            raise FirmError(_('No such industry code (GB/T 4754-2017): %(value)s', value=value[:30]),
                            field='industry_code')
        return code


def resolve_industry(text: str | None) -> str | None:
    """Resolve one industry entry (see IndustryIndex.resolve)."""
    return IndustryIndex().resolve(text) if text and text.strip() else None


SUGGESTIONS = 12
CODE_TEXT = re.compile(r'[A-Za-z]?\d{0,4}')


def industry_suggestions(text: str | None, limit: int = SUGGESTIONS) -> list[tuple[str, str]]:
    """A handful of (code, name) for what was typed: codes starting with it, then names containing it (a picked
    'code name' finds its own entry); groups and classes only, shortest codes first."""
    value = ' '.join((text or '').split())[:60]
    first, _, rest = value.partition(' ')
    code, name = (first, rest) if CODE_TEXT.fullmatch(first) else ('', value)
    query = select(Industry.code, Industry.name).where(Industry.level.in_(('group', 'class'))) \
        .order_by(func.length(Industry.code), Industry.code).limit(limit)
    found: dict[str, str] = {}
    if code:
        found.update(db.session.execute(query.where(Industry.code.startswith(code.upper(), autoescape=True))).all())
    if name and len(found) < limit:
        for row_code, row_name in db.session.execute(query.where(Industry.name.contains(name, autoescape=True))):
            if len(found) < limit:
                found.setdefault(row_code, row_name)
    return list(found.items())


def industry_prefix(text: str | None) -> str:
    """The code prefix a list filter means by what was typed or picked: '64', '6450', '6450 互联网数据服务' or a
    name of the classification ('' when empty; the text itself when it is neither, which then matches nothing)."""
    value = (text or '').strip()
    if not value:
        return ''
    first = value.split()[0]
    if first.isdigit():
        return first
    return IndustryIndex().by_name.get(value, value)


def industry_name(code: str | None) -> str:
    """The classification name for a code ('' when unknown)."""
    if not code:
        return ''
    return db.session.scalar(select(Industry.name).where(Industry.code == code)) or ''


def seed_firms() -> dict[str, int]:
    """Firms named in the plan documents (seeds/firms.toml), with their quotes as sources; idempotent."""
    if not FIRMS_SEED.exists():
        return {'firms_created': 0}
    with FIRMS_SEED.open('rb') as fh:
        entries = [e for e in tomllib.load(fh).get('firm', []) if e.get('kind', '企业') == '企业']
    existing = set(db.session.scalars(select(Firm.seed_key).where(Firm.seed_key.is_not(None))))
    created = 0
    for entry in entries:
        if entry['key'] in existing:
            continue
        sources = [{'doc': f['doc'], 'quote': f['quote'], 'field': f.get('field')} for f in entry.get('facts', [])]
        tags = [t for t in entry.get('tags', []) if t in FIRM_TAGS]
        db.session.add(Firm(name=entry['name'], name_key=firm_name_key(entry['name']), seed_key=entry['key'],
                            former_names=entry.get('aliases', []), tags=tags, sources=sources,
                            notes='、'.join(entry.get('industries', [])) or None))
        created += 1
    db.session.flush()
    return {'firms_created': created}


DEMO_PREFIXES = ['杭州', '浙江', '拱墅']
DEMO_WORDS = ['云图', '数智', '星河', '跨境', '聚才', '电竞', '蓝海', '智联', '远航', '新禾', '晨光', '极客', '万象', '拓维']
DEMO_TRADES = [('科技', '6513'), ('电子商务', '529'), ('人力资源', '726'), ('网络科技', '642'), ('文化传媒', '877'),
               ('数据服务', '645'), ('供应链管理', '7224'), ('信息技术', '651')]


def demo_firms(count: int, seed: int = 7) -> dict[str, int]:
    """Deterministic fictional firms (labelled demo) with valid USCCs."""
    if count <= 0 or db.session.scalar(select(Firm.id).where(Firm.is_demo.is_(True)).limit(1)):
        return {'demo_firms': 0}
    rng, rows, names = random.Random(seed), [], set()
    while len(rows) < count:
        trade, code = rng.choice(DEMO_TRADES)
        name = f'{rng.choice(DEMO_PREFIXES)}{rng.choice(DEMO_WORDS)}{rng.choice(DEMO_WORDS)}{trade}有限公司（示例）'
        if name in names:
            name = name.replace('（示例）', f'{len(rows)}（示例）')
        names.add(name)
        rows.append(Firm(name=name, name_key=firm_name_key(name), uscc=make_uscc(rng), industry_code=code,
                         district='拱墅区', registered_capital=Decimal(rng.choice([50, 100, 500, 1000, 5000])),
                         revenue_band=rng.choice(REVENUE_BANDS), headcount=rng.randint(5, 800),
                         rd_ratio=Decimal(rng.randint(0, 150)) / 10, tags=rng.sample(FIRM_TAGS[2:7], rng.randint(0, 2)),
                         registered_on=date(2010, 1, 1) + timedelta(days=rng.randint(0, 5000)),
                         is_demo=True, former_names=[], sources=[]))
    db.session.add_all(rows)
    db.session.flush()
    return {'demo_firms': len(rows)}


def demo_tenancies(seed: int = 7) -> dict[str, int]:
    """Put demo firms into the demo units already let, so platforms have tenants to show."""
    if db.session.scalar(select(Tenancy.id).limit(1)):
        return {'demo_tenancies': 0}
    rng = random.Random(seed)
    firms = list(db.session.scalars(select(Firm.id).where(Firm.is_demo.is_(True))))
    units = db.session.scalars(select(Unit).where(Unit.is_demo.is_(True), Unit.status == UnitStatus.LET)).all()
    if not firms:
        return {'demo_tenancies': 0}
    for unit in units:
        db.session.add(Tenancy(firm_id=rng.choice(firms), unit_id=unit.id, platform_id=unit.platform_id,
                               start_date=clock.today() - timedelta(days=rng.randint(30, 900)), area=unit.area_gross,
                               rent=unit.rent))
    db.session.flush()
    return {'demo_tenancies': len(units)}


def record_tenancy(firm: Firm, unit, *, start_date: date, end_date: date | None, area: Decimal | None,
                   rent: Decimal | None, actor_id: int | None) -> Tenancy:
    """The firm moves into the unit (入驻): the tenancy is recorded and the unit becomes 已租."""
    tenancy = Tenancy(firm_id=firm.id, unit_id=unit.id, platform_id=unit.platform_id, start_date=start_date,
                      end_date=end_date, area=area or unit.area_gross, rent=rent if rent is not None else unit.rent)
    db.session.add(tenancy)
    set_status(unit, UnitStatus.LET, actor_id=actor_id, note=f'{firm.name} 入驻')
    db.session.flush()
    return tenancy


def find_firm(ref: str | int | None) -> Firm | None:
    """A live firm by its id or its 统一社会信用代码 (what an administrator types to link a firm user)."""
    ref = str(ref or '').strip().upper()
    if not ref:
        return None
    if ref.isdigit() and len(ref) < 18:
        return db.session.scalar(select(Firm).where(Firm.id == int(ref), Firm.deleted_at.is_(None)))
    return db.session.scalar(select(Firm).where(Firm.uscc == ref, Firm.deleted_at.is_(None)))


hooks.answer('firm', find_firm)  # the account forms of auth ask which firm a firm account names
