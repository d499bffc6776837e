"""Layouts that used to cost whole paragraphs: sibling titles of one length read as a wrap width, web bodies with
titles in two clauses or a double-spaced page, a sentence ending at the margin of a wrapped paragraph, a table
followed by prose (on lines of its own, or printed inline on a web page), and a paragraph said twice."""
from __future__ import annotations

import pytest

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


def test_a_wrapped_opening_paragraph_that_names_the_plan_is_no_title():
    """The first paragraph wrapped at the margin, one of its lines naming the plan and its draft (…执行情况与…草案提):
    the body started at the line before, which holds a clause (受…委托，…), so that line is the paragraph's, not a
    second title."""
    title = '关于临江区2024年国民经济和社会发展计划执行情况与2025年国民经济和社会发展计划草案的报告'
    lines = ['受区人民政府委托，现将临江区2024年国民经济和社会发', '展计划执行情况与2025年国民经济和社会发展计划草案提',
             '请大会审议，并请区政协委员提出意见。']
    raw = '\n\n'.join([title, '临江区发展和改革局', '2025年1月14日', '各位代表：会员签到领积分好礼', *lines,
                       '一、2024年计划执行情况', BODY[0]])
    doc = parse_document(raw.encode())
    assert doc.detected_title == title
    assert ''.join(lines) in texts(doc)


def test_a_stray_blank_inside_a_heading_title_on_a_web_page_does_not_end_it():
    """A web page's heading followed by a blank and its text is split there, but a blank inside a word of the title
    (绿色低 碳) is not where the title ends."""
    from crm.plans.parsing.segment import split_inline

    sep = '\u00a0\u00a0'
    line = sep.join(['（六）坚持底线思维，着力守牢安全稳定', BODY[0], '（七）坚持绿色低 碳，着力建设美丽临江' + BODY[1],
                     '（八）坚持数字赋能 ' + BODY[2]])
    pieces = [ln.text for ln in split_inline(line, 1)]
    assert '（七）坚持绿色低碳，着力建设美丽临江' + BODY[1] in pieces
    assert '（七）坚持绿色低' not in pieces
    assert pieces[-2:] == ['（八）坚持数字赋能', BODY[2]], 'a blank after a whole title still ends it'


def test_a_heading_broken_inside_a_word_by_a_layout_of_three_blank_lines_is_joined():
    text = ('报告\n\n（一）全力推动制造业高质量发展\n\n新建标准厂房50万平方米。\n\n（二）全力提升服务业发展能\n\n\n\n'
            '级推进临河商务区二期建设，力争新增税收超千万元楼宇5幢。\n\n（三）全力建设品质城区\n\n完成老旧小区改造。\n')
    doc = parse_document(text.encode())
    assert [h.title for h in doc.headings] == ['全力推动制造业高质量发展', '全力提升服务业发展能级', '全力建设品质城区']
    assert '推进临河商务区二期建设，力争新增税收超千万元楼宇5幢。' in [p.text for p in doc.paragraphs]


def _pieces(line: str) -> list[str]:
    breaks = paragraph_breaks(line)
    return [line[a:b].strip() for a, b in zip([0] + breaks, breaks + [len(line)])]


def test_a_blank_after_a_clause_of_two_characters_does_not_end_a_title_in_two_clauses():
    """推动绿色发展，建设 + the page's blank + 美丽临江: a title's second clause of two characters is no clause (a
    verb with no object): the blank is a stray one of the same kind as the page's, and the title goes on."""
    sep = '\u00a0\u00a0'
    line = sep.join(['各位代表：', BODY[0], '第六章 推动绿色发展，建设', '美丽临江', BODY[1], BODY[2]])
    assert _pieces(line) == ['各位代表：', BODY[0], f'第六章 推动绿色发展，建设{sep}美丽临江', BODY[1], BODY[2]]


def test_a_title_carrying_an_advertisement_still_ends_at_the_pages_blank():
    """The advertisement makes the title's last clause too long to be one, but the title is judged as it stands once
    the advertisement is cut: the blank after it ends it, and the numbered heading after that is a line of its own."""
    sep = '\u3000\u3000'
    line = sep.join(['各位代表：', BODY[0], '第七章 增进民生福祉，建设品质家园直播带货速成班', '一、促进高质量充分就业', BODY[1]])
    assert _pieces(line) == ['各位代表：', BODY[0], '第七章 增进民生福祉，建设品质家园直播带货速成班', '一、促进高质量充分就业',
                             BODY[1]]


def test_a_title_with_stray_blanks_inside_it_and_its_advertisement_still_ends_at_the_pages_blank():
    """建\xa0 设 and 摸鱼日 记: blanks of another kind inside the title and inside the string appended to it are squeezed
    out before the title is judged, as they are from every line, so the page's blank after it ends it."""
    sep = '\u3000\u3000'
    title = '第七章 增进民生福祉，建\xa0 设品质家园摸鱼日 记'
    line = sep.join(['各位代表：', BODY[0], title, '一、促进高质量充分就业', BODY[1]])
    assert _pieces(line) == ['各位代表：', BODY[0], title, '一、促进高质量充分就业', BODY[1]]


def test_a_section_title_after_a_sentence_set_in_bold_is_a_line_of_its_own():
    sep = ' '
    line = sep.join(['各位代表：', f'**{BODY[0]}**', '2025年国民经济和社会发展计划草案', '一、主要预期目标', BODY[1]])
    assert _pieces(line) == ['各位代表：', f'**{BODY[0]}**', '2025年国民经济和社会发展计划草案', '一、主要预期目标',
                             BODY[1]]


def test_a_blank_before_a_figure_a_fused_title_leads_into_is_no_paragraph_break():
    """A one-line page body breaks after sentences and after a numbered title; a stray blank before a figure that the
    title's last words lead into (强度达到 + blank + 2.9%), or before a bare amount, is inside the sentence. An item's
    number after a title's blank (秩序 + blank + 17.加强…) is no amount: the title ends there."""
    body = ('全年经济运行稳中有进。 现代服务业提质扩容。 （二）创新动能持续增强研发投入强度达到 2.9%，比上年提高0.2个百分点。 '
            '（三）规范楼宇市场秩序 17.加强楼宇准入管理。新建楼宇明确主导产业定位。')
    pieces = [body[a:b].strip() for a, b in zip([0] + paragraph_breaks(body), paragraph_breaks(body) + [len(body)])]
    assert '（二）创新动能持续增强研发投入强度达到 2.9%，比上年提高0.2个百分点。' in pieces
    assert '（三）规范楼宇市场秩序' in pieces


def test_a_heading_line_that_ends_on_a_preposition_goes_on_into_the_next_line():
    """三、培育智能硬件产业以 / 北岸…为载体: a title does not end on a preposition whose object opens the next line, so
    the title ran into its text and the line was broken after 以; a title that ends on a word holding such a character
    (方向) stands."""
    text = ('报告\n\n一、壮大软件和信息服务业\n\n加快发展工业软件和信创产业。\n\n二、发展数字内容产业\n\n办好电竞邀请赛等品牌赛事。\n\n'
            '三、培育智能硬件产业以\n\n北岸智能硬件产业园为载体，重点发展智能穿戴、服务机器人和车载电子。\n\n'
            '四、完善要素保障方向\n\n着力补齐公共服务短板。\n')
    doc = parse_document(text.encode())
    assert [h.title for h in doc.headings] == ['壮大软件和信息服务业', '发展数字内容产业', '培育智能硬件产业', '完善要素保障方向']
    assert '以北岸智能硬件产业园为载体，重点发展智能穿戴、服务机器人和车载电子。' in texts(doc)


@pytest.mark.parametrize('novel', ['我的霸道王爷', '重生之商界女王'])
def test_a_string_after_a_title_leaves_the_last_character_of_a_name_the_document_says_elsewhere(novel):
    """建设美丽青 + 川 + a web novel's name: 青川 is the district's name, said on the document's other lines, so the
    cut starts after it however 川 reads next to the string."""
    text = ('报告\n\n一、坚持创新驱动，建设科创青川\n\n青川区加快建设创新平台，青川科创走廊全面贯通。\n\n'
            f'二、推动绿色发展，建设美丽青川{novel}\n\n青川区完成河道综合整治14条，青川湿地公园建成开放。\n\n'
            '三、增进民生福祉，建设幸福青川\n\n新增学位5400个。\n')
    doc = parse_document(text.encode())
    assert [h.title for h in doc.headings][1] == '推动绿色发展，建设美丽青川'
    assert [r.text for r in doc.removed if r.kind == 'spam'] == [novel]


def test_a_heading_broken_inside_a_name_the_document_writes_is_joined():
    """二、发展数字内容产业依托星湖电竞数 / 娱产业园，…: the line ends where clauses hardly ever end, and 数娱 is written
    together across the document, so the heading's line goes on into the next (the next line's start counts among
    the starts of clauses, being the start of a line)."""
    park = '星湖电竞数娱产业园'
    text = ('报告\n\n一、壮大软件和信息服务业\n\n加快发展工业软件和信创产业。\n\n二、发展数字内容产业依托星湖电竞数\n\n'
            f'娱产业园，发展电子竞技、网络视听和数字出版，办好电竞邀请赛等品牌赛事。\n\n三、培育智能硬件产业\n\n{park}内企业达到120家，{park}引进头部战队3支。\n\n'
            f'{park}举办赛事40场，{park}获评省级产业平台。\n\n{park}新增入驻企业35家，{park}营业收入增长18%。\n\n'
            '全区新建5G基站400个，新增数字化车间12个，培育专精特新企业20家，新增规上企业30家。\n')
    doc = parse_document(text.encode())
    assert [h.title for h in doc.headings] == ['壮大软件和信息服务业', '发展数字内容产业', '培育智能硬件产业']
    assert f'依托{park}，发展电子竞技、网络视听和数字出版，办好电竞邀请赛等品牌赛事。' in texts(doc)


def test_a_chapter_level_heading_copied_out_of_its_numbering_is_dropped_as_a_repeat():
    """A copied block that carried 第七节's heading along into 第九节: the heading repeats an earlier one and its number
    goes back (not to 1, where a new series starts), so it is reported as a copy and the text after it stays in
    第九节."""
    text = ('第三章 主要任务\n\n第七节 推进产业数字化\n\n推动制造业数字化转型。\n\n第八节 激活数据要素\n\n培育数据交易市场。\n\n'
            '第九节 建设数字城区\n\n第七节 推进产业数字化\n\n推进城市大脑区级平台迭代升级。\n\n第十节 夯实数字基础设施\n\n'
            '建设5G基站400个。\n')
    doc = parse_document(text.encode())
    assert [h.marker for h in doc.headings] == ['第三章', '第七节', '第八节', '第九节', '第十节']
    moved = next(p for p in doc.paragraphs if p.text.startswith('推进城市大脑'))
    assert moved.anchor.startswith('c3.j9')
    assert any(r.text == '第七节 推进产业数字化' for r in doc.duplicate_blocks)


def _wrapped(text: str, width: int = 30) -> str:
    return '\n'.join(text[i:i + width] for i in range(0, len(text), width))


def test_a_part_title_before_an_items_number_is_a_heading_and_loses_a_string_appended_to_it():
    """A report's second part (2025年…计划草案) before sections numbering from 一、 again: 一、 opens an item, not a clause
    of one character that the title's last word would run into, so the title stands and the string appended to it
    is cut."""
    text = ('报告\n\n一、经济运行\n\n' + BODY[0] + '\n\n二、民生保障\n\n' + BODY[1] + '\n\n'
            '2025年国民经济和社会发展计划草案重生之商界女王\n\n一、主要预期目标\n\n' + BODY[2] + '\n')
    doc = parse_document(text.encode())
    assert '2025年国民经济和社会发展计划草案' in [h.title for h in doc.headings]
    assert [r.text for r in doc.removed if r.kind == 'spam'] == ['重生之商界女王']
    assert BODY[2] in texts(doc)


@pytest.mark.parametrize('tail', ['', '重生之商界女王'])
def test_a_part_title_before_a_paragraph_wrapped_at_a_narrow_margin_is_a_heading(tail):
    """第一部分 … before a paragraph whose lines are cut at 30 characters: the paragraph, not its first line, tells that
    a part opens there."""
    body = BODY[0] + BODY[1] + BODY[2]
    text = ('明湖区2023年国民经济和社会发展计划执行情况\n\n'
            f'第一部分 2023年计划执行情况{tail}\n\n' + _wrapped(body) + '\n')
    doc = parse_document(text.encode())
    assert '第一部分2023年计划执行情况' in [h.title for h in doc.headings]
    assert body in texts(doc)
    assert [r.text for r in doc.removed if r.kind == 'spam'] == ([tail] if tail else [])


def test_a_chapter_heading_is_not_joined_to_a_sentence_its_last_character_forms_a_word_with():
    """第三节 发展机遇 + a string ending in 服, then 从外部环境看，…: 服从 is written together elsewhere, but joined
    to the sentence the line is no heading at all; it stays a heading, and the string is cut from its title."""
    rule = '各单位服从统一调度，服从全局安排。'
    text = ('第一章 规划背景\n\n第一节 发展现状\n\n' + BODY[0] + rule * 3 + '\n\n第二节 存在不足\n\n' + BODY[1] + '\n\n'
            '第三节 发展机遇游戏代练专属客服\n\n从外部环境看，人工智能等新技术加速突破。' + rule + '\n')
    doc = parse_document(text.encode())
    assert [h.title for h in doc.headings] == ['规划背景', '发展现状', '存在不足', '发展机遇']
    assert '从外部环境看，人工智能等新技术加速突破。' + rule in texts(doc)


def test_a_numbered_heading_copied_out_of_its_numbering_is_dropped_as_a_repeat():
    """二、重点工作安排 again inside 四、: a copied block carried the heading along; its number goes back in the series
    open, so it is reported as a copy and the text after it stays in 四、."""
    text = ('2025年计划草案\n\n一、主要预期目标\n\n地区生产总值增长6%左右。\n\n二、重点工作安排\n\n扩大有效投资。\n\n'
            '三、需要说明的几个问题\n\n收入目标综合考虑了减税因素。\n\n四、完成计划的主要措施\n\n强化项目要素保障。\n\n'
            '二、重点工作安排\n\n加强运行监测调度，建立经济运行月度分析制度。\n')
    doc = parse_document(text.encode())
    assert [h.title for h in doc.headings][-4:] == ['主要预期目标', '重点工作安排', '需要说明的几个问题', '完成计划的主要措施']
    moved = next(p for p in doc.paragraphs if p.text.startswith('加强运行监测调度'))
    assert moved.text == '加强运行监测调度，建立经济运行月度分析制度。'
    assert moved.anchor.split('.p')[0] == next(p for p in doc.paragraphs if p.text == '强化项目要素保障。').anchor.split('.p')[0]
    assert [r.text for r in doc.duplicate_blocks] == ['二、 重点工作安排']


def test_a_sibling_told_apart_by_a_repeated_year_lends_its_title_not_its_text_to_the_group():
    """二、2025年主要目标和重点工作2025年是…: the repeated year tells that title apart, and it is the title (not the
    whole line) that the group of siblings is read with, so 三、's title fused with its text is split where it ends."""
    text = ('政府工作报告\n\n一、2024年工作回顾\n\n' + BODY[0] + '\n\n'
            '二、2025年主要目标和重点工作2025年是“十四五”规划收官之年，做好今年工作意义重大。\n\n' + BODY[1] + '\n\n'
            '三、全面加强政府自身建设坚持依法行政，自觉接受区人大及其常委会的法律监督和工作监督，主动接受区政协的民主监督。'
            '深化政务公开，持续推进“高效办成一件事”。\n')
    doc = parse_document(text.encode())
    assert [h.title for h in doc.headings] == ['2024年工作回顾', '2025年主要目标和重点工作', '全面加强政府自身建设']
    assert texts(doc)[-1].startswith('坚持依法行政，自觉接受区人大')


def test_a_short_line_broken_inside_a_name_the_documents_prose_writes_is_no_title():
    """推进临河 / 商务区二期建设，…: the four characters across the break (临河商务) are written in the document's
    sentences elsewhere, so the break falls inside a name, and the two lines are one paragraph."""
    text = ('报告\n\n（一）做强现代服务业\n\n临河商务区新增税收超千万元楼宇3幢，临河商务区入驻企业增长12%。\n\n'
            '（二）全力提升服务业发展能级\n\n推进临河\n\n商务区二期建设，力争新增税收超千万元楼宇5幢。\n\n'
            '（三）全力建设品质城区\n\n发展现状\n\n完成老旧小区综合改造27个。\n')
    doc = parse_document(text.encode())
    assert '推进临河商务区二期建设，力争新增税收超千万元楼宇5幢。' in texts(doc)
    assert '推进临河' not in texts(doc)
