"""A park manager's lead scope is written once (crm.leads.access) and read in two forms: the list of their
platforms' leads, and the same condition checked lead by lead as SQLite's list pages walk their order. Both must
pick the same leads, with or without a join on the platform links."""
from sqlalchemy import select

from crm.auth.models import User
from crm.leads.access import lead_visible, lead_visible_per_row, scope_is_lead_list
from crm.leads.models import Lead, lead_platform


def test_both_forms_of_a_park_managers_scope_pick_the_same_leads(factories, logged_in, in_app, db_session):
    own, second, other = factories.platform('自家园区'), factories.platform('自家二园'), factories.platform('别家园区')
    leads = {'own': factories.lead(platforms=[own], title='自家项目'),
             'second': factories.lead(platforms=[second], title='二园项目'),
             'both': factories.lead(platforms=[own, other], title='两园项目'),
             'other': factories.lead(platforms=[other], title='别家项目'),
             'none': factories.lead(title='未定园区项目')}
    manager = logged_in('park_manager', platforms=[own, second])
    expected = {leads[k].id for k in ('own', 'second', 'both')}
    with in_app():
        user = db_session.get(User, manager.id)
        assert scope_is_lead_list(user)
        whole = set(db_session.scalars(select(Lead.id).where(lead_visible(user))))
        per_row = set(db_session.scalars(select(Lead.id).where(lead_visible_per_row(user))))
        joined = set(db_session.scalars(
            select(Lead.id).join(lead_platform, lead_platform.c.lead_id == Lead.id)
            .where(lead_platform.c.platform_id == other.id, lead_visible_per_row(user))))
    leads_ids = {lead.id for lead in leads.values()}
    assert whole & leads_ids == expected
    assert per_row & leads_ids == expected
    assert joined == {leads['both'].id}


def test_an_officers_scope_has_one_form(factories, logged_in, in_app, db_session):
    officer = logged_in('officer')
    with in_app():
        user = db_session.get(User, officer.id)
        assert not scope_is_lead_list(user)
        assert str(lead_visible_per_row(user)) == str(lead_visible(user))
