"""The local YooKassa server's customer pages in a real browser (Debian's Chromium): the card
form with 3-D Secure, a declined 3-D Secure, SBP on a phone; and the pages pass axe-core and
fit a phone's width."""

import os
import shutil
import uuid

import pytest
from yookassa import Payment

from tests.devtools.conftest import card_payment, item, receipt
from tests.e2e.a11y import axe_violations, describe_violations, horizontal_overflow

pytestmark = pytest.mark.e2e

CHROMIUM = "/usr/bin/chromium"
TOUR = "Тур «Астральные места Байкальска»"
SCREENS = os.environ.get("YOOKASSA_SCREENS", "")  # e.g. /work/screens/yookassa


@pytest.fixture(scope="module")
def browser():
    if not shutil.which(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: apt install chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
        )
        yield browser
        browser.close()


@pytest.fixture(params=[1280, 390], ids=["desktop", "phone"])
def page(request, browser, monkeypatch):
    # Playwright's sync API runs a loop in this thread; the suite's Django fixtures around
    # the test must not take that for an async context.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    width = request.param
    context = browser.new_context(locale="ru-RU", viewport={"width": width, "height": 900})
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.width = width
    requests_elsewhere = []
    page.on(
        "request",
        lambda r: (
            requests_elsewhere.append(r.url) if not r.url.startswith("http://127.0.0.1") else None
        ),
    )
    yield page
    context.close()
    assert requests_elsewhere == []  # nothing is fetched from outside


def _check(page, name):
    """axe-core finds nothing serious, nothing sticks out sideways; a screenshot if asked."""
    violations = axe_violations(page)
    assert not violations, describe_violations(violations)
    assert horizontal_overflow(page, page.width) is None
    if SCREENS:
        os.makedirs(SCREENS, exist_ok=True)
        page.screenshot(path=f"{SCREENS}/{name}-{page.width}.png", full_page=True)


def _pay(page, number, expiry, csc):
    """Type a card into the form, as a customer does, and press the pay button."""
    page.get_by_label("Номер карты").fill(number)
    page.get_by_label("Срок действия").fill(expiry)
    page.get_by_label("CVC").fill(csc)
    page.get_by_role("button", name="Оплатить").click()


def test_a_customer_pays_with_3_d_secure_and_lands_back_on_the_shop(yookassa, page, return_url):
    payment = card_payment(return_url, "1350.00")

    page.goto(payment.confirmation.confirmation_url)
    assert "1\u00a0350,00\u00a0₽" in page.locator("dl").inner_text()
    _check(page, "card-form")
    _pay(page, "5555 5555 5555 4477", "12/30", "123")

    page.wait_for_url(f"**/checkout/{payment.id}/3ds")
    assert "*4477" in page.content()
    _check(page, "3ds")
    page.get_by_label("Код из SMS").fill("1234")
    page.get_by_role("button", name="Подтвердить").click()

    page.wait_for_url(return_url)
    assert "Спасибо" in page.content()
    paid = Payment.find_one(payment.id)
    assert paid.status == "waiting_for_capture"
    assert paid.authorization_details.three_d_secure.applied is True
    assert paid.payment_method.card.last4 == "4477"


def test_a_failed_3_d_secure_cancels_the_payment(yookassa, page, return_url):
    payment = card_payment(return_url)
    page.goto(payment.confirmation.confirmation_url)
    _pay(page, "4793128161644804", "1130", "321")
    page.get_by_role("button", name="Не подтверждать").click()

    page.wait_for_url(return_url)
    failed = Payment.find_one(payment.id)
    assert failed.status == "canceled"
    assert failed.cancellation_details.reason == "3d_secure_failed"


def test_a_mistyped_card_is_explained_and_can_be_corrected(yookassa, page, return_url):
    payment = card_payment(return_url)
    page.goto(payment.confirmation.confirmation_url)
    _pay(page, "5555 5555 5555 4445", "12/30", "123")

    assert "Проверьте номер карты" in page.get_by_role("alert").inner_text()
    _check(page, "card-form-error")
    assert page.get_by_label("Срок действия").input_value() == "12/30"  # kept for the retry
    _pay(page, "5555 5555 5555 4444", "12/30", "123")
    page.wait_for_url(return_url)
    assert Payment.find_one(payment.id).status == "waiting_for_capture"


def test_sbp_approved_in_the_bank_app_on_a_phone(yookassa, page):
    payment = Payment.create(
        {
            "amount": {"value": "900.00", "currency": "RUB"},
            "payment_method_data": {"type": "sbp"},
            "confirmation": {"type": "qr"},
            "receipt": receipt(item(TOUR, "900.00", payment_subject="service")),
            "description": TOUR,
        },
        str(uuid.uuid4()),
    )
    page.goto(payment.confirmation.confirmation_data)
    assert TOUR in page.content()
    _check(page, "sbp")
    page.get_by_role("button", name="Оплатить").click()

    assert "Оплата прошла" in page.get_by_role("status").inner_text()
    _check(page, "sbp-done")
    assert Payment.find_one(payment.id).status == "waiting_for_capture"
