"""The last seats go to someone else while the tourist is paying."""

import pytest
from oscar.core.loading import get_model

from tests.checkout.helpers import basket_for, make_departure
from tests.payments.helpers import CARD_OK, start_payment

pytestmark = [pytest.mark.django_db, pytest.mark.payments]

Order = get_model("order", "Order")
StockRecord = get_model("partner", "StockRecord")


@pytest.fixture
def shopper(client, django_user_model):
    customer = django_user_model.objects.create_user(
        username="anna", email="anna@example.com", password="secret-pass-1"
    )
    client.force_login(customer)
    return client, customer


@pytest.mark.parametrize("language", ["ru", "en"])
def test_sold_out_before_paying_sends_the_tourist_back_to_the_basket(shopper, language):
    client, customer = shopper
    departure = make_departure(capacity=5)
    basket_for(customer, departures=[departure])
    prefix = "" if language == "ru" else "/en"
    client.get(f"{prefix}/shop/checkout/shipping-method/")
    StockRecord.objects.filter(product_id=departure.pk).update(num_allocated=5)

    response = client.get(f"{prefix}/shop/checkout/payment-details/")

    assert response.status_code == 302 and response.url.endswith("/shop/basket/")
    html = client.get(response.url).content.decode()
    assert ("распродан" if language == "ru" else "sold out") in html
    assert Order.objects.count() == 0


def test_sold_out_while_the_card_is_authorised_charges_nothing(shopper):
    client, customer = shopper
    departure = make_departure(capacity=5)
    basket_for(customer, departures=[departure])
    client.get("/shop/checkout/shipping-method/")
    status, answer = start_payment(client, CARD_OK)
    assert answer["status"] == "authorized"
    StockRecord.objects.filter(product_id=departure.pk).update(num_allocated=5)

    response = client.get(answer["return_url"])

    assert response.status_code == 302
    messages = " ".join(str(m) for m in response.wsgi_request._messages)
    assert "распродан" in messages
    assert Order.objects.count() == 0
    assert StockRecord.objects.get(product_id=departure.pk).num_allocated == 5
