"""Gunicorn hooks for the soak: the CPU time of each request's own thread (time.thread_time, so time spent waiting
for the GIL, the database or the network is not counted), written per worker to BENCH_SOAK_CPU_DIR as
`METHOD PATH MILLISECONDS` lines."""
import os
import time


def pre_request(worker, req):
    req._cpu_started = time.thread_time()


def post_request(worker, req, environ, resp):
    started = getattr(req, '_cpu_started', None)
    folder = os.environ.get('BENCH_SOAK_CPU_DIR')
    if started is None or not folder:
        return
    ms = (time.thread_time() - started) * 1000
    line = f'{req.method} {req.uri} {ms:.3f}\n'
    with open(os.path.join(folder, f'cpu-{os.getpid()}.log'), 'a', encoding='utf-8') as fh:
        fh.write(line)
