"""Work a feature hands to the background worker, named: the feature says what a job does (`handles`, where the
job's function is defined), a request or a command queues it by name (`enqueue`), and the worker runs it
(`run`); a job the worker runs by itself on a schedule is declared with `every` (in the feature's feature.py). Where the queue lives (huey on Redis, a SQLite file, or at once in the tests) is the application's
business: crm.jobs puts its sender here when create_app configures the queue, so no feature imports the queue,
the way crm.core.hooks lets a feature announce without importing who listens."""
from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar

from crm.db import utcnow

F = TypeVar('F', bound=Callable[..., Any])

QUEUE_DOWN = '任务队列暂时无法连接，本次未排队，请稍后再试（请管理员检查 Redis 与 crm worker）'

Schedule = Callable[[datetime], bool]

_handlers: dict[str, Callable[..., Any]] = {}
_checkpointed: set[str] = set()
_scheduled: dict[str, tuple[Schedule, Callable[[], Any]]] = {}
_sender: list[Callable[..., Any]] = []


class QueueDown(RuntimeError):
    """The queue's server (Redis, or the SQLite file) cannot be reached: the job was not queued."""


def handles(name: str, *, checkpoint: bool = False) -> Callable[[F], F]:
    """Declare the function that does the job `name` (a decorator; one function per name). With `checkpoint` the
    function takes a `checkpoint` callable, which the worker makes commit (so a page can show the job's progress)."""
    def register(func: F) -> F:
        known = _handlers.setdefault(name, func)
        if known is not func and known.__qualname__ != func.__qualname__:
            raise ValueError(f'job {name!r} is done by {known.__module__}.{known.__qualname__} already')
        _handlers[name] = func
        if checkpoint:
            _checkpointed.add(name)
        return func

    return register


def every(schedule: Schedule, name: str) -> Callable[[F], F]:
    """Declare the function (no arguments) the worker runs as the job `name` whenever `schedule(minute)` is true,
    the minute in naive UTC (crm.core.clock.at_local_time: once a day on the office's clock); the job commits
    what the function wrote. A decorator, returning the function unchanged."""
    def register(func: F) -> F:
        _scheduled[name] = (schedule, func)
        return func

    return register


def names() -> list[str]:
    """Every job a feature declared that is queued by name."""
    return sorted(_handlers)


def scheduled() -> dict[str, tuple[Schedule, Callable[[], Any]]]:
    """Every job run on a schedule: its name, its schedule and its function."""
    return dict(_scheduled)


def takes_checkpoint(name: str) -> bool:
    """Whether the job `name` commits its progress through a `checkpoint` (see `handles`)."""
    return name in _checkpointed


def handler(name: str) -> Callable[..., Any]:
    """The function that does the job `name` (KeyError when no feature declared it)."""
    return _handlers[name]


def run(name: str, *args: Any, **kwargs: Any) -> Any:
    """Do the job `name` now (the worker, or the tests' queue that runs each job at once)."""
    return _handlers[name](*args, **kwargs)


def use(sender: Callable[..., Any]) -> None:
    """The queue's sender, `sender(name, *args)`: it puts the job on the queue or raises QueueDown."""
    _sender[:] = [sender]


def enqueue(name: str, *args: Any) -> None:
    """Queue the job `name` with its arguments (ids and plain values: the worker reads the rest afresh)."""
    if name not in _handlers:
        raise KeyError(f'no feature does the job {name!r}')
    if not _sender:
        raise RuntimeError('no job queue configured (create_app configures it)')
    _sender[0](name, *args)


def enqueue_or_fail(name: str, record: Any) -> bool:
    """Queue the job `name` for a committed record (a pack build, a push, an export) by its id; when the queue's
    server cannot be reached, mark the record failed with the reason (the caller commits) instead of answering
    the request with an error."""
    try:
        enqueue(name, record.id)
    except QueueDown as exc:
        logging.getLogger('crm.jobs').error('job queue unreachable, %s %s not queued: %s',
                                            type(record).__name__, record.id, exc)
        record.status, record.error, record.finished_at = 'failed', QUEUE_DOWN, utcnow()
        return False
    return True
