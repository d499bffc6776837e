"""A small fixture document with every defect kind, in UTF-8 and GB18030."""
from __future__ import annotations

import pytest
from conftest import FIXTURES

from crm.plans.parsing import parse_document

EXPECTED = [
    ('pre.p1', 'text', '序言 第1段', '《示范区发展规划纲要》是指导示范区未来五年发展的行动纲领。'),
    ('c1.s1.p1', 'text', '第一章 一、 第1段', '2020年,全区实现生产总值120亿元,同比增长8%。'),
    ('c1.s1.i1.p1', 'text', '第一章 一、(一) 第1段', '到2025年,新引进总部企业50家以上,力争跨贸小镇税收超亿元楼宇达到12幢。'),
    ('c1.s1.i1.p2', 'text', '第一章 一、(一) 第2段', '第二、省级示范实现全覆盖,推进美丽城区建设。'),
    ('box1.p1', 'box', '专栏一 第1段', '跨贸小镇\t依托产业园,打造跨境电商集聚中心。'),
    ('box1.p2', 'box', '专栏一 第2段', '数字港\t建设数字经济产业园,到2025年引进企业100家。'),
    ('c2.p1', 'text', '第二章 第1段', '加强组织领导。完善工作机制,确保各项任务落实。'),
    ('gl.e1', 'glossary', '名词解释 第1条', '1、一号工程:指发展数字经济的工程。'),
    ('gl.e2', 'glossary', '名词解释 第2条', '2、双招双引:指招商引资和招才引智。'),
]


def raw_utf8() -> bytes:
    return (FIXTURES / 'messy.txt').read_bytes()


@pytest.fixture(params=['utf-8', 'utf-8-sig', 'gb18030'])
def parsed(request):
    text = raw_utf8().decode('utf-8')
    return request.param, parse_document(text.encode(request.param))


def test_exact_paragraphs(parsed):
    _, doc = parsed
    got = [(p.anchor, p.kind, p.citation_path, p.text) for p in doc.paragraphs]
    assert got == EXPECTED


def test_encoding_and_hash(parsed):
    enc, doc = parsed
    assert doc.encoding == ('gb18030' if enc == 'gb18030' else 'utf-8')
    assert len(doc.sha256) == 64


def test_headings(parsed):
    _, doc = parsed
    got = [(h.marker, h.title, h.anchor) for h in doc.headings]
    assert got == [('第一章', '总体要求', 'c1'), ('一、', '2020年工作回顾', 'c1.s1'),
                   ('(一)', '强招商,产业集聚明显加快', 'c1.s1.i1'), ('专栏一', '重点平台', 'box1'),
                   ('第二章', '保障措施', 'c2'), ('名词解释', '名词解释', 'gl')]


def test_removals_reported(parsed):
    _, doc = parsed
    kinds = {(r.kind, r.text) for r in doc.removed}
    assert ('spam', '诛仙小说') in kinds
    assert ('stray-symbol', '*') in kinds
    assert ('toc', '第一章 总体要求\t1') in kinds and ('toc', '目 录') in kinds
    assert {'script', 'metadata', 'navigation', 'repeated-header', 'title'} <= {r.kind for r in doc.removed}
    assert doc.detected_title == '示范区发展规划纲要'
    assert doc.metadata['索引号'] == '12345-6/2025-001'


def test_duplicate_body(parsed):
    _, doc = parsed
    assert len(doc.duplicate_blocks) == 1 and doc.duplicate_blocks[0].kind == 'duplicate-block'
    assert sum('一号工程' in p.text for p in doc.paragraphs) == 1


def test_table_and_targets(parsed):
    _, doc = parsed
    box = doc.tables[0]
    assert box.header == ['平台名称', '主要内容'] and [r[0] for r in box.rows] == ['跨贸小镇', '数字港']
    targets = [(t.metric, t.value, t.unit, t.comparator, t.year) for p in doc.paragraphs for t in p.targets]
    assert ('新引进总部企业', '50', '家', '以上', 2025) in targets
    assert ('力争跨贸小镇税收超亿元楼宇', '12', '幢', '达到', 2025) in targets


def test_platform_aliases_match_spaced_text():
    doc = parse_document('一、平台\n\n建设“跨 贸小镇”。下城跨贸小镇招商。\n', platform_aliases={'跨贸小镇': ['下城跨贸小镇']})
    assert doc.paragraphs[0].platforms == ['跨贸小镇']
    assert doc.paragraphs[0].commitments[0].platforms == ['跨贸小镇']


@pytest.mark.parametrize('sentence', ['文学创作繁荣。网络小说产业快速发展。', '支持小说创作。回顾往事。',
                                      '读书笔记、首长讲话等资料归档。', '建设面积达9万平方米。'])
def test_real_text_is_not_spam(sentence):
    doc = parse_document(sentence)
    assert [p.text for p in doc.paragraphs] == [sentence]
    assert not any(r.kind == 'spam' for r in doc.removed)


def test_a_stray_asterisk_opening_a_line_before_a_section_number_or_a_figure_is_removed():
    """*(三)强化考核评价…: the asterisk would hide the section's number, and the heading with it."""
    raw = ('关于促进楼宇经济高质量发展的若干意见\n\n(一)加强组织领导。成立楼宇经济工作专班。\n\n(二)落实资金保障。区财政每年安排专项资金。\n\n'
           '*(三)强化考核评价。将楼宇经济主要指标纳入街道年度综合考核。\n\n*2025年起，建立季度通报制度。\n')
    doc = parse_document(raw.encode())
    assert [h.title for h in doc.headings] == ['加强组织领导', '落实资金保障', '强化考核评价']
    assert doc.paragraphs[-1].text == '2025年起，建立季度通报制度。'
    assert [(r.kind, r.text.strip()) for r in doc.removed] == [('stray-symbol', '*'), ('stray-symbol', '*')]
