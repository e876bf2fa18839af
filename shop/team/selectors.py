"""Reads for the student workspace: the queue, an order's history, a week's departures and
a departure's manifest (who comes, and the gingerbread to hand over there), each in a fixed
number of queries."""

import datetime as dt

from django.db.models import Exists, OuterRef, Prefetch, prefetch_related_objects
from django.utils import timezone
from oscar.core.loading import get_model

from shop.activity.models import ActivityEntry
from shop.order.statuses import ACTIVE_ORDER_STATUSES, LineStatus
from shop.payments.selectors import order_payments, order_receipts
from shop.shipping.methods import MeetingPointPickup, PostRussia
from shop.team.models import FINAL_STAGES, OrderHandling, Stage

Order = get_model("order", "Order")
Line = get_model("order", "Line")

NEEDS_NEXT = {
    Stage.CONFIRMED: "pack",
    Stage.PACKED: "hand_out",
    Stage.READY: "hand_over",
    Stage.SHIPPED: "confirm_delivery",
}


def orders_needing_the_team():
    """Paid orders with gingerbread not yet handed over or delivered, oldest first."""
    goods = Line.objects.filter(order=OuterRef("pk"), product__departure__isnull=True).exclude(
        product=None
    )
    done = OrderHandling.objects.filter(order=OuterRef("pk"), stage__in=FINAL_STAGES)
    # The cheap test first: SQLite tests the conditions in this order, and nearly every order
    # of a term is done.
    return (
        Order.objects.filter(status__in=ACTIVE_ORDER_STATUSES)
        .filter(~Exists(done))
        .filter(Exists(goods))
        .select_related("handling__claimed_by", "user")
        .prefetch_related(Prefetch("lines", queryset=Line.objects.order_by("pk")))
        .order_by("date_placed", "pk")
    )


def _departures_of_lines(orders) -> dict:
    """{departure id: departure} for every line of the orders (one query)."""
    from shop.bookings.models import Departure

    ids = {line.product_id for order in orders for line in order.lines.all() if line.product_id}
    return (
        Departure.objects.select_related("tour__product")
        .prefetch_related("tour__product__translations")
        .in_bulk(list(ids))
    )


def _pickup_departure(order, departures: dict):
    """The tour at whose meeting point a meeting-point pickup order is handed over: its
    earliest departure still running (as the checkout told the customer), or None."""
    from shop.bookings.models import DepartureStatus

    if order.shipping_code != MeetingPointPickup.code:
        return None
    booked = [
        departures[line.product_id]
        for line in order.lines.all()
        if line.product_id in departures and line.status != LineStatus.CANCELLED
    ]
    running = [d for d in booked if d.status != DepartureStatus.CANCELLED]
    return min(running, key=lambda d: d.starts_at, default=None)


def pickup_departure(order):
    """The departure whose guide hands this order's gingerbread over, or None (not a
    meeting-point pickup, or every tour it books is cancelled: then it is collected as any
    other order)."""
    orders = [order]
    return _pickup_departure(order, _departures_of_lines(orders))


def queue_rows(orders) -> list[dict]:
    orders = list(orders)
    departures = _departures_of_lines(orders)
    rows = []
    for order in orders:
        handling = getattr(order, "handling", None)
        stage = handling.stage if handling else Stage.CONFIRMED
        needs = NEEDS_NEXT.get(stage, "")
        tour = _pickup_departure(order, departures)
        if needs == "hand_out":
            needs = "ship" if order.shipping_code == PostRussia.code else "mark_ready"
        if needs == "hand_over" and tour is not None:
            needs = "wait_for_tour"
        rows.append(
            {
                "order": order,
                "stage": Stage(stage),
                "needs": needs,
                "claimed_by": handling.claimed_by if handling else None,
                "items": sum(
                    line.quantity for line in order.lines.all() if line.product_id not in departures
                ),
                "delivery": order.shipping_method,
                "tour": tour,
            }
        )
    return rows


def order_pickup(order) -> dict:
    """For the order page: the tour at whose meeting point it is handed over, if any."""
    return {"pickup_departure": pickup_departure(order)}


def order_workspace(order) -> dict:
    """What the team's order page shows: its lines with their bookings, the step it is at, the
    steps that can follow and its history."""
    from shop.bookings.options import booking_of
    from shop.team.services import BACK, goods_lines, next_stages, tour_started

    handling = OrderHandling.objects.filter(order=order).first()
    stage = handling.stage if handling else Stage.CONFIRMED
    lines = list(order.lines.prefetch_related("attributes__option"))
    return {
        "order": order,
        "handling": handling,
        "stage": Stage(stage),
        "lines": [(line, booking_of(line)) for line in lines],
        "has_goods": bool(goods_lines(order)),
        "next_stages": [Stage(s) for s in next_stages(order, stage)],
        "can_correct": stage in BACK,
        "can_cancel": stage not in FINAL_STAGES and order.is_active and not tour_started(order),
        "history": order_history(order),
        "receipts": order_receipts(order),
        "payments": order_payments(order),
        **order_pickup(order),
    }


def order_history(order):
    return ActivityEntry.objects.filter(order=order).select_related("actor").order_by("at", "pk")


# How far from today the week's page may go: a date further away is shown as this week.
WEEKS_REACH = dt.timedelta(days=2 * 366)


def week_start(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def week_of(raw: str | None, today: dt.date) -> dt.date:
    """The Monday of the week the visitor asked for (an ISO date), or of this week when the
    date cannot be read or lies more than two years away."""
    text = (raw or "").strip()
    try:
        day = dt.date.fromisoformat(text) if len(text) == 10 else today
    except ValueError:
        day = today
    if abs(day - today) > WEEKS_REACH:
        day = today
    return week_start(day)


def week_bounds(monday: dt.date) -> tuple[dt.datetime, dt.datetime]:
    start = timezone.make_aware(dt.datetime.combine(monday, dt.time.min))
    return start, start + dt.timedelta(days=7)


def started_in_the_week(monday: dt.date, now: dt.datetime) -> int:
    """How many of the week's departures have started by `now`: what the clock changes in
    the week's list (a departure no longer awaiting a decision once it starts)."""
    from shop.bookings.models import Departure

    start, end = week_bounds(monday)
    if now <= start:
        return 0
    return Departure.objects.filter(starts_at__gte=start, starts_at__lt=min(now, end)).count()


def departures_of_the_week(monday: dt.date) -> list:
    """Rows (seats sold, state, guides, below the minimum) of the week's departures, from
    Monday to Sunday, earliest first."""
    from shop.bookings.models import Departure
    from shop.bookings.selectors import departure_row, departures_with_booking_data

    start, end = week_bounds(monday)
    departures = departures_with_booking_data(
        Departure.objects.filter(starts_at__gte=start, starts_at__lt=end)
        .select_related("tour__product")
        .prefetch_related("tour__product__translations", "guides")
        .order_by("starts_at")
    )
    now = timezone.now()
    return [departure_row(d, now) for d in departures]


def departure_manifest(departure) -> dict:
    """Who is coming on the departure: a row per ticket (with its ticket types and the other
    participants' names), the people booked on active orders and the people checked in."""
    from shop.bookings.models import TicketVoid
    from shop.bookings.options import booking_of

    # A booking moved to another date is that date's; one its customer cancelled shows so.
    tickets = list(
        departure.tickets.exclude(void_reason=TicketVoid.MOVED)
        .select_related("order", "checked_in_by", "no_show_by")
        .prefetch_related("order__lines__attributes__option")
    )
    rows = []
    for ticket in tickets:
        bookings = [
            (line, booking)
            for line in ticket.order.lines.all()
            if line.product_id == departure.pk
            and (not line.is_cancelled or ticket.is_void)
            and (booking := booking_of(line))
            and booking["ref"] == ticket.booking_ref
        ]
        rows.append(
            {
                "ticket": ticket,
                "tickets": ", ".join(
                    f"{booking['ticket_type_name']} × {line.quantity}" for line, booking in bookings
                ),
                "others": bookings[0][1]["participants"] if bookings else [],
            }
        )
    return {
        "rows": rows,
        "people": sum(t.people for t in tickets if t.order.is_active and not t.is_void),
        "checked_in": sum(t.people for t in tickets if t.checked_in_at),
        "gingerbread": meeting_point_goods(departure, read=[t.order for t in tickets]),
    }


def meeting_point_goods(departure, *, read=()) -> list[dict]:
    """The gingerbread the guide hands over at this departure's meeting point: orders with the
    meeting-point pickup and a booking on it (their first tour), with what is in them.

    `read`: orders whose lines (with their options) are already read, as the manifest's
    tickets read them; their lines are not read again."""
    from shop.bookings.options import booking_of

    orders = list(
        Order.objects.filter(
            status__in=ACTIVE_ORDER_STATUSES,
            shipping_code=MeetingPointPickup.code,
            lines__product_id=departure.pk,
        )
        .distinct()
        .select_related("handling__claimed_by")
        .order_by("number")
    )
    known = {order.pk: order for order in read}
    prefetch_related_objects(
        [order for order in orders if order.pk not in known],
        Prefetch(
            "lines", queryset=Line.objects.prefetch_related("attributes__option").order_by("pk")
        ),
    )
    for order in orders:
        if order.pk in known:
            order._prefetched_objects_cache = {"lines": known[order.pk].lines.all()}
    departures = _departures_of_lines(orders)
    rows = []
    for order in orders:
        tour = _pickup_departure(order, departures)
        if tour is None or tour.pk != departure.pk:
            continue  # the guide of an earlier tour brings it
        handling = getattr(order, "handling", None)
        lines = order.lines.all()
        lead = next((b["lead_name"] for line in lines if (b := booking_of(line)) is not None), "")
        rows.append(
            {
                "order": order,
                "lead_name": lead,
                "goods": [
                    line
                    for line in lines
                    if line.product_id not in departures and line.status != LineStatus.CANCELLED
                ],
                "stage": Stage(handling.stage if handling else Stage.CONFIRMED),
            }
        )
    return rows
