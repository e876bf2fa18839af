"""Live shop data and the events calendar inside content pages (always read, never copied).

Templates call these inside `{% cache … catalogue_version %}` fragments, so a fresh fragment
costs no query and any change in the shop makes it stale (shop/core/freshness.py).
"""

from django import template
from django.utils import timezone
from wagtail.models import Locale

from catalogue import selectors
from shop.bookings.selectors import tours_next_departures

register = template.Library()


@register.simple_tag
def featured_tours(limit=3):
    return selectors.featured_tours(int(limit or 3))


@register.simple_tag
def featured_gingerbread(limit=3):
    return selectors.featured_gingerbread(int(limit or 3))


@register.simple_tag
def live_product(pk):
    """The product with what its card shows, or None once it is gone or hidden."""
    products = selectors.catalogue_products_by_id([pk])
    if not products:
        return None
    product = products[0]
    if product.is_parent and getattr(product, "tour", None) is not None:
        product.tour_card = True
        product.next_departures = tours_next_departures([product]).get(product.pk, [])
    return product


@register.simple_tag
def upcoming_events(limit=3):
    from cms.models import EventPage

    today = timezone.localdate()
    return list(
        EventPage.objects.live()
        .public()
        .filter(locale=Locale.get_active())
        .exclude(end_date__lt=today)
        .exclude(end_date=None, start_date__lt=today)
        .select_related("image")
        .order_by("start_date", "path")[: int(limit or 3)]
    )


@register.simple_tag
def events_index():
    from cms.models import EventIndexPage

    return EventIndexPage.objects.live().filter(locale=Locale.get_active()).first()
