"""A signed-in customer's payment page is kept between visits (PaymentDetailsView in
shop/payments/views.py): its checks and its content are worked out again as soon as the basket,
a price, the delivery chosen or the clock changes what they say."""

import datetime as dt
import re

import pytest
from django.test import Client
from django.utils import timezone
from oscar.core.loading import get_model

from tests.checkout.helpers import basket_for, gingerbread, make_departure

pytestmark = [pytest.mark.django_db(transaction=True)]

Basket = get_model("basket", "Basket")
StockRecord = get_model("partner", "StockRecord")
PAYMENT = "/shop/checkout/payment-details/"


@pytest.fixture
def anna(site_home, django_user_model):
    return django_user_model.objects.create_user("anna", "anna@example.com")


@pytest.fixture
def client_of(anna):
    client = Client()
    client.force_login(anna)
    return client


def to_pay(client) -> str:
    """The amount the page asks for, digits only."""
    response = client.get(PAYMENT)
    assert response.status_code == 200
    found = re.search(
        r'class="payment-card__total">[^<]*<strong>([^<]+)</strong>', response.content.decode()
    )
    return re.sub(r"\D", "", found.group(1).split(",")[0])


def kept_visits(client) -> str:
    """The amount, after enough visits that the last is answered from what was kept (the
    first visits after a change note the tables the page reads)."""
    for _ in range(4):
        amount = to_pay(client)
    return amount


def delivery(client) -> str:
    html = client.get(PAYMENT).content.decode()
    return re.search(r'class="checkout-card__main">\s*<strong>([^<]+)</strong>', html).group(1)


def test_a_new_line_price_or_delivery_shows_at_once(client_of, anna):
    box = gingerbread(price="250", stock=10)
    departure = make_departure(price="900", capacity=5)
    basket = basket_for(anna, products=[box], departures=[departure])
    client_of.post("/shop/checkout/shipping-method/", {"method_code": "pickup-college"})
    assert kept_visits(client_of) == "1150"

    record = StockRecord.objects.get(product=box)
    record.price = 300
    record.save()
    assert to_pay(client_of) == "1200"
    assert kept_visits(client_of) == "1200"

    line = basket.all_lines()[0]
    line.quantity = 2
    line.save()
    assert to_pay(client_of) == "1500"
    assert kept_visits(client_of) == "1500"
    assert delivery(client_of) == "Самовывоз из техникума в Байкальске"
    client_of.post("/shop/checkout/shipping-method/", {"method_code": "pickup-meeting-point"})
    assert delivery(client_of) == "Получение на месте сбора экскурсии"


def test_an_emptied_basket_or_a_sale_closed_by_the_clock_sends_back_to_the_basket(
    client_of, anna, monkeypatch
):
    departure = make_departure(price="900", capacity=5)
    basket = basket_for(anna, departures=[departure])
    client_of.post("/shop/checkout/shipping-method/", {"method_code": "pickup-college"})
    assert kept_visits(client_of) == "900"

    closes = departure.starts_at - dt.timedelta(hours=departure.tour.booking_cutoff_hours)
    monkeypatch.setattr(timezone, "now", lambda: closes + dt.timedelta(minutes=1))
    response = client_of.get(PAYMENT)
    assert response.status_code == 302 and response.url == "/shop/basket/"

    monkeypatch.undo()
    assert kept_visits(client_of) == "900"
    basket.flush()
    response = client_of.get(PAYMENT)
    assert response.status_code == 302 and response.url == "/shop/basket/"
