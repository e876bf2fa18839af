"""Reads for the signed-in customer's own pages: the list of their orders."""

import datetime as dt
from dataclasses import dataclass, field

from django.core.paginator import Paginator
from django.db.models import Prefetch
from oscar.core.loading import get_model

from shop.bookings.models import Ticket
from shop.customercare.services import order_status_label

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
    (not one per order). Each product and tour is read once however many of the orders hold
    it: a copy per line, each with its own translations, cost more than the queries."""
    from django.db.models import prefetch_related_objects

    from shop.bookings.models import Departure

    orders = (
        Order.objects.filter(user=user)
        .order_by("-date_placed", "-pk")
        .prefetch_related(
            "lines",
            Prefetch("tickets", queryset=Ticket.objects.order_by("departure__starts_at", "pk")),
        )
    )
    page = Paginator(orders, per_page).get_page(page_number)
    orders = list(page.object_list)
    product_ids = {line.product_id for order in orders for line in order.lines.all()}
    product_ids.discard(None)
    booked = {ticket.departure_id for order in orders for ticket in order.tickets.all()}
    departures = Departure.objects.select_related("tour__product").in_bulk(product_ids | booked)
    goods = get_model("catalogue", "Product").objects.in_bulk(product_ids - set(departures))
    tours = {d.tour.product_id: d.tour.product for d in departures.values()}
    prefetch_related_objects([*goods.values(), *tours.values()], "translations")
    for departure in departures.values():
        departure.tour.product = tours[departure.tour.product_id]
    rows = []
    for order in orders:
        row = CustomerOrderRow(order=order, status_label=order_status_label(order))
        for ticket in order.tickets.all():
            departure = departures[ticket.departure_id]
            row.bookings.append((departure.tour.product.get_title(), departure.local_starts_at))
        for line in order.lines.all():
            if line.product_id in departures:
                continue  # shown with its booking
            product = goods.get(line.product_id)
            title = product.get_title() if product is not None else line.title
            row.goods.append((title, line.quantity))
        rows.append(row)
    page.object_list = rows
    return page
