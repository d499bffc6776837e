"""Offset pagination for ordinary lists (small tables); big lists use keyset pagination."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import request
from sqlalchemy import Select, func, select

from crm.db import db

MAX_PER_PAGE = 200


@dataclass
class Page:
    """One page of results plus what the pager needs."""

    items: list[Any]
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


def page_args(default_per_page: int = 50) -> tuple[int, int]:
    """Read `page` and `per_page` from the query string, clamped to sane values."""
    page = request.args.get('page', 1, type=int) or 1
    per_page = request.args.get('per_page', default_per_page, type=int) or default_per_page
    return max(1, page), max(1, min(per_page, MAX_PER_PAGE))


def paginate(stmt: Select, page: int, per_page: int, *, entities: bool = True) -> Page:
    """Run `stmt` for one page and count the total; `entities=False` keeps whole rows (several columns)."""
    total = db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    window = stmt.limit(per_page).offset((page - 1) * per_page)
    items = list(db.session.scalars(window)) if entities else db.session.execute(window).all()
    return Page(items=items, page=page, per_page=per_page, total=total)
