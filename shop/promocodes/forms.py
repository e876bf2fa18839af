"""The staff form of a promo code: it validates input; shop/promocodes/services.py saves."""

import datetime as dt
import re
from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from oscar.core.loading import get_model

from shop.promocodes.selectors import SCOPE_LABELS, USAGE_LABELS, promo_code_products
from shop.promocodes.services import (
    AMOUNT,
    ONE_PRODUCT,
    ONE_TOUR,
    PERCENT,
    PromoCodeTerms,
)

Voucher = get_model("voucher", "Voucher")

CODE = re.compile(r"^[A-Za-z0-9]+$")
MAX_CODE = 32
MAX_NAME = 100
MAX_AMOUNT = Decimal("100000")
MAX_LIMIT = 100_000
EARLIEST, LATEST = 2000, 2099
DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%d.%m.%Y %H:%M"]

KIND_CHOICES = [(PERCENT, _("Per cent off")), (AMOUNT, _("Roubles off the order"))]
USAGE_CHOICES = list(USAGE_LABELS.items())


def _moment_widget():
    return forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class ProductChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, product):
        return product.get_title()


class PromoCodeForm(forms.Form):
    name = forms.CharField(
        label=_("Name the customer sees"),
        max_length=MAX_NAME,
        help_text=_("Shown in the basket and on the payment page, e.g. “Student discount”."),
    )
    code = forms.CharField(
        label=_("Code"),
        max_length=MAX_CODE,
        help_text=_(
            "Latin letters and digits, no spaces. Customers may type it in any case: "
            "it is kept in capitals."
        ),
    )
    kind = forms.ChoiceField(label=_("Discount"), choices=KIND_CHOICES, widget=forms.RadioSelect)
    value = forms.DecimalField(
        label=_("How much"),
        help_text=_("Per cent (1 to 100) or roubles (up to 100 000), as chosen above."),
        max_digits=12,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"step": "0.01", "min": "0"}),
    )
    scope = forms.ChoiceField(
        label=_("Applies to"), choices=list(SCOPE_LABELS.items()), widget=forms.RadioSelect
    )
    product = ProductChoiceField(
        label=_("The tour or product"),
        queryset=promo_code_products(),
        required=False,
        empty_label="—",
        help_text=_("For “one tour” or “one product”: a tour's every date is included."),
    )
    starts_at = forms.DateTimeField(
        label=_("Valid from, Baikalsk time"),
        input_formats=DATETIME_FORMATS,
        widget=_moment_widget(),
    )
    ends_at = forms.DateTimeField(
        label=_("Valid until, Baikalsk time"),
        input_formats=DATETIME_FORMATS,
        widget=_moment_widget(),
    )
    usage = forms.ChoiceField(label=_("Usage"), choices=USAGE_CHOICES, widget=forms.RadioSelect)
    limit = forms.IntegerField(
        label=_("Orders in all, at most"),
        required=False,
        min_value=1,
        max_value=MAX_LIMIT,
        help_text=_("Leave empty for no limit."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound and "starts_at" not in self.initial:
            today = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
            self.initial.update(
                kind=PERCENT,
                scope="all",
                usage=Voucher.MULTI_USE,
                starts_at=today,
                ends_at=today + dt.timedelta(days=31, minutes=-1),
            )

    def clean_name(self):
        return " ".join(self.cleaned_data["name"].split())

    def clean_code(self):
        code = self.cleaned_data["code"].strip()
        if not CODE.match(code):
            raise forms.ValidationError(
                _("Use only Latin letters and digits, with no spaces, e.g. STUDENT10.")
            )
        return code.upper()

    def _clean_moment(self, name):
        moment = self.cleaned_data[name]
        if not EARLIEST <= timezone.localtime(moment).year <= LATEST:
            raise forms.ValidationError(
                _("Give a date between %(first)d and %(last)d."),
                params={"first": EARLIEST, "last": LATEST},
            )
        return moment

    def clean_starts_at(self):
        return self._clean_moment("starts_at")

    def clean_ends_at(self):
        return self._clean_moment("ends_at")

    def clean(self):
        cleaned = super().clean()
        kind, value = cleaned.get("kind"), cleaned.get("value")
        if value is not None:
            if kind == PERCENT and not Decimal("0") < value <= Decimal("100"):
                self.add_error("value", _("A per cent discount is from 1 to 100 %."))
            elif kind == AMOUNT and not Decimal("0") < value <= MAX_AMOUNT:
                self.add_error("value", _("A discount in roubles is from 1 to 100 000 ₽."))
        starts, ends = cleaned.get("starts_at"), cleaned.get("ends_at")
        if starts and ends and ends <= starts:
            self.add_error("ends_at", _("The code must end after it starts."))
        scope, product = cleaned.get("scope"), cleaned.get("product")
        if scope in (ONE_TOUR, ONE_PRODUCT):
            if product is None:
                self.add_error("product", _("Choose the tour or the product."))
            elif (scope == ONE_TOUR) != (product.is_parent):
                wrong = (
                    _("Choose a tour.") if scope == ONE_TOUR else _("Choose a product, not a tour.")
                )
                self.add_error("product", wrong)
        return cleaned

    def terms(self) -> PromoCodeTerms:
        data = self.cleaned_data
        return PromoCodeTerms(
            name=data["name"],
            code=data["code"],
            kind=data["kind"],
            value=data["value"],
            scope=data["scope"],
            product=data["product"] if data["scope"] in (ONE_TOUR, ONE_PRODUCT) else None,
            starts_at=data["starts_at"],
            ends_at=data["ends_at"],
            usage=data["usage"],
            limit=data["limit"],
        )


def _plain(value: Decimal | None):
    """10.00 as 10, 12.50 as 12.50: what staff typed."""
    if value is None or value != value.to_integral_value():
        return value
    return value.quantize(Decimal(1))


def initial_of(row) -> dict:
    """The form's values for an existing code."""
    voucher = row.voucher
    return {
        "name": voucher.name,
        "code": voucher.code,
        "kind": row.kind,
        "value": _plain(row.value),
        "scope": row.scope,
        "product": row.product.pk if row.product else None,
        "starts_at": timezone.localtime(voucher.start_datetime),
        "ends_at": timezone.localtime(voucher.end_datetime),
        "usage": voucher.usage,
        "limit": row.limit,
    }
