"""Demo data (`crm demo`): one account per role, labelled demo; features add their records."""
from __future__ import annotations

from sqlalchemy import select

from crm.auth import totp
from crm.auth.models import User, user_by_email
from crm.auth.services import create_user, ensure_roles, hash_password
from crm.core.settings import DEMO_LOADED, set_setting
from crm.db import db, utcnow
from crm.firms.models import Firm
from crm.firms.services import demo_firms, demo_tenancies
from crm.leads.demo import demo_leads
from crm.packs.summaries import demo_summary
from crm.platforms.services import ensure_platform
from crm.platforms.siteplan import demo_floor_plans
from crm.platforms.units import demo_units
from crm.policies.services import demo_policies
from crm.targets.services import demo_targets

DEMO_ACCOUNTS = [
    # role, e-mail, password, name, platform names
    ('admin', 'admin@demo-crm.cn', 'demo-admin-2026', '演示管理员', ()),
    ('leader', 'leader@demo-crm.cn', 'demo-leader-2026', '演示招商领导', ()),
    ('officer', 'officer@demo-crm.cn', 'demo-officer-2026', '演示招商专员', ()),
    ('park_manager', 'park@demo-crm.cn', 'demo-park-2026', '演示平台负责人（跨贸小镇）', ('跨贸小镇',)),
    ('firm', 'firm@demo-crm.cn', 'demo-firm-2026', '演示企业用户', ()),
]
# The demo administrator signs in with a one-time code like every administrator; its authenticator key is published
# with the demo passwords (README, `crm demo`), so the demo works from any authenticator app or `oathtool --totp -b`.
DEMO_ADMIN_TOTP_SECRET = 'GONGSHUDEMOADMINTWOSTEPSIGNINKEY'
# What packs and 政策摘要 print as the contact of the staff accounts (fictitious numbers, marked as examples).
DEMO_CONTACTS = {
    'leader': ('招商服务中心主任（示例）', '+8613800000001'),
    'officer': ('招商专员（示例）', '+8613800000002'),
    'park_manager': ('跨贸小镇招商部经理（示例）', '+8613800000003'),
}
DEMO_OFFICE = '杭州市拱墅区投资促进服务中心（示例地址）'
ROLE_NAMES = {'admin': '管理员', 'leader': '招商领导', 'officer': '招商专员', 'park_manager': '平台负责人',
              'firm': '企业用户'}


def _demo_account(role: str, email: str, password: str, name: str, platform_ids: list[int]) -> User:
    user = user_by_email(email)
    if user is None:
        # The demo passwords are published (README, `crm demo`), so the password rule has nothing to protect here.
        return create_user(email=email, name=name, role=role, password=password, platform_ids=platform_ids,
                           check_password=False)
    # Re-running the demo restores the documented password and role.
    user.password_hash, user.role_code, user.is_active = hash_password(password), role, True
    return user


def load_demo(*, units: int = 300, firms: int = 200, leads: int = 150, seed: int = 7) -> dict:
    """Create (or restore) the demo accounts and mark the database as holding demo data."""
    ensure_roles()
    kuamao = ensure_platform('kuamao-town', '跨贸小镇', '特色小镇', '拱墅区')
    accounts = []
    for role, email, password, name, platform_names in DEMO_ACCOUNTS:
        platform_ids = [kuamao.id] if platform_names else []
        user = _demo_account(role, email, password, name, platform_ids)
        if role in DEMO_CONTACTS and not (user.job_title or user.phone):  # kept once a demo user has edited them
            user.job_title, user.phone = DEMO_CONTACTS[role]
            user.office_address = user.office_address or DEMO_OFFICE
        account = {'role': role, 'role_name': ROLE_NAMES[role], 'email': email, 'password': password, 'name': name,
                   'platforms': list(platform_names)}
        if totp.required_for(user):
            totp.enrol_with_secret(user, DEMO_ADMIN_TOTP_SECRET)
            account['totp_secret'] = DEMO_ADMIN_TOTP_SECRET
        accounts.append(account)
    counts = {**demo_units(units, seed), **demo_floor_plans(), **demo_firms(firms, seed)}
    counts.update(demo_tenancies(seed))
    counts.update(demo_leads(leads, seed))
    counts.update(demo_policies())
    counts.update(demo_targets())
    firm_user = user_by_email('firm@demo-crm.cn')
    if firm_user is not None and firm_user.firm_id is None:
        firm_user.firm_id = db.session.scalar(select(Firm.id).where(Firm.is_demo.is_(True)).order_by(Firm.id))
    if firm_user is not None:
        counts.update(demo_summary(firm_user.firm_id, author=user_by_email('officer@demo-crm.cn')))
    set_setting(DEMO_LOADED, utcnow().isoformat())
    db.session.flush()
    return {'accounts': accounts, **counts}
