"""Changes to tours and departures: scheduling, editing the tour, closing, cancelling.

Each function owns its transaction and, for staff actions, appends who did it to the
activity log in the same transaction.
"""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Value
from django.db.models.functions import Coalesce
from django.forms.models import model_to_dict
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from oscar.core.loading import get_model

from shop.activity import kinds
from shop.activity.services import activity_record
from shop.bookings.models import (
    TOUR_FACT_FIELDS,
    TRANSLATED_FIELDS,
    Departure,
    DepartureStatus,
    Fare,
    TicketType,
    Tour,
)
from shop.bookings.pricing import full_price
from shop.bookings.selectors import tour_translations
from shop.core.freshness import catalogue_changed

Product = get_model("catalogue", "Product")
Option = get_model("catalogue", "Option")
Partner = get_model("partner", "Partner")
StockRecord = get_model("partner", "StockRecord")

# Guards against a schedule form that would create thousands of rows by mistake.
MAX_SCHEDULE_DAYS = 366
MAX_DEPARTURES_PER_SCHEDULE = 1000
MAX_SCHEDULE_AHEAD_DAYS = 2 * 366


class ScheduleError(ValueError):
    pass


class DepartureChangeError(ValueError):
    pass


@dataclass
class ScheduleResult:
    created: list[Departure] = field(default_factory=list)
    skipped: list[dt.datetime] = field(default_factory=list)


def schedule_starts(
    date_from: dt.date, date_to: dt.date, weekdays: set[int], times: list[dt.time]
) -> list[dt.datetime]:
    """Local start datetimes for each chosen weekday (0 = Monday) and time in the range."""
    if date_to < date_from:
        raise ScheduleError(_("The last date is before the first date."))
    if (date_to - date_from).days + 1 > MAX_SCHEDULE_DAYS:
        raise ScheduleError(
            _("A schedule can cover at most %(days)d days.") % {"days": MAX_SCHEDULE_DAYS}
        )
    if date_to > timezone.localdate() + dt.timedelta(days=MAX_SCHEDULE_AHEAD_DAYS):
        raise ScheduleError(
            _("Departures can be scheduled at most %(days)d days ahead.")
            % {"days": MAX_SCHEDULE_AHEAD_DAYS}
        )
    zone = ZoneInfo(settings.TIME_ZONE)
    starts = []
    for offset in range((date_to - date_from).days + 1):
        day = date_from + dt.timedelta(days=offset)
        if day.weekday() in weekdays:
            starts.extend(dt.datetime.combine(day, t, tzinfo=zone) for t in sorted(set(times)))
    if not starts:
        raise ScheduleError(_no_weekday_in_range(date_from, date_to, weekdays))
    if len(starts) > MAX_DEPARTURES_PER_SCHEDULE:
        raise ScheduleError(
            _("A schedule can create at most %(count)d departures at once.")
            % {"count": MAX_DEPARTURES_PER_SCHEDULE}
        )
    return starts


def _no_weekday_in_range(date_from: dt.date, date_to: dt.date, weekdays: set[int]) -> str:
    """Why a schedule makes nothing: none of its weekdays falls between its dates."""
    from django.utils.dates import WEEKDAYS
    from django.utils.formats import date_format

    chosen = ", ".join(str(WEEKDAYS[day]).lower() for day in sorted(weekdays))
    days = (date_to - date_from).days + 1
    in_range = sorted({(date_from + dt.timedelta(days=n)).weekday() for n in range(min(days, 7))})
    return _(
        "Nothing to create: no %(chosen)s falls between %(first)s and %(last)s. "
        "Those dates are %(weekdays)s: tick one of them, or change the dates."
    ) % {
        "chosen": chosen,
        "first": date_format(date_from, "j E Y"),
        "last": date_format(date_to, "j E Y"),
        "weekdays": ", ".join(str(WEEKDAYS[day]).lower() for day in in_range),
    }


def _partner():
    partner, _created = Partner.objects.get_or_create(
        code=settings.SHOP_PARTNER_CODE, defaults={"name": settings.SHOP_PARTNER_NAME}
    )
    return partner


def _ticket_types(prices: dict[str, Decimal]) -> dict[str, TicketType]:
    types = {t.code: t for t in TicketType.objects.filter(code__in=prices)}
    unknown = set(prices) - set(types)
    if unknown:
        raise ScheduleError(_("Unknown ticket type: %(codes)s") % {"codes": ", ".join(unknown)})
    if not prices:
        raise ScheduleError(_("Give a price for at least one ticket type."))
    if any(price < 0 for price in prices.values()):
        raise ScheduleError(_("A price cannot be negative."))
    return types


def departure_schedule_create(
    *,
    tour: Tour,
    date_from: dt.date,
    date_to: dt.date,
    weekdays: set[int],
    times: list[dt.time],
    capacity: int,
    prices: dict[str, Decimal],
    actor,
    now: dt.datetime | None = None,
) -> ScheduleResult:
    """Create the departures of a schedule; starts that already exist are left as they are.

    Running the same schedule twice creates nothing the second time: a departure is unique
    per tour and start (a database constraint), so even two staff members submitting at once
    cannot duplicate one. Starts in the past are skipped.
    """
    if capacity < 1:
        raise ScheduleError(_("Capacity must be at least one person."))
    types = _ticket_types(prices)
    now = now or timezone.now()
    result = ScheduleResult()
    starts = schedule_starts(date_from, date_to, weekdays, times)
    with transaction.atomic():
        existing = set(
            Departure.objects.filter(tour=tour, starts_at__in=starts).values_list(
                "starts_at", flat=True
            )
        )
        partner = _partner()
        for starts_at in starts:
            if starts_at in existing or starts_at <= now:
                result.skipped.append(starts_at)
                continue
            try:
                with transaction.atomic():
                    departure = _create_departure(
                        tour, starts_at, capacity, prices, types, partner, actor
                    )
            except IntegrityError:
                # Created by someone else a moment ago.
                result.skipped.append(starts_at)
                continue
            result.created.append(departure)
            activity_record(
                actor=actor,
                action=kinds.DEPARTURE_CREATED,
                departure=departure,
                after=_departure_state(departure),
            )
    return result


def departure_add(
    *,
    tour: Tour,
    starts_at: dt.datetime,
    capacity: int,
    prices: dict[str, Decimal],
    actor,
    now: dt.datetime | None = None,
) -> Departure:
    """One extra departure on a date and time of its own (no weekly schedule needed)."""
    now = now or timezone.now()
    if capacity < 1:
        raise ScheduleError(_("Capacity must be at least one person."))
    if starts_at <= now:
        raise ScheduleError(_("This start is in the past."))
    if starts_at.date() > timezone.localdate() + dt.timedelta(days=MAX_SCHEDULE_AHEAD_DAYS):
        raise ScheduleError(
            _("Departures can be scheduled at most %(days)d days ahead.")
            % {"days": MAX_SCHEDULE_AHEAD_DAYS}
        )
    types = _ticket_types(prices)
    exists = _("The tour has a departure at this time already.")
    if Departure.objects.filter(tour=tour, starts_at=starts_at).exists():
        raise ScheduleError(exists)
    try:
        with transaction.atomic():
            departure = _create_departure(
                tour, starts_at, capacity, prices, types, _partner(), actor
            )
            activity_record(
                actor=actor,
                action=kinds.DEPARTURE_CREATED,
                departure=departure,
                after=_departure_state(departure),
            )
    except IntegrityError as error:  # added by someone else a moment ago
        raise ScheduleError(exists) from error
    return departure


def departure_guides_set(*, departure: Departure, guides, actor) -> bool:
    """Who guides the departure (students); False when nothing changed."""
    from shop.bookings.selectors import guide_candidates

    wanted = {user.pk for user in guides}
    allowed = set(guide_candidates().filter(pk__in=wanted).values_list("pk", flat=True))
    if wanted - allowed:
        raise DepartureChangeError(_("Only students can be named as guides."))
    with transaction.atomic():
        departure = _lock(departure)
        previous = list(departure.guides.order_by("last_name", "first_name", "username"))
        if {user.pk for user in previous} == wanted:
            return False
        departure.guides.set(wanted)
        names = [_name(user) for user in guide_candidates().filter(pk__in=wanted)]
        before = [_name(user) for user in previous]
        activity_record(
            actor=actor,
            action=kinds.DEPARTURE_GUIDES_SET,
            departure=departure,
            before={"guides": before},
            after={"guides": names},
        )
    return True


def _name(user) -> str:
    return user.get_full_name() or user.get_username()


def _create_departure(tour, starts_at, capacity, prices, types, partner, actor) -> Departure:
    parent = tour.product
    local = timezone.localtime(starts_at)
    code = f"{parent.upc or f'TOUR{parent.pk}'}-{local:%Y%m%d-%H%M}"
    child = Product.objects.create(
        parent=parent,
        structure=Product.CHILD,
        upc=code,
        is_public=True,
        is_discountable=False,
    )
    departure = Departure.objects.create(
        product=child, tour=tour, starts_at=starts_at, created_by=actor
    )
    Fare.objects.bulk_create(
        Fare(departure=departure, ticket_type=types[c], price=p) for c, p in prices.items()
    )
    StockRecord.objects.create(
        product=child,
        partner=partner,
        partner_sku=code,
        price=full_price(prices.values()),
        price_currency=settings.OSCAR_DEFAULT_CURRENCY,
        num_in_stock=capacity,
        num_allocated=0,
    )
    return departure


def _departure_state(departure: Departure) -> dict:
    record = StockRecord.objects.get(product_id=departure.pk)
    return {
        "starts_at": departure.starts_at.isoformat(),
        "status": departure.status,
        "capacity": record.num_in_stock,
        "seats_sold": record.num_allocated or 0,
        "prices": {
            fare.ticket_type.code: str(fare.price)
            for fare in departure.fares.select_related("ticket_type")
        },
    }


def _lock(departure: Departure) -> Departure:
    return (
        Departure.objects.select_for_update().select_related("tour__product").get(pk=departure.pk)
    )


def departure_update(
    *, departure: Departure, capacity: int, prices: dict[str, Decimal], actor, guides=None
) -> Departure:
    """Change capacity and fares (capacity never drops below the seats already sold) and,
    when given, who guides it."""
    types = _ticket_types(prices)
    with transaction.atomic():
        if guides is not None:
            departure_guides_set(departure=departure, guides=guides, actor=actor)
        departure = _lock(departure)
        before = _departure_state(departure)
        allocated = Coalesce(F("num_allocated"), Value(0))
        changed = (
            StockRecord.objects.filter(product_id=departure.pk)
            .alias(sold=allocated)
            .filter(sold__lte=capacity)
            .update(num_in_stock=capacity, price=full_price(prices.values()))
        )
        catalogue_changed()
        if not changed:
            sold = StockRecord.objects.get(product_id=departure.pk).num_allocated or 0
            raise DepartureChangeError(
                ngettext(
                    "%(sold)d seat is already sold: capacity cannot be lower.",
                    "%(sold)d seats are already sold: capacity cannot be lower.",
                    sold,
                )
                % {"sold": sold}
            )
        departure.fares.exclude(ticket_type__code__in=prices).delete()
        for code, price in prices.items():
            Fare.objects.update_or_create(
                departure=departure, ticket_type=types[code], defaults={"price": price}
            )
        activity_record(
            actor=actor,
            action=kinds.DEPARTURE_UPDATED,
            departure=departure,
            before=before,
            after=_departure_state(departure),
        )
    return departure


def _set_status(departure, status, actor, reason, action, allowed_from) -> Departure:
    with transaction.atomic():
        departure = _lock(departure)
        if departure.status not in allowed_from:
            raise DepartureChangeError(
                _("This departure is %(status)s already.")
                % {"status": departure.get_status_display().lower()}
            )
        before = {"status": departure.status, "reason": departure.status_reason}
        departure.status = status
        departure.status_reason = reason
        departure.save(update_fields=["status", "status_reason"])
        activity_record(
            actor=actor,
            action=action,
            departure=departure,
            before=before,
            after={"status": status, "reason": reason},
            note=reason,
        )
    return departure


def departure_close(*, departure: Departure, actor, reason: str = "") -> Departure:
    """Stop new bookings; bookings already made stay valid."""
    return _set_status(
        departure,
        DepartureStatus.CLOSED,
        actor,
        reason,
        kinds.DEPARTURE_CLOSED,
        {DepartureStatus.SCHEDULED},
    )


def departure_reopen(*, departure: Departure, actor, reason: str = "") -> Departure:
    return _set_status(
        departure,
        DepartureStatus.SCHEDULED,
        actor,
        reason,
        kinds.DEPARTURE_REOPENED,
        {DepartureStatus.CLOSED},
    )


# --- Tours ----------------------------------------------------------------------------------


def _tour_state(tour: Tour) -> dict:
    return {
        "tour": tour.pk,
        **model_to_dict(tour, fields=TOUR_FACT_FIELDS),
        **{
            language: model_to_dict(row, fields=TRANSLATED_FIELDS)
            for language, row in tour_translations(tour).items()
        },
    }


def tour_update(*, tour: Tour, facts, translations, actor) -> bool:
    """Save the valid facts form and one valid form per language, and record who changed
    what; False when nothing changed. A language left blank gets no row."""
    with transaction.atomic():
        locked = Tour.objects.select_for_update().get(pk=tour.pk)
        before = _tour_state(locked)
        facts.save()
        for translation in translations:
            entry = translation.save(commit=False)
            if entry.pk or any(getattr(entry, name) for name in TRANSLATED_FIELDS):
                entry.save()
        after = _tour_state(tour)
        if before == after:
            transaction.set_rollback(True)
            return False
        activity_record(
            actor=actor,
            action=kinds.TOUR_UPDATED,
            before=before,
            after=after,
            note=str(tour.product.get_title()),
        )
    return True
