"""What a tourist sees on a tour page: facts, departures by day, seats and their states."""

import datetime as dt

import pytest
from django.utils import timezone
from oscar.core.loading import get_model

from shop.bookings.models import Departure, DepartureStatus, TourTranslation
from tests.factories import make_tour

pytestmark = [pytest.mark.django_db]

StockRecord = get_model("partner", "StockRecord")


@pytest.fixture
def tour():
    product = make_tour(departures=6, capacity=10, booking_cutoff_hours=12)
    product.tour.meeting_point_map_url = "https://www.openstreetmap.org/?mlat=51.5&mlon=104.1"
    product.tour.what_to_bring = "Тёплую куртку"
    product.tour.cancellation_terms = "Бесплатная отмена за 24 часа"
    product.tour.save()
    TourTranslation.objects.create(
        tour=product.tour,
        language="en",
        meeting_point="The House of Culture square",
        what_to_bring="A warm jacket",
        cancellation_terms="Free cancellation up to 24 hours before",
    )
    return product


def departures(tour):
    return list(tour.tour.departures.order_by("starts_at"))


def book_link(departure):
    return f"?departure={departure.pk}"


def test_tour_page_shows_the_facts_a_tourist_needs(client, tour):
    html = client.get(tour.get_absolute_url()).content.decode()

    assert "Площадь у Дома культуры" in html
    assert "https://www.openstreetmap.org/?mlat=51.5&amp;mlon=104.1" in html
    assert "Тёплую куртку" in html
    assert "Бесплатная отмена за 24 часа" in html
    assert "2 ч 30 мин" in html
    assert "Бронирование закрывается за 12 часов до начала." in html
    assert "от 3 до 10 человек" not in html  # min group size defaults to 1
    assert "от 1 до 10 человек" in html


def test_tour_page_in_english_uses_the_translated_facts(client, tour):
    html = client.get(f"/en{tour.get_absolute_url()}").content.decode()

    assert "The House of Culture square" in html
    assert "A warm jacket" in html
    assert "Free cancellation up to 24 hours before" in html
    assert "Dates and seats" in html


def test_each_departure_state_is_shown_and_only_open_ones_can_be_booked(client, tour):
    open_, few, sold_out, closed, cancelled, _last = departures(tour)
    StockRecord.objects.filter(product_id=few.pk).update(num_allocated=8)
    StockRecord.objects.filter(product_id=sold_out.pk).update(num_allocated=10)
    Departure.objects.filter(pk=closed.pk).update(status=DepartureStatus.CLOSED)
    Departure.objects.filter(pk=cancelled.pk).update(status=DepartureStatus.CANCELLED)

    html = client.get(tour.get_absolute_url()).content.decode()

    assert "Осталось 10 мест" in html
    assert "Осталось мало мест: 2" in html
    assert "Мест нет" in html
    assert "Бронирование закрыто" in html
    assert "Отменена" in html
    assert book_link(open_) in html and book_link(few) in html
    for departure in (sold_out, closed, cancelled):
        assert book_link(departure) not in html


def test_past_departures_are_not_listed_and_cutoff_closes_booking(client, tour):
    first, second, *_rest = departures(tour)
    now = timezone.now()
    Departure.objects.filter(pk=first.pk).update(starts_at=now - dt.timedelta(hours=2))
    Departure.objects.filter(pk=second.pk).update(starts_at=now + dt.timedelta(hours=5))

    html = client.get(tour.get_absolute_url()).content.decode()

    assert book_link(first) not in html
    assert book_link(second) not in html  # starts within the 12-hour cut-off
    assert "Бронирование закрыто" in html


def test_departure_times_are_baikalsk_local_with_the_zone_named(client, tour):
    departure = departures(tour)[0]
    local = timezone.localtime(departure.starts_at)

    html = client.get(tour.get_absolute_url()).content.decode()

    assert f'{local:%H:%M} <abbr title="Иркутское время, UTC+8">' in html
    assert "UTC+8" in html


def test_catalogue_card_shows_the_adult_fare_of_a_bookable_departure(client):
    tour = make_tour(departures=2, fares={"adult": 1500, "child": 750})
    first, second = departures(tour)
    Departure.objects.filter(pk=first.pk).update(status=DepartureStatus.CANCELLED)

    html = client.get("/shop/catalogue/?type=tour").content.decode()

    assert "от 1\xa0500\xa0₽" in html and "750" not in html  # an adult's price, not a child's
    second.status = DepartureStatus.CANCELLED
    second.save(update_fields=["status"])  # a change the cached card must follow
    html = client.get("/shop/catalogue/?type=tour").content.decode()
    assert "от 1\xa0500\xa0₽" not in html


def test_tour_languages_read_naturally_in_each_language(client):
    tour = make_tour(departures=1, languages="ru,en")

    russian = client.get(tour.get_absolute_url()).content.decode()
    english = client.get(f"/en{tour.get_absolute_url()}").content.decode()

    assert "Русский, английский" in russian
    assert "Russian, English" in english
