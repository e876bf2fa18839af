"""The signed-in customer's orders in the account: our pages, built from the order status
page's summary and booking partial, in place of Oscar's."""

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from oscar.core.loading import get_model

from shop.bookings.models import Ticket
from shop.bookings.ticket_documents import ticket_path
from shop.customercare.services import order_status_path
from tests.checkout.helpers import checkout_and_pay, gingerbread, make_departure
from tests.payments.helpers import pay

pytestmark = [pytest.mark.payments, pytest.mark.django_db]

Basket = get_model("basket", "Basket")

ORDERS = "/shop/accounts/orders/"
BOOKING_CARD = 'class="customer-card booking-card"'


@pytest.fixture
def customer(django_user_model):
    return django_user_model.objects.create_user(
        username="tourist", email="tourist@example.com", password="pw-123456"
    )


def book_and_pay(client, departure, *, prefix=""):
    """Two adults and a child with their names, booked on the booking page and paid."""
    client.post(
        f"{prefix}/shop/tours/{departure.tour.product_id}/book/",
        {
            "departure": departure.pk,
            "booking_ref": "d" * 32,
            "tickets_adult": 2,
            "tickets_child": 1,
            "lead_name": "Анна Иванова",
            "lead_phone": "+79025551234",
            "participants": "Мария Петрова\nСаша Петров",
        },
    )
    client.get(f"{prefix}/shop/checkout/shipping-method/")
    return pay(client, prefix=prefix)


def test_the_order_page_shows_tickets_participants_and_the_status_in_russian(client, customer):
    client.force_login(customer)
    order = book_and_pay(client, make_departure(capacity=10))
    ticket = Ticket.objects.get(order=order)

    response = client.get(f"{ORDERS}{order.number}/")

    html = response.content.decode()
    assert response.status_code == 200
    assert f"Заказ {order.number}" in html and "Оплачен" in html and "Paid" not in html
    assert "Забронировано" in html
    assert "Взрослый × 2, Детский × 1" in html and "Мария Петрова, Саша Петров" in html
    assert ticket.code in html and f'href="{ticket_path(ticket)}"' in html
    assert f'src="{ticket_path(ticket)}qr.png"' in html  # the QR code
    assert f'href="{order_status_path(order)}"' in html
    assert "Оплачено картой: 2\xa0250\xa0₽" in html
    # No way to order a dated tour again from here (Oscar offered "reorder" for every line).
    assert "reorder" not in html and "Повторный заказ" not in html
    assert f'action="{ORDERS}{order.number}/' not in html


def test_the_same_booking_block_is_on_the_status_account_and_thank_you_pages(client, customer):
    client.force_login(customer)
    order = book_and_pay(client, make_departure())

    pages = [
        client.get("/shop/checkout/thank-you/"),
        client.get(order_status_path(order)),
        client.get(f"{ORDERS}{order.number}/"),
    ]

    for response in pages:
        html = response.content.decode()
        assert html.count(BOOKING_CARD) == 1, response.wsgi_request.path
        assert "Мария Петрова" in html and Ticket.objects.get(order=order).code in html


def test_another_customers_order_is_not_found_and_a_visitor_is_asked_to_sign_in(
    client, customer, django_user_model
):
    order = checkout_and_pay(client, customer, departures=[make_departure()])
    client.logout()
    url = f"{ORDERS}{order.number}/"

    assert client.get(url).url.startswith("/shop/accounts/login/")
    other = django_user_model.objects.create_user(username="other", email="o@example.com")
    client.force_login(other)
    assert client.get(url).status_code == 404
    assert client.get(f"{ORDERS}999999/").status_code == 404
    assert order.number not in client.get(ORDERS).content.decode()


def test_oscar_reorder_requests_put_nothing_in_the_basket(client, customer):
    order = checkout_and_pay(
        client, customer, products=[gingerbread()], departures=[make_departure()]
    )
    line = order.lines.first()

    page = client.post(f"{ORDERS}{order.number}/", {"action": "reorder"})
    one_line = client.post(f"{ORDERS}{order.number}/{line.pk}/", {"action": "reorder"})

    assert page.status_code == 405
    assert one_line.status_code == 302 and one_line.url == f"{ORDERS}{order.number}/"
    assert not Basket.objects.filter(owner=customer, status="Open", lines__isnull=False).exists()


def test_my_account_opens_the_list_of_my_orders(client, customer):
    first = checkout_and_pay(client, customer, products=[gingerbread(title="Пряник «Нерпа»")])
    second = checkout_and_pay(client, customer, departures=[make_departure()])

    assert client.get("/shop/accounts/").url == ORDERS
    html = client.get(ORDERS).content.decode()

    numbers = re.findall(r"Заказ (\d+)</a>", html)
    assert numbers == [second.number, first.number]  # newest first
    assert "Пряник «Нерпа» × 1" in html and "Астральные места Байкальска, " in html
    assert html.count("Оплачен") == 2


@pytest.mark.django_db(transaction=True)
def test_the_list_kept_between_visits_shows_the_next_order_and_only_ones_own(
    client, customer, django_user_model
):
    """The list is kept until an order, a line or a ticket is written
    (shop/core/table_versions.py), for each customer apart."""

    def numbers(visitor) -> list[str]:
        return re.findall(r"Заказ (\d+)</a>", visitor.get(ORDERS).content.decode())

    first = checkout_and_pay(client, customer, products=[gingerbread(title="Пряник «Нерпа»")])
    neighbour = Client()
    neighbour.force_login(django_user_model.objects.create_user("other", "o@example.com"))
    for _ in range(3):  # the last visits are answered from what was kept
        assert numbers(client) == [first.number]
        assert numbers(neighbour) == []

    second = checkout_and_pay(client, customer, departures=[make_departure()])

    assert numbers(client) == [second.number, first.number]
    assert numbers(neighbour) == []


def test_the_list_costs_the_same_queries_for_one_order_and_five(client, customer):
    def queries() -> int:
        client.get(ORDERS)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(ORDERS).status_code == 200
        return len(captured.captured_queries)

    checkout_and_pay(client, customer, products=[gingerbread()], departures=[make_departure()])
    one = queries()
    for _ in range(4):
        checkout_and_pay(client, customer, products=[gingerbread()], departures=[make_departure()])

    assert queries() == one


def test_chinese_pages_write_dates_the_chinese_way(client, customer):
    client.force_login(customer)
    departure = make_departure()
    order = book_and_pay(client, departure, prefix="/zh-hans")
    local = departure.local_starts_at
    chinese = f"{local.year}年{local.month}月{local.day}日"

    with translation.override("zh-hans"):
        basket_line = str(departure.product)
    account = client.get(f"/zh-hans{ORDERS}{order.number}/").content.decode()
    orders = client.get(f"/zh-hans{ORDERS}").content.decode()

    assert chinese in basket_line and chinese in account and chinese in orders
    for html in (basket_line, account, orders):
        assert not re.search(r"\d+ [一二三四五六七八九十]+月 \d{4}", html)  # "19 十二月 2026"


@pytest.mark.django_db(transaction=True)
def test_the_order_page_kept_between_visits_shows_each_step_and_the_clock_at_once(
    client, customer, student, monkeypatch
):
    """The order's rows are kept until one of their tables is written
    (shop/core/table_versions.py); what the clock decides (the change buttons, a past tour)
    is worked out on every visit."""
    import datetime as dt

    from django.utils import timezone

    from shop.team.services import order_claim, order_step

    departure = make_departure(capacity=10)
    order = checkout_and_pay(
        client, customer, products=[gingerbread()], departures=[departure], method="pickup-college"
    )
    url = f"{ORDERS}{order.number}/"

    def booking():
        return client.get(url).context["bookings"][0]

    for _ in range(3):  # the last visits are answered from what was kept
        assert client.get(url).context["goods_stage"] == "confirmed"
        assert booking()["state"] == "booked" and "cancel_path" in booking()

    order_claim(order=order, actor=student)
    order_step(order=order, actor=student, to_stage="packed")
    assert client.get(url).context["goods_stage"] == "packed"

    after = departure.starts_at + dt.timedelta(minutes=departure.tour.duration_minutes + 1)
    monkeypatch.setattr(timezone, "now", lambda: after)
    assert booking()["state"] == "past" and "cancel_path" not in booking()
