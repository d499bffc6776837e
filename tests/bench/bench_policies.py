"""policy_import_seconds (a 30-article policy text through the whole import: read, clean, cut into articles,
clauses and guide, stored) and policy_eligible_ms (one policy against 20,000 housed firms: eligible, maybe with
the missing data, not eligible). The eligibility runs on a database of its own, so that the firms other
benchmarks add do not change the count."""
from __future__ import annotations

import random
import statistics
import time
from datetime import date, timedelta

FIRMS = 20_000
ROUNDS = 5

# Sentence patterns of district support policies; {n} makes each article's figures its own.
ARTICLE_PATTERNS = [
    '对新引进的总部企业，实际投资{a}亿元以上的，给予一次性落户奖励{b}0万元。',
    '对租用办公用房的企业，按每平方米每天1.{n}元给予房租补助，单个企业每年最高不超过{b}0万元。',
    '对新落户企业，前两年按其地方财政贡献的100%、后三年按50%给予奖励，累计不超过{b}00万元。',
    '对企业年度研发投入，按{a}000万元（含）以上至1亿元、1亿元以上两档，分别按3%、5%给予资助，上不封顶。',
    '被认定为国家级、省级专精特新“小巨人”企业的，分别给予{b}0万元和{a}0万元奖励。',
    '对年营业收入首次突破1亿元、5亿元、10亿元的企业，分别给予{a}0万元、{b}0万元、{c}0万元奖励。',
    '对员工人数{a}00人以上、研发投入占营业收入比例达到{n}%以上的国家高新技术企业，按其年度研发投入的10%给予资助，最高{b}00万元。',
    '对企业每引进1名博士给予{a}万元奖励，每家企业每年最高不超过{b}0万元。',
    '对特别重大的项目，实行一事一议。',
]


def policy_text(seed: int) -> bytes:
    """A 30-article policy: 26 articles of support in 3 chapters, then how to apply and when it is in force."""
    rng = random.Random(seed)
    lines = [f'拱墅区产业发展若干政策（基准测试 {seed}）', f'拱政发〔2026〕{seed}号', '', '第一章 总则',
             '第一条 为促进产业高质量发展，制定本政策。', '第二条 本政策适用于工商注册、税务登记在拱墅区的企业。',
             '第二章 扶持措施']
    for number in range(3, 29):
        pattern = ARTICLE_PATTERNS[number % len(ARTICLE_PATTERNS)]
        figures = {'a': rng.randint(1, 9), 'b': rng.randint(2, 9), 'c': rng.randint(10, 30), 'n': rng.randint(1, 9)}
        lines.append(f'第{number}条 {pattern.format(**figures)}')
        if number == 15:
            lines.append('第三章 申报与兑现')
    lines += ['第29条 申报材料：申请表、营业执照复印件；由区发展改革局负责受理，咨询电话：0571-00000000。',
              '第30条 本政策自2026年1月1日起施行，有效期3年。', '', '杭州市拱墅区人民政府', '2025年12月20日']
    return '\n'.join(lines).encode('gb18030')


def _import_seconds(ctx) -> tuple[float, dict]:
    from crm.db import db
    from crm.policies.imports import import_policy_text

    timings, detail = [], {}
    with ctx.app.app_context():
        for round_ in range(ROUNDS):
            raw = policy_text(1000 + round_)
            start = time.perf_counter()
            result = import_policy_text(raw, 'bench.txt')
            db.session.commit()
            timings.append(time.perf_counter() - start)
            detail = {'articles': len(result.policy.articles), 'clauses': len(result.policy.clauses),
                      'bytes': len(raw)}
    assert detail['articles'] == 30, detail
    return statistics.median(timings), detail


def _housed_firms(db) -> None:
    """20,000 firms housed on one platform, with what the evaluator reads (district, tags, headcount, R&D ratio)."""
    from sqlalchemy import insert

    from crm.firms.models import Firm, Tenancy
    from crm.platforms.models import Building, Platform, Unit

    platform = Platform(key='bench-policy-park', name='基准测试产业园', kind='产业园', district='拱墅区')
    db.session.add(platform)
    db.session.flush()
    building = Building(platform_id=platform.id, name='基准测试大厦', floors=30)
    db.session.add(building)
    db.session.flush()
    units = []
    for n in range(50):
        unit = Unit(building_id=building.id, platform_id=platform.id, floor=n // 5 + 1, number=f'B{n:03d}',
                    area_gross=300, status='已租', use='办公')
        db.session.add(unit)
        units.append(unit)
    db.session.flush()
    rng = random.Random(23)
    rows = []
    for i in range(FIRMS):
        name = f'基准政策企业{i:05d}有限公司'
        rows.append({'name': name, 'name_key': name, 'former_names': [], 'sources': [],
                     'district': '拱墅区' if i % 10 else '滨江区',
                     'tags': rng.choice([['高新技术企业'], ['高新技术企业', '规上'], [], ['专精特新']]),
                     'headcount': rng.choice([None, 20, 80, 150, 400]),
                     'rd_ratio': rng.choice([None, 2, 4, 6, 9]), 'industry_code': rng.choice(['6513', '7261', None]),
                     'registered_on': date(2015, 1, 1) + timedelta(days=rng.randint(0, 3000)), 'is_demo': False})
    db.session.execute(insert(Firm), rows)
    ids = [i for (i,) in db.session.execute(Firm.__table__.select().with_only_columns(Firm.id)).all()]
    tenancies = [{'firm_id': firm_id, 'unit_id': units[n % len(units)].id, 'platform_id': platform.id,
                  'start_date': date(2024, 1, 1), 'area': 120} for n, firm_id in enumerate(ids)]
    db.session.execute(insert(Tenancy), tenancies)
    db.session.commit()


def _eligible_ms() -> tuple[float, dict]:
    from crm.core.console import SystemActor
    from crm.db import db
    from crm.policies.eligibility import policy_firms
    from crm.policies.imports import accept_clause, import_policy_text
    from tests.bench.run import Context
    from tests.policies.policy_texts import ARTICLES

    own = Context()
    with own.app.app_context():
        _housed_firms(db)
        policy = import_policy_text(ARTICLES.encode('gb18030'), 'eligible.txt').policy
        for clause in list(policy.candidates):
            accept_clause(clause)
        db.session.commit()
        timings, cpu, found = [], [], None
        for _ in range(ROUNDS):
            db.session.expire_all()
            start, used = time.perf_counter(), time.process_time()
            found = policy_firms(policy, user=SystemActor())
            timings.append((time.perf_counter() - start) * 1000)
            cpu.append((time.process_time() - used) * 1000)
        total = len(found.eligible) + len(found.maybe) + found.not_eligible
    assert total >= FIRMS, total  # the seed data houses a few firms too
    return statistics.median(timings), {'firms': total, 'eligible': len(found.eligible), 'maybe': len(found.maybe),
                                        'not_eligible': found.not_eligible, 'clauses': len(policy.accepted_clauses),
                                        'min_ms': round(min(timings), 1), 'cpu_ms': round(statistics.median(cpu), 1),
                                        'reference_loop_ms': _reference_loop_ms(), 'database': 'sqlite'}


def _reference_loop_ms() -> float:
    """CPU time of a fixed pure-Python loop (3 million additions): how busy or slow this machine was while the
    figures were taken, to compare runs on different machines."""
    used, total = time.process_time(), 0
    for i in range(3_000_000):
        total += i
    return round((time.process_time() - used) * 1000, 1)


def run(ctx, compare) -> list[dict]:
    seconds, detail = _import_seconds(ctx)
    results = [{'name': 'policy_import_seconds', 'value': round(seconds, 3), 'unit': 's', 'target': '< 1',
                'detail': {**detail, 'rounds': ROUNDS, 'database': 'sqlite'}}]
    ms, detail = _eligible_ms()
    results.append({'name': 'policy_eligible_ms', 'value': round(ms, 1), 'unit': 'ms', 'target': '< 500',
                    'detail': detail})
    return results
