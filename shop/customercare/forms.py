"""Forms of a customer's own changes to a booking (shop/customercare/booking_views.py).

Each confirming form carries a one-time key made when the page was drawn: the service finds
a change already made with it and changes nothing twice (a double tap, a resent request).
"""

import re
import uuid

from django import forms
from django.utils.translation import gettext_lazy as _

KEY = re.compile(r"^[0-9a-f]{32}$")


class ChangeKeyField(forms.CharField):
    def __init__(self, **kwargs):
        super().__init__(widget=forms.HiddenInput, max_length=32, min_length=32, **kwargs)

    def clean(self, value):
        value = super().clean(value)
        if not KEY.match(value):
            raise forms.ValidationError(_("This form is damaged: open the page again."))
        return value


class ChangeForm(forms.Form):
    key = ChangeKeyField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["key"].initial = uuid.uuid4().hex


class CancelPeopleForm(ChangeForm):
    """How many people of each ticket type no longer come, and which of the others' names go."""

    def __init__(self, *args, booking, **kwargs):
        super().__init__(*args, **kwargs)
        self.booking = booking
        names = booking.type_names()
        self.people_fields = []
        for code, have in booking.quantities.items():
            name = f"people_{code}"
            self.fields[name] = forms.IntegerField(
                label=names.get(code, code),
                min_value=0,
                max_value=have,
                initial=0,
                required=False,
                widget=forms.NumberInput(attrs={"inputmode": "numeric", "class": "form-control"}),
            )
            self.people_fields.append((self[name], code, have))
        self.fields["names"] = forms.MultipleChoiceField(
            label=_("Who is not coming"),
            choices=[(name, name) for name in booking.participants],
            required=False,
            widget=forms.CheckboxSelectMultiple,
        )
        if not booking.participants:
            del self.fields["names"]

    def people(self) -> dict[str, int]:
        return {
            code: self.cleaned_data.get(bound.name) or 0
            for bound, code, _have in self.people_fields
        }

    def clean(self):
        cleaned = super().clean()
        if any(bound.name in self.errors for bound, _code, _have in self.people_fields):
            return cleaned
        cancelled = sum(self.people().values())
        if cancelled < 1:
            raise forms.ValidationError(_("Choose at least one person to cancel."))
        if cancelled >= self.booking.people:
            raise forms.ValidationError(
                _("That is everyone: cancel the whole booking with the button above.")
            )
        return cleaned


class MoveForm(ChangeForm):
    to = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
