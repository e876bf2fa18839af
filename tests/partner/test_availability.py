"""One answer to "can N seats or pieces be bought now, and if not, why", in each language, and
the same sentence wherever the customer meets it."""

import pytest
from django.utils import translation
from oscar.core.loading import get_model

from shop.bookings.models import DepartureStatus
from shop.order.exceptions import NotEnoughStock
from shop.partner.availability import (
    PIECES,
    SEATS,
    booking_size_refusal,
    departure_refusal,
    stock_refusal,
)
from tests.factories import make_tour

StockRecord = get_model("partner", "StockRecord")


@pytest.mark.parametrize(
    ("language", "unit", "left", "quantity", "in_basket", "said"),
    [
        ("ru", SEATS, 5, 5, 0, None),
        ("ru", SEATS, 0, 1, 0, "На это время все места распроданы."),
        ("ru", SEATS, 2, 3, 0, "Осталось только 2 места."),
        (
            "en",
            SEATS,
            3,
            2,
            2,
            "Only 3 seats are left on this departure. Your basket already has 2 people on it.",
        ),
        ("zh-hans", SEATS, 0, 1, 0, "该团期已售罄。"),
        ("ru", PIECES, 0, 1, 0, "Этого товара нет в наличии."),
        ("en", PIECES, 1, 2, 0, "Only 1 piece is left in stock."),
        ("zh-hans", PIECES, 4, 5, 0, "库存仅剩4件。"),
    ],
)
def test_the_answer_and_its_words(language, unit, left, quantity, in_basket, said):
    with translation.override(language):
        assert stock_refusal(unit, left=left, quantity=quantity, in_basket=in_basket) == said


@pytest.mark.django_db
def test_a_departure_is_refused_first_for_being_closed_then_for_its_seats():
    departure = make_tour(departures=1, capacity=4).tour.departures.get()
    assert departure_refusal(departure, 4) is None
    with translation.override("en"):
        assert departure_refusal(departure, 5) == "Only 4 seats are left on this departure."
        departure.status = DepartureStatus.CANCELLED
        assert departure_refusal(departure, 1) == "This departure is cancelled."


@pytest.mark.django_db
def test_a_booking_has_at_least_one_person_and_at_most_the_tours_limit():
    tour = make_tour(departures=1, max_per_booking=6).tour
    with translation.override("ru"):
        assert booking_size_refusal(tour, 0) == "Выберите хотя бы один билет."
        assert booking_size_refusal(tour, 6) is None
        assert "не больше 6 человек" in booking_size_refusal(tour, 7)


@pytest.mark.django_db
def test_the_booking_page_the_basket_and_the_order_creator_say_the_same_sentence(client):
    product = make_tour(departures=1, capacity=10)
    departure = product.tour.departures.get()
    StockRecord.objects.filter(product_id=departure.pk).update(num_allocated=10)
    sentence = "На это время все места распроданы."

    response = client.get(f"/shop/tours/{product.pk}/book/", {"departure": departure.pk})
    told = " ".join(str(m) for m in response.wsgi_request._messages)
    policy = departure.product.stockrecords.get()

    assert response.status_code == 302 and told == sentence
    from shop.partner.strategy import Default

    info = Default().fetch_for_product(departure.product)
    assert info.availability.is_purchase_permitted(1) == (False, sentence)
    assert str(NotEnoughStock(departure.product, 1, policy.net_stock_level, seats=True)) == (
        f"{departure.product}: {sentence}"
    )
