"""T6 (browser half): the payload corpus stored in user text fields, then every role crawls the pages in Chromium.

No JavaScript dialog may open, no CSP violation may be reported, and the payloads show as literal text.
"""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.browser.conftest import LIVE_ENV, ROOT, sign_in
from tests.security.payloads import PAYLOADS

pytestmark = pytest.mark.browser

STORE = r'''
import json, sys
from sqlalchemy import select
from crm import create_app
from crm.db import db
from crm.auth.models import User
from crm.firms.models import Contact, Firm
from crm.leads.models import Activity, Lead
from crm.platforms.models import Building, Unit

payloads = json.loads(sys.stdin.read())
every = ' | '.join(payloads)
app = create_app()
with app.app_context():
    officer = db.session.scalar(select(User).where(User.role_code == 'officer'))
    manager = db.session.scalar(select(User).where(User.role_code == 'park_manager'))
    firm_user = db.session.scalar(select(User).where(User.role_code == 'firm'))
    leads = db.session.scalars(select(Lead).where(Lead.owner_id == officer.id).order_by(Lead.id)).all()
    lead = next(l for l in leads if {p.id for p in l.platforms} & set(manager.platform_ids))
    firms = db.session.scalars(select(Firm).where(Firm.deleted_at.is_(None)).order_by(Firm.id).limit(len(payloads))).all()
    for firm, payload in zip(firms, payloads):
        firm.name = (payload + ' · ' + firm.name)[:200]
    own = db.session.get(Firm, firm_user.firm_id)
    for firm in {lead.firm, own}:
        firm.notes, firm.address, firm.legal_rep = every, payloads[1][:300], payloads[5]
        db.session.add(Contact(firm_id=firm.id, name=payloads[0][:60], title=payloads[5], notes=every))
    lead.title, lead.notes, lead.codename = payloads[0] + payloads[5], every, payloads[8]
    db.session.add(Activity(lead_id=lead.id, kind='电话', subject=payloads[1][:200], outcome=every,
                            owner_id=officer.id, data={}))
    building = db.session.scalar(select(Building).where(Building.platform_id.in_(manager.platform_ids))
                                 .order_by(Building.id))
    building.name, building.address, building.operator = payloads[1][:120], payloads[5], payloads[3][:200]
    for unit, payload in zip(db.session.scalars(select(Unit).where(Unit.building_id == building.id)), payloads):
        unit.note = payload
    db.session.commit()
    print(json.dumps({'lead': lead.id, 'firm': own.id, 'lead_firm': lead.firm_id, 'building': building.id,
                      'platform': building.platform_id}))
'''
WATCH = '''
window.__csp = [];
document.addEventListener('securitypolicyviolation', e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));
'''


@pytest.fixture(scope='module')
def stored(live_server):
    result = subprocess.run([sys.executable, '-c', STORE], input=json.dumps(PAYLOADS), env=LIVE_ENV, cwd=ROOT,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def _pages(ids: dict) -> list[str]:
    return ['/', '/firms/', f'/firms/{ids["firm"]}', f'/firms/{ids["lead_firm"]}', f'/firms/{ids["lead_firm"]}/edit',
            '/leads/', f'/leads/{ids["lead"]}', f'/leads/{ids["lead"]}/edit', f'/leads/{ids["lead"]}/match',
            '/leads/board', '/leads/my-day', '/leads/dashboard', '/platforms/', f'/platforms/{ids["platform"]}',
            f'/platforms/buildings/{ids["building"]}', '/platforms/vacancies', '/admin/audit', '/targets/']


@pytest.mark.parametrize('role', ['admin', 'leader', 'officer', 'park_manager', 'firm'])
def test_payloads_stay_text_for_every_role(live_server, stored, browser, role):
    base, accounts = live_server
    context = browser.new_context(viewport={'width': 1366, 'height': 768}, locale='zh-CN')
    context.add_init_script(WATCH)
    page = context.new_page()
    problems, literal_pages = [], 0
    page.on('dialog', lambda dialog: (problems.append(f'dialog: {dialog.message}'), dialog.dismiss()))
    page.on('console', lambda msg: problems.append(f'console: {msg.text}')
            if msg.type == 'error' and 'status of 40' not in msg.text else None)
    sign_in(page, base, accounts[role])
    for path in _pages(stored):
        response = page.goto(base + path)
        page.wait_for_load_state('load')
        problems += [f'{path}: CSP {v}' for v in page.evaluate('window.__csp')]
        if response.status == 200:
            text = page.inner_text('body')
            if PAYLOADS[0] + PAYLOADS[5] in text or PAYLOADS[1] in text:  # stored together: never evaluated
                literal_pages += 1
    context.close()
    assert not problems, problems
    assert literal_pages >= (1 if role == 'firm' else 6), literal_pages
    print(f'xss crawl {role}: {len(_pages(stored))} pages × {len(PAYLOADS)} payloads, {literal_pages} showed them')
