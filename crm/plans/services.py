"""Importing plan documents: parse, store paragraphs/commitments/targets/tables, keep versions."""
from __future__ import annotations

import hashlib
import json
import re
import tomllib
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, select

from config import ROOT
from crm.core import audit
from crm.core.catalogue import load_catalogue
from crm.core.i18n import gettext as _
from crm.core.rules import RuleError
from crm.db import db
from crm.plans.models import Commitment, PlanCorrection, PlanDocument, PlanHeading, PlanParagraph, PlanTable, Target
from crm.plans.parsing import (
    DEFAULT_INDUSTRY_KEYWORDS,
    CorpusStats,
    Corrections,
    ParsedDocument,
    ParsedParagraph,
    Removal,
    Suspect,
    normalize_for_search,
    parse_document,
)
from crm.plans.parsing.corpus import pair_counts
from crm.plans.parsing.junk import stated_date
from crm.plans.parsing.spam import find_suspects, merge_suspects
from crm.plans.parsing.text import bigram_tokens, count_tokens

PLANS_DIR = ROOT / 'seeds' / 'plans'
META_FIELDS = ('slug', 'title', 'issuer', 'publisher', 'doc_number', 'date', 'period', 'period_start', 'period_end',
               'level', 'district', 'kind')
CORRECTION_ACTIONS = ('strip', 'keep')


class PlanError(RuleError):
    """A request about a plan document that cannot be carried out (the message in the user's language; `field`:
    the correction form's input at fault)."""


def text_hash(text: str) -> str:
    """Key of a sentence that survives re-imports (whitespace-insensitive)."""
    return hashlib.sha256(re.sub(r'\s+', '', text).encode()).hexdigest()


def platform_aliases() -> dict[str, list[str]]:
    """Canonical platform name → the spellings the documents use (from the reviewed catalogue)."""
    return {entry['name']: [entry['name'], *entry.get('aliases', [])] for entry in load_catalogue()}


@dataclass
class ImportResult:
    """What an import did."""

    document: PlanDocument
    created: bool
    parsed: ParsedDocument | None = None
    counts: dict[str, int] = field(default_factory=dict)


def _slug(meta: dict[str, Any], filename: str, sha: str) -> str:
    if meta.get('slug'):
        return meta['slug']
    stem = re.sub(r'[^a-z0-9]+', '-', Path(filename).stem.lower()).strip('-')
    return stem if re.search(r'[a-z]', stem) else f'doc-{sha[:10]}'


def _meta(meta: dict[str, Any], parsed: ParsedDocument, filename: str, sha: str) -> dict[str, Any]:
    values = {key: meta[key] for key in META_FIELDS if meta.get(key) not in (None, '')}
    values.setdefault('title', parsed.detected_title or Path(filename).stem)
    values['slug'] = _slug(meta, filename, sha)
    if isinstance(values.get('date'), str):
        values['date'] = date.fromisoformat(values['date'])
    if values.get('date') is None and stated_date(parsed.metadata):  # the page's 发布时间, the signed date …
        values['date'] = stated_date(parsed.metadata)
    return values


def _removal(r: Removal) -> dict[str, Any]:
    row = {'kind': r.kind, 'text': r.text, 'line': r.line, 'reason': r.reason}
    if r.confidence is not None:
        row.update(confidence=r.confidence, context=r.context)
    return row


def suspect_row(x: Suspect) -> dict[str, Any]:
    """A suspect as the import report stores it."""
    row = {'text': x.text, 'anchor': x.anchor, 'context': x.context, 'source': x.source}
    if x.confidence is not None:
        row['confidence'] = x.confidence
    return row


def _report(parsed: ParsedDocument) -> dict[str, Any]:
    return {
        'removed': [_removal(r) for r in parsed.removed],
        'duplicate_blocks': [_removal(r) for r in parsed.duplicate_blocks],
        'warnings': parsed.warnings,
        'metadata': parsed.metadata,
        'missing_tables': [t.caption for t in parsed.tables if t.missing_body],
        'suspected': [suspect_row(x) for x in parsed.suspects],
        'corrections': {'strip': list(parsed.corrections.strip), 'keep': list(parsed.corrections.keep)},
    }


def corrections_for(slug: str) -> Corrections:
    """The administrators' corrections of a document's text, applied whenever it is parsed."""
    rows = db.session.execute(select(PlanCorrection.action, PlanCorrection.text)
                              .where(PlanCorrection.document_slug == slug).order_by(PlanCorrection.text)).all()
    return Corrections(strip=tuple(text for action, text in rows if action == 'strip'),
                       keep=tuple(text for action, text in rows if action == 'keep'))


def parse_key(sha: str, corrections: Corrections) -> str:
    """What makes two imports the same: the file's bytes and the corrections they were parsed with."""
    if not corrections.strip and not corrections.keep:
        return sha
    decided = json.dumps([corrections.strip, corrections.keep], ensure_ascii=False).encode()
    return f'{sha}:{hashlib.sha256(decided).hexdigest()[:16]}'


def corpus_stats(exclude_slug: str) -> CorpusStats:
    """Character statistics of the other current documents: what a new document is read against."""
    return CorpusStats.of(db.session.scalars(
        select(PlanParagraph.text).join(PlanDocument, PlanDocument.id == PlanParagraph.document_id)
        .where(PlanDocument.is_current.is_(True), PlanDocument.slug != exclude_slug)))


def import_document(raw: bytes, filename: str, meta: dict[str, Any] | None = None,
                    actor_id: int | None = None) -> ImportResult:
    """Import one file. The same bytes again change nothing; a new version of a slug supersedes the old."""
    sha = hashlib.sha256(raw).hexdigest()
    slug = _slug(meta or {}, filename, sha)
    corrections = corrections_for(slug)
    key = parse_key(sha, corrections)
    existing = db.session.scalar(select(PlanDocument).where(PlanDocument.parse_key == key))
    if existing is not None:
        return ImportResult(document=existing, created=False, counts=document_counts(existing))
    parsed = parse_document(raw, platform_aliases=platform_aliases(), industry_keywords=DEFAULT_INDUSTRY_KEYWORDS,
                            corrections=corrections, background=corpus_stats(slug))
    values = _meta(meta or {}, parsed, filename, sha)
    previous = db.session.scalar(select(PlanDocument).where(PlanDocument.slug == values['slug'],
                                                            PlanDocument.is_current.is_(True)))
    if previous is not None:
        previous.is_current = False
    document = PlanDocument(**values, source_filename=Path(filename).name, sha256=sha, parse_key=key,
                            encoding=parsed.encoding, raw=raw, is_current=True, previous=previous,
                            report=_report(parsed), imported_by_id=actor_id)
    db.session.add(document)
    db.session.flush()
    counts = _store_parsed(document, parsed)
    audit.log(db.session, 'import', 'plan_document', document.id, sha256=sha, previous=previous.id if previous else None,
              **counts)
    return ImportResult(document=document, created=True, parsed=parsed, counts=counts)


def correct_document(document: PlanDocument, action: str, text: str, actor_id: int | None = None) -> ImportResult:
    """Record an administrator's correction of a document's text and parse its file again with it: the result is
    a new version linked to the one corrected (curation carries over, as on any re-import).

    'strip' removes a string that was left in the text (a reported suspect, or any string of the text);
    'keep' puts back a string the junk detector removed."""
    text = (text or '').strip()
    if action not in CORRECTION_ACTIONS:
        raise PlanError(_('Unknown kind of correction.'), field='action')
    if not document.is_current:
        raise PlanError(_('Only the current version of a document can be corrected.'))
    if not 2 <= len(text) <= 200:
        raise PlanError(_('The text to correct must be 2 to 200 characters long.'), field='text')
    if action == 'strip' and not db.session.scalar(select(PlanParagraph.id).where(
            PlanParagraph.document_id == document.id, PlanParagraph.text.contains(text, autoescape=True)).limit(1)):
        raise PlanError(_('The text does not contain “%(text)s”; nothing to remove.', text=text), field='text')
    if action == 'keep' and not any(r['kind'] == 'spam' and r['text'] == text
                                    for r in (document.report or {}).get('removed', [])):
        raise PlanError(_('“%(text)s” is not among the removed insertions.', text=text), field='text')
    row = db.session.scalar(select(PlanCorrection).where(PlanCorrection.document_slug == document.slug,
                                                         PlanCorrection.text == text))
    if row is None:
        db.session.add(PlanCorrection(document_slug=document.slug, action=action, text=text, created_by_id=actor_id))
    else:
        row.action, row.created_by_id = action, actor_id
    db.session.flush()
    meta = {key: getattr(document, key) for key in META_FIELDS}
    return import_document(document.raw, document.source_filename, meta, actor_id=actor_id)


def paragraph_row(document_id: int, seq: int, position: int, anchor: str, kind: str, text: str,
                  **extra: Any) -> dict[str, Any]:
    """A plan_paragraph row with its search columns derived from the text."""
    norm = normalize_for_search(text)
    return {'document_id': document_id, 'seq': seq, 'position': position, 'anchor': anchor, 'kind': kind,
            'text': text, 'text_norm': norm, 'text_bigrams': bigram_tokens(norm),
            'text_counts': ' '.join(count_tokens(norm)), 'heading_path': [],
            'citation_path': '', 'platforms': [], 'industries': [], **extra}


def _store_parsed(document: PlanDocument, parsed: ParsedDocument) -> dict[str, int]:
    doc_id = document.id
    if parsed.headings:
        db.session.execute(insert(PlanHeading), [
            {'document_id': doc_id, 'position': h.position, 'level': h.level, 'marker': h.marker,
             'title': h.title, 'anchor': h.anchor} for h in parsed.headings])
    rows = [paragraph_row(doc_id, p.seq, p.position, p.anchor, p.kind, p.text, heading_path=p.heading_path,
                          citation_path=p.citation_path, platforms=p.platforms, industries=p.industries)
            for p in parsed.paragraphs]
    ids = db.session.scalars(insert(PlanParagraph).returning(PlanParagraph.id, sort_by_parameter_order=True),
                             rows).all() if rows else []
    commitments, targets = [], []
    for paragraph_id, paragraph in zip(ids, parsed.paragraphs):
        for n, c in enumerate(paragraph.commitments, 1):
            commitments.append({'document_id': doc_id, 'paragraph_id': paragraph_id, 'seq': n, 'text': c.text,
                                'text_hash': text_hash(c.text), 'kind': c.kind, 'verbs': c.verbs,
                                'platforms': c.platforms, 'industries': c.industries})
        for n, t in enumerate(paragraph.targets, 1):
            targets.append({'document_id': doc_id, 'paragraph_id': paragraph_id, 'seq': n, 'metric': t.metric,
                            'value': t.value, 'unit': t.unit, 'comparator': t.comparator, 'year': t.year,
                            'period': t.period, 'base': t.base, 'text': t.text, 'source': t.source})
    if commitments:
        db.session.execute(insert(Commitment), commitments)
    if targets:
        db.session.execute(insert(Target), targets)
    if parsed.tables:
        db.session.execute(insert(PlanTable), [
            {'document_id': doc_id, 'seq': n, 'caption': t.caption, 'anchor': t.anchor, 'header': t.header,
             'rows': t.rows, 'notes': t.notes, 'missing_body': t.missing_body, 'structured': t.structured}
            for n, t in enumerate(parsed.tables, 1)])
    db.session.flush()
    return {'paragraphs': len(rows), 'headings': len(parsed.headings), 'commitments': len(commitments),
            'targets': len(targets), 'tables': len(parsed.tables), 'junk_removed': len(parsed.removed),
            'duplicates_removed': len(parsed.duplicate_blocks)}


def document_counts(document: PlanDocument) -> dict[str, int]:
    """Counts of what a stored document holds."""
    def count(model) -> int:
        return db.session.scalar(select(func.count(model.id)).where(model.document_id == document.id)) or 0

    report = document.report or {}
    return {'paragraphs': count(PlanParagraph), 'headings': count(PlanHeading), 'commitments': count(Commitment),
            'targets': count(Target), 'tables': count(PlanTable), 'junk_removed': len(report.get('removed', [])),
            'duplicates_removed': len(report.get('duplicate_blocks', []))}


def load_manifest(path: Path = PLANS_DIR / 'manifest.toml') -> list[dict[str, Any]]:
    """The shipped plan documents and their metadata."""
    if not path.exists():
        return []
    with path.open('rb') as fh:
        return tomllib.load(fh).get('document', [])


def seed_plans() -> dict[str, int]:
    """Import every shipped plan document (idempotent: unchanged files are skipped)."""
    imported = 0
    for entry in load_manifest():
        raw = (PLANS_DIR / entry['file']).read_bytes()
        imported += import_document(raw, entry['file'], entry).created
    if imported:
        review_suspects()
    return {'plans_imported': imported}


def review_suspects() -> int:
    """Judge every current document's strings against all the other current documents again.

    Each document is judged on import against those imported before it; after a batch (the seed, several files at
    once) the first ones have seen too little of the corpus: this gives every document the same footing. Only the
    report's list of suspects changes (suspects are never cut from the text); those listed for how they read, which
    does not depend on the other documents, are kept. Returns how many are listed now."""
    documents = db.session.scalars(select(PlanDocument).where(PlanDocument.is_current.is_(True))
                                   .order_by(PlanDocument.id)).all()
    rows = db.session.execute(select(PlanParagraph.document_id, PlanParagraph.anchor, PlanParagraph.text)
                              .where(PlanParagraph.document_id.in_([d.id for d in documents]))
                              .order_by(PlanParagraph.document_id, PlanParagraph.seq)).all()
    paragraphs: dict[int, list[ParsedParagraph]] = {d.id: [] for d in documents}
    for document_id, anchor, text in rows:
        paragraphs[document_id].append(ParsedParagraph(0, 'text', text, [], anchor, ''))
    total = 0
    # (the suspects read only the pairs of characters: each document's counted once, the others' are all but its own)
    own = {doc_id: pair_counts(p.text for p in ps) for doc_id, ps in paragraphs.items()}
    corpus: Counter[str] = Counter()
    for counts in own.values():
        corpus.update(counts)
    for document in documents:
        others = Counter(corpus)  # (a copy, then the small count taken off: no loop over the corpus's pairs)
        others.subtract(own[document.id])
        background = CorpusStats(pairs=others)
        report = document.report or {}
        keep = report.get('corrections', {}).get('keep', [])
        listed = [Suspect(x['text'], x['anchor'], x['context'], 'language', x.get('confidence'))
                  for x in report.get('suspected', []) if x.get('source') == 'language']
        found = merge_suspects(listed, find_suspects(paragraphs[document.id], background, keep=keep))
        document.report = {**report, 'suspected': [suspect_row(x) for x in found]}
        total += len(found)
    db.session.flush()
    return total


def document_summary(result: ImportResult) -> dict[str, Any]:
    """The JSON shape `crm plans import --json` prints per document."""
    doc = result.document
    report = doc.report or {}
    return {'id': doc.id, 'slug': doc.slug, 'title': doc.title, 'source': doc.source_filename, 'sha256': doc.sha256,
            'created': result.created, 'previous': doc.previous_id, **result.counts,
            'duplicate_blocks': report.get('duplicate_blocks', []), 'junk': report.get('removed', []),
            'missing_tables': report.get('missing_tables', []), 'warnings': report.get('warnings', []),
            'suspected': report.get('suspected', []), 'corrections': report.get('corrections', {})}


class QuoteResolver:
    """Finds the paragraph of a current document that contains a verbatim quote (whitespace ignored)."""

    def __init__(self) -> None:
        self._paragraphs: dict[str, list[tuple[int, str]]] = {}

    def _load(self, slug: str) -> list[tuple[int, str]]:
        if slug not in self._paragraphs:
            rows = db.session.execute(select(PlanParagraph.id, PlanParagraph.text_norm)
                                      .join(PlanDocument, PlanParagraph.document_id == PlanDocument.id)
                                      .where(PlanDocument.slug == slug, PlanDocument.is_current.is_(True))
                                      .order_by(PlanParagraph.seq)).all()
            self._paragraphs[slug] = [(pid, re.sub(r'\s+', '', norm)) for pid, norm in rows]
        return self._paragraphs[slug]

    def resolve(self, slug: str, quote: str) -> int | None:
        """Id of the paragraph holding the quote; a quote that runs across a heading resolves by its longest
        sentence (10 characters at least). None when nothing matches."""
        needle = re.sub(r'\s+', '', normalize_for_search(quote))
        pieces = [needle] + sorted((p for p in re.split(r'[。;；]', needle) if len(p) >= 10), key=len, reverse=True)
        for piece in pieces:
            found = next((pid for pid, text in self._load(slug) if piece and piece in text), None)
            if found is not None:
                return found
        return None
