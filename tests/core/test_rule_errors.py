"""Services refuse input with one kind of error (crm.core.rules.RuleError) naming the input at fault; the API
answers it with that input under `fields`, a form shows it beside that field."""
import pytest
from werkzeug.datastructures import MultiDict
from wtforms import StringField

from crm.core.errors import rule_fields, rule_refused
from crm.core.forms import BaseForm, show_rule_error
from crm.core.rules import RuleError
from crm.firms.services import DuplicateFirm, FirmError
from crm.leads.aftercare import AftercareError
from crm.leads.services import LeadError, ReasonRequired, SkipNotConfirmed
from crm.packs.push import PushError
from crm.packs.services import PackError
from crm.plans.services import PlanError
from crm.platforms.media import MediaError
from crm.platforms.siteplan import OutlineError
from crm.platforms.units import UnitError
from crm.policies.imports import PolicyImportError
from crm.policies.payments import PaymentError
from crm.policies.reading import DocumentError
from crm.policies.services import SourceError
from crm.targets.services import TargetError

KINDS = (FirmError, DuplicateFirm, LeadError, SkipNotConfirmed, ReasonRequired, UnitError, MediaError, OutlineError,
         SourceError, PaymentError, DocumentError, PolicyImportError, PackError, PushError, TargetError, PlanError,
         AftercareError)


@pytest.mark.parametrize('kind', KINDS, ids=lambda kind: kind.__name__)
def test_every_service_error_is_a_rule_error_without_a_twin_constructor(kind):
    assert issubclass(kind, RuleError) and issubclass(kind, ValueError)
    if kind.__bases__[0] is RuleError:
        assert '__init__' not in vars(kind), 'the field is kept by RuleError'
        error = kind('message')
        assert (str(error), error.message, error.field) == ('message', 'message', None)
    assert issubclass(PackError, RuntimeError), 'still caught as before'


def test_the_api_answer_names_the_field_only_when_one_input_is_at_fault(app):
    with app.test_request_context():
        response, status = rule_refused(UnitError('taken', field='number'), 'refused', extra=1)
        assert status == 422
        assert response.get_json()['error'] | {'request_id': ''} == {
            'code': 'refused', 'status': 422, 'message': 'taken', 'fields': {'number': ['taken']}, 'extra': 1,
            'request_id': ''}
        assert rule_refused(PackError('whole'))[0].get_json()['error']['fields'] == {}
    assert rule_fields(TargetError('no source'), 'value') == {'value': ['no source']}
    assert rule_fields(TargetError('no source', field='source'), 'value') == {'source': ['no source']}
    assert rule_fields(ValueError('plain')) == {}


class _Form(BaseForm):
    number = StringField()
    note = StringField()


def test_a_form_shows_the_refusal_beside_the_named_field_else_the_fallback_else_above(app):
    with app.test_request_context():
        form = _Form(formdata=MultiDict({'number': '301'}), meta={'csrf': False})
        show_rule_error(form, UnitError('taken', field='number'))
        show_rule_error(form, UnitError('not a field of this form', field='status'), form.note)
        show_rule_error(form, UnitError('the whole request'))
        assert (list(form.number.errors), list(form.note.errors), form.form_errors) == (
            ['taken'], ['not a field of this form'], ['the whole request'])
