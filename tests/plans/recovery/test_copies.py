"""A document whose page holds its body twice, the second copy re-wrapped, re-spaced and carrying junk strings the
first lacks, imports as the document printed once: the same paragraphs, anchors and citations, and the targets
(shares and 万人 counts among them) with their sentences."""
from __future__ import annotations

import random

import pytest

from crm.plans.parsing import parse_document
from tests.plans.recovery.generator import DamagePlan, render
from tests.plans.recovery.sources import load_sources


def _shape(doc):
    """Paragraphs with anchor, citation and place; a table by its anchor and citation only (the generator draws a
    table's layout afresh for each render)."""
    return [(p.anchor, p.citation_path, p.heading_path, p.text if p.kind != 'table' else p.kind)
            for p in doc.paragraphs]


def _targets(doc):
    return sorted((t.kind, t.metric, t.value, t.unit, t.comparator, p.anchor) for p in doc.paragraphs
                  for t in p.targets)


@pytest.mark.parametrize('prefix', ['gy01', 'zb02', 'zc01'])
def test_a_second_rewrapped_copy_with_junk_changes_nothing(prefix):
    source = next(s for s in load_sources() if s.name.startswith(prefix))
    once = parse_document(render(source).data)
    gen = render(source, DamagePlan(frozenset({'rewrapped-copy'})), random.Random(11))
    assert any(i.kind == 'spam' for i in gen.injected), 'the copy carries junk the first copy lacks'
    twice = parse_document(gen.data)
    assert _shape(twice) == _shape(once)
    assert _targets(twice) == _targets(once)
    assert twice.duplicate_blocks and not once.duplicate_blocks


def test_targets_in_share_form_and_in_wan_ren_are_extracted():
    source = next(s for s in load_sources() if s.name.startswith('gy01'))
    doc = parse_document(render(source, DamagePlan(frozenset({'pdf-wrap', 'digit-spaces', 'half-width'})),
                                random.Random(3)).data)
    found = {(t.kind, t.metric, t.value, t.unit, t.comparator) for p in doc.paragraphs for t in p.targets}
    assert ('share', '数字经济核心产业增加值占地区生产总值比重', '15', '%', '达到') in found
    assert ('share', '护理型床位占养老机构床位的比例', '65', '%', '提高到') in found
    assert ('count', '五年累计新增城镇就业', '10', '万人', '以上') in found
    assert ('count', '常住人口', '98', '万人', '左右') in found
    sentence = next(t.text for p in doc.paragraphs for t in p.targets if t.metric == '常住人口')
    assert '常住人口达到98万人左右' in sentence
