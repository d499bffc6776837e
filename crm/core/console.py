"""Command-line output shared by every feature's commands: one JSON document with `--json`, a human line otherwise."""
from __future__ import annotations

import json
from typing import Any

import click


def emit(payload: Any, as_json: bool, human: str) -> None:
    if as_json:
        click.echo(json.dumps(payload, ensure_ascii=False, indent=2, default=str))
    else:
        click.echo(human)
