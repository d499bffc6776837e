"""Injected strings without any known cue word: reported as suspects (never cut on a guess), then removed or kept
by an administrator's correction on every later parse."""
from __future__ import annotations

import pytest
from conftest import FILES, seed_bytes

from crm.plans.parsing import CorpusStats, Corrections, parse_document

# Two web-novel titles, one at a sentence's start and one at a clause's; neither contains a word the cue list knows.
UNSEEN = ('城区发展规划纲要\n\n第一章 发展基础\n\n'
          '“十三五”期间,全区经济保持平稳增长。镜花水月武林商圈转型升级步伐加快,新开业商业综合体3个。\n\n'
          '推进数字经济发展,凡人修仙传完善产业政策体系,培育数字经济龙头企业。\n').encode()


@pytest.fixture(scope='module')
def background():
    """Character pairs of the five seed documents: the corpus the new document is judged against."""
    return CorpusStats.of(p.text for key in FILES for p in parse_document(seed_bytes(key)).paragraphs)


def _text(doc) -> str:
    return '\n'.join(p.text for p in doc.paragraphs)


def test_strings_sharing_nothing_with_the_corpus_are_reported_and_left_in_place(background):
    doc = parse_document(UNSEEN, background=background)
    suspects = {s.text: s for s in doc.suspects}
    assert set(suspects) == {'镜花水月', '凡人修仙传'}
    assert '镜花水月武林商圈' in _text(doc), 'a guess is never cut from the text'
    assert suspects['镜花水月'].anchor == doc.paragraphs[0].anchor
    assert '平稳增长。镜花水月武林' in suspects['镜花水月'].context


def test_an_administrators_strip_removes_the_string_and_reports_it(background):
    doc = parse_document(UNSEEN, background=background, corrections=Corrections(strip=('镜花水月', '凡人修仙传')))
    text = _text(doc)
    assert '镜花水月' not in text and '凡人修仙传' not in text
    assert '平稳增长。武林商圈转型升级步伐加快' in text and '推进数字经济发展,完善产业政策体系' in text
    assert {(r.kind, r.text, r.reason) for r in doc.removed} >= {
        ('spam', '镜花水月', 'marked as injected by an administrator'),
        ('spam', '凡人修仙传', 'marked as injected by an administrator')}
    assert doc.suspects == []


def test_an_administrators_keep_overrides_the_detector():
    raw = '示范区规划\n\n第一章 总则\n\n加强组织领导。诛仙小说完善工作机制,确保各项任务落实。\n'.encode()
    assert '诛仙小说' not in _text(parse_document(raw))
    kept = parse_document(raw, corrections=Corrections(keep=('诛仙小说',)))
    assert '加强组织领导。诛仙小说完善工作机制' in _text(kept)
    assert not any(r.kind == 'spam' for r in kept.removed) and kept.suspects == []


def test_the_seed_documents_give_a_short_review_list(background):
    """Against each other, the five seed documents raise only a handful of once-used phrases for review."""
    suspects = []
    for key in FILES:
        others = CorpusStats.of(p.text for other in FILES if other != key
                             for p in parse_document(seed_bytes(other)).paragraphs)
        suspects += [s.text for s in parse_document(seed_bytes(key), background=others).suspects]
    assert len(suspects) <= 20, suspects  # about one per 10,000 characters


def test_gambling_and_streaming_ads_between_sentences_are_cut():
    raw = ('示范区规划\n\n第一章 总则\n\n加快建设跨贸小镇。百家乐完善服务体系,确保各项任务落实。'
           '推进数字贸易。高清在线观看培育龙头企业。\n').encode()
    doc = parse_document(raw)
    assert '加快建设跨贸小镇。完善服务体系,确保各项任务落实。推进数字贸易。培育龙头企业。' in _text(doc)
    assert {(r.kind, r.text) for r in doc.removed} >= {('spam', '百家乐'), ('spam', '高清在线观看')}
