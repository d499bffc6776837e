"""Checks on produced PDFs shared by the pack tests."""
from __future__ import annotations

import io

from fontTools.ttLib import TTFont
from pypdf import PdfReader


def embedded_fonts(pdf: bytes) -> dict[str, tuple[str, int]]:
    """Map each embedded font's PDF name to (name ID 4 of the embedded program, program size in bytes)."""
    found = {}
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for font_ref in page['/Resources']['/Font'].values():
            font = font_ref.get_object()
            descendant = font['/DescendantFonts'][0].get_object()
            descriptor = descendant['/FontDescriptor'].get_object()
            stream = (descriptor.get('/FontFile3') or descriptor.get('/FontFile2')).get_object()
            data = stream.get_data()
            with TTFont(io.BytesIO(data)) as program:
                found[str(font['/BaseFont'])] = (program['name'].getDebugName(4) or '', len(data))
    return found
