"""`crm pack …`: build a lead's promotion pack, or the demo one, into a PDF file."""
from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext
from sqlalchemy import select as sa_select

from crm.core.access import SYSTEM
from crm.core.console import cli_context as _cli_context
from crm.core.console import emit as _emit
from crm.db import db
from crm.leads.models import Lead
from crm.matching.services import match_lead
from crm.packs.services import PackError, build_pack, pdf_path


@click.group('pack', help='Promotion packs (招商推介包).')
def pack_group() -> None:
    pass


def _pack_payload(pack) -> dict:
    return {'pack_id': pack.id, 'number': pack.number, 'version': pack.version, 'sha256': pack.sha256,
            'pages': pack.pages, 'bytes': pack.size, 'quotes': pack.snapshot.get('quotes', []),
            'policies': [p for p, _v in pack.snapshot.get('policies', [])],
            'units': [u for u, _v in pack.snapshot.get('units', [])]}


def _write_pack(lead, output: Path, lang: str, as_json: bool) -> None:
    _cli_context('pack')
    try:
        pack = build_pack(lead, lang=lang)
    except PackError as exc:
        raise click.ClickException(str(exc)) from exc
    db.session.commit()
    output.write_bytes(pdf_path(pack.sha256).read_bytes())
    _emit(_pack_payload(pack), as_json, f'{output}: {pack.number}, {pack.pages} pages, {pack.size} bytes')


@pack_group.command('build')
@click.option('--lead', 'lead_id', type=int, required=True)
@click.option('-o', '--output', required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option('--lang', type=click.Choice(['zh', 'en']), default='zh')
@click.option('--json', 'as_json', is_flag=True)
@with_appcontext
def pack_build(lead_id: int, output: Path, lang: str, as_json: bool) -> None:
    """Build (and store) a new version of a lead's pack, and write the PDF to a file."""
    lead = db.session.get(Lead, lead_id)
    if lead is None:
        raise click.ClickException(f'项目不存在 (no such lead): {lead_id}')
    _write_pack(lead, output, lang, as_json)


@pack_group.command('demo')
@click.option('-o', '--output', required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option('--lang', type=click.Choice(['zh', 'en']), default='zh')
@click.option('--json', 'as_json', is_flag=True)
@with_appcontext
def pack_demo(output: Path, lang: str, as_json: bool) -> None:
    """The pack of the first demo lead that has a matching platform, units and commitments."""
    for lead in db.session.scalars(sa_select(Lead).where(Lead.is_demo.is_(True)).order_by(Lead.id).limit(200)):
        result = match_lead(lead, viewer=SYSTEM)
        if result['platforms'] and result['units'] and result['commitments']:
            _write_pack(lead, output, lang, as_json)
            return
    raise click.ClickException('没有可生成推介包的演示项目（请先运行 crm demo）')
