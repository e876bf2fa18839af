"""Layout a tourist can read, in Russian, English and Chinese: at 1280 px the header keeps
every item on one line and the menu on one row; on a 390 px phone no amount wraps away from
its currency sign and no word breaks in the middle."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.payments,  # the storefront fixture notes localstripe's PaymentIntents
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

LANGUAGES = {"ru": "", "en": "/en", "zh-hans": "/zh-hans"}
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}

# The JavaScript that measures text in the page (text lines, broken or spilling words).
MEASURE = (Path(__file__).parent / "text_layout.js").read_text(encoding="utf-8")


# The demo site's menu: the shop's two sections and four pages, in each language.
MENU_PAGES = [
    ("Календарь событий", "sobytiya", "Events calendar", "活动日历"),
    ("Как забронировать", "kak-zabronirovat", "How to book", "如何预订"),
    ("О нас", "o-nas", "About us", "关于我们"),
    ("Контакты", "kontakty", "Contact us", "联系我们"),
]


def measure(page):
    page.evaluate(MEASURE)


@pytest.fixture
def menu(storefront):
    from wagtail.models import Site

    from tests.factories import make_standard_page, make_translation

    home = Site.objects.get(is_default_site=True).root_page
    for title, slug, english, chinese in MENU_PAGES:
        page = make_standard_page(home, title=title, slug=slug)
        make_translation(page, "en", title=english, slug=f"{slug}-en")
        make_translation(page, "zh-hans", title=chinese, slug=f"{slug}-zh")
    return len(MENU_PAGES) + 2


def sign_in_with_a_basket(page, storefront, django_user_model) -> None:
    django_user_model.objects.create_user(
        username="anna", email="anna@example.com", password="pw-123456"
    )
    page.goto("/shop/accounts/login/")
    page.locator("[name=login-username]").fill("anna@example.com")
    page.locator("[name=login-password]").fill("pw-123456")
    page.locator("[name=login_submit]").click()
    page.goto(storefront.box.get_absolute_url())
    page.locator("#add_to_basket_form button[type=submit]").click()
    expect(page.locator(".basket-link__count")).to_have_text("1")


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_header_keeps_each_item_on_one_line_at_1280(
    page, storefront, menu, django_user_model, language
):
    sign_in_with_a_basket(page, storefront, django_user_model)
    page.set_viewport_size(DESKTOP)
    page.goto(LANGUAGES[language] + "/")
    measure(page)

    items = page.locator(".site-nav ul a, .account-link--top, .basket-link, .lang-switch")
    lines = items.evaluate_all("els => els.map(el => [el.textContent.trim(), textLines(el)])")
    tops = page.locator(".site-nav ul a").evaluate_all(
        "els => els.map(el => Math.round(el.getBoundingClientRect().top))"
    )

    assert [text for text, count in lines if count != 1] == []
    assert len(tops) == menu and len(set(tops)) == 1, tops  # the menu in one row


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_word_breaks_in_the_middle_on_a_phone(page, storefront, language):
    prefix = LANGUAGES[language]
    page.set_viewport_size(PHONE)
    pages = [
        storefront.tour.get_absolute_url(),
        f"/shop/tours/{storefront.tour.pk}/book/?departure={storefront.departures[0].pk}",
    ]
    broken = {}
    for url in pages:
        page.goto(prefix + url)
        measure(page)
        broken[url] = page.evaluate("brokenWords(document.querySelector('main'))")
    # With a booking in the basket: the basket and the checkout's first step.
    page.locator("[name=lead_name]").fill("Анна Иванова")
    page.locator("[name=lead_phone]").fill("+79025551234")
    page.locator("form.booking-form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/shop/basket/$"))
    for url in ("/shop/basket/", "/shop/checkout/"):
        pages.append(url)
        page.goto(prefix + url)
        measure(page)
        broken[url] = page.evaluate("brokenWords(document.querySelector('main'))")

    assert broken == {url: [] for url in pages}


@pytest.mark.parametrize("language", LANGUAGES)
def test_amounts_stay_on_one_line_on_a_phone(page, storefront, language):
    prefix = LANGUAGES[language]
    departure = storefront.departures[0]
    page.set_viewport_size(PHONE)
    page.goto(f"{prefix}/shop/tours/{storefront.tour.pk}/book/?departure={departure.pk}")
    page.locator("[name=tickets_adult]").fill("3")
    page.locator("[name=tickets_child]").fill("1")
    page.locator("[name=lead_name]").fill("Анна Иванова")
    page.locator("[name=lead_phone]").fill("+79025551234")
    page.locator("form.booking-form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/shop/basket/$"))
    page.goto(prefix + storefront.box.get_absolute_url())
    page.locator("#add_to_basket_form button[type=submit]").click()
    page.goto(f"{prefix}/shop/basket/")
    measure(page)

    amounts = page.locator("main :is(.price_color, #basket_totals .text-right)")
    wrapped = amounts.evaluate_all(
        "els => els.filter(el => el.textContent.includes('₽') && textLines(el) > 1)"
        ".map(el => el.textContent.trim())"
    )

    assert amounts.count() >= 4
    assert wrapped == []


def test_the_added_to_basket_message_and_its_buttons_are_readable(page, storefront):
    from tests.e2e.a11y import axe_violations, describe_violations

    page.goto(storefront.box.get_absolute_url())
    page.locator("#add_to_basket_form button[type=submit]").click()
    buttons = page.locator("#messages .btn")
    expect(buttons).to_have_text(["Открыть корзину", "Оформить заказ"])

    violations = axe_violations(page)  # contrast of text on its background included

    assert not violations, describe_violations(violations)


def test_on_a_phone_the_menu_opens_and_a_message_closes_with_the_scripts_deferred(page, storefront):
    # The layout's scripts run after the first paint (defer): Bootstrap's alerts and the
    # site's menu button still work once they have.
    page.set_viewport_size(PHONE)
    page.goto(storefront.box.get_absolute_url())
    page.locator("#add_to_basket_form button[type=submit]").click()
    messages = page.locator("#messages .alert")
    expect(messages).to_have_count(2)  # added, and the basket's total
    messages.first.locator(".close").click()
    expect(messages).to_have_count(1)

    menu = page.locator("#site-nav")
    expect(menu).to_be_hidden()
    page.locator(".nav-toggle").click()
    expect(menu).to_be_visible()
    expect(page.locator(".nav-toggle")).to_have_attribute("aria-expanded", "true")
