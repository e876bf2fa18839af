"""A seat sold on one tour makes that tour's pages and the lists stale at once, and leaves the
cached pages of the other tours and of the gingerbread as they were (kept, served as hits):
a rush on one tour does not re-render the whole site."""

import pytest
from django.test import Client
from oscar.core.loading import get_model

from shop.order.utils import stock_allocate, stock_release
from tests.factories import make_tour

pytestmark = [pytest.mark.django_db]

StockRecord = get_model("partner", "StockRecord")


def visit(url):
    response = Client().get(url)
    return response.get("X-Page-Cache"), response.content.decode().replace("\xa0", " ")


def warm(*urls):
    for url in urls:
        visit(url)
        visit(url)  # the second visit records what the page showed; now it is kept


@pytest.fixture
def pages(content):
    other = make_tour(title="Встреча рассвета на Байкале", departures=2, capacity=8)
    urls = {
        "tour": content["tour"].get_absolute_url(),
        "tour landing page": content["tour_page"].url,
        "other tour": other.get_absolute_url(),
        "gingerbread": content["gingerbread"].get_absolute_url(),
        "page embedding the gingerbread": content["embed"].url,
        "home": content["home"].url,
        "catalogue": "/shop/catalogue/",
    }
    warm(*urls.values())
    for name, url in urls.items():
        assert visit(url)[0] == "hit", name
    return urls


def seat_record(tour):
    return (
        StockRecord.objects.filter(product__parent=tour)
        .order_by("product__departure__starts_at")
        .first()
    )


def test_a_seat_sold_leaves_the_other_tours_and_the_gingerbread_kept(content, pages):
    record = seat_record(content["tour"])
    assert "Осталось 10 мест" in visit(pages["tour"])[1]

    assert stock_allocate(record.pk, 1)

    for name in ("tour", "tour landing page"):
        kept, html = visit(pages[name])
        assert kept == "miss" and "Осталось 9 мест" in html, name
    for name in ("home", "catalogue"):
        assert visit(pages[name])[0] == "miss", name  # they list every product
    for name in ("other tour", "gingerbread", "page embedding the gingerbread"):
        assert visit(pages[name])[0] == "hit", name

    assert stock_release(record.pk, 1)
    kept, html = visit(pages["tour"])
    assert kept == "miss" and "Осталось 10 мест" in html
    assert visit(pages["other tour"])[0] == "hit"


def test_gingerbread_sold_leaves_the_tours_kept(content, pages):
    record = StockRecord.objects.get(product=content["gingerbread"])

    assert stock_allocate(record.pk, 1)

    assert visit(pages["gingerbread"])[0] == "miss"
    assert visit(pages["page embedding the gingerbread"])[0] == "miss"
    for name in ("tour", "tour landing page", "other tour"):
        assert visit(pages[name])[0] == "hit", name


def test_a_change_by_staff_still_makes_every_page_stale(content, pages):
    """A price saved in the dashboard goes through the ORM: every page, as before."""
    record = StockRecord.objects.get(product=content["gingerbread"])
    record.price = "300.00"
    record.save()

    for name, url in pages.items():
        assert visit(url)[0] == "miss", name
    assert "300 ₽" in visit(pages["gingerbread"])[1]
