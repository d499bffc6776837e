"""Detecting concurrent edits: a form carries the version it was rendered from."""
from __future__ import annotations

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
