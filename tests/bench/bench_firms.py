"""firms_import_rows_per_second: a 10,000-row firm file (CSV, GB18030) through the real import."""
from __future__ import annotations

import csv
import io
import random
import time


def run(ctx, compare) -> list[dict]:
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
    return [{'name': 'firms_import_rows_per_second', 'value': round(10_000 / seconds, 1), 'unit': 'rows/s',
             'target': '>= 1000 (10,000 rows in under 10 s)',
             'detail': {'rows': 10_000, 'seconds': round(seconds, 2), 'encoding': 'gb18030', 'database': 'sqlite'}}]
