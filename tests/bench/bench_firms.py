"""firms_import_rows_per_second: a 10,000-row firm file (CSV, GB18030) through the real import.
firm_duplicates_ms: finding the possible duplicates of one firm name among 30,000 firms (the index of name runs
and RapidFuzz), against scoring every firm's core name with RapidFuzz (the same answers, read without the index)."""
from __future__ import annotations

import csv
import io
import random
import statistics
import time


def run(ctx, compare) -> list[dict]:
    return [_import(ctx), _duplicates(ctx)]


def _import(ctx) -> dict:
    from crm.core.spreadsheets import read_table
    from crm.core.validators import make_uscc
    from crm.db import db
    from crm.firms.imports import import_firms

    rng = random.Random(17)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(['企业名称', '统一社会信用代码', '所属行业', '注册资本', '员工人数', '成立日期', '标签'])
    for i in range(10_000):
        writer.writerow([f'基准企业{i}有限公司', make_uscc(rng), rng.choice(['6513', '7261', '529']),
                         rng.randint(10, 5000), rng.randint(1, 900), f'2020-0{i % 9 + 1}-15', '高新技术企业'])
    data = buffer.getvalue().encode('gb18030')
    with ctx.app.app_context():
        start = time.perf_counter()
        report = import_firms(read_table('firms.csv', data))
        db.session.commit()
        seconds = time.perf_counter() - start
    assert report.imported == 10_000 and not report.errors
    return {'name': 'firms_import_rows_per_second', 'value': round(10_000 / seconds, 1), 'unit': 'rows/s',
            'target': '>= 1000 (10,000 rows in under 10 s)',
            'detail': {'rows': 10_000, 'seconds': round(seconds, 2), 'encoding': 'gb18030', 'database': 'sqlite'}}


PLACES = ['杭州', '浙江', '拱墅', '杭州市', '']
WORDS = ['云图', '数智', '星河', '跨境', '聚才', '电竞', '蓝海', '智联', '远航', '新禾', '晨光', '极客', '万象', '拓维', '青禾',
         '鲲鹏', '卓越', '恒信', '华创', '中科', '天元', '锐思', '博远', '启明', '嘉禾', '金石', '银河', '海纳', '融创', '铭泰']
TRADES = ['科技', '网络科技', '信息技术', '电子商务', '人力资源', '文化传媒', '数据服务', '供应链管理', '贸易', '实业']
FORMS = ['有限公司', '股份有限公司', '有限责任公司', '集团有限公司']


def _duplicates(ctx, firms: int = 20_000, lookups: int = 200) -> dict:
    from sqlalchemy import func, insert, select

    from crm.db import db
    from crm.firms import names
    from crm.firms.models import Firm
    from crm.firms.services import find_duplicates

    rng = random.Random(29)
    made = set()
    while len(made) < firms:
        made.add(f'{rng.choice(PLACES)}{rng.choice(WORDS)}{rng.choice(WORDS)}{rng.choice(WORDS)}'
                 f'{rng.choice(TRADES)}{rng.choice(FORMS)}')
    with ctx.app.app_context():
        db.session.execute(insert(Firm), [{'name': n, 'name_key': n, 'former_names': [], 'tags': [], 'sources': []}
                                          for n in sorted(made)])
        names.reindex(db.session.connection())
        db.session.commit()
        total = db.session.scalar(select(func.count(Firm.id)))
        queries = []  # the names as someone types them again: another form, a bracketed city, a typo
        for name in rng.sample(sorted(made), lookups):
            core = names.core_name(name)
            typo = rng.randrange(len(core))  # one character mistyped
            variant = rng.choice([f'{core}（杭州）有限公司', f'浙江{core}股份有限公司',
                                  f'{core[:typo]}金{core[typo + 1:]}有限公司'])
            queries.append(variant)
        spent, found = [], 0
        for query in queries:
            start = time.perf_counter()
            matches = find_duplicates(query, None)
            spent.append((time.perf_counter() - start) * 1000)
            found += bool(matches)
        cores = db.session.execute(select(Firm.id, Firm.name_core).where(Firm.deleted_at.is_(None))).all()
        scan = []
        agree = 0
        for query in queries[:20]:
            start = time.perf_counter()
            core = names.core_name(query)
            every = sorted((firm_id for firm_id, other in db.session.execute(
                select(Firm.id, Firm.name_core).where(Firm.deleted_at.is_(None)))
                if names.similarity(core, other or '') >= names.SIMILAR))
            scan.append((time.perf_counter() - start) * 1000)
            agree += {m.firm.id for m in find_duplicates(query, None, limit=1000)} == set(every)
    spent.sort()
    return {'name': 'firm_duplicates_ms', 'value': round(statistics.median(spent), 2), 'unit': 'ms',
            'target': '<= 50 ms median, <= 100 ms p95, for one name among 20,000+ firms',
            'detail': {'firms': total, 'lookups': lookups, 'p95_ms': round(spent[int(len(spent) * 0.95) - 1], 2),
                       'max_ms': round(spent[-1], 2), 'found_some': found,
                       'every_firm_scored_ms': round(statistics.median(scan), 1), 'cores': len(cores),
                       'same_answer_as_scoring_every_firm': f'{agree}/{len(scan)}', 'database': 'sqlite'}}
