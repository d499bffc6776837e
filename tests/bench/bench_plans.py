"""plans_import_seconds (the five seed documents) and search p95 over a corpus enlarged to 50,000 paragraphs."""
from __future__ import annotations

import random
import statistics
import time

from sqlalchemy import delete, func, insert, select

TARGET_PARAGRAPHS = 50_000
QUERIES = {2: ['电竞', '房租', '总部', '人才', '楼宇', '招商', '科技', '金融'],
           3: ['产业园', '跨境电', '数字经', '亿元楼', '新天地', '创新型', '服务业', '城市之'],
           6: ['跨境电子商务', '数字经济产业', '人力资源服务', '全口径税收超', '创新创业新天', '高新技术企业',
               '现代服务业增', '总部经济集聚']}


def _p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[18] if len(values) >= 20 else max(values)


def run(ctx, compare) -> list[dict]:
    from crm.db import db
    from crm.plans.models import PlanDocument, PlanParagraph
    from crm.plans.search import search
    from crm.plans.services import seed_plans

    results = []
    with ctx.app.app_context():
        db.session.execute(delete(PlanDocument))
        db.session.commit()
        start = time.perf_counter()
        seed_plans()
        db.session.commit()
        import_seconds = time.perf_counter() - start
        results.append({'name': 'plans_import_seconds', 'value': round(import_seconds, 3), 'unit': 's',
                        'target': '< 10', 'detail': {'documents': 5}})
        _enlarge(db, PlanParagraph)
        total = db.session.scalar(select(func.count(PlanParagraph.id)))
        rng = random.Random(7)
        for size, terms in QUERIES.items():
            timings = []
            for _ in range(60):
                term = rng.choice(terms)
                t0 = time.perf_counter()
                hits = search(term, limit=20)
                timings.append((time.perf_counter() - t0) * 1000)
                assert all(term in h.paragraph.text_norm for h in hits)
            results.append({'name': f'plans_search_p95_ms_{size}char', 'value': round(_p95(timings), 2), 'unit': 'ms',
                            'target': '< 50', 'detail': {'paragraphs': total, 'queries': len(timings),
                                                         'median_ms': round(statistics.median(timings), 2),
                                                         'database': 'sqlite'}})
    return results


def _enlarge(db, PlanParagraph) -> None:
    """Copy the seed paragraphs (shuffled words) into one synthetic current document until 50k paragraphs."""
    from crm.plans.models import PlanDocument

    from crm.plans.services import paragraph_row

    base = db.session.execute(select(PlanParagraph.text)).scalars().all()
    doc = PlanDocument(slug='bench-corpus', title='扩充语料（基准测试）', source_filename='bench.txt',
                       sha256='bench' + '0' * 59, encoding='utf-8', raw=b'', is_current=True)
    db.session.add(doc)
    db.session.flush()
    rng = random.Random(42)
    rows, seq = [], 0
    while len(base) + seq < TARGET_PARAGRAPHS:
        text = rng.choice(base)
        cut = rng.randrange(0, max(1, len(text)))
        seq += 1
        rows.append(paragraph_row(doc.id, seq, seq, f'b.p{seq}', 'text', text[cut:] + text[:cut],
                                  citation_path=f'第{seq}段'))
        if len(rows) == 5000:
            db.session.execute(insert(PlanParagraph), rows)
            rows = []
    if rows:
        db.session.execute(insert(PlanParagraph), rows)
    db.session.commit()
