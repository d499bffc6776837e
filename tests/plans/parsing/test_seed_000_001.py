"""Facts from the 下城 documents (000 十三五纲要, 001 web collection) checked against the parse."""
from __future__ import annotations

import re

SPAM = ['侯卫东官场笔记', '诛仙小说', '二号首长', '静州往事', '争力9万9']


def texts(doc) -> list[str]:
    return [p.text for p in doc.paragraphs]


def test_000_body_kept_once(docs):
    doc = docs['000']
    assert len(doc.duplicate_blocks) == 1
    assert doc.duplicate_blocks[0].line == 1696  # the second copy starts with the title printed again (L1696-1697)
    assert doc.duplicate_blocks[0].reason.startswith('repeat of lines 6-1691')
    starts = [p for p in doc.paragraphs if p.text.startswith('《杭州市下城区国民经济和社会发展第十三个五年规划纲要》根据')]
    assert len(starts) == 1
    assert max(p.line for p in doc.paragraphs) < 1700


def test_000_kuamao_paragraphs_once_including_spaced(docs):
    hits = [t for t in texts(docs['000']) if '跨贸小镇' in t]
    assert len(hits) == len(set(hits)) >= 5
    assert any('武林智慧商圈' in t and '跨贸小镇' in t for t in hits)  # raw L32 reads `跨 贸小镇`


def test_000_target_56_buildings(docs):
    targets = [t for p in docs['000'].paragraphs for t in p.targets]
    t56 = [t for t in targets if t.value == '56' and t.unit == '幢']
    assert t56 and t56[0].year == 2020 and '全口径税收超亿元楼宇' in t56[0].metric
    assert '全口径税收超亿元楼宇总量达到56幢' in t56[0].text
    t500 = [t for t in targets if t.value == '500' and t.unit == '家']
    assert any(t.metric == '新增跨境电商企业、服务配套企业' and t.year == 2020 for t in t500)


def test_000_chapters_are_headings(docs):
    chapters = [h for h in docs['000'].headings if re.fullmatch(r'第[一二三四五六七八九十]+章', h.marker)]
    assert [h.marker for h in chapters][0] == '第一章' and len(chapters) == 11
    assert chapters[-1].marker == '第十一章' and chapters[-1].title == '统筹整合资源,全面强化发展保障'
    assert chapters[5].anchor == 'c6' and chapters[5].title == '坚持统筹协调,提升持续发展后劲'


def test_000_run_in_headings_split(docs):
    doc = docs['000']
    head = next(h for h in doc.headings if h.anchor == 'c1.s1.i1')
    assert head.marker == '(一)' and head.title == '稳增长,综合经济实力明显增强'
    para = next(p for p in doc.paragraphs if p.anchor == 'c1.s1.i1.p1')
    assert para.text.startswith('有效应对经济下行压力,全区经济规模')
    assert para.citation_path == '第一章 一、(一) 第1段'
    assert para.heading_path[0] == '第一章 回顾五年成就,科学研判发展新形势'


def test_000_clean_text(docs):
    for t in texts(docs['000']):
        assert '\u00a0' not in t
        assert not re.search(r'[\u4e00-\u9fff] +[\u4e00-\u9fff]', t)
        assert '索引号' not in t and '点击率' not in t
    assert any('努力打造城市建筑精品' in t for t in texts(docs['000']))  # raw L1068 `努\u00a0 力打造`
    assert any('地区生产总值764.00亿元' in t for t in texts(docs['000']))
    assert docs['000'].metadata.get('信息索引号') == '00250027-9/2021-16577'


def test_000_boxes_and_tables(docs):
    doc = docs['000']
    box4 = next(t for t in doc.tables if t.caption.startswith('专栏四'))
    assert box4.structured and box4.header == ['平台名称', '主要内容']
    assert [r[0] for r in box4.rows][0] == '跨贸小镇' and box4.rows[-1][0] == '汇金国际金融产业大厦'
    box3 = next(t for t in doc.tables if t.caption.startswith('专栏三'))
    row = next(r for r in box3.rows if r[0] == '强化科技人才引进')
    assert row[1].endswith('积极吸引各类科技创新和产业发展紧缺型人才。')  # header repeated mid-cell at L1003
    p = next(p for p in doc.paragraphs if p.anchor == 'box4.p1')
    assert p.kind == 'box' and p.citation_path == '专栏四 第1段'


def test_001_spam_removed_and_reported(docs):
    doc = docs['001']
    for s in SPAM:
        assert not any(s in t for t in texts(doc)), s
        assert any(r.kind == 'spam' and r.text == s for r in doc.removed), s
    assert any('发展主要成绩' in h.title for h in doc.headings)
    assert any(t.startswith('百井坊拆迁攻坚扫尾。') or '取得显著成效。百井坊拆迁攻坚扫尾。' in t for t in texts(doc))


def test_001_report_2014_once(docs):
    doc = docs['001']
    assert len(doc.duplicate_blocks) == 1
    dup = doc.duplicate_blocks[0]
    assert dup.line == 26 and '2014年下城区政府工作报告' in dup.reason
    openings = [t for t in texts(doc) if '第十四届人民代表大会第三次会议决议通过' in t]
    assert len(openings) == 1 and openings[0].startswith('政府工作报告(')


def test_001_stray_asterisks(docs):
    doc = docs['001']
    assert not any('*' in t for t in texts(doc))
    assert sum(1 for r in doc.removed if r.kind == 'stray-symbol' and r.text == '*') >= 2
    assert any('*开展' not in t and '开展“五水共治”' in t for t in texts(doc))


def test_001_fused_and_false_headings(docs):
    doc = docs['001']
    assert any(h.marker == '一、' and h.title == '2014年工作回顾' for h in doc.headings)
    assert any(h.marker == '三、' and h.title == '2016年政府主要工作' for h in doc.headings)
    assert not any(h.marker in ('八、', '二、') and h.title.startswith(('主城区第一', '省级示范')) for h in doc.headings)
    assert any('第八、主城区第一' in t for t in texts(doc))


def test_001_glossary(docs):
    gl = [p for p in docs['001'].paragraphs if p.kind == 'glossary']
    assert len(gl) == 30
    assert gl[0].text.startswith('1、一号工程:') and gl[0].citation_path.endswith('名词解释 第1条')
    assert gl[-1].anchor.endswith('gl.e30')


def test_001_items_cited_by_title(docs):
    doc = docs['001']
    p = next(p for p in doc.paragraphs if p.anchor == 'a2.s1.p1')
    assert p.citation_path.startswith('《杭州下城区数字经济产业园揭牌')
    assert p.text.startswith('杭州下城区数字经济产业园规划面积6平方公里')
    assert any(r.text == '有想补充的信息?点我投稿' for r in doc.removed)
