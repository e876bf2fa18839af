"""Versions of what storefront pages show about products: titles, prices, seats, stock,
departures. Cached fragments and whole pages carry versions in their key, so a change makes
every one of them that shows it stale at once (never wrong).

Three kinds of version:

- the **storefront version** (`catalogue_version`): any change through the ORM (a product,
  price, departure, fare saved by staff) bumps it by signal, and so does the clock: each
  version knows when the clock next changes what pages show (a departure's booking closes or
  it starts, or the day turns), and the first request after that moment starts a new one.
  Every cached page and fragment depends on it.
- a **product family version** per tour or product (`family_version(pk)`): the guarded stock
  UPDATEs (a seat or a gingerbread sold, released, handed over) bump only the family of the
  product they touched (a departure's family is its tour), and with it
- the **any-product version**, which what lists many products (home, catalogue, calendar)
  depends on (`listing_version`, the `catalogue_version` of templates).

A fragment that shows one product is keyed by that product's family (the `family_version`
template filter); a fragment keyed by `catalogue_version` depends on every family. Both note
what they depend on for the page being rendered (`depends_on`), so that the page cache
(shop/core/page_cache.py) keys a whole page by exactly the families it shows: a rush on one
tour leaves the pages of the other tours and of the gingerbread cached.

Fragments and pages also expire after a minute, as a net. With several app servers the cache
must be shared (CACHE_URL, e.g. Redis); if it cannot be reached, pages are rendered without it
(shop/core/cache_backend.py) and every version is bumped when it comes back.
"""

import contextvars
import datetime as dt
import uuid

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

KEY = "storefront:version"
DUE_KEY = "storefront:due:"
ANY_KEY = "storefront:any-product"
FAMILY_KEY = "storefront:product:"
EVERY_FAMILY = "*"

# The families the page being rendered shows (None outside a page the page cache may keep).
_depends: contextvars.ContextVar[set | None] = contextvars.ContextVar("depends", default=None)


def _new() -> str:
    return uuid.uuid4().hex[:12]


def _version(key: str) -> str:
    version = cache.get(key)
    if version is None:
        cache.add(key, _new(), None)
        version = cache.get(key)
    # None: the cache cannot be reached. A version of its own keys nothing that was kept.
    return version or _new()


def _changed(*keys: str) -> None:
    """Call inside or outside a transaction. The versions change at once and again when the
    transaction commits: a page rendered in between, from data not yet committed, is cached
    under a version that the commit makes stale."""

    def bump():
        cache.set_many({key: _new() for key in keys}, None)

    bump()
    transaction.on_commit(bump)


def version_of(key: str) -> str:
    """The version kept under `key` (a new one when there is none), for versions of other
    modules kept the same way (shop/basket/summary.py)."""
    return _version(key)


def versions_changed(*keys: str) -> None:
    """Replace the versions kept under `keys`, as `_changed` does for this module's."""
    _changed(*keys)


def start_recording():
    """Begin noting the families a page shows; returns the token for `stop_recording`."""
    return _depends.set(set())


def stop_recording(token) -> set:
    found = _depends.get() or set()
    _depends.reset(token)
    return found


def depends_on(*families) -> None:
    """The page being rendered shows these families (product ids, or EVERY_FAMILY)."""
    found = _depends.get()
    if found is not None:
        found.update(families)


def versions_of(keys) -> str:
    """One string for the versions kept under `keys`, in that order: one round trip to the
    cache, two when some are new. (None from the cache, which cannot be reached: a version of
    its own, which keys nothing that was kept.)"""
    found = cache.get_many(keys)
    missing = [key for key in keys if key not in found]
    for key in missing:
        cache.add(key, _new(), None)
    if missing:
        found.update(cache.get_many(missing))
    return "-".join(str(found.get(key) or _new()) for key in keys)


def family_versions(families) -> str:
    """One string for the versions of these families (EVERY_FAMILY: the any-product one)."""
    return versions_of(
        sorted({ANY_KEY if f == EVERY_FAMILY else f"{FAMILY_KEY}{f}" for f in families})
    )


def page_versions(families) -> str:
    """For a whole page: the storefront, content and these families' versions, read in one
    round trip to the cache (and one more for the clock)."""
    keys = sorted({ANY_KEY if f == EVERY_FAMILY else f"{FAMILY_KEY}{f}" for f in families})
    found = cache.get_many([KEY, CONTENT_KEY, *keys])
    storefront = _clocked(found.get(KEY) or _version(KEY))
    content = found.get(CONTENT_KEY) or _version(CONTENT_KEY)
    if all(key in found for key in keys):
        kept = "-".join(str(found[key]) for key in keys)
    else:
        kept = family_versions(families)
    return f"{storefront}.{content}.{kept}"


def family_version(product_id) -> str:
    """For a fragment that shows one product: the storefront and its family's versions."""
    depends_on(int(product_id))
    return f"{catalogue_version()}.{family_versions([int(product_id)])}"


def listing_version() -> str:
    """For a fragment that shows many products: the storefront and any-product versions."""
    depends_on(EVERY_FAMILY)
    return f"{catalogue_version()}.{family_versions([EVERY_FAMILY])}"


def products_changed(*product_ids) -> None:
    """Seats or stock of these products (and so of their families) changed."""
    _changed(ANY_KEY, *(f"{FAMILY_KEY}{pk}" for pk in product_ids if pk))


def stockrecords_changed(*stockrecord_ids) -> None:
    """After a guarded UPDATE of these stock records: their products' families changed (a
    departure's family is its tour)."""
    from oscar.core.loading import get_model

    rows = (
        get_model("partner", "StockRecord")
        .objects.filter(pk__in=stockrecord_ids)
        .values_list("product_id", "product__parent_id")
    )
    products_changed(*{pk for row in rows for pk in row if pk})


def everything_changed() -> None:
    """Every version at once: the shared cache came back after writes to it were lost. The
    tables' versions too (shop/core/table_versions.py)."""
    from shop.core.table_versions import every_table_changed

    _changed(KEY, ANY_KEY, CONTENT_KEY)
    every_table_changed()


def catalogue_version() -> str:
    return _clocked(_version(KEY))


def _clocked(version: str) -> str:
    """The storefront version, or a new one when the clock has changed what pages show."""
    due = cache.get(DUE_KEY + version)
    if due is None:
        due = _next_change_by_clock().timestamp()
        cache.set(DUE_KEY + version, due, 2 * 24 * 3600)
    if timezone.now().timestamp() >= due:
        # Another request may do the same at the same moment: two new versions, one wins.
        version = _new()
        cache.set(KEY, version, None)
    return version


def _next_change_by_clock() -> dt.datetime:
    """The next moment the clock alone changes what the storefront shows: a departure's
    booking closes or it starts, or the local day turns (dates shown as "today")."""
    from django.db.models import Max

    from shop.bookings.models import Departure, DepartureStatus, Tour

    now = timezone.now()
    local = timezone.localtime(now)
    midnight = timezone.make_aware(
        dt.datetime.combine(local.date() + dt.timedelta(days=1), dt.time()), local.tzinfo
    )
    moments = [midnight]
    # Only what happens before midnight matters; a booking that closes before then belongs to
    # a departure that starts at most the longest cut-off after it.
    longest = Tour.objects.aggregate(hours=Max("booking_cutoff_hours"))["hours"] or 0
    soon = Departure.objects.filter(
        starts_at__gt=now, starts_at__lte=midnight + dt.timedelta(hours=longest)
    ).exclude(status=DepartureStatus.CANCELLED)
    for starts_at, cutoff_hours in soon.values_list("starts_at", "tour__booking_cutoff_hours"):
        closes_at = starts_at - dt.timedelta(hours=cutoff_hours)
        moments += [starts_at] + ([closes_at] if closes_at > now else [])
    return min(moments)


def catalogue_changed(**kwargs) -> None:
    _changed(KEY)


def connect_signals() -> None:
    from django.apps import apps
    from django.db.models.signals import m2m_changed, post_delete, post_save

    models = [
        ("catalogue", "Product"),
        ("catalogue", "ProductTranslation"),
        ("catalogue", "ProductImage"),
        ("catalogue", "ProductCategory"),
        ("catalogue", "ProductAttributeValue"),
        ("catalogue", "Category"),
        ("catalogue", "CategoryTranslation"),
        ("partner", "StockRecord"),
        ("bookings", "Tour"),
        ("bookings", "TourTranslation"),
        ("bookings", "Departure"),
        ("bookings", "Fare"),
        ("bookings", "TicketType"),
        ("bookings", "TicketTypeTranslation"),
    ]
    for app_label, name in models:
        model = apps.get_model(app_label, name)
        uid = f"storefront-freshness-{app_label}-{name}"
        post_save.connect(catalogue_changed, sender=model, dispatch_uid=uid + "-save")
        post_delete.connect(catalogue_changed, sender=model, dispatch_uid=uid + "-delete")
    product = apps.get_model("catalogue", "Product")
    for field in product._meta.many_to_many:
        m2m_changed.connect(
            catalogue_changed,
            sender=field.remote_field.through,
            dispatch_uid=f"storefront-freshness-m2m-{field.name}",
        )


# --- Content pages -----------------------------------------------------------------------
# Menus and the events shown on other pages depend on which pages are live: a second version,
# bumped when a page is published, unpublished, moved or deleted, or the menus, contacts,
# images, sites or view restrictions are edited.

CONTENT_KEY = "content:version"


def content_version() -> str:
    return _version(CONTENT_KEY)


def content_changed(**kwargs) -> None:
    _changed(CONTENT_KEY)


def connect_content_signals() -> None:
    from django.db.models.signals import post_delete, post_save
    from wagtail.images import get_image_model
    from wagtail.models import Page, PageViewRestriction, Site
    from wagtail.signals import page_published, page_unpublished, post_page_move

    from cms.models import ContactSettings, NavigationSettings

    Image = get_image_model()

    page_published.connect(content_changed, dispatch_uid="content-freshness-published")
    page_unpublished.connect(content_changed, dispatch_uid="content-freshness-unpublished")
    post_page_move.connect(content_changed, dispatch_uid="content-freshness-moved")
    post_delete.connect(content_changed, sender=Page, dispatch_uid="content-freshness-deleted")
    # What every page shows besides its own content: menus, contacts, images (an image file
    # replaced gets new renditions), which site is where, and who may see a page.
    for model in (NavigationSettings, ContactSettings, Image, Site, PageViewRestriction):
        uid = f"content-freshness-{model._meta.label_lower}"
        post_save.connect(_content_saved, sender=model, dispatch_uid=uid + "-save")
        post_delete.connect(content_changed, sender=model, dispatch_uid=uid + "-delete")


def _content_saved(sender, instance, created=False, **kwargs) -> None:
    from wagtail.contrib.settings.models import BaseSiteSetting

    # Wagtail creates a site's settings row, with its defaults, the first time a page reads
    # it: what pages show does not change then. Editors' saves come after.
    if created and isinstance(instance, BaseSiteSetting):
        return
    content_changed()
