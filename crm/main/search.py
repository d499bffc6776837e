"""The header's global search: leads, firms, platforms, units, policies and plan paragraphs, each kind through
the viewer's scope (the same rule as its own list), a few hits per kind, and whether the kind has more (with a
link to its list, filtered by the same words where the list takes them)."""
from __future__ import annotations

from dataclasses import dataclass, field

from flask import url_for
from flask_login import current_user
from sqlalchemy import func, or_, select

from crm.core.access import Perm, has_permission, scoped
from crm.db import db
from crm.firms.models import Firm
from crm.leads.models import Lead
from crm.plans.search import search
from crm.platforms.listing import platform_suggestions
from crm.platforms.models import Building, Platform, Unit
from crm.policies.models import Policy

PER_KIND = 5
MAX_QUERY = 60


@dataclass
class Group:
    kind: str
    hits: list[dict] = field(default_factory=list)
    more: bool = False
    list_url: str = ''


def _contains(column, text: str):
    """`column` holds `text` (literally): instr() on SQLite, which reads an index entry faster than LIKE does."""
    if db.session.get_bind().dialect.name == 'sqlite':
        return func.instr(column, text) > 0
    return column.contains(text, autoescape=True)


def _take(rows: list, build) -> tuple[list[dict], bool]:
    return [build(row) for row in rows[:PER_KIND]], len(rows) > PER_KIND


def _leads(q: str) -> Group:
    rows = db.session.execute(scoped(select(Lead.id, Lead.title, Lead.codename, Lead.confidential, Lead.stage), Lead)
                              .where(or_(_contains(Lead.title, q), _contains(Lead.codename, q)))
                              .order_by(Lead.title, Lead.id).limit(PER_KIND + 1)).all()
    hits, more = _take(rows, lambda r: {
        'text': r.codename if r.confidential and r.codename else r.title, 'note': r.stage,
        'url': url_for('leads.detail', lead_id=r.id)})
    return Group('leads', hits, more, url_for('leads.index', q=q))


def _firms(q: str) -> Group:
    rows = db.session.execute(scoped(select(Firm.id, Firm.name, Firm.uscc), Firm)
                              .where(Firm.deleted_at.is_(None), or_(_contains(Firm.name, q), Firm.uscc == q.upper()))
                              .order_by(Firm.name, Firm.id).limit(PER_KIND + 1)).all()
    hits, more = _take(rows, lambda r: {'text': r.name, 'note': r.uscc or '',
                                        'url': url_for('firms.detail', firm_id=r.id)})
    return Group('firms', hits, more, url_for('firms.index', q=q))


def _platforms(q: str) -> Group:
    rows = platform_suggestions(q)  # names, aliases, pinyin and initials, in the viewer's scope
    hits, more = _take(rows, lambda r: {'text': r['text'], 'note': r['group'],
                                        'url': url_for('platforms.detail', platform_id=r['id'])})
    return Group('platforms', hits, more, url_for('platforms.index'))


def _units(q: str) -> Group:
    rows = db.session.execute(scoped(select(Unit.id, Unit.number, Unit.status, Unit.building_id, Building.name,
                                            Platform.name.label('platform')), Unit)
                              .join(Building, Building.id == Unit.building_id)
                              .join(Platform, Platform.id == Unit.platform_id)
                              .where(or_(_contains(Building.name, q), _contains(Unit.number, q)))
                              .order_by(Building.name, Unit.number, Unit.id).limit(PER_KIND + 1)).all()
    hits, more = _take(rows, lambda r: {'text': f'{r.name} {r.number}', 'note': f'{r.platform} · {r.status}',
                                        'url': url_for('platforms.building', building_id=r.building_id)})
    buildings = {r.building_id for r in rows}
    list_url = (url_for('platforms.vacancies', building_id=buildings.pop()) if len(buildings) == 1
                else url_for('platforms.vacancies'))
    return Group('units', hits, more, list_url)


def _policies(q: str) -> Group:
    text = q[:100]
    rows = db.session.execute(scoped(select(Policy.id, Policy.title, Policy.issuer), Policy)
                              .where(or_(Policy.title.contains(text, autoescape=True),
                                         Policy.issuer.contains(text, autoescape=True),
                                         Policy.doc_number.contains(text, autoescape=True)))
                              .order_by(Policy.title, Policy.id).limit(PER_KIND + 1)).all()
    hits, more = _take(rows, lambda r: {'text': r.title, 'note': r.issuer or '',
                                        'url': url_for('policies.detail', policy_id=r.id)})
    return Group('policies', hits, more, url_for('policies.index', q=q))


def _plans(q: str) -> Group:
    rows = search(q, limit=PER_KIND + 1)
    hits, more = _take(rows, lambda h: {'text': h.paragraph.citation, 'snippet': h.snippet,
                                        'url': url_for('plans.reader', document_id=h.paragraph.document_id,
                                                       _anchor=h.paragraph.anchor)})
    return Group('plans', hits, more, url_for('plans.search', q=q))


KINDS = (('leads', Perm.LEADS_VIEW, _leads), ('firms', Perm.FIRMS_VIEW, _firms),
         ('platforms', Perm.PLATFORMS_VIEW, _platforms), ('units', Perm.PLATFORMS_VIEW, _units),
         ('policies', Perm.POLICIES_VIEW, _policies), ('plans', Perm.PLANS_VIEW, _plans))


def search_everything(q: str) -> list[Group]:
    """A few hits per kind the viewer may read, in a fixed order of kinds."""
    q = ' '.join(q.split())[:MAX_QUERY]
    if not q:
        return []
    return [run(q) for _kind, perm, run in KINDS if has_permission(current_user, perm)]

