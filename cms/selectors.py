"""Reads of live catalogue data for content pages (never copies that go stale)."""

from django.db.models import Prefetch
from django.utils import timezone
from oscar.core.loading import get_model

from shop.bookings.models import DepartureStatus

Product = get_model("catalogue", "Product")
StockRecord = get_model("partner", "StockRecord")

TOUR_CLASS_SLUG = "tour"
GINGERBREAD_CLASS_SLUG = "gingerbread"


def upcoming_departures_queryset():
    """Departures (child products) open for booking, earliest first: they set the "from" price."""
    return (
        Product.objects.filter(
            is_public=True,
            departure__starts_at__gt=timezone.now(),
            departure__status=DepartureStatus.SCHEDULED,
        )
        .select_related("parent__product_class", "departure__tour")
        .prefetch_related("stockrecords")
        .order_by("departure__starts_at")
    )


def catalogue_product_cards_queryset():
    """Public parent and standalone products with what a product card shows, prefetched."""
    return (
        Product.objects.browsable()
        .filter(is_public=True)
        .select_related("product_class", "tour")
        .prefetch_related(
            "images",
            "translations",
            "stockrecords",
            "attribute_values__attribute",
            Prefetch(
                "children",
                queryset=upcoming_departures_queryset(),
                # Oscar's get_public_children() reads this attribute when it is present.
                to_attr="_prefetched_public_children",
            ),
        )
        .order_by("-priority", "title")
    )


def catalogue_featured_products(*, limit: int = 6) -> dict:
    products = list(
        catalogue_product_cards_queryset().filter(
            product_class__slug__in=[TOUR_CLASS_SLUG, GINGERBREAD_CLASS_SLUG]
        )[: limit * 2]
    )
    return {
        "featured_tours": [p for p in products if p.product_class.slug == TOUR_CLASS_SLUG][:limit],
        "featured_gingerbread": [
            p for p in products if p.product_class.slug == GINGERBREAD_CLASS_SLUG
        ][:limit],
    }
