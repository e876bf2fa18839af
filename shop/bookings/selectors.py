"""Reads for tour pages: departures with seats left, in a constant number of queries."""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from itertools import groupby

from django.db.models import Prefetch
from django.utils import timezone

from catalogue.translation import translation_languages
from shop.bookings.models import (
    FEW_SEATS_LEFT,
    Departure,
    DepartureStatus,
    Fare,
    Tour,
    TourTranslation,
)

OPEN = "open"
FEW = "few"
SOLD_OUT = "soldout"
CLOSED = "closed"
CANCELLED = "cancelled"


@dataclass
class DepartureRow:
    departure: Departure
    starts_at: dt.datetime  # local time
    seats_left: int
    state: str
    fare: Fare | None  # the full fare, the price the row shows (shop/bookings/pricing.py)

    @property
    def price(self) -> Decimal | None:
        return self.fare.price if self.fare else None

    @property
    def fare_name(self) -> str:
        """Whose price it is ("Adult"), in the active language (names cached, no query)."""
        from shop.bookings.options import ticket_type_names

        if self.fare is None:
            return ""
        return ticket_type_names().get(self.fare.ticket_type.code, self.fare.ticket_type.name)

    @property
    def bookable(self) -> bool:
        return self.state in (OPEN, FEW)


def departures_with_booking_data(queryset):
    """Departures with what a row shows (tour, stock, fares) loaded in fixed queries."""
    return queryset.select_related("tour", "product").prefetch_related(
        "product__stockrecords",
        Prefetch("fares", queryset=Fare.objects.select_related("ticket_type")),
    )


def departure_row(departure: Departure, now: dt.datetime) -> DepartureRow:
    seats_left = departure.seats_left
    if departure.status == DepartureStatus.CANCELLED:
        state = CANCELLED
    elif departure.closed_reason(now):
        state = CLOSED
    elif seats_left <= 0:
        state = SOLD_OUT
    elif seats_left <= FEW_SEATS_LEFT:
        state = FEW
    else:
        state = OPEN
    return DepartureRow(
        departure=departure,
        starts_at=departure.local_starts_at,
        seats_left=seats_left,
        state=state,
        fare=departure.full_fare(),
    )


def tour_upcoming_departures(tour, *, now: dt.datetime | None = None) -> list[DepartureRow]:
    """Every departure of the tour that has not started, earliest first."""
    now = now or timezone.now()
    departures = departures_with_booking_data(
        Departure.objects.filter(tour=tour, starts_at__gt=now).order_by("starts_at")
    )
    return [departure_row(d, now) for d in departures]


def group_by_day(rows: list[DepartureRow]) -> list[tuple[dt.date, list[DepartureRow]]]:
    return [(day, list(items)) for day, items in groupby(rows, key=lambda r: r.starts_at.date())]


def departure_list_context(tour) -> dict:
    """What bookings/includes/departure_list.html shows of a tour, read lazily: when the
    page's cached fragments are fresh, no departure is fetched."""
    from django.utils.functional import SimpleLazyObject

    rows = SimpleLazyObject(lambda: tour_upcoming_departures(tour))
    return {
        "departure_days": SimpleLazyObject(lambda: group_by_day(rows)),
        "has_bookable_departure": SimpleLazyObject(lambda: any(row.bookable for row in rows)),
    }


def tours_next_departures(tour_products, *, per_tour: int = 3) -> dict:
    """{tour product id: its next departures as rows (seats left, state, price)}, fixed queries."""
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


def tours_departures_between(tour_product_ids, first: dt.datetime, last: dt.datetime) -> list:
    """Rows of the public tours' departures that start between `first` and `last` (and not
    before now), earliest first: an event's days on its page."""
    if not tour_product_ids:
        return []
    now = timezone.now()
    departures = departures_with_booking_data(
        Departure.objects.filter(
            tour__product__in=tour_product_ids,
            tour__product__is_public=True,
            starts_at__gte=max(first, now),
            starts_at__lte=last,
        )
        .select_related("tour__product")
        .prefetch_related("tour__product__translations")
        .order_by("starts_at")
    )
    return [departure_row(d, now) for d in departures]


def tour_translations(tour: Tour) -> dict[str, TourTranslation]:
    """The tour's row for each language editors translate into (a new, unsaved one where
    there is none yet), in the order of settings.LANGUAGES."""
    rows = {row.language: row for row in TourTranslation.objects.filter(tour=tour)}
    return {
        code: rows.get(code) or TourTranslation(tour=tour, language=code)
        for code, _name in translation_languages()
    }


def guide_candidates():
    """The students who may be named as a departure's guides."""
    from django.contrib.auth import get_user_model

    from shop.core.roles import STUDENTS

    return (
        get_user_model()
        .objects.filter(groups__name=STUDENTS, is_active=True)
        .order_by("last_name", "first_name", "username")
    )


def departures_awaiting_decision(now: dt.datetime | None = None) -> list[Departure]:
    """Departures past their go/no-go moment with fewer people than the minimum that nobody
    has decided on yet, earliest first (shop/bookings/go_no_go.py)."""
    now = now or timezone.now()
    departures = departures_with_booking_data(
        Departure.objects.filter(
            minimum_checked_at__isnull=False, runs_anyway_at__isnull=True, starts_at__gt=now
        )
        .exclude(status=DepartureStatus.CANCELLED)
        .select_related("tour__product")
        .prefetch_related("tour__product__translations")
        .order_by("starts_at")
    )
    return [d for d in departures if d.awaits_decision(now)]
