"""lead_export_seconds, lead_export_peak_mb, lead_export_xlsx_seconds: a leader exports 100,000 leads through the
whole stack (every row must arrive: the CSV file has 100,001 lines). Past EXPORT_BACKGROUND_ROWS the export is a job
(run inline here, as in tests) whose page offers the file; the time covers the request that writes it and the
download. lead_export_peak_mb is the growth of the process's peak resident memory over the CSV export (the peak is
reset first through /proc/self/clear_refs; tracemalloc's peak where that is not allowed). xlsx_writer_scaling_ratio: the XLSX writer's time for 2n rows over n rows (linear is 2, the old writer
that read each row back was quadratic, 4)."""
from __future__ import annotations

import io
import re
import time
import tracemalloc
from pathlib import Path

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
    results = _csv_export(client, leads)
    start = time.perf_counter()
    data = _download(client, '/leads/export.xlsx')
    seconds = time.perf_counter() - start
    rows = sum(1 for _ in load_workbook(io.BytesIO(data), read_only=True).active.iter_rows())
    assert rows == leads + 1, ('xlsx', rows, leads)
    results.append({'name': 'lead_export_xlsx_seconds', 'value': round(seconds, 2), 'unit': 's',
                    'target': '< 120 (gunicorn timeout in make run)',
                    'detail': {'leads': leads, 'rows_with_header': rows, 'bytes': len(data),
                               'path': 'background job (run inline here), then the download'}})

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


def _follow(client, url: str):
    """The export's response: the file itself, or (past the background threshold) the download its page offers."""
    response = client.get(url, buffered=False)
    if response.status_code == 302 and '/exports/' in response.headers['Location']:
        response.close()
        page = client.get(response.headers['Location']).get_data(as_text=True)
        link = re.search(r'href="(/exports/\d+/download)"', page)
        assert link, page[-2000:]
        response = client.get(link.group(1), buffered=False)
    assert response.status_code == 200, response.status_code
    return response


def _download(client, url: str) -> bytes:
    response = _follow(client, url)
    try:
        return b''.join(response.iter_encoded())
    finally:
        response.close()


def _status(field: str) -> int:
    """A kB figure from /proc/self/status (VmRSS, VmHWM)."""
    for line in Path('/proc/self/status').read_text().splitlines():
        if line.startswith(field + ':'):
            return int(line.split()[1])
    raise KeyError(field)


def _reset_peak() -> bool:
    try:
        Path('/proc/self/clear_refs').write_text('5')  # resets VmHWM to the current RSS
        return True
    except OSError:
        return False


def _csv_export(client, leads: int) -> dict:
    """Time (wall and CPU) and peak memory growth of the CSV export of every lead, read as a stream."""

    def export() -> tuple[int, int]:
        response = _follow(client, '/leads/export.csv')
        lines = size = 0
        try:
            for chunk in response.iter_encoded():
                lines += chunk.count(b'\n')
                size += len(chunk)
        finally:
            response.close()
        return lines, size

    import gc

    gc.collect()
    by_rss = _reset_peak()
    rss_before = _status('VmRSS') if by_rss else 0
    if not by_rss:
        tracemalloc.start()
    wall, cpu = time.perf_counter(), time.process_time()
    lines, size = export()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    if by_rss:
        peak_mb = (_status('VmHWM') - rss_before) / 1024
    else:
        peak_mb = tracemalloc.get_traced_memory()[1] / 2 ** 20
        tracemalloc.stop()
    assert lines == leads + 1, ('csv lines', lines, leads)
    return [{'name': 'lead_export_seconds', 'value': round(wall, 2), 'unit': 's', 'target': '<= 10',
             'detail': {'leads': leads, 'lines': lines, 'bytes': size, 'cpu_seconds': round(cpu, 2),
                        'path': 'background job (run inline here), then the download'}},
            {'name': 'lead_export_peak_mb', 'value': round(peak_mb, 1), 'unit': 'MB', 'target': '<= 50',
             'detail': {'measured_by': 'peak RSS growth (VmHWM after clear_refs)' if by_rss
                        else 'tracemalloc peak', 'rss_before_mb': round(rss_before / 1024, 1)}}]
