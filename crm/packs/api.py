"""Promotion packs: metadata and the stored PDF, both through the pack's scope (whoever may see its lead, and a
firm user the packs issued for their firm)."""
from __future__ import annotations

from flask import jsonify, send_file, url_for

from crm.api.spec import (
    DATETIME,
    ID,
    INT,
    PAGE_PARAMS,
    STR,
    Param,
    component,
    iso,
    nullable,
    obj,
    operation,
    page_json,
    page_of,
    page_params,
    query_args,
    string_list,
)
from crm.core.access import Perm, get_or_404
from crm.core.pagination import paginate
from crm.packs import queries, services
from crm.packs.models import Pack

PACK = {'id': INT, 'number': STR, 'lead_id': INT, 'firm_id': INT, 'version': INT, 'lang': STR, 'sha256': STR,
        'size': INT, 'pages': INT, 'author_id': nullable(INT), 'created_at': DATETIME,
        'download_url': {**STR, 'description': 'the PDF, for the same callers who may see this pack'}}
PACK_SUMMARY = component('Pack', obj(PACK))
PACK_DETAIL = component('PackDetail', obj({
    **PACK, 'stale_reasons': string_list(),
    'notes': {**string_list(), 'description': 'pinned units or policies this version left out, and why'}}))


def pack_json(p: Pack) -> dict:
    return {'id': p.id, 'number': p.number, 'lead_id': p.lead_id, 'firm_id': p.firm_id, 'version': p.version,
            'lang': p.lang, 'sha256': p.sha256, 'size': p.size, 'pages': p.pages, 'author_id': p.author_id,
            'created_at': iso(p.created_at), 'download_url': url_for('api.pack_pdf', pack_id=p.id)}


@operation('GET', '/packs', perm=Perm.PACKS_VIEW, tag='packs', response=page_of(PACK_SUMMARY),
           summary='Packs in scope, newest first (a lead\'s by version)', query=(Param('lead_id', ID), Param('firm_id', ID), *PAGE_PARAMS))
def packs():
    stmt = queries.list_statement(queries.PackFilter.from_args(query_args()))
    return jsonify(page_json(paginate(stmt, *page_params()), pack_json))


@operation('GET', '/packs/{pack_id}', perm=Perm.PACKS_VIEW, tag='packs', response=PACK_DETAIL,
           summary='One pack: number, version, fingerprint, download link and why it may be stale')
def pack(pack_id: int):
    item = get_or_404(Pack, pack_id)
    return jsonify({**pack_json(item), 'stale_reasons': services.stale_reasons(item),
                    'notes': list((item.snapshot or {}).get('notes', []))})


@operation('GET', '/packs/{pack_id}/pdf', perm=Perm.PACKS_VIEW, tag='packs', content_type='application/pdf',
           summary='The stored PDF, exactly as issued')
def pack_pdf(pack_id: int):
    item = get_or_404(Pack, pack_id)
    return send_file(services.pdf_path(item.sha256), mimetype='application/pdf', as_attachment=True,
                     download_name=f'{item.number}.pdf')
