"""Policy registry operations: seeding from the plans (named, 金额未公开) and labelled 示例 demo policies."""
from __future__ import annotations

import hashlib
import tomllib
from datetime import date, timedelta
from pathlib import Path

from flask import current_app
from sqlalchemy import select

from config import ROOT
from crm.core import clock
from crm.core.concurrency import check_version
from crm.core.i18n import gettext as _
from crm.core.rules import RuleError
from crm.db import db, utcnow
from crm.policies.clauses import GUIDE_LABELS, highest_only
from crm.policies.models import Policy, PolicyClause
from crm.policies.reading import EXTENSIONS

POLICIES = ROOT / 'seeds' / 'policies.toml'


def seed_policies() -> dict[str, int]:
    """Every policy the plan documents name, with its quotes; no amount is invented (idempotent)."""
    if not POLICIES.exists():
        return {'policies_created': 0}
    with POLICIES.open('rb') as fh:
        entries = tomllib.load(fh).get('policy', [])
    existing = set(db.session.scalars(select(Policy.key)))
    created = 0
    for entry in entries:
        if entry['key'] in existing:
            continue
        facts = [{'field': f.get('field'), 'value': f.get('value'), 'doc': f['doc'], 'quote': f['quote']}
                 for f in entry.get('facts', [])]
        db.session.add(Policy(key=entry['key'], title=entry['title'], issuer=entry.get('issuer'),
                              level=entry.get('level', '区'), district=entry.get('district'),
                              doc_number=entry.get('doc_number'), status=entry.get('status', 'named'),
                              amounts_public=bool(entry.get('amounts_public', False)), kinds=entry.get('kinds', []),
                              industries=entry.get('industries', []), platform_names=entry.get('platforms', []),
                              summary=entry.get('summary'), facts=facts))
        created += 1
    db.session.flush()
    return {'policies_created': created}


EXAMPLE_TEXTS = ROOT / 'seeds' / 'policy_texts'


def demo_policies() -> dict[str, int]:
    """Example policies with amounts (labelled 示例) so matching and packs can be demonstrated. Their clauses are
    read from example texts (seeds/policy_texts, labelled 示例) by the policy importer and accepted, as an
    administrator would: every amount comes from a sentence the policy page quotes."""
    from crm.policies.imports import accept_clause, import_policy_text  # the importer builds on this module

    if db.session.scalar(select(Policy.id).where(Policy.is_example.is_(True)).limit(1)):
        return {'demo_policies': 0}
    today = clock.today()
    examples = [
        Policy(key='example-digital-rent', title='数字经济企业房租补助（示例）', level='区', district='拱墅区',
               status='example', is_example=True, amounts_public=True, kinds=['房租补助'],
               industries=['数字经济', '电竞数娱', '跨境电商'], effective_from=today - timedelta(days=365),
               expires_on=today + timedelta(days=60), summary='示例政策：新落户数字经济企业三年房租补助 100%/50%/50%，每年不超过 100 万元。'),
        Policy(key='example-settlement', title='新引进重点企业落户奖励（示例）', level='区', district='拱墅区',
               status='example', is_example=True, amounts_public=True, kinds=['落户奖励'],
               effective_from=today - timedelta(days=400), expires_on=today + timedelta(days=700),
               summary='示例政策：实际投资 5000 万元以上的新引进企业一次性奖励 100 万元。'),
        Policy(key='example-rd', title='研发投入资助（示例）', level='区', district='拱墅区', status='example',
               is_example=True, amounts_public=True, kinds=['研发资助'], effective_from=today - timedelta(days=200),
               expires_on=today + timedelta(days=900), summary='示例政策：高新技术企业按年度研发投入的 10% 给予资助，最高 50 万元。'),
        Policy(key='example-hr-park', title='人力资源服务机构入园奖励（示例）', level='区', district='拱墅区',
               status='example', is_example=True, amounts_public=True, kinds=['落户奖励', '房租补助'],
               industries=['人力资源服务'], platform_names=['中国(杭州)人力资源服务产业园'],
               effective_from=today - timedelta(days=100), expires_on=today + timedelta(days=1000),
               summary='示例政策：入驻人力资源服务产业园的机构按租用面积每平方米每年 300 元补助，最高 60 万元。'),
    ]
    db.session.add_all(examples)
    db.session.flush()
    for policy in examples:
        dates = (policy.effective_from, policy.expires_on)
        path = EXAMPLE_TEXTS / f'{policy.key}.txt'
        import_policy_text(path.read_bytes(), path.name, policy=policy, meta={'title': policy.title})
        for clause in list(policy.candidates):
            accept_clause(clause)
        policy.effective_from, policy.expires_on = dates  # the demo keeps its dates around today
    db.session.flush()
    return {'demo_policies': len(examples)}


EXPIRY_WARNING_DAYS = 90
GUIDE_ORDER = ('apply_conditions', 'materials', 'apply_period', 'payment', 'department', 'phone', 'stacking',
               'clawback')
PACK_QUOTES_PER_POLICY = 4


def policy_terms(policy: Policy) -> dict:
    """What packs and 政策摘要 print of a policy beyond its estimate: the 申兑指南 it states (label, text) and the
    sentences its accepted clauses were read from, with their articles."""
    guide = policy.guide or {}
    rows = [(GUIDE_LABELS[key], guide[key]['text']) for key in GUIDE_ORDER
            if (guide.get(key) or {}).get('text')]
    quotes = []
    for clause in policy.accepted_clauses:
        if clause.quote and (clause.citation, clause.quote) not in quotes:
            quotes.append((clause.citation, clause.quote))
    return {'guide': rows, 'terms': [{'citation': c, 'quote': q} for c, q in quotes[:PACK_QUOTES_PER_POLICY]]}


def expiring(policy: Policy, today: date | None = None) -> bool:
    """In force but expiring within 90 days (flagged wherever the policy is relied on)."""
    today = today or clock.today()
    return policy.expires_on is not None and today <= policy.expires_on <= today + timedelta(days=EXPIRY_WARNING_DAYS)


def expired(policy: Policy, today: date | None = None) -> bool:
    return policy.expires_on is not None and policy.expires_on < (today or clock.today())


def expiring_policies(ids) -> list[Policy]:
    """Those of `ids` that expire within 90 days or have expired, soonest first."""
    ids = list(ids)
    if not ids:
        return []
    limit = clock.today() + timedelta(days=EXPIRY_WARNING_DAYS)
    return list(db.session.scalars(select(Policy).where(Policy.id.in_(ids), Policy.expires_on.is_not(None),
                                                        Policy.expires_on <= limit).order_by(Policy.expires_on)))


def _key_for(title: str) -> str:
    return 'p-' + hashlib.sha256(f'{title}{clock.today()}'.encode()).hexdigest()[:12]


def save_policy(policy: Policy | None, data: dict, *, version: int | None = None) -> Policy:
    """Create (policy None) or update a policy from validated form data; stale versions raise EditConflict."""
    if policy is None:
        policy = Policy(key=_key_for(data['title']), facts=[])
        db.session.add(policy)
    else:
        check_version(policy, version)
    for name, value in data.items():
        setattr(policy, name, value)
    db.session.flush()
    return policy


def save_clause(policy: Policy, clause: PolicyClause | None, data: dict, *,
                version: int | None = None) -> PolicyClause:
    """Add or update a clause; the policy's version moves too, so packs citing it become stale."""
    if clause is None:
        clause = PolicyClause(policy=policy)
        db.session.add(clause)
    else:
        check_version(clause, version)
    for name, value in data.items():
        setattr(clause, name, value)
    _touch(policy)
    db.session.flush()
    return clause


def delete_clause(clause: PolicyClause) -> None:
    policy = clause.policy
    counted = clause.counts
    policy.clauses.remove(clause)
    if counted:
        _touch(policy)
    db.session.flush()


def save_guide(policy: Policy, values: dict[str, str], *, version: int | None = None) -> None:
    """Store the 申兑指南 as an administrator corrected it; a field changed by hand is kept when the text is
    imported again (the quote it was read from stays beside it)."""
    check_version(policy, version)
    guide = dict(policy.guide or {})
    for key, text in values.items():
        text = (text or '').strip()
        entry = dict(guide.get(key) or {})
        if text == (entry.get('text') or ''):
            continue
        entry.update(text=text, edited=True)
        guide[key] = entry
    policy.guide = guide
    if 'stacking' in values:
        policy.highest_only = highest_only({'stacking': {'quote': guide.get('stacking', {}).get('text', '')}}) \
            or policy.highest_only
    _touch(policy)
    db.session.flush()


def _touch(policy: Policy) -> None:
    """A clause change is a change of the policy (its version moves for staleness checks): its change time moves
    forward, even when the clock reads the same instant as the last change."""
    previous = policy.updated_at
    policy.updated_at = max(utcnow(), previous + timedelta(microseconds=1)) if previous else utcnow()


SOURCE_MAX_BYTES = 10 * 1024 * 1024


class SourceError(RuleError):
    """The uploaded policy document is not acceptable; the message says why (`field`: the file input)."""


def _source_type(data: bytes) -> str:
    if len(data) > SOURCE_MAX_BYTES:
        raise SourceError(_('The policy source file may not exceed 10 MB'), field='file')
    if data.startswith(b'%PDF-'):
        return 'application/pdf'
    if b'\x00' not in data[:4096]:
        for encoding in ('utf-8', 'gb18030'):
            try:
                data.decode(encoding)
            except UnicodeDecodeError:
                continue
            return 'text/plain'
    raise SourceError(_('Only PDF or text policy sources are accepted (judged by the content, not the extension)'),
                      field='file')


def source_path(policy: Policy):
    """Where the policy's document is kept: instance/policy_docs/<sha256>.<pdf|txt|html|docx>."""
    extension = EXTENSIONS.get(policy.source_type or '', 'txt')
    return Path(current_app.instance_path) / 'policy_docs' / f'{policy.source_sha256}.{extension}'


def attach_source(policy: Policy, data: bytes, filename: str) -> None:
    """Keep the policy's source document (checked by its bytes, stored by its hash); the policy version moves."""
    content_type = _source_type(data)
    policy.source_sha256, policy.source_type = hashlib.sha256(data).hexdigest(), content_type
    policy.source_name = (filename or 'policy')[:200]
    path = source_path(policy)
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        path.write_bytes(data)
    db.session.flush()
