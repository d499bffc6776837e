"""Plain data records produced by the plan-document parser."""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Removal:
    """A piece of the raw text that was dropped, kept for admin review."""
    kind: str
    text: str
    line: int
    reason: str
    confidence: float | None = None  # for a judgement (text cut because of how it reads): how sure, 0-1
    context: str = ''  # the text around the removed string, for a reviewer


@dataclass
class Suspect:
    """A string that looks injected (its character pairs hardly occur in the rest of the corpus, or it reads as
    advertising without the certainty needed to cut it) but was kept: listed for an administrator to confirm as
    junk or to keep."""
    text: str
    anchor: str
    context: str
    source: str = 'corpus'  # 'corpus': rare against the other documents; 'language': reads as junk, not certain
    confidence: float | None = None


@dataclass(frozen=True)
class Corrections:
    """An administrator's decisions on one document's text, applied on every import of it: strings to strip as
    injected junk, and strings the junk detector removed that belong to the text."""
    strip: tuple[str, ...] = ()
    keep: tuple[str, ...] = ()


@dataclass
class ParsedTarget:
    """A quantitative target stated in a paragraph or an indicator table."""
    metric: str
    value: str
    unit: str
    comparator: str
    year: int | None
    period: str
    base: str | None
    text: str
    source: str = 'text'
    kind: str = ''  # growth, share, count, rate or amount (see extract.target_kind); a range is `low-high` in value


@dataclass
class ParsedCommitment:
    """A sentence in which the issuer commits to an action or a target."""
    text: str
    kind: str
    verbs: list[str] = field(default_factory=list)
    platforms: list[str] = field(default_factory=list)
    industries: list[str] = field(default_factory=list)


@dataclass
class ParsedHeading:
    """A heading of the document outline."""
    level: int
    marker: str
    title: str
    anchor: str
    path: list[str] = field(default_factory=list)
    line: int = 0
    position: int = 0  # place among the document's headings and paragraphs, in reading order


@dataclass
class ParsedTable:
    """A table recovered from flattened text (or kept as text when it could not be); `paragraph` is the anchor of
    the paragraph that holds its text."""
    caption: str
    anchor: str
    header: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    missing_body: bool = False
    structured: bool = True
    line: int = 0
    paragraph: str = ''


@dataclass
class ParsedParagraph:
    """A clean, citable paragraph."""
    seq: int
    kind: str
    text: str
    heading_path: list[str]
    anchor: str
    citation_path: str
    line: int = 0
    position: int = 0  # place among the document's headings and paragraphs, in reading order
    sentences: list[str] = field(default_factory=list)
    commitments: list[ParsedCommitment] = field(default_factory=list)
    targets: list[ParsedTarget] = field(default_factory=list)
    platforms: list[str] = field(default_factory=list)
    industries: list[str] = field(default_factory=list)


@dataclass
class ParsedDocument:
    """The result of parsing one plan document."""
    encoding: str
    sha256: str
    detected_title: str | None
    paragraphs: list[ParsedParagraph] = field(default_factory=list)
    headings: list[ParsedHeading] = field(default_factory=list)
    tables: list[ParsedTable] = field(default_factory=list)
    removed: list[Removal] = field(default_factory=list)
    duplicate_blocks: list[Removal] = field(default_factory=list)
    copies: list[tuple[int, int, int, int]] = field(default_factory=list)  # lines (first, last) of each repeated
    # copy dropped, then of the copy kept: where the paragraphs of the two copies are compared once built
    warnings: list[str] = field(default_factory=list)
    metadata: dict[str, str] = field(default_factory=dict)
    suspects: list[Suspect] = field(default_factory=list)
    corrections: Corrections = Corrections()
