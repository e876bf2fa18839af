"""A signed-in customer's basket page is kept between visits (shop/basket/views.py): whatever
changes what it shows (a line, a price, a voucher, the clock) shows on the very next visit,
its forms work with the visitor's own CSRF token, and no one sees another's basket."""

import datetime as dt
import re

import pytest
from django.test import Client
from django.utils import timezone
from oscar.core.loading import get_model

from tests.factories import make_gingerbread, make_voucher

pytestmark = [pytest.mark.django_db(transaction=True)]

Basket = get_model("basket", "Basket")
StockRecord = get_model("partner", "StockRecord")
BASKET = "/shop/basket/"


@pytest.fixture
def anna(site_home, django_user_model):
    client = Client(enforce_csrf_checks=True)
    client.force_login(django_user_model.objects.create_user("anna", "anna@example.com"))
    return client


def add(client, product, quantity=1):
    """Add to the basket from the product page's form, with the page's CSRF token."""
    page = client.get(product.get_absolute_url()).content.decode()
    response = client.post(
        f"/shop/basket/add/{product.pk}/",
        {"quantity": quantity, "csrfmiddlewaretoken": token(page)},
    )
    assert response.status_code == 302


def token(html: str) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="(\w+)"', html).group(1)


def total(html: str) -> str:
    """The order total the page shows, digits only."""
    found = re.search(r'<span class="h3 price_color">\s*([^<]+?)\s*</span>', html)
    return re.sub(r"\D", "", found.group(1).split(",")[0])


def visits(client) -> str:
    """The page, after enough visits that the last is answered from what was kept (the first
    visits after a change note the tables the page reads)."""
    for _ in range(4):
        html = client.get(BASKET).content.decode()
    return html


def test_a_new_quantity_and_a_new_price_show_at_once_and_no_one_else_sees_them(
    anna, django_user_model
):
    box = make_gingerbread(price="250", stock=10)
    add(anna, box, 2)
    neighbour = Client()
    neighbour.force_login(django_user_model.objects.create_user("boris", "b@example.com"))
    assert total(visits(anna)) == "500"
    assert "Ваша корзина пуста." in visits(neighbour)

    page = anna.get(BASKET).content.decode()
    line_id = re.search(r'name="form-0-id" value="(\d+)"', page).group(1)
    response = anna.post(
        BASKET,
        {
            "csrfmiddlewaretoken": token(page),
            "form-TOTAL_FORMS": "1",
            "form-INITIAL_FORMS": "1",
            "form-MIN_NUM_FORMS": "0",
            "form-MAX_NUM_FORMS": "1000",
            "form-0-id": line_id,
            "form-0-quantity": "3",
        },
    )
    assert response.status_code == 302
    assert total(anna.get(BASKET).content.decode()) == "750"
    assert total(visits(anna)) == "750"

    record = StockRecord.objects.get(product=box)
    record.price = 300
    record.save()
    assert total(anna.get(BASKET).content.decode()) == "900"
    assert "Ваша корзина пуста." in neighbour.get(BASKET).content.decode()


def test_a_voucher_shows_at_once_and_goes_when_it_ends(anna, monkeypatch):
    box = make_gingerbread(price="200", stock=10)
    add(anna, box)
    voucher = make_voucher(code="BAIKAL10", amount="10")
    voucher.end_datetime = timezone.now() + dt.timedelta(hours=1)
    voucher.save()
    assert total(visits(anna)) == "200"

    page = anna.get(BASKET).content.decode()
    response = anna.post(
        "/shop/basket/vouchers/add/", {"code": "BAIKAL10", "csrfmiddlewaretoken": token(page)}
    )
    assert response.status_code == 302
    assert total(visits(anna)) == "180"

    later = timezone.now() + dt.timedelta(hours=2)
    monkeypatch.setattr(timezone, "now", lambda: later)
    assert total(anna.get(BASKET).content.decode()) == "200"


def test_a_booking_whose_sale_closes_by_the_clock_is_marked_at_once(anna, monkeypatch):
    from tests.checkout.helpers import make_departure

    departure = make_departure(price="900", capacity=5)
    url = f"/shop/tours/{departure.tour.product_id}/book/?departure={departure.pk}"
    page = anna.get(url).content.decode()
    ref = re.search(r'name="booking_ref" value="(\w+)"', page).group(1)
    response = anna.post(
        url.split("?")[0],
        {
            "csrfmiddlewaretoken": token(page),
            "departure": departure.pk,
            "booking_ref": ref,
            "tickets_adult": "1",
            "lead_name": "Анна Иванова",
            "lead_phone": "+7 914 123-45-67",
        },
    )
    assert response.status_code == 302 and response["Location"] == BASKET
    assert 'class="availability' not in visits(anna)

    closes = departure.starts_at - dt.timedelta(hours=departure.tour.booking_cutoff_hours)
    monkeypatch.setattr(timezone, "now", lambda: closes + dt.timedelta(minutes=1))
    assert 'class="availability' in anna.get(BASKET).content.decode()
