"""Paying the difference of a booking moved to a dearer date (shop/payments/supplements.py)
through the real pages, against localstripe and the local YooKassa server: nothing changes
until the difference is authorised, the move is applied once (whichever comes first of the
customer's return and the provider's notification), then the money is captured; if the date
fills meanwhile, nothing is charged and the booking stays as it was.

The tour, its dates and the paid order are test_changes.py's fixtures, imported (hence F811).
"""
# ruff: noqa: F811

import datetime as dt
import json
import time
from decimal import Decimal

import pytest
import stripe as stripe_library
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from oscar.core.loading import get_model

from shop.activity.models import ActivityEntry
from shop.bookings.changes import booking_changes_expire
from shop.bookings.models import BookingChange, ChangeStatus, Ticket, TicketVoid
from shop.core.roles import TEACHERS
from shop.payments.models import AttemptStatus, PaymentAttempt, ProcessedEvent, Receipt
from shop.payments.providers import stripe, yookassa
from shop.payments.providers.base import PaymentState
from shop.payments.receipt_services import settlement_receipt_send
from shop.payments.services import attempts_reconcile, order_refundable
from tests.bookings.helpers import (
    book,
    change_path,
    checkout_as_guest,
    form_key,
    seats_sold,
    ticket_of,
)
from tests.bookings.test_changes import dates, order, submit, tour  # noqa: F401
from tests.factories import make_member
from tests.payments.helpers import (
    CARD_DECLINED,
    authorise_by_card,
    confirm_card,
    deliver,
    local_path,
    notifications_of,
    pay_yookassa,
    settle_at_once,
)

pytestmark = [pytest.mark.django_db]

StockRecord = get_model("partner", "StockRecord")
WEBHOOK = "/shop/payments/stripe/webhook/"


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """A request whose after-commit work (e-mails, refunds) runs, as after a real one."""

    def committed(call, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return call(*args, **kwargs)

    return committed


def choose_dearer(client, submit, order, dates):
    """The dearer date chosen and confirmed on the move page: the pay step's address."""
    url = change_path(order, ticket_of(order), "date")
    assert "600\xa0₽ доплатить" in client.get(url).content.decode()
    confirm = client.get(url, {"to": dates[3].pk}).content.decode()
    assert "Новая дата дороже: <strong>600\xa0₽</strong> к оплате" in confirm
    response = submit(url, {"key": form_key(confirm), "to": dates[3].pk})
    assert response.status_code == 303, response
    return response.url


def booking_unchanged(order, dates):
    ticket = ticket_of(order)
    assert ticket.departure == dates[0] and ticket.people == 3
    assert (seats_sold(dates[0]), seats_sold(dates[3])) == (3, 0)
    assert order_refundable(order) == Decimal("2250.00")


# --- Stripe --------------------------------------------------------------------------------


@pytest.mark.payments
def test_a_guest_pays_the_difference_by_card_and_the_booking_moves(
    client, submit, committed, order, dates
):
    old = ticket_of(order)
    pay_url = choose_dearer(client, submit, order, dates)

    change = BookingChange.objects.get(order=order)
    assert change.status == ChangeStatus.AWAITING_PAYMENT and change.amount_due == 600
    booking_unchanged(order, dates)
    page = client.get(pay_url).content.decode()
    assert "К оплате: <strong>600\xa0₽</strong>" in page and 'id="card-element"' in page
    assert 'id="yookassa-form"' not in page  # the order was paid by card through Stripe

    answer = authorise_by_card(client, pay_url)
    assert answer["status"] == "authorized"
    back = committed(client.get, answer["return_url"])

    assert back.status_code == 302 and back.url.endswith(f"/{order.verification_hash()}/")
    shown = client.get(back.url).content.decode()
    assert "разница 600\xa0₽ оплачена" in shown
    change.refresh_from_db()
    assert change.status == ChangeStatus.APPLIED
    assert (seats_sold(dates[0]), seats_sold(dates[3])) == (0, 3)
    old.refresh_from_db()
    new = Ticket.objects.get(order=order, departure=dates[3])
    assert old.void_reason == TicketVoid.MOVED and old.replaced_by == new
    supplement = PaymentAttempt.objects.get(for_order=order)
    assert supplement.status == AttemptStatus.PAID
    remote = stripe.retrieve(supplement.provider_payment_id)
    assert remote.state == PaymentState.CAPTURED and remote.amount == Decimal("600.00")
    order.refresh_from_db()
    assert order.total_incl_tax == Decimal("2850.00") == order_refundable(order)
    assert sum(line.line_price_incl_tax for line in order.lines.all()) == Decimal("2850.00")
    moved = ActivityEntry.objects.get(action="booking.moved")
    assert moved.actor_kind == "customer" and moved.after["paid"] == "600.00"
    paid = ActivityEntry.objects.filter(action="order.paid").order_by("pk").last()
    assert paid.actor_kind == "system" and paid.after["amount"] == "600.00"
    (message,) = [m for m in mail.outbox if "перенесена" in m.subject]
    assert "вы доплатили разницу 600\xa0₽" in message.body
    # Stripe issues no 54-FZ receipt: the bureau's row names the new seats, prepaid.
    receipt = Receipt.objects.get(attempt=supplement)
    assert receipt.status == "not_issued" and receipt.amount == 600
    assert {(i["payment_subject"], i["payment_mode"]) for i in receipt.items} == {
        ("service", "full_prepayment")
    }

    # Staff see both payments on the order, in the workspace and in Oscar's dashboard.
    staff = Client()
    staff.force_login(make_member(TEACHERS, is_staff=True))
    for page in (f"/team/orders/{order.number}/", f"/shop/dashboard/orders/{order.number}/"):
        shown = staff.get(page).content.decode()
        assert "Доплата за перенос на" in shown and supplement.provider_payment_id in shown, page


@pytest.mark.payments
def test_looking_at_the_pages_changes_nothing(client, submit, order, dates):
    url = change_path(order, ticket_of(order), "date")
    client.get(url, {"to": dates[3].pk})
    assert not BookingChange.objects.exists()
    pay_url = choose_dearer(client, submit, order, dates)
    for _twice in range(2):
        assert client.get(pay_url).status_code == 200
    # A GET to the card endpoint is refused; another order's link is "not found".
    assert client.get(pay_url + "card/").status_code == 405
    assert client.get(pay_url.replace(order.verification_hash(), "x" * 20)).status_code == 404
    assert not PaymentAttempt.objects.filter(for_order=order).exists()
    booking_unchanged(order, dates)


@pytest.mark.payments
def test_the_date_filling_while_the_customer_pays_charges_nothing(
    client, submit, committed, order, dates
):
    pay_url = choose_dearer(client, submit, order, dates)
    answer = authorise_by_card(client, pay_url)
    # Someone else takes all but two seats of the new date while the card is authorised.
    StockRecord.objects.filter(product_id=dates[3].pk).update(num_allocated=8)

    back = committed(client.get, answer["return_url"])

    assert back.url == pay_url.rsplit("pay/", 1)[0]  # back to the dates, with the reason
    shown = [str(m) for m in back.wsgi_request._messages]
    assert any("Осталось только 2 места" in m and "Деньги не списаны" in m for m in shown), shown
    supplement = PaymentAttempt.objects.get(for_order=order)
    assert supplement.status == AttemptStatus.NOT_PLACED
    assert stripe.retrieve(supplement.provider_payment_id).state == PaymentState.CANCELED
    change = BookingChange.objects.get(order=order)
    assert change.status == ChangeStatus.NOT_APPLIED and not change.paid_with
    assert ticket_of(order).departure == dates[0] and seats_sold(dates[0]) == 3
    assert seats_sold(dates[3]) == 8 and order_refundable(order) == Decimal("2250.00")
    # The pay step now says why, and takes no card.
    page = client.get(pay_url).content.decode()
    assert "Осталось только 2 места" in page and 'id="card-element"' not in page


@pytest.mark.payments
def test_a_declined_card_leaves_the_booking_and_can_be_tried_again(
    client, submit, committed, order, dates
):
    pay_url = choose_dearer(client, submit, order, dates)
    declined = authorise_by_card(client, pay_url, CARD_DECLINED)
    assert declined["status"] == "declined"
    booking_unchanged(order, dates)

    answer = authorise_by_card(client, pay_url)
    committed(client.get, answer["return_url"])

    assert ticket_of(order).departure == dates[3]
    assert PaymentAttempt.objects.filter(for_order=order, status="paid").count() == 1


def _signed_event(intent_id: str, event_id: str, settings) -> tuple[str, str]:
    body = json.dumps(
        {
            "id": event_id,
            "type": "payment_intent.amount_capturable_updated",
            "data": {"object": {"id": intent_id, "metadata": {}}},
        }
    )
    stamp = int(time.time())
    signature = stripe_library.WebhookSignature._compute_signature(
        f"{stamp}.{body}", settings.STRIPE_WEBHOOK_SECRET
    )
    return body, f"t={stamp},v1={signature}"


@pytest.mark.payments
def test_the_webhook_first_applies_the_move_once_and_the_return_and_replays_change_nothing(
    client, submit, committed, order, dates, settings
):
    pay_url = choose_dearer(client, submit, order, dates)
    answer = authorise_by_card(client, pay_url)
    supplement = PaymentAttempt.objects.get(for_order=order)
    body, signature = _signed_event(supplement.provider_payment_id, "evt_move_1", settings)

    hook = committed(
        client.post, WEBHOOK, body, content_type="application/json", HTTP_STRIPE_SIGNATURE=signature
    )

    assert hook.status_code == 200
    assert ticket_of(order).departure == dates[3]
    assert stripe.retrieve(supplement.provider_payment_id).state == PaymentState.CAPTURED
    moved = ActivityEntry.objects.get(action="booking.moved")
    assert (moved.actor_kind, moved.process) == ("system", "payment_notification")
    # The same event again, a second event, the customer's late return, reconciliation.
    for event_id in ("evt_move_1", "evt_move_2"):
        again, signature = _signed_event(supplement.provider_payment_id, event_id, settings)
        client.post(
            WEBHOOK, again, content_type="application/json", HTTP_STRIPE_SIGNATURE=signature
        )
    back = committed(client.get, answer["return_url"])
    assert "разница 600\xa0₽ оплачена" in client.get(back.url).content.decode()
    attempts_reconcile(older_than_seconds=0)

    assert ProcessedEvent.objects.count() == 2
    assert ActivityEntry.objects.filter(action="booking.moved").count() == 1
    assert Ticket.objects.filter(order=order).count() == 2
    assert (seats_sold(dates[0]), seats_sold(dates[3])) == (0, 3)
    assert sum(1 for m in mail.outbox if "перенесена" in m.subject) == 1
    order.refresh_from_db()
    assert order.total_incl_tax == Decimal("2850.00") and order.sources.count() == 2


@pytest.mark.payments
def test_the_return_twice_applies_the_move_once(client, submit, committed, order, dates):
    pay_url = choose_dearer(client, submit, order, dates)
    answer = authorise_by_card(client, pay_url)

    for _twice in range(2):
        committed(client.get, answer["return_url"])

    assert ActivityEntry.objects.filter(action="booking.moved").count() == 1
    assert PaymentAttempt.objects.get(for_order=order).status == AttemptStatus.PAID
    # The confirmed form sent again leads to the booking, not to a second pay step.
    assert Ticket.objects.filter(order=order, voided_at=None).count() == 1


@pytest.mark.payments
def test_cancelling_after_a_paid_move_refunds_both_payments(
    client, submit, committed, order, dates
):
    pay_url = choose_dearer(client, submit, order, dates)
    committed(client.get, authorise_by_card(client, pay_url)["return_url"])
    url = change_path(order, ticket_of(order), "cancel")
    page = client.get(url).content.decode()
    assert "2\xa0850\xa0₽" in page

    committed(client.post, url, {"action": "cancel", "key": form_key(page)})

    supplement = PaymentAttempt.objects.get(for_order=order)
    first = order.payment_attempt
    assert stripe.retrieve(supplement.provider_payment_id).refunded == Decimal("600.00")
    assert stripe.retrieve(first.provider_payment_id).refunded == Decimal("2250.00")
    assert order_refundable(order) == 0
    assert sorted(r.amount for r in order.refunds.filter(status="succeeded")) == [600, 2250]


@pytest.mark.payments
def test_an_abandoned_pay_step_runs_out_and_frees_nothing(client, submit, order, dates):
    pay_url = choose_dearer(client, submit, order, dates)
    authorise_by_card(client, pay_url)  # authorised, and the customer closes the browser
    change = BookingChange.objects.get(order=order)
    assert booking_changes_expire() == 0  # not yet

    later = timezone.now() + dt.timedelta(minutes=61)
    expired = booking_changes_expire(now=later)

    # The authorisation was settled first: the move applied, as it was paid for.
    change.refresh_from_db()
    assert expired == 0 and change.status == ChangeStatus.APPLIED


@pytest.mark.payments
def test_a_pay_step_never_paid_runs_out_with_the_settle_command(client, submit, order, dates):
    pay_url = choose_dearer(client, submit, order, dates)
    assert client.get(pay_url).status_code == 200  # looked at the page, paid nothing
    BookingChange.objects.update(created_at=timezone.now() - dt.timedelta(minutes=61))

    call_command("bookings_settle")

    change = BookingChange.objects.get(order=order)
    assert change.status == ChangeStatus.EXPIRED
    booking_unchanged(order, dates)
    page = client.get(pay_url).content.decode()
    assert "не была оплачена вовремя" in page
    # The date can be chosen again: a new change, a new pay step.
    assert choose_dearer(client, submit, order, dates) != pay_url


# --- YooKassa ------------------------------------------------------------------------------


@pytest.fixture
def yookassa_order(client, dates):
    """A guest's order paid through YooKassa: 2 adults and a child (2 250 ₽) on the first date."""
    book(client, dates[0])
    checkout_as_guest(client)
    return pay_yookassa(client)


@pytest.mark.yookassa
def test_yookassa_the_difference_carries_its_receipt_to_the_kopeck_and_the_notification_applies(
    client, submit, committed, yookassa_order, dates, yookassa_server
):
    order = yookassa_order
    pay_url = choose_dearer(client, submit, order, dates)
    page = client.get(pay_url).content.decode()
    assert 'id="yookassa-form"' in page and 'id="card-element"' not in page

    started = client.post(pay_url + "yookassa/", {"method": "card", "consent": "1"})
    assert started.status_code == 303, [str(m) for m in started.wsgi_request._messages]
    back = confirm_card(started.url)
    supplement = PaymentAttempt.objects.get(for_order=order)
    (authorised,) = notifications_of(yookassa_server, supplement.provider_payment_id)
    assert committed(deliver, client, [authorised]) == [200]

    assert ticket_of(order).departure == dates[3]
    assert yookassa.retrieve(supplement.provider_payment_id).state == PaymentState.CAPTURED
    (sent,) = yookassa_server.control(
        f"/_test/receipts?payment_id={supplement.provider_payment_id}&source=payment"
    )
    # 600 ₽ over the new seats (2 × 1 200 ₽ and 1 × 450 ₽) by their prices, to the kopeck.
    assert [
        (i["payment_subject"], i["payment_mode"], i["quantity"], i["amount"]["value"])
        for i in sent["items"]
    ] == [
        ("service", "full_prepayment", 2, "252.63"),
        ("service", "full_prepayment", 1, "94.74"),
    ]
    assert all(
        dates[3].starts_at.astimezone().strftime("%d.%m.%Y") in i["description"]
        for i in sent["items"]
    )
    # Replays and the customer's return change nothing.
    everything = notifications_of(yookassa_server, supplement.provider_payment_id)
    assert committed(deliver, client, everything * 2) == [200] * 2 * len(everything)
    shown = committed(client.get, local_path(back))
    assert "разница 600\xa0₽ оплачена" in client.get(shown.url).content.decode()
    assert ActivityEntry.objects.filter(action="booking.moved").count() == 1
    order.refresh_from_db()
    assert order.total_incl_tax == Decimal("2850.00")
    # When the tour has run, each advance is settled by a receipt of its own.
    settlement_receipt_send(order=order, departure=dates[3])
    settled = Receipt.objects.filter(order=order, kind="settlement")
    assert sorted(r.amount for r in settled) == [Decimal("600.00"), Decimal("2250.00")]
    assert {i["payment_mode"] for r in settled for i in r.items} == {"full_payment"}
    assert settled.get(amount=600).attempt == PaymentAttempt.objects.get(for_order=order)


@pytest.mark.payments
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_customers_paying_for_the_last_seats_of_a_date_one_moves_the_other_pays_nothing(
    client, dates
):
    """Two paid bookings of three, each moving to the dearer date where three seats are left,
    both authorised; the returns and notifications settle them at the same moment: one moves
    and is charged, the other is released (nothing charged, its booking as it was)."""
    from tests.bookings.helpers import book_and_pay

    second = Client()
    orders = [book_and_pay(client, dates[0]), book_and_pay(second, dates[0], email="b@example.com")]
    StockRecord.objects.filter(product_id=dates[3].pk).update(num_allocated=7)
    for browser, each in zip((client, second), orders, strict=True):
        url = change_path(each, ticket_of(each), "date")
        confirm = browser.get(url, {"to": dates[3].pk}).content.decode()
        pay_url = browser.post(url, {"key": form_key(confirm), "to": dates[3].pk}).url
        assert authorise_by_card(browser, pay_url)["status"] == "authorized"
    settle_at_once(list(PaymentAttempt.objects.filter(for_order__in=orders)))
    states = sorted(
        (a.status, stripe.retrieve(a.provider_payment_id).state)
        for a in PaymentAttempt.objects.filter(for_order__in=orders)
    )
    assert states == [
        (AttemptStatus.NOT_PLACED, PaymentState.CANCELED),
        (AttemptStatus.PAID, PaymentState.CAPTURED),
    ]
    assert seats_sold(dates[3]) == 10 and seats_sold(dates[0]) == 3
    assert sorted(ticket_of(o).departure_id for o in orders) == [dates[0].pk, dates[3].pk]
    assert ActivityEntry.objects.filter(action="booking.moved").count() == 1
