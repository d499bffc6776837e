"""A web page's metadata and controls (发布时间, 浏览次数, 字号, 来源, 打印本页, 关闭窗口, 上一篇/下一篇, 索引号, ICP lines,
分享到, breadcrumbs) are metadata or junk in any combination, on one line or several, never a paragraph; the date
they state is the document's date."""
from __future__ import annotations

import re
from datetime import date

import pytest

from crm.plans.parsing import parse_document
from crm.plans.parsing.junk import classify_line, stated_date

BODY = ('一、总体要求\n\n'
        '围绕建设区域性科创高地，推动创新链、产业链、资金链、人才链深度融合，力争到2027年全社会研发投入强度达到3.5%。\n\n'
        '二、主要任务\n\n'
        '实施科技企业“倍增”计划，每年新认定国家高新技术企业80家以上；支持企业建设研发机构，对新认定的省级重点企业研究院给予资助。\n')
PAGE_HEADS = {
    'one line': ['首页 > 政务公开 > 规划计划 > 专项规划',
                 '发布时间：2023-01-05 10:22:31　浏览次数：1234　字号：[大 中 小]　来源：临江区科学技术局'],
    'brackets and buttons': ['您当前的位置：首页>>信息公开>>规划计划',
                             '【发布时间:2023年1月5日】【信息来源:临江区科学技术局】【字体：大 中 小】【打印本页】【关闭窗口】'],
    'label and value on separate lines': ['当前位置：首页 › 政务公开', '发布时间：', '2023-01-05', '阅读次数', '356',
                                          '字号', '【大】【中】【小】', '分享到：微信 微博'],
    'bars from the home page': ['首页 | 政府信息公开 | 规划计划', '发布日期: 2023-01-05 10:22 点击率: 356'],
    'disclosure table': ['索引号：11330105MB1234567X/2023-00017　主题分类：综合政务', '发文机关：临江区人民政府　成文日期：2023年01月05日',
                         '文号：临政发〔2023〕3号　有效性：有效'],
}
PAGE_FEET = ['上一篇：关于印发临江区数字经济高质量发展三年行动计划的通知', '下一篇：无',
             '【打印本页】　【关闭窗口】', '分享到：', '主办：临江区人民政府办公室　浙ICP备05012345号-1　浙公网安备 33010502000123号',
             '网站标识码：3301050001　版权所有 © 临江区人民政府']
TITLE = '临江区科技创新发展三年行动计划（2024—2026年）'


@pytest.mark.parametrize('case', sorted(PAGE_HEADS))
def test_page_metadata_and_controls_never_become_paragraphs(case):
    clean = parse_document(TITLE + '\n\n' + BODY)
    page = '\n'.join(PAGE_HEADS[case]) + '\n' + TITLE + '\n\n' + BODY + '\n' + '\n'.join(PAGE_FEET) + '\n'
    doc = parse_document(page)
    assert [(p.anchor, p.text) for p in doc.paragraphs] == [(p.anchor, p.text) for p in clean.paragraphs]
    assert doc.detected_title == TITLE
    assert stated_date(doc.metadata) == date(2023, 1, 5)
    kinds = {_spaced(r.text): r.kind for r in doc.removed}
    assert all(kinds.get(_spaced(line)) in ('metadata', 'navigation') for line in PAGE_HEADS[case] + PAGE_FEET)


def _spaced(text: str) -> str:
    return re.sub(r'\s+', ' ', text).strip()


def test_the_pairs_are_read_into_metadata():
    doc = parse_document('\n'.join(PAGE_HEADS['one line'] + PAGE_HEADS['disclosure table']) + '\n\n' + BODY)
    assert doc.metadata['发布时间'] == '2023-01-05 10:22:31'
    assert doc.metadata['浏览次数'] == '1234' and doc.metadata['来源'] == '临江区科学技术局'
    assert doc.metadata['文号'] == '临政发〔2023〕3号' and doc.metadata['发文机关'] == '临江区人民政府'
    assert stated_date(doc.metadata) == date(2023, 1, 5)
    split = parse_document('\n'.join(PAGE_HEADS['label and value on separate lines']) + '\n\n' + BODY)
    assert split.metadata['发布时间'] == '2023-01-05' and split.metadata['阅读次数'] == '356'


def test_the_written_date_wins_over_the_publishing_date():
    assert stated_date({'发布时间': '2023-02-01 09:00', '成文日期': '2023年01月05日'}) == date(2023, 1, 5)
    assert stated_date({'更新时间': '2023/3/9'}) == date(2023, 3, 9)
    assert stated_date({'来源': '临江区'}) is None and stated_date({'发布日期': '2023-02-30'}) is None


@pytest.mark.parametrize('line', ['单位：亿元', '时间：2024年3月至6月', '数据来源：区统计局', '方式：线上线下相结合',
                                  '到2025年，研发投入强度>3%，高新技术企业达到500家。',
                                  '城乡居民基本养老保险参保率(%)\t70\t>95\t—\t约束性', '| 指标名称 | 单位 | 属性 |',
                                  '首页经济 | 新业态'])
def test_text_that_merely_looks_like_a_label_stays(line):
    assert classify_line(line) is None


def test_a_news_release_under_a_path_of_bars_keeps_its_headline_and_issuer():
    """A path from the home page split by bars is navigation, not the title (its 规划 names no document): the
    headline, the issuer and the date below it are read as they are without it."""
    head = '星河区数字内容产业园二期开园 打造数字内容产业新高地\n\n星河区融媒体中心\n\n2025年9月12日\n\n'
    body = '9月11日，星河区数字内容产业园二期正式开园，首批入驻企业43家。\n\n一、产业集聚效应持续显现\n\n园区企业营业收入增长47%。\n'
    clean = parse_document(head + body)
    doc = parse_document('首页 | 政府信息公开 | 发展规划\n\n' + head + body)
    assert doc.detected_title == clean.detected_title == '星河区数字内容产业园二期开园打造数字内容产业新高地'
    assert doc.metadata.get('issuer') == '星河区融媒体中心'
    assert [h.title for h in doc.headings] == [h.title for h in clean.headings] == ['产业集聚效应持续显现']
    assert [p.text for p in doc.paragraphs] == [p.text for p in clean.paragraphs]
