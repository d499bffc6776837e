"""Parallel section titles fused with their text: split by reading the siblings side by side."""
from __future__ import annotations

from crm.plans.parsing import CorpusStats, parse_document
from crm.plans.parsing.runin import _candidates, is_fused_group, split_parallel


def titles(doc, root: str, marker_kind: str = '(') -> list[str]:
    """Titles of the (一)… headings under the item whose title contains `root`, in order."""
    start = next(i for i, h in enumerate(doc.headings) if h.level == 1 and root in h.title)
    out = []
    for h in doc.headings[start + 1:]:
        if h.level == 1:
            break
        if h.marker.startswith(marker_kind):
            out.append(h.title)
    return out


def first_paragraph(doc, heading_title: str) -> str:
    return next(p.text for p in doc.paragraphs if p.heading_path and p.heading_path[-1].endswith(heading_title))


def test_2014_report_titles_of_seven_characters(docs):
    doc = docs['001']
    assert titles(doc, '2014年') == ['坚定目标稳增长', '创新引领促转型', '坚持不懈优环境', '改善民生保和谐', '狠抓落实提效能']
    assert first_paragraph(doc, '坚定目标稳增长').startswith('有效投资增势良好。累计完成固定资产投资152.84亿元')
    assert first_paragraph(doc, '改善民生保和谐').startswith('以推进公共服务均等化为重点')


def test_2015_report_titles_with_a_comma(docs):
    assert titles(docs['001'], '2015年') == ['克难攻坚,有效突破发展瓶颈', '改革引领,有效提升发展活力', '转型升级,有效提高发展质量',
                                             '优化治理,有效改善发展环境', '保障民生,有效共享发展成果']
    assert first_paragraph(docs['001'], '保障民生,有效共享发展成果').startswith('坚持需求导向和“托底”原则')


def test_2016_report_both_sections(docs):
    doc = docs['001']
    got = titles(doc, '2016年')
    assert got[:5] == ['抓难点,克难攻坚取得新突破', '抓质效,转型升级取得新进展', '抓环境,城区品质得到新提升',
                       '抓保障,民生事业得到新加强', '抓自身,治理能力得到新提高']
    # 三、's five sections follow "我们将着力抓好以下五个方面工作:" on the same line
    assert got[-5:] == ['坚持以保障峰会为圆心,着力打造美丽杭州下城样板', '坚持以转型升级为主线,着力提升经济发展能级',
                        '坚持以改革创新为引领,着力增强内生发展动力', '坚持以民生保障为根本,着力增强人民群众获得感',
                        '坚持以法治高效为核心,着力加强政府自身建设']
    assert first_paragraph(doc, '抓难点,克难攻坚取得新突破').startswith('发展瓶颈有力破解。百井坊地块')
    assert first_paragraph(doc, '着力打造美丽杭州下城样板').startswith('全面落实G20杭州峰会各项保障工作任务')
    assert not any(h.title == '' for h in doc.headings)


def test_headings_already_clean_are_left_alone(docs):
    cn = [h.title for h in docs['001'].headings if h.marker in ('一、', '二、', '三、') and h.anchor.startswith('a9.')]
    assert cn == ['2015年工作回顾和“十二五”发展主要成绩', '关于“十三五”规划纲要(草案)的说明', '2016年政府主要工作']
    assert [h.title for h in docs['001'].headings if h.anchor.startswith('a2.s')][-1] == '战略意义与区域协同'


UNSEEN = '''关于2025年区政府工作的报告
一、2024年工作回顾
2024年,全区上下攻坚克难,经济社会发展稳中向好。
(一)聚焦项目促投资重大项目加快落地。全年完成固定资产投资210亿元,同比增长8.5%,新开工项目42个。
(二)聚焦产业强实体数字经济持续壮大,规模以上数字经济核心产业营业收入增长12%,新增高新技术企业60家。
(三)聚焦民生暖人心以办好民生实事为抓手,新增托育机构12家,改造老旧小区35个,民生支出占比保持在80%以上。
(四)聚焦改革增活力围绕营商环境优化提升,推进“一件事”集成改革,企业开办实现一日办结。
二、2025年工作安排
(一)加快数字经济发展。力争数字经济核心产业增加值增长10%以上。
(二)推进城市更新。完成老旧小区改造30个。
(三)保障改善民生。新增就业岗位1.5万个。
'''


def test_an_unseen_report_gets_its_parallel_titles(docs):
    # a page-long report has too few clauses of its own: it is read against the documents already imported
    background = CorpusStats.of(p.text for doc in docs.values() for p in doc.paragraphs)
    doc = parse_document(UNSEEN.encode(), background=background)
    review = [h.title for h in doc.headings if h.anchor.startswith('s1.i')]
    assert review == ['聚焦项目促投资', '聚焦产业强实体', '聚焦民生暖人心', '聚焦改革增活力']
    work = [h.title for h in doc.headings if h.anchor.startswith('s2.i')]
    assert work == ['加快数字经济发展', '推进城市更新', '保障改善民生']  # told apart by 。: unchanged
    body = {p.heading_path[-1]: p.text for p in doc.paragraphs if p.anchor.startswith('s1.i')}
    assert body['(一)聚焦项目促投资'].startswith('重大项目加快落地。全年完成')
    assert body['(三)聚焦民生暖人心'].startswith('以办好民生实事为抓手')


def test_a_group_is_fused_only_when_its_titles_run_on():
    assert not is_fused_group(['加快数字经济发展。力争…', '推进城市更新。完成…', '保障改善民生。新增…'])
    assert not is_fused_group(['聚焦项目促投资重大项目加快落地,全年完成固定资产投资', '聚焦产业强实体数字经济持续壮大,规模以上'])
    assert is_fused_group(['甲' * 30, '乙' * 30, '丙。' + '丁' * 30])


def test_no_split_is_offered_when_the_siblings_share_no_shape():
    stats = CorpusStats.of(['推进改革,扩大开放。', '加强管理。'])
    assert split_parallel(['推进改革,扩大开放,强化管理,', '加强', '优化'], stats) is None


def _wrapped(text: str, width: int) -> str:
    return '\n'.join(text[i:i + width] for i in range(0, len(text), width))


def test_a_fused_heading_cut_at_the_margin_with_a_pdfs_spurious_spaces_is_split(docs):
    """A PDF puts spaces into a line (打  造, 高 + NBSP + 校) and cuts it at the margin as printed: squeezed, the line is
    shorter than the wrap width, but it is still the first line of a paragraph that opens with a fused heading."""
    background = CorpusStats.of(p.text for doc in docs.values() for p in doc.paragraphs)
    intro = ('为加快建设数字经济强区，推动数字技术与实体经济深度融合，结合本区实际，制定本规划。本规划期限为2025年至2030年，'
             '展望到2035年。全区上下要统一思想，形成合力，确保各项目标任务如期完成。')
    sections = ['一、打  造高能级创新平台以临河科创走廊为主轴，推动高\u00a0 校、科研院所与龙头企业共建新型研发机构。'
                '支持理工大学研究院建设中试基地，到2030年，新型研发机构达到20家。',
                '二、强化企业创新主体地位实施科技企业“ 双倍增 ”行动，完善众创空间、孵化器、加速器全链条孵化体系。'
                '对首次认定的高新技术企业给予一次性奖励。',
                '三、完善科技金融服务体系设立规模20亿元的科创母基金，引导社会资本投早投小投科技，扩大知识产权质押融资规模，'
                '五年累计达到50亿元。']
    raw = '\n\n'.join(['云溪区数字经济发展规划'] + [_wrapped(t, 30) for t in [intro] + sections]) + '\n'
    doc = parse_document(raw.encode(), background=background)
    assert [h.title for h in doc.headings] == ['打造高能级创新平台', '强化企业创新主体地位', '完善科技金融服务体系']
    texts = [p.text for p in doc.paragraphs]
    assert texts[1].startswith('以临河科创走廊为主轴，推动高校、科研院所与龙头企业共建新型研发机构。')
    assert texts[2].startswith('实施科技企业“双倍增”行动，完善众创空间')


def test_a_fused_title_does_not_end_on_a_preposition_whose_object_follows(docs):
    """发展数字创意产业依托|星河动漫产业园: 依托 takes the park as its object, so the title ends before it, however near
    the length of a sibling standing alone (壮大软件和信息服务业) that ending would bring it."""
    background = CorpusStats.of(p.text for doc in docs.values() for p in doc.paragraphs)
    texts = ['壮大软件和信息服务业', '发展数字创意产业依托星河动漫产业园，发展动画制作、网络视听和数字出版，办好星河动漫节等品牌活动',
             '培育智能装备产业以北岸智能装备产业园为载体，重点发展服务机器人和车载电子。建设智能装备']
    assert split_parallel(texts, background, [True, False, False]) == [10, 8, 8]
    assert all(not text[:k].endswith('依托') for text in texts[1:] for k, _ in _candidates(text, 0, background, 0))
