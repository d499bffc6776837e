"""Targets in every common form: absolute values, growth, shares, counts, ranges and comparators, in prose and in
indicator tables, each with the sentence it comes from."""
from __future__ import annotations

import pytest

from crm.plans.parsing import parse_document
from crm.plans.parsing.extract import find_targets, is_target_statement


def _targets(doc, source: str | None = None):
    return [t for p in doc.paragraphs for t in p.targets if source is None or t.source == source]


def _one(sentence: str):
    found = find_targets(sentence)
    assert len(found) == 1, found
    t = found[0]
    return t.kind, t.metric, t.comparator, t.value, t.unit


# --- the seed documents: targets that were missed ----------------------------------------------------------------

def test_000_share_of_another_figure_without_a_verb(docs):
    """到“十三五”末,公办及普惠性民办园在园幼儿数占全区幼儿总数的75%以上。 sets a target though no verb acts."""
    share = [t for t in _targets(docs['000']) if t.metric.endswith('占全区幼儿总数')]
    assert len(share) == 1
    t = share[0]
    assert (t.value, t.unit, t.comparator, t.year, t.kind) == ('75', '%', '以上', 2020, 'share')
    assert t.text == '到“十三五”末,公办及普惠性民办园在园幼儿数占全区幼儿总数的75%以上。'
    paragraph = next(p for p in docs['000'].paragraphs if t in p.targets)
    assert paragraph.citation_path.startswith('第八章') and t.text in paragraph.text


def test_003_targets_of_the_year_ahead_without_a_verb(docs):
    """Under 2024年…主要目标和工作举措, `——全社会R&D经费投入相当于地区生产总值比重10%左右。` is a share target and
    `——地区生产总值增长6.0%;` a growth target, both for 2024, though neither sentence has a verb or a year."""
    targets = {t.metric: t for t in _targets(docs['003'], 'text')}
    share = targets['全社会R&D经费投入相当于地区生产总值比重']
    assert (share.value, share.unit, share.comparator, share.year, share.kind) == ('10', '%', '左右', 2024, 'share')
    growth = targets['地区生产总值增长']
    assert (growth.value, growth.unit, growth.year, growth.kind) == ('6.0', '%', 2024, 'growth')
    assert targets['新引进人才数'].year == 2024 and targets['新引进人才数'].unit == '万人'
    review = [t for t in _targets(docs['003'], 'text') if t.year == 2023]
    assert not review  # the 2023 part reports results: nothing there is a target


def test_004_counts_in_ten_thousands(docs):
    targets = _targets(docs['004'], 'text')
    talent = [t for t in targets if (t.value, t.unit) == ('250', '万人')]
    assert talent and talent[0].metric == '人才总量' and talent[0].kind == 'count'  # was `人才`
    firms = [t for t in targets if (t.value, t.unit) == ('2', '万家')]
    assert firms and firms[0].comparator == '以上' and firms[0].year == 2020  # 培育科技型小微企业2万家以上: was missed
    assert firms[0].metric == '培育科技型小微企业'


def test_table_counts_keep_their_unit(docs):
    """`4.0万人` in a cell and `[85]` in the growth column of a row in 万人 are 万人, not bare numbers."""
    talent = next(t for t in _targets(docs['003'], 'table') if t.metric == '新引进人才数')
    assert (talent.value, talent.unit, talent.kind) == ('4.0', '万人', 'count')
    jobs = next(t for t in _targets(docs['004'], 'table') if t.metric == '新增城镇就业人数累计增长')
    assert (jobs.value, jobs.unit, jobs.year) == ('85', '万人', 2020)
    friends = next(t for t in _targets(docs['004'], 'table') if t.metric == '国际友好城市累计增长')
    assert (friends.value, friends.unit) == ('5', '个')


def test_a_cell_with_a_floor_and_a_stretch_goal_gives_both(docs):
    gdp = [t for t in _targets(docs['003'], 'table') if t.metric == '地区生产总值']
    assert [(t.comparator, t.value, t.unit) for t in gdp] == [('确保', '5.0', '%'), ('力争', '5.5', '%')]


def test_seed_targets_have_a_kind_and_their_sentence(docs):
    for doc in docs.values():
        for p in doc.paragraphs:
            for t in p.targets:
                assert t.kind in ('growth', 'share', 'count', 'rate', 'amount'), t
                assert t.text and (t.text in p.text or t.source == 'table'), t
    kinds = {t.kind for doc in docs.values() for t in _targets(doc)}
    assert kinds == {'growth', 'share', 'count', 'rate', 'amount'}


# --- every common form -------------------------------------------------------------------------------------------

@pytest.mark.parametrize('sentence, expected', [
    ('到2030年，一般公共预算收入达到130亿元以上。', ('amount', '一般公共预算收入', '以上', '130', '亿元')),
    ('地区生产总值年均增长6%左右。', ('growth', '地区生产总值年均增长', '左右', '6', '%')),
    ('力争生物医药产业规模年均增长12%以上。', ('growth', '力争生物医药产业规模年均增长', '以上', '12', '%')),
    ('数字经济核心产业增加值占地区生产总值比重达到15%。',
     ('share', '数字经济核心产业增加值占地区生产总值比重', '达到', '15', '%')),
    ('到2030年，公办幼儿园在园幼儿占全区在园幼儿总数的70%以上。',
     ('share', '公办幼儿园在园幼儿占全区在园幼儿总数', '以上', '70', '%')),
    ('护理型床位占比提高到65%。', ('share', '护理型床位占比', '提高到', '65', '%')),
    ('五年累计新增城镇就业10万人以上。', ('count', '五年累计新增城镇就业', '以上', '10', '万人')),
    ('税收超亿元楼宇达到25幢。', ('count', '税收超亿元楼宇', '达到', '25', '幢')),
    ('新认定高新技术企业100家以上。', ('count', '新认定高新技术企业', '以上', '100', '家')),
    ('新增公共停车泊位3000个。', ('count', '新增公共停车泊位', '', '3000', '个')),
    ('力争新建省级以上创新平台6个。', ('count', '力争新建省级以上创新平台', '', '6', '个')),
    ('每年实施重点科技攻关项目20项。', ('count', '每年实施重点科技攻关项目', '', '20', '项')),
    ('新增商务楼宇80万平方米。', ('amount', '新增商务楼宇', '', '80', '万平方米')),
    ('新增分布式光伏装机容量15万千瓦。', ('amount', '新增分布式光伏装机容量', '', '15', '万千瓦')),
    ('力争培育5家全过程咨询总部企业。', ('count', '力争培育全过程咨询总部企业', '', '5', '家')),
    ('研究与试验发展经费支出占地区生产总值的比重不低于3.5%。',
     ('share', '研究与试验发展经费支出占地区生产总值的比重', '不低于', '3.5', '%')),
    ('数智谷年营业收入超过600亿元。', ('amount', '数智谷年营业收入', '超过', '600', '亿元')),
    ('城镇调查失业率控制在5.5%以内。', ('rate', '城镇调查失业率', '以内', '5.5', '%')),
    ('到2027年，全区税收超千万元楼宇力争60幢。', ('count', '全区税收超千万元楼宇', '力争', '60', '幢')),
])
def test_forms(sentence, expected):
    assert _one(sentence) == expected


@pytest.mark.parametrize('sentence, expected', [
    ('城乡居民人均可支配收入年均增长6%—7%。', ('growth', '城乡居民人均可支配收入年均增长', '', '6-7', '%')),
    ('社会消费品零售总额年均增长5%至7%。', ('growth', '社会消费品零售总额年均增长', '', '5-7', '%')),
    ('每年新增产业用地800—1000亩。', ('amount', '每年新增产业用地', '', '800-1000', '亩')),
    ('招引区域总部20-30家左右。', ('count', '招引区域总部', '左右', '20-30', '家')),
    ('引导基金规模达到10至15亿元。', ('amount', '引导基金', '达到', '10-15', '亿元')),
])
def test_ranges(sentence, expected):
    assert _one(sentence) == expected


def test_the_subject_carries_over_to_the_next_value():
    found = find_targets('到2030年，地区生产总值年均增长6%左右，力争突破1700亿元。')
    assert [(t.metric, t.comparator, t.value, t.unit, t.kind, t.year) for t in found] == [
        ('地区生产总值年均增长', '左右', '6', '%', 'growth', 2030), ('地区生产总值', '突破', '1700', '亿元', 'amount', 2030)]
    found = find_targets('研发投入强度达到3.0%，比上年提高0.1个百分点。')
    assert [(t.metric, t.value, t.unit) for t in found] == [('研发投入强度', '3.0', '%'),
                                                           ('研发投入强度比上年提高', '0.1', '个百分点')]


def test_a_metric_never_holds_the_value_before_it():
    found = find_targets('新建中小学3所、幼儿园5所，新增学位4000个。')
    assert [(t.metric, t.value, t.unit) for t in found] == [('新建中小学', '3', '所'), ('幼儿园', '5', '所'),
                                                           ('新增学位', '4000', '个')]


def test_years_and_periods_are_not_values():
    assert find_targets('2015—2020年，完成投资。') == []
    assert [t.value for t in find_targets('“十四五”期间，新增绿地160万平方米。')] == ['160']


def test_target_statements_look_ahead():
    assert is_target_statement('到2025年,全区幼儿园优质学前教育资源覆盖率90%以上。')
    assert not is_target_statement('2023年,全区地区生产总值增长6.5%。')
    assert not is_target_statement('“十二五”期间,服务业增加值占地区生产总值比重达到94.25%。', retrospective=True)
    assert is_target_statement('到2020年,全口径税收超亿元楼宇达到56幢。', retrospective=True)


def test_every_form_with_sentence_and_citation_in_a_document():
    text = ('青川区发展规划纲要\n\n第一章 发展目标\n\n'
            '到2030年，地区生产总值年均增长6%左右，一般公共预算收入达到130亿元以上，'
            '数字经济核心产业增加值占地区生产总值比重达到15%。\n\n'
            '二、民生保障\n\n五年累计新增城镇就业10万人以上，城乡居民人均可支配收入年均增长6%—7%。\n\n'
            '表1 主要指标\n指标名称\t单位\t2025年\t2030年\t年均增长(%)\n'
            '地区生产总值\t亿元\t1260\t1700\t6左右\n城镇新增就业人数\t万人\t9.6\t[10]\t—\n'
            '数字经济核心产业增加值占地区生产总值比重\t%\t11.2\t15\t[3.8]\n')
    doc = parse_document(text.encode('gb18030'))
    found = {(t.source, t.kind, t.metric, t.value, t.unit): p.citation_path for p in doc.paragraphs for t in p.targets}
    assert found[('text', 'growth', '地区生产总值年均增长', '6', '%')] == '第一章 第1段'
    assert ('text', 'share', '数字经济核心产业增加值占地区生产总值比重', '15', '%') in found
    assert found[('text', 'count', '五年累计新增城镇就业', '10', '万人')] == '第一章 二、 第1段'
    assert ('text', 'growth', '城乡居民人均可支配收入年均增长', '6-7', '%') in found
    assert ('table', 'amount', '地区生产总值', '1700', '亿元') in found
    assert ('table', 'growth', '地区生产总值年均增长', '6', '%') in found
    assert ('table', 'count', '城镇新增就业人数', '10', '万人') in found
    assert ('table', 'share', '数字经济核心产业增加值占地区生产总值比重', '15', '%') in found
