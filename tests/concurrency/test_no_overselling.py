"""Many customers buy the last seats (or pieces) at the same moment, each on its own connection.

Runs on PostgreSQL, then on SQLite (the `sqlite` subset of `make test`).
Every thread first passes the availability check checkout does, then all threads place their
orders at once. The guarded order creator lets exactly the free quantity through; the control
test runs Oscar's own order creator through the same race and shows that it oversells, so
these tests can tell the two apart.
"""

import threading
from decimal import Decimal

import pytest
from django.db import connections
from oscar.apps.order.utils import OrderCreator as OscarOrderCreator
from oscar.apps.shipping.methods import NoShippingRequired
from oscar.core.loading import get_class, get_model

from shop.bookings.basket_services import BookingRequest, basket_add_booking
from shop.order.exceptions import NotEnoughStock
from shop.order.utils import OrderCreator
from shop.partner.strategy import Selector
from tests.factories import make_gingerbread, make_tour

# serialized_rollback puts back the rows migrations created (locales, ticket types) after
# the flush that ends a transactional test, so later tests and re-runs find them.
pytestmark = [
    pytest.mark.sqlite,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

Basket = get_model("basket", "Basket")
Order = get_model("order", "Order")
StockRecord = get_model("partner", "StockRecord")
OrderTotalCalculator = get_class("checkout.calculators", "OrderTotalCalculator")

CUSTOMERS = 12
FREE = 3  # the last K seats / pieces


def _basket_with(product, departure=None) -> Basket:
    basket = Basket.objects.create()
    basket.strategy = Selector().strategy()
    if departure is not None:
        basket_add_booking(
            basket,
            departure,
            BookingRequest(tickets={"adult": 1}, lead_name="Турист", lead_phone="+79140000000"),
        )
    else:
        basket.add_product(product, 1)
    return basket


def _race(creator_class, baskets) -> tuple[list, list]:
    """Check availability like checkout does, wait for everyone, then place at once."""
    barrier = threading.Barrier(len(baskets))
    placed, refused, crashed = [], [], []
    lock = threading.Lock()

    def customer(basket):
        try:
            basket = Basket.objects.get(pk=basket.pk)
            basket.strategy = Selector().strategy()
            for line in basket.all_lines():
                info = basket.strategy.fetch_for_line(line)
                assert info.availability.is_purchase_permitted(line.quantity)[0]
            shipping = NoShippingRequired()
            charge = shipping.calculate(basket)
            total = OrderTotalCalculator().calculate(basket, charge)
            barrier.wait(timeout=30)
            try:
                order = creator_class().place_order(
                    basket=basket,
                    total=total,
                    shipping_method=shipping,
                    shipping_charge=charge,
                )
            except NotEnoughStock as error:
                with lock:
                    refused.append(str(error))
            else:
                with lock:
                    placed.append(order.number)
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            with lock:
                crashed.append(repr(error))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=customer, args=(b,)) for b in baskets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not crashed, crashed
    return placed, refused


def _last_seats_departure():
    tour = make_tour(departures=1, capacity=10)
    departure = tour.tour.departures.get()
    StockRecord.objects.filter(product_id=departure.pk).update(num_allocated=10 - FREE)
    return departure


def _last_gingerbread():
    product = make_gingerbread(stock=10)
    StockRecord.objects.filter(product=product).update(num_allocated=10 - FREE)
    return product


def test_exactly_the_last_seats_are_sold_when_customers_race():
    departure = _last_seats_departure()
    baskets = [_basket_with(departure.product, departure) for _ in range(CUSTOMERS)]

    placed, refused = _race(OrderCreator, baskets)

    assert len(placed) == FREE
    assert len(refused) == CUSTOMERS - FREE
    assert all("распродан" in message for message in refused), refused
    record = StockRecord.objects.get(product_id=departure.pk)
    assert record.num_allocated == record.num_in_stock == 10
    assert Order.objects.count() == FREE


def test_exactly_the_last_gingerbread_is_sold_when_customers_race():
    product = _last_gingerbread()
    baskets = [_basket_with(product) for _ in range(CUSTOMERS)]

    placed, refused = _race(OrderCreator, baskets)

    assert len(placed) == FREE
    assert len(refused) == CUSTOMERS - FREE
    record = StockRecord.objects.get(product=product)
    assert record.num_allocated == record.num_in_stock
    assert Order.objects.count() == FREE
    # A refused order leaves nothing behind: no lines, no half-allocations.
    assert get_model("order", "Line").objects.count() == FREE


def test_control_oscar_alone_oversells_under_the_same_race():
    departure = _last_seats_departure()
    baskets = [_basket_with(departure.product, departure) for _ in range(CUSTOMERS)]

    placed, refused = _race(OscarOrderCreator, baskets)

    record = StockRecord.objects.get(product_id=departure.pk)
    assert len(placed) == CUSTOMERS
    assert record.num_allocated > record.num_in_stock


def test_an_order_larger_than_what_is_left_is_refused_whole():
    departure = _last_seats_departure()
    basket = Basket.objects.create()
    basket.strategy = Selector().strategy()
    basket_add_booking(
        basket,
        departure,
        BookingRequest(
            tickets={"adult": 2, "child": 1}, lead_name="Турист", lead_phone="+79140000000"
        ),
    )
    # Someone else takes one of the three seats after this basket was filled.
    StockRecord.objects.filter(product_id=departure.pk).update(num_allocated=10 - FREE + 1)
    shipping = NoShippingRequired()
    charge = shipping.calculate(basket)
    total = OrderTotalCalculator().calculate(basket, charge)

    with pytest.raises(NotEnoughStock):
        OrderCreator().place_order(
            basket=basket, total=total, shipping_method=shipping, shipping_charge=charge
        )

    assert StockRecord.objects.get(product_id=departure.pk).num_allocated == 10 - FREE + 1
    assert Order.objects.count() == 0
    assert total.incl_tax == Decimal("2250.00")  # 2 × 900 + 450: each line at its own fare
