"""Card payments against a real localstripe process: the money and the order always agree."""

import json
import threading
from decimal import Decimal

import pytest
from django.db import connections
from django.utils import translation
from oscar.core.loading import get_model

from shop.activity.models import ActivityEntry
from shop.payments.models import AttemptStatus, PaymentAttempt, ProcessedEvent
from shop.payments.providers import PaymentState, stripe
from shop.payments.services import attempt_settle, attempts_reconcile
from tests.checkout.helpers import basket_for, gingerbread, make_departure
from tests.payments.helpers import (
    CARD_3DS,
    CARD_DECLINED,
    CARD_OK,
    THANK_YOU,
    authenticate_3ds,
    pay,
    start_payment,
    stripe_post,
)

pytestmark = [pytest.mark.payments, pytest.mark.django_db]

Order = get_model("order", "Order")
StockRecord = get_model("partner", "StockRecord")
Source = get_model("payment", "Source")
PaymentEvent = get_model("order", "PaymentEvent")

WEBHOOK = "/shop/payments/stripe/webhook/"


@pytest.fixture
def customer(django_user_model):
    return django_user_model.objects.create_user(
        username="anna", email="anna@example.com", password="secret-pass-1"
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
    """A tour-only basket (one adult seat, 900 ₽): no delivery step."""
    return basket_for(customer, departures=[departure])


def to_payment(client):
    client.get("/shop/checkout/shipping-method/")


def seats_sold(departure):
    return StockRecord.objects.get(product_id=departure.pk).num_allocated


def intent_of(attempt):
    """The PaymentIntent as the payment layer reads it."""
    return stripe.retrieve(attempt.provider_payment_id)


def test_card_payment_places_one_paid_order_and_takes_the_seat(shopper, tour_basket, departure):
    to_payment(shopper)

    order = pay(shopper, CARD_OK)

    assert order.status == "Paid"
    assert order.total_incl_tax == Decimal("900.00")
    assert seats_sold(departure) == 1
    attempt = PaymentAttempt.objects.get()
    assert attempt.status == AttemptStatus.PAID and attempt.order == order
    intent = intent_of(attempt)
    assert intent.state == PaymentState.CAPTURED and intent.amount == Decimal("900.00")
    assert intent.currency == "RUB" and intent.attempt == str(attempt.pk)
    source = Source.objects.get(order=order)
    assert source.amount_debited == Decimal("900.00") and source.reference == intent.id
    assert PaymentEvent.objects.get(order=order).event_type.name == "Paid"
    page = shopper.get(THANK_YOU).content.decode()
    assert order.number in page


def test_the_payment_page_shows_the_order_and_the_card_form(shopper, tour_basket):
    to_payment(shopper)

    html = shopper.get("/shop/checkout/payment-details/").content.decode()

    assert 'id="card-element"' in html
    assert "/js.stripe.com/v3/" in html
    assert "Оплатить 900\xa0₽" in html
    assert "Взрослый" in html


def test_declined_card_shows_the_error_and_holds_nothing(shopper, tour_basket, departure):
    to_payment(shopper)

    status, answer = start_payment(shopper, CARD_DECLINED)

    assert status == 200 and answer["status"] == "declined"
    assert "declined" in answer["message"].lower() or "отклон" in answer["message"].lower()
    assert Order.objects.count() == 0
    assert seats_sold(departure) == 0
    assert PaymentAttempt.objects.get().status == AttemptStatus.DECLINED
    # The customer can try again with another card.
    order = pay(shopper, CARD_OK)
    assert order.status == "Paid" and seats_sold(departure) == 1


def test_3d_secure_card_pays_after_authentication(shopper, tour_basket, departure):
    to_payment(shopper)

    order = pay(shopper, CARD_3DS)

    assert order.status == "Paid"
    assert seats_sold(departure) == 1


def test_failed_3d_secure_charges_nothing(shopper, tour_basket, departure):
    to_payment(shopper)
    status, answer = start_payment(shopper, CARD_3DS)
    assert answer["status"] == "requires_action"
    authenticate_3ds(answer["client_secret"], success=False)

    response = shopper.get(answer["return_url"])

    assert response.status_code == 302 and response.url.endswith("/payment-details/")
    assert Order.objects.count() == 0 and seats_sold(departure) == 0
    assert PaymentAttempt.objects.get().status == AttemptStatus.DECLINED


def test_sold_out_while_paying_cancels_the_authorisation(shopper, tour_basket, departure):
    to_payment(shopper)
    status, answer = start_payment(shopper, CARD_OK)
    StockRecord.objects.filter(product_id=departure.pk).update(num_allocated=10)

    response = shopper.get(answer["return_url"])

    attempt = PaymentAttempt.objects.get()
    assert attempt.status == AttemptStatus.NOT_PLACED
    assert intent_of(attempt).state == PaymentState.CANCELED  # authorised, never captured
    assert Order.objects.count() == 0
    messages = " ".join(str(m) for m in response.wsgi_request._messages)
    assert "распродан" in messages


def test_a_changed_basket_is_not_charged_for_the_old_total(shopper, customer, tour_basket):
    to_payment(shopper)
    status, answer = start_payment(shopper, CARD_OK)
    tour_basket.add_product(gingerbread(price="250"), 1)

    shopper.get(answer["return_url"])

    attempt = PaymentAttempt.objects.get()
    assert attempt.status == AttemptStatus.NOT_PLACED
    assert intent_of(attempt).state == PaymentState.CANCELED
    assert Order.objects.count() == 0


def test_stripe_unreachable_gives_a_friendly_error_and_keeps_the_basket(
    shopper, tour_basket, settings
):
    to_payment(shopper)
    shopper.get("/shop/checkout/payment-details/")
    from tests.payments.helpers import card_token

    token, card = card_token(CARD_OK)
    settings.STRIPE_API_BASE = "http://127.0.0.1:9"

    response = shopper.post(
        "/shop/checkout/payment/start/",
        json.dumps({"token": token, "card": card, "consent": True}),
        content_type="application/json",
    )

    assert response.status_code == 503
    assert "не отвечает" in response.json()["message"]
    assert tour_basket.all_lines().count() == 1
    assert Order.objects.count() == 0


def test_bad_start_requests_are_refused(shopper, tour_basket):
    to_payment(shopper)
    start = "/shop/checkout/payment/start/"
    for body in ["", "not json", json.dumps({"token": "x"}), json.dumps({"token": 1, "card": 2})]:
        response = shopper.post(start, body, content_type="application/json")
        assert response.status_code == 400
    assert shopper.get(start).status_code == 405
    assert PaymentAttempt.objects.count() == 0


def test_no_payment_starts_without_consent_to_personal_data_processing(shopper, tour_basket):
    from tests.payments.helpers import card_token

    to_payment(shopper)
    page = shopper.get("/shop/checkout/payment-details/").content.decode()
    assert 'name="consent"' in page and "обработку моих персональных данных" in page
    token, card = card_token(CARD_OK)
    for consent in (None, False, "yes", 1):
        body = {"token": token, "card": card}
        if consent is not None:
            body["consent"] = consent
        response = shopper.post(
            "/shop/checkout/payment/start/", json.dumps(body), content_type="application/json"
        )
        assert response.status_code == 400
        assert "персональных данных" in response.json()["message"]
    assert PaymentAttempt.objects.count() == 0

    response = shopper.post(
        "/shop/checkout/payment/start/",
        json.dumps({"token": token, "card": card, "consent": True}),
        content_type="application/json",
    )
    assert response.json()["status"] == "authorized"
    shopper.get(response.json()["return_url"])
    attempt = PaymentAttempt.objects.get()
    assert attempt.consented_at is not None and attempt.order is not None


def test_someone_elses_attempt_cannot_be_settled_from_the_return_url(
    shopper, tour_basket, client_class=None
):
    from django.test import Client

    to_payment(shopper)
    status, answer = start_payment(shopper, CARD_OK)

    stranger = Client().get(answer["return_url"])

    assert stranger.status_code == 404
    assert Order.objects.count() == 0
    assert shopper.get(answer["return_url"]).url == THANK_YOU


def test_browser_closed_after_authorising_is_completed_by_reconciliation(
    shopper, tour_basket, departure
):
    to_payment(shopper)
    status, answer = start_payment(shopper, CARD_OK)  # the customer never comes back

    counts = attempts_reconcile(older_than_seconds=-1)

    assert counts == {AttemptStatus.PAID: 1}
    order = PaymentAttempt.objects.get().order
    assert order.status == "Paid" and seats_sold(departure) == 1
    # The log says the shop did it by itself, and which of its processes.
    log = ActivityEntry.objects.filter(order=order).order_by("pk")
    assert [(e.action, e.actor_kind, e.process, e.actor_id) for e in log] == [
        ("order.placed", "system", "reconciliation", None),
        ("order.paid", "system", "reconciliation", None),
    ]
    with translation.override("ru"):
        assert log[0].actor_label == "Автоматически · сверка платежей"


def test_an_unfinished_3d_secure_attempt_is_cancelled_by_reconciliation(shopper, tour_basket):
    to_payment(shopper)
    start_payment(shopper, CARD_3DS)  # the customer closes the 3-D Secure window

    attempts_reconcile(older_than_seconds=-1)

    attempt = PaymentAttempt.objects.get()
    assert attempt.status == AttemptStatus.ABANDONED
    assert intent_of(attempt).state == PaymentState.CANCELED


# --- Webhooks ------------------------------------------------------------------------------


def test_webhook_signed_by_localstripe_completes_a_payment_captured_elsewhere(
    client, shopper, tour_basket, departure, webhook_inbox
):
    to_payment(shopper)
    status, answer = start_payment(shopper, CARD_OK)
    attempt = PaymentAttempt.objects.get()
    # Captured (say, by a worker that died before saving the order): only the webhook is left.
    stripe_post(f"/v1/payment_intents/{attempt.provider_payment_id}/capture", {}, secret=True)
    body, signature = webhook_inbox.wait_for(
        "payment_intent.succeeded", attempt.provider_payment_id
    )

    response = client.post(
        WEBHOOK, body, content_type="application/json", HTTP_STRIPE_SIGNATURE=signature
    )

    assert response.status_code == 200
    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.PAID and attempt.order.status == "Paid"
    assert seats_sold(departure) == 1
    # The same delivery again (a replay) changes nothing.
    again = client.post(
        WEBHOOK, body, content_type="application/json", HTTP_STRIPE_SIGNATURE=signature
    )
    assert again.status_code == 200
    assert Order.objects.count() == 1 and Source.objects.count() == 1
    assert ProcessedEvent.objects.count() == 1
    # The customer's browser arriving late finds the order already placed.
    assert shopper.get(answer["return_url"]).url == THANK_YOU
    assert Order.objects.count() == 1


def test_webhook_for_money_with_no_seats_left_refunds_it(
    client, shopper, tour_basket, departure, webhook_inbox, django_capture_on_commit_callbacks
):
    to_payment(shopper)
    start_payment(shopper, CARD_OK)
    attempt = PaymentAttempt.objects.get()
    stripe_post(f"/v1/payment_intents/{attempt.provider_payment_id}/capture", {}, secret=True)
    StockRecord.objects.filter(product_id=departure.pk).update(num_allocated=10)
    body, signature = webhook_inbox.wait_for(
        "payment_intent.succeeded", attempt.provider_payment_id
    )

    with django_capture_on_commit_callbacks(execute=True):  # the refund goes after commit
        client.post(WEBHOOK, body, content_type="application/json", HTTP_STRIPE_SIGNATURE=signature)

    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.REFUNDED
    refund = attempt.refunds.get()
    assert refund.amount == Decimal("900.00") and refund.status == "succeeded"
    assert intent_of(attempt).refunded == Decimal("900.00")
    assert Order.objects.count() == 0
    entry = ActivityEntry.objects.get(action="payment.refunded")
    assert (entry.action, entry.actor_kind, entry.process, entry.order) == (
        "payment.refunded",
        "system",
        "payment_notification",
        None,
    )
    assert entry.after["amount"] == "900.00"
    # A seat frees up and the webhook comes again: the refunded money never becomes an order.
    StockRecord.objects.filter(product_id=departure.pk).update(num_allocated=0)
    attempt_settle(attempt)
    assert Order.objects.count() == 0


@pytest.mark.parametrize(
    "signature",
    ["", "t=1,v1=deadbeef", "garbage"],
    ids=["unsigned", "forged", "malformed"],
)
def test_forged_or_unsigned_webhooks_are_rejected_and_change_nothing(
    client, shopper, tour_basket, webhook_inbox, signature
):
    to_payment(shopper)
    start_payment(shopper, CARD_OK)
    attempt = PaymentAttempt.objects.get()
    stripe_post(f"/v1/payment_intents/{attempt.provider_payment_id}/capture", {}, secret=True)
    body, _real = webhook_inbox.wait_for("payment_intent.succeeded", attempt.provider_payment_id)

    response = client.post(
        WEBHOOK, body, content_type="application/json", HTTP_STRIPE_SIGNATURE=signature
    )

    assert response.status_code == 400
    assert ProcessedEvent.objects.count() == 0 and Order.objects.count() == 0
    # (The money is settled by the real delivery; the invariant check below needs it.)
    client.post(WEBHOOK, body, content_type="application/json", HTTP_STRIPE_SIGNATURE=_real)


def test_events_out_of_order_leave_a_consistent_state(client, shopper, tour_basket, webhook_inbox):
    to_payment(shopper)
    status, answer = start_payment(shopper, CARD_DECLINED)  # payment_failed first…
    assert answer["status"] == "declined"
    failed = PaymentAttempt.objects.get()
    body_failed, sig_failed = webhook_inbox.wait_for(
        "payment_intent.payment_failed", attempt=failed
    )
    order = pay(shopper, CARD_OK)  # …then a new card succeeds
    paid = PaymentAttempt.objects.get(status=AttemptStatus.PAID)
    body_ok, sig_ok = webhook_inbox.wait_for("payment_intent.succeeded", paid.provider_payment_id)

    for body, sig in [(body_ok, sig_ok), (body_failed, sig_failed), (body_ok, sig_ok)]:
        client.post(WEBHOOK, body, content_type="application/json", HTTP_STRIPE_SIGNATURE=sig)

    order.refresh_from_db()
    assert order.status == "Paid" and Order.objects.count() == 1
    failed.refresh_from_db()
    assert failed.status == AttemptStatus.DECLINED


@pytest.mark.sqlite  # a race for a row lock
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_return_view_and_webhook_racing_place_one_order(shopper, tour_basket, departure):
    to_payment(shopper)
    status, answer = start_payment(shopper, CARD_OK)
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
    assert Order.objects.count() == 1
    assert Source.objects.count() == 1
    assert seats_sold(departure) == 1
    assert intent_of(attempt).state == PaymentState.CAPTURED


def test_reconcile_command_settles_what_nobody_finished(shopper, tour_basket, departure):
    from io import StringIO

    from django.core.management import call_command

    to_payment(shopper)
    start_payment(shopper, CARD_OK)
    out = StringIO()

    call_command("payments_reconcile", "--older-than=-1", stdout=out)

    assert "paid: 1" in out.getvalue()
    assert seats_sold(departure) == 1


def test_a_bogus_card_token_gets_a_friendly_error(shopper, tour_basket):
    to_payment(shopper)
    shopper.get("/shop/checkout/payment-details/")

    response = shopper.post(
        "/shop/checkout/payment/start/",
        json.dumps({"token": "tok_bogus", "card": "card_bogus", "consent": True}),
        content_type="application/json",
    )

    assert response.status_code == 400
    assert "карт" in response.json()["message"]
    assert PaymentAttempt.objects.get().status == AttemptStatus.ABANDONED


def test_one_broken_attempt_does_not_stop_reconciliation(shopper, customer, tour_basket):
    to_payment(shopper)
    start_payment(shopper, CARD_OK)
    good = PaymentAttempt.objects.get()
    broken = PaymentAttempt.objects.create(
        basket=tour_basket,
        amount=Decimal("900"),
        currency="RUB",
        shipping_method_code="no-shipping-required",
        provider="stripe",
        provider_payment_id="pi_unknownToStripe",
    )
    PaymentAttempt.objects.filter(pk=broken.pk).update(created_at=good.created_at)

    attempts_reconcile(older_than_seconds=-1)

    good.refresh_from_db()
    broken.refresh_from_db()
    assert good.status == AttemptStatus.PAID
    assert broken.status == AttemptStatus.ABANDONED


def test_a_basket_changed_to_another_date_at_the_same_price_is_not_placed(
    shopper, customer, tour_basket, departure
):
    to_payment(shopper)
    status, answer = start_payment(shopper, CARD_OK)
    other = make_departure(price="900", capacity=10)
    tour_basket.all_lines().delete()
    tour_basket._lines = None
    basket_for(customer, departures=[other])  # same total, different tour date

    shopper.get(answer["return_url"])

    attempt = PaymentAttempt.objects.first()
    assert attempt.status == AttemptStatus.NOT_PLACED
    assert intent_of(attempt).state == PaymentState.CANCELED
    assert Order.objects.count() == 0
