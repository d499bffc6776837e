"""Ids and page numbers from query strings and forms that no database can store are ignored or refused, never a
500."""
from tests.conftest import post_form


def test_huge_ids_and_pages_are_not_server_errors(client, logged_in, factories):
    lead = factories.lead()
    logged_in('leader')
    huge = '9' * 40
    for url in (f'/leads/?owner_id={huge}', f'/leads/?platform={huge}', f'/leads/?page={huge}',
                f'/platforms/vacancies?building_id={huge}', f'/policies/?lead={huge}'):
        assert client.get(url).status_code < 500, url
    response = post_form(client, f'/leads/{lead.id}/assign', {'owner_id': huge}, token_from=f'/leads/{lead.id}')
    assert response.status_code in (302, 400)
