"""Platform operations: catalogue seeding and look-ups."""
from __future__ import annotations

import tomllib
from pathlib import Path

from sqlalchemy import or_, select

from config import ROOT
from crm.db import db
from crm.platforms.models import Platform

CATALOGUE = ROOT / 'seeds' / 'platforms.toml'


def find_platform(ref: str) -> Platform | None:
    """A platform by key or exact name."""
    return db.session.scalar(select(Platform).where(or_(Platform.key == ref, Platform.name == ref)))


def load_catalogue(path: Path = CATALOGUE) -> list[dict]:
    """The reviewed platform catalogue (seeds/platforms.toml), or nothing if it is absent."""
    if not path.exists():
        return []
    with path.open('rb') as fh:
        return tomllib.load(fh).get('platform', [])


def seed_platforms(path: Path = CATALOGUE) -> dict[str, int]:
    """Insert or update catalogue platforms by key; records not in the file are left alone."""
    created = updated = 0
    existing = {p.key: p for p in db.session.scalars(select(Platform))}
    for entry in load_catalogue(path):
        platform = existing.get(entry['key'])
        values = {'name': entry['name'], 'kind': entry.get('kind', '产业园'), 'district': entry.get('district', '')}
        if platform is None:
            db.session.add(Platform(key=entry['key'], **values))
            created += 1
        elif any(getattr(platform, k) != v for k, v in values.items()):
            for key, value in values.items():
                setattr(platform, key, value)
            updated += 1
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
