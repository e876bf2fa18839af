"""Idempotence keys on the local YooKassa server: a repeat gets the stored answer and nothing
happens twice; another request under the same key is refused; after 24 hours the key is new."""

import uuid

import pytest
from yookassa import Payment, Refund
from yookassa.domain.exceptions import BadRequestError, InternalServerError

from tests.devtools.conftest import api, card_payment, item, pay_by_card, receipt


def test_the_same_key_and_request_return_the_same_payment_and_create_no_second(
    yookassa, return_url
):
    key = str(uuid.uuid4())
    first = card_payment(return_url, "450.00", key=key)
    again = card_payment(return_url, "450.00", key=key)

    assert again.id == first.id
    assert again.created_at == first.created_at
    assert [p.id for p in Payment.list().items] == [first.id]


def test_a_repeated_capture_captures_once_and_notifies_once(yookassa, inbox, return_url):
    payment = card_payment(return_url)
    pay_by_card(payment)
    key = str(uuid.uuid4())

    first = Payment.capture(payment.id, idempotency_key=key)
    again = Payment.capture(payment.id, idempotency_key=key)

    assert first.status == again.status == "succeeded"
    assert again.captured_at == first.captured_at
    inbox.wait_for(2)
    assert inbox.events() == [
        ("payment.waiting_for_capture", payment.id),
        ("payment.succeeded", payment.id),
    ]


def test_a_repeated_refund_refunds_once(yookassa, return_url):
    payment = card_payment(return_url, "900.00", capture=True)
    pay_by_card(payment)
    key = str(uuid.uuid4())
    body = {
        "payment_id": payment.id,
        "amount": {"value": "450.00", "currency": "RUB"},
        "receipt": receipt(item(value="450.00")),
    }

    first = Refund.create(body, key)
    again = Refund.create(body, key)

    assert again.id == first.id
    assert Payment.find_one(payment.id).refunded_amount.value == 450
    assert [r.id for r in Refund.list({"payment_id": payment.id}).items] == [first.id]


def test_an_error_is_answered_again_the_same_way(yookassa, return_url):
    body = {"amount": {"value": "450.00", "currency": "RUB"}, "confirmation": {"type": "qr"}}
    first = api(yookassa, "POST", "/payments", body, key="order-100001-try-1")
    again = api(yookassa, "POST", "/payments", body, key="order-100001-try-1")
    assert first.status_code == again.status_code == 400
    assert again.json() == first.json()  # the same error object, its id included


def test_the_same_key_with_another_request_is_refused(yookassa, return_url):
    key = str(uuid.uuid4())
    first = card_payment(return_url, "450.00", key=key)

    with pytest.raises(BadRequestError) as refused:
        card_payment(return_url, "900.00", key=key)
    assert refused.value.content["code"] == "invalid_request"
    assert refused.value.content["description"] == "Idempotence key duplicated"
    assert refused.value.content["parameter"] == "Idempotence-Key"
    # The key belongs to the creation: capturing under it is another request too.
    pay_by_card(first)
    with pytest.raises(BadRequestError):
        Payment.capture(first.id, idempotency_key=key)
    assert [p.id for p in Payment.list().items] == [first.id]
    assert Payment.find_one(first.id).status == "waiting_for_capture"


def test_after_24_hours_the_same_key_makes_a_new_payment(yookassa, return_url):
    key = str(uuid.uuid4())
    first = card_payment(return_url, key=key)
    yookassa.control("/_test/clock", {"advance_seconds": 23 * 3600})
    assert card_payment(return_url, key=key).id == first.id

    yookassa.control("/_test/clock", {"advance_seconds": 3600})
    later = card_payment(return_url, key=key)
    assert later.id != first.id
    assert len(Payment.list().items) == 2


def test_a_post_without_a_key_or_with_a_long_one_is_refused(yookassa, return_url):
    body = {
        "amount": {"value": "450.00", "currency": "RUB"},
        "confirmation": {"type": "redirect", "return_url": return_url},
        "receipt": receipt(),
    }
    missing = api(yookassa, "POST", "/payments", body, key=None)
    assert missing.status_code == 400
    assert missing.json()["description"] == "Idempotence key is empty"
    assert missing.json()["parameter"] == "Idempotence-Key"

    too_long = api(yookassa, "POST", "/payments", body, key="k" * 65)
    assert too_long.status_code == 400
    assert too_long.json()["parameter"] == "Idempotence-Key"
    assert api(yookassa, "POST", "/payments", body, key="k" * 64).status_code == 200
    assert len(Payment.list().items) == 1


def test_an_answer_lost_on_the_way_is_recovered_by_repeating_with_the_same_key(
    yookassa, return_url
):
    """YooKassa asks to repeat a 500 with the same key: the payment made before the error is
    the one the repeat returns, and no second payment is made."""
    yookassa.control(
        "/_test/faults", {"path": "/v3/payments", "method": "POST", "status": 500, "when": "after"}
    )
    key = str(uuid.uuid4())

    with pytest.raises(InternalServerError) as failed:
        card_payment(return_url, key=key)
    assert failed.value.content["code"] == "internal_server_error"

    recovered = card_payment(return_url, key=key)
    assert [p.id for p in Payment.list().items] == [recovered.id]


def test_a_500_before_acting_leaves_nothing_and_the_repeat_acts(yookassa, return_url):
    payment = card_payment(return_url)
    pay_by_card(payment)
    yookassa.control("/_test/faults", {"path": "/v3/payments/*/capture", "status": 500})
    key = str(uuid.uuid4())

    with pytest.raises(InternalServerError):
        Payment.capture(payment.id, idempotency_key=key)
    assert Payment.find_one(payment.id).status == "waiting_for_capture"
    assert Payment.capture(payment.id, idempotency_key=key).status == "succeeded"
