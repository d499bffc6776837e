"""The error every service raises when a business rule refuses the input."""
from __future__ import annotations


class RuleError(ValueError):
    """A rule refused the input. `message` is a catalogue message shown to the user as it stands; `field` names the
    one input at fault, by the name it has in the web form and in the API's JSON body alike (None: no single input
    is at fault, the request as a whole is refused). Web views put the message beside that field
    (crm.core.forms.show_rule_error), the API answers 422 with it under `fields` (crm.core.errors.rule_refused)."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
