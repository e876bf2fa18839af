"""Refunds and 54-FZ receipts on the local YooKassa server: partial and whole refunds never
beyond what was taken, receipts sent with payments and refunds recorded as receipts, the
validation a shop is likely to trip over, and receipts on their own (settlement receipts)."""

import uuid

import pytest
from yookassa import Payment, Receipt, Refund
from yookassa.domain.exceptions import BadRequestError, NotFoundError

from tests.devtools.conftest import api, card_payment, item, pay_by_card, receipt

TOUR = item("Тур «Встреча рассвета на Байкале», взрослый", "900.00", 2, payment_subject="service")
GINGERBREAD = item("Пряник «Нерпа»", "450.00")


@pytest.fixture
def paid(yookassa, return_url):
    """A captured payment of 2250 ₽ for two tour seats and a gingerbread."""
    payment = Payment.create(
        {
            "amount": {"value": "2250.00", "currency": "RUB"},
            "confirmation": {"type": "redirect", "return_url": return_url},
            "payment_method_data": {"type": "bank_card"},
            "receipt": receipt(TOUR, GINGERBREAD),
        },
        str(uuid.uuid4()),
    )
    pay_by_card(payment)
    return Payment.capture(payment.id)


def _refund(payment, value, *items):
    return Refund.create(
        {
            "payment_id": payment.id,
            "amount": {"value": value, "currency": "RUB"},
            "description": "Отмена заказа",
            "receipt": receipt(*items),
        },
        str(uuid.uuid4()),
    )


def test_partial_refunds_then_the_rest_bring_the_payment_to_fully_refunded(yookassa, inbox, paid):
    first = _refund(paid, "450.00", GINGERBREAD)
    assert first.status == "succeeded"
    assert first.payment_id == paid.id
    after_first = Payment.find_one(paid.id)
    assert after_first.refunded_amount.value == 450
    assert after_first.refundable is True

    second = _refund(paid, "1800.00", TOUR)
    after_all = Payment.find_one(paid.id)
    assert after_all.refunded_amount.value == 2250
    assert after_all.refundable is False
    assert after_all.status == "succeeded"  # a refunded payment stays succeeded
    assert Refund.find_one(second.id).amount.value == 1800
    assert {r.id for r in Refund.list({"payment_id": paid.id}).items} == {first.id, second.id}

    inbox.wait_for(4)
    assert inbox.events()[-2:] == [("refund.succeeded", first.id), ("refund.succeeded", second.id)]


def test_a_refund_beyond_what_is_left_is_refused_and_changes_nothing(yookassa, paid):
    _refund(paid, "2000.00", item("Частичный возврат", "2000.00"))
    with pytest.raises(BadRequestError) as refused:
        _refund(paid, "250.01", item("Ещё", "250.01"))
    assert refused.value.content["parameter"] == "amount.value"
    assert "250.00" in refused.value.content["description"]
    assert Payment.find_one(paid.id).refunded_amount.value == 2000
    assert len(Refund.list({"payment_id": paid.id}).items) == 1


def test_only_a_captured_payment_can_be_refunded(yookassa, return_url):
    payment = card_payment(return_url)
    pay_by_card(payment)
    with pytest.raises(BadRequestError) as refused:
        _refund(payment, "450.00", GINGERBREAD)
    assert refused.value.content["parameter"] == "payment_id"
    unknown = {
        "payment_id": "2d6d597a-000f-5000-9000-145f6df21d6f",
        "amount": {"value": "450.00", "currency": "RUB"},
        "receipt": receipt(GINGERBREAD),
    }
    with pytest.raises(NotFoundError) as missing:
        Refund.create(unknown, str(uuid.uuid4()))
    assert missing.value.content["parameter"] == "payment_id"


def test_a_refund_of_a_payment_sent_with_a_receipt_needs_its_own_receipt(yookassa, paid):
    yookassa.configure(require_receipt=False)
    answer = api(
        yookassa,
        "POST",
        "/refunds",
        {"payment_id": paid.id, "amount": {"value": "450.00", "currency": "RUB"}},
    )
    assert answer.status_code == 400
    assert answer.json()["parameter"] == "receipt"


def test_receipts_sent_with_the_payment_and_the_refund_are_recorded_as_receipts(yookassa, paid):
    refund = _refund(paid, "450.00", GINGERBREAD)

    listed = Receipt.list({"payment_id": paid.id}).items
    assert {(r.type, r.refund_id) for r in listed} == {("payment", None), ("refund", refund.id)}
    sent = yookassa.control(f"/_test/receipts?payment_id={paid.id}")
    assert [(r["type"], r["source"]) for r in sent] == [
        ("payment", "payment"),
        ("refund", "refund"),
    ]
    payment_receipt = sent[0]
    assert payment_receipt["customer"] == {"email": "tourist@example.com"}
    assert [
        (i["description"], i["quantity"], i["amount"]["value"], i["payment_subject"])
        for i in payment_receipt["items"]
    ] == [
        ("Тур «Встреча рассвета на Байкале», взрослый", 2, "900.00", "service"),
        ("Пряник «Нерпа»", 1, "450.00", "commodity"),
    ]
    assert Receipt.list({"refund_id": refund.id}).items[0].settlements[0].amount.value == 450


def test_receipts_are_registered_after_the_configured_delay(yookassa, return_url):
    yookassa.configure(receipt_delay=30)
    payment = card_payment(return_url, capture=True)
    pay_by_card(payment)
    assert Payment.find_one(payment.id).receipt_registration == "pending"
    assert Receipt.list({"payment_id": payment.id}).items[0].status == "pending"

    yookassa.control("/_test/clock", {"advance_seconds": 31})
    registered = Receipt.list({"payment_id": payment.id}).items[0]
    assert registered.status == "succeeded"
    assert registered.fiscal_document_number
    assert registered.registered_at
    assert Payment.find_one(payment.id).receipt_registration == "succeeded"


def test_a_settlement_receipt_for_a_delivered_prepaid_tour(yookassa, paid):
    """54-FZ: a service paid in advance gets a second receipt, full_payment against the
    prepayment, once it is delivered."""
    tour = item("Тур «Встреча рассвета на Байкале», взрослый", "900.00", 2)
    tour |= {"payment_subject": "service", "payment_mode": "full_payment"}
    created = Receipt.create(
        {
            "type": "payment",
            "payment_id": paid.id,
            "send": True,
            "customer": {"email": "tourist@example.com"},
            "items": [tour],
            "settlements": [
                {"type": "prepayment", "amount": {"value": "1800.00", "currency": "RUB"}}
            ],
        },
        str(uuid.uuid4()),
    )
    assert created.id.startswith("rt-")
    assert created.type == "payment"
    assert created.status == "pending"
    assert created.settlements[0].type == "prepayment"

    found = Receipt.find_one(created.id)
    assert found.status == "succeeded"
    sent = yookassa.control(f"/_test/receipts?payment_id={paid.id}&source=receipts")
    assert [r["id"] for r in sent] == [created.id]


def test_a_receipt_whose_items_and_settlements_differ_is_refused(yookassa, paid):
    answer = api(
        yookassa,
        "POST",
        "/receipts",
        {
            "type": "payment",
            "payment_id": paid.id,
            "send": True,
            "customer": {"phone": "79001234567"},
            "items": [TOUR],
            "settlements": [
                {"type": "prepayment", "amount": {"value": "900.00", "currency": "RUB"}}
            ],
        },
    )
    assert answer.status_code == 400
    assert answer.json()["parameter"] == "items"


@pytest.mark.parametrize(
    ("receipt_sent", "parameter"),
    [
        ({"customer": {"email": "t@example.com"}, "items": []}, "receipt.items"),
        ({"items": [GINGERBREAD]}, "receipt.customer"),
        ({"customer": {"email": "not-an-email"}, "items": [GINGERBREAD]}, "receipt.customer.email"),
        (
            {"customer": {"phone": "+7 900 123-45-67"}, "items": [GINGERBREAD]},
            "receipt.customer.phone",
        ),
        (receipt(item(value="400.00")), "receipt.items"),  # 400 ₽ of items for 450 ₽
        (receipt(item(value="225.00", quantity="1.999")), "receipt.items"),  # 449.775 ₽
        (receipt(item(vat_code=13)), "receipt.items[0].vat_code"),
        (receipt(item(vat_code=None)), "receipt.items[0].vat_code"),
        (
            receipt(item(value="225.00"), item(value="225.00", payment_mode="prepaid")),
            "receipt.items[1].payment_mode",
        ),
        (receipt(item(payment_subject="tour")), "receipt.items[0].payment_subject"),
        (receipt(item(quantity="two")), "receipt.items[0].quantity"),
        (receipt(item(quantity=0)), "receipt.items[0].quantity"),
        (receipt(item(value="450.001")), "receipt.items[0].amount.value"),
        (receipt(item(description="")), "receipt.items[0].description"),
        ({**receipt(), "tax_system_code": 7}, "receipt.tax_system_code"),
    ],
)
def test_a_wrong_receipt_is_refused_with_the_parameter_at_fault(
    yookassa, return_url, receipt_sent, parameter
):
    answer = api(
        yookassa,
        "POST",
        "/payments",
        {
            "amount": {"value": "450.00", "currency": "RUB"},
            "confirmation": {"type": "redirect", "return_url": return_url},
            "receipt": receipt_sent,
        },
    )
    assert answer.status_code == 400
    assert answer.json()["code"] == "invalid_request"
    assert answer.json()["parameter"] == parameter
    assert Payment.list().items == []


def test_quantities_and_amounts_may_be_strings_or_numbers_as_the_docs_show(yookassa, return_url):
    split = receipt(
        item("Пряник", 150, "2.000"),  # 300 ₽
        item("Доставка", "150.00", 1, payment_subject="service"),
    )
    payment = Payment.create(
        {
            "amount": {"value": 450, "currency": "RUB"},
            "confirmation": {"type": "redirect", "return_url": return_url},
            "receipt": split,
        },
        str(uuid.uuid4()),
    )
    assert payment.amount.value == 450
