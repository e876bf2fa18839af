"""A tourist books through the booking form and pays as a guest (or signed in) through the real
checkout and card flow against the session's localstripe: the order, as they would have it."""

import re
from decimal import Decimal

from oscar.core.loading import get_model

from shop.bookings.models import BookingChange, Ticket
from shop.customercare.services import order_status_path
from shop.payments.providers import stripe
from shop.payments.providers.base import PaymentState
from tests.payments.helpers import pay

Order = get_model("order", "Order")
StockRecord = get_model("partner", "StockRecord")

LEAD = "Анна Иванова"
PHONE = "+79025551234"
GUEST = "anna.tourist@example.com"


def book(client, departure, *, adult=2, child=1, names=("Борис Иванов", "Вера Иванова"), hold=""):
    """The booking form of `departure`, filled in and sent; the response."""
    url = f"/shop/tours/{departure.tour_id}/book/"
    params = {"departure": departure.pk}
    if hold:
        params["hold"] = hold
    page = client.get(url, params)
    assert page.status_code == 200, page
    ref = re.search(r'name="booking_ref" value="([0-9a-f]{32})"', page.content.decode()).group(1)
    data = {
        "departure": departure.pk,
        "booking_ref": ref,
        "tickets_adult": adult,
        "tickets_child": child,
        "lead_name": LEAD,
        "lead_phone": PHONE,
        "participants": "\n".join(names),
    }
    if hold:
        data["hold"] = hold
    return client.post(url, data)


def checkout_as_guest(client, email: str = GUEST) -> None:
    response = client.post("/shop/checkout/", {"options": "anonymous", "username": email})
    assert response.status_code == 302, response
    client.get("/shop/checkout/shipping-method/")


def book_and_pay(
    client, departure, *, email: str = GUEST, signed_in: bool = False, voucher="", **booking
):
    """Book, check out (as a guest unless signed in) and pay by card: the paid order. With
    `voucher`, its code is entered on the basket page first."""
    response = book(client, departure, **booking)
    assert response.status_code == 302 and response.url.endswith("/shop/basket/"), response
    if voucher:
        added = client.post("/shop/basket/vouchers/add/", {"code": voucher})
        assert added.status_code == 302, added
    if signed_in:
        client.get("/shop/checkout/shipping-method/")
    else:
        checkout_as_guest(client, email)
    order = pay(client)
    assert order.status == "Paid"
    return order


def ticket_of(order) -> Ticket:
    return Ticket.objects.get(order=order, voided_at=None)


def change_path(order, ticket, what: str) -> str:
    """The address of a booking's change page ("cancel" or "date") from its status link."""
    return f"{order_status_path(order)}bookings/{ticket.code}/{what}/"


def form_key(html: str) -> str:
    return re.search(r'name="key" value="([0-9a-f]{32})"', html).group(1)


def seats_sold(departure) -> int:
    return StockRecord.objects.get(product_id=departure.pk).num_allocated or 0


def stripe_refunded(order) -> Decimal:
    """What Stripe (localstripe) has refunded on the order's charge, in roubles."""
    return stripe.retrieve(order.payment_attempt.provider_payment_id).refunded


def money_kept_and_refunded(order) -> tuple[Decimal, Decimal]:
    """(kept, refunded) as Stripe has them: captured = kept + refunded, and what was refunded
    is exactly what the shop's refunds recorded (nothing refunded twice)."""
    payment = stripe.retrieve(order.payment_attempt.provider_payment_id)
    assert payment.state == PaymentState.CAPTURED
    captured, refunded = payment.amount, payment.refunded
    recorded = sum((r.amount for r in order.refunds.filter(status="succeeded")), Decimal("0.00"))
    assert refunded == recorded, (refunded, recorded)
    return captured - refunded, refunded


def changes_of(order):
    return list(BookingChange.objects.filter(order=order).order_by("pk"))
