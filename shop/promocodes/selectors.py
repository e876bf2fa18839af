"""Promo codes as staff read them: Oscar's voucher, offer, benefit and range in one row."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from oscar.core.loading import get_model

from catalogue.selectors import TOUR_CLASS_SLUG
from shop.promocodes.services import (
    ALL_GINGERBREAD,
    ALL_TOURS,
    AMOUNT,
    CLASS_OF_SCOPE,
    EVERYTHING,
    ONE_PRODUCT,
    ONE_TOUR,
    PERCENT,
)

Voucher = get_model("voucher", "Voucher")
ConditionalOffer = get_model("offer", "ConditionalOffer")
Product = get_model("catalogue", "Product")

SCOPE_LABELS = {
    EVERYTHING: _("Everything: tours and gingerbread"),
    ALL_TOURS: _("All tours"),
    ALL_GINGERBREAD: _("All gingerbread"),
    ONE_TOUR: _("One tour"),
    ONE_PRODUCT: _("One product"),
}

USAGE_LABELS = {
    Voucher.ONCE_PER_CUSTOMER: _("Once per customer (signed-in customers only)"),
    Voucher.MULTI_USE: _("Any number of times, by anyone"),
    Voucher.SINGLE_USE: _("A single use, by one customer"),
}

# A code's state now.
NOT_YET = "not_yet"
ACTIVE = "active"
ENDED = "ended"
USED_UP = "used_up"
STATE_LABELS = {
    NOT_YET: _("Not yet valid"),
    ACTIVE: _("Valid now"),
    ENDED: _("Ended"),
    USED_UP: _("Used up"),
}


@dataclass
class PromoCodeRow:
    voucher: object
    offer: object | None
    kind: str
    value: Decimal | None
    scope: str | None  # None: made in Oscar's pages in a shape this page does not edit
    product: object | None
    uses: int
    limit: int | None
    state: str

    @property
    def scope_label(self) -> str:
        return str(SCOPE_LABELS.get(self.scope, _("Set in Oscar's offer pages")))

    @property
    def state_label(self) -> str:
        return str(STATE_LABELS[self.state])

    @property
    def usage_label(self) -> str:
        return str(USAGE_LABELS.get(self.voucher.usage, self.voucher.usage))

    @property
    def is_active(self) -> bool:
        return self.state == ACTIVE

    @property
    def editable(self) -> bool:
        return self.scope is not None and self.kind in (PERCENT, AMOUNT)


def _scope(product_range) -> tuple[str | None, object | None]:
    """What a range holds, in the form's words, or (None, None) for any other range."""
    classes = {klass.slug for klass in product_range.classes.all()}
    products = list(product_range.included_products.all())
    if product_range.includes_all_products:
        return (EVERYTHING, None) if not classes and not products else (None, None)
    for scope, slug in CLASS_OF_SCOPE.items():
        if classes == {slug} and not products:
            return scope, None
    if not classes and len(products) == 1:
        product = products[0]
        klass = product.product_class
        is_tour = klass is not None and klass.slug == TOUR_CLASS_SLUG
        return (ONE_TOUR if is_tour else ONE_PRODUCT), product
    return None, None


def _state(voucher, offer, now) -> str:
    if voucher.end_datetime < now:
        return ENDED
    if voucher.start_datetime > now:
        return NOT_YET
    limit = offer.max_global_applications if offer is not None else None
    if limit and offer.num_applications >= limit:
        return USED_UP
    if voucher.usage == Voucher.SINGLE_USE and voucher.num_orders:
        return USED_UP
    return ACTIVE


def _vouchers():
    offers = ConditionalOffer.objects.select_related(
        "benefit__range", "condition"
    ).prefetch_related(
        "benefit__range__classes",
        Prefetch(
            "benefit__range__included_products",
            queryset=Product.objects.select_related("product_class").prefetch_related(
                "translations"
            ),
        ),
    )
    return Voucher.objects.filter(voucher_set=None).prefetch_related(
        Prefetch("offers", queryset=offers)
    )


def _row(voucher, now) -> PromoCodeRow:
    offers = list(voucher.offers.all())
    offer = offers[0] if len(offers) == 1 else None
    scope, product, kind, value, limit = None, None, "", None, None
    if offer is not None:
        kind, value, limit = offer.benefit.type, offer.benefit.value, offer.max_global_applications
        if offer.benefit.range_id and offer.condition.range_id == offer.benefit.range_id:
            scope, product = _scope(offer.benefit.range)
    return PromoCodeRow(
        voucher=voucher,
        offer=offer,
        kind=kind,
        value=value,
        scope=scope,
        product=product,
        uses=voucher.num_orders,
        limit=limit,
        state=_state(voucher, offer, now),
    )


def promo_code_rows() -> list[PromoCodeRow]:
    """Every promo code, newest first (codes of Oscar's voucher sets are left to its pages)."""
    now = timezone.now()
    return [_row(voucher, now) for voucher in _vouchers().order_by("-date_created", "-pk")]


def promo_code_row(pk: int) -> PromoCodeRow | None:
    voucher = _vouchers().filter(pk=pk).first()
    return _row(voucher, timezone.now()) if voucher else None


def promo_code_products():
    """What "one tour" and "one product" may name: tours (parent products) and products
    sold as they are, not a tour's single departures."""
    return (
        Product.objects.exclude(structure=Product.CHILD)
        .select_related("product_class")
        .prefetch_related("translations")
        .order_by("title", "pk")
    )
