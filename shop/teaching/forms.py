import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shop.teaching.reports import EARLIEST, LATEST, DateRange

MAX_DAYS = 3 * 366
ISO = "%Y-%m-%d"  # what <input type="date"> reads and sends


def in_the_sites_calendar(value: dt.date) -> None:
    if not EARLIEST <= value <= LATEST:
        raise forms.ValidationError(
            _("Choose a date from %(first)s to %(last)s.")
            % {"first": EARLIEST.isoformat(), "last": LATEST.isoformat()},
            code="out_of_range",
        )


def date_field(label) -> forms.DateField:
    """A calendar date within EARLIEST–LATEST (the browser's date picker is held to it too)."""
    return forms.DateField(
        label=label,
        validators=[in_the_sites_calendar],
        widget=forms.DateInput(
            attrs={"type": "date", "min": EARLIEST.isoformat(), "max": LATEST.isoformat()},
            format=ISO,
        ),
    )


class RangeForm(forms.Form):
    first = date_field(_("From"))
    last = date_field(_("To"))
    every = forms.ChoiceField(
        label=_("Trend by"),
        choices=[("day", _("day")), ("week", _("week")), ("month", _("month"))],
        required=False,
    )
    target = forms.IntegerField(
        label=_("Target, hours"), min_value=1, max_value=24 * 14, required=False
    )

    @staticmethod
    def default_initial() -> dict:
        first = timezone.localdate().replace(day=1)
        last = (first + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
        return {"first": first, "last": last, "every": "day", "target": 24}

    def clean(self):
        data = super().clean()
        first, last = data.get("first"), data.get("last")
        if first and last:
            if last < first:
                raise forms.ValidationError(_("The range ends before it starts."))
            if (last - first).days > MAX_DAYS:
                raise forms.ValidationError(_("Choose at most three years."))
        return data

    def date_range(self) -> DateRange:
        return DateRange(self.cleaned_data["first"], self.cleaned_data["last"])


class PeriodForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    starts_on = date_field(_("From"))
    ends_on = date_field(_("To (inclusive)"))

    def clean(self):
        data = super().clean()
        if data.get("starts_on") and data.get("ends_on") and data["ends_on"] < data["starts_on"]:
            raise forms.ValidationError(_("The period ends before it starts."))
        return data


class RubricForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=150)
    description = forms.CharField(
        label=_("Description"), widget=forms.Textarea, required=False, max_length=2000
    )


class CriterionForm(forms.Form):
    name = forms.CharField(label=_("Criterion"), max_length=150)
    description = forms.CharField(
        label=_("What it looks at"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=2000,
    )
    levels = forms.CharField(
        label=_("Levels, one per line: points | level | descriptor"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=5000,
    )


def parse_date(raw: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(raw or "")
    except ValueError:
        return None
