"""What search engines read: robots.txt, sitemap.xml, canonical and hreflang links, and
schema.org data that says the same prices and seats as the page."""

import json
import re

import pytest
from oscar.core.loading import get_model

from shop.bookings.models import Departure
from tests.factories import make_gingerbread, make_home_page, make_tour

pytestmark = [pytest.mark.django_db]

StockRecord = get_model("partner", "StockRecord")


def json_ld(html: str) -> dict:
    found = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert found, "no schema.org data on the page"
    return json.loads(found.group(1))


def test_robots_keeps_private_places_out_and_names_the_sitemap(client):
    text = client.get("/robots.txt").content.decode()

    for path in ("/team/", "/shop/checkout/", "/shop/dashboard/", "/shop/tickets/", "/en/team/"):
        assert f"Disallow: {path}\n" in text
    assert re.search(r"^Sitemap: http://testserver/sitemap\.xml$", text, re.M)


def test_the_sitemap_lists_products_in_both_languages_with_alternates(client, settings):
    settings.WAGTAILADMIN_BASE_URL = "https://tours.example"
    make_home_page()
    box = make_gingerbread(title="Пряник «Нерпа»")
    tour = make_tour(departures=2)
    child = Departure.objects.filter(tour__product=tour).first().product

    xml = client.get("/sitemap.xml").content.decode()

    url = box.get_absolute_url()
    assert f"<loc>https://tours.example{url}</loc>" in xml
    assert f"<loc>https://tours.example/en{url}</loc>" in xml
    assert f'hreflang="en" href="https://tours.example/en{url}"' in xml
    assert tour.get_absolute_url() in xml
    assert (
        child.get_absolute_url() not in xml or child.get_absolute_url() == tour.get_absolute_url()
    )


def test_canonical_keeps_what_makes_a_page_and_drops_the_rest(client):
    html = client.get("/shop/catalogue/?type=tour&utm_source=vk").content.decode()

    assert '<link rel="canonical" href="http://testserver/shop/catalogue/?type=tour">' in html
    assert (
        '<link rel="alternate" hreflang="en" href="http://testserver/en/shop/catalogue/?type=tour">'
        in html
    )
    assert 'hreflang="x-default" href="http://testserver/shop/catalogue/?type=tour"' in html


def test_a_products_offer_says_its_live_price_and_stock(client):
    product = make_gingerbread(title="Пряник «Нерпа»", price="250", stock=3)
    data = json_ld(client.get(product.get_absolute_url()).content.decode())
    assert data["@type"] == "Product" and data["name"] == "Пряник «Нерпа»"
    assert data["offers"]["price"] == "250.00" and data["offers"]["priceCurrency"] == "RUB"
    assert data["offers"]["availability"] == "https://schema.org/InStock"

    record = StockRecord.objects.get(product=product)
    record.price, record.num_in_stock = "270.00", 0
    record.save()

    data = json_ld(client.get(product.get_absolute_url()).content.decode())
    assert data["offers"]["price"] == "270.00"
    assert data["offers"]["availability"] == "https://schema.org/OutOfStock"


def test_a_tour_lists_its_departures_as_offers(client):
    tour = make_tour(departures=2, capacity=5, fares={"adult": 900, "child": 450})
    first, second = Departure.objects.filter(tour__product=tour).order_by("starts_at")
    StockRecord.objects.filter(product_id=second.pk).update(num_allocated=5)  # sold out

    data = json_ld(client.get(tour.get_absolute_url()).content.decode())

    assert data["@type"] == "TouristTrip"
    # The full fare, the adult's, as the page shows it (not the child's 450 ₽).
    assert [o["price"] for o in data["offers"]] == ["900.00", "900.00"]
    assert [o["availability"].rsplit("/", 1)[1] for o in data["offers"]] == ["InStock", "SoldOut"]
    assert data["offers"][0]["url"].endswith(f"?departure={first.pk}")
    assert "url" not in data["offers"][1]  # nothing to book


def test_a_product_without_a_description_is_described_by_the_site(client):
    """Search engines and Lighthouse want every page described: a product with no text of
    its own says what the site is, one with a description says that."""
    plain = make_gingerbread(title="Пряник «Омуль»")
    html = client.get(plain.get_absolute_url()).content.decode()
    described = re.search(r'<meta name="description" content="([^"]*)">', html).group(1)
    assert "Байкальск" in described

    plain.description = "<p>Медовый пряник с глазурью в виде нерпы.</p>"
    plain.save()
    html = client.get(plain.get_absolute_url()).content.decode()
    assert '<meta name="description" content="Медовый пряник с глазурью в виде нерпы.">' in html
