"""Importing a plan whose page holds its text twice (re-wrapped, or with foreign strings in one copy) stores the
same paragraphs, anchors and citations as importing the text once, and reports the dropped copy."""
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from crm.plans.models import PlanDocument, PlanParagraph
from crm.plans.search import search
from crm.plans.services import import_document

sys.path.insert(0, str(Path(__file__).resolve().parent / 'parsing'))
from test_repeats import FOREIGN, PLAN, inject, rewrap  # noqa: E402


def _stored(db_session, document: PlanDocument) -> list[tuple[str, str, str]]:
    rows = db_session.scalars(select(PlanParagraph).where(PlanParagraph.document_id == document.id)
                              .order_by(PlanParagraph.seq)).all()
    return [(p.anchor, p.citation.replace(document.title, ''), p.text) for p in rows]


@pytest.mark.parametrize('name,raw', [
    ('rewrapped', PLAN + '\n' + rewrap(PLAN, 27, 4)),
    ('junk-first', rewrap(inject(PLAN, 2), 31, 2) + '\n' + PLAN),
    ('junk-second', PLAN + '\n' + rewrap(inject(PLAN, 3), 23, 6, half=False)),
])
def test_a_doubled_page_stores_what_the_single_text_stores(db_session, name, raw):
    meta = {'title': '临江区融合发展三年行动计划', 'kind': '行动计划'}
    once = import_document(PLAN.encode(), 'once.txt', {**meta, 'slug': f'once-{name}'}).document
    twice = import_document(raw.encode(), 'twice.txt', {**meta, 'slug': f'twice-{name}'}).document
    assert _stored(db_session, twice) == _stored(db_session, once)
    assert len(twice.report['duplicate_blocks']) == 1 and not once.report['duplicate_blocks']
    hits = search('母基金+直投', document_id=twice.id)
    assert len(hits) == 1 and hits[0].paragraph.citation == f'《{twice.title}》二、（三） 第1段'
    assert not any(s in text for _, _, text in _stored(db_session, twice) for s in FOREIGN)
