"""Uploaded files kept briefly between preview and confirmation: random names, outside static/."""
from __future__ import annotations

import json
import re
import secrets
import time
from pathlib import Path

from flask import current_app

MAX_AGE_SECONDS = 3600


def _folder() -> Path:
    folder = Path(current_app.instance_path) / 'uploads'
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def save_upload(data: bytes, filename: str, *, owner: int | None = None) -> str:
    """Store bytes under a random token; the user's file name is kept only as metadata (and, for a file made for
    one user, whose it is)."""
    _purge_old()
    token = secrets.token_urlsafe(24)
    (_folder() / f'{token}.bin').write_bytes(data)
    (_folder() / f'{token}.json').write_text(json.dumps({'filename': filename[:200], 'owner': owner},
                                                        ensure_ascii=False))
    return token


def load_upload(token: str, *, owner: int | None = None) -> tuple[bytes, str]:
    """The bytes and original name of a stored upload (FileNotFoundError when unknown, expired, or made for another
    user than `owner`)."""
    if not re.fullmatch(r'[A-Za-z0-9_-]{20,64}', token or ''):
        raise FileNotFoundError(token)
    data = (_folder() / f'{token}.bin').read_bytes()
    meta = json.loads((_folder() / f'{token}.json').read_text())
    if meta.get('owner') is not None and meta['owner'] != owner:
        raise FileNotFoundError(token)
    return data, meta['filename']


def _purge_old() -> None:
    cutoff = time.time() - MAX_AGE_SECONDS
    for path in _folder().glob('*'):
        if path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)
