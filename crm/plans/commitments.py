"""Commitments and targets: listing with filters, and curation that survives re-imports."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, Text, and_, cast, or_, select

from crm.core.concurrency import check_version
from crm.db import db, utcnow
from crm.plans.models import Commitment, CommitmentCuration, PlanDocument, PlanParagraph, Target
from crm.plans.search import _like_pattern


@dataclass
class CommitmentView:
    """A commitment with its curation applied."""

    commitment: Commitment
    curation: CommitmentCuration | None

    @property
    def status(self) -> str:
        return self.curation.status if self.curation else 'auto'

    @property
    def platforms(self) -> list[str]:
        if self.curation and self.curation.platforms is not None:
            return self.curation.platforms
        return self.commitment.platforms

    @property
    def industries(self) -> list[str]:
        if self.curation and self.curation.industries is not None:
            return self.curation.industries
        return self.commitment.industries

    @property
    def note(self) -> str:
        return self.curation.note if self.curation else ''

    def as_dict(self) -> dict[str, Any]:
        c, p = self.commitment, self.commitment.paragraph
        return {'id': c.id, 'text': c.text, 'kind': c.kind, 'status': self.status, 'platforms': self.platforms,
                'industries': self.industries, 'verbs': c.verbs, 'note': self.note, 'anchor': p.anchor,
                'citation': p.citation, 'document': c.document_id}


def _tag_filter(raw_column, curated_column, value: str):
    pattern = _like_pattern(f'"{value}"')
    return or_(and_(curated_column.is_(None), cast(raw_column, Text).like(pattern, escape='\\')),
               cast(curated_column, Text).like(pattern, escape='\\'))


def commitments_statement(*, platform: str | None = None, industry: str | None = None,
                          document_id: int | None = None, kind: str | None = None, status: str | None = None,
                          include_rejected: bool = False, ids: Sequence[int] | None = None) -> Select:
    """Commitments of current documents with their curation, filtered."""
    stmt = (select(Commitment, CommitmentCuration)
            .join(PlanDocument, Commitment.document_id == PlanDocument.id)
            .join(PlanParagraph, Commitment.paragraph_id == PlanParagraph.id)
            .outerjoin(CommitmentCuration, and_(CommitmentCuration.document_slug == PlanDocument.slug,
                                                CommitmentCuration.text_hash == Commitment.text_hash))
            .where(PlanDocument.is_current.is_(True)))
    if platform:
        stmt = stmt.where(_tag_filter(Commitment.platforms, CommitmentCuration.platforms, platform))
    if industry:
        stmt = stmt.where(_tag_filter(Commitment.industries, CommitmentCuration.industries, industry))
    if document_id:
        stmt = stmt.where(Commitment.document_id == document_id)
    if ids is not None:
        stmt = stmt.where(Commitment.id.in_(ids))
    if kind:
        stmt = stmt.where(Commitment.kind == kind)
    if status == 'auto':
        stmt = stmt.where(CommitmentCuration.id.is_(None) | (CommitmentCuration.status == 'auto'))
    elif status:
        stmt = stmt.where(CommitmentCuration.status == status)
    elif not include_rejected:
        stmt = stmt.where(CommitmentCuration.id.is_(None) | (CommitmentCuration.status != 'rejected'))
    return stmt.order_by(PlanDocument.date.desc().nulls_last(), Commitment.document_id, PlanParagraph.seq,
                         Commitment.seq)


def list_commitments(limit: int | None = None, offset: int = 0, **filters) -> list[CommitmentView]:
    """Commitments with curation applied."""
    stmt = commitments_statement(**filters)
    if limit:
        stmt = stmt.limit(limit).offset(offset)
    return [CommitmentView(c, cur) for c, cur in db.session.execute(stmt).all()]


def curate(commitment: Commitment, *, status: str, platforms: list[str] | None, industries: list[str] | None,
           note: str, actor_id: int | None, version: int | None = None) -> CommitmentCuration:
    """Confirm, reject, retag or annotate a commitment (kept across re-imports of the document)."""
    slug = db.session.get(PlanDocument, commitment.document_id).slug
    curation = db.session.scalar(select(CommitmentCuration).where(CommitmentCuration.document_slug == slug,
                                                                  CommitmentCuration.text_hash == commitment.text_hash))
    if curation is None:
        curation = CommitmentCuration(document_slug=slug, text_hash=commitment.text_hash)
        db.session.add(curation)
    elif version is not None:
        check_version(curation, version)
    curation.status, curation.platforms, curation.industries = status, platforms, industries
    curation.note, curation.curated_by_id, curation.curated_at = note, actor_id, utcnow()
    db.session.flush()
    return curation


def targets_statement(*, document_id: int | None = None) -> Select:
    """Targets of current documents in document order."""
    stmt = (select(Target).join(PlanDocument, Target.document_id == PlanDocument.id)
            .where(PlanDocument.is_current.is_(True)))
    if document_id:
        stmt = stmt.where(Target.document_id == document_id)
    return stmt.order_by(Target.document_id, Target.paragraph_id, Target.seq)


def target_dict(target: Target) -> dict[str, Any]:
    """The JSON shape of a target."""
    document = db.session.get(PlanDocument, target.document_id)
    citation = target.paragraph.citation if target.paragraph else document.citation('')
    return {'id': target.id, 'metric': target.metric, 'value': target.value, 'unit': target.unit,
            'comparator': target.comparator, 'year': target.year, 'period': target.period, 'base': target.base,
            'citation': citation, 'anchor': target.paragraph.anchor if target.paragraph else None,
            'text': target.text, 'source': target.source, 'document': target.document_id}
