"""A tourist books a tour and buys gingerbread in a real browser and pays through the card form.

Chromium (driven by Playwright) uses the live server like a visitor: links, forms, the card
form. The card form is the fake Stripe.js of the session's localstripe: its card Element is
plain inputs (number, exp_month, exp_year, cvc, postal_code) inside #card-element, and its
3-D Secure step is a dialog with "Complete authentication" / "Fail authentication" buttons.
After the browser is done, the database and localstripe are checked directly.
"""

import re
from decimal import Decimal

import pytest
from django.utils import timezone
from oscar.core.loading import get_model
from playwright.sync_api import expect

from shop.payments.models import AttemptStatus, PaymentAttempt
from shop.payments.providers import PaymentState, stripe
from tests.e2e.conftest import (
    ADULT,
    CHILD,
    GIFT_BOX,
    GIFT_BOX_TITLE,
    SCREENSHOTS,
    TOUR_TITLE,
    payment_intents,
)

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.payments,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

Order = get_model("order", "Order")
StockRecord = get_model("partner", "StockRecord")

# localstripe's card number input takes the 16 digits only (real Stripe.js formats them).
CARD_OK = "4242424242424242"
CARD_DECLINED = "4000000000000341"
CARD_3DS = "4000002500003155"

TOTAL = Decimal(2 * ADULT + CHILD + GIFT_BOX)  # 3 600 ₽
GUEST_EMAIL = "anna.tourist@example.com"
LEAD_NAME = "Анна Иванова"
LEAD_PHONE = "+79025551234"

PAYMENT_URL = re.compile(r"/shop/checkout/payment-details/$")
THANK_YOU_URL = re.compile(r"/shop/checkout/thank-you/$")


# --- What the tourist does ---------------------------------------------------------------


def book_tour_from_home_page(page) -> int:
    """Home → tour card → tour page → the first departure's "Book" → 2 adults, 1 child.

    Returns the id of the booked departure (from the booking page's address).
    """
    page.goto("/")
    tour_card = page.locator(".product-card", has_text=TOUR_TITLE)
    tour_card.get_by_role("link", name="Выбрать дату").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(TOUR_TITLE)

    first_departure = page.locator("#departures .departure").first
    expect(first_departure).to_contain_text("Осталось 15 мест")
    first_departure.get_by_role("link", name=re.compile("^Забронировать")).click()
    page.wait_for_url(re.compile(r"/shop/tours/\d+/book/\?departure=\d+$"))
    departure_id = int(re.search(r"departure=(\d+)", page.url).group(1))
    return departure_id


def fill_booking_form(page) -> None:
    page.get_by_label("Взрослый").fill("2")
    page.get_by_label("Детский").fill("1")
    page.get_by_label("Имя и фамилия контактного участника").fill(LEAD_NAME)
    page.get_by_label("Телефон").fill(LEAD_PHONE)
    page.get_by_role("button", name="В корзину").click()
    page.wait_for_url(re.compile(r"/shop/basket/$"))
    expect(page.locator("#messages")).to_contain_text("3 человека в корзине")


def add_gift_box_from_its_page(page) -> None:
    page.locator("#site-nav").get_by_role("link", name="Пряники").click()
    box_card = page.locator(".product-card", has_text=GIFT_BOX_TITLE)
    box_card.get_by_role("link", name="Подробнее и купить").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(GIFT_BOX_TITLE)
    page.locator("#add_to_basket_form").get_by_role("button", name="В корзину").click()
    expect(page.locator("#messages")).to_contain_text(f"Добавлено в корзину: {GIFT_BOX_TITLE}")


def check_out_as_guest_with_pickup(page) -> None:
    """Basket → checkout → guest e-mail → pickup at the college → the payment page."""
    page.locator(".basket-link").click()
    page.wait_for_url(re.compile(r"/shop/basket/$"))
    expect(page.locator(".basket-link__count")).to_have_text("4")
    page.get_by_role("link", name="Оформить заказ").click()

    page.wait_for_url(re.compile(r"/shop/checkout/$"))
    guest = page.locator(
        "section", has=page.get_by_role("heading", name="Продолжить без регистрации")
    )
    guest.get_by_label("Эл. почта").fill(GUEST_EMAIL)
    guest.get_by_role("button", name="Продолжить").click()

    page.wait_for_url(re.compile(r"/shop/checkout/shipping-method/$"))
    page.get_by_text("Самовывоз из техникума в Байкальске").click()
    page.get_by_role("button", name="Продолжить").click()
    page.wait_for_url(PAYMENT_URL)


def enter_card(page, number: str) -> None:
    card = page.locator("#card-element")
    card.get_by_placeholder("number").fill(number)
    card.get_by_placeholder("exp_month").fill("12")
    card.get_by_placeholder("exp_year").fill(f"{(timezone.now().year + 3) % 100:02d}")
    card.get_by_placeholder("cvc").fill("123")
    page.get_by_label(re.compile("обработку моих персональных данных")).check()


def pay_button(page):
    return page.get_by_role("button", name=re.compile(r"^Оплатить"))


def shows_the_payment_page(page, total: Decimal) -> None:
    amount = f"{int(total):,}".replace(",", "\u00a0")  # "3 600", as Russian money is written
    expect(page.get_by_role("heading", level=1)).to_have_text("Оплата")
    expect(page.locator(".payment-card__total")).to_contain_text(f"{amount}\xa0₽")
    expect(pay_button(page)).to_have_text(f"Оплатить {amount}\xa0₽")
    # The fake Stripe.js has mounted its card inputs: the form is ready for typing.
    expect(page.locator("#card-element input")).to_have_count(5)


def shows_the_thank_you_page(page) -> str:
    """The order number, read from the thank-you page's heading."""
    page.wait_for_url(THANK_YOU_URL)
    expect(page.get_by_role("heading", level=1)).to_have_text("Спасибо! Заказ оплачен")
    lead = page.locator(".checkout-lead")
    expect(lead).to_contain_text(f"Подтверждение с билетами отправлено на {GUEST_EMAIL}")
    return re.search(r"Заказ (\d+)", lead.inner_text()).group(1)


# --- What the shop must have recorded ----------------------------------------------------


def seats_sold(departure_id: int) -> int:
    return StockRecord.objects.get(product_id=departure_id).num_allocated or 0


def boxes_sold(storefront) -> int:
    return StockRecord.objects.get(product=storefront.box).num_allocated or 0


def new_intents(storefront) -> list:
    """The PaymentIntents this test made (localstripe is shared by the whole session)."""
    return [i for i in payment_intents() if i.id not in storefront.intents_before]


def money_taken(intents) -> list:
    return [i for i in intents if i.state in (PaymentState.AUTHORISED, PaymentState.CAPTURED)]


def assert_paid_order(number: str, departure_id: int, storefront) -> Order:
    order = Order.objects.get(number=number)
    assert order.status == "Paid"
    assert order.total_incl_tax == TOTAL
    assert order.guest_email == GUEST_EMAIL and order.user is None
    assert order.shipping_code == "pickup-college"
    assert sorted((line.product_id, line.quantity) for line in order.lines.all()) == sorted(
        [(departure_id, 2), (departure_id, 1), (storefront.box.pk, 1)]
    )
    assert seats_sold(departure_id) == 3
    assert boxes_sold(storefront) == 1
    other = next(d for d in storefront.departures if d.pk != departure_id)
    assert seats_sold(other.pk) == 0

    attempt = PaymentAttempt.objects.get(order=order)
    assert attempt.status == AttemptStatus.PAID
    intent = stripe.retrieve(attempt.provider_payment_id)
    assert intent.state == PaymentState.CAPTURED
    assert intent.amount == TOTAL and intent.currency == "RUB"
    assert intent.attempt == str(attempt.pk)
    # Exactly this one PaymentIntent of the test took money.
    assert [i.id for i in money_taken(new_intents(storefront))] == [intent.id]
    return order


# --- The tests ---------------------------------------------------------------------------


def test_tourist_books_a_tour_buys_gingerbread_and_pays_by_card(page, storefront, mailoutbox):
    departure_id = book_tour_from_home_page(page)
    fill_booking_form(page)
    add_gift_box_from_its_page(page)
    check_out_as_guest_with_pickup(page)

    shows_the_payment_page(page, TOTAL)
    summary = page.locator("main")
    expect(summary).to_contain_text("Самовывоз из техникума в Байкальске")
    expect(summary).to_contain_text(f"{TOUR_TITLE}, ")
    expect(summary).to_contain_text(GIFT_BOX_TITLE)
    enter_card(page, CARD_OK)
    page.screenshot(path=f"{SCREENSHOTS}/e2e-payment.png", full_page=True)
    pay_button(page).click()

    number = shows_the_thank_you_page(page)
    expect(page.locator("main")).to_contain_text("Самовывоз из техникума в Байкальске")
    expect(page.locator(".basket-link__count")).to_have_text("0")
    page.screenshot(path=f"{SCREENSHOTS}/e2e-thank-you.png", full_page=True)

    assert_paid_order(number, departure_id, storefront)
    # The thank-you page says a confirmation was sent: the guest has it.
    assert [m.to for m in mailoutbox] == [[GUEST_EMAIL]]
    assert number in mailoutbox[0].subject + mailoutbox[0].body


def start_checkout_quickly(page, storefront) -> int:
    """The same basket as above, added through the pages' forms without browsing to them."""
    departure = storefront.departures[0]
    page.goto(f"/shop/tours/{storefront.tour.pk}/book/?departure={departure.pk}")
    fill_booking_form(page)
    page.goto(storefront.box.get_absolute_url())
    page.locator("#add_to_basket_form").get_by_role("button", name="В корзину").click()
    expect(page.locator("#messages")).to_contain_text(f"Добавлено в корзину: {GIFT_BOX_TITLE}")
    check_out_as_guest_with_pickup(page)
    return departure.pk


def test_declined_card_shows_the_error_and_takes_nothing(page, storefront):
    departure_id = start_checkout_quickly(page, storefront)
    shows_the_payment_page(page, TOTAL)
    enter_card(page, CARD_DECLINED)
    pay_button(page).click()

    # The decline code in the customer's language (shop/payments/providers/stripe.py).
    error = page.locator("#card-errors")
    expect(error).to_have_text(
        "Банк отклонил оплату картой. Попробуйте другую карту или позвоните в банк."
    )
    expect(pay_button(page)).to_be_enabled()
    page.screenshot(path=f"{SCREENSHOTS}/e2e-declined.png", full_page=True)
    assert PAYMENT_URL.search(page.url)
    assert Order.objects.count() == 0
    assert seats_sold(departure_id) == 0 and boxes_sold(storefront) == 0
    attempt = PaymentAttempt.objects.get()
    assert attempt.status == AttemptStatus.DECLINED and attempt.order is None
    intents = new_intents(storefront)
    assert len(intents) == 1 and not money_taken(intents)

    # The tourist tries another card in the same form, and that one goes through.
    enter_card(page, CARD_OK)
    pay_button(page).click()
    number = shows_the_thank_you_page(page)
    assert_paid_order(number, departure_id, storefront)


def test_3d_secure_card_pays_after_the_customer_confirms(page, storefront):
    departure_id = start_checkout_quickly(page, storefront)
    shows_the_payment_page(page, TOTAL)
    enter_card(page, CARD_3DS)
    pay_button(page).click()

    confirm = page.get_by_role("button", name="Complete authentication")
    expect(confirm).to_be_visible()
    assert Order.objects.count() == 0  # nothing is placed before the bank confirms
    page.screenshot(path=f"{SCREENSHOTS}/e2e-3ds.png", full_page=True)
    confirm.click()

    number = shows_the_thank_you_page(page)
    assert_paid_order(number, departure_id, storefront)


def test_failed_3d_secure_shows_the_error_and_takes_nothing(page, storefront):
    departure_id = start_checkout_quickly(page, storefront)
    shows_the_payment_page(page, TOTAL)
    enter_card(page, CARD_3DS)
    pay_button(page).click()

    page.get_by_role("button", name="Fail authentication").click()

    page.wait_for_url(PAYMENT_URL)
    expect(page.locator("#messages")).to_contain_text("Банк не подтвердил оплату (3-D Secure)")
    page.screenshot(path=f"{SCREENSHOTS}/e2e-3ds-failed.png", full_page=True)
    assert Order.objects.count() == 0
    assert seats_sold(departure_id) == 0 and boxes_sold(storefront) == 0
    assert PaymentAttempt.objects.get().status == AttemptStatus.DECLINED
    intents = new_intents(storefront)
    assert len(intents) == 1 and not money_taken(intents)


def test_card_details_stripe_refuses_are_explained_in_russian(page, storefront):
    start_checkout_quickly(page, storefront)
    shows_the_payment_page(page, TOTAL)

    pay_button(page).click()  # nothing typed in, no consent given
    expect(page.locator("#card-errors")).to_have_text(
        "Пожалуйста, дайте согласие на обработку персональных данных."
    )
    page.get_by_label(re.compile("обработку моих персональных данных")).check()
    pay_button(page).click()
    expect(page.locator("#card-errors")).to_have_text("Проверьте данные карты.")
    expect(pay_button(page)).to_be_enabled()

    # A number typed with spaces: localstripe wants the digits only and answers
    # "Bad request", a message for developers; the tourist gets ours.
    enter_card(page, "4242 4242 4242 4242")
    page.locator("#card-errors").evaluate("element => { element.textContent = ''; }")
    pay_button(page).click()
    expect(page.locator("#card-errors")).to_have_text("Проверьте данные карты.")
    assert PaymentAttempt.objects.count() == 0 and Order.objects.count() == 0


def test_without_stripe_js_the_tourist_is_told_and_no_card_is_sent(page, storefront):
    page.route(re.compile(r"/js\.stripe\.com/v3/"), lambda route: route.abort())
    start_checkout_quickly(page, storefront)

    error = page.locator("#card-errors")
    expect(error).to_have_text("Связь прервалась. Деньги не списаны; попробуйте ещё раз.")
    expect(page.locator("#card-element input")).to_have_count(0)
    with page.expect_navigation(url=PAYMENT_URL):
        pay_button(page).click()  # loads the page again, to retry Stripe.js
    expect(error).to_have_text(re.compile("Связь прервалась"))
    assert PaymentAttempt.objects.count() == 0 and Order.objects.count() == 0
