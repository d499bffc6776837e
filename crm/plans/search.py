"""Substring search over plan paragraphs, identical on SQLite and PostgreSQL.

Contract: a paragraph matches when every whitespace-separated term of the query, normalised like
the stored text (NFKC + casefold), is a substring of its normalised text. SQLite answers terms of
three or more characters from the FTS5 trigram index, two-character CJK/alphanumeric terms from a
bigram index (trigram MATCH ignores short terms, and LIKE on the FTS table silently misses short
CJK patterns), and anything else with LIKE on the base table. PostgreSQL answers every term with
LIKE, which its pg_trgm GIN index accelerates for three characters and more.
Only current versions of documents are searched, so a superseded copy is never a second source.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from markupsafe import Markup, escape
from sqlalchemy import Column, Integer, MetaData, Select, Table, Text, cast, exists, func, select

from crm.db import db
from crm.plans.models import Commitment, PlanDocument, PlanParagraph
from crm.plans.parsing import normalize_for_search
from crm.plans.parsing.text import bigram_char

SNIPPET_RADIUS = 60
MAX_LIMIT = 200


def query_terms(query: str) -> list[str]:
    """The normalised, distinct terms of a query, in order."""
    terms: list[str] = []
    for raw in (query or '').split():
        term = normalize_for_search(raw)
        if term and term not in terms:
            terms.append(term)
    return terms


def _like_pattern(term: str) -> str:
    return '%' + term.replace('\\', '\\\\').replace('%', '\\%').replace('_', '\\_') + '%'


# The SQLite FTS5 tables (created by migrations, outside the ORM metadata), joined by rowid.
_FTS_META = MetaData()
TRIGRAM_FTS = Table('plan_fts', _FTS_META, Column('rowid', Integer), Column('text_norm', Text))
BIGRAM_FTS = Table('plan_fts_bigram', _FTS_META, Column('rowid', Integer), Column('text_bigrams', Text))


def _phrase(terms: list[str]) -> str:
    return ' AND '.join('"' + t.replace('"', '""') + '"' for t in terms)


def _apply_matching(stmt: Select, terms: list[str]) -> Select:
    """Every term must occur. On SQLite the FTS tables are joined (so the planner drives from the index):
    three characters and more through the trigram index, two CJK/alphanumeric characters through the bigram index."""
    sqlite = db.session.get_bind().dialect.name == 'sqlite'
    trigram = [t for t in terms if sqlite and len(t) >= 3]
    bigram = [t for t in terms if sqlite and len(t) == 2 and all(bigram_char(c) for c in t)]
    if trigram:
        stmt = stmt.join(TRIGRAM_FTS, TRIGRAM_FTS.c.rowid == PlanParagraph.id).where(
            TRIGRAM_FTS.c.text_norm.op('MATCH')(_phrase(trigram)))
    if bigram:
        stmt = stmt.join(BIGRAM_FTS, BIGRAM_FTS.c.rowid == PlanParagraph.id).where(
            BIGRAM_FTS.c.text_bigrams.op('MATCH')(_phrase(bigram)))
    for term in terms:
        if term not in trigram and term not in bigram:
            stmt = stmt.where(PlanParagraph.text_norm.like(_like_pattern(term), escape='\\'))
    return stmt


def search_statement(terms: list[str], *, document_id: int | None = None, platform: str | None = None,
                     kind: str | None = None) -> Select:
    """SELECT (id, text_norm, date, document id, seq) of the current paragraphs matching `terms`."""
    stmt = _apply_matching(select(PlanParagraph.id, PlanParagraph.text_norm, PlanDocument.date,
                                  PlanParagraph.document_id, PlanParagraph.seq).select_from(PlanParagraph), terms)
    stmt = stmt.join(PlanDocument, PlanParagraph.document_id == PlanDocument.id).where(
        PlanDocument.is_current.is_(True))
    if document_id:
        stmt = stmt.where(PlanParagraph.document_id == document_id)
    if platform:
        stmt = stmt.where(cast(PlanParagraph.platforms, Text).like(_like_pattern(f'"{platform}"'), escape='\\'))
    if kind == 'commitment':
        stmt = stmt.where(exists().where(Commitment.paragraph_id == PlanParagraph.id))
    return stmt


@dataclass
class Hit:
    """One search result."""

    paragraph: PlanParagraph
    score: int
    snippet: Markup

    def as_dict(self) -> dict:
        p = self.paragraph
        return {'anchor': p.anchor, 'citation': p.citation, 'document': p.document_id,
                'document_title': p.document.title, 'heading_path': p.heading_path, 'text': p.text,
                'snippet': str(self.snippet), 'score': self.score}


def _occurrences(terms: list[str]):
    """How often the terms occur in the normalised text (non-overlapping, like str.count), computed by the
    database: the text's length minus its length with each term removed, over the term's length."""
    total = None
    for term in terms:
        removed = func.length(PlanParagraph.text_norm) - func.length(func.replace(PlanParagraph.text_norm, term, ''))
        count = removed // len(term)
        total = count if total is None else total + count
    return total


def ranked_ids(terms: list[str], *, limit: int | None = None, offset: int = 0, **filters) -> list[tuple[int, int]]:
    """(paragraph id, score) of the matches, best first: occurrences of the terms, then newer documents, then
    document and reading order — ranked and cut by the database, so only one page leaves it."""
    score = _occurrences(terms).label('score')
    stmt = (search_statement(terms, **filters).with_only_columns(PlanParagraph.id, score)
            .order_by(score.desc(), PlanDocument.date.desc().nulls_last(), PlanParagraph.document_id,
                      PlanParagraph.seq))
    if limit is not None:
        stmt = stmt.limit(limit).offset(offset)
    return [(pid, int(points)) for pid, points in db.session.execute(stmt)]


def search(query: str, *, document_id: int | None = None, platform: str | None = None, kind: str | None = None,
           limit: int = 20, offset: int = 0) -> list[Hit]:
    """Ranked hits for `query` (empty query: no hits)."""
    terms = query_terms(query)
    if not terms:
        return []
    window = ranked_ids(terms, limit=max(1, min(limit, MAX_LIMIT)), offset=max(0, offset), document_id=document_id,
                        platform=platform, kind=kind)
    loaded = {p.id: p for p in db.session.scalars(select(PlanParagraph).where(
        PlanParagraph.id.in_([pid for pid, _ in window])))}
    return [Hit(paragraph=loaded[pid], score=score, snippet=highlight(loaded[pid].text, terms)) for pid, score in window]


def count_hits(query: str, **filters) -> int:
    """How many paragraphs match (for the pager)."""
    terms = query_terms(query)
    if not terms:
        return 0
    stmt = search_statement(terms, **filters).with_only_columns(func.count(PlanParagraph.id))
    return db.session.scalar(stmt) or 0


def _normalised_with_map(original: str) -> tuple[str, list[int]]:
    chars, index = [], []
    for position, char in enumerate(original):
        piece = unicodedata.normalize('NFKC', char).casefold()
        chars.append(piece)
        index.extend([position] * len(piece))
    return ''.join(chars), index


def term_spans(original: str, terms: list[str]) -> list[tuple[int, int]]:
    """Where the terms occur in the original text (merged, sorted character spans)."""
    norm, index = _normalised_with_map(original)
    spans = []
    for term in terms:
        start = norm.find(term)
        while start != -1:
            spans.append((index[start], index[start + len(term) - 1] + 1))
            start = norm.find(term, start + 1)
    merged: list[tuple[int, int]] = []
    for begin, end in sorted(spans):
        if merged and begin <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((begin, end))
    return merged


def highlight(original: str, terms: list[str], radius: int = SNIPPET_RADIUS) -> Markup:
    """A window of the text around the first hit, with every term wrapped in <mark> (the rest escaped)."""
    spans = term_spans(original, terms)
    first = spans[0][0] if spans else 0
    start, end = max(0, first - radius), min(len(original), first + radius * 2)
    parts, cursor = [], start
    for begin, finish in spans:
        if finish <= start or begin >= end:
            continue
        begin, finish = max(begin, start), min(finish, end)
        parts.append(escape(original[cursor:begin]))
        parts.append(Markup('<mark>') + escape(original[begin:finish]) + Markup('</mark>'))
        cursor = finish
    parts.append(escape(original[cursor:end]))
    prefix = '…' if start > 0 else ''
    suffix = '…' if end < len(original) else ''
    return Markup(prefix) + Markup('').join(parts) + Markup(suffix)
