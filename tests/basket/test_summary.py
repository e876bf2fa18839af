"""The header's basket link of a signed-in person comes from the cache (shop/basket/summary.py):
whatever changes its count or total shows on the very next page."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.utils import timezone
from oscar.core.loading import get_model

from tests.factories import make_gingerbread, make_voucher

pytestmark = [pytest.mark.django_db]

Basket = get_model("basket", "Basket")
StockRecord = get_model("partner", "StockRecord")
_LINK = re.compile(
    r'basket-link__count">(\d+)</span>\s*(?:<span class="basket-link__total">([^<]+)</span>)?'
)


@pytest.fixture
def anna(client, site_home, django_user_model):
    user = django_user_model.objects.create_user("anna", "anna@example.com", "pw-123456")
    client.force_login(user)
    return user


def header(client) -> tuple[int, str | None]:
    """The count and the total the header's basket link shows on the home page."""
    response = client.get("/")
    assert response.status_code == 200
    count, total = _LINK.search(response.content.decode()).groups()
    return int(count), total and re.sub(r"\D", "", total.split(",")[0])


def test_a_line_added_changed_or_removed_shows_on_the_next_page(client, anna):
    box = make_gingerbread(price="250", stock=10)
    assert header(client) == (0, None)

    client.post(f"/shop/basket/add/{box.pk}/", {"quantity": 2})
    assert header(client) == (2, "500")
    assert header(client) == (2, "500")  # from the cache now

    line = Basket.objects.get(owner=anna, status=Basket.OPEN).lines.get()
    line.quantity = 3
    line.save()
    assert header(client) == (3, "750")

    line.delete()
    assert header(client) == (0, None)


def test_a_new_price_shows_on_the_next_page(client, anna):
    box = make_gingerbread(price="250", stock=10)
    client.post(f"/shop/basket/add/{box.pk}/", {"quantity": 1})
    assert header(client) == (1, "250")

    record = StockRecord.objects.get(product=box)
    record.price = Decimal("300")
    record.save()
    assert header(client) == (1, "300")


def test_stock_sold_elsewhere_keeps_the_kept_link_and_a_placed_basket_empties_it(client, anna):
    from shop.order.utils import stock_allocate

    box = make_gingerbread(price="250", stock=10)
    client.post(f"/shop/basket/add/{box.pk}/", {"quantity": 1})
    assert header(client) == (1, "250")
    stock_allocate(StockRecord.objects.get(product=box).pk, 3)  # another customer's order
    assert header(client) == (1, "250")

    basket = Basket.objects.get(owner=anna, status=Basket.OPEN)
    basket.submit()
    assert header(client) == (0, None)


def test_a_voucher_counts_at_once_and_stops_when_it_ends(client, anna, monkeypatch):
    box = make_gingerbread(price="200", stock=10)
    client.post(f"/shop/basket/add/{box.pk}/", {"quantity": 1})
    voucher = make_voucher(code="BAIKAL10", amount="10")
    voucher.end_datetime = timezone.now() + dt.timedelta(hours=1)
    voucher.save()
    assert header(client) == (1, "200")

    Basket.objects.get(owner=anna, status=Basket.OPEN).vouchers.add(voucher)
    assert header(client) == (1, "180")

    later = timezone.now() + dt.timedelta(hours=2)
    monkeypatch.setattr(timezone, "now", lambda: later)
    assert header(client) == (1, "200")


def test_an_offer_changed_by_staff_shows_on_the_next_page(client, anna):
    box = make_gingerbread(price="200", stock=10)
    client.post(f"/shop/basket/add/{box.pk}/", {"quantity": 1})
    voucher = make_voucher(code="BAIKAL10", amount="10")
    Basket.objects.get(owner=anna, status=Basket.OPEN).vouchers.add(voucher)
    assert header(client) == (1, "180")

    benefit = voucher.offers.get().benefit
    benefit.value = Decimal("25")
    benefit.save()
    assert header(client) == (1, "150")
