"""Plan documents (规划文件) parsed into citable paragraphs, commitments, targets and tables."""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.core.mixins import TimestampMixin, VersionedMixin
from crm.db import Base, utcnow

COMMITMENT_STATUSES = ('auto', 'confirmed', 'rejected')


class PlanDocument(TimestampMixin, Base):
    """One imported version of a plan document; re-imports of the same bytes are the same row."""

    __tablename__ = 'plan_document'
    __audited__ = True
    __audit_exclude__ = ('raw', 'report')

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), index=True)
    title: Mapped[str] = mapped_column(String(300))
    issuer: Mapped[str] = mapped_column(String(200), default='')
    publisher: Mapped[str] = mapped_column(String(200), default='')
    doc_number: Mapped[str] = mapped_column(String(100), default='')
    date: Mapped[date | None] = mapped_column()
    period: Mapped[str] = mapped_column(String(40), default='')
    period_start: Mapped[int | None] = mapped_column(Integer)
    period_end: Mapped[int | None] = mapped_column(Integer)
    level: Mapped[str] = mapped_column(String(10), default='')
    district: Mapped[str] = mapped_column(String(40), default='')
    kind: Mapped[str] = mapped_column(String(40), default='')
    source_filename: Mapped[str] = mapped_column(String(255))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    # The bytes and the corrections they were parsed with: the same pair again is the same row (no change).
    parse_key: Mapped[str] = mapped_column(String(140), unique=True,
                                           default=lambda context: context.get_current_parameters()['sha256'])
    encoding: Mapped[str] = mapped_column(String(20))
    # The file and the import report are read when asked for (reparse, the report page), not with every citation:
    # a commitment's paragraph and document are loaded with it, and a list of commitments put every document's
    # whole file through the database's sort.
    raw: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    is_current: Mapped[bool] = mapped_column(Boolean, default=True, index=True)
    previous_id: Mapped[int | None] = mapped_column(ForeignKey('plan_document.id'))
    report: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict, deferred=True)
    imported_by_id: Mapped[int | None] = mapped_column(ForeignKey('user.id'))

    previous: Mapped[PlanDocument | None] = relationship(remote_side=[id])

    def citation(self, citation_path: str) -> str:
        """The human citation of a place in this document."""
        return f'《{self.title}》{citation_path}'


class PlanHeading(Base):
    """A heading of the outline (篇/章/节/一、/(一)/专栏 …), in document order."""

    __tablename__ = 'plan_heading'
    __table_args__ = (UniqueConstraint('document_id', 'anchor'),)

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey('plan_document.id', ondelete='CASCADE'), index=True)
    position: Mapped[int] = mapped_column(Integer)
    level: Mapped[int] = mapped_column(Integer)
    marker: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(Text)
    anchor: Mapped[str] = mapped_column(String(120))


class PlanParagraph(Base):
    """A clean paragraph with its stable anchor, heading path and citation."""

    __tablename__ = 'plan_paragraph'
    __table_args__ = (UniqueConstraint('document_id', 'anchor'), Index('ix_plan_paragraph_doc_seq', 'document_id', 'seq'))

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey('plan_document.id', ondelete='CASCADE'))
    seq: Mapped[int] = mapped_column(Integer)
    position: Mapped[int] = mapped_column(Integer)
    anchor: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(Text)
    text_norm: Mapped[str] = mapped_column(Text)
    # Distinct two-character tokens of text_norm, space-separated: the SQLite index for two-character terms.
    text_bigrams: Mapped[str | None] = mapped_column(Text, deferred=True)
    # Count tokens of the runs text_norm repeats (see parsing.text.count_tokens): the SQLite index that ranks
    # matches by occurrences without reading the text.
    text_counts: Mapped[str | None] = mapped_column(Text, deferred=True)
    heading_path: Mapped[list[str]] = mapped_column(JSON, default=list)
    citation_path: Mapped[str] = mapped_column(String(300))
    platforms: Mapped[list[str]] = mapped_column(JSON, default=list)
    industries: Mapped[list[str]] = mapped_column(JSON, default=list)

    document: Mapped[PlanDocument] = relationship(lazy='joined')

    @property
    def citation(self) -> str:
        return self.document.citation(self.citation_path)


class Commitment(Base):
    """A sentence that commits to do something or sets a target (规划承诺)."""

    __tablename__ = 'plan_commitment'

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey('plan_document.id', ondelete='CASCADE'), index=True)
    paragraph_id: Mapped[int] = mapped_column(ForeignKey('plan_paragraph.id', ondelete='CASCADE'), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    text_hash: Mapped[str] = mapped_column(String(64), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    verbs: Mapped[list[str]] = mapped_column(JSON, default=list)
    platforms: Mapped[list[str]] = mapped_column(JSON, default=list)
    industries: Mapped[list[str]] = mapped_column(JSON, default=list)

    paragraph: Mapped[PlanParagraph] = relationship(lazy='joined')


class CommitmentCuration(TimestampMixin, VersionedMixin, Base):
    """An officer's verdict on a commitment, keyed by document slug and sentence so re-imports keep it."""

    __tablename__ = 'plan_commitment_curation'
    __table_args__ = (UniqueConstraint('document_slug', 'text_hash'),)
    __audited__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    document_slug: Mapped[str] = mapped_column(String(80))
    text_hash: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(20), default='auto')
    platforms: Mapped[list[str] | None] = mapped_column(JSON)
    industries: Mapped[list[str] | None] = mapped_column(JSON)
    note: Mapped[str] = mapped_column(Text, default='')
    curated_by_id: Mapped[int | None] = mapped_column(ForeignKey('user.id'))
    curated_at: Mapped[datetime] = mapped_column(default=utcnow)


class PlanCorrection(Base):
    """An administrator's decision on a document's text, applied to every import of the document (by slug): a
    string to strip as injected junk, or a string the junk detector removed that belongs to the text."""

    __tablename__ = 'plan_correction'
    __table_args__ = (UniqueConstraint('document_slug', 'text'),)
    __audited__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    document_slug: Mapped[str] = mapped_column(String(80))
    action: Mapped[str] = mapped_column(String(10))  # 'strip' or 'keep'
    text: Mapped[str] = mapped_column(String(200))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey('user.id'))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Target(Base):
    """A quantitative target (目标) from the text or an indicator table."""

    __tablename__ = 'plan_target'

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey('plan_document.id', ondelete='CASCADE'), index=True)
    paragraph_id: Mapped[int | None] = mapped_column(ForeignKey('plan_paragraph.id', ondelete='CASCADE'))
    seq: Mapped[int] = mapped_column(Integer)
    metric: Mapped[str] = mapped_column(Text)
    value: Mapped[str] = mapped_column(String(60))
    unit: Mapped[str] = mapped_column(String(40), default='')
    comparator: Mapped[str] = mapped_column(String(20), default='')
    year: Mapped[int | None] = mapped_column(Integer)
    period: Mapped[str] = mapped_column(String(40), default='')
    base: Mapped[str | None] = mapped_column(String(60))
    text: Mapped[str] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(10), default='text')

    paragraph: Mapped[PlanParagraph | None] = relationship(lazy='joined')


class PlanTable(Base):
    """A table recovered from flattened text, or reported as missing its body."""

    __tablename__ = 'plan_table'

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey('plan_document.id', ondelete='CASCADE'), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    caption: Mapped[str] = mapped_column(Text)
    anchor: Mapped[str] = mapped_column(String(120))
    header: Mapped[list[str]] = mapped_column(JSON, default=list)
    rows: Mapped[list[list[str]]] = mapped_column(JSON, default=list)
    notes: Mapped[list[str]] = mapped_column(JSON, default=list)
    missing_body: Mapped[bool] = mapped_column(Boolean, default=False)
    structured: Mapped[bool] = mapped_column(Boolean, default=True)
