"""Importing firms from CSV/XLSX: the usual Chinese and English headers are recognised; rows match an
existing firm by 统一社会信用代码, else by normalised name; re-importing the same file changes nothing."""
from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import select

from crm.core.imports import (
    ImportReport,
    ImportSpec,
    RowCheck,
    RowError,
    choice_cell,
    date_cell,
    decimal_cell,
    folded,
    int_cell,
    list_cell,
    plain,
    run_import,
    validated_cell,
)
from crm.core.spreadsheets import Table
from crm.core.validators import firm_name_key, validate_uscc
from crm.db import db
from crm.firms.models import FIRM_TAGS, REVENUE_BANDS, Firm
from crm.firms.services import FirmError, IndustryIndex

SPEC = ImportSpec(
    object_type='firm',
    columns={
        'name': ('企业名称', '公司名称', '单位名称', 'name', 'firm', 'company'),
        'uscc': ('统一社会信用代码', '信用代码', '社会信用代码', 'uscc', 'credit code'),
        'legal_rep': ('法定代表人', '法人', '法人代表', 'legal representative'),
        'address': ('注册地址', '地址', '住所', 'address', 'registered address'),
        'district': ('注册区', '所在区', '注册地', 'district'),
        'industry_code': ('所属行业', '行业代码', '行业', 'industry', 'industry code'),
        'registered_capital': ('注册资本(万元)', '注册资本', 'registered capital'),
        'revenue_band': ('营业收入', '营收规模', 'revenue', 'revenue band'),
        'headcount': ('员工人数', '从业人数', '人数', 'headcount', 'employees'),
        'rd_ratio': ('研发投入占比(%)', '研发投入占比', '研发占比', 'r&d ratio'),
        'registered_on': ('成立日期', '注册日期', 'registered on', 'founded'),
        'tags': ('标签', '企业标签', 'tags'),
        'former_names': ('曾用名', 'former names'),
        'notes': ('备注', 'notes'),
    },
    required=('name',),
    labels={'name': '企业名称', 'uscc': '统一社会信用代码', 'legal_rep': '法定代表人', 'address': '注册地址',
            'district': '注册区', 'industry_code': '所属行业', 'registered_capital': '注册资本',
            'revenue_band': '营业收入', 'headcount': '员工人数', 'rd_ratio': '研发投入占比', 'registered_on': '成立日期',
            'tags': '标签', 'former_names': '曾用名', 'notes': '备注'},
)
FIELDS = ('name', 'uscc', 'legal_rep', 'address', 'district', 'industry_code', 'registered_capital', 'revenue_band',
          'headcount', 'rd_ratio', 'registered_on', 'tags', 'former_names', 'notes')


def _industry(text: str, index: IndustryIndex | None) -> str | None:
    try:
        return (index or IndustryIndex()).resolve(folded(text))
    except FirmError as exc:
        raise RowError('industry_code', str(exc)) from exc


def _tags(text: str) -> list[str]:
    tags = list_cell(text, fold=True)
    unknown = [t for t in tags if t not in FIRM_TAGS]
    if unknown:
        raise RowError('tags', f'未知标签：{"、".join(unknown)[:40]}（可用：{"、".join(FIRM_TAGS)}）')
    return tags


def parse_row(cells: dict[str, str], industries: IndustryIndex | None = None,
              check: RowCheck | None = None) -> dict[str, Any]:
    """Validate one row into firm values. Every bad cell is noted on `check`; without one, they are raised together
    (RowErrors) at the end."""
    own = check is None
    check = check or RowCheck()
    name = plain(cells.get('name', ''))
    if not name:
        check.add('name', '缺少企业名称')
    values = {
        'name': name[:200], 'uscc': check(validated_cell, cells.get('uscc', ''), 'uscc', validate_uscc, fold=True),
        'legal_rep': plain(cells.get('legal_rep', ''))[:60] or None,
        'address': plain(cells.get('address', ''))[:300] or None,
        'district': plain(cells.get('district', ''))[:40] or None,
        'industry_code': check(_industry, cells.get('industry_code', ''), industries),
        'registered_capital': check(decimal_cell, cells.get('registered_capital', ''), 'registered_capital',
                                    '注册资本', Decimal(0), Decimal(100_000_000)),
        'revenue_band': check(choice_cell, cells.get('revenue_band', ''), 'revenue_band', '营业收入', REVENUE_BANDS,
                              None),
        'headcount': check(int_cell, cells.get('headcount', ''), 'headcount', '员工人数', 0, 10_000_000),
        'rd_ratio': check(decimal_cell, cells.get('rd_ratio', '').rstrip('%'), 'rd_ratio', '研发投入占比', Decimal(0),
                          Decimal(100)),
        'registered_on': check(date_cell, cells.get('registered_on', ''), 'registered_on', '成立日期'),
        'tags': check(_tags, cells.get('tags', '')) or [], 'former_names': list_cell(cells.get('former_names', '')),
        'notes': plain(cells.get('notes', '')) or None,
    }
    if own:
        check.done()
    return values


SPEC.parse = lambda cells, check: parse_row(cells, None, check)


class FirmImporter:
    """Matches rows to firms (USCC first, then normalised name) and applies them.

    Live firms are loaded once into dictionaries and new rows are flushed in batches, so a 10,000-row
    file costs a few queries rather than two per row.
    """

    FLUSH_EVERY = 1000

    def __init__(self) -> None:
        self.seen_uscc: dict[str, int] = {}
        self.seen_name: dict[str, int] = {}
        self.by_uscc: dict[str, Firm] = {}
        self.by_key: dict[str, list[Firm]] = {}
        for firm in db.session.scalars(select(Firm).where(Firm.deleted_at.is_(None))):
            self._remember(firm)
        self.pending = 0
        self.industries = IndustryIndex()

    def _remember(self, firm: Firm) -> None:
        if firm.uscc:
            self.by_uscc[firm.uscc] = firm
        self.by_key.setdefault(firm.name_key, []).append(firm)

    def _match(self, values: dict[str, Any]) -> Firm | None:
        if values['uscc'] and values['uscc'] in self.by_uscc:
            return self.by_uscc[values['uscc']]
        candidates = self.by_key.get(firm_name_key(values['name']), [])
        if len(candidates) == 1 and (not values['uscc'] or not candidates[0].uscc):
            return candidates[0]
        if len(candidates) > 1 and not values['uscc']:
            raise RowError('name', '数据库中有多家同名企业，请填写统一社会信用代码以区分')
        return None

    def _check_file_duplicates(self, number: int, values: dict[str, Any]) -> None:
        key = firm_name_key(values['name'])
        if values['uscc'] and values['uscc'] in self.seen_uscc:
            raise RowError('uscc', f'统一社会信用代码与第 {self.seen_uscc[values["uscc"]]} 行重复')
        if not values['uscc'] and key in self.seen_name:
            raise RowError('name', f'与第 {self.seen_name[key]} 行是同一家企业（名称相同）')
        if values['uscc']:
            self.seen_uscc[values['uscc']] = number
        self.seen_name.setdefault(key, number)

    def _flush_sometimes(self) -> None:
        self.pending += 1
        if self.pending >= self.FLUSH_EVERY:
            db.session.flush()
            self.pending = 0

    def __call__(self, number: int, cells: dict[str, str], report: ImportReport) -> None:
        check = RowCheck()
        values = parse_row(cells, self.industries, check)
        if not check.failed('name', 'uscc'):
            check(self._check_file_duplicates, number, values)
        check.done()
        firm = self._match(values)
        if firm is None:
            firm = Firm(name_key=firm_name_key(values['name']), sources=[], **values)
            db.session.add(firm)
            self._remember(firm)
            self._flush_sometimes()
            report.created(firm)
            report.imported += 1
            return
        changes = {k: v for k, v in values.items() if v not in (None, [], '') and getattr(firm, k) != v}
        if not changes:
            report.unchanged += 1
            return
        report.updating(firm, (*changes, 'former_names', 'name_key'))
        if 'name' in changes and firm.name not in firm.former_names:
            changes['former_names'] = list(dict.fromkeys([*firm.former_names, firm.name, *values['former_names']]))
        for key, value in changes.items():
            setattr(firm, key, value)
        firm.name_key = firm_name_key(firm.name)
        self._flush_sometimes()
        report.updated += 1


def import_firms(table: Table, *, dry_run: bool = False, filename: str = '') -> ImportReport:
    """Import every good row in one transaction and report every bad one (row, column, reason)."""
    importer = FirmImporter()

    def handle(number: int, cells: dict[str, str], report: ImportReport) -> None:
        importer(number, cells, report)

    report = run_import(table, SPEC, handle, dry_run=dry_run, filename=filename, before_commit=db.session.flush)
    return report
