"""The policy register: policies with their clauses, conditions and citations (amounts only where public)."""
from __future__ import annotations

from flask import jsonify
from sqlalchemy import Text, cast, or_, select

from crm.api.spec import (BOOL, DATE, DECIMAL, INT, PAGE_PARAMS, STR, Param, component, dec, iso, nullable, obj,
                          operation, page_json, page_of, page_params, query_args, string_list, with_etag)
from crm.core.access import Perm, get_or_404, scoped
from crm.core.pagination import paginate
from crm.policies.models import CLAUSE_KINDS, LEVELS, Policy, PolicyClause

POLICY = {'id': INT, 'key': STR, 'title': STR, 'issuer': nullable(STR), 'level': STR, 'district': nullable(STR),
          'doc_number': nullable(STR), 'status': STR, 'effective_from': nullable(DATE),
          'expires_on': nullable(DATE), 'amounts_public': BOOL, 'is_example': BOOL, 'kinds': string_list(),
          'industries': string_list(), 'platforms': string_list()}
POLICY_SUMMARY = component('Policy', obj(POLICY))
CLAUSE = component('PolicyClause', obj({
    'id': INT, 'kind': STR, 'formula': STR, 'amount': nullable(DECIMAL), 'percent': nullable(DECIMAL),
    'base': nullable(STR), 'rate': nullable(DECIMAL), 'schedule': {'type': 'array', 'items': {'type': 'number'}},
    'cap_year': nullable(DECIMAL), 'cap_total': nullable(DECIMAL), 'note': nullable(STR),
    'conditions': {'type': 'array', 'items': {'type': 'object', 'required': ['field', 'op'],
                                              'properties': {'field': STR, 'op': STR}}},
}))
POLICY_DETAIL = component('PolicyDetail', obj({
    **POLICY, 'summary': nullable(STR), 'version': INT,
    'citations': {'type': 'array', 'items': {'type': 'object', 'properties': {'doc': STR, 'quote': STR}}},
    'clauses': {'type': 'array', 'items': CLAUSE}}))


def policy_json(p: Policy) -> dict:
    return {'id': p.id, 'key': p.key, 'title': p.title, 'issuer': p.issuer, 'level': p.level, 'district': p.district,
            'doc_number': p.doc_number, 'status': p.status, 'effective_from': iso(p.effective_from),
            'expires_on': iso(p.expires_on), 'amounts_public': p.amounts_public, 'is_example': p.is_example,
            'kinds': list(p.kinds or []), 'industries': list(p.industries or []),
            'platforms': list(p.platform_names or [])}


def clause_json(c: PolicyClause) -> dict:
    return {'id': c.id, 'kind': c.kind, 'formula': c.formula, 'amount': dec(c.amount), 'percent': dec(c.percent),
            'base': c.base, 'rate': dec(c.rate), 'schedule': list(c.schedule or []), 'cap_year': dec(c.cap_year),
            'cap_total': dec(c.cap_total), 'note': c.note, 'conditions': list(c.conditions or [])}


@operation('GET', '/policies', perm=Perm.POLICIES_VIEW, tag='policies', response=page_of(POLICY_SUMMARY),
           summary='Support policies: named in the plans (金额未公开) or with public amounts; 示例 ones are labelled',
           query=(Param('level', {'type': 'string', 'enum': list(LEVELS)}),
                  Param('kind', {'type': 'string', 'enum': list(CLAUSE_KINDS)}),
                  Param('q', {'type': 'string', 'maxLength': 100}, 'part of the title'), *PAGE_PARAMS))
def policies():
    args = query_args()
    stmt = scoped(select(Policy), Policy).order_by(Policy.is_example, Policy.title, Policy.id)
    if 'level' in args:
        stmt = stmt.where(Policy.level == args['level'])
    if 'kind' in args:
        stmt = stmt.where(or_(cast(Policy.kinds, Text).like(f'%"{args["kind"]}"%'),
                              Policy.id.in_(select(PolicyClause.policy_id).where(PolicyClause.kind == args['kind']))))
    if args.get('q'):
        stmt = stmt.where(Policy.title.like('%' + args['q'].replace('%', '').replace('_', '') + '%'))
    return jsonify(page_json(paginate(stmt, *page_params()), policy_json))


@operation('GET', '/policies/{policy_id}', perm=Perm.POLICIES_VIEW, tag='policies', response=POLICY_DETAIL,
           summary='One policy with its clauses, conditions and citations')
def policy(policy_id: int):
    item = get_or_404(Policy, policy_id)
    return with_etag(jsonify({**policy_json(item), 'summary': item.summary, 'version': item.version,
                              'citations': [{'doc': f.get('doc', ''), 'quote': f.get('quote', '')}
                                            for f in item.facts or []],
                              'clauses': [clause_json(c) for c in item.clauses]}), item.version)
