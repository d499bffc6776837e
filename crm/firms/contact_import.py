"""Importing contact people: each row names its firm (credit code or name); a contact matches by firm and
phone, else by firm and name, so re-importing changes nothing."""
from __future__ import annotations

from typing import Any

from sqlalchemy import select

from crm.core.imports import (
    ImportReport,
    ImportSpec,
    RowCheck,
    RowError,
    choice_cell,
    folded,
    plain,
    run_import,
    validated_cell,
)
from crm.core.spreadsheets import Table
from crm.core.validators import firm_name_key, normalise_phone, validate_uscc
from crm.db import db
from crm.firms.models import CONTACT_ROLES, Contact, Firm

SPEC = ImportSpec(
    object_type='contact',
    columns={
        'firm': ('企业名称', '公司名称', '单位名称', 'firm', 'company'),
        'uscc': ('统一社会信用代码', '信用代码', 'uscc'),
        'name': ('联系人', '姓名', '联系人姓名', 'contact', 'name'),
        'title': ('职务', '职位', 'title'),
        'role': ('角色', '联系人类型', 'role'),
        'phone': ('手机', '电话', '联系电话', '手机号', 'phone', 'mobile'),
        'email': ('邮箱', '电子邮箱', 'email', 'e-mail'),
        'wechat': ('微信', '微信号', 'wechat'),
        'notes': ('备注', 'notes'),
    },
    required=('name',),
    labels={'firm': '企业名称', 'uscc': '统一社会信用代码', 'name': '联系人', 'title': '职务', 'role': '角色',
            'phone': '电话', 'email': '邮箱', 'wechat': '微信', 'notes': '备注'},
)
FIELDS = ('title', 'role', 'phone', 'email', 'wechat', 'notes')


def _firm(cells: dict[str, str]) -> Firm:
    live = Firm.deleted_at.is_(None)
    code = validated_cell(cells.get('uscc', ''), 'uscc', validate_uscc)
    if code:
        firm = db.session.scalar(select(Firm).where(live, Firm.uscc == code))
        if firm is None:
            raise RowError('uscc', f'没有该统一社会信用代码的企业：{code}')
        return firm
    name = plain(cells.get('firm', ''))
    if not name:
        raise RowError('firm', '请填写企业名称或统一社会信用代码')
    firms = db.session.scalars(select(Firm).where(live, Firm.name_key == firm_name_key(name)).limit(2)).all()
    if not firms:
        raise RowError('firm', f'企业不存在：{name[:40]}（请先导入企业）')
    if len(firms) > 1:
        raise RowError('firm', f'有多家同名企业：{name[:40]}，请填写统一社会信用代码')
    return firms[0]


def _email(text: str) -> str | None:
    email = folded(text).lower()
    if email and ('@' not in email or '.' not in email.split('@')[-1]):
        raise RowError('email', f'邮箱格式不对：{email[:40]}')
    return email or None


def parse_row(cells: dict[str, str], check: RowCheck | None = None) -> dict[str, Any]:
    """Validate one contact row. Every bad cell is noted on `check`; without one, they are raised together
    (RowErrors) at the end."""
    own = check is None
    check = check or RowCheck()
    name = plain(cells.get('name', ''))
    if not name:
        check.add('name', '缺少联系人姓名')
    values = {'name': name[:60], 'title': plain(cells.get('title', ''))[:60] or None,
              'role': check(choice_cell, cells.get('role', ''), 'role', '角色', CONTACT_ROLES, None),
              'phone': check(validated_cell, cells.get('phone', ''), 'phone', normalise_phone),
              'email': check(_email, cells.get('email', '')),
              'wechat': plain(cells.get('wechat', ''))[:60] or None, 'notes': plain(cells.get('notes', '')) or None}
    if own:
        check.done()
    return values


SPEC.parse = parse_row


def _handle(number: int, cells: dict[str, str], report: ImportReport) -> None:
    check = RowCheck()
    values = parse_row(cells, check)
    firm = check(_firm, cells)
    check.done()
    key = Contact.phone == values['phone'] if values['phone'] else Contact.name == values['name']
    contact = db.session.scalar(select(Contact).where(Contact.firm_id == firm.id, key))
    if contact is None:
        contact = Contact(firm_id=firm.id, **values)
        db.session.add(contact)
        db.session.flush()
        report.created(contact)
        report.imported += 1
        return
    changes = {k: v for k, v in values.items() if v is not None and getattr(contact, k) != v}
    if not changes:
        report.unchanged += 1
        return
    report.updating(contact, changes)
    for name, value in changes.items():
        setattr(contact, name, value)
    db.session.flush()
    report.updated += 1


def import_contacts(table: Table, *, dry_run: bool = False, filename: str = '') -> ImportReport:
    """Import every good contact row in one transaction; report every bad one."""
    return run_import(table, SPEC, _handle, dry_run=dry_run, filename=filename)
