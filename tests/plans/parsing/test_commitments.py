"""Commitments are what the issuer undertakes: not what a review section reports, nor what a glossary defines."""
from __future__ import annotations

from crm.plans.parsing.extract import is_commitment, is_retrospective


def commitments(doc) -> list[tuple[list[str], str]]:
    return [(p.heading_path, c.text) for p in doc.paragraphs for c in p.commitments]


def test_review_sections_report_rather_than_commit(docs):
    found = commitments(docs['001'])
    texts = [t for _, t in found]
    assert not any('2013年工作回顾' in ' '.join(path) or '2014年工作回顾' in ' '.join(path) for path, _ in found)
    assert not any(t.startswith('启动地铁2号线(下城段)各站点房屋征收工作') for t in texts)  # done in 2013
    assert not any('累计预约专家门诊10080人次' in t for t in texts)
    assert '加快推进百井坊地块、杭州中心、杭州新天地、城市之星、华丰新世纪等重大项目建设。' in texts  # the 2016 plan
    assert not any(p.kind == 'glossary' and p.commitments for p in docs['001'].paragraphs)


def test_review_values_are_not_targets(docs):
    targets = [(t.value, t.unit) for p in docs['001'].paragraphs for t in p.targets]
    assert ('32.24', '万平方米') not in targets  # 新增绿地面积32.24万平方米: the 十二五 record
    assert ('10080', '人次') not in targets
    plan_000 = [t for p in docs['000'].paragraphs for t in p.targets if t.source == 'text']
    assert any(t.value == '56' and t.unit == '幢' for t in plan_000)
    assert not any('第一章' in ' '.join(p.heading_path) for p in docs['000'].paragraphs if p.commitments)


def test_the_plan_chapters_keep_their_commitments(docs):
    for key in ('000', '002', '004'):
        found = commitments(docs[key])
        assert len(found) > 250
    assert len(commitments(docs['003'])) > 80  # the 2024 part of the 计划 report


def test_retrospective_headings():
    assert is_retrospective(['第一章 回顾五年成就,科学研判发展新形势', '一、回顾总结“十二五”发展成就'])
    assert is_retrospective(['《2016年下城区政府工作报告》', '一、2015年工作回顾和“十二五”发展主要成绩', '(一)抓难点'])
    assert is_retrospective(['2023年国民经济和社会发展计划执行情况'])
    assert is_retrospective(['第一篇 推进高起点上的新发展', '第二章 发展环境'])
    assert not is_retrospective(['第四篇 构建政府与市场的新型关系', '第十七章 优化市场主体发展环境'])
    assert not is_retrospective(['四、着力抢抓后亚运机遇,提升城市发展能级'])


def test_a_review_sentence_commits_only_when_it_looks_ahead():
    assert not is_commitment('扎实推进北部地区环境综合整治,基本完成石大路货运市场重点区域交通整治工作。', retrospective=True)
    assert is_commitment('下一步将继续推进北部地区环境综合整治。', retrospective=True)
    assert is_commitment('到2020年,力争亿元楼宇达到56幢。', retrospective=True)
    assert not is_commitment('跨贸小镇作为综试区的重要组成部分,已形成全产业链的数字贸易生态。')  # 重要 is not 要
    assert is_commitment('要加快建设跨贸小镇。')
