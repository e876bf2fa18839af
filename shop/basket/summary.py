"""The header's basket link (how many items, what they cost) without loading the basket.

Oscar's basket middleware loads the whole basket with its offers applied the first time a page
reads `request.basket`: about ten queries (the basket, its lines, their options, products,
stock records, fares, images, vouchers and offers), and every page's header reads it. A
signed-in person's count and total are kept in the cache instead, under versions that change
whenever either could:

- the owner's basket version: any of their baskets saved or deleted (placed, merged, a
  voucher added), a line or a line's option added, changed or removed;
- the storefront version (shop/core/freshness.py): prices, fares, products, and the clock
  (a departure whose booking closes);
- the offers version: any offer, condition, benefit, range, voucher or voucher set saved or
  deleted, and the clock: each version knows when an offer or a voucher next starts or ends.

Stock levels are not among them: a seat or a gingerbread sold elsewhere changes neither a
line's price nor the count. The versions change at once and again when the transaction
commits, so a line added is counted on the very next page. A visitor who is not signed in,
or who is signed in with a guest basket still to merge, reads the basket as before (the
anonymous visitor's header comes from the page cache, shop/core/page_cache.py).
"""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.cache import cache, caches
from django.utils import timezone
from django.utils.functional import empty

from shop.core.freshness import catalogue_version, version_of, versions_changed

SUMMARY_KEY = "basket-summary:"
OWNER_KEY = "basket:owner:"
OFFERS_KEY = "offers:version"
OFFERS_DUE_KEY = "offers:due:"
SECONDS = 60 * 60


@dataclass(frozen=True)
class BasketSummary:
    num_items: int
    total_incl_tax: Decimal
    currency: str


def _of(basket) -> BasketSummary:
    count = basket.num_items
    total = basket.total_incl_tax if count else Decimal("0.00")
    return BasketSummary(num_items=count, total_incl_tax=total, currency=basket.currency)


def _loaded(request) -> bool:
    basket = getattr(request, "basket", None)
    return basket is not None and getattr(basket, "_wrapped", None) is not empty


def basket_summary(request) -> BasketSummary:
    """The count and total the header shows for this request's basket."""
    user = request.user
    if (
        not user.is_authenticated
        or settings.OSCAR_BASKET_COOKIE_OPEN in request.COOKIES  # a guest basket to merge
        or _loaded(request)  # the page loads the basket anyway: no cache needed
    ):
        return _of(request.basket)
    key = f"{SUMMARY_KEY}{user.pk}"
    owner_key = f"{OWNER_KEY}{user.pk}"
    # One entry per person: they live beside the whole pages, in a bounded space of their own
    # (shop/settings/base.py cache_aliases), not among the versions.
    kept = caches["pages"]
    found = cache.get_many([owner_key, OFFERS_KEY])
    # Read before the basket is: a change while it loads keeps this entry from being served.
    versions = (
        found.get(owner_key) or version_of(owner_key),
        _offers_clocked(found.get(OFFERS_KEY) or version_of(OFFERS_KEY)),
        catalogue_version(),
    )
    entry = kept.get(key)
    if entry is not None and entry[0] == versions:
        return entry[1]
    summary = _of(request.basket)
    kept.set(key, (versions, summary), SECONDS)
    return summary


def clocked_versions() -> tuple[str, str]:
    """What the clock alone changes in a basket's prices and lines: the offers' version (an
    offer or a voucher starts or ends) and the storefront's (a departure's booking closes, it
    starts, the day turns). Values kept under the tables' versions (the basket and payment
    pages, shop/basket/views.py) are keyed by these too."""
    return _offers_clocked(version_of(OFFERS_KEY)), catalogue_version()


def _offers_clocked(version: str) -> str:
    """The offers version, or a new one once an offer or a voucher has started or ended."""
    due = cache.get(OFFERS_DUE_KEY + version)
    if due is None:
        due = _next_offer_change().timestamp()
        cache.set(OFFERS_DUE_KEY + version, due, 2 * 24 * 3600)
    if timezone.now().timestamp() >= due:
        versions_changed(OFFERS_KEY)
        return cache.get(OFFERS_KEY) or version_of(OFFERS_KEY)
    return version


def _next_offer_change() -> dt.datetime:
    from django.db.models import Min
    from oscar.core.loading import get_model

    now = timezone.now()
    moments = [now + dt.timedelta(days=1)]
    for model in (get_model("offer", "ConditionalOffer"), get_model("voucher", "Voucher")):
        for field in ("start_datetime", "end_datetime"):
            found = model.objects.filter(**{f"{field}__gt": now}).aggregate(at=Min(field))["at"]
            if found is not None:
                moments.append(found)
    return min(moments)


def owners_changed(*owner_ids) -> None:
    versions_changed(*(f"{OWNER_KEY}{pk}" for pk in owner_ids if pk))


def offers_changed(**kwargs) -> None:
    versions_changed(OFFERS_KEY)


def _basket_saved(sender, instance, **kwargs) -> None:
    owners_changed(instance.owner_id)


def _line_saved(sender, instance, **kwargs) -> None:
    from oscar.core.loading import get_model

    Basket = get_model("basket", "Basket")  # noqa: N806
    if hasattr(instance, "basket_id"):
        line = instance
        if type(line).basket.is_cached(line):
            owners_changed(line.basket.owner_id)
            return
        baskets = Basket.objects.filter(pk=line.basket_id)
    else:  # a line's option (deleted with its line, the line's own signal speaks)
        baskets = Basket.objects.filter(lines__pk=instance.line_id)
    owners_changed(*baskets.values_list("owner_id", flat=True))


def _vouchers_changed(sender, instance, action, pk_set=None, reverse=False, **kwargs) -> None:
    from oscar.core.loading import get_model

    if not action.startswith("post_"):
        return
    if not reverse:  # basket.vouchers.add(...)
        owners_changed(instance.owner_id)
    elif pk_set:  # voucher.basket_set.add(...)
        baskets = get_model("basket", "Basket").objects.filter(pk__in=pk_set)
        owners_changed(*baskets.values_list("owner_id", flat=True))
    else:  # which baskets a voucher was cleared from is not known: every summary
        offers_changed()


def connect_basket_signals() -> None:
    from django.apps import apps
    from django.db.models.signals import m2m_changed, post_delete, post_save
    from oscar.core.loading import get_model

    Basket = get_model("basket", "Basket")  # noqa: N806
    for model, handler in (
        (Basket, _basket_saved),
        (get_model("basket", "Line"), _line_saved),
        (get_model("basket", "LineAttribute"), _line_saved),
    ):
        uid = f"basket-summary-{model._meta.label_lower}"
        post_save.connect(handler, sender=model, dispatch_uid=uid + "-save")
        post_delete.connect(handler, sender=model, dispatch_uid=uid + "-delete")
    m2m_changed.connect(
        _vouchers_changed, sender=Basket.vouchers.through, dispatch_uid="basket-summary-vouchers"
    )
    for label in ("offer", "voucher"):
        for model in apps.get_app_config(label).get_models():
            uid = f"basket-summary-offers-{model._meta.label_lower}"
            post_save.connect(offers_changed, sender=model, dispatch_uid=uid + "-save")
            post_delete.connect(offers_changed, sender=model, dispatch_uid=uid + "-delete")
            for field in model._meta.local_many_to_many:
                m2m_changed.connect(
                    offers_changed,
                    sender=field.remote_field.through,
                    dispatch_uid=f"{uid}-{field.name}",
                )
