"""CPU milliseconds per request of two checkouts of the app side by side, requests alternating.

    python -m tests.bench.page_pairs OTHER_CHECKOUT DATABASE_URL [REQUESTS] [--soak [--as ROLE]] PATH...

On a shared machine a page's CPU time moves by ±20 % between runs with the load; two processes kept running at
once, one with this checkout's code and one with OTHER_CHECKOUT's (a `git worktree` or an exported tree of another
commit, run with this checkout's virtualenv), each answering one request of each PATH in turn, see the same load.
Prints each path's median in both and the median of the per-request ratios. `LEAD` in a path is replaced by a lead
of the list's first page. The database is filled as `page_cpu` fills it (`--soak`: the soak's data and accounts).
"""
from __future__ import annotations

import os
import re
import statistics
import subprocess
import sys
import time


def serve(url: str, soak: bool, role: str) -> None:
    """One resident client: reads a path per line, answers the CPU ms of one request."""
    from tests.bench import page_cpu
    from tests.bench.bench_leads import _login

    if soak:
        client = _login(page_cpu._soak_app(url), *page_cpu.SOAK_ACCOUNTS[role])
    else:
        client = _login(page_cpu._app(url), *page_cpu.LEADER)
    lead_id = re.search(r'href="/leads/(\d+)"', client.get('/leads/').get_data(as_text=True)).group(1)
    print('ready', flush=True)
    for line in sys.stdin:
        path = line.strip().replace('LEAD', lead_id)
        start = time.process_time()
        response = client.get(path)
        spent = time.process_time() - start
        assert response.status_code == 200, (path, response.status_code)
        print(f'{spent * 1000:.3f}', flush=True)


def main(argv: list[str]) -> None:
    role = argv[argv.index('--as') + 1] if '--as' in argv else 'leader'
    soak = '--soak' in argv
    args = [a for a in argv if not a.startswith('--') and a != role]
    other, url = args[0], args[1]
    requests = int(args[2]) if args[2].isdigit() else 40
    paths = args[3:] if args[2].isdigit() else args[2:]
    here = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    command = [sys.executable, os.path.abspath(__file__), '--serve', url, role] + (['--soak'] if soak else [])
    procs = {name: subprocess.Popen(command, cwd=cwd, env={**os.environ, 'PYTHONPATH': cwd}, text=True,
                                    stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
             for name, cwd in (('other', os.path.abspath(other)), ('this', here))}
    for proc in procs.values():
        while proc.stdout.readline().strip() != 'ready':
            pass

    def one(name: str, path: str) -> float:
        procs[name].stdin.write(path + '\n')
        procs[name].stdin.flush()
        return float(procs[name].stdout.readline())

    for path in paths:
        for name in procs:
            for _ in range(3):  # warm
                one(name, path)
    spent = {name: {path: [] for path in paths} for name in procs}
    for n in range(requests):
        for path in paths:
            for name in (('other', 'this') if n % 2 == 0 else ('this', 'other')):
                spent[name][path].append(one(name, path))
    for proc in procs.values():
        proc.stdin.close()
        proc.wait()
    for path in paths:
        ratio = statistics.median(a / b for a, b in zip(spent['this'][path], spent['other'][path]))
        print(f'{statistics.median(spent["other"][path]):7.2f} -> {statistics.median(spent["this"][path]):7.2f} ms'
              f'  paired {(ratio - 1) * 100:+4.0f} %  {path}')


if __name__ == '__main__':
    if sys.argv[1:2] == ['--serve']:
        os.environ.setdefault('CRM_ENV', 'testing')
        serve(sys.argv[2], '--soak' in sys.argv, sys.argv[3])
    else:
        main(sys.argv[1:])
