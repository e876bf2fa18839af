"""One version for everything a storefront page shows about products: titles, prices, seats,
stock, departures. Cached fragments and whole pages carry the version in their key, so any
change makes every one of them stale at once (coarse, and never wrong).

Changes through the ORM bump it by signal; the guarded stock UPDATEs (allocation, release,
hand-over) and bulk updates bump it themselves, after their transaction commits. What changes
with time alone bumps it too: each version knows when the clock next changes what pages show
(a departure's booking closes or it starts, or the day turns), and the first request after
that moment starts a new version. Fragments and pages also expire after a minute, as a net.
With several app servers the cache must be shared (CACHE_URL, e.g. Redis), as for sessions
and baskets.
"""

import datetime as dt
import uuid

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

KEY = "storefront:version"
DUE_KEY = "storefront:due:"


def _version(key: str) -> str:
    version = cache.get(key)
    if version is None:
        cache.add(key, uuid.uuid4().hex[:12], None)
        version = cache.get(key)
    return version


def _changed(key: str) -> None:
    """Call inside or outside a transaction. The version changes at once and again when the
    transaction commits: a page rendered in between, from data not yet committed, is cached
    under a version that the commit makes stale."""

    def bump():
        cache.set(key, uuid.uuid4().hex[:12], None)

    bump()
    transaction.on_commit(bump)


def catalogue_version() -> str:
    version = _version(KEY)
    due = cache.get(DUE_KEY + version)
    if due is None:
        due = _next_change_by_clock().timestamp()
        cache.set(DUE_KEY + version, due, 2 * 24 * 3600)
    if timezone.now().timestamp() >= due:
        # Another request may do the same at the same moment: two new versions, one wins.
        version = uuid.uuid4().hex[:12]
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
