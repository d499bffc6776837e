"""Document numbers: packs `GS-2026-7KQ4XM-V2`, policy summaries `ZC-2026-H3D9PA-1`.

The middle part is a random series code, the same for every version of one lead's pack (and for every summary of
one firm), so a number tells which documents belong together and nothing about the records behind it: no
database id, no count of leads or firms. Codes use Crockford's base32 (no I, L, O or U to misread on the phone).
"""
from __future__ import annotations

import re
import secrets
from collections.abc import Callable

ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ'
SERIES_LENGTH = 6  # 32**6 ≈ 1.07 billion codes
_NUMBER = re.compile(rf'^(?P<prefix>[A-Z]+)-(?P<year>\d{{4}})-(?P<series>[{ALPHABET}]{{{SERIES_LENGTH}}})-')


def series_of(number: str | None, prefix: str) -> str | None:
    """The series code of a number issued with `prefix` (None for anything else)."""
    found = _NUMBER.match(number or '')
    return found['series'] if found and found['prefix'] == prefix else None


def new_series(taken: Callable[[str], bool]) -> str:
    """A random series code that `taken(code)` says is free."""
    while True:
        code = ''.join(secrets.choice(ALPHABET) for _ in range(SERIES_LENGTH))
        if not taken(code):
            return code


def pack_number(year: int, series: str, version: int) -> str:
    return f'GS-{year}-{series}-V{version}'


def summary_number(year: int, series: str, count: int) -> str:
    return f'ZC-{year}-{series}-{count}'
