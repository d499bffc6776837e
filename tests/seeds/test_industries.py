"""Structure of the industry dictionary seeds/industries.csv (GB/T 4754-2017 国民经济行业分类).

After a few leading `#` lines naming its sources, the file lists 门类 (section), 大类 (division), 中类 (group) and
小类 (class) rows with columns code,name,level,parent: the whole classification, every group with its classes. These
tests check the shape of the hierarchy and a few fixed points; the names themselves are checked against the sources
when the file is edited.
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from functools import lru_cache
from pathlib import Path

import pytest

pytestmark = pytest.mark.nodb

ROOT = Path(__file__).resolve().parents[2]
CSV_PATH = ROOT / 'seeds' / 'industries.csv'
README_PATH = ROOT / 'seeds' / 'industries.README.md'

HEADER = ['code', 'name', 'level', 'parent']
LEVELS = ('section', 'division', 'group', 'class')

# 门类 → range of 大类 codes, as laid down in GB/T 4754-2017.
SECTION_RANGES = {
    'A': (1, 5), 'B': (6, 12), 'C': (13, 43), 'D': (44, 46), 'E': (47, 50),
    'F': (51, 52), 'G': (53, 60), 'H': (61, 62), 'I': (63, 65), 'J': (66, 69),
    'K': (70, 70), 'L': (71, 72), 'M': (73, 75), 'N': (76, 79), 'O': (80, 82),
    'P': (83, 83), 'Q': (84, 85), 'R': (86, 90), 'S': (91, 96), 'T': (97, 97),
}

# A few fixed points of the standard that the rest of the product relies on.
KNOWN = {
    'I': '信息传输、软件和信息技术服务业',
    '65': '软件和信息技术服务业',
    '651': '软件开发',
    '6511': '基础软件开发',
    '72': '商务服务业',
    '726': '人力资源服务',
    '7261': '公共就业服务',
    '97': '国际组织',
    '6450': '互联网数据服务',
    '5267': '机动车充电销售',
}


def _data_lines(text: str) -> list[str]:
    """The CSV lines after the leading `#` source note."""
    lines = text.splitlines()
    while lines and lines[0].startswith('#'):
        lines.pop(0)
    return lines


@lru_cache(maxsize=1)
def _read() -> tuple[list[str], list[dict[str, str]]]:
    raw = CSV_PATH.read_bytes()
    assert not raw.startswith(b'\xef\xbb\xbf'), 'industries.csv must not start with a BOM'
    text = raw.decode('utf-8')
    reader = csv.reader(_data_lines(text))
    header = next(reader)
    rows = [dict(zip(header, r, strict=True)) for r in reader]
    return header, rows


def rows() -> list[dict[str, str]]:
    return _read()[1]


def by_level(level: str) -> list[dict[str, str]]:
    return [r for r in rows() if r['level'] == level]


def codes(level: str) -> set[str]:
    return {r['code'] for r in by_level(level)}


def test_header_exact():
    assert _read()[0] == HEADER


def test_every_row_has_four_fields_and_a_known_level():
    text = CSV_PATH.read_text(encoding='utf-8')
    for lineno, r in enumerate(csv.reader(_data_lines(text)), start=1):
        assert len(r) == 4, f'line {lineno}: {r!r}'
    for r in rows():
        assert r['level'] in LEVELS, r


def test_codes_unique():
    dup = [c for c, n in Counter(r['code'] for r in rows()).items() if n > 1]
    assert not dup, dup


def test_names_not_empty_and_without_ascii_spaces():
    for r in rows():
        assert r['name'], r
        assert r['name'] == r['name'].strip(), r
        assert ' ' not in r['name'], r
        assert '\t' not in r['name'], r


def test_codes_have_no_surrounding_whitespace():
    for r in rows():
        assert r['code'] == r['code'].strip() and r['parent'] == r['parent'].strip(), r


def test_sections_are_the_twenty_letters_a_to_t():
    sections = by_level('section')
    assert len(sections) == 20
    assert {r['code'] for r in sections} == set('ABCDEFGHIJKLMNOPQRST')
    for r in sections:
        assert re.fullmatch(r'[A-T]', r['code']), r
        assert r['parent'] == '', r


def test_exactly_97_divisions_01_to_97():
    divisions = by_level('division')
    assert len(divisions) == 97
    for r in divisions:
        assert re.fullmatch(r'\d{2}', r['code']), r
        assert 1 <= int(r['code']) <= 97, r
    # GB/T 4754-2017 numbers its 97 大类 without gaps.
    assert codes('division') == {f'{n:02d}' for n in range(1, 98)}


def test_section_ranges_cover_01_to_97_once():
    covered = [n for a, b in SECTION_RANGES.values() for n in range(a, b + 1)]
    assert sorted(covered) == list(range(1, 98))


def test_division_parent_is_an_existing_section():
    sections = codes('section')
    for r in by_level('division'):
        assert r['parent'] in sections, r


def test_division_to_section_follows_the_standard():
    for r in by_level('division'):
        a, b = SECTION_RANGES[r['parent']]
        assert a <= int(r['code']) <= b, r


def test_groups_are_three_digits_under_their_division():
    divisions = codes('division')
    for r in by_level('group'):
        assert re.fullmatch(r'\d{3}', r['code']), r
        assert r['parent'] in divisions, r
        assert r['code'].startswith(r['parent']), r


def test_classes_are_four_digits_under_their_group():
    groups = codes('group')
    for r in by_level('class'):
        assert re.fullmatch(r'\d{4}', r['code']), r
        assert r['parent'] in groups, r
        assert r['code'].startswith(r['parent']), r


def test_the_whole_classification_every_group_with_its_classes():
    """473 中类, each with at least one 小类; 1,381 小类 (the 2019 amendment's 5267 included)."""
    groups = codes('group')
    with_classes = {r['parent'] for r in by_level('class')}
    assert len(groups) == 473 and with_classes == groups
    assert len(by_level('class')) == 1381
    assert {'6450', '5267', '2522', '3969', '7123'} <= codes('class')


def test_the_2019_amendment_adds_one_class_and_the_counts_say_so():
    """The 2017 text has 1,380 classes; 第1号修改单 adds 5267 机动车充电销售 after 5266 in group 526 and nothing else, so
    the amended standard has 1,381 and the file holds all of them: neither the file's note nor its README may speak
    of a missing class (they once claimed 1,382)."""
    in_526 = [(r['code'], r['name']) for r in by_level('class') if r['parent'] == '526']
    assert in_526[-2:] == [('5266', '机动车燃气零售'), ('5267', '机动车充电销售')]
    assert {r['code']: r['name'] for r in by_level('group')}['526'] == '汽车、摩托车、零配件和燃料及其他动力销售'
    assert len(by_level('class')) - 1 == 1380, 'the 2017 text plus the one amended class'
    head = '\n'.join(line for line in CSV_PATH.read_text(encoding='utf-8').splitlines() if line.startswith('#'))
    readme = README_PATH.read_text(encoding='utf-8')
    for text in (head, readme, (ROOT / 'README.md').read_text(encoding='utf-8')):
        assert not re.search(r'1,?382 (classes|小类)[^;.]*(missing|neither)|still missing|one is in neither', text)
    assert '1381 小类' in head and '**1,381**' in readme


def test_the_file_names_its_sources():
    head = [line for line in CSV_PATH.read_text(encoding='utf-8').splitlines() if line.startswith('#')]
    assert head and any('GB/T 4754-2017' in line for line in head)


def test_zero_digit_only_for_an_undivided_parent():
    """A group ending in 0 (e.g. 120, 970) is the only group of its division; likewise a
    class ending in 0 (e.g. 6520) is the only class of its group."""
    groups, classes = by_level('group'), by_level('class')
    for r in groups:
        if r['code'][2] == '0':
            assert [g['code'] for g in groups if g['parent'] == r['parent']] == [r['code']], r
    for r in classes:
        if r['code'][3] == '0':
            assert [c['code'] for c in classes if c['parent'] == r['parent']] == [r['code']], r


def test_known_entries():
    names = {r['code']: r['name'] for r in rows()}
    for code, name in KNOWN.items():
        assert names.get(code) == name, code


def test_rows_follow_the_hierarchy_order():
    """Each row comes after its parent, so the file reads as an outline."""
    seen: set[str] = set()
    for r in rows():
        if r['parent']:
            assert r['parent'] in seen, r
        seen.add(r['code'])


def test_readme_counts_match():
    text = README_PATH.read_text(encoding='utf-8')
    counts = Counter(r['level'] for r in rows())
    for level in LEVELS:
        assert re.search(rf'\|\s*{level}\b[^|\n]*\|[^|\n]*\|\s*{counts[level]}\s*\|', text), level
