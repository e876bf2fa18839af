"""The storefront's SQL query count does not grow with the catalogue (see bench/query_counts)."""

import pytest

from bench.query_counts import build_catalogue, count_queries, query_shapes
from tests.factories import make_tour

pytestmark = [pytest.mark.django_db]


def test_tour_page_costs_the_same_with_10_and_100_departures(client):
    small = make_tour(title="Тур на 10 дат", departures=10)
    big = make_tour(title="Тур на 100 дат", departures=100)

    few = count_queries(client, small.get_absolute_url())
    many = count_queries(client, big.get_absolute_url())

    assert many == few, query_shapes(client, big.get_absolute_url())
    assert few <= 12


def test_catalogue_costs_the_same_with_10_and_100_products(client):
    build_catalogue(10)
    few = count_queries(client, "/shop/catalogue/")
    build_catalogue(90, start=10)

    many = count_queries(client, "/shop/catalogue/")

    assert many == few, query_shapes(client, "/shop/catalogue/")


def test_booking_page_costs_the_same_for_any_tour(client):
    small = make_tour(title="Тур на 10 дат", departures=10)
    big = make_tour(title="Тур на 100 дат", departures=100)
    url = "/shop/tours/{}/book/?departure={}"

    few = count_queries(client, url.format(small.pk, small.tour.departures.first().pk))
    many = count_queries(client, url.format(big.pk, big.tour.departures.first().pk))

    assert many == few


def test_basket_costs_the_same_with_one_booking_and_five(client, django_user_model):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.checkout.helpers import basket_for, gingerbread, make_departure

    def queries(bookings: int) -> int:
        user = django_user_model.objects.create_user(username=f"u{bookings}", password="x")
        client.force_login(user)
        departures = [make_departure() for _ in range(bookings)]
        basket_for(user, products=[gingerbread(price="250", stock=5)], departures=departures)
        client.get("/shop/basket/")
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/shop/basket/").status_code == 200
        return len(captured.captured_queries)

    assert queries(1) == queries(5)
