"""`crm plans …`: import, inspect and search plan documents; list commitments and targets."""
from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from crm.core.console import cli_context as _cli_context
from crm.core.console import emit as _emit
from crm.db import db
from crm.plans.commitments import list_commitments, target_dict, targets_statement
from crm.plans.models import PlanDocument, PlanParagraph
from crm.plans.search import search
from crm.plans.services import PlanError, correct_document, document_summary, import_document, review_suspects


@click.group('plans', help='Plan documents: import, show, search, commitments, targets.')
def plans_group() -> None:
    pass


@plans_group.command('import')
@click.argument('files', nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option('--slug', default=None, help='Stable key of the document (default: from the file name).')
@click.option('--title', default=None)
@click.option('--issuer', default=None)
@click.option('--date', 'date_', default=None, help='Date of the document, YYYY-MM-DD.')
@click.option('--kind', default=None, help='规划纲要, 年度计划报告, 政策文件 …')
@click.option('--period', default=None)
@click.option('--district', default=None)
@click.option('--json', 'as_json', is_flag=True)
@with_appcontext
def import_command(files, slug, title, issuer, date_, kind, period, district, as_json) -> None:
    """Import plan text files (UTF-8 or GB18030); the same file twice changes nothing."""
    _cli_context('plans-import')
    meta = {'slug': slug, 'title': title, 'issuer': issuer, 'date': date_, 'kind': kind, 'period': period,
            'district': district}
    if len(files) > 1 and (slug or title):
        raise click.ClickException('--slug/--title apply to one file at a time')
    results = [import_document(path.read_bytes(), path.name, meta) for path in files]
    if len(results) > 1 and any(r.created for r in results):
        review_suspects()  # the first files of a batch were judged against less of the corpus than the last
    documents = [document_summary(r) for r in results]
    db.session.commit()
    human = '\n'.join(f"{d['id']:>4} {'new' if d['created'] else 'unchanged'} {d['title']} "
                      f"({d['paragraphs']} paragraphs, {d['commitments']} commitments)" for d in documents)
    _emit({'documents': documents}, as_json, human)


@plans_group.command('correct')
@click.argument('document_id', type=int)
@click.option('--strip', 'strip', default=None, help='Remove this string as injected junk (e.g. a reported suspect).')
@click.option('--keep', 'keep', default=None, help='Put back this string the junk detector removed.')
@click.option('--json', 'as_json', is_flag=True)
@with_appcontext
def correct_command(document_id: int, strip: str | None, keep: str | None, as_json: bool) -> None:
    """Correct a document's junk removal; the file is parsed again into a new version linked to this one."""
    _cli_context('plans-correct')
    if (strip is None) == (keep is None):
        raise click.ClickException('give exactly one of --strip TEXT or --keep TEXT')
    document = db.session.get(PlanDocument, document_id)
    if document is None:
        raise click.ClickException(f'no plan document {document_id}')
    try:
        result = correct_document(document, 'strip' if strip is not None else 'keep', strip or keep)
    except PlanError as exc:
        raise click.ClickException(str(exc)) from exc
    db.session.commit()
    summary = document_summary(result)
    _emit({'documents': [summary]}, as_json,
          f"{summary['id']:>4} new version of {document_id}: {summary['title']} ({summary['paragraphs']} paragraphs)")


@plans_group.command('show')
@click.argument('document_id', type=int)
@click.option('--json', 'as_json', is_flag=True)
@with_appcontext
def show_command(document_id: int, as_json: bool) -> None:
    """A document's metadata and all its paragraphs in order."""
    document = db.session.get(PlanDocument, document_id)
    if document is None:
        raise click.ClickException(f'规划文件不存在 (no such document): {document_id}')
    paragraphs = db.session.scalars(select(PlanParagraph).where(PlanParagraph.document_id == document_id)
                                    .order_by(PlanParagraph.seq)).all()
    payload = {'id': document.id, 'slug': document.slug, 'title': document.title, 'issuer': document.issuer,
               'doc_number': document.doc_number, 'date': document.date, 'period': document.period,
               'kind': document.kind, 'district': document.district, 'sha256': document.sha256,
               'is_current': document.is_current, 'previous': document.previous_id,
               'paragraphs': [{'anchor': p.anchor, 'citation': p.citation, 'heading_path': p.heading_path,
                               'text': p.text, 'kind': p.kind} for p in paragraphs]}
    _emit(payload, as_json, '\n'.join(f'[{p.anchor}] {p.text}' for p in paragraphs))


@plans_group.command('search')
@click.argument('query')
@click.option('--doc', 'document_id', type=int, default=None)
@click.option('--platform', default=None)
@click.option('--kind', type=click.Choice(['commitment']), default=None)
@click.option('--limit', type=int, default=20)
@click.option('--json', 'as_json', is_flag=True)
@with_appcontext
def search_command(query, document_id, platform, kind, limit, as_json) -> None:
    """Paragraphs containing every term of QUERY, best first."""
    hits = search(query, document_id=document_id, platform=platform, kind=kind, limit=limit)
    _emit({'hits': [h.as_dict() for h in hits]}, as_json,
          '\n'.join(f'{h.paragraph.citation}\n    {h.paragraph.text[:120]}' for h in hits) or '(no hits)')


@plans_group.command('commitments')
@click.option('--platform', default=None)
@click.option('--industry', default=None)
@click.option('--doc', 'document_id', type=int, default=None)
@click.option('--kind', type=click.Choice(['qualitative', 'quantitative']), default=None)
@click.option('--json', 'as_json', is_flag=True)
@with_appcontext
def commitments_command(platform, industry, document_id, kind, as_json) -> None:
    """Commitments (curation applied; rejected ones left out)."""
    rows = [c.as_dict() for c in list_commitments(platform=platform, industry=industry, document_id=document_id,
                                                   kind=kind)]
    _emit({'commitments': rows}, as_json, '\n'.join(f"{r['citation']}: {r['text']}" for r in rows))


@plans_group.command('targets')
@click.option('--doc', 'document_id', type=int, default=None)
@click.option('--json', 'as_json', is_flag=True)
@with_appcontext
def targets_command(document_id, as_json) -> None:
    """Quantitative targets: metric, value, unit, comparator, year, base, citation."""
    rows = [target_dict(t) for t in db.session.scalars(targets_statement(document_id=document_id))]
    _emit({'targets': rows}, as_json,
          '\n'.join(f"{r['metric']} {r['comparator']}{r['value']}{r['unit']} ({r['year'] or r['period']})" for r in rows))
