"""Payments on the local YooKassa server, driven through the official SDK: created, confirmed
on the card form or in "the bank app" (SBP), captured, canceled, declined, expired."""

import re
import uuid

import pytest
import requests
from yookassa import Payment
from yookassa.domain.exceptions import BadRequestError

from tests.devtools.conftest import api, card_payment, item, pay_by_card, receipt


def test_a_two_stage_card_payment_is_authorised_then_captured(yookassa, inbox, return_url):
    payment = card_payment(return_url, "1350.00")
    assert payment.status == "pending"
    assert payment.paid is False
    assert payment.test is True
    assert payment.confirmation.confirmation_url == f"{yookassa.url}/checkout/{payment.id}"
    assert payment.metadata == {"order": "100001", "cms_name": "yookassa_sdk_python"}

    answer = pay_by_card(payment, "5555555555554444")
    assert answer.status_code == 303
    assert answer.headers["Location"] == return_url

    authorised = Payment.find_one(payment.id)
    assert authorised.status == "waiting_for_capture"
    assert authorised.paid is True
    assert authorised.confirmation is None
    assert authorised.payment_method.type == "bank_card"
    assert authorised.payment_method.card.last4 == "4444"
    assert authorised.payment_method.card.card_type == "MasterCard"
    assert authorised.authorization_details.three_d_secure.applied is False
    # Card authorisations are held for 7 days.
    assert authorised.expires_at[:10] == _days_after(authorised.created_at, 7)

    captured = Payment.capture(payment.id)
    assert captured.status == "succeeded"
    assert captured.amount.value == 1350
    assert captured.captured_at
    assert captured.expires_at is None
    assert captured.refundable is True

    inbox.wait_for(2)
    assert inbox.events() == [
        ("payment.waiting_for_capture", payment.id),
        ("payment.succeeded", payment.id),
    ]


def test_a_partial_capture_takes_less_and_carries_a_receipt_for_what_is_taken(yookassa, return_url):
    payment = card_payment(return_url, "1350.00")
    pay_by_card(payment)

    with pytest.raises(BadRequestError) as refused:
        Payment.capture(payment.id, {"amount": {"value": "900.00", "currency": "RUB"}})
    assert refused.value.content["parameter"] == "receipt"
    assert Payment.find_one(payment.id).status == "waiting_for_capture"

    captured = Payment.capture(
        payment.id,
        {
            "amount": {"value": "900.00", "currency": "RUB"},
            "receipt": receipt(item("Тур «Астральные места»", "900.00", payment_subject="service")),
        },
    )
    assert captured.status == "succeeded"
    assert captured.amount.value == 900
    sent = yookassa.control(f"/_test/receipts?payment_id={payment.id}")
    assert [r["items"][0]["description"] for r in sent] == ["Тур «Астральные места»"]
    assert sent[0]["settlements"] == [
        {"type": "cashless", "amount": {"value": "900.00", "currency": "RUB"}}
    ]


def test_capturing_more_than_was_authorised_is_refused(yookassa, return_url):
    payment = card_payment(return_url, "450.00")
    pay_by_card(payment)
    with pytest.raises(BadRequestError) as refused:
        Payment.capture(payment.id, {"amount": {"value": "450.01", "currency": "RUB"}})
    assert refused.value.content["parameter"] == "amount.value"
    assert Payment.find_one(payment.id).status == "waiting_for_capture"


def test_the_merchant_cancels_an_authorisation_and_nothing_is_taken(yookassa, inbox, return_url):
    payment = card_payment(return_url)
    pay_by_card(payment)

    canceled = Payment.cancel(payment.id)
    assert canceled.status == "canceled"
    assert canceled.paid is False
    assert canceled.refundable is False
    assert canceled.cancellation_details.party == "merchant"
    assert canceled.cancellation_details.reason == "canceled_by_merchant"
    with pytest.raises(BadRequestError):
        Payment.capture(payment.id)
    with pytest.raises(BadRequestError):
        Payment.cancel(payment.id)
    inbox.wait_for(2)
    assert inbox.events()[-1] == ("payment.canceled", payment.id)


def test_a_pending_payment_cannot_be_captured_or_canceled(yookassa, return_url):
    payment = card_payment(return_url)
    for action in (Payment.capture, Payment.cancel):
        with pytest.raises(BadRequestError) as refused:
            action(payment.id)
        assert "status pending" in refused.value.content["description"]
    assert Payment.find_one(payment.id).status == "pending"


def test_a_card_the_bank_declines_cancels_the_payment(yookassa, inbox, return_url):
    payment = card_payment(return_url)

    answer = pay_by_card(payment, "5555555555554600")
    assert answer.status_code == 303
    assert answer.headers["Location"] == return_url  # the customer goes back to the shop

    declined = Payment.find_one(payment.id)
    assert declined.status == "canceled"
    assert declined.paid is False
    assert declined.cancellation_details.party == "payment_network"
    assert declined.cancellation_details.reason == "insufficient_funds"
    assert declined.receipt_registration == "canceled"
    inbox.wait_for(1)
    assert inbox.events() == [("payment.canceled", payment.id)]
    assert yookassa.control(f"/_test/receipts?payment_id={payment.id}") == []


@pytest.mark.parametrize(
    ("number", "reason", "party"),
    [
        ("4141435412630840", "card_expired", "payment_network"),
        ("2202202212312379", "general_decline", "payment_network"),
        ("5555555555554584", "country_forbidden", "yoo_money"),
    ],
)
def test_each_declining_test_card_gives_its_documented_reason(
    yookassa, return_url, number, reason, party
):
    payment = card_payment(return_url)
    pay_by_card(payment, number)
    details = Payment.find_one(payment.id).cancellation_details
    assert (details.party, details.reason) == (party, reason)


def test_a_one_stage_payment_succeeds_when_confirmed_and_registers_its_receipt(
    yookassa, inbox, return_url
):
    payment = card_payment(return_url, "900.00", capture=True)
    pay_by_card(payment, "2202474301322987")

    paid = Payment.find_one(payment.id)
    assert paid.status == "succeeded"
    assert paid.payment_method.card.card_type == "MIR"
    inbox.wait_for(1)
    assert inbox.events() == [("payment.succeeded", payment.id)]
    sent = yookassa.control(f"/_test/receipts?payment_id={payment.id}")
    assert len(sent) == 1
    assert sent[0]["customer"] == {"email": "tourist@example.com"}
    assert sent[0]["items"][0]["amount"] == {"value": "900.00", "currency": "RUB"}
    assert Payment.find_one(payment.id).receipt_registration == "succeeded"


def test_the_card_form_refuses_what_is_not_a_test_card_and_the_payment_stays_pending(
    yookassa, return_url
):
    payment = card_payment(return_url)
    for number, expiry, csc, message in [
        ("4276380012345678", "12/30", "123", "Проверьте номер карты"),  # Luhn fails
        ("4000000000000002", "12/30", "123", "только тестовой картой"),  # a real-looking card
        ("5555555555554444", "01/20", "123", "Срок действия карты истёк"),
        ("5555555555554444", "13/30", "123", "ММ/ГГ"),
        ("5555555555554444", "12/30", "12", "CVC"),
    ]:
        answer = pay_by_card(payment, number, expiry, csc)
        assert answer.status_code == 400
        assert message in answer.text
    assert Payment.find_one(payment.id).status == "pending"


def test_reading_the_confirmation_pages_changes_nothing(yookassa, return_url):
    payment = card_payment(return_url)
    for path in (f"/checkout/{payment.id}", f"/checkout/{payment.id}/3ds", f"/sbp/{payment.id}"):
        assert requests.get(f"{yookassa.url}{path}", timeout=10).status_code == 200
    assert Payment.find_one(payment.id).status == "pending"


def test_an_sbp_payment_is_approved_in_the_bank_app_the_qr_code_opens(yookassa, inbox):
    payment = Payment.create(
        {
            "amount": {"value": "450.00", "currency": "RUB"},
            "payment_method_data": {"type": "sbp"},
            "confirmation": {"type": "qr"},
            "receipt": receipt(),
        },
        str(uuid.uuid4()),
    )
    link = payment.confirmation.confirmation_data
    assert payment.confirmation.type == "qr"
    assert link == f"{yookassa.url}/sbp/{payment.id}"

    bank_app = requests.get(link, timeout=10)
    assert "450,00" in bank_app.text
    answer = requests.post(link, data={"action": "approve"}, allow_redirects=False, timeout=10)
    assert answer.status_code == 200
    assert "Оплата прошла" in answer.text

    approved = Payment.find_one(payment.id)
    assert approved.status == "waiting_for_capture"
    assert approved.payment_method.type == "sbp"
    assert re.fullmatch(r"[0-9A-F]{32}", approved.payment_method.sbp_operation_id)
    inbox.wait_for(1)
    assert inbox.events() == [("payment.waiting_for_capture", payment.id)]


def test_an_sbp_payment_refused_in_the_bank_app_is_canceled(yookassa, return_url):
    payment = Payment.create(
        {
            "amount": {"value": "450.00", "currency": "RUB"},
            "payment_method_data": {"type": "sbp"},
            "confirmation": {"type": "redirect", "return_url": return_url},
            "receipt": receipt(),
        },
        str(uuid.uuid4()),
    )
    assert payment.confirmation.confirmation_url == f"{yookassa.url}/sbp/{payment.id}"
    answer = requests.post(
        payment.confirmation.confirmation_url,
        data={"action": "refuse"},
        allow_redirects=False,
        timeout=10,
    )
    assert answer.headers["Location"] == return_url
    refused = Payment.find_one(payment.id)
    assert refused.status == "canceled"
    assert refused.cancellation_details.reason == "general_decline"


def test_a_payment_nobody_confirms_is_canceled_after_an_hour(yookassa, inbox, return_url):
    payment = card_payment(return_url)
    yookassa.control("/_test/clock", {"advance_seconds": 59 * 60})
    assert Payment.find_one(payment.id).status == "pending"

    yookassa.control("/_test/clock", {"advance_seconds": 61})
    expired = Payment.find_one(payment.id)
    assert expired.status == "canceled"
    assert expired.cancellation_details.party == "yoo_money"
    assert expired.cancellation_details.reason == "expired_on_confirmation"
    inbox.wait_for(1)
    assert inbox.events() == [("payment.canceled", payment.id)]
    # The customer who comes back to the page is told, and cannot pay any more.
    assert pay_by_card(payment).status_code == 200
    assert Payment.find_one(payment.id).status == "canceled"


def test_an_authorisation_not_captured_within_seven_days_is_canceled(yookassa, return_url):
    payment = card_payment(return_url)
    pay_by_card(payment)
    yookassa.control("/_test/clock", {"advance_seconds": 7 * 24 * 3600 - 60})
    assert Payment.find_one(payment.id).status == "waiting_for_capture"

    yookassa.control("/_test/clock", {"advance_seconds": 120})
    expired = Payment.find_one(payment.id)
    assert expired.status == "canceled"
    assert (expired.cancellation_details.party, expired.cancellation_details.reason) == (
        "yoo_money",
        "expired_on_capture",
    )
    with pytest.raises(BadRequestError):
        Payment.capture(payment.id)


def test_the_authorisation_lifetime_is_a_setting(yookassa, return_url):
    yookassa.configure(authorization_ttl=600)
    payment = card_payment(return_url)
    pay_by_card(payment)
    yookassa.control("/_test/clock", {"advance_seconds": 601})
    assert Payment.find_one(payment.id).cancellation_details.reason == "expired_on_capture"


def test_payments_are_listed_newest_first_a_page_at_a_time(yookassa, return_url):
    first = card_payment(return_url, "100.00")
    second = card_payment(return_url, "200.00")
    third = card_payment(return_url, "300.00")
    pay_by_card(second)

    page = Payment.list({"limit": 2})
    assert [p.id for p in page.items] == [third.id, second.id]
    rest = Payment.list({"limit": 2, "cursor": page.next_cursor})
    assert [p.id for p in rest.items] == [first.id]
    assert rest.next_cursor is None
    waiting = Payment.list({"status": "waiting_for_capture"})
    assert [p.id for p in waiting.items] == [second.id]
    assert Payment.list({"created_at.gt": third.created_at}).items == []


def test_a_payment_without_a_receipt_is_refused_like_a_shop_under_54_fz(yookassa, return_url):
    answer = api(
        yookassa,
        "POST",
        "/payments",
        {
            "amount": {"value": "450.00", "currency": "RUB"},
            "confirmation": {"type": "redirect", "return_url": return_url},
        },
    )
    assert answer.status_code == 400
    assert answer.json()["code"] == "invalid_request"
    assert answer.json()["description"] == "Receipt is missing or illegal"
    assert answer.json()["parameter"] == "receipt"
    assert Payment.list().items == []


@pytest.mark.parametrize(
    ("change", "parameter"),
    [
        ({"amount": {"value": "0.00", "currency": "RUB"}}, "amount.value"),
        ({"amount": {"value": "10.005", "currency": "RUB"}}, "amount.value"),
        ({"amount": {"value": "1e30", "currency": "RUB"}}, "amount.value"),
        ({"amount": {"value": "NaN", "currency": "RUB"}}, "amount.value"),
        ({"amount": {"value": "10.00", "currency": "XYZ"}}, "amount.currency"),
        ({"confirmation": None}, "confirmation.type"),
        ({"confirmation": {"type": "redirect"}}, "confirmation.return_url"),
        ({"confirmation": {"type": "qr"}}, "confirmation.type"),
        ({"payment_method_data": {"type": "yoo_money"}}, "payment_method_data.type"),
        ({"description": "Я" * 129}, "description"),
        ({"metadata": {"k": {"nested": 1}}}, "metadata.k"),
        ({"capture": "yes"}, "capture"),
        ({"deal": {"id": "dl-1"}}, "deal"),
    ],
)
def test_a_wrong_payment_request_names_the_parameter(yookassa, return_url, change, parameter):
    body = {
        "amount": {"value": "450.00", "currency": "RUB"},
        "payment_method_data": {"type": "bank_card"},
        "confirmation": {"type": "redirect", "return_url": return_url},
        "receipt": receipt(),
        **change,
    }
    answer = api(yookassa, "POST", "/payments", body)
    assert answer.status_code == 400
    assert answer.json()["type"] == "error"
    assert answer.json()["parameter"] == parameter
    assert Payment.list().items == []


def test_card_data_in_the_request_is_forbidden_to_a_shop_without_pci_dss(yookassa, return_url):
    card = {"number": "5555555555554444", "expiry_year": "2030", "expiry_month": "12"}
    answer = api(
        yookassa,
        "POST",
        "/payments",
        {
            "amount": {"value": "450.00", "currency": "RUB"},
            "payment_method_data": {"type": "bank_card", "card": card},
            "confirmation": {"type": "redirect", "return_url": return_url},
            "receipt": receipt(),
        },
    )
    assert answer.status_code == 403
    assert answer.json()["code"] == "forbidden"


def test_http_errors_come_as_yookassa_error_objects(yookassa, return_url):
    wrong_key = api(yookassa, "GET", "/payments", auth=("506751", "not-the-secret"))
    assert wrong_key.status_code == 401
    assert wrong_key.json()["code"] == "invalid_credentials"
    assert wrong_key.json()["parameter"] == "Authorization"

    unknown = api(yookassa, "GET", "/payments/2d6d597a-000f-5000-9000-145f6df21d6f")
    assert unknown.status_code == 404
    assert unknown.json() | {"id": None} == {
        "type": "error",
        "id": None,
        "code": "not_found",
        "description": "Payment not found or forbidden",
        "parameter": "payment_id",
    }

    payment = card_payment(return_url)
    assert api(yookassa, "GET", f"/payments/{payment.id}/capture").status_code == 405
    plain = requests.post(
        f"{yookassa.api_url}/payments",
        data="amount=450",
        auth=("506751", "test_devtools_secret"),
        headers={"Content-Type": "text/plain", "Idempotence-Key": str(uuid.uuid4())},
        timeout=10,
    )
    assert plain.status_code == 415
    assert plain.json()["type"] == "error"


def _days_after(moment: str, days: int) -> str:
    from datetime import datetime, timedelta

    return (datetime.fromisoformat(moment.replace("Z", "+00:00")) + timedelta(days=days)).strftime(
        "%Y-%m-%d"
    )
