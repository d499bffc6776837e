"""Factories for test data: each call creates and commits (to the test's savepoint) one record."""
from __future__ import annotations

import itertools

from crm.core import clock
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

    def building(self, platform, *, name: str | None = None):
        from crm.platforms.models import Building

        with self._in_app():
            building = Building(platform_id=platform.id, name=name or f'测试楼宇{next(_seq)}', floors=10)
            db.session.add(building)
            db.session.commit()
            return _detach(building)

    def unit(self, building, *, number: str | None = None, area: str = '200', rent: str | None = '3.5',
             status: str = '空置', note: str | None = None, use: str = '办公'):
        from decimal import Decimal

        from crm.platforms.models import Unit

        with self._in_app():
            unit = Unit(building_id=building.id, platform_id=building.platform_id, floor=3,
                        number=number or f'3{next(_seq):02d}', area_gross=Decimal(area),
                        rent=Decimal(rent) if rent else None, status=status, note=note, use=use)
            db.session.add(unit)
            db.session.commit()
            return _detach(unit)

    def firm(self, name: str | None = None, *, uscc: str | None = None, **values):
        from crm.core.validators import firm_name_key
        from crm.firms.models import Firm

        n = next(_seq)
        with self._in_app():
            name = name or f'测试企业{n}有限公司'
            firm = Firm(name=name, name_key=firm_name_key(name), uscc=uscc,
                        **{'tags': [], 'former_names': [], 'sources': [], **values})
            db.session.add(firm)
            db.session.commit()
            return _detach(firm)

    def tenancy(self, firm, unit, start=None):
        from datetime import date

        from crm.firms.models import Tenancy

        with self._in_app():
            tenancy = Tenancy(firm_id=firm.id, unit_id=unit.id, platform_id=unit.platform_id,
                              start_date=start or date(2025, 1, 1))
            db.session.add(tenancy)
            db.session.commit()
            return _detach(tenancy)

    def lead(self, firm=None, *, owner=None, platforms=(), stage: str | None = None, title: str | None = None,
             collaborators=()):
        from crm.leads.services import create_lead, move_stage

        firm = firm or self.firm()
        with self._in_app():
            lead = create_lead({'title': title or f'测试项目{next(_seq)}', 'firm_id': firm.id, 'source': '上门拜访'},
                               owner_id=owner.id if owner else None, actor_id=None,
                               platform_ids=[p.id for p in platforms], collaborator_ids=[u.id for u in collaborators])
            if stage:
                move_stage(lead, stage, actor_id=None, confirm_skip=True)
            db.session.commit()
            return _detach(lead)

    def user(self, role: str = 'officer', *, email: str | None = None, name: str | None = None,
             password: str | None = None, platforms: list | None = None, is_active: bool = True, firm=None,
             totp: bool | None = None):
        """A user; `totp`: enrolled in two-step sign-in with a random secret (default: when the role requires it,
        as every administrator is once set up; tests/conftest.py `login` then types its codes)."""
        from crm.auth import totp as second_factor
        from crm.auth.services import create_user

        n = next(_seq)
        if role == 'park_manager' and not platforms:
            platforms = [self.platform()]
        with self._in_app():
            user = create_user(email=email or f'user{n}@test-crm.cn', name=name or f'测试用户{n}', role=role,
                               password=password or self.PASSWORD, platform_ids=[p.id for p in platforms or []],
                               is_active=is_active)
            if firm is not None:
                user.firm_id = firm.id
            if totp if totp is not None else second_factor.required_for(user):
                second_factor.enrol_with_secret(user, second_factor.new_secret())
            db.session.commit()
            return _detach(user)

    # --- records hanging off firms, leads, buildings and plans ---

    PNG = (b'\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4'
           b'\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82')

    def contact(self, firm, *, name: str | None = None, **values):
        from crm.firms.models import Contact

        with self._in_app():
            contact = Contact(firm_id=firm.id, name=name or f'联系人{next(_seq)}', **values)
            db.session.add(contact)
            db.session.commit()
            return _detach(contact)

    def activity(self, lead, *, subject: str | None = None, owner=None, outcome: str | None = None):

        from crm.leads.models import Lead
        from crm.leads.services import add_activity

        with self._in_app():
            activity = add_activity(db.session.get(Lead, lead.id), kind='电话', subject=subject or f'跟进{next(_seq)}',
                                    due_on=clock.today(), owner_id=owner.id if owner else None, outcome=outcome)
            db.session.commit()
            return _detach(activity)

    def pack(self, lead):
        """A real pack: rendered, verified and stored like the 生成推介包 button does."""
        from crm.leads.models import Lead
        from crm.packs.services import build_pack

        with self._in_app():
            pack = build_pack(db.session.get(Lead, lead.id), author_name='测试')
            db.session.commit()
            return _detach(pack)

    def summary(self, firm):
        from crm.firms.models import Firm
        from crm.packs.summaries import build_summary

        with self._in_app():
            summary = build_summary(db.session.get(Firm, firm.id), author_name='测试')
            db.session.commit()
            return _detach(summary)

    def share(self, pack, *, days: int = 14) -> tuple:
        """A share link: (the PackShare row, its token)."""
        from sqlalchemy import select

        from crm.packs.models import Pack, PackShare
        from crm.packs.services import create_share

        with self._in_app():
            token = create_share(db.session.get(Pack, pack.id), days=days, actor_id=None)
            db.session.commit()
            share = db.session.scalar(select(PackShare).order_by(PackShare.id.desc()).limit(1))
            return _detach(share), token

    def media(self, building, *, unit=None, name: str = 'plan.png'):
        from crm.platforms.media import store
        from crm.platforms.models import Building, Unit

        with self._in_app():
            media = store(self.PNG, name, building=db.session.get(Building, building.id),
                          unit=db.session.get(Unit, unit.id) if unit else None,
                          kind='photo' if unit else 'floor_plan', actor_id=None)
            db.session.commit()
            return _detach(media)

    def saved_filter(self, user, *, name: str | None = None, query: str = 'stage=线索'):
        from crm.leads.models import SavedFilter

        with self._in_app():
            item = SavedFilter(user_id=user.id, name=name or f'筛选{next(_seq)}', query=query)
            db.session.add(item)
            db.session.commit()
            return _detach(item)

    def tracked_target(self):
        """The first extracted plan target (from the seeded plans) put on the register."""
        from sqlalchemy import select

        from crm.plans.models import Target
        from crm.targets.services import track

        with self._in_app():
            target = db.session.scalar(select(Target).where(Target.year.is_not(None)).order_by(Target.id).limit(1))
            tracked = track(target)
            db.session.commit()
            return _detach(tracked), target.id

    def delete_firm(self, firm):
        from crm.firms.models import Firm
        from crm.firms.services import soft_delete

        with self._in_app():
            soft_delete(db.session.get(Firm, firm.id), actor_id=None)
            db.session.commit()


def _detach(obj):
    """Load every column so the object stays readable after its session closes."""
    db.session.refresh(obj)
    for attr in obj.__mapper__.column_attrs:
        getattr(obj, attr.key)
    db.session.expunge(obj)
    return obj
