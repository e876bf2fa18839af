"""Cached storefront fragments never show a stale price or seat count: every change of what
they show (a price, a sale, a cancellation, a departure's status) makes them stale."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from oscar.core.loading import get_model

from shop.bookings.models import Departure
from shop.bookings.services import departure_close
from shop.team.services import order_cancel_with_refund
from tests.checkout.helpers import basket_for, make_departure
from tests.factories import make_gingerbread, make_staff
from tests.payments.helpers import pay

pytestmark = [pytest.mark.django_db]

StockRecord = get_model("partner", "StockRecord")


def page(client, url) -> str:
    return client.get(url).content.decode().replace("\xa0", " ")


def queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    return len(captured.captured_queries)


def test_a_warm_listing_is_served_from_the_cache(client):
    for index in range(5):
        make_gingerbread(title=f"Пряник {index}")
    client.get("/shop/catalogue/")
    warm = queries(client, "/shop/catalogue/")
    make_gingerbread(title="Ещё один пряник")
    cold_after_change = queries(client, "/shop/catalogue/")
    assert warm < cold_after_change


def test_a_new_price_shows_at_once(client):
    product = make_gingerbread(title="Пряник «Нерпа»", price="250")
    assert "250 ₽" in page(client, "/shop/catalogue/")

    record = StockRecord.objects.get(product=product)
    record.price = "275.00"
    record.save()

    html = page(client, "/shop/catalogue/")
    assert "275 ₽" in html and "250 ₽" not in html


@pytest.mark.payments
def test_seats_sold_and_given_back_show_at_once(client, django_user_model):
    departure = make_departure(capacity=10)
    tour_url = departure.tour.product.get_absolute_url()
    assert "Осталось 10 мест" in page(client, tour_url)
    customer = django_user_model.objects.create_user(
        username="t", email="t@example.com", password="x"
    )
    client.force_login(customer)
    basket_for(customer, departures=[departure])
    client.get("/shop/checkout/shipping-method/")
    order = pay(client)
    client.logout()

    assert "Осталось 9 мест" in page(client, tour_url)

    order_cancel_with_refund(order=order, actor=make_staff(), reason="Передумали")
    assert "Осталось 10 мест" in page(client, tour_url)


def test_a_closed_departure_loses_its_book_link_at_once(client):
    departure = make_departure(capacity=10)
    tour_url = departure.tour.product.get_absolute_url()
    book = f"/shop/tours/{departure.tour_id}/book/?departure={departure.pk}"
    assert book in page(client, tour_url)

    departure_close(departure=Departure.objects.get(pk=departure.pk), actor=make_staff())

    assert book not in page(client, tour_url)


def test_the_home_page_shows_a_new_price_at_once(client, settings):
    from tests.factories import make_home_page

    make_home_page()
    product = make_gingerbread(title="Пряник «Нерпа»", price="250")
    assert "250 ₽" in page(client, "/")
    settings.PAGE_CACHE_SECONDS = 0  # the page rendered from its cached fragments
    warm = queries(client, "/")
    settings.PAGE_CACHE_SECONDS = 60

    record = StockRecord.objects.get(product=product)
    record.price = "260.00"
    record.save()

    html = page(client, "/")
    assert "260 ₽" in html and "250 ₽" not in html
    assert warm <= 12


def test_another_process_bumping_the_version_is_seen(settings, tmp_path):
    """What production uses without Redis: files the processes of one machine share."""
    import os
    import subprocess
    import sys

    from shop.core.freshness import catalogue_version

    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(tmp_path),
        }
    }
    before = catalogue_version()
    subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); "
            "from shop.core.freshness import catalogue_changed; catalogue_changed()",
        ],
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "shop.settings.test",
            "CACHE_URL": f"filecache://{tmp_path}",
        },
        check=True,
    )
    assert catalogue_version() != before


def test_the_clock_next_changes_the_storefront_when_a_booking_closes_or_the_day_turns():
    import datetime as dt

    from django.utils import timezone

    from shop.core.freshness import _next_change_by_clock

    now = timezone.now()
    midnight = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    midnight += dt.timedelta(days=1)
    assert _next_change_by_clock() == midnight  # nothing to book: the day turns

    # A tour sold up to 20 days ahead: its booking closes in an hour, long before it starts.
    departure = make_departure(capacity=5)
    departure.tour.booking_cutoff_hours = 480
    departure.tour.save()
    closes = now + dt.timedelta(hours=1)
    departure.starts_at = closes + dt.timedelta(hours=480)
    departure.save()
    expected = min(closes, midnight)
    assert abs(_next_change_by_clock() - expected) < dt.timedelta(seconds=1)
    departure.status = "cancelled"
    departure.save()
    assert _next_change_by_clock() == midnight
