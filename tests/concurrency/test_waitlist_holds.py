"""Seats held for a waiting list race checkouts for the same seats, each on its own connection.

A hold is allocated with the same guarded allocation as a sale, under the departure's row
lock, and the holder's checkout takes the held seats instead of allocating again: whatever the
timing, no seat is sold (or held) twice.
"""

import threading

import pytest
from django.db import connections
from oscar.apps.shipping.methods import NoShippingRequired
from oscar.core.loading import get_class, get_model

from shop.bookings.basket_services import BookingRequest, basket_add_booking
from shop.bookings.models import WaitingListEntry, WaitStatus
from shop.bookings.waitlist import waitlist_offer
from shop.order.exceptions import NotEnoughStock
from shop.order.utils import OrderCreator
from shop.partner.strategy import Selector
from tests.factories import make_tour

pytestmark = [pytest.mark.django_db(transaction=True, serialized_rollback=True)]

Basket = get_model("basket", "Basket")
Order = get_model("order", "Order")
StockRecord = get_model("partner", "StockRecord")
OrderTotalCalculator = get_class("checkout.calculators", "OrderTotalCalculator")

CUSTOMERS = 8
CAPACITY = 10


def _departure_with_one_seat_and_one_waiting():
    departure = make_tour(departures=1, capacity=CAPACITY).tour.departures.get()
    StockRecord.objects.filter(product_id=departure.pk).update(num_allocated=CAPACITY - 1)
    entry = WaitingListEntry.objects.create(
        departure=departure, email="waits@example.com", people=1, language="ru", key="k" * 32
    )
    return departure, entry


def _basket(departure, hold=None) -> Basket:
    basket = Basket.objects.create()
    basket.strategy = Selector().strategy()
    booking = BookingRequest(
        tickets={"adult": 1}, lead_name="Турист", lead_phone="+79140000000", hold=hold
    )
    basket_add_booking(basket, departure, booking)
    return basket


def _race(jobs) -> tuple[list, list]:
    """Start every job at once on its own connection; (orders placed, refusals)."""
    barrier = threading.Barrier(len(jobs))
    placed, refused, crashed = [], [], []
    lock = threading.Lock()

    def run(job):
        try:
            prepared = job[0]()
            barrier.wait(timeout=30)
            try:
                result = job[1](prepared)
            except NotEnoughStock as error:
                with lock:
                    refused.append(str(error))
            else:
                if result is not None:
                    with lock:
                        placed.append(result)
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            with lock:
                crashed.append(repr(error))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not crashed, crashed
    return placed, refused


def _checkout(basket_id):
    """A customer's checkout of the basket, past the availability check checkout makes."""

    def prepare():
        basket = Basket.objects.get(pk=basket_id)
        basket.strategy = Selector().strategy()
        shipping = NoShippingRequired()
        charge = shipping.calculate(basket)
        return basket, shipping, charge, OrderTotalCalculator().calculate(basket, charge)

    def place(prepared):
        basket, shipping, charge, total = prepared
        order = OrderCreator().place_order(
            basket=basket, total=total, shipping_method=shipping, shipping_charge=charge
        )
        return order.number

    return prepare, place


def _sold_and_held(departure) -> int:
    return StockRecord.objects.get(product_id=departure.pk).num_allocated


def test_a_seat_coming_back_goes_to_one_of_the_hold_or_a_checkout_never_both():
    departure, entry = _departure_with_one_seat_and_one_waiting()
    baskets = [_basket(departure) for _ in range(CUSTOMERS)]

    def hold_for_the_list(_prepared):
        waitlist_offer(departure.pk)  # holds the seat, or finds it sold: not an order either way

    offer = (lambda: None, hold_for_the_list)

    placed, refused = _race([offer] + [_checkout(b.pk) for b in baskets])

    entry.refresh_from_db()
    held = 1 if entry.status == WaitStatus.OFFERED else 0
    # The one free seat went to exactly one of them; everyone else was told it is gone.
    assert len(placed) + held == 1
    assert len(refused) == CUSTOMERS - len(placed)
    assert _sold_and_held(departure) == CAPACITY
    assert Order.objects.count() == len(placed)


def test_the_holder_books_the_held_seat_while_everyone_else_is_refused():
    departure, entry = _departure_with_one_seat_and_one_waiting()
    # The others put the seat in their baskets while it was still free.
    others = [_basket(departure) for _ in range(CUSTOMERS)]
    assert [e.pk for e in waitlist_offer(departure.pk)] == [entry.pk]
    entry.refresh_from_db()
    holder = _basket(departure, hold=entry)

    placed, refused = _race([_checkout(holder.pk)] + [_checkout(b.pk) for b in others])

    assert len(placed) == 1 and len(refused) == CUSTOMERS
    order = Order.objects.get(number=placed[0])
    assert order.basket_id == holder.pk
    entry.refresh_from_db()
    assert entry.status == WaitStatus.BOOKED and entry.order == order
    assert _sold_and_held(departure) == CAPACITY
