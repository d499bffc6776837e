"""What every searchable picker endpoint answers (static/js/picker.js reads it): at most LIMIT entries as
{"id", "text", "hint"?, "group"?}, and whether more matched than are shown, with what to tell the user then."""
from __future__ import annotations

from flask import jsonify

LIMIT = 20


def picker_json(results: list[dict], more_text: str):
    """The JSON answer for `results` (pass up to LIMIT + 1 of them: one more tells that there are more)."""
    more = len(results) > LIMIT
    return jsonify(results=results[:LIMIT], more=more, more_text=str(more_text) if more else '')
