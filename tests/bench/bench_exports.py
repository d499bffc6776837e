"""lead_export_csv_seconds, lead_export_xlsx_seconds: a leader exports 100,000 leads through the whole stack (every row
must arrive); xlsx_writer_scaling_ratio: the XLSX writer's time for 2n rows over n rows (linear is 2, the old writer
that read each row back was quadratic, 4)."""
from __future__ import annotations

import csv
import io
import resource
import time

from tests.bench.bench_leads import _login

LEADS = 100_000


def run(ctx, compare) -> list[dict]:
    from openpyxl import load_workbook
    from sqlalchemy import func, select

    from crm.auth.models import user_by_email
    from crm.auth.services import create_user
    from crm.core.exports import xlsx_bytes
    from crm.db import db
    from crm.firms.services import demo_firms
    from crm.leads.demo import demo_leads
    from crm.leads.models import Lead

    app = ctx.app
    with app.app_context():
        if db.session.scalar(select(func.count(Lead.id))) < LEADS:  # bench_leads may have made them already
            for n in range(5):
                create_user(email=f'export{n}@bench-crm.cn', name=f'导出专员{n}', role='officer',
                            password='harbour-lantern-42')
            demo_firms(20_000, seed=3)
            demo_leads(LEADS, seed=3)
        if user_by_email('export-leader@bench-crm.cn') is None:
            create_user(email='export-leader@bench-crm.cn', name='导出领导', role='leader',
                        password='harbour-lantern-42')
        db.session.commit()
        leads = db.session.scalar(select(func.count(Lead.id)))
    client = _login(app, 'export-leader@bench-crm.cn', 'harbour-lantern-42')
    results = []
    for fmt in ('csv', 'xlsx'):
        start = time.perf_counter()
        response = client.get(f'/leads/export.{fmt}')
        seconds = time.perf_counter() - start
        assert response.status_code == 200
        if fmt == 'csv':
            rows = sum(1 for _ in csv.reader(io.StringIO(response.data.decode('utf-8-sig'))))
        else:
            rows = sum(1 for _ in load_workbook(io.BytesIO(response.data), read_only=True).active.iter_rows())
        assert rows == leads + 1, (fmt, rows, leads)
        results.append({'name': f'lead_export_{fmt}_seconds', 'value': round(seconds, 2), 'unit': 's',
                        'target': '< 120 (gunicorn timeout in make run)',
                        'detail': {'leads': leads, 'rows_with_header': rows, 'bytes': len(response.data),
                                   'peak_rss_mb_so_far': round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
                                                               / 1024)}})

    def write(n: int) -> float:
        rows = ([f'项目{i}', f'企业{i}有限公司', '洽谈', '上门拜访', '6513', '平台甲、平台乙', 1200.5, 30, 50, '张三', None]
                for i in range(n))
        start = time.process_time()
        xlsx_bytes(['项目', '企业', '阶段', '来源', '行业', '目标平台', '投资', '税收', '就业', '负责人', '下次跟进'], rows)
        return time.process_time() - start

    write(1000)
    small, large = min(write(10_000) for _ in range(2)), min(write(20_000) for _ in range(2))
    results.append({'name': 'xlsx_writer_scaling_ratio', 'value': round(large / small, 2), 'unit': 'ratio',
                    'target': '<= 2.5 (linear: 2)',
                    'detail': {'seconds_10000_rows': round(small, 2), 'seconds_20000_rows': round(large, 2)}})
    return results
