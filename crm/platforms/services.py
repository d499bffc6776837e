"""Platform operations: catalogue seeding and look-ups."""
from __future__ import annotations

from pathlib import Path

from sqlalchemy import or_, select

from crm.core.catalogue import CATALOGUE, load_catalogue
from crm.db import db
from crm.plans.services import QuoteResolver
from crm.platforms.models import Platform, PlatformFact


def find_platform(ref: str) -> Platform | None:
    """A platform by key or exact name."""
    return db.session.scalar(select(Platform).where(or_(Platform.key == ref, Platform.name == ref)))


ATTRIBUTES = ('name', 'kind', 'district', 'former_district', 'aliases', 'focus_industries', 'positioning',
              'managing_body')
FACT_FIELDS = ('field', 'value', 'unit', 'year', 'doc', 'quote', 'note')


def _attributes(entry: dict) -> dict:
    values = {key: entry.get(key) for key in ATTRIBUTES}
    values['kind'] = values['kind'] or '产业园'
    values['district'] = values['district'] or ''
    values['aliases'] = list(values['aliases'] or [])
    values['focus_industries'] = list(values['focus_industries'] or [])
    return values


def _sync_facts(platform: Platform, facts: list[dict], resolver) -> None:
    wanted = [tuple(str(f.get(k, '') or '') for k in FACT_FIELDS) for f in facts]
    have = [(f.field, f.value, f.unit or '', str(f.year or ''), f.doc_slug, f.quote, f.note or '')
            for f in platform.facts]
    if wanted == have and all(f.paragraph_id for f in platform.facts):
        return
    platform.facts = [PlatformFact(seq=n, field=f['field'], value=str(f['value']), unit=f.get('unit'),
                                   year=f.get('year'), doc_slug=f['doc'], quote=f['quote'], note=f.get('note'),
                                   paragraph_id=resolver.resolve(f['doc'], f['quote']))
                      for n, f in enumerate(facts, 1)]


def seed_platforms(path: Path = CATALOGUE) -> dict[str, int]:
    """Insert or update catalogue platforms by key, with parents and cited facts; others are left alone."""
    created = updated = 0
    existing = {p.key: p for p in db.session.scalars(select(Platform))}
    catalogue = load_catalogue(path)
    for entry in catalogue:
        platform, values = existing.get(entry['key']), _attributes(entry)
        if platform is None:
            platform = existing[entry['key']] = Platform(key=entry['key'], **values)
            db.session.add(platform)
            created += 1
        elif any(getattr(platform, k) != v for k, v in values.items()):
            for key, value in values.items():
                setattr(platform, key, value)
            updated += 1
    db.session.flush()
    resolver = QuoteResolver()
    for entry in catalogue:
        platform = existing[entry['key']]
        parent = existing.get(entry.get('parent', ''))
        if platform.parent_id != (parent.id if parent else None):
            platform.parent_id = parent.id if parent else None
        _sync_facts(platform, entry.get('facts', []), resolver)
    db.session.flush()
    return {'platforms_created': created, 'platforms_updated': updated}


def ensure_platform(key: str, name: str, kind: str, district: str) -> Platform:
    """Return the platform with `key` or `name`, creating it if needed (demo data)."""
    platform = find_platform(key) or find_platform(name)
    if platform is None:
        platform = Platform(key=key, name=name, kind=kind, district=district)
        db.session.add(platform)
        db.session.flush()
    return platform
