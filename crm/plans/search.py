"""Substring search over plan paragraphs, identical on SQLite and PostgreSQL.

Contract: a paragraph matches when every whitespace-separated term of the query, normalised like
the stored text (NFKC + casefold), is a substring of its normalised text. SQLite answers terms of
three or more characters from the FTS5 trigram index and shorter ones with LIKE on the base table
(trigram MATCH ignores them, and LIKE on the FTS table silently misses short CJK patterns);
PostgreSQL answers every term with LIKE, which its pg_trgm GIN index accelerates.
Only current versions of documents are searched, so a superseded copy is never a second source.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from markupsafe import Markup, escape
from sqlalchemy import ColumnElement, Integer, Select, Text, cast, column, exists, func, literal, select, text

from crm.db import db
from crm.plans.models import Commitment, PlanDocument, PlanParagraph
from crm.plans.parsing import normalize_for_search

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


def _fts_phrase(terms: list[str]) -> str:
    return ' AND '.join('"' + t.replace('"', '""') + '"' for t in terms)


def _match_clauses(terms: list[str]) -> list[ColumnElement[bool]]:
    dialect = db.session.get_bind().dialect.name
    long_terms = [t for t in terms if len(t) >= 3] if dialect == 'sqlite' else []
    clauses: list[ColumnElement[bool]] = []
    if long_terms:
        fts = (text('SELECT rowid FROM plan_fts WHERE plan_fts MATCH :phrase')
               .bindparams(phrase=_fts_phrase(long_terms)).columns(column('rowid', Integer)))
        clauses.append(PlanParagraph.id.in_(fts))
    for term in terms:
        if term not in long_terms:
            clauses.append(PlanParagraph.text_norm.like(_like_pattern(term), escape='\\'))
    return clauses


def _rank(terms: list[str]):
    score = literal(0)
    for term in terms:
        occurrences = (func.length(PlanParagraph.text_norm)
                       - func.length(func.replace(PlanParagraph.text_norm, term, ''))) / len(term)
        score = score + occurrences
    return score


def search_statement(terms: list[str], *, document_id: int | None = None, platform: str | None = None,
                     kind: str | None = None) -> Select:
    """The SELECT of (paragraph, score) matching `terms` with the filters."""
    score = _rank(terms).label('score')
    stmt = (select(PlanParagraph, score).join(PlanDocument, PlanParagraph.document_id == PlanDocument.id)
            .where(PlanDocument.is_current.is_(True), *_match_clauses(terms)))
    if document_id:
        stmt = stmt.where(PlanParagraph.document_id == document_id)
    if platform:
        stmt = stmt.where(cast(PlanParagraph.platforms, Text).like(_like_pattern(f'"{platform}"'), escape='\\'))
    if kind == 'commitment':
        stmt = stmt.where(exists().where(Commitment.paragraph_id == PlanParagraph.id))
    return stmt.order_by(score.desc(), PlanDocument.date.desc().nulls_last(), PlanParagraph.document_id,
                         PlanParagraph.seq)


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


def search(query: str, *, document_id: int | None = None, platform: str | None = None, kind: str | None = None,
           limit: int = 20, offset: int = 0) -> list[Hit]:
    """Ranked hits for `query` (empty query: no hits)."""
    terms = query_terms(query)
    if not terms:
        return []
    stmt = search_statement(terms, document_id=document_id, platform=platform, kind=kind)
    rows = db.session.execute(stmt.limit(max(1, min(limit, MAX_LIMIT))).offset(offset)).all()
    return [Hit(paragraph=row[0], score=int(row[1] or 0), snippet=highlight(row[0].text, terms)) for row in rows]


def count_hits(query: str, **filters) -> int:
    """How many paragraphs match (for the pager)."""
    terms = query_terms(query)
    if not terms:
        return 0
    stmt = search_statement(terms, **filters).order_by(None).with_only_columns(func.count(PlanParagraph.id))
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
