"""The policy register: policies with their clauses, conditions and citations (amounts only where public)."""
from __future__ import annotations

from flask import jsonify

from crm.api.spec import (
    BOOL,
    DATE,
    DECIMAL,
    ID,
    INT,
    PAGE_PARAMS,
    STR,
    Param,
    api_error,
    component,
    dec,
    iso,
    nullable,
    obj,
    operation,
    page_json,
    page_of,
    page_params,
    query_args,
    string_list,
    with_etag,
)
from crm.core.access import Perm, get_or_404
from crm.core.pagination import paginate
from crm.firms.models import Firm
from crm.leads.models import Lead
from crm.matching.services import condition_json, evaluation_json
from crm.packs.summaries import evaluate_for_subject
from crm.policies.models import CLAUSE_KINDS, LEVELS, Policy, PolicyClause
from crm.policies.queries import PolicyFilter, list_statement

POLICY = {'id': INT, 'key': STR, 'title': STR, 'issuer': nullable(STR), 'level': STR, 'district': nullable(STR),
          'doc_number': nullable(STR), 'status': STR, 'effective_from': nullable(DATE),
          'expires_on': nullable(DATE), 'amounts_public': BOOL, 'is_example': BOOL, 'highest_only': BOOL,
          'kinds': string_list(),
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
            'highest_only': bool(p.highest_only),
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
                  Param('q', {'type': 'string', 'maxLength': 100},
                        'words in the title, the issuer or the document number'), *PAGE_PARAMS))
def policies():
    stmt = list_statement(PolicyFilter.from_args(query_args()))
    return jsonify(page_json(paginate(stmt, *page_params()), policy_json))


@operation('GET', '/policies/{policy_id}', perm=Perm.POLICIES_VIEW, tag='policies', response=POLICY_DETAIL,
           summary='One policy with its clauses, conditions and citations')
def policy(policy_id: int):
    item = get_or_404(Policy, policy_id)
    return with_etag(jsonify({**policy_json(item), 'summary': item.summary, 'version': item.version,
                              'citations': [{'doc': f.get('doc', ''), 'quote': f.get('quote', '')}
                                            for f in item.facts or []],
                              'clauses': [clause_json(c) for c in item.accepted_clauses]}), item.version)


CONDITION_RESULT = obj({'text': STR, 'status': STR, 'used': nullable(STR)})
EVALUATION = component('PolicyEvaluation', obj({
    'policy_id': INT, 'subject': STR, 'level': {'type': 'string', 'enum': ['eligible', 'conditional', 'not_eligible']},
    'amount': {**STR, 'description': 'the estimate as every page and PDF shows it, with its basis'},
    'low': nullable(DECIMAL), 'high': nullable(DECIMAL),
    'basis': {**STR, 'description': '一次性, 按 1 年计 or N 年合计 (empty when there is no amount)'},
    'years': INT, 'term_years': INT,
    'yearly': {'type': 'array', 'items': {'type': 'array', 'items': nullable(DECIMAL)},
               'description': '[low, high] in 10k yuan for each year of the term'},
    'not_eligible_because': string_list(), 'conditions': {'type': 'array', 'items': CONDITION_RESULT}}))


@operation('GET', '/policies/{policy_id}/evaluation', perm=Perm.POLICIES_VIEW, tag='policies', response=EVALUATION,
           errors=(400,), summary='The policy evaluated for one lead or firm, exactly as the policy page, the match '
                                  'page, the pack and the 政策摘要 show it',
           query=(Param('lead_id', ID, 'the lead (its match page and pack)'),
                  Param('firm_id', ID, 'the firm (its 政策摘要)')))
def policy_evaluation(policy_id: int):
    item, args = get_or_404(Policy, policy_id), query_args()
    if ('lead_id' in args) == ('firm_id' in args):
        return api_error(400, 'invalid_query', '请指定 lead_id 或 firm_id 之一',
                         {'lead_id': ['请指定 lead_id 或 firm_id 之一']})
    if 'lead_id' in args:
        lead = get_or_404(Lead, args['lead_id'])
        subject, result = lead.display_name, evaluate_for_subject(item, lead=lead)
    else:
        firm = get_or_404(Firm, args['firm_id'])
        subject, result = firm.name, evaluate_for_subject(item, firm=firm)
    return jsonify({'policy_id': item.id, 'subject': subject, **evaluation_json(result),
                    'conditions': condition_json(result)})
