"""Photos and floor plans: checked by their content (not their name), stored under random names."""
from __future__ import annotations

import base64
import io
import secrets
from functools import lru_cache
from pathlib import Path

from flask import abort, current_app
from PIL import Image, UnidentifiedImageError
from sqlalchemy import event
from sqlalchemy.orm import Session

from crm.core.i18n import gettext as _
from crm.core.rules import RuleError
from crm.db import db
from crm.platforms.models import Building, MediaFile, Unit

MAX_BYTES = 5 * 1024 * 1024
SIGNATURES = {
    'image/jpeg': (b'\xff\xd8\xff',),
    'image/png': (b'\x89PNG\r\n\x1a\n',),
}
EXTENSIONS = {'image/jpeg': 'jpg', 'image/png': 'png', 'image/webp': 'webp'}


class MediaError(RuleError):
    """The upload is not an acceptable image; the message says why (`field`: the file input)."""


def sniff(data: bytes) -> str:
    """The image type from the file's first bytes (JPEG, PNG or WebP), else MediaError."""
    if len(data) > MAX_BYTES:
        raise MediaError(_('An image may not exceed 5 MB'), field='file')
    if data[:4] == b'RIFF' and data[8:12] == b'WEBP':
        return 'image/webp'
    for content_type, prefixes in SIGNATURES.items():
        if data.startswith(prefixes):
            return content_type
    raise MediaError(_('Only JPEG, PNG or WebP images are accepted (judged by the content, not the extension)'),
                     field='file')


def media_folder() -> Path:
    folder = Path(current_app.instance_path) / 'media'
    folder.mkdir(parents=True, exist_ok=True)
    return folder


# Images of these modes (palette, greyscale, bilevel: drawings, scans of plans) keep their lines sharp as a PNG.
FEW_COLOURS = ('P', 'L', 'LA', '1')


def print_data_uri(path: Path, max_px: int, *, lossless_modes: tuple[str, ...] = ()) -> str | None:
    """A stored image downscaled for print (longest side at most `max_px`) as a data: URI, None when the file is
    missing or not a readable image. Transparent parts print white. A JPEG (the PDF carries it as it is, without
    decoding and re-compressing it), unless the image's mode is one of `lossless_modes`: then a PNG (greyscale, or
    RGB for a palette image). Each file is converted once (files never change under their random names; the cache
    is keyed by the modification time all the same)."""
    try:
        mtime = path.stat().st_mtime
    except OSError:
        return None
    return _print_data_uri(str(path), mtime, max_px, lossless_modes)


@lru_cache(maxsize=64)
def _print_data_uri(path: str, mtime: float, max_px: int, lossless_modes: tuple[str, ...]) -> str | None:
    try:
        with Image.open(path) as image:
            image.load()
            mode = image.mode
            if max(image.size) > max_px:
                image.thumbnail((max_px, max_px), Image.LANCZOS)
            flat = _on_white(image)
            out = io.BytesIO()
            if mode in lossless_modes:
                flat.convert('RGB' if mode == 'P' else 'L').save(out, 'PNG', optimize=True)
                kind = 'png'
            else:
                flat.convert('RGB').save(out, 'JPEG', quality=80, optimize=True)
                kind = 'jpeg'
    except (OSError, UnidentifiedImageError, ValueError):
        return None
    return f'data:image/{kind};base64,' + base64.b64encode(out.getvalue()).decode()


def _on_white(image: Image.Image) -> Image.Image:
    """The image with its transparent parts white (paper), as RGB; other images unchanged."""
    if image.mode not in ('RGBA', 'LA', 'PA') and 'transparency' not in image.info:
        return image
    rgba = image.convert('RGBA')
    flat = Image.new('RGB', rgba.size, 'white')
    flat.paste(rgba, mask=rgba.getchannel('A'))
    return flat


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
