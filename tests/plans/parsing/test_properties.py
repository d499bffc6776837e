"""Properties over all seed documents plus hypothesis checks of normalisation."""
from __future__ import annotations

import re
import time

from conftest import FILES, seed_bytes
from hypothesis import given, settings
from hypothesis import strategies as st

from crm.plans.parsing import normalize_for_search, parse_document, split_sentences


def test_anchors_unique_and_stable(docs):
    for key, doc in docs.items():
        anchors = [p.anchor for p in doc.paragraphs] + [h.anchor for h in doc.headings]
        assert all(re.fullmatch(r'[a-z0-9.-]+', a) for a in anchors), key
        assert len({p.anchor for p in doc.paragraphs}) == len(doc.paragraphs), key
        again = parse_document(seed_bytes(key))
        assert [p.anchor for p in again.paragraphs] == [p.anchor for p in doc.paragraphs], key


def test_commitments_and_targets_are_verbatim(docs):
    for doc in docs.values():
        for p in doc.paragraphs:
            assert p.text.strip(), p.anchor
            for c in p.commitments:
                assert c.text in p.text
                assert c.kind in ('quantitative', 'qualitative')
            for t in p.targets:
                assert t.text in p.text, (p.anchor, t.text)


def test_seq_and_kinds(docs):
    for doc in docs.values():
        assert [p.seq for p in doc.paragraphs] == list(range(1, len(doc.paragraphs) + 1))
        assert {p.kind for p in doc.paragraphs} <= {'text', 'bullet', 'table', 'glossary', 'box'}


def test_parse_time_of_all_seeds():
    start = time.perf_counter()
    for key in FILES:
        parse_document(seed_bytes(key))
    print(f'\nparsed five seed documents in {time.perf_counter() - start:.2f}s')


def test_split_sentences_keeps_quotes_and_titles():
    assert split_sentences('打造“一园。两镇”。推进《规划;纲要》实施!好?') == ['打造“一园。两镇”。', '推进《规划;纲要》实施!', '好?']
    assert split_sentences('他说:“好。”然后走了。') == ['他说:“好。”', '然后走了。']


CJK_TEXT = st.text(alphabet=st.sampled_from(list('发展规划纲要建设招商引资产业园区跨贸小镇数字经济') + list('0123456789')),
                   min_size=1, max_size=30)


@given(st.text(max_size=60))
def test_normalize_is_idempotent(text):
    once = normalize_for_search(text)
    assert normalize_for_search(once) == once


@settings(max_examples=60, deadline=None)
@given(CJK_TEXT, st.lists(st.integers(min_value=0, max_value=40), max_size=6))
def test_space_damage_is_repaired(body, cuts):
    sentence = body + '。'
    damaged = sentence
    for pos in sorted({c % len(sentence) for c in cuts}, reverse=True):
        if pos and not (sentence[pos - 1].isdigit() and sentence[pos].isdigit()):
            damaged = damaged[:pos] + ' \u00a0'[pos % 2] + damaged[pos:]
    doc = parse_document(damaged)
    assert [p.text for p in doc.paragraphs] == [sentence]
