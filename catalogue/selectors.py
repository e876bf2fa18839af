"""Reads of the catalogue for every page that lists products: the catalogue and category
pages, the site search and the content pages' product blocks. Constant query counts: what a
product card shows is prefetched."""

from django.db.models import Prefetch
from django.utils import timezone
from oscar.core.loading import get_model

from shop.bookings.models import DepartureStatus

Product = get_model("catalogue", "Product")

# The product classes the shop sells (made by the demo data and migrations).
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


def catalogue_products_by_id(ids) -> list:
    """Products for content blocks, with what a card shows, in the order given."""
    ids = [pk for pk in ids if pk]
    found = catalogue_product_cards_queryset().in_bulk(ids)
    return [found[pk] for pk in ids if pk in found]


def featured_tours(limit: int) -> list:
    """Tours for the home page, each with `.next_departures` (bookable, with seats left)."""
    tours = list(
        catalogue_product_cards_queryset().filter(product_class__slug=TOUR_CLASS_SLUG)[:limit]
    )
    from shop.bookings.selectors import tours_next_departures

    rows = tours_next_departures(tours)
    for tour in tours:
        tour.next_departures = rows.get(tour.pk, [])
    return tours


def featured_gingerbread(limit: int) -> list:
    return list(
        catalogue_product_cards_queryset().filter(product_class__slug=GINGERBREAD_CLASS_SLUG)[
            :limit
        ]
    )
