"""Generated orders and activity for the teachers' report and portfolio benchmarks.

Written with bulk inserts (thousands of rows per query), so 10,000 orders and 50,000 activity
entries take seconds. The orders are realistic in shape (goods and seats, ticket types,
delivery methods, handling by students, check-ins), not in payment records: no Stripe
payment stands behind them.
"""

import datetime as dt
import random
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone
from oscar.core.loading import get_model

from shop.activity.models import ActivityEntry
from shop.bookings.options import TICKET_TYPE_OPTION
from shop.core.roles import STUDENTS, roles_ensure_groups
from shop.order.statuses import LineStatus, OrderStatus
from shop.shipping.methods import PostRussia
from shop.team.models import OrderHandling

Order = get_model("order", "Order")
Line = get_model("order", "Line")
LineAttribute = get_model("order", "LineAttribute")
Option = get_model("catalogue", "Option")

METHODS = ["pickup-college", "post-russia", "no-shipping-required", "pickup-meeting-point"]
TICKET_TYPES = [("adult", Decimal("900")), ("child", Decimal("450")), ("student", Decimal("600"))]


def students(count: int = 6):
    roles_ensure_groups()
    group = Group.objects.get(name=STUDENTS)
    User = get_user_model()  # noqa: N806
    users = []
    for index in range(count):
        user, _created = User.objects.get_or_create(
            username=f"bench-student-{index}",
            defaults={"first_name": f"Студент {index}", "last_name": "Тестовый"},
        )
        user.groups.add(group)
        users.append(user)
    return users


def generate(
    *, orders: int, product, departure, days: int = 60, seed: int = 7, prefix: str = "B"
) -> None:
    """`orders` orders placed over the last `days` days, about five activity entries each."""
    rng = random.Random(seed)
    team = students()
    option, _created = Option.objects.get_or_create(
        code=TICKET_TYPE_OPTION, defaults={"name": "Ticket type", "required": False}
    )
    now = timezone.now()
    start = Order.objects.count()
    new_orders = []
    for index in range(orders):
        placed = now - dt.timedelta(minutes=rng.randrange(days * 24 * 60))
        method = rng.choice(METHODS)
        total = Decimal(rng.choice([250, 500, 900, 1350, 1800, 2250]))
        new_orders.append(
            Order(
                number=f"{prefix}{start + index:07d}",
                currency="RUB",
                total_incl_tax=total,
                total_excl_tax=total,
                shipping_incl_tax=Decimal("350") if method == PostRussia.code else Decimal("0"),
                shipping_excl_tax=Decimal("350") if method == PostRussia.code else Decimal("0"),
                shipping_method=method,
                shipping_code=method,
                status=OrderStatus.CANCELLED if rng.random() < 0.03 else OrderStatus.PAID,
                guest_email=f"guest{index}@example.com",
                date_placed=placed,
            )
        )
    Order.objects.bulk_create(new_orders, batch_size=2000)
    placed_orders = list(Order.objects.filter(number__startswith=prefix).order_by("pk"))
    lines, tour_lines = [], []
    for order in placed_orders:
        if order.shipping_code != "no-shipping-required":
            lines.append(_line(order, product, product.get_title(), 1, Decimal("250")))
        if rng.random() < 0.5 or order.shipping_code == "no-shipping-required":
            code, price = rng.choice(TICKET_TYPES)
            line = _line(order, departure.product, "Tour", rng.randint(1, 3), price)
            lines.append(line)
            tour_lines.append((line, code))
    Line.objects.bulk_create(lines, batch_size=2000)
    LineAttribute.objects.bulk_create(
        [
            LineAttribute(line=line, option=option, type="ticket-type", value=code)
            for line, code in tour_lines
        ],
        batch_size=2000,
    )
    handlings, entries = [], []
    for order in placed_orders:
        student = rng.choice(team)
        at = order.date_placed + dt.timedelta(minutes=rng.randint(5, 600))
        handlings.append(
            OrderHandling(order=order, stage="handed_over", claimed_by=student, claimed_at=at)
        )
        entries.append(ActivityEntry(actor=student, action="order.claimed", order=order, at=at))
        for stage in ("packed", "ready", "handed_over"):
            at += dt.timedelta(minutes=rng.randint(10, 1500))
            entries.append(
                ActivityEntry(
                    actor=student, action="order.step", order=order, at=at, after={"stage": stage}
                )
            )
        entries.append(
            ActivityEntry(
                actor=rng.choice(team),
                action="ticket.checked_in",
                order=order,
                departure=departure,
                at=at,
                after={"checked_in": True, "ticket": "BENCH", "people": rng.randint(1, 3)},
            )
        )
    OrderHandling.objects.bulk_create(handlings, batch_size=2000)
    ActivityEntry.objects.bulk_create(entries, batch_size=5000)


def _line(order, product, title, quantity, unit):
    return Line(
        order=order,
        product=product,
        title=title,
        partner_name="Baikal",
        partner_sku=str(product.pk),
        quantity=quantity,
        line_price_incl_tax=unit * quantity,
        line_price_excl_tax=unit * quantity,
        line_price_before_discounts_incl_tax=unit * quantity,
        line_price_before_discounts_excl_tax=unit * quantity,
        unit_price_incl_tax=unit,
        unit_price_excl_tax=unit,
        num_allocated=quantity,
        status=LineStatus.PENDING,  # payment changes the order's status, never a line's
    )
