"""Detecting concurrent edits: a form carries the version it was rendered from, and what it showed, so a save
from a stale form applies only what this user changed on top of what is stored."""
from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any


class EditConflict(Exception):
    """The record changed since the form was rendered; nothing was written."""

    def __init__(self, obj: Any, submitted_version: int | None) -> None:
        super().__init__(f'{type(obj).__name__} changed: version {submitted_version} is stale')
        self.obj = obj
        self.submitted_version = submitted_version


def check_version(obj: Any, submitted_version: int | None) -> None:
    """Raise EditConflict unless `submitted_version` is the object's current version."""
    if submitted_version is None or int(submitted_version) != obj.version:
        raise EditConflict(obj, submitted_version)


def conflicting_fields(obj: Any, submitted: dict[str, Any], labels: dict[str, str]) -> list[dict[str, Any]]:
    """The fields whose stored value differs from what the user submitted, for the conflict notice."""
    rows = []
    for name, label in labels.items():
        stored = getattr(obj, name, None)
        mine = submitted.get(name)
        if (stored or None) != (mine or None):
            rows.append({'field': name, 'label': label, 'stored': stored, 'mine': mine})
    return rows


def canonical(value: Any, *, unordered: bool = False) -> Any:
    """A value as JSON that compares equal exactly when two form values mean the same: empty is None, 9000.00 is
    "9000", dates are ISO, line ends are \\n, `unordered` lists (multiple choices) are sorted, empty rows go."""
    if value is None or value is False or value == '' or value == [] or value == {}:
        return None
    if value is True or isinstance(value, int | float):
        return value
    if isinstance(value, Decimal):
        return format(value.normalize(), 'f') if value.is_finite() else str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, str):
        return value.replace('\r\n', '\n')
    if isinstance(value, Mapping):
        items = {str(k): canonical(v) for k, v in value.items() if str(k) != 'csrf_token'}
        return items if any(v is not None for v in items.values()) else None
    if isinstance(value, list | tuple | set | frozenset):
        items = [item for item in (canonical(v) for v in value) if item is not None]
        if unordered:
            items.sort(key=repr)
        return items or None
    return str(value)


# How a field stands between the version the user opened, the stored one and the user's input.
MINE, THEIRS, BOTH, SAME = 'mine', 'theirs', 'both', 'same'


def field_state(opened: Any, stored: Any, mine: Any) -> str | None:
    """MINE: only this user changed it (their input applies); THEIRS: only the stored version did (it stays);
    BOTH: each changed it differently (someone must choose); SAME: both made the same change; None: untouched."""
    if mine == opened:
        return THEIRS if stored != opened else None
    if stored == opened:
        return MINE
    return SAME if stored == mine else BOTH
