"""The booking form shows a running total as people are chosen (static/js/booking-total.js),
under a strict Content-Security-Policy; the basket's total, computed by the server, is the one
that counts."""

import base64
import hashlib
import re

import pytest
from playwright.sync_api import expect

from shop.bookings.models import Fare
from tests.e2e.conftest import ADULT, CHILD

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.payments,  # the storefront fixture notes localstripe's PaymentIntents
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

# What a strict policy allows: scripts from the site's own address only, and no inline ones but
# those carrying the response's nonce (the site's own two lines in the page's head).
STRICT_CSP = "default-src 'self'; script-src 'self' {nonce}; object-src 'none'; base-uri 'none'"


def money(amount: int) -> str:
    return f"{amount:,}".replace(",", "\xa0") + "\xa0₽"  # "2 250 ₽", as Russian writes it


def under_strict_csp(page) -> None:
    """The booking page is served with a strict Content-Security-Policy header."""

    def handle(route):
        response = route.fetch()
        served = response.headers.get("content-security-policy", "")
        nonce = re.search(r"'nonce-[^']+'", served)
        strict = STRICT_CSP.format(nonce=nonce.group(0) if nonce else "")
        headers = {**response.headers, "content-security-policy": strict}
        route.fulfill(response=response, headers=headers)

    page.route(re.compile(r"/shop/tours/\d+/book/"), handle)


PROBE = "window.inlineRan = true;"


def inline_scripts_run(page) -> bool:
    """Whether an inline script without the nonce runs; the violation it provokes when the
    policy holds is expected, so it is taken back from those that fail the test."""
    ran = page.evaluate(
        """(probe) => {
            const script = document.createElement("script");
            script.textContent = probe;
            document.head.appendChild(script);
            return window.inlineRan === true;
        }""",
        PROBE,
    )
    probe_hash = base64.b64encode(hashlib.sha256(PROBE.encode()).digest()).decode()
    page.wait_for_timeout(200)  # the console message follows the blocked script
    page.csp_violations[:] = [v for v in page.csp_violations if probe_hash not in v]
    return ran


def test_the_total_follows_the_people_chosen_under_a_strict_policy(page, storefront):
    under_strict_csp(page)
    departure = storefront.departures[0]
    page.goto(f"/shop/tours/{storefront.tour.pk}/book/?departure={departure.pk}")
    total = page.locator("#booking-total")

    assert not inline_scripts_run(page)  # the policy holds
    expect(total).to_be_visible()
    expect(total).to_have_text(re.compile(rf"Итого:\s*{money(ADULT)}"))  # one adult to start
    page.get_by_label("Взрослый").fill("2")
    page.get_by_label("Детский").fill("1")
    expect(total.locator("output")).to_have_text(money(2 * ADULT + CHILD))
    page.get_by_label("Взрослый").fill("0")
    page.get_by_label("Детский").fill("0")
    expect(total).to_be_hidden()  # nobody chosen: no total


def test_the_basket_charges_the_servers_prices_when_the_page_is_out_of_date(page, storefront):
    departure = storefront.departures[0]
    page.goto(f"/shop/tours/{storefront.tour.pk}/book/?departure={departure.pk}")
    page.get_by_label("Взрослый").fill("2")
    page.get_by_label("Детский").fill("1")
    expect(page.locator("#booking-total output")).to_have_text(money(2 * ADULT + CHILD))

    # Staff raise the child fare while the tourist still has the page open.
    Fare.objects.filter(departure=departure, ticket_type__code="child").update(price=500)
    page.get_by_label("Имя и фамилия контактного участника").fill("Анна Иванова")
    page.get_by_label("Телефон").fill("+79025551234")
    page.get_by_role("button", name="В корзину").click()

    page.wait_for_url(re.compile(r"/shop/basket/$"))
    expect(page.locator("#basket_totals")).to_contain_text(money(2 * ADULT + 500))


def test_without_javascript_the_form_books_and_shows_no_total(browser, live_server, storefront):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    departure = storefront.departures[0]
    page.goto(f"/shop/tours/{storefront.tour.pk}/book/?departure={departure.pk}")

    expect(page.locator("#booking-total")).to_be_hidden()
    page.locator("[name=tickets_adult]").fill("2")
    page.locator("[name=lead_name]").fill("Анна Иванова")
    page.locator("[name=lead_phone]").fill("+79025551234")
    page.locator("form.booking-form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/shop/basket/$"))
    expect(page.locator("#basket_totals")).to_contain_text(money(2 * ADULT))
    context.close()
