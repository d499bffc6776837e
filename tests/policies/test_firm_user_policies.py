"""Firm users read the public part of the policy register: the list, a policy's terms, quotes and 申兑指南, and
how the policy applies to their own firm; never another firm, the review page or a policy's list of firms."""
from decimal import Decimal

import pytest

from tests.conftest import post_form
from tests.policies import policy_texts as texts


@pytest.fixture
def imported(in_app, db_session):
    from crm.policies.imports import accept_clause, import_policy_text

    with in_app():
        policy = import_policy_text(texts.ARTICLES.encode('gb18030'), 'public.txt').policy
        accept_clause(next(c for c in policy.clauses if c.article == 'art9'))
        db_session.commit()
        return policy.id


def test_a_firm_user_reads_policies_and_sees_how_one_applies_to_their_firm(client, logged_in, factories, imported):
    own = factories.firm('自家高新有限公司', district='拱墅区', tags=['高新技术企业'], headcount=120, rd_ratio=Decimal(7))
    other = factories.firm('别家有限公司', district='拱墅区')
    logged_in('firm', firm=own)
    listing = client.get('/policies/')
    assert listing.status_code == 200 and '杭州市拱墅区促进楼宇经济高质量发展若干政策' in listing.get_data(as_text=True)
    page = client.get(f'/policies/{imported}')
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and '第九条' in html and '申兑指南' in html
    assert '自家高新有限公司' in html and '符合条件' in html, 'the evaluation for their own firm'
    assert '按企业名称' not in html and 'name="who"' not in html, 'no search among other firms'
    assert client.get(f'/policies/{imported}?firm={other.id}').status_code == 404
    for path in (f'/policies/{imported}/firms', f'/policies/{imported}/review', f'/policies/{imported}/guide',
                 f'/policies/{imported}/import', '/policies/import', f'/policies/{imported}/edit'):
        assert client.get(path).status_code == 403, path
    assert post_form(client, f'/policies/{imported}/push', {'firm': [str(own.id)]},
                     token_from=f'/policies/{imported}').status_code == 403
