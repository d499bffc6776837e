"""Numbered titles fused with their text where the siblings do not share one length: two siblings only, a text
that opens with a short sentence, a title the document prints on a line of its own elsewhere, and titles drawn
to the length of the nearest sibling standing alone, and a title that ends in a phrase closing clauses
(稳定有序) though its first two characters also end them (稳定) and its last two also start them (有序推进); a title
that ends where the reference prose opens a sentence (明确|据了解), and never inside a word (持续增|强)."""
from __future__ import annotations

from crm.plans.parsing import CorpusStats, parse_document
from crm.plans.parsing.build import standalone_titles
from crm.plans.parsing.runin import _candidates, is_fused_group, split_parallel

PROSE = CorpusStats.of([
    '加快培育数字产业，推进智能化改造，建设物流园区。', '完善公共服务，提升城市品质，促进文化旅游融合。',
    '优化营商环境，推进改革开放，扩大有效投资。', '公共服务体系不断完善，城市功能持续完善。', '全年新增市场主体一万户，增长百分之十。',
])


def headings(doc, opener: str) -> list[str]:
    return [h.title for h in doc.headings if h.marker.startswith(opener)]


def test_two_siblings_whose_titles_run_into_their_text_are_a_group():
    long = '推进智能制造和数字产业协同发展，全年新增规模以上工业企业三十家，工业投资增长百分之八。'
    assert is_fused_group(['培育新兴产业' + long, '提升城市品质' + long])
    assert not is_fused_group(['培育新兴产业。全年新增企业三十家。', '提升城市品质。完成改造十个。'])


def test_in_a_fused_group_a_full_stop_closes_the_text_first_sentence_not_the_title():
    # the third sibling opens its text with a short sentence: its title still ends before it
    texts = ['产业转型步伐加快', '数字产业加快培育全年新增规模以上工业企业三十家，工业投资增长百分之八。',
             '城市功能持续完善城市品质提升。完成老旧小区改造十个。']
    ends = split_parallel(texts, PROSE, [True, False, False])
    assert ends is not None and [t[:k] for t, k in zip(texts[1:], ends[1:])] == ['数字产业加快培育', '城市功能持续完善']


def test_fused_titles_follow_the_nearest_title_standing_alone():
    texts = ['产业转型步伐加快', '改革开放持续深化推进改革，扩大开放，全年新增市场主体一万户。',
             '城市功能完善推进改革，完成老旧小区改造十个，建设口袋公园五个。']
    ends = split_parallel(texts, PROSE, [True, False, False])
    assert ends is not None and [t[:k] for t, k in zip(texts, ends)] == ['产业转型步伐加快', '改革开放持续深化', '城市功能完善']


def test_a_title_on_a_line_of_its_own_in_a_second_copy_splits_the_fused_one():
    body = ('一、总体要求坚持稳中求进，聚焦高质量发展，突出项目建设和产业提升，全力推动经济持续回升向好。\n\n'
            '二、重点任务全年安排重点项目一百个，年度计划投资三百亿元以上，力争新开工项目四十个。\n\n')
    copy = ('一、总体要求\n\n坚持稳中求进，聚焦高质量发展，突出项目建设和产业提升，全力推动经济持续回升向好。\n\n'
            '二、重点任务\n\n全年安排重点项目一百个，年度计划投资三百亿元以上，力争新开工项目四十个。\n\n')
    doc = parse_document((body + '——\n\n' + copy).encode())
    assert headings(doc, '一')[:1] == ['总体要求'] and headings(doc, '二')[:1] == ['重点任务']
    assert doc.paragraphs[0].text.startswith('坚持稳中求进')
    assert [h.title for h in standalone_titles(['一、总体要求', '坚持稳中求进。', '二、重点任务'])] == ['总体要求', '重点任务']


def test_a_wrapped_first_line_is_no_title_standing_alone():
    text = ('一、总体要求坚持稳中求进聚焦高质量发展突出项目建设和产业提升全力推动经济持续回升向好全面推进各项工作落实落细'
            '确保全年目标任务顺利完成实现经济社会发展主要预期目标全面推进各项工作落实落细确保全年目标任务顺利完成') * 2
    lines = [text[i:i + 18] for i in range(0, len(text), 18)]
    assert lines[0].startswith('一、总体要求') and len(lines) >= 7
    assert standalone_titles(lines) == []


def wrapped(paragraphs: list[str], width: int) -> str:
    """A PDF export: every paragraph cut at `width` printed characters, a blank line after every line."""
    lines = []
    for p in paragraphs:
        lines += [p[i:i + width] for i in range(0, len(p), width)]
    return '\n\n'.join(lines) + '\n'


SPACED = ['全年实现地区生产总值一千亿元，按可比价计算增长百分之六。其中，第三产业增加值增长百分之七，占比达到七成。',
          '新设经营主体 2.9 万户，增长百分之十二。实际利用外资四亿美元，完成年度目标。外贸进出口总额增长百分之八，跨境电商快速发展。',
          '城镇新增就业两万人，发放各类就业补贴一亿元。新增学位四千个，区第二人民医院改扩建工程完工，养老服务持续改善。',
          '推进城市更新，完成老旧小区改造三十个，新建口袋公园十五个、绿道二十公里，城市面貌明显改善。',
          '深化营商环境改革，推行企业开办一件事集成办理，压缩审批时限，全年为企业减负五亿元，市场活力持续增强，新增上市企业三家。',
          '加快数字经济发展，培育软件和信息服务企业，建设智能算力中心，推动制造业企业数字化改造全覆盖，数字经济核心产业增加值增长一成。']


def test_a_sentence_ending_exactly_at_the_margin_of_a_spaced_layout_goes_on():
    width = SPACED[0].index('。') + 1  # the first line ends its sentence exactly at the margin
    doc = parse_document(wrapped(SPACED, width).encode())
    assert [p.text.replace(' ', '') for p in doc.paragraphs] == [p.replace(' ', '') for p in SPACED]


def test_an_article_after_a_line_full_to_the_margin_starts_a_paragraph():
    first = '第一条 支持创新平台建设。对新认定的重点实验室给予一次性奖励，最高五百万元。'
    width = len(first)
    second = '第二条 支持算力资源使用。设立算力券，对企业租用区内智能算力按实际费用给予补贴，单个企业每年最高一百万元。'
    doc = parse_document(wrapped([first, second] + SPACED, width).encode())
    texts = [p.text.replace(' ', '') for p in doc.paragraphs]
    assert texts[:2] == [first.replace(' ', ''), second.replace(' ', '')]


def test_a_title_does_not_end_between_two_words_that_close_it_together():
    texts = ['过去一年的工作二〇二三年全区上下坚决贯彻上级决策部署，经济社会发展稳中向好。',
             '明年工作安排今年经济社会发展的主要预期目标是：地区生产总值增长百分之六左右。',
             '加强政府自身建设我们将始终把讲政治摆在首位，坚持依法行政，不断提高政府执行力。']
    ends = split_parallel(texts, PROSE)
    assert ends is not None and texts[1][:ends[1]] == '明年工作安排'


def test_two_siblings_sharing_a_character_by_chance_do_not_fix_where_titles_end():
    # both texts carry 业 as their seventh character: no common wording of the titles, a coincidence
    texts = ['做强先进制造业智能装备产业发展提速，重点发展工业机器人和高端数控机床，产业规模达到九百亿元。',
             '提升现代服务业推进楼宇经济提质增效，实施存量楼宇更新改造计划，新增商务楼宇八十万平方米。']
    assert texts[0][6] == texts[1][6] == '业'
    ends = split_parallel(texts, PROSE)
    assert ends is not None and ends[1] == 7 and texts[1][:7] == '提升现代服务业'  # not pushed past the shared 业


def test_next_to_a_title_on_its_own_line_a_short_first_sentence_is_no_run_in_title():
    stopped = '做强先进制造业智能装备产业。依托经济开发区，重点发展工业机器人，产业规模达到九百亿元。'
    assert not is_fused_group([stopped, '提升现代服务业'], [False, True])
    assert is_fused_group([stopped, '提升现代服务业'], [False, True], alone=True)
    ends = split_parallel([stopped, '提升现代服务业'], PROSE, [False, True])
    assert ends is not None and abs(ends[0] - len('提升现代服务业')) <= 1  # a sibling's length, not the first sentence


def test_a_numbered_item_after_a_short_line_starts_on_its_own():
    text = ('二、主要任务\n\n围绕年度目标，重点推进以下工作\n\n1.抓实项目攻坚。安排重点项目一百个，年度计划投资三百亿元以上。\n\n'
            '2.做强产业集群。实施智能制造产业集群倍增计划，招引生物医药项目十五个以上。\n')
    doc = parse_document(text.encode())
    assert '抓实项目攻坚' in headings(doc, '1')
    assert [p.text for p in doc.paragraphs][:2] == ['围绕年度目标，重点推进以下工作', '安排重点项目一百个，年度计划投资三百亿元以上。']


def test_a_line_broken_inside_a_word_is_joined_not_read_as_a_title():
    rest = '，发展电子竞技、网络视听和数字出版，办好品牌赛事。支持原创内容生产，培育营业收入超亿元的数字内容企业。'
    doc = parse_document(f'一、数字文化\n\n依托星湖电竞产业\n\n园{rest}\n'.encode())
    assert [p.text for p in doc.paragraphs] == [f'依托星湖电竞产业园{rest}']


def test_a_paragraph_ending_at_the_margin_before_a_lead_sentence_ends_there():
    first = '加强运行监测调度。建立经济运行月度分析制度，及时研究对策。'
    second = '落实财政金融政策。统筹用好地方政府专项债券，争取上级资金不少于二十亿元，撬动社会资本投向先进制造业。'
    doc = parse_document(wrapped([first, second] + SPACED, len(first)).encode())
    assert [p.text.replace(' ', '') for p in doc.paragraphs][:2] == [first, second]


PHRASES = CorpusStats.of([
    '保持经济稳定，有序推进城市更新，有序开展老旧小区改造。', '确保物价稳定，有序推进改革，安全生产形势总体平稳。',
    '社会治理稳定有序，矛盾纠纷有效化解。', '市场秩序稳定有序，群众安全感持续提升。', '生产生活稳定有序，重点项目加快推进。',
    '城乡面貌深刻变化，城市功能持续完善。', '交通运行稳定有序。', '供应保障稳定有序，安全生产责任全面落实。',
])


def test_a_fused_title_ends_after_a_phrase_that_closes_clauses():
    texts = ['城乡面貌变化', '社会治理稳定有序安全生产形势总体平稳，矛盾纠纷调处化解率达到百分之九十。']
    ends = split_parallel(texts, PHRASES, [True, False])
    assert ends is not None and texts[1][:ends[1]] == '社会治理稳定有序'
    assert PHRASES.phrase_ends('稳定有序') > PHRASES.ends('有序')



def test_a_fused_title_ends_where_the_reference_prose_opens_a_sentence():
    # a news release's paragraph opens with 据了解 or 近年来, words the plan corpus barely holds: the title does not
    # run on into them to reach its sibling's length
    texts = ['园区配套日益完善', '招商方向明确据了解，今年全区计划引进亿元项目三十个。',
             '服务效能提升近年来，全区坚持把优化服务作为重点工作。']
    ends = split_parallel(texts, PROSE, [True, False, False])
    assert ends is not None and [t[:k] for t, k in zip(texts[1:], ends[1:])] == ['招商方向明确', '服务效能提升']


def test_a_fused_title_does_not_end_inside_a_word():
    # 持续增|强: the break would fall inside 增强, a word of general Chinese
    texts = ['园区配套日益完善', '群众获得感持续增强十项惠民工程全部完成，新增学位三千个。',
             '城市面貌焕然一新五个片区改造全面完成，新建公园六个。']
    ends = split_parallel(texts, PROSE, [True, False, False])
    assert ends is not None and [t[:k] for t, k in zip(texts[1:], ends[1:])] == ['群众获得感持续增强', '城市面貌焕然一新']




def test_a_title_does_not_end_on_a_preposition_whose_object_is_the_figure_after_it():
    """一、总体目标到 2027 年，… : 到 takes the year as its object, so no title ends on it, whether a space or nothing
    stands between the title and its text, and the paragraph keeps it."""
    body = '全区商务楼宇总面积达到600万平方米，楼宇经济税收占全区税收总额的比重达到45%以上。'
    assert [k for k, _ in _candidates(f'总体目标到2027年，{body}', 0, PROSE, 0)] == [4]
    doc = parse_document(f'意见\n\n一、总体目标到 2027 年，{body}\n\n二、重点任务\n\n推进楼宇提质增效。\n'.encode())
    assert headings(doc, '一') == ['总体目标']
    assert doc.paragraphs[1].text == f'到2027年，{body}'


def test_a_title_that_could_end_in_two_places_takes_the_length_most_of_its_siblings_share():
    """Four of six parallel titles end after fifteen characters; the first could end after eleven (经济运行) or
    fifteen (持续向好) about as likely: the group's length decides. A group with no length most share keeps its ends,
    and so does a title that would cost clearly more at the group's length."""
    from crm.plans.parsing.runin import _agreed_length

    texts = ['聚力稳进提质，经济运行持续向好扎实开展项目攻坚年活动', '聚力创新驱动，发展动能不断增强全社会研发投入增长',
             '聚力城市更新，城区品质加快提升完成老旧小区综合改造', '聚力民生实事，群众获得感持续增强十方面民生实事全面完成',
             '聚力改革开放，发展活力竞相迸发', '聚力安全稳定，社会治理扎实有效深入开展安全生产治本攻坚']
    # each place a title may end, with its cost (the length of the sibling standing alone counted in)
    options = [[(11, 8.2), (15, 8.2)], [(15, 3.0)], [(15, 2.0)], [(12, 8.0), (15, 8.5)], [(15, 0.0)], [(15, 4.0)]]
    assert _agreed_length(texts, [11, 15, 15, 12, 15, 15], options) == [15, 15, 15, 15, 15, 15]
    assert _agreed_length(texts[:4], [11, 15, 12, 13], options[:4]) == [11, 15, 12, 13]
    # a title whose other end costs clearly more keeps its own length (全力推动制造业高质量发展 among titles of eight)
    clear = [[(11, 6.2), (15, 8.7)]] + options[1:]
    assert _agreed_length(texts, [11, 15, 15, 12, 15, 15], clear) == [11, 15, 15, 15, 15, 15]


def test_a_title_does_not_end_right_before_an_amount():
    """A text opens with a date (2024年，… 3月27日上午，…), never with a bare quantity: a break before 1182亿元 is
    inside the text's first sentence, whether the title runs into it or a stray blank stands there."""
    from crm.plans.parsing.segment import split_inline

    text = '经济运行总体平稳全年实现地区生产总值1182亿元，增长6.8%。'
    assert 18 not in [k for k, _ in _candidates(text, 0, PROSE, 0)]
    assert 8 in [k for k, _ in _candidates(text, 0, PROSE, 0)]
    assert [ln.text for ln in split_inline('一、经济运行总体平稳全年实现地区生产总值 1182亿元，增长6.8%，增速居全市前列。', 1)] \
        == ['一、经济运行总体平稳全年实现地区生产总值1182亿元，增长6.8%，增速居全市前列。']
    assert [ln.text for ln in split_inline('一、发展基础 2024年，全区实现地区生产总值1182亿元，增长6.8%。', 1)] \
        == ['一、发展基础', '2024年，全区实现地区生产总值1182亿元，增长6.8%。']
