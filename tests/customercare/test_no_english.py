"""A tourist who reads Russian or Chinese meets no English along the way.

The journeys of a customer are walked with the test client in each language: a guest books a
tour and buys gingerbread, meets the messages of the basket and of each checkout step (a wrong
choice included), pays and reads the thank-you page, the order status and the ticket; someone
signs up, signs in (once with a wrong password) and asks for a new password; a customer reads
their orders. Every page's visible text (and the texts of attributes a screen reader or a
browser shows) must hold no English word, apart from names that are the same in every language.
"""

import re
from html.parser import HTMLParser

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import translation

from shop.bookings.models import Departure, Ticket
from shop.bookings.ticket_documents import ticket_path
from shop.customercare.services import order_status_path
from tests.checkout.helpers import ADDRESS, gingerbread, russia
from tests.factories import make_tour
from tests.payments.helpers import pay

pytestmark = [pytest.mark.payments, pytest.mark.django_db]

LANGUAGES = {"ru": "", "zh-hans": "/zh-hans"}
# Written so in every language: names, abbreviations, and the language switch, where each
# language is named in its own.
SAME_IN_EVERY_LANGUAGE = {"Stripe", "CVC", "QR", "UTC", "VK", "Telegram", "RU", "EN", "English"}
# Russian writes "e-mail" in Latin letters as often as "эл. почта".
ALSO_RUSSIAN = {"e-mail"}
# Runs of Latin words; a token with digits (a ticket code) is no word.
ENGLISH_RUN = re.compile(
    r"(?<![\w-])[A-Za-z][A-Za-z'’-]*(?:[\s,.;:?!()]+[A-Za-z][A-Za-z'’-]*)*(?![\w-])"
)
TICKET_CODE = re.compile(r"[A-Z2-9]{8}")
ADDRESS_LIKE = re.compile(r"\S+@\S+|\bhttps?://\S+|\b[\w.-]+\.(?:ru|com|example|org)\b")
SHOWN_ATTRIBUTES = {"alt", "title", "aria-label", "placeholder"}


class _Text(HTMLParser):
    """The text a visitor can read or hear: element text outside scripts and styles, and
    the attributes browsers and screen readers show."""

    SKIPPED = {"script", "style", "template"}

    def __init__(self):
        super().__init__()
        self.parts: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag, attrs):
        if tag in self.SKIPPED:
            self._skipping += 1
        attributes = dict(attrs)
        for name, value in attributes.items():
            if value and name in SHOWN_ATTRIBUTES:
                self.parts.append(value)
        if (
            tag == "input"
            and attributes.get("type") in ("submit", "button")
            and attributes.get("value")
        ):
            self.parts.append(attributes["value"])

    def handle_endtag(self, tag):
        if tag in self.SKIPPED and self._skipping:
            self._skipping -= 1

    def handle_data(self, data):
        if not self._skipping:
            self.parts.append(data)


def english_words(html: str, allowed=SAME_IN_EVERY_LANGUAGE) -> list[str]:
    """The runs of English words in the page's visible text, each once."""
    parser = _Text()
    parser.feed(html)
    text = ADDRESS_LIKE.sub(" ", " ".join(" ".join(parser.parts).split()))
    found = []
    for match in ENGLISH_RUN.finditer(text):
        words = [w for w in re.split(r"[\s,.;:?!()]+", match.group()) if w]
        if all(word in allowed or TICKET_CODE.fullmatch(word) for word in words):
            continue
        if match.group() in found:
            continue
        found.append(match.group())
    return found


class Walk:
    """A visitor's client in one language that keeps what each page showed."""

    def __init__(self, language: str, client: Client | None = None):
        self.language = language
        self.prefix = LANGUAGES[language]
        self.client = client or Client()
        self.pages: dict[str, str] = {}

    def _keep(self, name, response):
        assert response.status_code in (200, 400), f"{name}: {response.status_code}"
        html = response.content.decode()
        assert f'<html lang="{self.language}"' in html, f"{name} is not in {self.language}"
        self.pages[name] = html
        return response

    def get(self, name, path, **query):
        return self._keep(name, self.client.get(self.prefix + path, query, follow=True))

    def post(self, name, path, data):
        return self._keep(name, self.client.post(self.prefix + path, data, follow=True))

    def english(self, allowed) -> dict[str, list[str]]:
        found = {name: english_words(html, allowed) for name, html in self.pages.items()}
        return {name: words for name, words in found.items() if words}


@pytest.fixture
def shop(site_home):
    russia()
    tour = make_tour(departures=2, capacity=15, fares={"adult": 900, "child": 450})
    box = gingerbread(title="Подарочная коробка: 6 нерп", price="1350", stock=40)
    departure = Departure.objects.filter(tour__product=tour).order_by("starts_at").first()
    customer = get_user_model().objects.create_user(
        username="tourist", email="tourist@example.com", password="pw-123456"
    )
    return tour, box, departure, customer


def unprefixed(make_path, *args) -> str:
    """An address without a language prefix (a request leaves its language active)."""
    with translation.override("ru"):
        return make_path(*args)


def guest_books_and_pays(walk: Walk, tour, box, departure) -> None:
    walk.get("home", "/")
    walk.get("tour", unprefixed(tour.get_absolute_url))
    book = f"/shop/tours/{tour.pk}/book/"
    walk.get("booking form", book, departure=departure.pk)
    booking = {
        "departure": departure.pk,
        "booking_ref": "b" * 32,
        "tickets_adult": 2,
        "tickets_child": 1,
        "lead_name": "Анна Иванова",
        "lead_phone": "+79025551234",
    }
    walk.post(
        "booking form with an error", book, {**booking, "tickets_adult": 0, "tickets_child": 0}
    )
    walk.post("basket after booking", book, booking)
    walk.post("basket after adding a box", f"/shop/basket/add/{box.pk}/", {"quantity": 1})
    walk.post("gingerbread beyond the stock", f"/shop/basket/add/{box.pk}/", {"quantity": 500})
    walk.get("basket", "/shop/basket/")
    box.stockrecords.update(price=1400)
    walk.get("basket after a price rise", "/shop/basket/")
    box.stockrecords.update(price=1350)
    walk.get("checkout: first step", "/shop/checkout/")
    walk.post(
        "checkout: guest with an account's e-mail",
        "/shop/checkout/",
        {"options": "anonymous", "username": "tourist@example.com"},
    )
    walk.post(
        "checkout: a wrong password",
        "/shop/checkout/",
        {"options": "existing", "username": "tourist@example.com", "password": "nope"},
    )
    walk.post(
        "checkout: delivery",
        "/shop/checkout/",
        {"options": "anonymous", "username": "anna@example.com"},
    )
    walk.post("checkout: no delivery chosen", "/shop/checkout/shipping-method/", {})
    walk.post(
        "checkout: address",
        "/shop/checkout/shipping-method/",
        {"method_code": "post-russia"},
    )
    walk.post("checkout: address missing", "/shop/checkout/shipping-address/", {})
    walk.post("checkout: address given", "/shop/checkout/shipping-address/", ADDRESS)
    walk.get("checkout: payment", "/shop/checkout/payment-details/")
    order = pay(walk.client, prefix=walk.prefix)
    walk.get("thank-you page", "/shop/checkout/thank-you/")
    walk.get("order status", unprefixed(order_status_path, order))
    walk.get("ticket", unprefixed(ticket_path, Ticket.objects.get(order=order)))
    walk.get("checkout of an empty basket", "/shop/checkout/")


def someone_signs_up_and_in(walk: Walk) -> None:
    walk.get("sign in", "/shop/accounts/login/")
    walk.post(
        "sign in with a wrong password",
        "/shop/accounts/login/",
        {"login_submit": "1", "login-username": "tourist@example.com", "login-password": "x"},
    )
    walk.get("sign up", "/shop/accounts/register/")
    walk.post(
        "sign up with errors",
        "/shop/accounts/register/",
        {"email": "tourist@example.com", "password1": "a", "password2": "b"},
    )
    walk.get("password reset", "/shop/password-reset/")
    walk.post("password reset sent", "/shop/password-reset/", {"email": "tourist@example.com"})
    walk.get("password reset with a stale link", "/shop/password-reset/confirm/MQ/stale-token/")
    walk.post(
        "signed in",
        "/shop/accounts/login/",
        {
            "login_submit": "1",
            "login-username": "tourist@example.com",
            "login-password": "pw-123456",
        },
    )
    walk.client.logout()
    walk.post(
        "signed up",
        "/shop/accounts/register/",
        {
            "email": f"new-{walk.language}@example.com",
            "password1": "baikal-seal-2026",
            "password2": "baikal-seal-2026",
            "consent": "on",
        },
    )
    assert get_user_model().objects.filter(email=f"new-{walk.language}@example.com").exists()


def customer_reads_their_orders(walk: Walk, customer, departure, box) -> None:
    from tests.checkout.helpers import checkout_and_pay

    order = checkout_and_pay(walk.client, customer, products=[box], departures=[departure])
    walk.get("my orders", "/shop/accounts/orders/")
    walk.get("my order", f"/shop/accounts/orders/{order.number}/")
    walk.get("profile", "/shop/accounts/profile/")
    walk.get("address book", "/shop/accounts/addresses/")


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_customer_journeys_show_no_english(shop, language):
    tour, box, departure, customer = shop
    walks = [Walk(language), Walk(language), Walk(language)]

    guest_books_and_pays(walks[0], tour, box, departure)
    someone_signs_up_and_in(walks[1])
    customer_reads_their_orders(walks[2], customer, departure, box)

    allowed = SAME_IN_EVERY_LANGUAGE | (ALSO_RUSSIAN if language == "ru" else set())
    english = {name: words for walk in walks for name, words in walk.english(allowed).items()}
    assert not english, "English on the pages:\n" + "\n".join(
        f"{name}: {words}" for name, words in english.items()
    )


def test_the_check_finds_english_in_text_and_attributes_only():
    html = (
        '<p>Заказ оплачен</p><script>var x = "Paid";</script><img alt="QR code">'
        "<p>Итого: Paid</p><p>время UTC+8, код DGXRAHAU, <a href='mailto:a@b.ru'>a@b.ru</a></p>"
    )

    assert english_words(html) == ["QR code", "Paid"]
