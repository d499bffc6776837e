"""Firm operations: duplicate candidates, create/update, soft delete and restore, merge, seed and demo data."""
from __future__ import annotations

import random
import re
import tomllib
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import func, or_, select, update

from config import ROOT
from crm.core import audit, clock
from crm.core.concurrency import check_version
from crm.core.validators import firm_name_key, make_uscc
from crm.db import db, utcnow
from crm.firms.models import FIRM_TAGS, REVENUE_BANDS, Contact, Firm, Industry, Tenancy

FIRMS_SEED = ROOT / 'seeds' / 'firms.toml'
FIELDS = ('name', 'uscc', 'legal_rep', 'address', 'district', 'industry_code', 'registered_capital', 'revenue_band',
          'headcount', 'rd_ratio', 'registered_on', 'tags', 'notes')
# Tables whose rows point at a firm and move to the survivor on merge (features add theirs).
MERGE_REFERENCES: list[tuple[type, str]] = [(Contact, 'firm_id'), (Tenancy, 'firm_id')]


class FirmError(ValueError):
    """A rule about firms was broken; the message is shown to the user."""


def duplicate_candidates(name: str, uscc: str | None, *, exclude_id: int | None = None) -> list[Firm]:
    """Live firms with the same USCC or the same normalised name."""
    conditions = [Firm.name_key == firm_name_key(name)]
    if uscc:
        conditions.append(Firm.uscc == uscc)
    stmt = select(Firm).where(Firm.deleted_at.is_(None), or_(*conditions)).order_by(Firm.id).limit(10)
    if exclude_id:
        stmt = stmt.where(Firm.id != exclude_id)
    return list(db.session.scalars(stmt))


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
        raise FirmError(f'该统一社会信用代码已属于另一家企业（编号 {clash}），可使用“合并”')


class DuplicateFirm(FirmError):
    """Firms already on record under the same USCC or a similar name; offer them instead of creating a twin."""

    def __init__(self, firms: list[Firm], *, same_code: bool) -> None:
        super().__init__('已有同一统一社会信用代码的企业' if same_code else '已有名称相同或相近的企业')
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
        raise FirmError('已有名称相同或相近的企业，请确认不是同一家企业后再保存')
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


def soft_delete(firm: Firm, *, actor_id: int | None) -> None:
    """Hide a firm everywhere (lists, search, exports, matching, packs); restorable by administrators."""
    firm.deleted_at, firm.deleted_by_id = utcnow(), actor_id
    db.session.flush()


def restore(firm: Firm) -> None:
    """Bring a deleted firm back (refused if a live firm took its USCC meanwhile)."""
    check_unique_uscc(firm.uscc, firm.id)
    firm.deleted_at, firm.deleted_by_id = None, None
    db.session.flush()


def _register_lead_references() -> None:
    from crm.leads.models import Lead

    if (Lead, 'firm_id') not in MERGE_REFERENCES:
        MERGE_REFERENCES.append((Lead, 'firm_id'))


def merge(survivor: Firm, duplicate: Firm, *, chosen: dict[str, Any], actor_id: int | None) -> Firm:
    """Merge `duplicate` into `survivor`: chosen field values, every related record moved, nothing lost."""
    if survivor.id == duplicate.id:
        raise FirmError('不能与自身合并')
    _register_lead_references()
    moved = {}
    for model, column in MERGE_REFERENCES:
        result = db.session.execute(update(model).where(getattr(model, column) == duplicate.id)
                                    .values({column: survivor.id}))
        moved[model.__tablename__] = result.rowcount
    names = [n for n in [*survivor.former_names, duplicate.name, *duplicate.former_names] if n != survivor.name]
    uscc = chosen.get('uscc') or survivor.uscc or duplicate.uscc
    duplicate.uscc = None  # frees the code before the survivor may take it
    duplicate.merged_into_id = survivor.id
    soft_delete(duplicate, actor_id=actor_id)
    for key, value in chosen.items():
        if key in FIELDS and key != 'uscc':
            setattr(survivor, key, value)
    survivor.uscc = uscc
    survivor.name_key = firm_name_key(survivor.name)
    survivor.former_names = list(dict.fromkeys(names))
    survivor.tags = list(dict.fromkeys([*survivor.tags, *duplicate.tags]))
    survivor.sources = [*survivor.sources, *duplicate.sources]
    db.session.flush()
    audit.log(db.session, 'merge', 'firm', survivor.id, merged=duplicate.id, moved=moved,
              chosen=sorted(chosen))
    return survivor


INDUSTRIES = ROOT / 'seeds' / 'industries.csv'


def industry_rows() -> list[dict[str, str]]:
    """The rows of seeds/industries.csv (its leading '#' lines are the note of where the data comes from)."""
    import csv

    with INDUSTRIES.open(encoding='utf-8') as fh:
        return list(csv.DictReader(line for line in fh if not line.startswith('#')))


def seed_industries() -> dict[str, int]:
    """The GB/T 4754-2017 classification (seeds/industries.csv); idempotent: rows missing from an existing database
    are added, changed names are updated, codes already in use stay valid."""
    existing = {code: (name, level, parent) for code, name, level, parent in
                db.session.execute(select(Industry.code, Industry.name, Industry.level, Industry.parent))}
    created = updated = 0
    for row in industry_rows():
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
            raise FirmError(f'行业代码不存在（GB/T 4754-2017）：{value[:30]}')
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
    from crm.platforms.models import Unit

    if db.session.scalar(select(Tenancy.id).limit(1)):
        return {'demo_tenancies': 0}
    rng = random.Random(seed)
    firms = list(db.session.scalars(select(Firm.id).where(Firm.is_demo.is_(True))))
    units = db.session.scalars(select(Unit).where(Unit.is_demo.is_(True), Unit.status == '已租')).all()
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
    from crm.platforms.units import set_status

    tenancy = Tenancy(firm_id=firm.id, unit_id=unit.id, platform_id=unit.platform_id, start_date=start_date,
                      end_date=end_date, area=area or unit.area_gross, rent=rent if rent is not None else unit.rent)
    db.session.add(tenancy)
    set_status(unit, '已租', actor_id=actor_id, note=f'{firm.name} 入驻')
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
