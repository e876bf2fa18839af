"""Paying through YooKassa (Russian cards and SBP) against the local YooKassa server, through
the payment layer as the browser and YooKassa's notifications reach it: one order per
payment, money taken only once the order is placed, a 54-FZ receipt with every payment."""

import json
import threading
import time
from decimal import Decimal

import pytest
from django.db import connections, transaction
from oscar.core.loading import get_model

from shop.activity.models import ActivityEntry
from shop.payments import receipts
from shop.payments.models import (
    AttemptStatus,
    PaymentAttempt,
    PendingAction,
    Receipt,
)
from shop.payments.providers import PaymentState, ProviderCallInTransaction, yookassa
from shop.payments.services import attempt_settle, attempts_reconcile
from tests.checkout.helpers import ADDRESS, basket_for, gingerbread, make_departure, russia
from tests.payments.helpers import (
    NOTIFICATIONS,
    PAYMENT_DETAILS,
    THANK_YOU,
    YK_CARD_3DS,
    YK_CARD_DECLINED,
    confirm_card,
    deliver,
    local_path,
    notifications_of,
    pay_yookassa,
    sbp_answer,
    yookassa_start,
)

pytestmark = [pytest.mark.yookassa, pytest.mark.django_db]

Order = get_model("order", "Order")
StockRecord = get_model("partner", "StockRecord")
Source = get_model("payment", "Source")


@pytest.fixture
def customer(django_user_model):
    return django_user_model.objects.create_user(
        username="olga", email="olga@example.com", password="secret-pass-1"
    )


@pytest.fixture
def shopper(client, customer):
    client.force_login(customer)
    return client


@pytest.fixture
def departure():
    return make_departure(price="900", capacity=10)


@pytest.fixture
def tour_basket(customer, departure):
    """One adult seat (900 ₽) and a gingerbread (450 ₽), picked up at the college."""
    return basket_for(customer, departures=[departure], products=[gingerbread(price="450")])


def seats_sold(departure):
    return StockRecord.objects.get(product_id=departure.pk).num_allocated


def remote(attempt):
    return yookassa.retrieve(attempt.provider_payment_id)


def to_pickup(client):
    client.get("/shop/checkout/shipping-method/")
    client.post("/shop/checkout/shipping-method/", {"method_code": "pickup-college"})


def sent_receipt(server, attempt) -> dict:
    (receipt,) = server.control(
        f"/_test/receipts?payment_id={attempt.provider_payment_id}&source=payment"
    )
    return receipt


# --- The card flow -------------------------------------------------------------------------


def test_card_payment_is_authorised_then_captured_once_the_order_is_placed(
    shopper, tour_basket, departure, yookassa_server
):
    to_pickup(shopper)

    order = pay_yookassa(shopper)

    assert order.status == "Paid" and order.total_incl_tax == Decimal("1350.00")
    assert seats_sold(departure) == 1
    attempt = PaymentAttempt.objects.get()
    assert (attempt.provider, attempt.method, attempt.status) == ("yookassa", "card", "paid")
    assert attempt.order == order and attempt.pending_action == PendingAction.NONE
    payment = remote(attempt)
    assert payment.state == PaymentState.CAPTURED and payment.amount == Decimal("1350.00")
    assert payment.attempt == str(attempt.pk)
    source = Source.objects.get(order=order)
    assert source.source_type.code == "yookassa" and source.label == "MasterCard •••• 4444"
    assert source.amount_debited == Decimal("1350.00") and source.reference == payment.id
    log = ActivityEntry.objects.filter(order=order).order_by("pk")
    assert [(e.action, e.actor_kind) for e in log] == [
        ("order.placed", "system"),
        ("order.paid", "system"),
    ]


def test_the_payment_carries_a_54_fz_receipt_of_the_orders_lines(
    shopper, customer, departure, yookassa_server
):
    russia()
    basket_for(customer, departures=[departure], products=[gingerbread(price="450")])
    shopper.get("/shop/checkout/shipping-method/")
    shopper.post("/shop/checkout/shipping-method/", {"method_code": "post-russia"})
    shopper.post("/shop/checkout/shipping-address/", {**ADDRESS, "country": "RU"})

    order = pay_yookassa(shopper)

    attempt = order.payment_attempt
    sent = sent_receipt(yookassa_server, attempt)
    assert sent["customer"] == {"email": "olga@example.com"}
    assert sent["tax_system_code"] == 2
    assert [
        (i["payment_subject"], i["payment_mode"], i["quantity"], i["amount"]["value"])
        for i in sent["items"]
    ] == [
        ("commodity", "full_payment", 1, "450.00"),
        ("service", "full_prepayment", 1, "900.00"),
        ("service", "full_payment", 1, "350.00"),
    ]
    assert sent["items"][1]["description"].startswith("Экскурсия «")
    assert sent["items"][1]["description"].endswith(", взрослый")
    assert sent["items"][2]["description"] == "Доставка: Почтой по России"
    assert receipts.items_total(sent["items"]) == order.total_incl_tax == Decimal("1700.00")
    # The shop keeps the receipt with the order's lines it stands for.
    receipt = Receipt.objects.get(attempt=attempt)
    assert (receipt.kind, receipt.order, receipt.amount) == ("payment", order, Decimal("1700"))
    lines = list(order.lines.order_by("pk").values_list("pk", flat=True))
    assert [i["line"] for i in receipt.items] == [*lines, "delivery"]


def test_a_3d_secure_card_pays_after_the_bank_confirms(shopper, tour_basket, departure):
    to_pickup(shopper)

    order = pay_yookassa(shopper, YK_CARD_3DS)

    assert order.status == "Paid" and seats_sold(departure) == 1


def test_a_declined_card_is_explained_in_russian_and_holds_nothing(shopper, tour_basket, departure):
    to_pickup(shopper)
    response = yookassa_start(shopper)

    back = confirm_card(response.url, YK_CARD_DECLINED)
    outcome = shopper.get(local_path(back))

    assert outcome.url == PAYMENT_DETAILS
    messages = [str(m) for m in outcome.wsgi_request._messages]
    assert messages == [
        "На карте недостаточно средств. Ничего не списано; попробуйте другую карту."
    ]
    attempt = PaymentAttempt.objects.get()
    assert attempt.status == AttemptStatus.DECLINED and attempt.order is None
    assert remote(attempt).state == PaymentState.DECLINED
    assert Order.objects.count() == 0 and seats_sold(departure) == 0
    # Another card goes through.
    order = pay_yookassa(shopper)
    assert order.status == "Paid" and seats_sold(departure) == 1


def test_sold_out_while_confirming_cancels_the_payment_in_the_customers_language(
    shopper, tour_basket, departure
):
    to_pickup(shopper)
    response = yookassa_start(shopper)
    back = confirm_card(response.url)
    StockRecord.objects.filter(product_id=departure.pk).update(num_allocated=10)

    outcome = shopper.get(local_path(back))

    attempt = PaymentAttempt.objects.get()
    assert attempt.status == AttemptStatus.NOT_PLACED
    assert remote(attempt).state == PaymentState.CANCELED  # reserved, released, never taken
    assert Order.objects.count() == 0
    (message,) = [str(m) for m in outcome.wsgi_request._messages]
    assert "распродан" in message
    assert message.endswith("Деньги не списаны: платёж отменён.")
    assert not any(c.isascii() and c.isalpha() for c in message), message


def test_the_customer_who_leaves_the_card_page_is_charged_nothing(shopper, tour_basket):
    to_pickup(shopper)
    yookassa_start(shopper)
    attempt = PaymentAttempt.objects.get()

    outcome = shopper.get(f"/shop/checkout/payment/return/?attempt={attempt.pk}")

    assert outcome.url == PAYMENT_DETAILS
    assert [str(m) for m in outcome.wsgi_request._messages] == [
        "Оплата не завершена. Деньги не списаны."
    ]
    assert PaymentAttempt.objects.get().status == AttemptStatus.STARTED  # may still be paid


def test_no_payment_starts_without_consent_or_with_a_method_it_does_not_know(shopper, tour_basket):
    to_pickup(shopper)
    assert yookassa_start(shopper, consent=False).url == PAYMENT_DETAILS
    assert shopper.post("/shop/checkout/payment/yookassa/", {"consent": "1"}).status_code == 302
    for method in ("", "cash", "x" * 500):
        response = shopper.post(
            "/shop/checkout/payment/yookassa/", {"consent": "1", "method": method}
        )
        assert response.url == PAYMENT_DETAILS
    assert shopper.get("/shop/checkout/payment/yookassa/").status_code == 405
    assert PaymentAttempt.objects.count() == 0


def test_yookassa_unreachable_gives_a_friendly_error_and_keeps_the_basket(
    shopper, tour_basket, settings
):
    to_pickup(shopper)
    settings.YOOKASSA_API_URL = "http://127.0.0.1:9/v3"

    response = yookassa_start(shopper)

    assert response.url == PAYMENT_DETAILS
    (message,) = [str(m) for m in response.wsgi_request._messages]
    assert "не отвечает" in message
    assert PaymentAttempt.objects.get().status == AttemptStatus.ABANDONED
    assert tour_basket.all_lines().count() == 2 and Order.objects.count() == 0


def test_someone_elses_return_address_shows_nothing_and_settles_nothing(shopper, tour_basket):
    from django.test import Client

    to_pickup(shopper)
    back = confirm_card(yookassa_start(shopper).url)

    assert Client().get(local_path(back)).status_code == 404
    assert Order.objects.count() == 0
    assert shopper.get(local_path(back)).url == THANK_YOU


# --- SBP -----------------------------------------------------------------------------------


def test_sbp_shows_a_qr_code_and_the_bank_app_link_then_moves_on_once_paid(
    shopper, tour_basket, departure
):
    to_pickup(shopper)

    response = yookassa_start(shopper, "sbp")

    attempt = PaymentAttempt.objects.get()
    assert response.url == f"/shop/checkout/payment/sbp/{attempt.pk}/"
    page = shopper.get(response.url).content.decode()
    assert "<svg" in page and attempt.confirmation_url in page  # the QR code and the link
    assert "Открыть приложение банка" in page
    check = f"/shop/checkout/payment/check/{attempt.pk}/"
    waiting = shopper.post(check, HTTP_ACCEPT="application/json").json()
    assert waiting == {
        "done": False,
        "next": f"/shop/checkout/payment/return/?attempt={attempt.pk}",
    }

    sbp_answer(attempt.confirmation_url)
    done = shopper.post(check, HTTP_ACCEPT="application/json").json()

    assert done["done"] is True
    assert shopper.get(done["next"]).url == THANK_YOU
    attempt.refresh_from_db()
    assert attempt.method == "sbp" and attempt.order.status == "Paid"
    assert Source.objects.get(order=attempt.order).label == "СБП"
    assert seats_sold(departure) == 1


def test_sbp_refused_in_the_bank_app_charges_nothing(shopper, tour_basket, departure):
    to_pickup(shopper)
    yookassa_start(shopper, "sbp")
    attempt = PaymentAttempt.objects.get()

    sbp_answer(attempt.confirmation_url, approve=False)
    checked = shopper.post(f"/shop/checkout/payment/check/{attempt.pk}/")  # without script

    outcome = shopper.get(checked.url)
    assert outcome.url == PAYMENT_DETAILS
    assert PaymentAttempt.objects.get().status == AttemptStatus.DECLINED
    assert Order.objects.count() == 0 and seats_sold(departure) == 0


def test_the_sbp_page_and_its_check_are_the_payers_own(shopper, tour_basket):
    from django.test import Client

    to_pickup(shopper)
    yookassa_start(shopper, "sbp")
    attempt = PaymentAttempt.objects.get()
    stranger = Client()

    assert stranger.get(f"/shop/checkout/payment/sbp/{attempt.pk}/").status_code == 404
    assert stranger.post(f"/shop/checkout/payment/check/{attempt.pk}/").status_code == 404
    assert shopper.get(f"/shop/checkout/payment/check/{attempt.pk}/").status_code == 405


# --- Notifications -------------------------------------------------------------------------


def test_notifications_alone_place_and_capture_and_replays_change_nothing(
    client, shopper, tour_basket, departure, yookassa_server
):
    to_pickup(shopper)
    confirm_card(yookassa_start(shopper).url)  # the customer closes the browser here
    attempt = PaymentAttempt.objects.get()
    (authorised,) = notifications_of(yookassa_server, attempt.provider_payment_id)

    assert deliver(client, [authorised]) == [200]

    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.PAID and attempt.order.status == "Paid"
    assert remote(attempt).state == PaymentState.CAPTURED
    everything = notifications_of(yookassa_server, attempt.provider_payment_id)
    assert [n["event"] for n in everything] == ["payment.waiting_for_capture", "payment.succeeded"]
    # Three times each, newest first: nothing changes.
    assert deliver(client, everything[::-1] * 3) == [200] * 6
    assert Order.objects.count() == 1 and Source.objects.count() == 1
    assert seats_sold(departure) == 1
    assert ActivityEntry.objects.filter(action="order.paid").count() == 1
    # The customer's browser arriving late finds the order placed.
    assert shopper.get(f"/shop/checkout/payment/return/?attempt={attempt.pk}").url == THANK_YOU


def test_a_notification_for_a_payment_the_shop_does_not_know_changes_nothing(client):
    body = {
        "type": "notification",
        "event": "payment.succeeded",
        "object": {"id": "2f5a7c1e-000f-5000-9000-1b68e7b15f3f", "status": "succeeded"},
    }

    response = client.post(NOTIFICATIONS, json.dumps(body), content_type="application/json")

    assert response.status_code == 200
    assert Order.objects.count() == 0


@pytest.mark.parametrize(
    "address,forwarded,status",
    [
        ("10.0.0.5", "", 403),  # not YooKassa's address
        ("127.0.0.1", "185.71.76.10", 200),  # YooKassa's, behind our proxy
        ("127.0.0.1", "203.0.113.9", 403),  # someone else, behind our proxy
        ("203.0.113.9", "185.71.76.10", 403),  # claims to be forwarded, by no proxy of ours
    ],
)
def test_notifications_are_taken_only_from_yookassas_addresses(
    client, shopper, tour_basket, settings, yookassa_server, address, forwarded, status
):
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    settings.YOOKASSA_NOTIFICATION_NETWORKS = ["185.71.76.0/27", "2a02:5180::/32"]
    to_pickup(shopper)
    confirm_card(yookassa_start(shopper).url)
    attempt = PaymentAttempt.objects.get()
    (authorised,) = notifications_of(yookassa_server, attempt.provider_payment_id)
    body = {"type": "notification", "event": authorised["event"], "object": authorised["object"]}

    response = client.post(
        NOTIFICATIONS,
        json.dumps(body),
        content_type="application/json",
        REMOTE_ADDR=address,
        HTTP_X_FORWARDED_FOR=forwarded,
    )

    assert response.status_code == status
    attempt.refresh_from_db()
    assert (attempt.order is not None) is (status == 200)
    if status != 200:
        attempts_reconcile(older_than_seconds=-1)  # the money is settled all the same


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"not json",
        b"[]",
        b'"text"',
        b'{"event": "payment.succeeded"}',
        b'{"type": "notification", "event": 5, "object": {"id": "x"}}',
        b'{"type": "notification", "event": "payment.succeeded", "object": []}',
        b'{"type": "notification", "event": "payment.succeeded", "object": {"id": 7}}',
        b'{"type": "notification", "event": "payment.succeeded", "object": {"id": "../x"}}',
        b'{"type": "notification", "event": "payment.succeeded", "object": {"id": "'
        + b"9" * 5000
        + b'"}}',
        b"\xff\xfe\x00",
    ],
)
def test_notifications_of_any_shape_get_a_4xx_never_a_5xx(client, body):
    response = client.post(NOTIFICATIONS, body, content_type="application/json")

    assert 400 <= response.status_code < 500
    assert client.get(NOTIFICATIONS).status_code == 405


def test_an_event_the_shop_does_not_handle_is_acknowledged(client):
    body = {"type": "notification", "event": "payout.succeeded", "object": {"id": "po-1"}}
    response = client.post(NOTIFICATIONS, json.dumps(body), content_type="application/json")
    assert response.status_code == 200


# --- Reconciliation and crashes ------------------------------------------------------------


def test_reconciliation_finishes_a_payment_nobody_came_back_for(shopper, tour_basket, departure):
    to_pickup(shopper)
    confirm_card(yookassa_start(shopper).url)  # no return, no notification delivered

    counts = attempts_reconcile(older_than_seconds=-1)

    assert counts[AttemptStatus.PAID] == 1
    attempt = PaymentAttempt.objects.get()
    assert attempt.order.status == "Paid" and remote(attempt).state == PaymentState.CAPTURED
    log = ActivityEntry.objects.filter(order=attempt.order).order_by("pk")
    assert {(e.actor_kind, e.process) for e in log} == {("system", "reconciliation")}


def test_a_capture_that_fails_after_the_order_is_placed_is_finished_by_reconciliation(
    shopper, tour_basket, departure, yookassa_server
):
    to_pickup(shopper)
    back = confirm_card(yookassa_start(shopper).url)
    yookassa_server.control(
        "/_test/faults", {"path": "/v3/payments/*/capture", "status": 500, "times": 5}
    )

    outcome = shopper.get(local_path(back))

    assert outcome.url == PAYMENT_DETAILS  # "we could not confirm your payment yet"
    attempt = PaymentAttempt.objects.get()
    # Placed and committed, the seat taken, the capture still owed.
    assert attempt.order is not None and attempt.pending_action == PendingAction.CAPTURE
    assert remote(attempt).state == PaymentState.AUTHORISED and seats_sold(departure) == 1
    yookassa_server.control("/_test/faults", method="DELETE")

    attempts_reconcile(older_than_seconds=-1)

    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.PAID and attempt.pending_action == ""
    assert remote(attempt).state == PaymentState.CAPTURED


def test_a_capture_whose_answer_is_lost_is_recorded_once(
    shopper, tour_basket, departure, yookassa_server
):
    to_pickup(shopper)
    back = confirm_card(yookassa_start(shopper).url)
    # YooKassa takes the money, and the answer never reaches the shop.
    yookassa_server.control(
        "/_test/faults", {"path": "/v3/payments/*/capture", "status": 500, "when": "after"}
    )

    shopper.get(local_path(back))
    attempt = PaymentAttempt.objects.get()
    assert attempt.status == AttemptStatus.STARTED and remote(attempt).state == "captured"

    assert shopper.get(local_path(back)).url == THANK_YOU
    assert Source.objects.count() == 1 and seats_sold(departure) == 1


def test_no_provider_is_called_while_a_transaction_is_open(shopper, tour_basket):
    to_pickup(shopper)
    confirm_card(yookassa_start(shopper).url)
    attempt = PaymentAttempt.objects.get()

    with pytest.raises(ProviderCallInTransaction), transaction.atomic():
        attempt_settle(attempt)

    assert attempt_settle(attempt).status == AttemptStatus.PAID  # outside: settled


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_return_and_three_notifications_racing_place_one_order(
    shopper, tour_basket, departure, yookassa_server
):
    to_pickup(shopper)
    confirm_card(yookassa_start(shopper).url)
    attempt = PaymentAttempt.objects.get()
    barrier = threading.Barrier(4)
    errors = []

    def settle():
        try:
            barrier.wait(timeout=10)
            attempt_settle(PaymentAttempt.objects.get(pk=attempt.pk))
        except Exception as error:  # noqa: BLE001
            errors.append(repr(error))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=settle) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert not errors, errors
    assert Order.objects.count() == 1 and Source.objects.count() == 1
    assert seats_sold(departure) == 1
    assert remote(attempt).state == PaymentState.CAPTURED


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_slow_capture_holds_no_lock_and_the_next_customer_pays_meanwhile(
    shopper, tour_basket, departure, django_user_model, yookassa_server
):
    """YooKassa takes 8 s to answer one customer's capture: while it does, another customer
    books a seat on the same departure and pays through to the thank-you page (the departure,
    its stock and the payment rows are not locked during the call)."""
    from django.test import Client

    to_pickup(shopper)
    confirm_card(yookassa_start(shopper).url)
    first = PaymentAttempt.objects.get()
    yookassa_server.control("/_test/faults", {"path": "/v3/payments/*/capture", "delay": 8})
    errors = []

    def settle():
        try:
            attempt_settle(PaymentAttempt.objects.get(pk=first.pk))
        except Exception as error:  # noqa: BLE001
            errors.append(repr(error))
        finally:
            connections.close_all()

    slow = threading.Thread(target=settle)
    slow.start()
    # The order is placed and committed before the capture is asked for.
    while not Order.objects.exists():
        assert slow.is_alive(), errors
        time.sleep(0.05)
    other = django_user_model.objects.create_user(
        username="pavel", email="pavel@example.com", password="secret-pass-1"
    )
    basket_for(other, departures=[departure])
    second = Client()
    second.force_login(other)
    second.get("/shop/checkout/shipping-method/")

    paid = pay_yookassa(second)

    assert slow.is_alive(), "the capture answered before the second customer had paid"
    slow.join(timeout=30)
    assert not errors, errors
    assert paid.status == "Paid" and seats_sold(departure) == 2
    first.refresh_from_db()
    assert first.status == AttemptStatus.PAID and remote(first).state == PaymentState.CAPTURED


# --- Settlement receipts ---------------------------------------------------------------------


def test_a_tour_that_ran_gets_one_settlement_receipt_and_a_cancelled_one_none(
    shopper, customer, departure, yookassa_server
):
    """Two tours paid in advance in one order: one is cancelled for everyone (refunded
    through the payment layer with its own receipt), the other runs. The cron command, run
    twice, sends exactly one settlement receipt, for the tour that ran, to the kopeck."""
    from datetime import timedelta

    from django.core.management import call_command
    from django.utils import timezone

    from shop.activity.actors import system
    from shop.bookings.cancellation import departure_cancel_for_everyone

    cancelled = make_departure(price="700", capacity=10)
    basket_for(customer, departures=[departure, cancelled], products=[gingerbread(price="450")])
    to_pickup(shopper)
    order = pay_yookassa(shopper)
    attempt = order.payment_attempt

    outcome = departure_cancel_for_everyone(
        departure=cancelled, actor=system("go_no_go"), reason="weather"
    )
    assert (outcome.orders, outcome.refunded) == (1, 1)
    (refund_receipt,) = yookassa_server.control(
        f"/_test/receipts?payment_id={attempt.provider_payment_id}&source=refund"
    )
    assert [i["amount"]["value"] for i in refund_receipt["items"]] == ["700.00"]

    past = timezone.now() - timedelta(hours=2)
    type(departure).objects.filter(pk__in=[departure.pk, cancelled.pk]).update(starts_at=past)
    call_command("receipts_settle")
    call_command("receipts_settle")

    (settled,) = yookassa_server.control(
        f"/_test/receipts?payment_id={attempt.provider_payment_id}&source=receipts"
    )
    assert settled["settlements"] == [
        {"type": "prepayment", "amount": {"value": "900.00", "currency": "RUB"}}
    ]
    assert [
        (i["payment_subject"], i["payment_mode"], i["amount"]["value"]) for i in settled["items"]
    ] == [("service", "full_payment", "900.00")]
    assert Receipt.objects.filter(order=order, kind="settlement").count() == 1
