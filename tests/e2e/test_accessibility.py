"""The storefront's pages pass axe-core and fit a 360 px wide phone, in Russian and English.

Each page of PAGES is opened in Chromium at 1280 px and at 360 px wide; at both widths axe-core
must find no violation of impact "serious" or "critical" (contrast, names of links and
buttons, labels, ARIA), and at 360 px the page must not scroll sideways. The basket holds a
booking and a box of gingerbread, put there through the pages' own forms. To check another
page, add a (name, url builder) pair to PAGES; the builder gets the `shop` fixture's data.
"""

from types import SimpleNamespace

import pytest
from playwright.sync_api import expect

from shop.bookings.ticket_documents import ticket_path
from shop.customercare.services import order_status_path
from shop.feedback.services import feedback_path
from tests.e2e.a11y import axe_violations, describe_violations, horizontal_overflow
from tests.e2e.conftest import ADULT, CHILD, GIFT_BOX, GIFT_BOX_TITLE, TOUR_TITLE

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.payments,  # the order status and ticket pages are of an order paid by card
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 360, "height": 740}
LANGUAGES = {"ru": "", "en": "/en"}

PAGES = [
    ("home", lambda shop: "/"),
    ("tour", lambda shop: shop.tour.get_absolute_url()),
    ("booking", lambda shop: f"/shop/tours/{shop.tour.pk}/book/?departure={shop.departure.pk}"),
    ("gingerbread", lambda shop: shop.box.get_absolute_url()),
    ("basket", lambda shop: "/shop/basket/"),
    ("checkout", lambda shop: "/shop/checkout/"),
    ("catalogue", lambda shop: "/shop/catalogue/"),
    ("about", lambda shop: "/about/"),
    ("tour landing page", lambda shop: "/ekskursii/astral/"),
    ("events calendar", lambda shop: f"/sobytiya/?month={shop.event.start_date:%Y-%m}"),
    ("event", lambda shop: "/sobytiya/led/"),
    ("contact", lambda shop: "/kontakty/"),
    ("page with a product block", lambda shop: "/pryanik/"),
    ("order status", lambda shop: order_status_path(shop.order)),
    ("ticket", lambda shop: ticket_path(shop.ticket)),
    ("tourists' feedback", lambda shop: feedback_path(shop.ticket)),
]


@pytest.fixture
def shop(transactional_db, django_user_model):
    """Home and about pages in both languages, a tour with two departures, a gift box, the
    content pages (tour landing page, events calendar and event, contact form, a page with a
    product block), and a customer's paid order of both (its status page and ticket)."""
    from django.test import Client

    from shop.bookings.models import Departure, Ticket
    from tests.checkout.helpers import checkout_and_pay, gingerbread
    from tests.factories import (
        make_content_pages,
        make_home_page,
        make_standard_page,
        make_tour,
        make_translation,
    )

    home = make_home_page()
    make_translation(home, "en", title="Baikal tour bureau", hero_title="Baikalsk by students")
    about = make_standard_page(home, title="О нас", slug="about", intro="Учимся действием")
    make_translation(about, "en", title="About us", intro="Learning by doing")
    tour = make_tour(
        title=TOUR_TITLE,
        en_title="Astral places of Baikalsk",
        departures=2,
        capacity=15,
        fares={"adult": ADULT, "child": CHILD},
    )
    box = gingerbread(
        title=GIFT_BOX_TITLE, en_title="Gift box: 6 seals", price=str(GIFT_BOX), stock=40
    )
    departure = Departure.objects.filter(tour__product=tour).order_by("starts_at").first()
    content = make_content_pages(home, tour, box)

    customer = django_user_model.objects.create_user(
        username="tourist", email="tourist@example.com", password="pw-123456"
    )
    order = checkout_and_pay(Client(), customer, products=[box], departures=[departure])
    ticket = Ticket.objects.get(order=order)
    return SimpleNamespace(
        tour=tour,
        box=box,
        departure=departure,
        order=order,
        ticket=ticket,
        event=content["event"],
        customer=customer,
    )


def fill_the_basket(page, shop) -> None:
    """A booking for two adults and a child, and a gift box, through the pages' forms."""
    page.goto(f"/shop/tours/{shop.tour.pk}/book/?departure={shop.departure.pk}")
    form = page.locator("form.booking-form")
    form.locator("[name=tickets_adult]").fill("2")
    form.locator("[name=tickets_child]").fill("1")
    form.locator("[name=lead_name]").fill("Анна Иванова")
    form.locator("[name=lead_phone]").fill("+79025551234")
    form.locator("button[type=submit]").click()
    page.wait_for_url("**/shop/basket/")
    page.goto(shop.box.get_absolute_url())
    page.locator("#add_to_basket_form button[type=submit]").click()
    expect(page.locator(".basket-link__count")).to_have_text("4")


def check_page(page, url: str) -> list[str]:
    """What is wrong with the page at `url`: axe at both widths, sideways scroll on a phone."""
    problems = []
    page.set_viewport_size(DESKTOP)
    response = page.goto(url)
    if response is None or not response.ok:
        return [f"{url}: HTTP {response.status if response else 'no response'}"]
    for label, viewport in (("1280 px", DESKTOP), ("360 px", PHONE)):
        page.set_viewport_size(viewport)
        violations = axe_violations(page)
        if violations:
            problems.append(f"{url} at {label}:\n{describe_violations(violations)}")
    overflow = horizontal_overflow(page, PHONE["width"])
    if overflow:
        problems.append(f"{url} scrolls sideways at 360 px: {overflow}")
    return problems


@pytest.mark.parametrize("language", LANGUAGES)
def test_pages_have_no_serious_accessibility_violations_and_fit_a_phone(page, shop, language):
    fill_the_basket(page, shop)
    problems = []
    for _name, url_for in PAGES:
        problems += check_page(page, LANGUAGES[language] + url_for(shop))

    assert not problems, "\n\n".join(problems)


# Pages of a signed-in customer: checked after they sign in and pay for a booking in the browser.
CUSTOMER_PAGES = [
    ("thank-you page", lambda shop: "/shop/checkout/thank-you/"),
    ("my orders", lambda shop: "/shop/accounts/orders/"),
    ("my order", lambda shop: f"/shop/accounts/orders/{shop.order.number}/"),
]


def sign_in_and_pay_for_a_booking(page, shop) -> None:
    page.goto("/shop/accounts/login/")
    page.locator("[name=login-username]").fill(shop.customer.email)
    page.locator("[name=login-password]").fill("pw-123456")
    page.locator("[name=login_submit]").click()
    page.goto(f"/shop/tours/{shop.tour.pk}/book/?departure={shop.departure.pk}")
    form = page.locator("form.booking-form")
    form.locator("[name=lead_name]").fill("Анна Иванова")
    form.locator("[name=lead_phone]").fill("+79025551234")
    form.locator("button[type=submit]").click()
    page.wait_for_url("**/shop/basket/")
    page.goto("/shop/checkout/")  # tours only, signed in: straight to the payment page
    card = page.locator("#card-element")
    card.get_by_placeholder("number").fill("4242424242424242")
    card.get_by_placeholder("exp_month").fill("12")
    card.get_by_placeholder("exp_year").fill("34")
    card.get_by_placeholder("cvc").fill("123")
    page.locator("input[name=consent]").check()
    page.locator("#pay-button").click()
    page.wait_for_url("**/shop/checkout/thank-you/")


@pytest.mark.parametrize("language", LANGUAGES)
def test_customer_pages_have_no_serious_accessibility_violations(page, shop, language):
    sign_in_and_pay_for_a_booking(page, shop)
    problems = []
    for _name, url_for in CUSTOMER_PAGES:
        problems += check_page(page, LANGUAGES[language] + url_for(shop))

    assert not problems, "\n\n".join(problems)
