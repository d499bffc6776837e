"""Default industry keyword dictionary used for tagging paragraphs: the product's industry vocabulary
(crm.core.industries)."""
from __future__ import annotations

from crm.core.industries import KEYWORDS as DEFAULT_INDUSTRY_KEYWORDS

__all__ = ['DEFAULT_INDUSTRY_KEYWORDS']
