"""Reads for the signed-in customer's own pages: the list of their orders."""

import datetime as dt
from dataclasses import dataclass, field

from django.core.paginator import Paginator
from django.db.models import Prefetch
from oscar.core.loading import get_model

from shop.bookings.models import Ticket
from shop.customercare.services import order_status_label
from shop.partner.strategy import departure_of

Order = get_model("order", "Order")
Line = get_model("order", "Line")


@dataclass
class CustomerOrderRow:
    order: object
    status_label: str
    # (tour title, local start) per booking, earliest first; then (title, quantity) per good.
    bookings: list[tuple[str, dt.datetime]] = field(default_factory=list)
    goods: list[tuple[str, int]] = field(default_factory=list)


def customer_orders_page(user, page_number, *, per_page: int = 20):
    """One page of the customer's orders, newest first; its `object_list` holds a
    CustomerOrderRow per order, with what the order holds, read in a fixed number of queries
    (not one per order)."""
    orders = (
        Order.objects.filter(user=user)
        .order_by("-date_placed", "-pk")
        .prefetch_related(
            Prefetch(
                "lines",
                queryset=Line.objects.select_related("product__departure").prefetch_related(
                    "product__translations"
                ),
            ),
            Prefetch(
                "tickets",
                queryset=Ticket.objects.select_related("departure__tour__product")
                .prefetch_related("departure__tour__product__translations")
                .order_by("departure__starts_at", "pk"),
            ),
        )
    )
    page = Paginator(orders, per_page).get_page(page_number)
    rows = []
    for order in page.object_list:
        row = CustomerOrderRow(order=order, status_label=order_status_label(order))
        for ticket in order.tickets.all():
            departure = ticket.departure
            row.bookings.append((departure.tour.product.get_title(), departure.local_starts_at))
        for line in order.lines.all():
            product = line.product
            if product is not None and departure_of(product) is not None:
                continue  # shown with its booking
            title = product.get_title() if product is not None else line.title
            row.goods.append((title, line.quantity))
        rows.append(row)
    page.object_list = rows
    return page
