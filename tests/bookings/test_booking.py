"""Booking a departure into the basket: what a tourist does, and every bad input."""

import datetime as dt
import re

import pytest
from django.utils import timezone
from oscar.core.loading import get_model

from shop.bookings.models import Departure
from tests.factories import make_gingerbread, make_tour

pytestmark = [pytest.mark.django_db]

BasketLine = get_model("basket", "Line")
StockRecord = get_model("partner", "StockRecord")


@pytest.fixture
def tour():
    return make_tour(departures=3, capacity=10, max_per_booking=6)


@pytest.fixture
def departure(tour):
    return tour.tour.departures.order_by("starts_at").first()


def book_url(tour):
    return f"/shop/tours/{tour.pk}/book/"


def booking_page(client, tour, departure):
    response = client.get(book_url(tour), {"departure": departure.pk})
    assert response.status_code == 200
    ref = re.search(r'name="booking_ref" value="([0-9a-f]{32})"', response.content.decode())
    return response, ref.group(1)


def post_booking(client, tour, departure, ref=None, **fields):
    data = {
        "departure": departure.pk,
        "booking_ref": ref or "a" * 32,
        "tickets_adult": "2",
        "tickets_child": "1",
        "tickets_student": "0",
        "lead_name": "Иван Петров",
        "lead_phone": "+7 914 123-45-67",
        "participants": "Мария Петрова\nСаша Петров",
    }
    data.update(fields)
    return client.post(book_url(tour), data)


def basket_people(client):
    return sum(line.quantity for line in BasketLine.objects.all())


def test_tourist_books_adults_and_a_child_and_sees_them_in_the_basket(client, tour, departure):
    _response, ref = booking_page(client, tour, departure)

    response = post_booking(client, tour, departure, ref=ref)

    assert response.status_code == 302
    assert response["Location"] == "/shop/basket/"
    lines = {
        line.attributes.get(option__code="ticket-type").value: line
        for line in BasketLine.objects.all()
    }
    assert {code: line.quantity for code, line in lines.items()} == {"adult": 2, "child": 1}
    assert lines["adult"].price_incl_tax == 900 and lines["child"].price_incl_tax == 450
    booking = lines["adult"].attributes.get(option__code="booking").value
    assert booking["lead_name"] == "Иван Петров"
    assert booking["lead_phone"] == "+79141234567"
    assert booking["participants"] == ["Мария Петрова", "Саша Петров"]
    html = client.get("/shop/basket/").content.decode()
    assert "Взрослый" in html and "Детский" in html
    assert "Иван Петров" in html
    assert "2\xa0250\xa0₽" in html  # 2 × 900 + 450


def test_replayed_booking_post_adds_nothing_twice(client, tour, departure):
    _response, ref = booking_page(client, tour, departure)
    post_booking(client, tour, departure, ref=ref)

    response = post_booking(client, tour, departure, ref=ref)

    assert response.status_code == 302
    assert basket_people(client) == 3


def test_booking_page_in_english(client, tour, departure):
    response = client.get(f"/en{book_url(tour)}", {"departure": departure.pk})
    html = response.content.decode()
    assert "Adult" in html and "Lead participant" in html


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"tickets_adult": "0", "tickets_child": "0"}, "Выберите хотя бы один билет"),
        ({"tickets_adult": "-1"}, "больше либо равно 0"),
        ({"tickets_adult": "два"}, "Введите целое число"),
        ({"tickets_adult": "99999999999999999999"}, "меньше либо равно 6"),
        ({"tickets_adult": "5", "tickets_child": "2"}, "не больше 6 человек"),
        ({"lead_phone": ""}, "Требуется заполнить это поле"),
        ({"lead_phone": "позвоните мне"}, "Введите номер телефона"),
        ({"lead_name": "   "}, "Требуется заполнить это поле"),
        ({"participants": "А\nБ\nВ\nГ"}, "Имён больше, чем человек"),
    ],
)
def test_bad_booking_input_gets_a_clear_russian_message_and_changes_nothing(
    client, tour, departure, fields, message
):
    response = post_booking(client, tour, departure, **fields)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert basket_people(client) == 0


def test_more_people_than_seats_left_is_refused(client, tour, departure):
    StockRecord.objects.filter(product_id=departure.pk).update(num_allocated=8)

    response = post_booking(client, tour, departure)

    assert response.status_code == 400
    assert "Осталось только 2 места" in response.content.decode()
    assert basket_people(client) == 0


def test_seats_already_in_the_basket_count_against_what_is_left(client, tour, departure):
    StockRecord.objects.filter(product_id=departure.pk).update(num_allocated=5)
    post_booking(client, tour, departure, ref="b" * 32)  # 3 people, 2 seats left

    response = post_booking(client, tour, departure, ref="c" * 32)

    assert response.status_code == 400
    assert "уже есть 3 человека" in response.content.decode()
    assert basket_people(client) == 3


@pytest.mark.parametrize("change", ["past", "cancelled", "closed", "cutoff"])
def test_departures_nobody_can_book_are_refused_by_form_url_and_replay(
    client, tour, departure, change
):
    _response, ref = booking_page(client, tour, departure)
    now = timezone.now()
    if change == "past":
        Departure.objects.filter(pk=departure.pk).update(starts_at=now - dt.timedelta(hours=1))
    elif change == "cutoff":
        Departure.objects.filter(pk=departure.pk).update(starts_at=now + dt.timedelta(hours=11))
    else:
        Departure.objects.filter(pk=departure.pk).update(status=change)

    page = client.get(book_url(tour), {"departure": departure.pk})
    replay = post_booking(client, tour, departure, ref=ref)
    oscar_add = client.post(f"/shop/basket/add/{departure.pk}/", {"quantity": 1})
    tour_page = client.get(tour.get_absolute_url()).content.decode()

    assert page.status_code == 302  # back to the tour page with the reason
    assert replay.status_code == 302
    assert oscar_add.status_code == 302
    assert basket_people(client) == 0
    assert f"?departure={departure.pk}" not in tour_page


def test_a_departure_of_another_tour_is_refused(client, tour):
    other = make_tour(title="Встреча рассвета", departures=1)
    foreign = other.tour.departures.get()

    response = post_booking(client, tour, foreign)

    assert response.status_code == 302
    assert basket_people(client) == 0
    messages = [str(m) for m in response.wsgi_request._messages]
    assert "Это время не относится к выбранной экскурсии." in messages


@pytest.mark.parametrize("raw", ["", "abc", "999999", "-1", "1.5"])
def test_garbage_departure_ids_never_500(client, tour, raw):
    assert client.get(book_url(tour), {"departure": raw}).status_code == 302
    assert post_booking(client, tour, type("D", (), {"pk": raw})).status_code == 302
    assert basket_people(client) == 0


def test_unknown_tour_is_404(client):
    assert client.get("/shop/tours/999999/book/").status_code == 404


def test_oscar_generic_add_to_basket_refuses_departures_and_tours(client, tour, departure):
    client.post(f"/shop/basket/add/{departure.pk}/", {"quantity": 2})
    client.post(f"/shop/basket/add/{tour.pk}/", {"quantity": 2, "child_id": departure.pk})

    assert basket_people(client) == 0


def test_a_ticket_type_the_departure_does_not_sell_is_ignored_not_booked(client, tour, departure):
    post_booking(client, tour, departure, tickets_group="5")

    codes = {
        line.attributes.get(option__code="ticket-type").value for line in BasketLine.objects.all()
    }
    assert codes == {"adult", "child"}


def test_group_tour_needs_organisation_and_is_free(client):
    career = make_tour(
        title="Профессиональные пробы",
        departures=1,
        capacity=30,
        fares={"group": 0},
        is_group_booking=True,
        max_per_booking=30,
    )
    departure = career.tour.departures.get()
    base = {"departure": departure.pk, "booking_ref": "d" * 32, "tickets_group": "12"}
    base |= {"lead_name": "Ольга Учитель", "lead_phone": "+7 914 000 00 00"}

    missing = client.post(book_url(career), base)
    done = client.post(book_url(career), base | {"organisation": "Школа № 10"})

    assert missing.status_code == 400
    assert "Требуется заполнить это поле" in missing.content.decode()
    assert done.status_code == 302
    line = BasketLine.objects.get()
    assert line.quantity == 12 and line.price_incl_tax == 0
    assert line.attributes.get(option__code="booking").value["organisation"] == "Школа № 10"


def test_basket_quantity_edit_cannot_exceed_seats_left(client, tour, departure):
    StockRecord.objects.filter(product_id=departure.pk).update(num_allocated=6)  # 4 left
    post_booking(client, tour, departure, ref="e" * 32)  # 2 adults + 1 child
    lines = list(BasketLine.objects.order_by("pk"))
    data = {
        "form-TOTAL_FORMS": "2",
        "form-INITIAL_FORMS": "2",
        "form-MIN_NUM_FORMS": "0",
        "form-MAX_NUM_FORMS": "1000",
    }
    for index, line in enumerate(lines):
        data[f"form-{index}-id"] = line.pk
        data[f"form-{index}-quantity"] = 4 if index == 0 else line.quantity  # 5 > 4

    client.post("/shop/basket/", data)

    assert basket_people(client) == 3


def test_gingerbread_still_goes_to_the_basket_the_oscar_way(client):
    product = make_gingerbread(stock=5)

    response = client.post(f"/shop/basket/add/{product.pk}/", {"quantity": 2})

    assert response.status_code == 302
    assert basket_people(client) == 2


@pytest.mark.parametrize(
    ("quantity", "told"),
    [
        ("0", "больше либо равно 1"),
        ("-3", "больше либо равно 1"),
        ("много", "Введите целое число"),
        ("10", "осталось только 5 штук"),
        ("99999999999999999999", "не можем доставить более 10000 позиций"),
    ],
)
def test_bad_gingerbread_quantities_are_explained_and_change_nothing(client, quantity, told):
    product = make_gingerbread(stock=5)
    page = f"http://testserver{product.get_absolute_url()}"

    response = client.post(
        f"/shop/basket/add/{product.pk}/", {"quantity": quantity}, HTTP_REFERER=page
    )

    assert response.status_code == 302 and response["Location"] == page  # back to the product
    messages = [(m.level_tag, str(m)) for m in response.wsgi_request._messages]
    assert len(messages) == 1 and messages[0][0] == "error" and told in messages[0][1], messages
    assert basket_people(client) == 0


@pytest.mark.payments
@pytest.mark.django_db(transaction=True)
def test_the_booking_page_kept_between_visits_knows_the_last_seat_sold_at_once(
    client, django_user_model
):
    """The departure the booking page shows is kept until its seats, fares or tour are
    written (shop/core/table_versions.py): the visit after the last seat is sold sends the
    tourist to the waiting list."""
    from django.test import Client

    from tests.checkout.helpers import checkout_and_pay, make_departure

    departure = make_departure(capacity=1)
    url = f"/shop/tours/{departure.tour.product_id}/book/?departure={departure.pk}"
    tourist = Client()
    for _ in range(3):  # the last visits are answered from what was kept
        assert tourist.get(url).status_code == 200

    buyer = django_user_model.objects.create_user("first", "first@example.com", "pw-123456")
    checkout_and_pay(client, buyer, departures=[departure])

    response = tourist.get(url)
    assert response.status_code == 302 and "/waitlist/" in response.url


@pytest.mark.django_db(transaction=True)
def test_the_booking_page_kept_between_visits_closes_by_the_clock(monkeypatch):
    """No write closes a departure's booking: its cut-off does, and the kept departure is
    judged against the clock on every visit."""
    from django.test import Client

    from tests.checkout.helpers import make_departure

    departure = make_departure(capacity=5)
    url = f"/shop/tours/{departure.tour.product_id}/book/?departure={departure.pk}"
    tourist = Client()
    for _ in range(3):
        assert tourist.get(url).status_code == 200

    closes = departure.starts_at - dt.timedelta(hours=departure.tour.booking_cutoff_hours)
    monkeypatch.setattr(timezone, "now", lambda: closes + dt.timedelta(minutes=1))
    response = tourist.get(url)
    assert response.status_code == 302 and response.url == departure.tour.product.get_absolute_url()


@pytest.mark.django_db(transaction=True)
def test_the_kept_booking_form_gives_each_visit_its_own_reference_and_takes_the_booking(
    tour, departure
):
    """The empty form is kept rendered (TourBookView.kept_form); each visit still gets a new
    booking reference and its own CSRF token, and the form it shows books."""
    from django.test import Client

    tourist = Client(enforce_csrf_checks=True)
    refs = [booking_page(tourist, tour, departure)[1] for _ in range(3)]
    response, ref = booking_page(tourist, tour, departure)
    token = re.search(r'name="csrfmiddlewaretoken" value="(\w+)"', response.content.decode())

    assert len({*refs, ref}) == 4
    response = post_booking(tourist, tour, departure, ref=ref, csrfmiddlewaretoken=token.group(1))
    assert response.status_code == 302 and response["Location"] == "/shop/basket/"
    assert basket_people(tourist) == 3


@pytest.mark.payments
@pytest.mark.django_db(transaction=True)
def test_the_kept_booking_form_shows_a_new_fare_and_the_seats_sold_at_once(
    client, django_user_model
):
    from django.test import Client

    from shop.bookings.models import Fare
    from tests.checkout.helpers import checkout_and_pay, make_departure

    departure = make_departure(price="900", capacity=6)
    url = f"/shop/tours/{departure.tour.product_id}/book/?departure={departure.pk}"
    tourist = Client()

    def shown() -> tuple[str, str]:
        html = tourist.get(url).content.decode()
        seats = re.search(r'class="badge-seats[^"]*">([^<]+)<', html).group(1)
        price = re.search(r'data-price="(\d+)', html).group(1)
        return seats, price

    for _ in range(3):  # the last visits are answered from what was kept
        assert shown() == ("Осталось 6 мест", "900")

    fare = Fare.objects.filter(departure=departure).order_by("ticket_type__position").first()
    fare.price = 950
    fare.save()
    assert shown() == ("Осталось 6 мест", "950")

    buyer = django_user_model.objects.create_user("first", "first@example.com", "pw-123456")
    checkout_and_pay(client, buyer, departures=[departure])
    assert shown() == ("Осталось 5 мест", "950")
