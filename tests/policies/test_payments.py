"""兑现 records: applied → approved → paid with amounts and dates on the firm page, refused out of order or above
the step before, totalled per policy (policy page, dashboard) and per platform (dashboard); a clawback the policy
text states is shown beside the payments; firm users read their own."""
from decimal import Decimal

import pytest
from sqlalchemy import select

from crm.policies.models import PolicyPayment
from tests.conftest import csrf_from, login, post_form
from tests.policies import policy_texts as texts

pytestmark = pytest.mark.usefixtures('business_clock')
CLAWBACK = '\n第十三条 享受扶持的企业十年内迁出本区的，应退回已获得的奖励资金。\n'


@pytest.fixture
def clause(in_app, db_session):
    from crm.policies.imports import accept_clause, import_policy_text

    with in_app():
        policy = import_policy_text((texts.ARTICLES + CLAWBACK).encode('gb18030'), 'pay.txt').policy
        chosen = next(c for c in policy.clauses if c.article == 'art3')
        accept_clause(chosen)
        db_session.commit()
        return chosen.id, policy.id


def test_an_officer_records_a_claim_from_application_to_payment(client, logged_in, factories, db_session, clause):
    clause_id, policy_id = clause
    park = factories.platform('兑现测试园')
    firm = factories.firm('兑现测试有限公司')
    factories.tenancy(firm, factories.unit(factories.building(park)))
    logged_in('officer')
    url = f'/policies/payments/new/{firm.id}'
    negative = post_form(client, url, {'clause': clause_id, 'amount': '-5', 'on': '2026-03-01'})
    assert negative.status_code == 422 and '金额不能为负' in negative.get_data(as_text=True)
    assert post_form(client, url, {'clause': clause_id, 'amount': '100', 'on': '2026-03-01',
                                   'note': '首期'}).status_code == 302
    payment = db_session.scalars(select(PolicyPayment)).one()
    assert (payment.status, payment.applied_amount, payment.policy_id) == ('applied', Decimal(100), policy_id)
    step = f'/policies/payments/{payment.id}'
    too_much = post_form(client, step, {'amount': '120', 'on': '2026-04-01', 'version': payment.version})
    assert too_much.status_code == 422 and '核定金额不能高于申报金额' in too_much.get_data(as_text=True)
    early = post_form(client, step, {'amount': '80', 'on': '2026-02-01', 'version': payment.version})
    assert early.status_code == 422 and '核定日期不能早于申报日期' in early.get_data(as_text=True)
    assert '2026-02-01' in early.get_data(as_text=True), 'the input is kept'
    assert post_form(client, step, {'amount': '80', 'on': '2026-04-01', 'version': payment.version}).status_code == 302
    db_session.expire_all()
    version = db_session.get(PolicyPayment, payment.id).version
    assert post_form(client, step, {'amount': '90', 'on': '2026-05-01', 'version': version}).status_code == 422
    assert post_form(client, step, {'amount': '50', 'on': '2026-05-01', 'version': version}).status_code == 302
    db_session.expire_all()
    payment = db_session.get(PolicyPayment, payment.id)
    assert (payment.status, payment.approved_amount, payment.paid_amount, str(payment.paid_on)) == (
        'paid', Decimal(80), Decimal(50), '2026-05-01')

    page = client.get(f'/firms/{firm.id}').get_data(as_text=True)
    assert '已拨付' in page and '十年内迁出本区的，应退回已获得的奖励资金' in page, 'the clawback is shown beside'
    assert '第十三条' in page
    dashboard = client.get('/leads/dashboard').get_data(as_text=True)
    assert 'payment-totals' in dashboard and '兑现测试园' in dashboard
    detail = client.get(f'/policies/{policy_id}').get_data(as_text=True)
    assert '政策兑现：1 笔；申报 100，核定 80，已拨付 50（万元）' in detail

    client.post('/logout', data={'csrf_token': csrf_from(client.get('/').data)})
    user = factories.user('firm', firm=firm)
    login(client, user.email, factories.PASSWORD)
    own = client.get(f'/firms/{firm.id}').get_data(as_text=True)
    assert '已拨付' in own and '记录兑现申报' not in own
    assert client.get(url).status_code == 403


def test_a_merged_firm_takes_its_payments_along(in_app, factories, db_session, clause):
    from datetime import date

    from crm.firms.models import Firm
    from crm.firms.services import merge
    from crm.policies import payments
    from crm.policies.models import PolicyClause

    survivor, duplicate = factories.firm('合并保留有限公司'), factories.firm('合并重复有限公司')
    with in_app():
        payments.apply(db_session.get(Firm, duplicate.id), db_session.get(PolicyClause, clause[0]), amount=20,
                       on=date(2026, 2, 1))
        merge(db_session.get(Firm, survivor.id), db_session.get(Firm, duplicate.id), chosen={}, actor_id=None)
        db_session.commit()
        assert [p.firm_id for p in db_session.scalars(select(PolicyPayment))] == [survivor.id]


def test_a_refused_step_is_shown_beside_the_amount_or_the_date(client, logged_in, factories, db_session, clause):
    clause_id, _policy_id = clause
    firm = factories.firm('兑现字段测试有限公司')
    logged_in('officer')
    assert post_form(client, f'/policies/payments/new/{firm.id}', {'clause': clause_id, 'amount': '100',
                                                                    'on': '2026-03-01'}).status_code == 302
    payment = db_session.scalars(select(PolicyPayment)).one()
    step = f'/policies/payments/{payment.id}'
    too_much = post_form(client, step, {'amount': '120', 'on': '2026-04-01', 'version': payment.version})
    early = post_form(client, step, {'amount': '80', 'on': '2026-02-01', 'version': payment.version})
    for response, name, message, kept in ((too_much, 'amount', '核定金额不能高于申报金额', '120'),
                                          (early, 'on', '核定日期不能早于申报日期', '2026-02-01')):
        html = response.get_data(as_text=True)
        assert response.status_code == 422
        assert f'<p class="error" id="{name}-err">{message}</p>' in html, 'beside the field, not above the form'
        assert f'value="{kept}' in html, 'the input is kept'
