"""Indicator tables flattened one cell per line: rows recovered, targets read, the rest left as it was."""
from __future__ import annotations

import pytest
from conftest import FIXTURES
from hypothesis import given, settings
from hypothesis import strategies as st

from crm.plans.parsing import parse_document
from crm.plans.parsing.indicators import recover_indicator_table
from crm.plans.parsing.segment import Line


@pytest.fixture(scope='module')
def fixture_doc():
    return parse_document((FIXTURES / 'indicators.txt').read_bytes())


def table(doc, caption_start):
    return next(t for t in doc.tables if t.caption.startswith(caption_start))


def table_targets(doc, anchor):
    return [(t.metric, t.value, t.unit, t.comparator, t.year, t.period, t.base)
            for p in doc.paragraphs if p.anchor == anchor for t in p.targets if t.source == 'table']


def test_fixture_rows(fixture_doc):
    box = table(fixture_doc, '专栏一')
    assert box.structured
    # header cells split over two lines (指标/名称, 指标/属性, 年均增/长(%)) are joined
    assert box.header == ['类别', '指标名称', '指标属性', '单位', '2020年', '2025年', '年均增长(%)', '责任单位']
    assert box.rows == [
        ['经济实力', '地区生产总值', '预期性', '亿元', '1000', '1500', '8.5', '区发改局'],
        ['经济实力', '一般公共预算收入', '预期性', '亿元', '[420]', '[600]', '', '区财政局'],
        # a name wrapped over two cells; no growth cell
        ['经济实力', '数字经济核心产业增加值占地区生产总值比重', '预期性', '%', '30.5', '38', '', '区经信局'],
        # after the header repeated at a page break: category carried down, no unit, source over two cells
        ['经济实力', '新引进世界500强企业', '预期性', '', '20', '35', '', '区投资促进局'],
        ['民生福祉', '城镇调查失业率', '约束性', '%', '≤5', '≤5', '', '区人社局'],
        ['民生福祉', '新增学位数', '约束性', '个', '[8000]', '', '', '区教育局'],
        ['民生福祉', '居民人均可支配收入', '预期性', '元', '72000', '100000', '年均增长7', '区统计局'],
    ]
    assert box.notes == ['注:[]内为五年累计数。']
    repeats = [r for r in fixture_doc.removed if r.kind == 'repeated-header']
    assert [r.line for r in repeats] == [75] and repeats[0].text.startswith('类别\n指标\n名称')
    assert any('新增学位数' in w and 'one value' in w for w in fixture_doc.warnings)


def test_fixture_targets(fixture_doc):
    assert table_targets(fixture_doc, 'box1.p1') == [
        ('地区生产总值', '1500', '亿元', '', 2025, '2020-2025', '1000'),
        ('地区生产总值年均增长', '8.5', '%', '', 2025, '2020-2025', None),
        ('一般公共预算收入', '600', '亿元', '累计', 2025, '2020-2025', '[420]'),
        ('数字经济核心产业增加值占地区生产总值比重', '38', '%', '', 2025, '2020-2025', '30.5'),
        ('新引进世界500强企业', '35', '', '', 2025, '2020-2025', '20'),
        ('城镇调查失业率', '5', '%', '≤', 2025, '2020-2025', '≤5'),
        ('居民人均可支配收入', '100000', '元', '', 2025, '2020-2025', '72000'),
        ('居民人均可支配收入年均增长', '7', '%', '', 2025, '2020-2025', None),
    ]
    paragraph = next(p for p in fixture_doc.paragraphs if p.anchor == 'box1.p1')
    assert paragraph.kind == 'table' and paragraph.citation_path == '专栏一 第1段'
    for t in paragraph.targets:
        assert t.text in paragraph.text.split('\n')  # each target quotes its row


def test_fixture_completion_table(fixture_doc):
    box = table(fixture_doc, '专栏三')
    assert box.header == ['', '指标名称', '单位', '规划目标 目标值', '规划目标 年均增长(%)', '完成情况 2020年',
                          '完成情况 年均增长(%)']
    assert box.rows == [['经济实力', '地区生产总值', '亿元', '900', '9', '1000', '10.2'],
                        ['经济实力', '服务业增加值占地区生产总值比重', '%', '65', '', '66.8', ''],
                        ['社会事业', '人均预期寿命', '岁', '82', '', '83.1', '']]
    # planned values are the targets, for the year the caption's plan period ends; results are not bases
    assert table_targets(fixture_doc, 'box3.p1') == [
        ('地区生产总值', '900', '亿元', '', 2020, '', None),
        ('地区生产总值年均增长', '9', '%', '', 2020, '', None),
        ('服务业增加值占地区生产总值比重', '65', '%', '', 2020, '', None),
        ('人均预期寿命', '82', '岁', '', 2020, '', None),
    ]


def test_unrecoverable_table_stays_text(fixture_doc):
    box = table(fixture_doc, '专栏二')
    assert not box.structured and not box.rows
    assert any('structure not recovered: 专栏二' in w for w in fixture_doc.warnings)
    got = [(p.anchor, p.kind, p.text) for p in fixture_doc.paragraphs if not p.anchor.startswith(('box1', 'box3'))]
    assert got == [
        ('c1.p1', 'text', '到2025年,全区经济实力明显增强,地区生产总值达到1500亿元。'),
        ('c1.p2', 'text', '全区上下要围绕上述目标,狠抓落实,确保各项指标如期完成。'),
        ('box2.p1', 'table', '指标名称\n属性\n单位\n2025年\n地区生产总值\n1500\n亿元\n预期性\n'
                             '一般公共预算收入\n600\n亿元\n预期性'),
        ('c2.p1', 'text', '加强组织领导,完善工作机制。'),
    ]
    assert not table_targets(fixture_doc, 'box2.p1')


def test_000_box2_rows(docs):
    box = table(docs['000'], '专栏二')
    assert box.structured
    assert box.header == ['分类', '指标名称', '指标属性', '单位', '2015年', '2020年', '年均增长率(%)', '数据来源']
    assert len(box.rows) == 29
    rows = {r[1]: r for r in box.rows}
    assert rows['地区生产总值'] == ['经济发展', '地区生产总值', '预期性', '亿元', '764.00', '1100', '7.5', '统计局']
    assert rows['现代服务业增加值占服务业增加值比重'][4:] == ['70.28', '74', '', '统计局']
    assert rows['全口径税收超亿元楼宇'] == ['创新发展', '全口径税收超亿元楼宇', '预期性', '', '43', '56', '', '商务局']
    assert rows['众创空间面积'][0] == '创新发展'  # no category in the source after the page break (L663)
    assert rows['跨境进出口额'][4:] == ['31.02', '[240]', '', '跨贸小镇管委会']
    assert rows['新增教文卫设施面积'][-1] == '教育局、卫计局、文广新局'
    assert any(r.kind == 'repeated-header' and r.line == 642 for r in docs['000'].removed)


def test_000_box2_targets_once(docs):
    paragraphs = [p for p in docs['000'].paragraphs if any(t.source == 'table' for t in p.targets)]
    targets = [t for p in paragraphs for t in p.targets]
    gdp = [t for t in targets if t.metric == '地区生产总值' and t.year == 2020]
    assert len(gdp) == 1  # the duplicated second copy of the body adds nothing
    assert (gdp[0].value, gdp[0].unit, gdp[0].base, gdp[0].period) == ('1100', '亿元', '764.00', '2015-2020')
    assert gdp[0].text == '经济发展\t地区生产总值\t预期性\t亿元\t764.00\t1100\t7.5\t统计局'
    growth = [t for t in targets if t.metric == '地区生产总值年均增长' and t.year == 2020]
    assert [(t.value, t.unit) for t in growth] == [('7.5', '%')]
    revenue = [t for t in targets if t.metric == '地方一般公共预算收入']
    assert [(t.value, t.unit, t.year, t.base) for t in revenue] == [('110', '亿元', 2020, '85.64')]
    share = [t for t in targets if t.metric == '现代服务业增加值占服务业增加值比重' and t.year == 2020]
    assert [(t.value, t.unit, t.base) for t in share] == [('74', '%', '70.28')]
    invest = [t for t in targets if t.metric == '固定资产投资']
    assert [(t.value, t.comparator, t.base) for t in invest] == [('800', '累计', '[604.12]')]
    box = next(p for p in paragraphs if p.anchor == 'box2.p1')
    assert box.citation_path == '专栏二 第1段' and box.heading_path[-1].startswith('专栏二')
    metrics = [t.metric for t in box.targets]
    assert len(metrics) == len(set(metrics))
    # rows are read as targets, not as sentences: no `7人` from `7\t人社局`, no commitment per category `…发展`
    assert {t.source for t in box.targets} == {'table'} and not box.commitments


def test_000_box1_completion(docs):
    box = table(docs['000'], '专栏一')
    assert box.structured and len(box.rows) == 20
    assert box.header[3:] == ['规划目标 目标值', '规划目标 年均增长(%)', '完成情况 2015年', '完成情况 年均增长(%)']
    rows = {r[1]: r for r in box.rows}
    assert rows['地方一般公共预算收入(原地方财政收入)'][3:] == ['100', '10', '85.64', '5.43']
    assert rows['现代服务业增加值占服务业增加值比重'] == ['转型升级', '现代服务业增加值占服务业增加值比重', '%', '70', '',
                                                  '70.28', '']
    assert rows['居民人均可支配收入'][2:] == ['', '50600', '11', '48316', '9.8']
    targets = {t.metric: t for p in docs['000'].paragraphs if p.anchor == 'box1.p1' for t in p.targets}
    assert (targets['地区生产总值'].value, targets['地区生产总值'].year, targets['地区生产总值'].base) == ('740', 2015, None)


def test_004_tab_table_growth_targets(docs):
    targets = [t for p in docs['004'].paragraphs for t in p.targets if t.source == 'table']
    growth = next(t for t in targets if t.metric == '全市地区生产总值年均增长' and t.year == 2020)
    assert (growth.value, growth.unit, growth.comparator, growth.period) == ('7.5', '%', '以上', '2015-2020')
    share = next(t for t in targets if t.metric == '服务业增加值占生产总值比重累计增长')
    assert (share.value, share.unit, share.year) == ('3.8', '', 2020)  # `[3.8]`: a five-year cumulative change


CELLS = ['分类', '指标名称', '指标', '属性', '单位', '2015年', '2020年', '年均增长', '率(%)', '数据来源', '规划目标',
         '完成情况', '经济发展', '地区生产总值', '现代服务业增加值占服务', '业增加值比重', '预期性', '约束性', '亿元',
         '%', '764.00', '[800]', '≥80', '7左右', '年均下降', '3.8', '统计局', '跨贸小镇', '管委会', '教育局、', '85(原标',
         '准)', '部分消除', '劣V类', '—', '加强组织领导,完善工作机制。', '(原地方财政收入)']


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(CELLS), min_size=0, max_size=40))
def test_any_cells_give_rectangular_rows_or_nothing(cells):
    lines = [Line(c, n, c) for n, c in enumerate(['分类', '指标名称', '单位', '2020年'] + cells, start=1)]
    got = recover_indicator_table(lines)
    if got is not None:
        assert got.rows and all(len(r) == len(got.header) for r in got.rows)



NAMES = ['地区生产总值', '引进外资', '城区绿化覆盖率', '众创空间面积', '区域人才总量', '外贸出口额', '城镇新增就业人数',
         '现代服务业增加值占服务业增加值比重', '每千位老人拥有机构养老床位数', '规模以上工业企业研发费用占主营业务收入比重']
number = st.integers(min_value=1, max_value=99999).map(str) | st.sampled_from(['[15]', '≤4', '7.5', '764.00', '7左右'])
row = st.tuples(st.booleans(), st.sampled_from(['经济发展', '开放发展', '城市国际化']), st.sampled_from(['预期性', '约束性']),
                st.sampled_from(['亿元', '%', '万人', '']), number, number, number | st.just(''),
                st.sampled_from(['统计局', '商务局', '跨贸小镇管委会']))
LAYOUTS = {  # header cells, and the order of a row's cells: category is carried, names wrap at 11 characters
    'attr-first': (['分类', '指标名称', '指标', '属性', '单位', '2015年', '2020年', '年均增长', '率(%)', '数据来源'],
                   ['name', 'attr', 'unit', 'base', 'target', 'growth', 'source']),
    'attr-last': (['类别', '指标名称', '单位', '2015 年', '2020 年', '年均增长', '属性'],
                  ['name', 'unit', 'base', 'target', 'growth', 'attr']),
    'no-attr': (['类别', '指标', '单位', '2015年', '2020年', '年均增长(%)'], ['name', 'unit', 'base', 'target', 'growth']),
}


@pytest.mark.parametrize('layout', sorted(LAYOUTS))
@settings(max_examples=60, deadline=None)
@given(rows=st.lists(row, min_size=2, max_size=len(NAMES)), rnd=st.randoms())
def test_generated_tables_read_back(layout, rows, rnd):
    header, order = LAYOUTS[layout]
    names = rnd.sample(NAMES, len(rows))
    cells, expected, category = list(header), [], ''
    for n, (new_group, cat, attr, unit, base, target, growth, source) in enumerate(rows):
        if new_group or n == 0:
            category = cat
            cells.append(cat)
        row_cells = {'name': [names[n][:11], names[n][11:]], 'attr': [attr], 'unit': [unit], 'base': [base],
                     'target': [target], 'growth': [growth], 'source': [source[:4], source[4:]]}
        cells += [c for key in order for c in row_cells[key] if c]
        values = {'name': names[n], 'attr': attr, 'unit': unit, 'base': base, 'target': target, 'growth': growth,
                  'source': source}
        expected.append([category] + [values[key] for key in order])
    got = recover_indicator_table([Line(c, i, c) for i, c in enumerate(cells, start=1)])
    assert got is not None and got.rows == expected
