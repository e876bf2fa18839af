"""The last seat goes to someone else while the tourist is at the order preview."""

import pytest
from oscar.core.loading import get_model

from tests.checkout.helpers import basket_for, make_departure

pytestmark = [pytest.mark.django_db, pytest.mark.smoke]

Order = get_model("order", "Order")
StockRecord = get_model("partner", "StockRecord")
PREVIEW = "/shop/checkout/preview/"


@pytest.fixture
def shopper(client, django_user_model):
    customer = django_user_model.objects.create_user(
        username="anna", email="anna@example.com", password="secret-pass-1"
    )
    client.force_login(customer)
    return client, customer


@pytest.mark.parametrize("language", ["ru", "en"])
def test_sold_out_at_placement_is_explained_and_nothing_is_ordered(shopper, language):
    client, customer = shopper
    departure = make_departure(capacity=5)
    basket_for(customer, departures=[departure])
    prefix = "" if language == "ru" else "/en"
    assert client.get(f"{prefix}/shop/checkout/shipping-method/").status_code == 302
    assert client.get(f"{prefix}/shop/checkout/payment-method/").status_code == 302
    assert client.get(f"{prefix}{PREVIEW}").status_code == 200
    StockRecord.objects.filter(product_id=departure.pk).update(num_allocated=5)

    response = client.post(f"{prefix}{PREVIEW}", {"action": "place_order"})

    html = response.content.decode()
    expected = "распродан" if language == "ru" else "sold out"
    assert response.status_code in (200, 302)
    if response.status_code == 302:
        html = client.get(response.url).content.decode()
    assert expected in html
    assert Order.objects.count() == 0
    assert StockRecord.objects.get(product_id=departure.pk).num_allocated == 5
