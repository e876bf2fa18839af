import uuid

import phonenumbers
from django import forms
from django.core.validators import MaxValueValidator
from django.utils.translation import gettext_lazy as _

from shop.partner.availability import booking_size_refusal

MAX_NAMES = 50
# A number written without a country code is read as Russian (8 914 …, 914 …).
PHONE_REGION = "RU"


def ticket_field_name(code: str) -> str:
    return f"tickets_{code}"


def phone_normalise(value: str) -> str | None:
    """The number in international form (+79140000000), or None when it cannot be a phone
    number anywhere: the Russian 8 prefix and foreign codes are understood."""
    try:
        number = phonenumbers.parse(value, PHONE_REGION)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


class BookingForm(forms.Form):
    """People per ticket type and who is coming, for one departure of a tour."""

    departure = forms.IntegerField(widget=forms.HiddenInput)
    booking_ref = forms.CharField(widget=forms.HiddenInput, max_length=32, min_length=32)
    lead_name = forms.CharField(label=_("Lead participant's name"), max_length=150)
    lead_phone = forms.CharField(
        label=_("Phone"),
        max_length=30,
        help_text=_("We call or text this number if the plans change."),
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )
    organisation = forms.CharField(label=_("School or organisation"), max_length=200)
    participants = forms.CharField(
        label=_("Names of the others (optional)"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One name per line. The guide uses them for the check-in list."),
    )

    def __init__(self, *args, tour, departure, **kwargs):
        super().__init__(*args, **kwargs)
        self.tour = tour
        self.departure = departure
        self.fields["booking_ref"].initial = uuid.uuid4().hex
        self.fields["departure"].initial = departure.pk
        self.fields["lead_name"].widget.attrs["autocomplete"] = "name"
        if tour.is_group_booking:
            self.fields["lead_name"].label = _("Group leader's name")
            self.fields["lead_phone"].label = _("Group leader's phone")
            self.fields["participants"].label = _("Names of the group members (optional)")
        else:
            del self.fields["organisation"]
        self.ticket_fields = []
        for position, fare in enumerate(departure.fares_in_order()):
            name = ticket_field_name(fare.ticket_type.code)
            self.fields[name] = forms.IntegerField(
                label=fare.ticket_type.get_name(),
                help_text=fare.ticket_type.get_description(),
                min_value=0,
                max_value=tour.max_per_booking,
                required=False,
                initial=1 if position == 0 and not tour.is_group_booking else 0,
                widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
            )
            if tour.is_group_booking:
                self.fields[name].label = _("People in the group, with the leader")
            self.ticket_fields.append((self[name], fare))
        for field in self.fields.values():
            field.widget.attrs.setdefault("class", "form-control")
        order = ["departure", "booking_ref"] + [
            ticket_field_name(f.ticket_type.code) for _b, f in self.ticket_fields
        ]
        self.order_fields(order)

    def clean_departure(self):
        if self.cleaned_data["departure"] != self.departure.pk:
            raise forms.ValidationError(_("This departure is not one of this tour's."))
        return self.departure

    def clean_lead_name(self):
        return " ".join(self.cleaned_data["lead_name"].split())

    def clean_lead_phone(self):
        number = phone_normalise(self.cleaned_data["lead_phone"].strip())
        if number is None:
            raise forms.ValidationError(
                _("Enter a phone number with its code, e.g. +7 914 000-00-00.")
            )
        return number

    def clean_participants(self):
        names = [" ".join(line.split()) for line in self.cleaned_data["participants"].splitlines()]
        names = [name[:150] for name in names if name]
        if len(names) > MAX_NAMES:
            raise forms.ValidationError(_("Too many names."))
        return names

    def tickets(self) -> dict[str, int]:
        return {
            fare.ticket_type.code: self.cleaned_data.get(bound.name) or 0
            for bound, fare in self.ticket_fields
        }

    def clean(self):
        cleaned = super().clean()
        if any(bound.name in self.errors for bound, _fare in self.ticket_fields):
            return cleaned
        people = sum(self.tickets().values())
        if reason := booking_size_refusal(self.tour, people):
            raise forms.ValidationError(reason)
        names = cleaned.get("participants") or []
        if len(names) > people - 1:
            self.add_error(
                "participants",
                _("There are more names than people in the booking (the lead is counted already)."),
            )
        return cleaned


class WaitlistForm(forms.Form):
    """A place on a sold-out departure's waiting list: an e-mail and how many people."""

    departure = forms.IntegerField(widget=forms.HiddenInput)
    email = forms.EmailField(
        label=_("E-mail"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "class": "form-control"}),
    )
    people = forms.IntegerField(
        label=_("How many people"),
        min_value=1,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "class": "form-control"}),
    )
    consent = forms.BooleanField(
        required=True,
        error_messages={"required": _("Please agree to the processing of your e-mail address.")},
    )

    def __init__(self, *args, tour, departure, **kwargs):
        super().__init__(*args, **kwargs)
        self.departure = departure
        self.fields["departure"].initial = departure.pk
        self.fields["people"].max_value = tour.max_per_booking
        self.fields["people"].initial = 1
        self.fields["people"].validators.append(MaxValueValidator(tour.max_per_booking))
        self.fields["people"].widget.attrs["max"] = tour.max_per_booking

    def clean_departure(self):
        if self.cleaned_data["departure"] != self.departure.pk:
            raise forms.ValidationError(_("This departure is not one of this tour's."))
        return self.departure
