"""Promo codes: one staff form makes what Oscar needs for a voucher, in one transaction.

Oscar's voucher is only a code; its discount lives in an offer (a condition and a benefit,
each over a range of products). Oscar's dashboard builds them in four separate pages; here
`promo_code_save` writes the Range, Condition, Benefit, ConditionalOffer (type VOUCHER) and
Voucher together, so the basket, the payment page and the refunds, which read Oscar's models,
apply a code exactly as its form said.

Oscar's rules this relies on (oscar/apps/offer/applicator.py, voucher/abstract_models.py):
- a voucher's offer is applied while the voucher's own dates hold; the offer's dates and its
  "suspended" status are ignored for vouchers, so a code is switched off by ending it now;
- `max_basket_applications = 1` makes one order one use, so the offer's
  `max_global_applications` is the total limit in orders;
- Oscar upper-cases a voucher's code when saving it and looks codes up upper-cased: the
  customer may type it in any case.
"""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from oscar.core.loading import get_model

from catalogue.selectors import GINGERBREAD_CLASS_SLUG, TOUR_CLASS_SLUG
from shop.activity import kinds
from shop.activity.services import activity_record

Range = get_model("offer", "Range")
Condition = get_model("offer", "Condition")
Benefit = get_model("offer", "Benefit")
ConditionalOffer = get_model("offer", "ConditionalOffer")
Voucher = get_model("voucher", "Voucher")
ProductClass = get_model("catalogue", "ProductClass")
Product = get_model("catalogue", "Product")

# What a code applies to.
EVERYTHING = "all"
ALL_TOURS = "tours"
ALL_GINGERBREAD = "gingerbread"
ONE_TOUR = "tour"
ONE_PRODUCT = "product"
SCOPES = (EVERYTHING, ALL_TOURS, ALL_GINGERBREAD, ONE_TOUR, ONE_PRODUCT)
CLASS_OF_SCOPE = {ALL_TOURS: TOUR_CLASS_SLUG, ALL_GINGERBREAD: GINGERBREAD_CLASS_SLUG}

PERCENT = Benefit.PERCENTAGE
AMOUNT = Benefit.FIXED


class PromoCodeError(ValueError):
    """A code the service refuses, with the reason in the active language."""

    def __init__(self, message, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


@dataclass(frozen=True)
class PromoCodeTerms:
    """Everything the staff form says about a code."""

    name: str
    code: str
    kind: str  # PERCENT or AMOUNT
    value: Decimal
    scope: str
    product: object | None  # the tour's parent product or the one product, for those scopes
    starts_at: dt.datetime
    ends_at: dt.datetime
    usage: str  # one of Voucher's usages
    limit: int | None  # orders in all, or None for no limit


def _name_range(product_range, code: str) -> None:
    """Name the range after the code alone (Oscar's offer pages show it in every language),
    with a suffix when another range has that name or slug already (both are unique)."""
    others = Range.objects.exclude(pk=product_range.pk)
    name, suffix = code, 1
    while others.filter(Q(name=name) | Q(slug=slugify(name))).exists():
        suffix += 1
        name = f"{code}-{suffix}"
    product_range.name, product_range.slug = name, slugify(name)


def _fill_range(product_range, terms: PromoCodeTerms) -> None:
    product_range.includes_all_products = terms.scope == EVERYTHING
    product_range.save()
    product_range.classes.set(
        ProductClass.objects.filter(slug=CLASS_OF_SCOPE[terms.scope])
        if terms.scope in CLASS_OF_SCOPE
        else []
    )
    product_range.included_products.set(
        [terms.product] if terms.scope in (ONE_TOUR, ONE_PRODUCT) else []
    )
    product_range.invalidate_cached_queryset()


def _own_range(offer, code: str):
    """The offer's range if nothing else uses it; otherwise a new one for this code (a range
    made in Oscar's pages may serve other offers, which an edit here must not change)."""
    current = offer.benefit.range if offer else None
    if current is not None:
        shared = (
            Benefit.objects.filter(range=current).exclude(pk=offer.benefit_id).exists()
            or Condition.objects.filter(range=current).exclude(pk=offer.condition_id).exists()
        )
        if not shared:
            _name_range(current, code)
            return current
    product_range = Range()
    _name_range(product_range, code)
    return product_range


def _snapshot(voucher) -> dict:
    offer = voucher.offers.first()
    return {
        "code": voucher.code,
        "name": voucher.name,
        "kind": offer.benefit.type if offer else "",
        "value": str(offer.benefit.value) if offer else "",
        "starts_at": voucher.start_datetime.isoformat(),
        "ends_at": voucher.end_datetime.isoformat(),
        "usage": voucher.usage,
        "limit": offer.max_global_applications if offer else None,
    }


def _check_unique(terms: PromoCodeTerms, voucher, offer) -> None:
    others = Voucher.objects.exclude(pk=voucher.pk) if voucher else Voucher.objects.all()
    if others.filter(code=terms.code.upper()).exists():
        raise PromoCodeError(_code_taken(terms), "code")
    if others.filter(name=terms.name).exists():
        raise PromoCodeError(
            _("Another promo code is already called “%(name)s”.") % {"name": terms.name}, "name"
        )
    offers = ConditionalOffer.objects.exclude(pk=offer.pk) if offer else ConditionalOffer.objects
    if offers.filter(name=terms.name).exists():
        raise PromoCodeError(
            _("An offer in Oscar's offer pages is already called “%(name)s”.")
            % {"name": terms.name},
            "name",
        )


def promo_code_save(*, actor, terms: PromoCodeTerms, voucher=None):
    """Create a promo code, or change `voucher` to `terms`; the voucher."""
    try:
        return _save(actor, terms, voucher)
    except IntegrityError:
        # Another member of staff saved the same code or name a moment earlier.
        raise PromoCodeError(_code_taken(terms), "code") from None


def _code_taken(terms: PromoCodeTerms) -> str:
    return _("A promo code %(code)s exists already.") % {"code": terms.code.upper()}


def _save(actor, terms: PromoCodeTerms, voucher):
    with transaction.atomic():
        if voucher is not None:
            voucher = Voucher.objects.select_for_update().get(pk=voucher.pk)
        offer = voucher.offers.select_related("benefit", "condition").first() if voucher else None
        _check_unique(terms, voucher, offer)
        before = _snapshot(voucher) if voucher else {}

        product_range = _own_range(offer, terms.code.upper())
        _fill_range(product_range, terms)
        condition = offer.condition if offer else Condition()
        condition.range, condition.type, condition.value = product_range, Condition.COUNT, 1
        condition.save()
        benefit = offer.benefit if offer else Benefit()
        benefit.range, benefit.type, benefit.value = product_range, terms.kind, terms.value
        benefit.max_affected_items = None
        benefit.save()
        offer = offer or ConditionalOffer(offer_type=ConditionalOffer.VOUCHER)
        offer.name = terms.name
        offer.condition, offer.benefit = condition, benefit
        offer.max_basket_applications = 1
        offer.max_global_applications = terms.limit
        offer.status = ConditionalOffer.OPEN
        offer.save()

        voucher = voucher or Voucher()
        voucher.name = terms.name
        voucher.code = terms.code
        voucher.usage = terms.usage
        voucher.start_datetime, voucher.end_datetime = terms.starts_at, terms.ends_at
        voucher.save()
        voucher.offers.set([offer])

        activity_record(
            actor=actor,
            action=kinds.PROMO_CODE_CHANGED if before else kinds.PROMO_CODE_CREATED,
            before=before,
            after=_snapshot(voucher),
        )
    return voucher


def promo_code_end(*, actor, voucher) -> None:
    """Switch a code off now: no basket takes it from this moment (Oscar checks a voucher's
    dates each time it applies the offers); its history stays."""
    with transaction.atomic():
        voucher = Voucher.objects.select_for_update().get(pk=voucher.pk)
        now = timezone.now()
        if voucher.end_datetime <= now:
            return
        before = _snapshot(voucher)
        voucher.start_datetime = min(voucher.start_datetime, now)
        voucher.end_datetime = now
        voucher.save(update_fields=["start_datetime", "end_datetime"])
        # Oscar's own offer list shows the offer as suspended, as it is.
        voucher.offers.update(status=ConditionalOffer.SUSPENDED)
        activity_record(
            actor=actor, action=kinds.PROMO_CODE_ENDED, before=before, after=_snapshot(voucher)
        )
