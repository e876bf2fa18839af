"""Dashboard forms for tours and departures: they validate input; the services change data."""

import datetime as dt
import re
from decimal import Decimal

from django import forms
from django.core.validators import MaxValueValidator
from django.db import models
from django.utils import timezone
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext_lazy as _

from shop.bookings.go_no_go import MAX_DECISION_HOURS
from shop.bookings.models import (
    TOUR_FACT_FIELDS,
    TRANSLATED_FIELDS,
    CancelReason,
    TicketType,
    Tour,
    TourTranslation,
)
from shop.bookings.selectors import guide_candidates

# Limits that catch typing mistakes (an extra zero) long before the database would.
MAX_CAPACITY = 1000
MAX_PRICE = Decimal("1000000")
MAX_TIMES = 12
MAX_DURATION_MINUTES = 14 * 24 * 60
MAX_CUTOFF_HOURS = 30 * 24


LANGUAGE_CODES = re.compile(r"^\s*[a-z]{2,3}(-[a-z]{2,4})?(\s*,\s*[a-z]{2,3}(-[a-z]{2,4})?)*\s*$")
TIME = re.compile(r"^(\d{1,2})[:.](\d{2})$")
DATE_FORMATS = ["%Y-%m-%d", "%d.%m.%Y"]


def price_field_name(code: str) -> str:
    return f"price_{code}"


class TicketPricesMixin:
    """One optional price field per ticket type; a blank price means the type is not sold."""

    def add_price_fields(self, initial: dict[str, Decimal] | None = None):
        self.ticket_types = list(TicketType.objects.prefetch_related("translations"))
        for ticket_type in self.ticket_types:
            self.fields[price_field_name(ticket_type.code)] = forms.DecimalField(
                label=ticket_type.get_name(),
                help_text=ticket_type.get_description(),
                required=False,
                min_value=0,
                max_value=MAX_PRICE,
                max_digits=12,
                decimal_places=2,
                initial=(initial or {}).get(ticket_type.code),
                widget=forms.NumberInput(attrs={"step": "0.01", "min": "0"}),
            )

    def price_fields(self):
        return [self[price_field_name(t.code)] for t in self.ticket_types]

    def other_fields(self):
        names = {price_field_name(t.code) for t in self.ticket_types}
        return [field for field in self if field.name not in names]

    def prices(self) -> dict[str, Decimal]:
        prices = {}
        for ticket_type in self.ticket_types:
            value = self.cleaned_data.get(price_field_name(ticket_type.code))
            if value is not None:
                prices[ticket_type.code] = value
        return prices

    def clean_prices(self):
        if not self.errors and not self.prices():
            raise forms.ValidationError(_("Give a price for at least one ticket type."))


def guides_field():
    return forms.ModelMultipleChoiceField(
        label=_("Guides"),
        queryset=guide_candidates(),
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
        help_text=_("The students who lead it: the tourists' ratings count for them."),
    )


class DepartureForm(TicketPricesMixin, forms.Form):
    capacity = forms.IntegerField(label=_("Capacity, people"), min_value=1, max_value=MAX_CAPACITY)

    def __init__(self, *args, departure, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["capacity"].initial = departure.capacity
        self.fields["guides"] = guides_field()
        self.fields["guides"].label_from_instance = _person
        self.fields["guides"].initial = list(departure.guides.values_list("pk", flat=True))
        self.add_price_fields({f.ticket_type.code: f.price for f in departure.fares.all()})

    def clean(self):
        cleaned = super().clean()
        self.clean_prices()
        return cleaned


class ScheduleForm(TicketPricesMixin, forms.Form):
    date_from = forms.DateField(
        label=_("First date"),
        input_formats=DATE_FORMATS,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    date_to = forms.DateField(
        label=_("Last date"),
        input_formats=DATE_FORMATS,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    weekdays = forms.TypedMultipleChoiceField(
        label=_("Weekdays"),
        choices=[(str(number), name) for number, name in WEEKDAYS.items()],
        coerce=int,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
        error_messages={"required": _("Choose at least one weekday.")},
    )
    times = forms.CharField(
        label=_("Start times"),
        max_length=200,
        help_text=_("Local time in Baikalsk (Irkutsk, UTC+8), separated by commas: 10:00, 15:30"),
        error_messages={"required": _("Give at least one start time.")},
    )
    capacity = forms.IntegerField(label=_("Capacity, people"), min_value=1, max_value=MAX_CAPACITY)

    def __init__(self, *args, tour, prices=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.tour = tour
        self.fields["capacity"].initial = tour.max_group_size
        tomorrow = timezone.localdate() + dt.timedelta(days=1)
        self.fields["date_from"].initial = tomorrow
        self.fields["date_to"].initial = tomorrow + dt.timedelta(days=27)
        self.add_price_fields(prices)

    def clean_times(self):
        raw = self.cleaned_data["times"]
        times = []
        for item in re.split(r"[\s,;]+", raw.strip()):
            if not item:
                continue
            match = TIME.match(item)
            hour, minute = (int(match[1]), int(match[2])) if match else (-1, -1)
            if not (0 <= hour <= 23 and 0 <= minute <= 59):
                raise forms.ValidationError(
                    _("Cannot read the time “%(value)s”: write it as HH:MM, e.g. 10:00."),
                    params={"value": item[:20]},
                )
            times.append(dt.time(hour, minute))
        if not times:
            raise forms.ValidationError(_("Give at least one start time."))
        times = sorted(set(times))
        if len(times) > MAX_TIMES:
            raise forms.ValidationError(
                _("Give at most %(count)d start times."), params={"count": MAX_TIMES}
            )
        return times

    def clean(self):
        cleaned = super().clean()
        date_from, date_to = cleaned.get("date_from"), cleaned.get("date_to")
        if date_from and date_to and date_to < date_from:
            self.add_error("date_to", _("The last date is before the first date."))
        self.clean_prices()
        return cleaned


def _person(user) -> str:
    return user.get_full_name() or user.get_username()


class OneDepartureForm(TicketPricesMixin, forms.Form):
    """One extra departure: a date and a time of its own, capacity and prices."""

    date = forms.DateField(
        label=_("Date"),
        input_formats=DATE_FORMATS,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    time = forms.CharField(
        label=_("Start time"),
        max_length=5,
        help_text=_("Local time in Baikalsk (Irkutsk, UTC+8), e.g. 10:00"),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "placeholder": "10:00"}),
    )
    capacity = forms.IntegerField(label=_("Capacity, people"), min_value=1, max_value=MAX_CAPACITY)

    def __init__(self, *args, tour, prices=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["capacity"].initial = tour.max_group_size
        self.fields["date"].initial = timezone.localdate() + dt.timedelta(days=1)
        self.add_price_fields(prices)

    def clean_time(self):
        raw = self.cleaned_data["time"].strip()
        match = TIME.match(raw)
        hour, minute = (int(match[1]), int(match[2])) if match else (-1, -1)
        if not (0 <= hour <= 23 and 0 <= minute <= 59):
            raise forms.ValidationError(
                _("Cannot read the time “%(value)s”: write it as HH:MM, e.g. 10:00."),
                params={"value": raw[:20]},
            )
        return dt.time(hour, minute)

    def clean(self):
        cleaned = super().clean()
        self.clean_prices()
        return cleaned

    def starts_at(self) -> dt.datetime:
        return timezone.make_aware(
            dt.datetime.combine(self.cleaned_data["date"], self.cleaned_data["time"])
        )


OFFER, REFUND = "offer", "refund"
MONEY_CHOICES = [
    (
        OFFER,
        _(
            "Offer another date of this tour instead of the refund: refunded when the customer "
            "asks, or by itself after the deadline"
        ),
    ),
    (REFUND, _("Refund everyone at once")),
]


class DepartureCancelForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("Why is the departure cancelled?"),
        choices=CancelReason.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose why the departure is cancelled.")},
    )
    note = forms.CharField(
        label=_("In a few words (the customers read it)"),
        max_length=255,
        required=False,
        help_text=_("Needed for another reason; the e-mail shows it after the reason."),
    )
    money = forms.ChoiceField(
        label=_("The customers' money"),
        choices=MONEY_CHOICES,
        widget=forms.RadioSelect,
        initial=OFFER,
        # The page always sends a choice (one is checked); a form sent without one (an older
        # page) refunds at once, as this form always did.
        required=False,
    )

    def __init__(self, *args, offer_possible: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        # Another date is the default when the tour has one with seats; without one, only
        # the refund at once is left.
        if not offer_possible:
            self.fields["money"].choices = [c for c in MONEY_CHOICES if c[0] == REFUND]
            self.fields["money"].initial = REFUND

    def clean(self):
        cleaned = super().clean()
        note = (cleaned.get("note") or "").strip()
        cleaned["note"] = note
        if cleaned.get("reason") == CancelReason.OTHER and not note:
            self.add_error("note", _("Say why the departure is cancelled."))
        return cleaned


def _https_urls(model_field, **kwargs):
    if isinstance(model_field, models.URLField):
        kwargs["assume_scheme"] = "https"
    return model_field.formfield(**kwargs)


class TourFactsForm(forms.ModelForm):
    """What a tourist needs to know before booking, in the shop's main language."""

    class Meta:
        model = Tour
        fields = TOUR_FACT_FIELDS
        formfield_callback = _https_urls
        widgets = {
            "what_to_bring": forms.Textarea(attrs={"rows": 3}),
            "cancellation_terms": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        limits = {
            "duration_minutes": MAX_DURATION_MINUTES,
            "min_group_size": MAX_CAPACITY,
            "max_group_size": MAX_CAPACITY,
            "max_per_booking": MAX_CAPACITY,
            "booking_cutoff_hours": MAX_CUTOFF_HOURS,
            "decision_hours": MAX_DECISION_HOURS,
        }
        for name, limit in limits.items():
            field = self.fields[name]
            field.max_value = limit
            field.widget.attrs["max"] = limit
            field.validators.append(MaxValueValidator(limit))

    def clean_languages(self):
        value = self.cleaned_data["languages"]
        if not LANGUAGE_CODES.match(value):
            raise forms.ValidationError(_("Give language codes separated by commas, e.g. ru,en."))
        return ",".join(code.strip() for code in value.split(","))

    def clean(self):
        cleaned = super().clean()
        low, high = cleaned.get("min_group_size"), cleaned.get("max_group_size")
        if low and high and low > high:
            self.add_error(
                "min_group_size",
                _("The minimum group size is larger than the maximum group size."),
            )
        return cleaned


class TourTranslationForm(forms.ModelForm):
    """A tour's texts in one language (the form's prefix is its code); a blank field falls
    back to the Russian text."""

    class Meta:
        model = TourTranslation
        fields = TRANSLATED_FIELDS
        widgets = {
            "what_to_bring": forms.Textarea(attrs={"rows": 3}),
            "cancellation_terms": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, language_name="", **kwargs):
        super().__init__(*args, **kwargs)
        self.language_name = language_name
        for field in self.fields.values():
            field.label = f"{field.label} ({language_name})"
