"""The reviewed platform catalogue (seeds/platforms.toml): read by platform seeding and by plan parsing (names)."""
from __future__ import annotations

import tomllib
from pathlib import Path

from config import ROOT

CATALOGUE = ROOT / 'seeds' / 'platforms.toml'


def load_catalogue(path: Path = CATALOGUE) -> list[dict]:
    """The reviewed platform catalogue (seeds/platforms.toml), or nothing if it is absent."""
    if not path.exists():
        return []
    with path.open('rb') as fh:
        return tomllib.load(fh).get('platform', [])
