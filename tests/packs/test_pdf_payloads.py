"""T6 (PDF half): payloads in a firm name come out of the pack and the policy summary as literal text."""
from __future__ import annotations

import io

from pypdf import PdfReader

from crm.packs.services import pdf_path
from tests.security.payloads import PAYLOADS

# Text a PDF can show and pypdf can read back (no RTL control, no characters outside the bundled fonts).
IN_PDF = ['{{7*7}}', '${7*7}', '#{7*7}', '<script>alert("xss1")</script>', '"><img src=x onerror=alert("xss2")>',
          '{% for x in range(3) %}{{x}}{% endfor %}', "'; DROP TABLE firm; --", 'javascript:alert("xss5")']


def _text(sha256: str) -> str:
    reader = PdfReader(io.BytesIO(pdf_path(sha256).read_bytes()))
    return ''.join(''.join(page.extract_text().split()) for page in reader.pages)


def test_payloads_render_literally_in_pack_and_summary(app, factories, in_app):
    assert set(IN_PDF) <= set(PAYLOADS)
    firm = factories.firm(' '.join(IN_PDF))
    platform = factories.platform('载荷测试平台')
    factories.tenancy(firm, factories.unit(factories.building(platform)))
    lead = factories.lead(firm, title='载荷测试项目', platforms=[platform])
    pack = factories.pack(lead)
    summary = factories.summary(firm)
    for document in (pack, summary):
        with in_app():
            text = _text(document.sha256)
        for payload in IN_PDF:
            assert ''.join(payload.split()) in text, (payload, text[:400])
        assert '{{7*7}}' in text and '{{49}}' not in text and 'x012' not in text.replace('{{x}}', '')
