"""Questions a lower feature asks and a higher one answers (crm.core.hooks.ask): each has its answerer once the
application is built, and one nobody answers is refused by name."""
from __future__ import annotations

import pytest

from crm.core import hooks


def test_every_question_asked_from_below_has_its_answerer_above(app):
    from crm.auth.models import users_by_id
    from crm.firms.services import find_firm
    from crm.platforms.models import platform_names

    assert hooks._answers['firm'] is find_firm
    assert hooks._answers['users'] is users_by_id
    assert hooks._answers['platform_names'] is platform_names


def test_the_answers_are_the_answerers_own(factories, db_session, in_app):
    import random

    from crm.core.validators import make_uscc

    firm = factories.firm('问答测试科技有限公司', uscc=make_uscc(random.Random(21)))
    user = factories.user('officer')
    factories.platform('问答测试产业园', key='wenda-park')
    with in_app():
        assert hooks.ask('firm', str(firm.id)).id == firm.id and hooks.ask('firm', firm.uscc).id == firm.id
        assert hooks.ask('firm', '99999999') is None
        found = hooks.ask('users', [user.id, None, 10 ** 9])
        assert list(found) == [user.id] and found[user.id].email == user.email
        assert ('问答测试产业园', 'wenda-park') in hooks.ask('platform_names')


def test_a_question_nobody_answers_is_refused_by_name(app):
    with pytest.raises(LookupError, match='weather'):
        hooks.ask('weather')
