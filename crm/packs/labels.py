"""What packs and 政策摘要 print around their data. The words themselves are in the Babel catalog (English ids,
Chinese translations); a document is rendered inside `crm.core.i18n.in_language(lang)`, so every label and every
generated text (reasons, conditions, amounts) comes out in the document's language. Plan quotes, citations and
proper names stay as written, in Chinese."""
from __future__ import annotations

import re

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from crm.core.labels import fact_label, fact_unit_label

LEVELS = {'eligible': _l('eligible'), 'conditional': _l('conditionally eligible')}
CONDITION_STATUSES = {'met': _l('met'), 'unmet': _l('not met'), 'unknown': _l('to be checked')}
_NUMBER = re.compile(r'^[\d,.]+$')


def footer_css() -> Markup:
    """The page footer as a CSS `content` value in the current language: "Page " counter(page) " of " …"""
    text = _('Page %(page)s of %(pages)s', page='\x00page\x00', pages='\x00pages\x00')
    parts = []
    for i, part in enumerate(re.split('\x00(pages?)\x00', text)):
        if i % 2:
            parts.append(f'counter({part})')
        elif part:
            parts.append('"' + part.replace('\\', '\\\\').replace('"', '\\"') + '"')
    return Markup(' '.join(parts))


def numeric(value: str | None) -> bool:
    """A plan fact whose value is a figure (1,260 亿元) rather than words (the plan's own phrase)."""
    return bool(value) and bool(_NUMBER.match(str(value)))


def helpers() -> dict:
    """What the pack and summary templates use besides `_()`."""
    return {'levels': LEVELS, 'statuses': CONDITION_STATUSES, 'footer_css': footer_css, 'numeric': numeric,
            'fact_label': fact_label, 'fact_unit_label': fact_unit_label}
