"""Ids read from the query string (list filters, a record preselected on a form): an id no record can have is
ignored, and the page says so, instead of a 500 or a silently unfiltered list."""
from __future__ import annotations

from flask import g, request
from flask_babel import gettext as _

from crm.core.validators import MAX_RECORD_ID, record_id


def id_arg(name: str, args=None) -> int | None:
    """The record id in query parameter `name` (None when it is absent, or not a record number: then the page
    shows that the filter was ignored). `args` may also hold ids checked already (the API's query, as ints)."""
    args = request.args if args is None else args
    raw = args.get(name)
    if isinstance(raw, int) and not isinstance(raw, bool):
        return raw if 0 < raw <= MAX_RECORD_ID else None
    if raw is None or not raw.strip():
        return None
    try:
        return record_id(raw.strip())
    except ValueError:
        ignored = g.setdefault('ignored_filters', [])
        message = _('The filter %(name)s was ignored: “%(value)s” is not a record number.', name=name,
                    value=raw.strip()[:24])
        if message not in ignored:
            ignored.append(message)
        return None
