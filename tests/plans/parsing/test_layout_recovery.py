"""Layouts that used to cost whole paragraphs: sibling titles of one length read as a wrap width, web bodies with
titles in two clauses or a double-spaced page, a sentence ending at the margin of a wrapped paragraph, a table
followed by prose (on lines of its own, or printed inline on a web page), and a paragraph said twice."""
from __future__ import annotations

from crm.plans.parsing import parse_document
from crm.plans.parsing.segment import find_web_items, paragraph_breaks, raw_lines

BODY = ('完成老旧小区综合改造27个，加装电梯180台。西塘河综合整治工程全面完工，新建口袋公园15个、绿道22公里。',
        '十方面民生实事全面完成。城镇新增就业2.1万人，城镇调查失业率控制在5%以内。新开办学校4所，新增学位5400个。',
        '营商环境持续优化，企业开办、不动产登记等高频事项实现“一件事”集成办理，新设经营主体2.3万户。')


def texts(doc) -> list[str]:
    return [p.text for p in doc.paragraphs]


def test_sibling_titles_of_one_length_on_their_own_lines_stay_titles():
    # six (一) titles of 18 characters: their common length is no wrap width
    titles = [f'（{n}）聚力{a}，{b}' for n, a, b in zip('一二三四五六', ('城市更新', '民生实事', '改革开放', '科技创新', '安全稳定', '绿色低碳'),
                                                   ('城区品质加快提升', '民生福祉持续增进', '发展活力竞相迸发', '创新动能不断增强',
                                                    '社会治理扎实有效', '生态环境持续改善'))]
    bodies = [f'全年完成第{n}类重点任务，相关指标均达到年度目标。' for n in range(1, 7)]
    body = '\n\n'.join(f'{t}\n\n{p}' for t, p in zip(titles, bodies))
    doc = parse_document(f'一、2024年工作回顾\n\n{body}\n'.encode())
    assert {len(t) for t in titles} == {18}
    assert [h.title for h in doc.headings if h.marker.startswith('（')] == [t[3:] for t in titles]
    assert texts(doc) == bodies


def test_web_body_breaks_after_a_title_in_two_clauses_and_a_section_title():
    sep = '\u3000\u3000'
    body = sep.join(['各位代表：', '现在，我代表区人民政府向大会报告工作。', '2024年国民经济和社会发展计划执行情况',
                     BODY[0], '第三章 坚持创新驱动，建设科创新城', '一、打造高能级创新平台', BODY[1]])
    line = raw_lines(body)[0].text
    pieces = [line[a:b].strip() for a, b in zip([0] + paragraph_breaks(line), paragraph_breaks(line) + [len(line)])]
    assert pieces == ['各位代表：', '现在，我代表区人民政府向大会报告工作。', '2024年国民经济和社会发展计划执行情况', BODY[0],
                      '第三章 坚持创新驱动，建设科创新城', '一、打造高能级创新平台', BODY[1]]


def test_articles_of_a_double_spaced_page_are_found():
    article = '\n\n'.join(['-', '江州市明湖区招商动态', '　　'.join(BODY * 2), '2025-03-27'])
    lines = raw_lines(article + '\n\n' + article.replace('招商动态', '项目动态'))
    assert find_web_items(lines) is not None and len(find_web_items(lines)) == 2


def test_a_sentence_ending_at_the_margin_does_not_end_the_paragraph():
    # lines cut where the first sentence ends, right below each other; paragraphs parted by a blank line
    paragraphs = [BODY[0] + BODY[1], BODY[2] + BODY[1], '新增城镇就业2.2万人，新建托育机构10家，新增普惠性托位600个。']
    width = paragraphs[0].index('。') + 1
    lines = []
    for p in paragraphs:
        lines += [p[i:i + width] for i in range(0, len(p), width)] + ['']
    assert lines[0].endswith('。') and lines[1]
    assert texts(parse_document('\n'.join(lines).encode())) == paragraphs


def test_prose_after_a_table_of_cells_is_a_paragraph():
    cells = ['表1 主要目标', '指标名称', '单位', '2024年', '2027年目标', '园区企业营业收入', '亿元', '126', '260',
             '入驻企业数量', '家', '278', '500', '从业人员', '万人', '1.1', '2']
    after = '据介绍，到2027年，园区力争实现营业收入260亿元，集聚企业500家。'
    doc = parse_document(('\n\n'.join(cells) + '\n\n' + after[:24] + '\n' + after[24:] + '\n').encode())
    assert after in texts(doc)


def test_a_table_printed_inline_on_a_web_page_ends_where_prose_begins():
    # the caption stands apart (it reads as a section title); its cells and the prose after them share the line
    cells = '指标名称 单位 2024年 2027年目标 园区企业营业收入 亿元 126 260 入驻企业数量 家 278 500'
    after = '据介绍，到2027年，园区力争实现营业收入260亿元，集聚企业500家。'
    body = ' '.join([BODY[0], BODY[1], '表1 明湖区招商引资主要目标', cells, after, BODY[2]])
    page = '\n'.join(['-', '江州市明湖区招商动态', body, '2025-03-27', '-', '江州市明湖区项目动态', body, '2025-03-28'])
    doc = parse_document(page.encode())
    assert after in texts(doc) and BODY[2] in texts(doc)
    table = doc.tables[0]
    assert table.header == ['指标名称', '单位', '2024年', '2027年目标']
    assert table.rows == [['园区企业营业收入', '亿元', '126', '260'], ['入驻企业数量', '家', '278', '500']]


def test_a_paragraph_said_twice_keeps_its_first_copy_and_reports_the_other():
    # a list item too short for the stream alignment to call a copy, said again (half-width punctuation) further on
    item = '——城镇新增就业2.5万人以上，城镇调查失业率控制在5.5%以内。'
    text = '\n'.join(['一、工作回顾', BODY[0], item, BODY[1], item.replace('，', ','), BODY[2], '各位代表：',
                     '各位代表：'])
    doc = parse_document(text.encode())
    assert texts(doc) == [BODY[0], item, BODY[1], BODY[2], '各位代表：', '各位代表：']
    assert [(r.text, r.line) for r in doc.duplicate_blocks] == [(item.replace('，', ','), 5)]
    assert doc.duplicate_blocks[0].reason == 'same text as the paragraph of line 3'
