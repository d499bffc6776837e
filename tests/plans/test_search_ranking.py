"""Ranking by occurrences read from the index's count tokens equals counting in the text, on every page: terms
repeated a few or many times, terms that overlap themselves, terms longer than the counted runs, punctuation,
several terms, filters."""
import random
from datetime import date

import pytest
from sqlalchemy import insert, select

from crm.plans.models import PlanDocument, PlanParagraph
from crm.plans.search import query_terms, ranked_ids, search
from crm.plans.services import paragraph_row

WORDS = ['临江智造港', '人才', '哈哈', '发展发展', '产业园', '中国（杭州）跨境贸易电子商务产业园', '服务业', '的',
         '推进', '，', '数字经济', 'AI', '5G']
QUERIES = ['人才', '产业园', '哈哈', '发展发展', '临江智造港', '中国(杭州)跨境贸易电子商务产业园', '(杭州)', '数字经济 人才',
           '产业园 服务业', 'ai', '5g 人才', '，']


@pytest.fixture
def corpus(db_session):
    """Two current documents of 120 paragraphs each, made of a few words repeated up to 70 times."""
    rng = random.Random(5)
    for n, day in enumerate((date(2024, 3, 1), None)):
        doc = PlanDocument(slug=f'rank-{n}', title=f'排序测试{n}', source_filename='r.txt', sha256=f'{n}' * 64,
                           encoding='utf-8', raw=b'', is_current=True, date=day)
        db_session.add(doc)
        db_session.flush()
        rows = []
        for seq in range(1, 121):
            size = rng.choice([1, 3, 8, 40, 140])
            text = ''.join(rng.choice(WORDS) for _ in range(size)) + '。'
            rows.append(paragraph_row(doc.id, seq, seq, f'p{seq}', 'text', text, citation_path=f'第{seq}段'))
        db_session.execute(insert(PlanParagraph), rows)
    db_session.flush()
    return db_session.execute(select(PlanParagraph.id, PlanParagraph.text_norm, PlanDocument.date,
                                     PlanParagraph.document_id, PlanParagraph.seq)
                              .join(PlanDocument).where(PlanDocument.is_current.is_(True))).all()


def _oracle(rows, terms):
    scored = sorted(((sum(r.text_norm.count(t) for t in terms), r) for r in rows if all(t in r.text_norm for t in terms)),
                    key=lambda s: (-s[0], s[1].date is None, -(s[1].date.toordinal() if s[1].date else 0),
                                   s[1].document_id, s[1].seq))
    return [(r.id, score) for score, r in scored]


@pytest.mark.parametrize('query', QUERIES)
def test_every_page_ranks_as_counting_the_text(corpus, query):
    terms = query_terms(query)
    expected = _oracle(corpus, terms)
    assert len(expected) > 20, query
    repeats = sum(1 for _, score in expected if score > len(terms))
    for limit, offset in ((20, 0), (10, 7), (5, max(0, repeats - 2)), (7, repeats + 3), (50, len(expected) - 10)):
        assert ranked_ids(terms, limit=limit, offset=offset) == expected[offset:offset + limit], (query, offset)


def test_filters_and_counts_above_one_binary_digit(corpus, db_session):
    doc_id = db_session.scalar(select(PlanDocument.id).where(PlanDocument.slug == 'rank-1'))
    terms = query_terms('人才')
    expected = [hit for hit in _oracle([r for r in corpus if r.document_id == doc_id], terms)]
    assert max(score for _, score in expected) > 16, 'some paragraph holds the term more than 16 times'
    assert ranked_ids(terms, limit=30, offset=0, document_id=doc_id) == expected[:30]
    hits = search('人才', document_id=doc_id, limit=5)
    assert [(h.paragraph.id, h.score) for h in hits] == expected[:5]
    assert all('<mark>人才</mark>' in h.snippet for h in hits)
