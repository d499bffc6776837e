"""Parse messy downloaded plan documents into clean, citable paragraphs, headings, tables and targets."""
from .extract import split_sentences
from .keywords import DEFAULT_INDUSTRY_KEYWORDS
from .model import (Corrections, ParsedCommitment, ParsedDocument, ParsedHeading, ParsedParagraph, ParsedTable,
                    ParsedTarget, Removal, Suspect)
from .pipeline import parse_document
from .spam import pair_counts
from .text import normalize_for_search

__all__ = ['parse_document', 'normalize_for_search', 'split_sentences', 'DEFAULT_INDUSTRY_KEYWORDS', 'ParsedDocument',
           'ParsedParagraph', 'ParsedHeading', 'ParsedTable', 'ParsedTarget', 'ParsedCommitment', 'Removal', 'Suspect',
           'Corrections', 'pair_counts']
