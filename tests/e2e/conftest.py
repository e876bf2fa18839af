"""A real browser (Debian's Chromium, driven by Playwright) against pytest-django's live server.

Playwright's sync API marks an asyncio loop as running in the test's thread for as long as it
runs. Django then refuses ORM calls in that thread ("You cannot call this from an async
context") and, worse, hands out a second set of database connections there (its connection
registry is context-local while a loop runs), which do not carry the serialized test data
that `serialized_rollback` restores from. So the browser lives exactly as long as one test
body: it starts after the test database is set up and stops before it is flushed, the ORM
is allowed meanwhile, and the connections opened under the loop are closed before it stops.
"""

import shutil
from types import SimpleNamespace

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"]
SCREENSHOTS = "/tmp"

TOUR_TITLE = "Астральные места Байкальска"
GIFT_BOX_TITLE = "Подарочная коробка: 6 нерп"
ADULT, CHILD, GIFT_BOX = 900, 450, 1350


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the test, so `page` can screenshot a failure."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture
def browser(monkeypatch, transactional_db):
    if not shutil.which(CHROMIUM):
        # Never skipped: a missing browser is a failed test (.ci/run installs it).
        pytest.fail(f"{CHROMIUM} is missing: apt install chromium")
    from django.db import connections
    from playwright.sync_api import sync_playwright

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            connections.close_all()  # the ones the test body opened while the loop ran
            browser.close()


def watch_csp(page, violations: list) -> None:
    """Collect what the Content-Security-Policy blocks on `page` (Chromium reports each to
    the console as an error)."""

    def on_console(message):
        if message.type == "error" and "Content Security Policy" in message.text:
            violations.append(f"{page.url}: {message.text}")

    page.on("console", on_console)


@pytest.fixture
def page(request, browser, live_server):
    """A fresh browser context (no cookies) on the live server, in Russian.

    JavaScript errors and Content-Security-Policy violations on any page fail the test; a
    failing test leaves a screenshot.
    """
    context = browser.new_context(
        base_url=live_server.url, locale="ru-RU", viewport={"width": 1280, "height": 900}
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    errors, violations = [], []
    page.on("pageerror", lambda error: errors.append(str(error)))
    watch_csp(page, violations)
    page.csp_violations = violations  # a test that provokes one on purpose takes it back
    yield page
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        page.screenshot(path=f"{SCREENSHOTS}/e2e-failed-{request.node.name}.png", full_page=True)
    context.close()
    assert not errors, f"JavaScript errors in the page: {errors}"
    assert not violations, f"Content-Security-Policy violations: {violations}"


@pytest.fixture
def storefront(transactional_db):
    """What the tourist finds: the home page, a tour with two departures (adult 900 ₽,
    child 450 ₽) and a gift box of gingerbread (1350 ₽), built with the test factories."""
    from shop.bookings.models import Departure
    from tests.checkout.helpers import gingerbread
    from tests.factories import make_home_page, make_tour

    make_home_page()
    tour = make_tour(
        title=TOUR_TITLE, departures=2, capacity=15, fares={"adult": ADULT, "child": CHILD}
    )
    box = gingerbread(title=GIFT_BOX_TITLE, price=str(GIFT_BOX), stock=40)
    departures = list(Departure.objects.filter(tour__product=tour).order_by("starts_at"))
    return SimpleNamespace(
        tour=tour, departures=departures, box=box, intents_before=payment_intent_ids()
    )


def payment_intents(provider: str = "stripe") -> list:
    """Every payment the session's local provider holds (all tests share it), as the
    payment layer reads them."""
    from shop.payments import providers

    return list(providers.get(provider).payments())


def payment_intent_ids(provider: str = "stripe") -> set[str]:
    return {intent.id for intent in payment_intents(provider)}
