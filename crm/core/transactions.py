"""The request's transactions outside its view: what a request hook wrote, and records that outlive the request.

A view commits its own work once (services only flush). A few writes happen where no view will commit them, and
the request layer commits them here, never a service:
- `commit_with_response`: a request hook that answers the request itself (the second-factor gate ending a stale
  session) asks for what it wrote to be committed once its answer is made (`_commit_answered`, an after_request
  hook installed by the application's request hooks);
- `keep_despite_rollback`: a record that must stand whatever became of the request (a refused request's entry in
  the access-denial log): the request's own changes are rolled back first, then the record is committed alone;
- `commit_note`: a small note the request layer keeps before the view runs (a token's last use), committed at once
  in its own short transaction so that no lock on it is held while the view works; dropped if the database is
  busy, which is harmless.
"""
from __future__ import annotations

import logging
from collections.abc import Callable

from flask import Flask, g
from sqlalchemy.exc import OperationalError, SQLAlchemyError

from crm.db import db, declare_write_intent

log = logging.getLogger('crm.errors')

_COMMIT_ANSWERED = 'commit_with_response'


def commit_with_response() -> None:
    """Have what this request's hook wrote committed once the answer is made (no view runs to commit it)."""
    g.setdefault(_COMMIT_ANSWERED, True)


def _commit_answered(response):
    if g.pop(_COMMIT_ANSWERED, False):
        db.session.commit()
    return response


def keep_despite_rollback(write: Callable[[], object], *, what: str, logger: logging.Logger = log) -> bool:
    """Roll back what the request changed (it would be anyway), then write and commit the record `write` flushes
    on its own. False when the database refused it: the failure is logged (`what`, on `logger`), the answer
    stands."""
    try:
        db.session.rollback()
        declare_write_intent(True)
        write()
        db.session.commit()
    except SQLAlchemyError:
        db.session.rollback()
        logger.exception('%s could not be stored', what)
        return False
    return True


def commit_note(write: Callable[[], object]) -> bool:
    """Commit the note `write` makes at once (the request has written nothing else yet). False, the note dropped,
    when the database was busy."""
    try:
        write()
        db.session.commit()
    except OperationalError:
        db.session.rollback()
        return False
    return True


def init_app(app: Flask) -> None:
    """Install the after_request hook that commits what a request hook asked to keep."""
    app.after_request(_commit_answered)
