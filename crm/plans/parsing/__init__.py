"""Parse messy downloaded plan documents into clean, citable paragraphs, headings, tables and targets."""
from .corpus import CorpusStats
from .extract import split_sentences
from .keywords import DEFAULT_INDUSTRY_KEYWORDS
from .model import (
                    Corrections,
                    ParsedCommitment,
                    ParsedDocument,
                    ParsedHeading,
                    ParsedParagraph,
                    ParsedTable,
                    ParsedTarget,
                    Removal,
                    Suspect,
)
from .pipeline import parse_document
from .text import normalize_for_search

__all__ = ['parse_document', 'normalize_for_search', 'split_sentences', 'DEFAULT_INDUSTRY_KEYWORDS', 'ParsedDocument',
           'ParsedParagraph', 'ParsedHeading', 'ParsedTable', 'ParsedTarget', 'ParsedCommitment', 'Removal', 'Suspect',
           'Corrections', 'CorpusStats']
