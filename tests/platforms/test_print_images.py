"""Uploads downscaled for print (packs' photos and floor plans, the site plan under its outlines) go through one
converter: the longest side is brought down to the size asked for, transparent parts print white, photos become
JPEGs and drawings of few colours PNGs, and a missing or broken file gives nothing instead of an error."""
from __future__ import annotations

import base64
import io
import re

import pytest
from PIL import Image, ImageDraw

from crm.platforms.media import FEW_COLOURS, print_data_uri


def _decoded(uri: str) -> tuple[str, Image.Image]:
    kind, data = re.fullmatch(r'data:image/(png|jpeg);base64,(.+)', uri).groups()
    return kind, Image.open(io.BytesIO(base64.b64decode(data)))


def _saved(image: Image.Image, path, fmt: str = 'PNG'):
    image.save(path, fmt)
    return path


@pytest.mark.nodb
def test_a_large_photo_becomes_a_jpeg_of_the_size_asked_for_and_a_small_one_is_not_enlarged(tmp_path):
    photo = _saved(Image.new('RGB', (3000, 2000), (30, 90, 160)), tmp_path / 'photo.jpg', 'JPEG')
    kind, printed = _decoded(print_data_uri(photo, 1200, lossless_modes=FEW_COLOURS))
    assert (kind, printed.size, printed.mode) == ('jpeg', (1200, 800), 'RGB')
    assert all(abs(a - b) <= 3 for a, b in zip(printed.getpixel((600, 400)), (30, 90, 160)))
    small = _saved(Image.new('RGB', (300, 200), 'red'), tmp_path / 'small.jpg', 'JPEG')
    assert _decoded(print_data_uri(small, 1200))[1].size == (300, 200)


@pytest.mark.nodb
def test_drawings_of_few_colours_stay_lossless_pngs_when_the_caller_asks(tmp_path):
    drawing = Image.new('L', (2000, 1000), 255)
    ImageDraw.Draw(drawing).rectangle([100, 100, 1900, 900], outline=0, width=20)
    grey = _saved(drawing, tmp_path / 'grey.png')
    palette = _saved(drawing.convert('RGB').convert('P', palette=Image.ADAPTIVE, colors=4), tmp_path / 'palette.png')
    kind, printed = _decoded(print_data_uri(grey, 1000, lossless_modes=FEW_COLOURS))
    assert (kind, printed.mode, printed.size) == ('png', 'L', (1000, 500))
    assert printed.getpixel((500, 250)) == 255 and printed.getpixel((55, 250)) < 30
    kind, printed = _decoded(print_data_uri(palette, 1000, lossless_modes=FEW_COLOURS))
    assert (kind, printed.mode) == ('png', 'RGB')
    assert _decoded(print_data_uri(grey, 1000))[0] == 'jpeg', 'without lossless modes every image is a JPEG'


@pytest.mark.nodb
def test_transparent_parts_print_white_as_jpeg_and_as_png(tmp_path):
    clear = Image.new('RGBA', (1600, 900), (0, 0, 0, 0))
    clear.paste((0, 0, 0, 255), (100, 100, 200, 800))
    path = _saved(clear, tmp_path / 'clear.png')
    for lossless, kind in (((), 'jpeg'), (('RGBA',), 'png')):
        found, printed = _decoded(print_data_uri(path, 1200, lossless_modes=lossless))
        grey = printed.convert('L')
        assert (found, printed.size) == (kind, (1200, 675))
        assert grey.getpixel((10, 10)) > 240 and grey.getpixel((110, 300)) < 40


@pytest.mark.nodb
def test_a_missing_or_broken_file_gives_nothing(tmp_path):
    broken = tmp_path / 'broken.png'
    broken.write_bytes(b'\x89PNG\r\n\x1a\n not really an image')
    assert print_data_uri(tmp_path / 'gone.jpg', 900) is None
    assert print_data_uri(broken, 900) is None


def test_a_pack_prints_a_transparent_floor_plan_as_a_png_and_a_unit_photo_as_a_jpeg(app, factories, db_session):
    from crm.db import db
    from crm.packs.content import PHOTO_PIXELS, PLAN_PIXELS, print_image
    from crm.platforms.media import store
    from crm.platforms.models import Building

    building = factories.building(factories.platform('打印图片园'))
    plan = Image.new('RGBA', (2800, 1400), (0, 0, 0, 0))
    ImageDraw.Draw(plan).rectangle([100, 100, 2700, 1300], outline=(0, 0, 0, 255), width=12)
    photo = Image.new('RGBA', (1800, 1200), (200, 120, 40, 255))
    files = []
    for image in (plan, photo):
        out = io.BytesIO()
        image.save(out, 'PNG')
        files.append(out.getvalue())
    with app.test_request_context():
        home = db.session.get(Building, building.id)
        plan_media = store(files[0], 'plan.png', building=home, unit=None, kind='floor_plan', actor_id=None)
        photo_media = store(files[1], 'photo.png', building=home, unit=None, kind='photo', actor_id=None)
        plan_kind, printed_plan = _decoded(print_image(plan_media, PLAN_PIXELS))
        photo_kind, printed_photo = _decoded(print_image(photo_media, PHOTO_PIXELS))
    assert (plan_kind, printed_plan.mode, printed_plan.size) == ('png', 'L', (1400, 700))
    assert printed_plan.getpixel((700, 350)) == 255, 'the transparent inside prints white, not black'
    assert (photo_kind, printed_photo.size) == ('jpeg', (900, 600))
