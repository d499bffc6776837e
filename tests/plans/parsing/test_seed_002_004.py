"""Facts from 002 (拱墅 十四五), 003 (滨江 web page) and 004 (杭州 十三五) checked against the parse."""
from __future__ import annotations

import re


def texts(doc) -> list[str]:
    return [p.text for p in doc.paragraphs]


def test_002_missing_table_body(docs):
    doc = docs['002']
    table = next(t for t in doc.tables if t.caption.startswith('表1-1'))
    assert table.missing_body and not table.rows
    assert any('表1-1' in w for w in doc.warnings)
    assert any(h.marker == '第二章' for h in doc.headings)


def test_002_spaces_removed(docs):
    doc = docs['002']
    assert any('“十三五”时期,面对复杂多变' in t for t in texts(doc))
    assert any('地区生产总值由“十二五”期末1195亿元上升到1803亿元' in t for t in texts(doc))
    assert not any('“ ' in t or ' ”' in t or re.search(r'\d %', t) for t in texts(doc))
    assert doc.detected_title == '杭州市拱墅区国民经济和社会发展第十四个五年规划和二〇三五年远景目标纲要'


def test_002_sections_numbered_across_chapters(docs):
    heads = {h.marker: h for h in docs['002'].headings}
    assert heads['第六节'].title == '打造总部经济集聚地' and heads['第六节'].path == ['第二章', '第六节']
    assert heads['第三十三节'].title == '健全规划实施机制'


def test_003_junk_removed(docs):
    doc = docs['003']
    kinds = {r.kind for r in doc.removed}
    assert {'script', 'metadata', 'navigation'} <= kinds
    for t in texts(doc):
        assert 'function' not in t and 'ICP' not in t and '特别提示' not in t and '点击排行' not in t


def test_003_table_recovered_without_neighbours(docs):
    doc = docs['003']
    table = doc.tables[0]
    assert table.structured and table.header == ['序号', '指标名称', '2023年建议目标', '2023年实际增长']
    assert table.rows[0] == ['1', '地区生产总值', '确保5.0%,力争5.5%以上', '8.0%']
    assert table.rows[-1][1] == '全社会R&D经费投入相当于地区生产总值比重' and len(table.rows) == 6
    assert any(h.title == '综合实力稳步提升' for h in doc.headings)
    first = next(p for p in doc.paragraphs if p.heading_path[-1:] == ['一、综合实力稳步提升'])
    assert first.text.startswith('主要指标保持韧劲。')
    assert any(t.source == 'table' and t.metric == '新引进人才数' for p in doc.paragraphs for t in p.targets)


def test_003_parts_restart_sections(docs):
    anchors = [h.anchor for h in docs['003'].headings]
    assert 'h1.s1' in anchors and 'h2.s1' in anchors


def test_004_toc_not_body(docs):
    doc = docs['004']
    toc = [r for r in doc.removed if r.kind == 'toc']
    assert len(toc) >= 60
    chapter1 = [h for h in doc.headings if h.marker == '第一章']
    assert len(chapter1) == 1 and chapter1[0].line == 92
    assert not any(re.search(r'\t\d+$', t) for t in texts(doc))


def test_004_tab_tables(docs):
    doc = docs['004']
    t2 = next(t for t in doc.tables if t.caption.startswith('表2'))
    assert t2.structured and t2.header[:3] == ['类别', '指标名称', '单位']
    assert t2.rows[0][:6] == ['经济发展', '(1)全市地区生产总值', '亿元', '10053.58', '14300', '7.5%以上']
    assert any(r[1] == '(19) 每千人口执业(助理)医师数' or r[1].endswith('每千人口执业(助理)医师数') for r in t2.rows)
    t1 = next(t for t in doc.tables if t.caption.startswith('表1'))
    assert t1.header[3] == '规划目标 2015年'
    targets = [t for p in doc.paragraphs for t in p.targets if t.source == 'table']
    gdp = next(t for t in targets if t.metric == '全市地区生产总值' and t.year == 2020)
    assert gdp.value == '14300' and gdp.unit == '亿元' and gdp.base == '10053.58'


def test_004_glossary(docs):
    gl = [p for p in docs['004'].paragraphs if p.kind == 'glossary']
    assert len(gl) == 65  # 64 entries; 12、四众 runs over two paragraphs (raw lines 1365 and 1367)
    assert gl[0].text.startswith('1、八八战略') and gl[0].citation_path == '名词解释 第1条' and gl[0].anchor == 'gl.e1'
    more = next(p for p in gl if p.anchor == 'gl.e12.p2')
    assert more.text.startswith('是顺应创新2.0时代用户创新') and more.citation_path == '名词解释 第12条 第2段'
    assert not more.commitments


def test_004_closing_block_is_not_text(docs):
    doc = docs['004']
    assert not any(t.startswith(('抄送', '市各民主党派', '杭州市人民政府办公厅', '2016年4月11日印发', '（本文有删减）'))
                   for t in texts(doc))
    removed = [r.text for r in doc.removed if r.kind == 'metadata']
    assert '2016年4月11日印发' in removed and any(r.startswith('抄送：国务院办公厅') for r in removed)
    assert any('abridged' in w for w in doc.warnings)
    assert doc.paragraphs[-1].kind == 'glossary' and doc.paragraphs[-1].text.startswith('64、')


def test_004_markup_and_stray_words(docs):
    doc = docs['004']
    assert not any('**' in t or ' and ' in t for t in texts(doc))
    assert any(r.kind == 'markup' for r in doc.removed)
    assert [r.line for r in doc.removed if r.kind == 'stray-symbol' and r.text.strip() == 'and'] == [636, 1126, 1194]
    assert any('区位优势总部环境' in t or '区位优势' in t and 'and' not in t for t in texts(doc))
