"""Sales and service figures for a date range, as tables the screen and the exports share.

Every figure comes from an aggregate query over the range, so the number of queries does not
grow with the number of orders. Money is in roubles (Decimal), durations in hours.

Definitions (also explained on the report page):
- an order counts on the day it was placed (local time); sales are what the placed orders
  came to, delivery included, whatever happened to them later;
- refunds count on the day they were made, and only those Stripe confirmed;
- net revenue is sales minus refunds;
- the average order is sales divided by the orders that cost something.

One module on purpose (over 400 lines): each table is a function of its own, and the
definitions above hold for all of them; the screen, the CSV and the .xlsx exports share them.
"""

import datetime as dt
import statistics
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection
from django.db.models import (
    Aggregate,
    Case,
    Count,
    DecimalField,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    Min,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Trunc
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from oscar.core.loading import get_model

from shop.activity import kinds
from shop.activity.models import ActivityEntry
from shop.bookings.models import Departure
from shop.bookings.options import TICKET_TYPE_OPTION, ticket_type_names
from shop.order.statuses import LineStatus, OrderStatus
from shop.payments.models import Refund, RefundStatus
from shop.shipping.methods import CollegePickup, MeetingPointPickup, PostRussia

Order = get_model("order", "Order")
Line = get_model("order", "Line")
LineAttribute = get_model("order", "LineAttribute")
Product = get_model("catalogue", "Product")

ZERO = Decimal("0.00")
MONEY = DecimalField(max_digits=14, decimal_places=2)
GOODS_READY = ["ready", "shipped"]
GOODS_DONE = ["handed_over", "delivered"]


@dataclass
class Column:
    key: str
    label: str
    kind: str = "text"  # text, int, money, percent, hours, datetime


@dataclass
class Table:
    id: str
    title: str
    columns: list[Column]
    rows: list[dict] = field(default_factory=list)
    total: dict | None = None
    note: str = ""
    # "cards" shows a one-row table as figures; the exports are the same either way.
    layout: str = "table"


# The calendar this site works in. Forms refuse dates outside it with a message
# (shop/teaching/forms.py); a range saved before the limit existed is cut to it here, so that
# no page computes a day after 9999-12-31 (an OverflowError, a 500).
EARLIEST = dt.date(2000, 1, 1)
LATEST = dt.date(2099, 12, 31)


@dataclass
class DateRange:
    """Local calendar days from `first` to `last`, both included (within EARLIEST–LATEST)."""

    first: dt.date
    last: dt.date

    def __post_init__(self):
        self.first = min(max(self.first, EARLIEST), LATEST)
        self.last = min(max(self.last, EARLIEST), LATEST)

    @property
    def start(self) -> dt.datetime:
        return timezone.make_aware(dt.datetime.combine(self.first, dt.time.min))

    @property
    def end(self) -> dt.datetime:
        return timezone.make_aware(
            dt.datetime.combine(self.last + dt.timedelta(days=1), dt.time.min)
        )

    def q(self, name: str) -> Q:
        return Q(**{f"{name}__gte": self.start, f"{name}__lt": self.end})


def _money(value) -> Decimal:
    return (value or ZERO).quantize(Decimal("0.01"))


def _percent(part, whole) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"))


def _hours(delta: dt.timedelta | None) -> Decimal | None:
    if delta is None:
        return None
    return (Decimal(delta.total_seconds()) / 3600).quantize(Decimal("0.1"))


def placed_orders(period: DateRange):
    return Order.objects.filter(period.q("date_placed"))


# --- The tables ------------------------------------------------------------------------------


def summary(period: DateRange) -> Table:
    orders = placed_orders(period).aggregate(
        count=Count("pk"),
        paid_count=Count("pk", filter=Q(total_incl_tax__gt=0)),
        sales=Sum("total_incl_tax"),
        cancelled=Count("pk", filter=Q(status=OrderStatus.CANCELLED)),
    )
    refunds = Refund.objects.filter(
        period.q("created_at"), status=RefundStatus.SUCCEEDED
    ).aggregate(count=Count("pk"), amount=Sum("amount"))
    sales, refunded = _money(orders["sales"]), _money(refunds["amount"])
    average = _money(sales / orders["paid_count"]) if orders["paid_count"] else None
    row = {
        "orders": orders["count"],
        "cancelled": orders["cancelled"],
        "sales": sales,
        "refunds": refunds["count"],
        "refunded": refunded,
        "net": sales - refunded,
        "average": average,
    }
    return Table(
        id="summary",
        title=_("Summary"),
        columns=[
            Column("orders", _("Orders"), "int"),
            Column("cancelled", _("of them cancelled"), "int"),
            Column("sales", _("Sales"), "money"),
            Column("refunds", _("Refunds"), "int"),
            Column("refunded", _("Refunded"), "money"),
            Column("net", _("Net revenue"), "money"),
            Column("average", _("Average order"), "money"),
        ],
        rows=[row],
        layout="cards",
    )


def _cancelled(quantity: str = "quantity", status: str = "status"):
    return Sum(
        Case(When(**{status: LineStatus.CANCELLED}, then=F(quantity)), default=Value(0)),
        output_field=IntegerField(),
    )


def by_product(period: DateRange) -> Table:
    """Tours (all their departures together) and goods, by what was placed."""
    rows = list(
        Line.objects.filter(period.q("order__date_placed"))
        .annotate(item=Coalesce("product__parent_id", "product_id"))
        .values("item")
        .annotate(
            pieces=Sum("quantity"),
            pieces_cancelled=_cancelled(),
            sales=Sum("line_price_incl_tax"),
            fallback_title=Min("title"),
        )
        .order_by("-sales", "item")
    )
    products = Product.objects.prefetch_related("translations").in_bulk(
        [r["item"] for r in rows if r["item"]]
    )
    table_rows = []
    for row in rows:
        product = products.get(row["item"])
        table_rows.append(
            {
                "name": product.get_title() if product else row["fallback_title"],
                "quantity": row["pieces"],
                "cancelled": row["pieces_cancelled"],
                "sales": _money(row["sales"]),
            }
        )
    return Table(
        id="by_product",
        title=_("By product"),
        columns=[
            Column("name", _("Product or tour")),
            Column("quantity", _("Pieces or seats"), "int"),
            Column("cancelled", _("of them cancelled"), "int"),
            Column("sales", _("Sales"), "money"),
        ],
        rows=table_rows,
        total=_sum_rows(table_rows, ["quantity", "cancelled", "sales"], name=_("Total")),
        note=_("Delivery charges are not included here."),
    )


def _sum_rows(rows, keys, **extra) -> dict:
    return {**extra, **{key: sum(row[key] or 0 for row in rows) for key in keys}}


def by_departure(period: DateRange) -> tuple[Table, Table]:
    """Departures that start in the range: seats sold, capacity and occupancy; then by tour."""
    active = Line.objects.filter(product_id=OuterRef("pk")).exclude(status=LineStatus.CANCELLED)
    departures = (
        Departure.objects.filter(period.q("starts_at"))
        .select_related("tour__product")
        .prefetch_related("tour__product__translations")
        .annotate(
            sold=Coalesce(
                Subquery(active.values("product_id").annotate(n=Sum("quantity")).values("n")[:1]),
                0,
            ),
            takings=Coalesce(
                Subquery(
                    active.values("product_id")
                    .annotate(s=Sum("line_price_incl_tax"))
                    .values("s")[:1],
                    output_field=MONEY,
                ),
                ZERO,
                output_field=MONEY,
            ),
            seats=Coalesce(Min("product__stockrecords__num_in_stock"), 0),
        )
        .order_by("starts_at", "pk")
    )
    rows, tours = [], {}
    for departure in departures:
        title = departure.tour.product.get_title()
        status = departure.get_status_display()
        rows.append(
            {
                "tour": title,
                "starts": departure.local_start_label(),
                "status": str(status),
                "sold": departure.sold,
                "capacity": departure.seats,
                "occupancy": _percent(departure.sold, departure.seats),
                "sales": _money(departure.takings),
            }
        )
        tour = tours.setdefault(
            departure.tour_id,
            {"tour": title, "departures": 0, "sold": 0, "capacity": 0, "sales": ZERO},
        )
        tour["departures"] += 1
        tour["sold"] += departure.sold
        tour["capacity"] += departure.seats
        tour["sales"] += _money(departure.takings)
    for tour in tours.values():
        tour["occupancy"] = _percent(tour["sold"], tour["capacity"])
    departure_table = Table(
        id="by_departure",
        title=_("By departure"),
        columns=[
            Column("tour", _("Tour")),
            Column("starts", _("Starts")),
            Column("status", _("Status")),
            Column("sold", _("Seats sold"), "int"),
            Column("capacity", _("Capacity"), "int"),
            Column("occupancy", _("Occupancy, %"), "percent"),
            Column("sales", _("Sales"), "money"),
        ],
        rows=rows,
        note=_("Departures that start in the range; cancelled bookings are not counted."),
    )
    tour_rows = sorted(tours.values(), key=lambda t: (-t["sales"], t["tour"]))
    tour_table = Table(
        id="by_tour",
        title=_("By tour"),
        columns=[
            Column("tour", _("Tour")),
            Column("departures", _("Departures"), "int"),
            Column("sold", _("Seats sold"), "int"),
            Column("capacity", _("Capacity"), "int"),
            Column("occupancy", _("Occupancy, %"), "percent"),
            Column("sales", _("Sales"), "money"),
        ],
        rows=tour_rows,
        note=departure_table.note,
    )
    return tour_table, departure_table


def by_ticket_type(period: DateRange) -> Table:
    rows = list(
        LineAttribute.objects.filter(
            period.q("line__order__date_placed"), option__code=TICKET_TYPE_OPTION
        )
        .values("value")
        .annotate(
            people=Sum("line__quantity"),
            cancelled=_cancelled("line__quantity", "line__status"),
            sales=Sum("line__line_price_incl_tax"),
        )
        .order_by("-sales")
    )
    names = ticket_type_names()
    table_rows = [
        {
            "type": names.get(row["value"], str(row["value"])),
            "people": row["people"],
            "cancelled": row["cancelled"],
            "sales": _money(row["sales"]),
        }
        for row in rows
    ]
    return Table(
        id="by_ticket_type",
        title=_("By ticket type"),
        columns=[
            Column("type", _("Ticket type")),
            Column("people", _("People"), "int"),
            Column("cancelled", _("of them cancelled"), "int"),
            Column("sales", _("Sales"), "money"),
        ],
        rows=table_rows,
        total=_sum_rows(table_rows, ["people", "cancelled", "sales"], type=_("Total")),
    )


METHOD_NAMES = {
    CollegePickup.code: CollegePickup.name,
    MeetingPointPickup.code: MeetingPointPickup.name,
    PostRussia.code: PostRussia.name,
    "no-shipping-required": gettext_lazy("Tours only, nothing to deliver"),
}


def by_delivery(period: DateRange) -> Table:
    rows = list(
        placed_orders(period)
        .values("shipping_code")
        .annotate(orders=Count("pk"), charges=Sum("shipping_incl_tax"), sales=Sum("total_incl_tax"))
        .order_by("-orders", "shipping_code")
    )
    table_rows = [
        {
            "method": str(METHOD_NAMES.get(row["shipping_code"], row["shipping_code"])),
            "orders": row["orders"],
            "charges": _money(row["charges"]),
            "sales": _money(row["sales"]),
        }
        for row in rows
    ]
    return Table(
        id="by_delivery",
        title=_("By delivery method"),
        columns=[
            Column("method", _("Delivery")),
            Column("orders", _("Orders"), "int"),
            Column("charges", _("Delivery charges"), "money"),
            Column("sales", _("Sales"), "money"),
        ],
        rows=table_rows,
        total=_sum_rows(table_rows, ["orders", "charges", "sales"], method=_("Total")),
    )


TREND_KINDS = ("day", "week", "month")


def trend_buckets(period: DateRange, kind: str) -> list[dt.date]:
    """The first day of every day, week (Monday) or month the range touches, in order: the
    chart's axis has each of them, with or without orders."""
    if kind == "week":
        day = period.first - dt.timedelta(days=period.first.weekday())
        step = lambda d: d + dt.timedelta(days=7)  # noqa: E731
    elif kind == "month":
        day = period.first.replace(day=1)
        step = lambda d: (d.replace(day=28) + dt.timedelta(days=4)).replace(day=1)  # noqa: E731
    else:
        day, step = period.first, lambda d: d + dt.timedelta(days=1)  # noqa: E731
    buckets = []
    while day <= period.last:
        buckets.append(day)
        day = step(day)
    return buckets


def _bucket_day(bucket) -> dt.date:
    if isinstance(bucket, dt.datetime):
        return (timezone.localtime(bucket) if timezone.is_aware(bucket) else bucket).date()
    return bucket


def trend(period: DateRange, every: str = "day") -> Table:
    from django.utils.formats import date_format

    kind = every if every in TREND_KINDS else "day"
    zone = timezone.get_current_timezone()
    sales = {
        _bucket_day(row["bucket"]): row
        for row in placed_orders(period)
        .annotate(bucket=Trunc("date_placed", kind, tzinfo=zone))
        .values("bucket")
        .annotate(orders=Count("pk"), sales=Sum("total_incl_tax"))
    }
    refunds = {
        _bucket_day(row["bucket"]): row["refunded"]
        for row in Refund.objects.filter(period.q("created_at"), status=RefundStatus.SUCCEEDED)
        .annotate(bucket=Trunc("created_at", kind, tzinfo=zone))
        .values("bucket")
        .annotate(refunded=Sum("amount"))
    }
    label = {"day": "j E Y", "week": "j E Y", "month": "F Y"}[kind]
    table_rows = []
    for day in trend_buckets(period, kind):
        row = sales.get(day, {"orders": 0, "sales": ZERO})
        name = date_format(day, label)
        if kind == "week":
            name = _("week of %(day)s") % {"day": name}
        table_rows.append(
            {
                "when": name,
                "short": date_format(day, "m.Y" if kind == "month" else "d.m"),
                "orders": row["orders"],
                "sales": _money(row["sales"]),
                "refunded": _money(refunds.get(day)),
            }
        )
    return Table(
        id="trend",
        title=_("Trend"),
        columns=[
            Column("when", _("Period")),
            Column("orders", _("Orders"), "int"),
            Column("sales", _("Sales"), "money"),
            Column("refunded", _("Refunded"), "money"),
        ],
        rows=table_rows,
    )


def _first_step(stages):
    return Subquery(
        ActivityEntry.objects.filter(
            order_id=OuterRef("pk"), action=kinds.ORDER_STEP, after__stage__in=stages
        )
        .order_by("at")
        .values("at")[:1]
    )


class _Median(Aggregate):
    """PostgreSQL's median (of intervals here): statistics.median's answer, computed where the
    rows are."""

    function = "PERCENTILE_CONT"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = DurationField()


def median_span(rows, start: str, end: str) -> dt.timedelta | None:
    """The median of `end` - `start` over the rows where `end` is known: on PostgreSQL one
    aggregate, elsewhere read row by row and taken here."""
    if connection.vendor == "postgresql":
        span = ExpressionWrapper(F(end) - F(start), DurationField())
        return rows.aggregate(median=_Median(span))["median"]
    spans = [b - a for a, b in rows.values_list(start, end) if b is not None]
    return statistics.median(spans) if spans else None


def _service_times(orders, target: dt.timedelta) -> dict:
    """{orders, ready, done, within_target, median_ready, median_done} of the orders annotated
    with ready_at and done_at. PostgreSQL answers in one row; elsewhere every order's times
    are read and counted here (thousands of rows, three dates each: most of the report's time
    with 10,000 orders, hence the aggregate where the database has a median)."""
    if connection.vendor == "postgresql":
        to_ready = ExpressionWrapper(F("ready_at") - F("date_placed"), DurationField())
        to_done = ExpressionWrapper(F("done_at") - F("date_placed"), DurationField())
        return orders.aggregate(
            orders=Count("pk"),
            ready=Count("ready_at"),
            done=Count("done_at"),
            within_target=Count("pk", filter=Q(ready_at__lte=F("date_placed") + target)),
            median_ready=_Median(to_ready),
            median_done=_Median(to_done),
        )
    times = list(orders.values_list("date_placed", "ready_at", "done_at"))
    to_ready = [ready - placed for placed, ready, _done in times if ready]
    to_done = [done - placed for placed, _ready, done in times if done]
    return {
        "orders": len(times),
        "ready": len(to_ready),
        "done": len(to_done),
        "within_target": sum(1 for t in to_ready if t <= target),
        "median_ready": statistics.median(to_ready) if to_ready else None,
        "median_done": statistics.median(to_done) if to_done else None,
    }


def service(period: DateRange, target_hours: int = 24) -> Table:
    """How fast paid gingerbread got ready (or was sent) and handed over."""
    goods = (
        Line.objects.filter(order_id=OuterRef("pk"), product__departure__isnull=True)
        .exclude(product=None)
        .exclude(status=LineStatus.CANCELLED)
    )
    target = dt.timedelta(hours=target_hours)
    times = _service_times(
        placed_orders(period)
        .exclude(status=OrderStatus.CANCELLED)
        .filter(Exists(goods))
        .annotate(ready_at=_first_step(GOODS_READY), done_at=_first_step(GOODS_DONE)),
        target,
    )
    corrections = ActivityEntry.objects.filter(period.q("at"), action=kinds.ORDER_CORRECTED).count()
    row = {
        "orders": times["orders"],
        "ready": times["ready"],
        "median_ready": _hours(times["median_ready"]),
        "within_target": _percent(times["within_target"], times["orders"]),
        "done": times["done"],
        "median_done": _hours(times["median_done"]),
        "corrections": corrections,
    }
    return Table(
        id="service",
        title=_("Service"),
        columns=[
            Column("orders", _("Orders with gingerbread"), "int"),
            Column("ready", _("Ready or sent"), "int"),
            Column("median_ready", _("Median hours to ready or sent"), "hours"),
            Column(
                "within_target",
                _("Ready or sent within %(hours)s h, %%") % {"hours": target_hours},
                "percent",
            ),
            Column("done", _("Handed over or delivered"), "int"),
            Column("median_done", _("Median hours to hand-over"), "hours"),
            Column("corrections", _("Corrections"), "int"),
        ],
        rows=[row],
        note=_("Hours count from payment. The target share is of all orders with gingerbread."),
        layout="cards",
    )


def refunds_and_cancellations(period: DateRange) -> Table:
    rows = []
    for refund in (
        Refund.objects.filter(period.q("created_at"))
        .exclude(status=RefundStatus.FAILED)
        .select_related("order", "created_by")
        .order_by("created_at", "pk")
    ):
        rows.append(
            {
                "when": timezone.localtime(refund.created_at),
                "what": (
                    _("Money refunded")
                    if refund.status == RefundStatus.SUCCEEDED
                    else _("Refund sent, not yet confirmed")
                ),
                "order": refund.order.number if refund.order else "",
                "amount": _money(refund.amount),
                "reason": refund.reason,
                "who": _who(refund.created_by),
            }
        )
    for entry in (
        ActivityEntry.objects.filter(
            period.q("at"), action__in=[kinds.ORDER_CANCELLED, kinds.DEPARTURE_CANCELLED]
        )
        .select_related("actor", "order", "departure__tour__product")
        .order_by("at", "pk")
    ):
        rows.append(
            {
                "when": timezone.localtime(entry.at),
                "what": entry.label,
                "order": entry.order.number
                if entry.order
                else (str(entry.departure) if entry.departure else ""),
                "amount": None,
                "reason": entry.note or (entry.after or {}).get("reason", ""),
                "who": entry.actor_label,
            }
        )
    rows.sort(key=lambda row: row["when"])
    return Table(
        id="refunds",
        title=_("Refunds and cancellations"),
        columns=[
            Column("when", _("When"), "datetime"),
            Column("what", _("What")),
            Column("order", _("Order or departure")),
            Column("amount", _("Amount"), "money"),
            Column("reason", _("Reason")),
            Column("who", _("Who")),
        ],
        rows=rows,
    )


def _who(user) -> str:
    if user is None:
        return _("the shop (automatic)")
    return user.get_full_name() or user.get_username()


def report(period: DateRange, *, every: str = "day", target_hours: int = 24) -> list[Table]:
    tour_table, departure_table = by_departure(period)
    return [
        summary(period),
        trend(period, every),
        by_product(period),
        tour_table,
        departure_table,
        by_ticket_type(period),
        by_delivery(period),
        service(period, target_hours),
        refunds_and_cancellations(period),
    ]
