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


def catalogue_products_by_id(ids) -> list:
    """Products for content blocks, with what a card shows, in the order given."""
    ids = [pk for pk in ids if pk]
    found = catalogue_product_cards_queryset().in_bulk(ids)
    return [found[pk] for pk in ids if pk in found]


def tours_next_departures(tour_products, *, per_tour: int = 3) -> dict:
    """{tour product id: its next departures as rows (seats left, state, price)}, fixed queries."""
    from shop.bookings.models import Departure
    from shop.bookings.selectors import departure_row, departures_with_booking_data

    now = timezone.now()
    departures = departures_with_booking_data(
        Departure.objects.filter(
            tour__product__in=[p.pk for p in tour_products],
            starts_at__gt=now,
            status=DepartureStatus.SCHEDULED,
        ).order_by("starts_at")
    )
    rows: dict[int, list] = {p.pk: [] for p in tour_products}
    for departure in departures:
        row = departure_row(departure, now)
        if not row.bookable:
            continue
        listed = rows.setdefault(departure.tour.product_id, [])
        if len(listed) < per_tour:
            listed.append(row)
    return rows


def featured_tours(limit: int) -> list:
    """Tours for the home page, each with `.next_departures` (bookable, with seats left)."""
    tours = list(
        catalogue_product_cards_queryset().filter(product_class__slug=TOUR_CLASS_SLUG)[:limit]
    )
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


def event_departures(event, *, tz=None) -> list:
    """Departures of the event's tours that start on the event's days, earliest first."""
    import datetime as dt
    from zoneinfo import ZoneInfo

    from django.conf import settings

    from shop.bookings.models import Departure
    from shop.bookings.selectors import departure_row, departures_with_booking_data

    tour_ids = [link.tour_id for link in event.tour_links.all() if link.tour_id]
    if not tour_ids:
        return []
    tz = tz or ZoneInfo(settings.TIME_ZONE)
    first = dt.datetime.combine(event.start_date, dt.time.min, tzinfo=tz)
    last = dt.datetime.combine(event.last_date, dt.time.max, tzinfo=tz)
    now = timezone.now()
    departures = departures_with_booking_data(
        Departure.objects.filter(
            tour__product__in=tour_ids,
            tour__product__is_public=True,
            starts_at__gte=max(first, now),
            starts_at__lte=last,
        )
        .select_related("tour__product")
        .prefetch_related("tour__product__translations")
        .order_by("starts_at")
    )
    return [departure_row(d, now) for d in departures]
