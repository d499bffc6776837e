"""Importing a policy's own text: the file is kept by its SHA-256, read through the plan importer's cleaning, cut
into citable articles, and read for metadata, clause candidates and the 申兑指南. The same bytes again change
nothing. Candidates wait for an administrator; accepting one makes it count wherever the policy is evaluated."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import select

from crm.core import audit
from crm.core.i18n import gettext as _
from crm.core.rules import RuleError
from crm.db import db
from crm.plans.parsing.clean import clean_document
from crm.plans.services import platform_aliases
from crm.policies import clauses as reader
from crm.policies.models import Policy, PolicyArticle, PolicyClause
from crm.policies.reading import DocumentError, read_document
from crm.policies.services import _touch, source_path
from crm.policies.structure import DOC_NUMBER, in_force, parse_date, read_structure

CLAUSE_KEYS = ('kind', 'formula', 'amount', 'percent', 'base', 'rate', 'unit', 'tiers', 'schedule', 'cap_year',
               'cap_total', 'uncapped', 'conditions', 'note', 'article', 'citation', 'quote')


class PolicyImportError(RuleError):
    """The file cannot be imported as a policy text; the message says why, in the user's language (`field`: the
    file input)."""


@dataclass
class PolicyImport:
    """What an import did: the policy, whether it is new, whether its text changed, and what was not read."""

    policy: Policy
    created: bool = False
    changed: bool = False
    warnings: list[str] = field(default_factory=list)


def _signature(values: dict[str, Any]) -> tuple:
    """What makes two clauses read from a text the same decision: their sentence and their numbers."""
    def plain(v):
        if isinstance(v, Decimal):
            return str(v.normalize())
        if isinstance(v, list):
            return repr(v)
        return v

    return tuple(plain(values.get(k)) for k in ('quote', 'formula', 'kind', 'amount', 'percent', 'rate', 'schedule',
                                                   'tiers', 'cap_year', 'cap_total', 'conditions'))


def _clause_values(candidate: reader.Candidate) -> dict[str, Any]:
    return {key: getattr(candidate, key) for key in CLAUSE_KEYS}


def _key(sha: str) -> str:
    return f'text-{sha[:16]}'


@dataclass
class ReadPolicy:
    """A policy document read, before anything is stored."""

    document: Any
    cleaned: Any
    text: Any
    candidates: list[reader.Candidate]
    warnings: list[str]
    guide: dict[str, dict]
    scope: dict[str, Any]


def read_policy(data: bytes, *, district: str = '拱墅区',
                platforms: dict[str, list[str]] | None = None) -> ReadPolicy:
    """Read a policy file: its text (any accepted format), cleaned by the plan importer, its articles and
    metadata, clause candidates, 申兑指南 and applicability. `platforms` defaults to the platform catalogue."""
    try:
        document = read_document(data)
    except DocumentError as exc:
        raise PolicyImportError(exc.message, field=exc.field) from exc
    cleaned = clean_document(document.text, pages=document.pages)
    text = read_structure(cleaned.lines)
    if not any(a.text for a in text.articles):
        raise PolicyImportError(_('No policy text could be read from the file'), field='file')
    _page_metadata(text, cleaned.document.metadata)
    if platforms is None:
        platforms = platform_aliases()
    candidates, warnings = reader.extract_clauses(text.articles, district=district, platforms=platforms)
    return ReadPolicy(document, cleaned, text, candidates, warnings, reader.extract_guide(text.articles),
                      reader.scope_of(text.articles, district))


def import_policy_text(data: bytes, filename: str, *, policy: Policy | None = None, meta: dict[str, Any] | None = None,
                       actor_id: int | None = None) -> PolicyImport:
    """Read a policy document into `policy` (a new policy when None). The same file again changes nothing."""
    meta = {k: v for k, v in (meta or {}).items() if v not in (None, '')}
    sha = hashlib.sha256(data).hexdigest()
    if policy is None:
        existing = db.session.scalar(select(Policy).where(Policy.source_sha256 == sha).order_by(Policy.id).limit(1))
        if existing is not None and existing.import_report:
            return PolicyImport(existing)
        policy = existing  # the document was kept before without being read: it is read into that policy now
    elif policy.source_sha256 == sha and policy.import_report:
        return PolicyImport(policy)
    read = read_policy(data, district=(policy.district if policy else None) or '拱墅区')
    text, cleaned, document = read.text, read.cleaned, read.document
    candidates, warnings, guide, scope = read.candidates, read.warnings, read.guide, read.scope
    created = policy is None
    if policy is None:
        policy = Policy(key=_key(sha), title=(meta.get('title') or text.title or Path(filename).stem or '未命名政策')[:300],
                        level='区', district='拱墅区', status='described', amounts_public=False, kinds=[], industries=[],
                        platform_names=[], facts=[])
        db.session.add(policy)
    _apply_metadata(policy, text, meta, guide, scope)
    _store_file(policy, data, sha, document.kind, filename)
    db.session.flush()
    _replace_articles(policy, text.articles)
    proposed = _replace_candidates(policy, candidates)
    removed = cleaned.document.removed + text.removed
    policy.import_report = {
        'layout': text.layout, 'encoding': cleaned.document.encoding, 'file_type': document.kind,
        'articles': len(text.articles), 'candidates': proposed, 'warnings': warnings,
        'removed': [{'kind': r.kind, 'text': r.text[:200], 'line': r.line, 'reason': r.reason} for r in removed[:200]],
        'validity': [{'article': v.anchor, 'quote': v.quote} for v in text.validity],
        'scope': scope,
    }

    _touch(policy)
    db.session.flush()
    audit.log(db.session, 'policy_text_imported', 'policy', policy.id, sha256=sha, articles=len(text.articles),
              candidates=proposed, actor=actor_id)
    return PolicyImport(policy, created=created, changed=True, warnings=warnings)


def _page_metadata(text, found: dict[str, str]) -> None:
    """Facts a web page states in its metadata block (发文机关, 文号, 成文日期), where the text itself does not."""
    issuer = next((found[k] for k in ('发文机关', '发布机构', '发布单位') if found.get(k)), None)
    text.issuer = text.issuer or issuer
    number = next((found[k] for k in ('文号', '备注/文号') if found.get(k) and DOC_NUMBER.search(found[k])), None)
    text.doc_number = text.doc_number or (DOC_NUMBER.search(number).group(0) if number else None)
    day = next((parse_date(found[k]) for k in ('成文日期', '发布日期', '公布日期', '生成日期', '日期')
                if found.get(k) and parse_date(found[k])), None)
    text.issued_on = text.issued_on or day


def _apply_metadata(policy: Policy, text, meta: dict[str, Any], guide: dict, scope: dict) -> None:
    """What the text states fills the policy's facts; what the importer typed wins over both."""
    if meta.get('title'):
        policy.title = meta['title'][:300]
    policy.issuer = (meta.get('issuer') or text.issuer or policy.issuer or None)
    policy.issuer = policy.issuer[:200] if policy.issuer else None
    policy.doc_number = (meta.get('doc_number') or text.doc_number or policy.doc_number or None)
    issued = meta.get('date')
    if isinstance(issued, str):
        issued = date.fromisoformat(issued)
    policy.issued_on = issued or text.issued_on or policy.issued_on
    effective, until = in_force(text, policy.issued_on)
    policy.effective_from = effective or policy.effective_from
    policy.expires_on = until or policy.expires_on
    if scope.get('industries') and not policy.industries:
        policy.industries = list(scope['industries'])
    edited = {k: v for k, v in (policy.guide or {}).items() if v.get('edited')}
    policy.guide = {**guide, **edited}
    if reader.highest_only(guide):
        policy.highest_only = True


def _store_file(policy: Policy, data: bytes, sha: str, kind: str, filename: str) -> None:
    policy.source_sha256, policy.source_type = sha, kind
    policy.source_name = (Path(filename).name or 'policy')[:200]
    path = source_path(policy)
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        path.write_bytes(data)


def _replace_articles(policy: Policy, articles) -> None:
    for old in list(policy.articles):
        db.session.delete(old)
    db.session.flush()
    for seq, article in enumerate(articles, start=1):
        db.session.add(PolicyArticle(policy_id=policy.id, seq=seq, number=None if article.number is None else
                                     str(article.number), anchor=article.anchor, citation=article.citation,
                                     title=article.title or None, chapter=article.chapter or None, text=article.text))


def _replace_candidates(policy: Policy, candidates: list[reader.Candidate]) -> int:
    """New candidates replace the old ones; a clause already accepted or rejected with the same sentence and
    numbers is not proposed again."""
    decided = {_signature({k: getattr(c, k) for k in CLAUSE_KEYS}) for c in policy.clauses
               if c.review in ('accepted', 'rejected') and c.quote}
    for old in [c for c in policy.clauses if c.review == 'candidate']:
        policy.clauses.remove(old)
    proposed = 0
    for candidate in candidates:
        values = _clause_values(candidate)
        if _signature(values) in decided:
            continue
        values['note'] = values['note'] or None
        policy.clauses.append(PolicyClause(review='candidate', **values))
        proposed += 1
    db.session.flush()
    return proposed


# --- review ------------------------------------------------------------------------------------------------------

def accept_clause(clause: PolicyClause) -> None:
    """The clause counts from now on: the policy is in force with stated amounts, and lists the clause's kind."""
    clause.review = 'accepted'
    policy = clause.policy
    if clause.formula != 'none':
        policy.amounts_public = True
        if policy.status in ('named', 'described'):
            policy.status = 'active'
    if clause.kind not in (policy.kinds or []):
        policy.kinds = [*(policy.kinds or []), clause.kind]
    _touch(policy)
    db.session.flush()


def reject_clause(clause: PolicyClause) -> None:
    was_counted = clause.review == 'accepted'
    clause.review = 'rejected'
    if was_counted:
        _touch(clause.policy)
    db.session.flush()


# --- JSON -------------------------------------------------------------------------------------------------------

def _plain(value):
    if isinstance(value, Decimal):
        value = value.normalize()
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def clause_record(clause: PolicyClause) -> dict[str, Any]:
    """A clause as the import contract prints it (amounts and caps in 万元, the text's unit in `unit`)."""
    return {'id': clause.id, 'review': clause.review, 'article': clause.article, 'citation': clause.citation,
            'kind': clause.kind, 'formula': clause.formula, 'amount': _plain(clause.amount),
            'percent': _plain(clause.percent), 'base': clause.base, 'rate': _plain(clause.rate), 'unit': clause.unit,
            'tiers': clause.tiers or [], 'schedule': list(clause.schedule or []), 'cap_year': _plain(clause.cap_year),
            'cap_total': _plain(clause.cap_total), 'uncapped': bool(clause.uncapped),
            'conditions': list(clause.conditions or []), 'quote': clause.quote}


def policy_record(policy: Policy, *, unchanged: bool = False) -> dict[str, Any]:
    """`crm policies import … --json`: the policy, its articles, its clauses read from the text, its 申兑指南."""
    articles = [{'number': a.number, 'anchor': a.anchor, 'citation': a.citation, 'text': a.text}
                for a in policy.articles]
    guide = {key: {'label': str(reader.GUIDE_LABELS.get(key, key)), **value}
             for key, value in (policy.guide or {}).items()}
    return {'policy_id': policy.id, 'title': policy.title, 'issuer': policy.issuer, 'doc_number': policy.doc_number,
            'issued_on': policy.issued_on.isoformat() if policy.issued_on else None,
            'effective_from': policy.effective_from.isoformat() if policy.effective_from else None,
            'valid_until': policy.expires_on.isoformat() if policy.expires_on else None,
            'unchanged': unchanged, 'articles': articles,
            'clauses': [clause_record(c) for c in policy.clauses if c.quote and c.review != 'rejected'],
            'guide': guide, 'warnings': list((policy.import_report or {}).get('warnings', []))}
