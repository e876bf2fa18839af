"""A Russian tourist pays through YooKassa in a real browser (Debian's Chromium, driven by
Playwright), against the session's local YooKassa server (devtools/yookassa) with both ways
to pay on, as `make run` has them: a card with its 3-D Secure step, SBP on a phone and on a
desktop, a declined card, each provider chosen once in English and Chinese, and a refund from
the student workspace. After the browser is done, the database and the local servers are
read directly. Screenshots of every step go to E2E_SCREENS (e.g. /work/screens/yookassa).
"""

import os
import re
import time

import pytest
import segno
from oscar.core.loading import get_model
from playwright.sync_api import expect

from shop.payments import providers, receipts
from shop.payments.models import AttemptStatus, PaymentAttempt
from shop.payments.providers import PaymentState
from tests.e2e.a11y import horizontal_overflow
from tests.e2e.conftest import GIFT_BOX_TITLE, watch_csp
from tests.e2e.test_checkout import CARD_OK, GUEST_EMAIL, TOTAL, start_checkout_quickly

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.yookassa,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

Order = get_model("order", "Order")
StockRecord = get_model("partner", "StockRecord")

PHONE, DESKTOP = 390, 1280
SCREENS = os.environ.get("E2E_SCREENS", "")
# The local YooKassa server's test cards (its card form lists them).
YK_CARD_OK = "5555 5555 5555 4444"
YK_CARD_3DS = "5555 5555 5555 4477"
YK_CARD_DECLINED = "5555 5555 5555 4600"
NOTIFICATIONS = "/shop/payments/yookassa/notifications/"
AMOUNT = "3\u00a0600\u00a0₽"  # TOTAL as the pages write it


@pytest.fixture
def open_page(browser, live_server):
    """open_page(width, language): a fresh browser context (no cookies) on the live server.
    JavaScript errors and Content-Security-Policy violations on any page fail the test."""
    contexts, errors, violations = [], [], []

    def open_page(width: int = PHONE, locale: str = "ru-RU"):
        context = browser.new_context(
            base_url=live_server.url,
            locale=locale,
            viewport={"width": width, "height": 844 if width == PHONE else 900},
            is_mobile=width == PHONE,
            has_touch=width == PHONE,
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        page.width = width
        page.on("pageerror", lambda error: errors.append(str(error)))
        watch_csp(page, violations)
        return page

    yield open_page
    for context in contexts:
        context.close()
    assert not errors, f"JavaScript errors in the page: {errors}"
    assert not violations, f"Content-Security-Policy violations: {violations}"


@pytest.fixture
def notifications_to_the_shop(yookassa, live_server):
    """The local YooKassa server sends its notifications to the live server, as YooKassa
    does to a shop's notification address."""
    yookassa.configure(notify_url=live_server.url + NOTIFICATIONS)
    return yookassa


def shot(page, name: str) -> None:
    """A step's page: nothing sticks out sideways; a screenshot when E2E_SCREENS is set."""
    assert horizontal_overflow(page, page.width) is None
    if SCREENS:
        os.makedirs(SCREENS, exist_ok=True)
        page.screenshot(path=f"{SCREENS}/{name}-{page.width}.png", full_page=True)


# --- What the tourist does ---------------------------------------------------------------


def choose_russian_card_or_sbp(page) -> None:
    """The payment page with both providers: "Russian card or SBP" is offered first."""
    expect(page.get_by_role("heading", level=1)).to_have_text("Оплата")
    russian = page.get_by_label(re.compile("Российская карта или СБП"))
    foreign = page.get_by_label(re.compile("Иностранная карта"))
    expect(russian).to_be_checked()
    expect(foreign).not_to_be_checked()
    page.locator("#yookassa-form").get_by_label(
        re.compile("обработку моих персональных данных")
    ).check()


def pay_by_card_on_yookassa(page, number: str, *, screens: str = "") -> None:
    """ "Pay by card": YooKassa's card page, where the card is typed in."""
    page.get_by_role("button", name=f"Оплатить {AMOUNT} картой").click()
    page.wait_for_url(re.compile(r"/checkout/[^/]+$"))
    expect(page.locator("dl")).to_contain_text("3\u00a0600,00\u00a0₽")
    if screens:
        shot(page, f"{screens}-yookassa-card-page")
    page.get_by_label("Номер карты").fill(number)
    page.get_by_label("Срок действия").fill("12/30")
    page.get_by_label("CVC").fill("123")
    page.get_by_role("button", name=re.compile("^Оплатить")).click()


def shows_the_thank_you_page_with_the_ticket(page, *, within: float = 10) -> str:
    page.wait_for_url(re.compile(r"/shop/checkout/thank-you/$"), timeout=within * 1000)
    expect(page.get_by_role("heading", level=1)).to_have_text("Спасибо! Заказ оплачен")
    lead = page.locator(".checkout-lead")
    expect(lead).to_contain_text(f"Подтверждение с билетами отправлено на {GUEST_EMAIL}")
    expect(page.get_by_role("heading", name=re.compile("Ваш(и)? билет"))).to_be_visible()
    return re.search(r"Заказ (\d+)", lead.inner_text()).group(1)


# --- What the shop and YooKassa must have recorded ---------------------------------------


def assert_paid_once_through_yookassa(number: str, method: str) -> Order:
    """One order, paid; its YooKassa payment captured, with the 54-FZ receipt sent with it;
    no other payment took money."""
    (order,) = Order.objects.all()
    assert order.number == number and order.status == "Paid"
    assert order.total_incl_tax == TOTAL
    attempt = PaymentAttempt.objects.get(order=order)
    assert (attempt.provider, attempt.method, attempt.status) == (
        "yookassa",
        method,
        AttemptStatus.PAID,
    )
    payment = providers.get("yookassa").retrieve(attempt.provider_payment_id)
    assert payment.state == PaymentState.CAPTURED and payment.amount == TOTAL
    return order


def sent_receipts(server, payment_id: str) -> list[dict]:
    return server.control(f"/_test/receipts?payment_id={payment_id}&source=payment")


def declined_by_the_bank(attempt) -> bool:
    """YooKassa has the payment as declined: nothing was reserved or taken."""
    remote = providers.get("yookassa").retrieve(attempt.provider_payment_id)
    return remote.state == PaymentState.DECLINED and remote.refunded == 0


# --- The tests ---------------------------------------------------------------------------


def test_a_russian_tourist_pays_by_card_with_3_d_secure_and_gets_the_ticket(
    open_page, storefront, yookassa, mailoutbox
):
    page = open_page(PHONE)
    start_checkout_quickly(page, storefront)
    shot(page, "card-1-payment-page")
    choose_russian_card_or_sbp(page)
    pay_by_card_on_yookassa(page, YK_CARD_3DS, screens="card-2")

    # The bank's 3-D Secure step, on YooKassa's side: nothing is placed before it.
    page.wait_for_url(re.compile(r"/3ds$"))
    expect(page.locator("main")).to_contain_text("*4477")
    assert Order.objects.count() == 0
    shot(page, "card-3-3ds")
    page.get_by_label("Код из SMS").fill("1234")
    page.get_by_role("button", name=re.compile("^Подтвердить")).click()

    number = shows_the_thank_you_page_with_the_ticket(page)
    expect(page.locator(".order-payments")).to_have_text(f"Оплачено картой: {AMOUNT}")
    shot(page, "card-4-thank-you")
    order = assert_paid_once_through_yookassa(number, "card")
    attempt = PaymentAttempt.objects.get(order=order)
    # The 54-FZ receipt went with the payment, to the tourist, for the order's lines.
    (receipt,) = sent_receipts(yookassa, attempt.provider_payment_id)
    assert receipt["customer"] == {"email": GUEST_EMAIL}
    assert receipts.items_total(receipt["items"]) == TOTAL
    # Two kinds of seat (prepaid service) and the gift box (goods, paid in full).
    assert sorted((i["payment_subject"], i["payment_mode"]) for i in receipt["items"]) == [
        ("commodity", "full_payment"),
        ("service", "full_prepayment"),
        ("service", "full_prepayment"),
    ]
    assert [m.to for m in mailoutbox] == [[GUEST_EMAIL]]


def test_sbp_on_a_phone_opens_the_bank_app_and_the_page_moves_on_by_itself(
    open_page, storefront, notifications_to_the_shop
):
    page = open_page(PHONE)
    start_checkout_quickly(page, storefront)
    choose_russian_card_or_sbp(page)
    page.get_by_role("button", name="Оплатить по СБП (QR-код или приложение банка)").click()

    page.wait_for_url(re.compile(r"/shop/checkout/payment/sbp/\d+/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Оплата по СБП")
    expect(page.get_by_role("status")).to_have_text("Ждём подтверждения от банка…")
    shot(page, "sbp-1-shop-page")
    # The bank's app opens from the button; the payer approves there and comes back.
    with page.expect_popup() as opened:
        page.get_by_role("link", name="Открыть приложение банка").click()
    bank = opened.value
    bank.width = PHONE
    expect(bank.locator("main")).to_contain_text("3\u00a0600,00\u00a0₽")
    shot(bank, "sbp-2-bank-app")
    bank.get_by_role("button", name=re.compile("^Оплатить")).click()
    expect(bank.get_by_role("status")).to_contain_text("Оплата прошла")
    bank.close()

    # The shop's page asks by itself (every 3 s), and moves on once the bank has confirmed.
    number = shows_the_thank_you_page_with_the_ticket(page, within=30)
    expect(page.locator(".order-payments")).to_have_text(f"Оплачено по СБП: {AMOUNT}")
    shot(page, "sbp-3-thank-you")
    assert_paid_once_through_yookassa(number, "sbp")


def test_sbp_on_a_desktop_shows_the_qr_code_and_the_notification_alone_places_the_order(
    open_page, storefront, notifications_to_the_shop, mailoutbox
):
    page = open_page(DESKTOP)
    start_checkout_quickly(page, storefront)
    choose_russian_card_or_sbp(page)
    page.get_by_role("button", name="Оплатить по СБП (QR-код или приложение банка)").click()
    page.wait_for_url(re.compile(r"/shop/checkout/payment/sbp/\d+/$"))
    qr = page.get_by_role("img", name="QR-код СБП")
    expect(qr).to_be_visible()
    shot(page, "sbp-desktop-1-qr-code")
    # The code holds the bank app's address (the bank-app button is for phones only).
    link = PaymentAttempt.objects.get().confirmation_url
    expect(page.get_by_role("link", name="Открыть приложение банка")).to_be_hidden()
    drawn = segno.make(link, error="m").svg_inline(scale=5)
    assert re.search(r' d="([^"]+)"', drawn).group(1) in qr.inner_html()
    # The payer scans it with a phone and, the shop's tab closed, never comes back.
    page.close()
    phone = open_page(PHONE)
    phone.goto(link)
    phone.get_by_role("button", name=re.compile("^Оплатить")).click()
    expect(phone.get_by_role("status")).to_contain_text("Оплата прошла")

    # YooKassa's notifications reach the shop: the order is placed once and the money taken.
    # The e-mail goes after the order's transaction commits: wait for both.
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not (
        mailoutbox and Order.objects.filter(status="Paid").exists()
    ):
        time.sleep(0.2)
    (order,) = Order.objects.all()
    assert_paid_once_through_yookassa(order.number, "sbp")
    assert [m.to for m in mailoutbox] == [[GUEST_EMAIL]]  # the tickets, by e-mail


def test_a_declined_card_is_explained_in_russian_and_the_tourist_pays_with_another(
    open_page, storefront, yookassa
):
    page = open_page(PHONE)
    departure_id = start_checkout_quickly(page, storefront)
    choose_russian_card_or_sbp(page)
    pay_by_card_on_yookassa(page, YK_CARD_DECLINED)

    # Back on the shop's payment page, told why, with the ways to pay offered again.
    page.wait_for_url(re.compile(r"/shop/checkout/payment-details/$"))
    expect(page.locator("#messages .alertinner")).to_have_text(
        "На карте недостаточно средств. Ничего не списано; попробуйте другую карту."
    )
    shot(page, "declined-1-told")
    declined = PaymentAttempt.objects.get()
    assert declined.status == AttemptStatus.DECLINED and declined.order is None
    assert declined_by_the_bank(declined)
    assert Order.objects.count() == 0
    assert StockRecord.objects.get(product_id=departure_id).num_allocated == 0

    choose_russian_card_or_sbp(page)
    pay_by_card_on_yookassa(page, YK_CARD_OK)
    number = shows_the_thank_you_page_with_the_ticket(page)
    assert_paid_once_through_yookassa(number, "card")
    assert declined_by_the_bank(declined)


@pytest.mark.parametrize(
    ("prefix", "locale", "russian_card", "foreign_card", "thank_you"),
    [
        ("/en", "en-GB", "Russian card or SBP", "Foreign card", "Thank you! Your order is paid"),
        ("/zh-hans", "zh-CN", "俄罗斯银行卡或 SBP", "境外银行卡", "谢谢！订单已付款"),
    ],
    ids=["english", "chinese"],
)
def test_with_both_providers_the_visitor_chooses_and_each_pays_through_to_an_order(
    open_page, storefront, yookassa, prefix, locale, russian_card, foreign_card, thank_you
):
    """In English a foreign card through Stripe, in Chinese a Russian card through YooKassa."""
    page = open_page(DESKTOP, locale)
    start_checkout_quickly(page, storefront)
    page.goto(f"{prefix}/shop/checkout/payment-details/")
    russian = page.get_by_label(re.compile(russian_card))
    foreign = page.get_by_label(re.compile(foreign_card))
    expect(russian).to_be_checked()
    yookassa_form, stripe_form = page.locator("#yookassa-form"), page.locator("#payment-form")
    expect(yookassa_form).to_be_visible()
    expect(stripe_form).to_be_hidden()
    shot(page, f"choice-{prefix.strip('/')}-1")

    if prefix == "/en":
        foreign.check()
        expect(stripe_form).to_be_visible()
        expect(yookassa_form).to_be_hidden()
        card = page.locator("#card-element")
        card.get_by_placeholder("number").fill(CARD_OK)
        card.get_by_placeholder("exp_month").fill("12")
        card.get_by_placeholder("exp_year").fill("34")
        card.get_by_placeholder("cvc").fill("123")
        stripe_form.get_by_label(re.compile("processing of my personal data")).check()
        shot(page, "choice-en-2-foreign-card")
        stripe_form.get_by_role("button", name=re.compile("^Pay")).click()
    else:
        yookassa_form.get_by_role("checkbox").check()
        yookassa_form.get_by_role("button", name=re.compile("银行卡支付")).click()
        page.get_by_label("Номер карты").fill(YK_CARD_OK)
        page.get_by_label("Срок действия").fill("12/30")
        page.get_by_label("CVC").fill("123")
        page.get_by_role("button", name=re.compile("^Оплатить")).click()

    page.wait_for_url(re.compile(rf"{prefix}/shop/checkout/thank-you/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(thank_you)
    shot(page, f"choice-{prefix.strip('/')}-3-thank-you")
    (order,) = Order.objects.all()
    assert order.status == "Paid" and order.total_incl_tax == TOTAL
    attempt = PaymentAttempt.objects.get(order=order)
    provider = providers.get("stripe" if prefix == "/en" else "yookassa")
    assert attempt.provider == provider.code
    assert provider.retrieve(attempt.provider_payment_id).state == PaymentState.CAPTURED


def test_a_student_cancels_a_yookassa_order_and_the_refund_carries_its_receipt(
    open_page, storefront, yookassa, student, client, live_server
):
    # The tourist's order, paid by card through YooKassa in the browser.
    page = open_page(PHONE)
    start_checkout_quickly(page, storefront)
    choose_russian_card_or_sbp(page)
    pay_by_card_on_yookassa(page, YK_CARD_OK)
    number = shows_the_thank_you_page_with_the_ticket(page)
    order = assert_paid_once_through_yookassa(number, "card")
    payment_id = PaymentAttempt.objects.get(order=order).provider_payment_id

    # A student, signed in on a phone, cancels it in the workspace.
    client.force_login(student)
    workspace = open_page(PHONE)
    workspace.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    workspace.goto(f"/team/orders/{number}/")
    shot(workspace, "refund-1-order")
    workspace.get_by_role("link", name="Отменить заказ…").click()
    workspace.get_by_label("Причина").fill("Турист заболел")
    shot(workspace, "refund-2-confirm")
    workspace.get_by_role("button", name="Да, отменить и вернуть деньги").click()

    expect(workspace.locator("#receipts")).to_contain_text("Чек возврата прихода")
    expect(workspace.locator(".team-facts")).to_contain_text("Отменена")
    expect(workspace.get_by_role("button", name="Беру заказ")).to_have_count(0)
    shot(workspace, "refund-3-cancelled")

    # On YooKassa's side: the whole amount refunded once, with its refund receipt.
    (refund,) = providers.get("yookassa").refunds(payment_id)
    assert refund.amount == TOTAL
    (refund_receipt,) = yookassa.control(f"/_test/receipts?refund_id={refund.id}")
    assert refund_receipt["customer"] == {"email": GUEST_EMAIL}
    assert {i["description"] for i in refund_receipt["items"]} >= {GIFT_BOX_TITLE}
    order.refresh_from_db()
    assert order.status == "Cancelled"
