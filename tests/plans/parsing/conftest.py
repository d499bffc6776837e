"""Shared fixtures: the five seed plan documents, parsed once per session."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from crm.plans.parsing import ParsedDocument, parse_document  # noqa: E402

SEEDS = ROOT / 'seeds' / 'plans'
FIXTURES = Path(__file__).resolve().parent / 'fixtures'
FILES = {
    '000': '000_4d9227f4be697ce4.txt',
    '001': '001_f44b4fe92b87883a.txt',
    '002': '002_e04ed0866f9d98ed.txt',
    '003': '003_c6538f58da7aa09b.txt',
    '004': '004_c2d14b943464172c.txt',
}
ALIASES = {'跨贸小镇': ['下城跨贸小镇', '跨境贸易小镇'], '电竞小镇': ['电竞数娱产业园']}


def seed_bytes(key: str) -> bytes:
    """Raw bytes of a seed document."""
    return (SEEDS / FILES[key]).read_bytes()


@pytest.fixture(scope='session')
def docs() -> dict[str, ParsedDocument]:
    """All five seed documents, parsed."""
    return {k: parse_document(seed_bytes(k), platform_aliases=ALIASES) for k in FILES}
