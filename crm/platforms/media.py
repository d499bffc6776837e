"""Photos and floor plans: checked by their content (not their name), stored under random names."""
from __future__ import annotations

import secrets
from pathlib import Path

from flask import abort, current_app
from sqlalchemy import event
from sqlalchemy.orm import Session

from crm.core.i18n import gettext as _
from crm.db import db
from crm.platforms.models import Building, MediaFile, Unit

MAX_BYTES = 5 * 1024 * 1024
SIGNATURES = {
    'image/jpeg': (b'\xff\xd8\xff',),
    'image/png': (b'\x89PNG\r\n\x1a\n',),
}
EXTENSIONS = {'image/jpeg': 'jpg', 'image/png': 'png', 'image/webp': 'webp'}


class MediaError(ValueError):
    """The upload is not an acceptable image; the message says why."""


def sniff(data: bytes) -> str:
    """The image type from the file's first bytes (JPEG, PNG or WebP), else MediaError."""
    if len(data) > MAX_BYTES:
        raise MediaError(_('An image may not exceed 5 MB'))
    if data[:4] == b'RIFF' and data[8:12] == b'WEBP':
        return 'image/webp'
    for content_type, prefixes in SIGNATURES.items():
        if data.startswith(prefixes):
            return content_type
    raise MediaError(_('Only JPEG, PNG or WebP images are accepted (judged by the content, not the extension)'))


def media_folder() -> Path:
    folder = Path(current_app.instance_path) / 'media'
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def store(data: bytes, original_name: str, *, building: Building, unit: Unit | None, kind: str,
          actor_id: int | None) -> MediaFile:
    """Validate and store one image for a building (floor plan) or unit (photo)."""
    content_type = sniff(data)
    stored = f'{secrets.token_hex(16)}.{EXTENSIONS[content_type]}'
    (media_folder() / stored).write_bytes(data)
    media = MediaFile(platform_id=building.platform_id, building_id=building.id, unit_id=unit.id if unit else None,
                      kind=kind, stored_name=stored, content_type=content_type, size=len(data),
                      original_name=(original_name or 'image')[:200], uploaded_by_id=actor_id)
    db.session.add(media)
    db.session.flush()
    return media


def remove(media: MediaFile) -> None:
    """Delete the record now and its file once the transaction commits (a rollback keeps both)."""
    session = db.session()
    session.info.setdefault(_UNLINK_AFTER_COMMIT, []).append(media_folder() / media.stored_name)
    session.delete(media)
    session.flush()


_UNLINK_AFTER_COMMIT = 'crm.media.unlink_after_commit'


@event.listens_for(Session, 'after_commit')
def _unlink_removed_files(session: Session) -> None:
    for path in session.info.pop(_UNLINK_AFTER_COMMIT, []):
        path.unlink(missing_ok=True)


@event.listens_for(Session, 'after_rollback')
def _keep_files_on_rollback(session: Session) -> None:
    session.info.pop(_UNLINK_AFTER_COMMIT, None)


def path_of(media: MediaFile) -> Path:
    """The stored file of an image; 404 when the file has gone missing from the media folder."""
    path = media_folder() / media.stored_name
    if not path.is_file():
        abort(404)
    return path
