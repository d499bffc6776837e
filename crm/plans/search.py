"""Substring search over plan paragraphs, identical on SQLite and PostgreSQL.

Contract: a paragraph matches when every whitespace-separated term of the query, normalised like
the stored text (NFKC + casefold), is a substring of its normalised text. SQLite answers terms of
three or more characters from the FTS5 trigram index, two-character CJK/alphanumeric terms from a
bigram index (trigram MATCH ignores short terms, and LIKE on the FTS table silently misses short
CJK patterns), and anything else with LIKE on the base table. PostgreSQL answers every term with
LIKE, which its pg_trgm GIN index accelerates for three characters and more.
Only current versions of documents are searched, so a superseded copy is never a second source.

Matches are ranked by occurrences of the terms, then newer documents, then reading order. PostgreSQL counts in
the text. SQLite reads the counts from an index of count tokens (see parsing.text.count_tokens): only the
paragraphs holding a term twice or more are ranked by count — the rest all score one per term and come in reading
order, which the database cuts with LIMIT — so a page costs about the same whatever the term's length.
"""
from __future__ import annotations

import functools
import html
import json
import re
import unicodedata
from dataclasses import dataclass

from markupsafe import Markup
from sqlalchemy import (
    Column,
    Integer,
    MetaData,
    Select,
    Table,
    Text,
    bindparam,
    cast,
    exists,
    func,
    literal,
    select,
    union,
    union_all,
)
from sqlalchemy.orm import joinedload, load_only

from crm.db import db
from crm.plans.models import Commitment, PlanDocument, PlanParagraph
from crm.plans.parsing import normalize_for_search
from crm.plans.parsing.text import COUNT_BITS, COUNTED_MAX, bigram_char, count_token

SNIPPET_RADIUS = 60
CUT_MARGIN = 2  # rank a single term among twice as many of its densest paragraphs as the page needs
_INDEX_RANGES = ('\u4e00-\u9fff', '\u3400-\u4dbf', 'a-z0-9')  # the characters bigram_char keeps
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
COUNTS_FTS = Table('plan_fts_counts', _FTS_META, Column('rowid', Integer), Column('text_counts', Text))


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
    return _restrict(stmt.join(PlanDocument, PlanParagraph.document_id == PlanDocument.id), document_id=document_id,
                     platform=platform, kind=kind)


def _restrict(stmt: Select, *, document_id: int | None = None, platform: str | None = None,
              kind: str | None = None) -> Select:
    """Current documents only, and the page's filters (a statement already joined with PlanDocument)."""
    stmt = stmt.where(PlanDocument.is_current.is_(True))
    if document_id:
        stmt = stmt.where(PlanParagraph.document_id == document_id)
    if platform:
        stmt = stmt.where(cast(PlanParagraph.platforms, Text).like(_like_pattern(f'"{platform}"'), escape='\\'))
    if kind == 'commitment':
        stmt = stmt.where(exists().where(Commitment.paragraph_id == PlanParagraph.id))
    return stmt


def _restrict_bound(stmt: Select, shape: tuple[bool, bool, bool]) -> Select:
    """_restrict with the filter values left as bind parameters (document_id, platform_like), for a statement
    built once per shape of filters (see _filter_shape) and cached."""
    has_document, has_platform, commitments = shape
    stmt = stmt.where(PlanDocument.is_current.is_(True))
    if has_document:
        stmt = stmt.where(PlanParagraph.document_id == bindparam('document_id'))
    if has_platform:
        stmt = stmt.where(cast(PlanParagraph.platforms, Text).like(bindparam('platform_like'), escape='\\'))
    if commitments:
        stmt = stmt.where(exists().where(Commitment.paragraph_id == PlanParagraph.id))
    return stmt


def _filter_shape(filters: dict) -> tuple[tuple[bool, bool, bool], dict]:
    """Which filters are set, and their bind parameter values."""
    params: dict = {}
    if filters.get('document_id'):
        params['document_id'] = filters['document_id']
    if filters.get('platform'):
        params['platform_like'] = _like_pattern(f'"{filters["platform"]}"')
    return (bool(filters.get('document_id')), bool(filters.get('platform')), filters.get('kind') == 'commitment'), params


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


def _replace_count(term: str):
    """Occurrences of a term in the normalised text (non-overlapping, like str.count), computed from the text:
    its length minus its length with the term removed, over the term's length."""
    removed = func.length(PlanParagraph.text_norm) - func.length(func.replace(PlanParagraph.text_norm, term, ''))
    return removed // len(term)


def _occurrences(terms: list[str]):
    """How often the terms occur in the normalised text, computed by the database from the text."""
    counts = [_replace_count(term) for term in terms]
    return sum(counts[1:], counts[0])


def _reading_order():
    return PlanDocument.date.desc().nulls_last(), PlanParagraph.document_id, PlanParagraph.seq


def ranked_ids(terms: list[str], *, limit: int | None = None, offset: int = 0, **filters) -> list[tuple[int, int]]:
    """(paragraph id, score) of the matches, best first: occurrences of the terms, then newer documents, then
    document and reading order — ranked and cut by the database, so only one page leaves it."""
    if limit is not None and db.session.get_bind().dialect.name == 'sqlite':
        ranked = _ranked_from_counts(terms, limit, offset, filters)
        if ranked is not None:
            return ranked
    score = _occurrences(terms).label('score')
    stmt = search_statement(terms, **filters).with_only_columns(PlanParagraph.id, score).order_by(
        score.desc(), *_reading_order())
    if limit is not None:
        stmt = stmt.limit(limit).offset(offset)
    return [(pid, int(points)) for pid, points in db.session.execute(stmt)]


# --- SQLite: occurrences from the count tokens ------------------------------------------------------------------

def _count_runs(term: str) -> list[str]:
    """The runs of index characters whose counts bound the term's count: the term itself when it is one such run
    of at most COUNTED_MAX characters, else every COUNTED_MAX-long window of its runs (shorter runs whole)."""
    out: list[str] = []
    for run in (r for r in re.findall(f"[{''.join(_INDEX_RANGES)}]+", term) if len(r) >= 2):
        size = min(len(run), COUNTED_MAX)
        out.extend(run[i:i + size] for i in range(len(run) - size + 1))
    return list(dict.fromkeys(out))


def _self_overlapping(term: str) -> bool:
    """A term whose start is also its end (哈哈, 发展发展): overlapping occurrences count once in the text."""
    return any(term[:k] == term[-k:] for k in range(1, len(term)))


def _token_match(query: str) -> Select:
    counts = COUNTS_FTS.alias()
    return select(counts.c.rowid).where(counts.c.text_counts.op('MATCH')(query))


@functools.lru_cache(maxsize=8)
def _digits(n: int):
    """(paragraph id, value of a binary digit) for every binary digit set in the count of the n-th term of a
    query, over the paragraphs holding it twice or more (tokens bound as digit_<n>_<bit>, see _digit_tokens)."""
    return union_all(*[select(COUNTS_FTS.c.rowid.label('pid'), literal(1 << bit).label('weight')).where(
        COUNTS_FTS.c.text_counts.op('MATCH')(bindparam(f'digit_{n}_{bit}'))) for bit in range(COUNT_BITS)]).subquery()


def _digit_sums(n: int, at_least: int = 1) -> Select:
    """(paragraph id, occurrences) of the n-th term, for the paragraphs holding it twice or more — only those
    holding it 2**at_least times or more when `at_least` is above one."""
    digits = _digits(n)
    stmt = select(digits.c.pid, func.sum(digits.c.weight).label('n')).group_by(digits.c.pid)
    if at_least > 1:
        high = COUNTS_FTS.alias()
        stmt = stmt.where(digits.c.pid.in_(select(high.c.rowid).where(high.c.text_counts.op('MATCH')(
            bindparam(f'high_{n}')))))
    return stmt


@functools.lru_cache(maxsize=1)
def _digit_sizes() -> Select:
    """How many paragraphs have each binary digit of the first term's count set."""
    return select(*[select(func.count()).select_from(COUNTS_FTS).where(
        COUNTS_FTS.c.text_counts.op('MATCH')(bindparam(f'digit_0_{bit}'))).scalar_subquery()
        for bit in range(COUNT_BITS)])


def _lowest_digit(term: str, end: int) -> int:
    """The highest binary digit h for which the paragraphs holding the term 2**h times or more number at least
    CUT_MARGIN × `end` (estimated from the sizes of the digits' token lists): the best `end` are among them."""
    sizes = db.session.execute(_digit_sizes(), _digit_tokens([term])).one()
    total = 0
    for bit in range(COUNT_BITS - 1, 1, -1):
        total += sizes[bit]
        if total >= CUT_MARGIN * end:
            return bit
    return 1


def _digit_tokens(terms: list[str]) -> dict[str, str]:
    return {f'digit_{n}_{bit}': f'"{count_token(term, bit)}"' for n, term in enumerate(terms) for bit in range(COUNT_BITS)}


def _exact(term: str, runs: list[str]) -> bool:
    """Whether the count tokens give the term's count itself (one run, not overlapping itself)."""
    return runs == [term] and not _self_overlapping(term)


def _repeat_counts(term: str, runs: list[str], n: int) -> dict[int, int]:
    """Paragraph id → occurrences of the term, for the paragraphs holding it twice or more (any matching paragraph
    not listed holds it once). An exact term is counted from its count tokens alone; otherwise the tokens pick
    the paragraphs holding every run twice and only those are read."""
    if _exact(term, runs):
        return dict(db.session.execute(_digit_sums(n), _digit_tokens([term] * (n + 1))).all())
    twice = ' AND '.join('(' + ' OR '.join(f'"{count_token(run, bit)}"' for bit in range(1, COUNT_BITS)) + ')'
                         for run in runs)
    rows = db.session.execute(select(PlanParagraph.id, _replace_count(term))
                              .where(PlanParagraph.id.in_(_token_match(twice))))
    return {pid: int(count) for pid, count in rows if count >= 2}


def _top_exact(terms: list[str], end: int, filters: dict) -> list[tuple[int, int]]:
    """The matches holding some term twice or more, best first, at most `end` of them — ranked by the database
    from the count tokens alone, driven from the paragraphs that repeat a term rather than from all matches. A
    single term is first ranked among the paragraphs holding it most often only (see _lowest_digit)."""
    if len(terms) > 1:
        return _top_exact_from(terms, end, filters, 1)
    at_least = _lowest_digit(terms[0], end)
    shape, params = _filter_shape(filters)
    params.update(_digit_tokens(terms), end=end)
    for low in dict.fromkeys((at_least, 1)):  # the densest paragraphs first; all repeats if filters leave too few
        if low > 1:
            params['high_0'] = ' OR '.join(f'"{count_token(terms[0], bit)}"' for bit in range(low, COUNT_BITS))
        ranked = [(pid, int(points)) for pid, points in db.session.execute(_top_single(low > 1, shape), params)]
        if len(ranked) == end:
            break
    return ranked


@functools.lru_cache(maxsize=16)
def _top_single(cut: bool, shape: tuple[bool, bool, bool]) -> Select:
    """The ranking statement of one exact term, built once per shape (bind parameters: digit_0_<bit>, high_0,
    end, and the filters')."""
    sums = _digit_sums(0, 2 if cut else 1).subquery()
    score = sums.c.n.label('score')
    stmt = select(PlanParagraph.id, score).select_from(sums).join(PlanParagraph, PlanParagraph.id == sums.c.pid)
    stmt = _restrict_bound(stmt.join(PlanDocument, PlanParagraph.document_id == PlanDocument.id), shape)
    return stmt.order_by(score.desc(), *_reading_order()).limit(bindparam('end'))


def _top_exact_from(terms: list[str], end: int, filters: dict, at_least: int) -> list[tuple[int, int]]:
    sums = [_digit_sums(n, at_least).subquery() for n in range(len(terms))]
    repeated = union(*[select(c.c.pid) for c in sums]).subquery()
    score = sum((func.coalesce(c.c.n, 1) for c in sums[1:]), func.coalesce(sums[0].c.n, 1)).label('score')
    stmt = select(PlanParagraph.id, score).select_from(repeated).join(PlanParagraph, PlanParagraph.id == repeated.c.pid)
    for c in sums:
        stmt = stmt.outerjoin(c, c.c.pid == PlanParagraph.id)
    stmt = _restrict(_apply_matching(stmt, terms).join(PlanDocument, PlanParagraph.document_id == PlanDocument.id),
                     **filters)
    return [(pid, int(points)) for pid, points in
            db.session.execute(stmt.order_by(score.desc(), *_reading_order()).limit(end), _digit_tokens(terms))]


def _id_list(ids: list[int]) -> Select:
    return select(func.json_each(json.dumps(ids)).table_valued('value').c.value)


def _top_read(terms: list[str], runs: list[list[str]], filters: dict) -> list[tuple[int, int]]:
    """Every match holding some term twice or more, best first, with counts read where the tokens cannot tell."""
    repeats: dict[int, dict[int, int]] = {}
    for n, term in enumerate(terms):
        for pid, count in _repeat_counts(term, runs[n], n).items():
            repeats.setdefault(pid, {})[n] = count
    if not repeats:
        return []
    top: list[tuple[tuple, int]] = []
    rows = db.session.execute(search_statement(terms, **filters).with_only_columns(
        PlanParagraph.id, PlanDocument.date, PlanParagraph.document_id, PlanParagraph.seq)
        .where(PlanParagraph.id.in_(_id_list(list(repeats)))))
    for pid, day, document_id, seq in rows:
        score = sum(repeats[pid].get(n, 1) for n in range(len(terms)))
        top.append(((-score, day is None, -(day.toordinal() if day else 0), document_id, seq), pid))
    top.sort()
    return [(pid, -key[0]) for key, pid in top]


def _ranked_from_counts(terms: list[str], limit: int, offset: int, filters: dict) -> list[tuple[int, int]] | None:
    """The ranking without reading every matching paragraph: the matches holding a term twice or more are few and
    scored from the count tokens; every other match scores one per term and follows in reading order, so the
    database cuts those by LIMIT from its indexes. None when a term has no run to count (only punctuation)."""
    runs = [_count_runs(term) for term in terms]
    if not all(runs):
        return None
    end = offset + limit
    if all(_exact(term, r) for term, r in zip(terms, runs)):
        ranked = _top_exact(terms, end, filters)
        if len(ranked) == end:
            return ranked[offset:]
    else:
        ranked = _top_read(terms, runs, filters)
    if len(ranked) < end:
        rest = (search_statement(terms, **filters).with_only_columns(PlanParagraph.id).order_by(*_reading_order())
                .limit(end - max(offset, len(ranked))).offset(max(0, offset - len(ranked))))
        if ranked:
            rest = rest.where(PlanParagraph.id.not_in(_id_list([pid for pid, _ in ranked])))
        return ranked[offset:] + [(pid, len(terms)) for pid in db.session.scalars(rest)]
    return ranked[offset:end]


def search(query: str, *, document_id: int | None = None, platform: str | None = None, kind: str | None = None,
           limit: int = 20, offset: int = 0) -> list[Hit]:
    """Ranked hits for `query` (empty query: no hits)."""
    terms = query_terms(query)
    if not terms:
        return []
    window = ranked_ids(terms, limit=max(1, min(limit, MAX_LIMIT)), offset=max(0, offset), document_id=document_id,
                        platform=platform, kind=kind)
    loaded = {p.id: p for p in db.session.scalars(_hits_statement(), {'ids': [pid for pid, _ in window]})}
    return [Hit(paragraph=loaded[pid], score=score, snippet=highlight(loaded[pid].text, terms)) for pid, score in window]


@functools.lru_cache(maxsize=1)
def _hits_statement() -> Select:
    """The paragraphs of a page of hits (bind parameter: ids), with only what a hit shows."""
    return (select(PlanParagraph).where(PlanParagraph.id.in_(bindparam('ids', expanding=True)))
            .options(load_only(PlanParagraph.id, PlanParagraph.document_id, PlanParagraph.anchor, PlanParagraph.text,
                               PlanParagraph.text_norm, PlanParagraph.heading_path, PlanParagraph.citation_path),
                     joinedload(PlanParagraph.document).load_only(PlanDocument.id, PlanDocument.title)))


def count_hits(query: str, **filters) -> int:
    """How many paragraphs match (for the pager)."""
    terms = query_terms(query)
    if not terms:
        return 0
    stmt = search_statement(terms, **filters).with_only_columns(func.count(PlanParagraph.id))
    return db.session.scalar(stmt) or 0


def _normalised_with_map(original: str) -> tuple[str, list[int] | range]:
    """The text normalised (NFKC + casefold) and, per normalised character, its offset in the original. Plan text
    normalises one character to one (full-width punctuation to ASCII): then the map is the identity; a text in
    which some character expands (㎡ → m2) is mapped character by character."""
    whole = unicodedata.normalize('NFKC', original).casefold()
    if len(whole) == len(original):
        return whole, range(len(original))
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
    """A window of the text around the first hit, with every term wrapped in <mark> (the rest escaped). Only the
    window is normalised and searched when a term stands in the text as written (a long table is not)."""
    verbatim = [at for at in (original.find(term) for term in terms) if at >= 0]
    if verbatim:
        first = min(verbatim)
    else:
        spans = term_spans(original, terms)
        first = spans[0][0] if spans else 0
    start, end = max(0, first - radius), min(len(original), first + radius * 2)
    reach = max((len(term) for term in terms), default=0) * 2
    lo, hi = max(0, start - reach), min(len(original), end + reach)
    spans = [(lo + a, lo + b) for a, b in term_spans(original[lo:hi], terms)]
    parts, cursor = [], start
    for begin, finish in spans:
        if finish <= start or begin >= end:
            continue
        begin, finish = max(begin, start, cursor), min(finish, end)
        if begin >= finish:
            continue
        parts += [html.escape(original[cursor:begin], quote=True), '<mark>',
                  html.escape(original[begin:finish], quote=True), '</mark>']
        cursor = finish
    parts.append(html.escape(original[cursor:end], quote=True))
    prefix = '…' if start > 0 else ''
    suffix = '…' if end < len(original) else ''
    return Markup(prefix + ''.join(parts) + suffix)
