"""Factories for test data: each call creates and commits (to the test's savepoint) one record."""
from __future__ import annotations

import itertools

from crm.db import db

_seq = itertools.count(1)


class Factories:
    """Callables that build records inside an application context."""

    PASSWORD = 'correct horse battery'

    def __init__(self, in_app) -> None:
        self._in_app = in_app

    def platform(self, name: str | None = None, *, kind: str = '产业园', district: str = '拱墅区', key: str | None = None):
        from crm.platforms.models import Platform

        n = next(_seq)
        with self._in_app():
            platform = Platform(key=key or f'test-platform-{n}', name=name or f'测试平台{n}', kind=kind,
                                district=district)
            db.session.add(platform)
            db.session.commit()
            return _detach(platform)

    def user(self, role: str = 'officer', *, email: str | None = None, name: str | None = None,
             password: str | None = None, platforms: list | None = None, is_active: bool = True):
        from crm.auth.services import create_user

        n = next(_seq)
        if role == 'park_manager' and not platforms:
            platforms = [self.platform()]
        with self._in_app():
            user = create_user(email=email or f'user{n}@test-crm.cn', name=name or f'测试用户{n}', role=role,
                               password=password or self.PASSWORD, platform_ids=[p.id for p in platforms or []],
                               is_active=is_active)
            db.session.commit()
            return _detach(user)


def _detach(obj):
    """Load every column so the object stays readable after its session closes."""
    db.session.refresh(obj)
    for attr in obj.__mapper__.column_attrs:
        getattr(obj, attr.key)
    db.session.expunge(obj)
    return obj
