"""Reads for the student workspace: the queue, an order's history, the week's departures and
a departure's manifest, each in a fixed number of queries."""

import datetime as dt

from django.db.models import Exists, OuterRef, Prefetch
from django.utils import timezone
from oscar.core.loading import get_model

from shop.activity.models import ActivityEntry
from shop.order.statuses import ACTIVE_ORDER_STATUSES
from shop.payments.selectors import order_receipts
from shop.shipping.methods import PostRussia
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
    return (
        Order.objects.filter(status__in=ACTIVE_ORDER_STATUSES)
        .filter(Exists(goods))
        .exclude(handling__stage__in=FINAL_STAGES)
        .select_related("handling__claimed_by", "user")
        .prefetch_related(Prefetch("lines", queryset=Line.objects.order_by("pk")))
        .order_by("date_placed", "pk")
    )


def queue_rows(orders) -> list[dict]:
    rows = []
    for order in orders:
        handling = getattr(order, "handling", None)
        stage = handling.stage if handling else Stage.CONFIRMED
        needs = NEEDS_NEXT.get(stage, "")
        if needs == "hand_out":
            needs = "ship" if order.shipping_code == PostRussia.code else "mark_ready"
        rows.append(
            {
                "order": order,
                "stage": Stage(stage),
                "needs": needs,
                "claimed_by": handling.claimed_by if handling else None,
                "items": sum(line.quantity for line in order.lines.all()),
            }
        )
    return rows


def order_workspace(order) -> dict:
    """What the team's order page shows: its lines with their bookings, the step it is at, the
    steps that can follow and its history."""
    from shop.bookings.options import booking_of
    from shop.team.services import BACK, goods_lines, next_stages

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
        "can_cancel": stage not in FINAL_STAGES and order.is_active,
        "history": order_history(order),
        "receipts": order_receipts(order),
    }


def order_history(order):
    return ActivityEntry.objects.filter(order=order).select_related("actor").order_by("at", "pk")


def departures_of_the_week(today: dt.date) -> list:
    """Rows (seats sold, state) of the departures from today to a week ahead, earliest first."""
    from shop.bookings.models import Departure
    from shop.bookings.selectors import departure_row, departures_with_booking_data

    start = timezone.make_aware(dt.datetime.combine(today, dt.time.min))
    departures = departures_with_booking_data(
        Departure.objects.filter(starts_at__gte=start, starts_at__lt=start + dt.timedelta(days=8))
        .select_related("tour__product")
        .order_by("starts_at")
    )
    now = timezone.now()
    return [departure_row(d, now) for d in departures]


def departure_manifest(departure) -> dict:
    """Who is coming on the departure: a row per ticket (with its ticket types and the other
    participants' names), the people booked on active orders and the people checked in."""
    from shop.bookings.options import booking_of

    tickets = list(
        departure.tickets.select_related("order", "checked_in_by", "no_show_by").prefetch_related(
            "order__lines__attributes__option"
        )
    )
    rows = []
    for ticket in tickets:
        bookings = [
            (line, booking)
            for line in ticket.order.lines.all()
            if line.product_id == departure.pk
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
        "people": sum(t.people for t in tickets if t.order.is_active),
        "checked_in": sum(t.people for t in tickets if t.checked_in_at),
    }
