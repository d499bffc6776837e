"""Repeated text found by content: copies wrapped, spaced and punctuated differently, or carrying junk the other
copy lacks, are dropped and reported; passages a document legitimately says twice are kept."""
from __future__ import annotations

import random
import re

import pytest
from conftest import FIXTURES, seed_bytes

from crm.plans.parsing import parse_document
from crm.plans.parsing.repeats import find_repeats, normalise

PLAN = (FIXTURES / 'repeats_plan.txt').read_text(encoding='utf-8')
# Strings a spammed page carries, with no word any junk rule knows: only the other copy tells they are foreign.
FOREIGN = ('话费充值满百返二十', '日结兼职手机可做', '神医秘方三天见效', '满级账号免费领取')
_HALF = str.maketrans('，：；（）！？', ',:;()!?')


def rewrap(text: str, width: int, seed: int, half: bool = True) -> str:
    """The same text as a PDF copy gives it: every paragraph broken at `width` characters with a blank line
    between the pieces, NBSPs and spaces sprinkled in, half-width punctuation (`half`). A sentence end never falls
    at the margin inside a paragraph (there it would read as the end of the paragraph: a limit of any reflow)."""
    rng = random.Random(seed)
    out = []
    for para in text.split('\n'):
        para = para.translate(_HALF) if half else para
        pieces, start = [], 0
        while len(para) - start > width:
            end = start + width
            while para[end - 1] in '。；;!?' and end < len(para):
                end += 1
            pieces.append(para[start:end])
            start = end
        pieces.append(para[start:])
        for piece in pieces:
            if len(piece) > 6 and rng.random() < 0.5:
                cut = rng.randrange(1, len(piece) - 1)
                if not (piece[cut - 1].isdigit() and piece[cut].isdigit()):
                    piece = piece[:cut] + rng.choice(['\u00a0', ' ', '\u00a0 ', '\u3000']) + piece[cut:]
            out.extend([piece, ''])
    return '\n'.join(out)


def inject(text: str, seed: int) -> str:
    """The text with foreign strings put into some paragraphs, between sentences and in mid-sentence."""
    rng = random.Random(seed)
    lines = text.split('\n')
    long = [i for i, ln in enumerate(lines) if len(ln) > 60]
    for n, i in enumerate(rng.sample(long, 4)):
        ln = lines[i]
        cut = rng.randrange(10, len(ln) - 10)
        while ln[cut - 1].isdigit() and ln[cut].isdigit():
            cut += 1
        lines[i] = ln[:cut] + FOREIGN[n] + ln[cut:]
    return '\n'.join(lines)


def shape(doc) -> list[tuple[str, str, str, str]]:
    """What a reader cites: anchors, citation paths, heading paths and texts of the paragraphs."""
    return [(p.anchor, p.citation_path, '/'.join(p.heading_path), p.text) for p in doc.paragraphs]


@pytest.fixture(scope='module')
def clean():
    return parse_document(PLAN)


def test_the_clean_plan_has_no_repeat_and_keeps_its_recurring_phrases(clean):
    assert clean.duplicate_blocks == []
    texts = [p.text for p in clean.paragraphs]
    assert len(texts) == 9
    formula = '坚持稳中求进工作总基调，完整、准确、全面贯彻新发展理念，加快构建以先进制造业为骨干'
    assert sum(formula in t for t in texts) == 2, 'a guiding formula said in two paragraphs stays in both'
    assert [h.title for h in clean.headings].count('工作目标') == 2, 'a heading used twice stays twice'


@pytest.mark.parametrize('width,seed', [(24, 1), (31, 2), (40, 3)])
def test_a_rewrapped_second_copy_is_dropped_and_reported(clean, width, seed):
    raw = PLAN + '\n首页 > 政务公开 > 规划计划\n\n' + rewrap(PLAN, width, seed)
    doc = parse_document(raw)
    assert shape(doc) == shape(clean)
    assert len(doc.duplicate_blocks) == 1
    block = doc.duplicate_blocks[0]
    second_copy = PLAN.count('\n') + 3
    assert block.line >= second_copy and 'repeat of lines 1-' in block.reason
    assert normalise('设立规模10亿元的产业引导基金') in normalise(block.text)


@pytest.mark.parametrize('width', [22, 35])
def test_the_same_plan_wrapped_differently_reads_the_same(clean, width):
    assert shape(parse_document(rewrap(PLAN, width, width, half=False))) == shape(clean)


def test_the_cleaner_copy_is_kept_whichever_comes_first(clean):
    junky = rewrap(inject(PLAN, 5), 28, 5)
    assert sum(s in normalise(junky) for s in FOREIGN) == 4
    for raw in (PLAN + '\n' + junky, junky + '\n' + PLAN):
        doc = parse_document(raw)
        assert shape(doc) == shape(clean)
        assert not any(s in p.text for p in doc.paragraphs for s in FOREIGN)
        assert len(doc.duplicate_blocks) == 1
        dropped = doc.duplicate_blocks[0]
        assert all(s in normalise(dropped.text) for s in FOREIGN), 'the dropped copy, with its junk, is reported'
        assert 'only in this copy' in dropped.reason


def test_a_paragraph_printed_twice_inside_the_plan_is_dropped_once(clean):
    lines = PLAN.split('\n')
    at = next(i for i, ln in enumerate(lines) if ln.startswith('依托临江智造港'))
    copy = lines[at].replace('，', ',')
    doubled = '\n'.join(lines[:at + 1] + ['', copy[:30], copy[30:]] + lines[at + 1:])
    doc = parse_document(doubled)
    assert shape(doc) == shape(clean)
    assert [(b.line, b.reason.split(' (')[0]) for b in doc.duplicate_blocks] == [(at + 3, f'repeat of lines {at + 1}-{at + 1}')]


def test_a_repeat_inside_a_web_article_line_is_cut_in_whole_sentences():
    sentence = ('全年新签约亿元以上产业项目42个，其中百亿元以上项目3个，总投资较上年增长18%。'
                '项目签约、落地、开工、投产全流程跟踪服务机制持续完善，重点项目均由区领导领衔推进。')
    body = ('今年以来，临江区坚持把招商引资作为经济工作的生命线。' + sentence + '临江智造港新入驻企业57家。'
            + sentence.replace('，', ',') + '下一步将继续优化营商环境，推动更多项目早落地、早见效。')
    articles = []
    for n, text in enumerate([body, '滨湖数字小镇举办算力产业对接会，来自长三角的八十余家企业参会，现场签约项目12个，'
                              '涉及数据中心、智能算力和行业大模型应用等领域。' * 3]):
        articles += ['-', f'临江区招商动态之{n + 1}', text, f'2025-0{n + 1}-1{n}']
    doc = parse_document('\n'.join(articles) + '\n')
    texts = '\n'.join(p.text for p in doc.paragraphs)
    assert texts.count('项目签约、落地、开工、投产全流程') == 1
    assert '临江智造港新入驻企业57家。下一步将继续优化营商环境' in texts
    assert len(doc.duplicate_blocks) == 1 and doc.duplicate_blocks[0].text == sentence.replace('，', ',')


def test_an_article_printed_twice_on_a_page_is_dropped_and_articles_quoting_each_other_are_kept():
    report = ('今年以来，临江区坚持把招商引资作为经济工作的生命线，全年新签约亿元以上产业项目42个，其中百亿元以上项目3个。'
              '临江智造港新入驻企业57家，滨湖数字小镇新增软件企业36家，两大平台税收合计增长21%。'
              '全年实际利用外资2.6亿美元，引进世界500强企业投资项目4个，省外内资到位资金86亿元。'
              '区里建立重大项目“一项目一专班”服务机制，从洽谈、签约到供地、开工实行全过程跟踪，平均审批时间压缩三成。'
              '下一步将继续优化营商环境，推动更多项目早落地、早见效、早达产。')
    quoting = ('在全市招商工作会议上，临江区作交流发言。全年新签约亿元以上产业项目42个，其中百亿元以上项目3个。'
               '会议要求各区县学习借鉴先进经验，进一步压实招商责任，完善项目全周期服务机制，确保全年目标任务圆满完成。'
               '会议还通报了一季度各区县重大项目招引情况，部署了下一阶段重点工作，并对招商队伍专业化建设提出要求。'
               '与会代表实地考察了临江智造港中试基地和共享工厂，听取了平台运营公司关于产业招引和企业服务的情况介绍，并与入驻企业代表座谈交流。')
    articles = []
    for n, (title, text) in enumerate([('临江区招商引资成效显著', report), ('全市招商工作会议召开', quoting),
                                       ('【转载】临江区招商引资成效显著', report.replace('，', ', ') + '免费领取满级账号')]):
        articles += ['-', title, text, f'2025-03-0{n + 1}']
    doc = parse_document('\n'.join(articles) + '\n')
    assert [b.reason for b in doc.duplicate_blocks] == ['near-identical copy of item 1 《临江区招商引资成效显著》']
    assert doc.duplicate_blocks[0].line == 10
    texts = [p.text for p in doc.paragraphs]
    assert sum('全年新签约亿元以上产业项目42个' in t for t in texts) == 2, 'a quoted passage stays in the quoting article'
    assert not any('满级账号' in t for t in texts)


def test_find_repeats_tolerates_insertions_on_either_side():
    rng = random.Random(11)
    base = ''.join(chr(0x4e00 + rng.randrange(3000)) for _ in range(3000))
    junk_in_copy = base[:1000] + '话费充值满百返二十' + base[1000:2000] + '日结兼职' + base[2000:]
    junk_in_first = base[:1500] + '神医秘方三天见效' + base[1500:]
    for first, copy in ((base, junk_in_copy), (junk_in_first, base)):
        reps = find_repeats(first + '。' + copy)
        assert len(reps) == 1
        rep = reps[0]
        assert rep.src == (0, len(first)) and rep.dup == (len(first) + 1, len(first) + 1 + len(copy))
        assert rep.aligned == 3000
        assert (rep.src_extra, rep.dup_extra) == (len(first) - 3000, len(copy) - 3000)


def test_find_repeats_ignores_short_recurring_phrases_and_stops_at_segment_ends():
    phrase = '坚持稳中求进工作总基调，完整、准确、全面贯彻新发展理念'
    text = ''.join(f'第{n}段内容各不相同{chr(0x5000 + n * 37)}{phrase}' for n in range(200))
    assert find_repeats(text) == []
    long_text = '甲' + phrase * 3 + '乙'
    reps = find_repeats(long_text + long_text, bounds=[len(long_text), 2 * len(long_text)])
    assert all(r.dup[0] >= len(long_text) or r.dup[1] <= len(long_text) for r in reps)


def test_find_repeats_on_two_megabytes_finds_each_copy_once():
    """A document of about 2 MB (700,000 characters) with three copies of its body (timed in tests/bench)."""
    rng = random.Random(3)
    words = [''.join(chr(0x4e00 + rng.randrange(6000)) for _ in range(rng.randrange(2, 5))) for _ in range(4000)]
    body = '。'.join(''.join(rng.choice(words) for _ in range(12)) for _ in range(7000))[:240_000]
    copy2 = re.sub('。', '.', body)
    text = body + '甲' + copy2 + '乙' + body
    reps = find_repeats(normalise(text))
    assert len(text.encode()) > 2_000_000
    assert [(r.dup[0], r.dup[1]) for r in reps] == [(len(body) + 1, 2 * len(body) + 1), (2 * len(body) + 2, len(text))]


SENTENCE = '加快建设临江智造港中试基地，引进智能装备企业。'


@pytest.mark.parametrize('raw,expected', [
    ('加快建设临江智造港中试基地\u00a0\n\u00a0，引进智能装备企业。\n', SENTENCE),  # the next line goes on with a comma
    ('加快建设临江智\n造港中试基地，引进智能装备企业。\n', SENTENCE),  # a known name runs across the break
    ('加快建设临江智造港“\n\n中试基地”，引进智能装备企业。\n', '加快建设临江智造港“中试基地”，引进智能装备企业。')])
def test_a_line_broken_inside_a_sentence_joins_without_a_space(raw, expected):
    doc = parse_document('一、重点任务\n\n' + raw, platform_aliases={'临江智造港': []})
    assert [p.text for p in doc.paragraphs] == [expected]
    assert doc.paragraphs[0].platforms == ['临江智造港']


def test_a_short_title_line_before_a_sentence_stays_a_title():
    doc = parse_document('加快建设数字经济强区\n\n全区上下深入贯彻落实各项决策部署，推进产业转型升级，加快培育新质生产力，'
                         '推动数字经济和实体经济深度融合。\n')
    assert [h.title for h in doc.headings] == ['加快建设数字经济强区']


def test_a_text_printed_many_times_keeps_one_copy(clean):
    """Six prints of the plan, the first carrying foreign strings: one clean copy stays, each other is reported."""
    prints = [rewrap(inject(PLAN, 9), 33, 1), PLAN, rewrap(PLAN, 26, 2), PLAN.replace('。', '。 '),
              rewrap(PLAN, 41, 3, half=False), PLAN]
    doc = parse_document('\n'.join(prints))
    assert shape(doc) == shape(clean)
    kept = prints[0].count('\n') + 2  # the second print, the first clean one
    assert {w.split('copy of lines ')[1] for w in doc.warnings} == {f'{kept}-{kept + PLAN.rstrip().count(chr(10))}'}
    assert sum('earlier copy' in b.reason for b in doc.duplicate_blocks) == 1
    assert sum(len(normalise(b.text)) for b in doc.duplicate_blocks) >= 5 * len(normalise(PLAN)) * 0.95


def test_the_seed_documents_lose_only_their_second_copies(docs):
    """000 read whole equals its first copy read alone; 001 read whole equals the page without its second 2014
    report; the other three have nothing dropped."""
    lines = seed_bytes('000').decode('utf-8').split('\n')
    first_copy = parse_document('\n'.join(lines[:1692]))
    assert [p.text for p in docs['000'].paragraphs] == [p.text for p in first_copy.paragraphs]
    lines = seed_bytes('001').decode('utf-8').split('\n')
    without = parse_document('\n'.join(lines[:24] + lines[28:]))  # the second 【…】2014年下城区政府工作报告, L25–28
    assert [p.text for p in docs['001'].paragraphs] == [p.text for p in without.paragraphs]
    assert all(docs[key].duplicate_blocks == [] for key in ('002', '003', '004'))


@pytest.mark.parametrize('seed', [5, 17])
def test_articles_written_alike_with_their_own_figures_are_all_kept(seed):
    """Support policies and target lists repeat one sentence pattern with different figures; each is its own text,
    never a copy of the first. Patterns and figures are drawn at random, so no rule can know them."""
    rng = random.Random(seed)
    words = [''.join(chr(0x4e00 + rng.randrange(3000)) for _ in range(rng.randrange(2, 5))) for _ in range(60)]
    patterns = ['，'.join(''.join(rng.choice(words) for _ in range(3)) + '{%d}' % k for k in range(3)) + '。'
                for _ in range(3)]
    lines = ['一、扶持措施']
    for number in range(1, 25):
        figures = [f'{rng.randint(1, 99)}{rng.choice("万亿%")}' for _ in range(3)]
        body = patterns[number % len(patterns)].replace('{0}', figures[0]).replace('{1}', figures[1])
        lines.append(f'第{number}条 {body.replace("{2}", figures[2])}')
    doc = parse_document('\n'.join(lines) + '\n')
    assert not doc.duplicate_blocks
    kept = '\n'.join(p.text for p in doc.paragraphs)
    assert all(line.split(' ', 1)[1] in kept for line in lines[1:]), 'every article keeps its own figures'


def test_policy_articles_of_one_pattern_are_all_read():
    """A 30-article policy whose support articles follow nine patterns with their own amounts reads as 30 articles."""
    from crm.policies.imports import read_policy
    from tests.bench.bench_policies import policy_text

    for seed in (1000, 1001, 1002):
        read = read_policy(policy_text(seed), platforms={})
        assert [a.number for a in read.text.articles] == list(range(1, 31))
        assert not read.cleaned.document.duplicate_blocks


def test_a_short_paragraph_followed_by_its_own_copy_is_dropped_whole():
    para = '全年新签约亿元以上产业项目42个，其中百亿元以上项目3个，总投资较上年增长18%，项目落地开工率达到85%。'
    bullets = ['——地区生产总值增长6%左右；', '——一般公共预算收入增长4.5%，达到127亿元；', '——固定资产投资增长5%以上；',
               '——社会消费品零售总额增长5.5%。']
    text = '\n\n'.join(['临江区数字经济发展三年行动计划', '一、总体要求', para, para, '二、主要目标', *bullets, *bullets, '三、保障措施', '加强组织领导。'])
    doc = parse_document(text)
    assert [p.text for p in doc.paragraphs] == [para, *bullets, '加强组织领导。']
    assert len(doc.duplicate_blocks) == 2


CLOSING = '建立健全计划实施监测评估机制，每年向区人大常委会报告进展。年度工作要点要落实本计划确定的目标任务，确保各项任务落到实处。'


@pytest.mark.parametrize('width', [24, 31, 40])
def test_a_copy_cut_at_other_places_than_its_original_leaves_no_piece(width):
    """The copy's alignment ends inside its last paragraph (a string inserted near the end of the text, where too
    little follows to resynchronise): cut in whole sentences it would leave that paragraph's last sentence, a piece
    of a paragraph of the first copy, which is dropped and reported too."""
    plan = PLAN.rstrip() + '\n\n' + CLOSING
    clean = parse_document(plan)
    copy = plan[:-8] + FOREIGN[0] + plan[-8:]
    doc = parse_document(plan + '\n\n' + rewrap(copy, width, width))
    assert shape(doc) == shape(clean)
    kept = normalise(''.join(p.text for p in doc.paragraphs))
    assert kept.count(normalise('年度工作要点要落实本计划确定的目标任务')) == 1
    assert any('piece of the paragraph' in b.reason for b in doc.duplicate_blocks)


def test_a_salutation_copied_with_the_paragraph_after_it_is_dropped_with_it():
    """A block copied into the text (各位代表： and the opening paragraph) with a junk line between its two lines: the
    paragraph is dropped as a repeat, and the salutation above it with it; a salutation of the text's own stays."""
    opening = '受区人民政府委托，现将临江区2024年国民经济和社会发展计划执行情况与2025年计划草案提请大会审议，并请各位政协委员提出意见。'
    lines = PLAN.rstrip().split('\n')
    at = next(i for i, ln in enumerate(lines) if ln.startswith('依托临江智造港'))
    text = '\n\n'.join(['各位代表：', opening, *lines[:at + 1], '各位代表：', '点击查看更多精彩内容', opening,
                        *lines[at + 1:], '各位代表：', '让我们团结一心，为建设现代化新临江而努力奋斗！'])
    doc = parse_document(text)
    texts = [p.text for p in doc.paragraphs]
    assert texts.count(opening) == 1
    assert texts.count('各位代表：') == 2, 'the salutation before the closing words is the text\'s own'
    assert texts[0] == '各位代表：' and texts[-2] == '各位代表：'


ARTICLES = ('第四条 支持关键技术攻关。对企业承担国家级重大科技项目的，按照上级支持资金的20%给予配套，最高500万元。',
            '第五条 支持创新平台建设。对新认定的省级重点实验室给予200万元一次性奖励，鼓励企业与高校共建联合实验室。',
            '第六条 支持算力资源使用。设立算力券，对企业租用区内算力资源开展模型训练的，按照实际费用的30%给予补贴，最高300万元。',
            '第七条 支持数据资源开发。对企业开发高质量行业数据集并登记交易的，按照交易额的10%给予奖励。')


def test_a_block_repeated_right_after_itself_is_dropped_in_whole_paragraphs():
    """Two articles printed twice in a row, the article before them ending as they do (…500万元。 and …300万元。):
    the copy matches as well five characters early, and is dropped in whole paragraphs all the same: no article
    is left twice or in pieces."""
    a4, a5, a6, a7 = ARTICLES
    doc = parse_document('\n\n'.join(['临江区支持人工智能产业发展的若干措施', a4, a5, a6, a5, a6, a7]))
    kept = [normalise(p.text) for p in doc.paragraphs]
    assert kept == [normalise(a) for a in ARTICLES]
    assert len(doc.duplicate_blocks) == 1


def test_the_last_paragraph_of_a_rewrapped_copy_goes_with_it_past_a_block_repeated_in_the_first():
    """The first copy repeats a block inside itself, and the second copy's last paragraph carries two strings close
    together, so that its alignment ends before it: that paragraph, read without the strings and a few words of its
    own between them, is the first copy's closing paragraph said again (the lines of the repeated block between
    do not count as distance) and is dropped."""
    lines = PLAN.rstrip().split('\n')
    first = '\n'.join(lines + [''] + lines[-5:])
    closing = '各位代表，新的征程催人奋进。让我们齐心协力、真抓实干，奋力谱写临江高质量发展新篇章！'
    copy_closing = '各位代表，新的征程催人奋进。追更神作一键下载让我们齐心夜宵外卖满减券协力、真抓实干，奋力谱写临江高质量发展新篇章！'
    doc = parse_document(first + '\n\n' + closing + '\n\n' + rewrap(PLAN.rstrip(), 33, 3) + '\n\n' + copy_closing)
    texts = [normalise(p.text) for p in doc.paragraphs]
    assert texts.count(normalise(closing)) == 1
    assert not any('征程催人奋进' in t for t in texts[texts.index(normalise(closing)) + 1:])
