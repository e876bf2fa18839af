"""The last use of a promo code, taken by two customers paying at the same moment: one order is
placed with the discount and charged; the other is not placed, its payment released, and the
customer told why. Oscar checks a code's limits when the basket is priced and raises its
counters from the copies it read; the order creator claims them again under row locks
(shop/order/utils.py)."""

from decimal import Decimal

import pytest
from django.test import Client
from oscar.core.loading import get_model

from shop.payments.models import AttemptStatus, PaymentAttempt
from shop.payments.providers import stripe
from shop.payments.providers.base import PaymentState
from tests.bookings.helpers import checkout_as_guest, seats_sold
from tests.factories import make_tour
from tests.payments.helpers import settle_at_once, start_payment
from tests.promocodes.test_dashboard import basket_with_code, book, create, make_manager

pytestmark = [
    pytest.mark.payments,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

Voucher = get_model("voucher", "Voucher")
Order = get_model("order", "Order")


@pytest.mark.parametrize(
    ("usage", "limit"),
    [(Voucher.SINGLE_USE, ""), (Voucher.MULTI_USE, "1")],
    ids=["single use", "total limit of one order"],
)
def test_two_customers_paying_at_once_for_the_last_use_of_a_code_one_gets_it(usage, limit):
    staff = Client(enforce_csrf_checks=True)
    staff.force_login(make_manager())
    create(staff, code="LAST1", usage=usage, limit=limit, value="10")
    departure = make_tour(departures=1, capacity=10, fares={"adult": "900"}).tour.departures.get()
    customers = [Client(), Client()]
    for number, customer in enumerate(customers):
        book(customer, departure, adult=1, child=0)
        basket, _said = basket_with_code(customer, "LAST1")
        assert basket.total_incl_tax == Decimal("810.00")
        checkout_as_guest(customer, f"guest{number}@example.com")
        status, answer = start_payment(customer)
        assert status == 200 and answer["status"] == "authorized", answer
    attempts = list(PaymentAttempt.objects.order_by("pk"))

    settle_at_once(attempts)

    settled = sorted(
        (a.status, stripe.retrieve(a.provider_payment_id).state)
        for a in PaymentAttempt.objects.all()
    )
    assert settled == [
        (AttemptStatus.NOT_PLACED, PaymentState.CANCELED),
        (AttemptStatus.PAID, PaymentState.CAPTURED),
    ]
    (order,) = Order.objects.all()
    assert order.total_incl_tax == Decimal("810.00") and seats_sold(departure) == 1
    voucher = Voucher.objects.get(code="LAST1")
    assert voucher.num_orders == 1 and voucher.applications.count() == 1
    assert voucher.offers.get().num_applications == 1
    released = PaymentAttempt.objects.get(status=AttemptStatus.NOT_PLACED)
    assert released.message == (
        "Промокод LAST1 только что использован другим заказом. Деньги не списаны: платёж отменён."
    )
