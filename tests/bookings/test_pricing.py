"""The price a departure is shown at is its full fare, an adult's (shop/bookings/pricing.py):
on the pages, in the stock record Oscar sorts and prices tours by, and for departures made
before this rule."""

import importlib
from decimal import Decimal

import pytest
from django.apps import apps
from oscar.core.loading import get_model

from shop.bookings.models import Departure
from shop.bookings.services import departure_update
from tests.factories import make_gingerbread, make_staff, make_tour

pytestmark = [pytest.mark.django_db]

StockRecord = get_model("partner", "StockRecord")


def stock_price(departure) -> Decimal:
    return StockRecord.objects.get(product_id=departure.pk).price


def test_a_departure_is_priced_at_its_adult_fare_when_made_and_when_edited():
    tour = make_tour(departures=1, fares={"adult": 900, "child": 450, "student": 600})
    departure = Departure.objects.get(tour__product=tour)

    assert departure.full_fare().ticket_type.code == "adult"
    assert stock_price(departure) == 900

    prices = {"adult": Decimal("1000"), "child": Decimal("500")}
    departure_update(departure=departure, capacity=15, prices=prices, actor=make_staff())

    assert stock_price(departure) == 1000


def test_a_free_child_fare_does_not_make_the_departure_free_and_a_free_tour_is_free():
    paid = Departure.objects.get(
        tour__product=make_tour(departures=1, fares={"adult": 700, "child": 0})
    )
    free = Departure.objects.get(tour__product=make_tour(departures=1, fares={"group": 0}))

    assert paid.full_fare().price == 700 and stock_price(paid) == 700
    assert free.full_fare().price == 0 and stock_price(free) == 0


def test_departures_priced_at_their_cheapest_fare_before_are_brought_in_line():
    departure = Departure.objects.get(
        tour__product=make_tour(departures=1, fares={"adult": 900, "child": 450})
    )
    StockRecord.objects.filter(product_id=departure.pk).update(price=450)  # the old rule
    box = make_gingerbread(price="1350")
    migration = importlib.import_module(
        "shop.bookings.migrations.0006_departure_price_is_the_full_fare"
    )

    migration.forwards(apps, None)

    assert stock_price(departure) == 900
    assert StockRecord.objects.get(product=box).price == 1350  # goods keep their price
