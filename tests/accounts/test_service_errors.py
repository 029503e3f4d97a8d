"""A workflow's ValidationError lands on the form the person is looking at, whatever its shape."""

from django import forms
from django.core.exceptions import ValidationError

from productops.accounts.forms import add_service_errors


class _ReasonForm(forms.Form):
    reason = forms.CharField()


def _form():
    form = _ReasonForm({"reason": "because"})
    assert form.is_valid()
    return form


def test_field_errors_land_on_their_field_and_unknown_fields_on_top():
    form = _form()
    add_service_errors(
        form, ValidationError({"reason": "Say more.", "status": "This request is closed."})
    )
    assert form.errors["reason"] == ["Say more."]
    assert form.non_field_errors() == ["This request is closed."]


def test_a_plain_message_lands_on_top_instead_of_crashing():
    form = _form()
    add_service_errors(form, ValidationError("First confirm you read the strategy."))
    assert form.non_field_errors() == ["First confirm you read the strategy."]
