"""A departure we cancel offers its paid bookings another date instead of the refund
(shop/bookings/rebooking.py), through the real pages and e-mails, the money through the payment
layer to localstripe: each booking is either rebooked or refunded, exactly once.

The tour and its dates are test_changes.py's fixtures, the staff member test_cancellation.py's
(imported, hence F811).
"""
# ruff: noqa: F811

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from shop.activity.models import ActivityEntry
from shop.bookings.models import BookingChange, ChangeStatus, OfferStatus, RebookOffer, Ticket
from shop.bookings.tickets import CheckInError, ticket_check_in
from shop.customercare.services import order_status_path
from shop.payments.models import AttemptStatus, PaymentAttempt
from shop.payments.providers import stripe, yookassa
from shop.payments.providers.base import PaymentState
from shop.payments.services import order_refundable
from tests.bookings.helpers import (
    book,
    book_and_pay,
    checkout_as_guest,
    form_key,
    money_kept_and_refunded,
    seats_sold,
    ticket_of,
)
from tests.bookings.test_cancellation import manager  # noqa: F401
from tests.bookings.test_changes import dates, tour  # noqa: F401
from tests.factories import make_staff
from tests.payments.helpers import (
    authorise_by_card,
    confirm_card,
    deliver,
    local_path,
    notifications_of,
    pay_yookassa,
)

pytestmark = [pytest.mark.payments, pytest.mark.django_db]

PAID = Decimal("2250.00")  # 2 adults and a child on the first date


@pytest.fixture
def customers(dates):
    """Three guests, each with a paid booking of three people on the first date."""
    browsers = [Client() for _ in range(3)]
    orders = [
        book_and_pay(browser, dates[0], email=f"guest{i}@example.com")
        for i, browser in enumerate(browsers)
    ]
    return list(zip(browsers, orders, strict=True))


def cancel(client, manager, departure, money):
    client.force_login(manager)
    path = f"/shop/dashboard/tours/{departure.tour_id}/departures/{departure.pk}/cancel/"
    data = {"reason": "weather", "note": "Шторм", "money": money}
    return client.post(path, data)


def rebook_link(order) -> str:
    """The link of the order's cancellation e-mail."""
    (message,) = [m for m in mail.outbox if m.to == [order.guest_email] and "отмен" in m.subject]
    return re.search(r"https?://[^/\s]+(/shop/orders/\S+/rebook/\d+/)", message.body).group(1)


def test_three_bookings_one_rebooks_one_asks_for_the_refund_one_is_refunded_at_the_deadline(
    client, manager, customers, dates, django_capture_on_commit_callbacks, monkeypatch
):
    client.force_login(manager)
    path = f"/shop/dashboard/tours/{dates[0].tour_id}/departures/{dates[0].pk}/cancel/"
    offered = re.search(r'<input[^>]*value="offer"[^>]*>', client.get(path).content.decode())
    assert "checked" in offered.group(0)  # another date, the default: the tour has some
    with django_capture_on_commit_callbacks(execute=True):
        cancel(client, manager, dates[0], "offer")

    # Seats released and tickets void at once; nothing refunded yet.
    assert seats_sold(dates[0]) == 0
    assert RebookOffer.objects.filter(status=OfferStatus.OPEN).count() == 3
    orders = [order for _b, order in customers]
    assert all(order_refundable(o) == PAID for o in orders)
    with pytest.raises(CheckInError):
        ticket_check_in(
            departure=dates[0],
            code=Ticket.objects.filter(order=orders[0]).get().code,
            actor=make_staff(),
            now=dates[0].starts_at,
        )
    (message,) = [m for m in mail.outbox if m.to == ["guest0@example.com"] and "отмен" in m.subject]
    assert "вернём 2\xa0250\xa0₽ на вашу карту" in message.body

    # The first chooses the second date (same price): rebooked, nothing refunded.
    (first, first_order), (second, second_order), (_third, third_order) = customers
    link = rebook_link(first_order)
    assert link in first.get(order_status_path(first_order)).content.decode()
    chosen = first.get(link, {"to": dates[1].pk}).content.decode()
    assert "Та же цена" in chosen
    with django_capture_on_commit_callbacks(execute=True):
        done = first.post(link, {"key": form_key(chosen), "action": "move", "to": dates[1].pk})
    assert done.status_code == 303
    new = ticket_of(first_order)
    assert new.departure == dates[1] and new.people == 3 and seats_sold(dates[1]) == 3
    first_order.refresh_from_db()
    assert first_order.status == "Paid"
    assert money_kept_and_refunded(first_order) == (PAID, Decimal("0.00"))
    moved = ActivityEntry.objects.get(action="booking.moved", order=first_order)
    assert moved.actor_kind == "customer"

    # The second asks for the refund now.
    page = second.get(rebook_link(second_order)).content.decode()
    assert "Вернуть 2\xa0250\xa0₽ сейчас" in page
    with django_capture_on_commit_callbacks(execute=True):
        second.post(rebook_link(second_order), {"key": form_key(page), "action": "refund"})
    assert money_kept_and_refunded(second_order) == (Decimal("0.00"), PAID)

    # The third does nothing: the settle command refunds it at the deadline, not before.
    call_command("bookings_settle")
    assert money_kept_and_refunded(third_order) == (PAID, Decimal("0.00"))
    later = timezone.now() + dt.timedelta(hours=72, minutes=1)
    monkeypatch.setattr(timezone, "now", lambda: later)
    call_command("bookings_settle")
    call_command("bookings_settle")
    assert money_kept_and_refunded(third_order) == (Decimal("0.00"), PAID)
    refunded = ActivityEntry.objects.get(action="booking.refund_chosen", order=third_order)
    assert refunded.actor_kind == "system"

    # Once each, whatever runs again.
    with django_capture_on_commit_callbacks(execute=True):
        cancel(client, manager, dates[0], "offer")
    assert money_kept_and_refunded(first_order) == (PAID, Decimal("0.00"))
    assert money_kept_and_refunded(second_order) == (Decimal("0.00"), PAID)
    assert money_kept_and_refunded(third_order) == (Decimal("0.00"), PAID)


def test_a_link_used_twice_a_forged_link_and_a_full_date(
    client, manager, customers, dates, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        cancel(client, manager, dates[0], "offer")
    (browser, order), (other, other_order), _third = customers
    link = rebook_link(order)

    # A forged or another order's link finds nothing.
    assert browser.get(link.replace(order.verification_hash(), "x" * 16)).status_code == 404
    assert browser.get(link.replace(f"/{dates[0].pk}/", f"/{dates[1].pk}/")).status_code == 404

    # The date fills meanwhile: nothing changes, the refund stays scheduled.
    page = browser.get(link, {"to": dates[1].pk}).content.decode()
    from oscar.core.loading import get_model

    get_model("partner", "StockRecord").objects.filter(product_id=dates[1].pk).update(
        num_allocated=9
    )
    full = browser.post(link, {"key": form_key(page), "action": "move", "to": dates[1].pk})
    assert full.status_code == 400 and "Осталось только 1 место" in full.content.decode()
    offer = RebookOffer.objects.get(order=order)
    assert offer.status == OfferStatus.OPEN and seats_sold(dates[1]) == 9
    assert not Ticket.objects.filter(order=order, departure=dates[1]).exists()

    # The cheaper third date: rebooked, the difference refunded; the same form again, and
    # the refund asked for afterwards, change nothing.
    page = browser.get(link, {"to": dates[2].pk}).content.decode()
    data = {"key": form_key(page), "action": "move", "to": dates[2].pk}
    with django_capture_on_commit_callbacks(execute=True):
        browser.post(link, data)
        browser.post(link, data)
        refused = browser.post(link, {"key": form_key(page), "action": "refund"})
    assert refused.status_code == 400
    assert ticket_of(order).departure == dates[2]
    assert money_kept_and_refunded(order) == (Decimal("1750.00"), Decimal("500.00"))
    assert ActivityEntry.objects.filter(action="booking.moved", order=order).count() == 1


def test_refund_at_once_from_the_dashboard_still_refunds_at_once(
    client, manager, customers, dates, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        cancel(client, manager, dates[0], "refund")

    assert not RebookOffer.objects.exists()
    for _browser, order in customers:
        assert money_kept_and_refunded(order) == (Decimal("0.00"), PAID)
        (message,) = [
            m for m in mail.outbox if m.to == [order.guest_email] and "отмен" in m.subject
        ]
        assert "/rebook/" not in message.body


def test_a_refund_decided_but_never_sent_and_one_past_its_deadline_are_caught_up(
    client, manager, customers, dates, django_capture_on_commit_callbacks
):
    from shop.payments.services import attempts_reconcile

    with django_capture_on_commit_callbacks(execute=True):
        cancel(client, manager, dates[0], "offer")
    (_b1, crashed), (_b2, overdue), (_b3, waiting) = customers
    # The customer asked, and the process died before the payment layer was called.
    RebookOffer.objects.filter(order=crashed).update(status=OfferStatus.REFUNDED)
    # The deadline passed while neither the task worker nor cron ran.
    RebookOffer.objects.filter(order=overdue).update(
        refund_by=timezone.now() - dt.timedelta(minutes=1)
    )

    call_command("bookings_settle")
    attempts_reconcile(older_than_seconds=0)  # the backstop finds nothing more to do

    assert money_kept_and_refunded(crashed) == (Decimal("0.00"), PAID)
    assert money_kept_and_refunded(overdue) == (Decimal("0.00"), PAID)
    assert money_kept_and_refunded(waiting) == (PAID, Decimal("0.00"))


# --- A dearer date instead of the refund: the difference paid first --------------------------


def choose_dearer(browser, order, dates) -> str:
    """The fourth date (600 ₽ dearer for these three people) chosen on the offer's page and
    confirmed: the pay step's address. Nothing has changed yet."""
    link = rebook_link(order)
    assert "600\xa0₽ доплатить" in browser.get(link).content.decode()
    chosen = browser.get(link, {"to": dates[3].pk}).content.decode()
    assert "Новая дата дороже: <strong>600\xa0₽</strong> к оплате." in chosen
    assert not BookingChange.objects.filter(order=order).exists()  # looking changes nothing
    response = browser.post(link, {"key": form_key(chosen), "action": "move", "to": dates[3].pk})
    assert response.status_code == 303, response
    offer = RebookOffer.objects.get(order=order)
    assert offer.status == OfferStatus.OPEN and seats_sold(dates[3]) == 0
    assert not Ticket.objects.filter(order=order, departure=dates[3]).exists()
    return response.url


def test_a_dearer_date_instead_of_the_refund_is_paid_by_card_and_the_booking_is_on_it(
    client, manager, customers, dates, django_capture_on_commit_callbacks, monkeypatch
):
    with django_capture_on_commit_callbacks(execute=True):
        cancel(client, manager, dates[0], "offer")
    (browser, order), *_others = customers

    pay_url = choose_dearer(browser, order, dates)
    page = browser.get(pay_url).content.decode()
    assert "Вместо возврата 2\xa0250\xa0₽ вы выбрали другую дату" in page
    assert "К оплате: <strong>600\xa0₽</strong>" in page and 'id="card-element"' in page
    answer = authorise_by_card(browser, pay_url)
    assert answer["status"] == "authorized"
    with django_capture_on_commit_callbacks(execute=True):
        back = browser.get(answer["return_url"])

    assert back.url == order_status_path(order)
    assert "разница 600\xa0₽ оплачена" in browser.get(back.url).content.decode()
    new = ticket_of(order)
    assert new.departure == dates[3] and new.people == 3 and seats_sold(dates[3]) == 3
    offer = RebookOffer.objects.get(order=order)
    assert offer.status == OfferStatus.REBOOKED and offer.to_departure == dates[3]
    order.refresh_from_db()
    assert order.status == "Paid" and order.total_incl_tax == Decimal("2850.00")
    supplement = PaymentAttempt.objects.get(for_order=order)
    remote = stripe.retrieve(supplement.provider_payment_id)
    assert remote.state == PaymentState.CAPTURED and remote.amount == Decimal("600.00")
    assert money_kept_and_refunded(order) == (PAID, Decimal("0.00"))
    moved = ActivityEntry.objects.get(action="booking.moved", order=order)
    assert moved.actor_kind == "customer" and moved.after["paid"] == "600.00"
    (message,) = [
        m for m in mail.outbox if m.to == [order.guest_email] and "перенесена" in m.subject
    ]
    assert "вы доплатили разницу 600\xa0₽" in message.body

    # The deadline passes: the booking is on its new date, nothing goes back.
    later = timezone.now() + dt.timedelta(hours=72, minutes=1)
    monkeypatch.setattr(timezone, "now", lambda: later)
    call_command("bookings_settle")
    assert money_kept_and_refunded(order) == (PAID, Decimal("0.00"))
    assert order_refundable(order) == Decimal("2850.00")


def test_the_refund_asked_for_while_the_difference_is_authorised_wins_and_nothing_is_charged(
    client, manager, customers, dates, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        cancel(client, manager, dates[0], "offer")
    (browser, order), *_others = customers
    pay_url = choose_dearer(browser, order, dates)
    answer = authorise_by_card(browser, pay_url)
    # In another tab, before the bank sends the customer back: the refund now.
    link = rebook_link(order)
    page = browser.get(link).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        browser.post(link, {"key": form_key(page), "action": "refund"})

        back = browser.get(answer["return_url"])

    assert back.url == link  # back to the offer, which says it is refunded
    shown = [str(m) for m in back.wsgi_request._messages]
    assert any("Деньги за бронь уже возвращены" in m and "Деньги не списаны" in m for m in shown)
    supplement = PaymentAttempt.objects.get(for_order=order)
    assert supplement.status == AttemptStatus.NOT_PLACED
    assert stripe.retrieve(supplement.provider_payment_id).state == PaymentState.CANCELED
    assert BookingChange.objects.get(order=order).status == ChangeStatus.NOT_APPLIED
    assert money_kept_and_refunded(order) == (Decimal("0.00"), PAID)
    assert seats_sold(dates[3]) == 0 and not Ticket.objects.filter(departure=dates[3]).exists()
    assert 'id="card-element"' not in browser.get(pay_url).content.decode()


def test_a_pay_step_still_open_at_the_deadline_takes_no_card_and_the_refund_is_made(
    client, manager, customers, dates, django_capture_on_commit_callbacks, monkeypatch
):
    with django_capture_on_commit_callbacks(execute=True):
        cancel(client, manager, dates[0], "offer")
    (browser, order), *_others = customers
    pay_url = choose_dearer(browser, order, dates)
    later = timezone.now() + dt.timedelta(hours=72, minutes=1)
    monkeypatch.setattr(timezone, "now", lambda: later)

    page = browser.get(pay_url).content.decode()
    assert "Время на выбор истекло" in page and 'id="card-element"' not in page
    refused = browser.post(pay_url + "card/", "{}", content_type="application/json")
    assert refused.status_code == 409 and not PaymentAttempt.objects.filter(for_order=order)
    # Nor does the dearer date open a new pay step now.
    link = rebook_link(order)
    chosen = browser.get(link, {"to": dates[3].pk}).content.decode()
    again = browser.post(link, {"key": form_key(chosen), "action": "move", "to": dates[3].pk})
    assert again.status_code == 400 and "Время на выбор истекло" in again.content.decode()
    call_command("bookings_settle")

    assert money_kept_and_refunded(order) == (Decimal("0.00"), PAID)
    assert BookingChange.objects.get(order=order).status == ChangeStatus.EXPIRED
    assert RebookOffer.objects.get(order=order).status == OfferStatus.REFUNDED


@pytest.mark.yookassa
def test_yookassa_a_dearer_date_instead_of_the_refund_with_its_receipt_applied_by_the_notification(
    client, manager, dates, django_capture_on_commit_callbacks, yookassa_server
):
    browser = Client()
    book(browser, dates[0])
    checkout_as_guest(browser)
    order = pay_yookassa(browser)
    with django_capture_on_commit_callbacks(execute=True):
        cancel(client, manager, dates[0], "offer")

    pay_url = choose_dearer(browser, order, dates)
    page = browser.get(pay_url).content.decode()
    assert 'id="yookassa-form"' in page and 'id="card-element"' not in page
    started = browser.post(pay_url + "yookassa/", {"method": "card", "consent": "1"})
    assert started.status_code == 303, [str(m) for m in started.wsgi_request._messages]
    back = confirm_card(started.url)
    supplement = PaymentAttempt.objects.get(for_order=order)
    (authorised,) = notifications_of(yookassa_server, supplement.provider_payment_id)
    with django_capture_on_commit_callbacks(execute=True):
        assert deliver(browser, [authorised]) == [200]

    assert ticket_of(order).departure == dates[3] and seats_sold(dates[3]) == 3
    assert RebookOffer.objects.get(order=order).status == OfferStatus.REBOOKED
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
    # The customer's return afterwards changes nothing; nothing was refunded.
    shown = browser.get(local_path(back))
    assert "разница 600\xa0₽ оплачена" in browser.get(shown.url).content.decode()
    assert ActivityEntry.objects.filter(action="booking.moved", order=order).count() == 1
    assert not order.refunds.exists()
    order.refresh_from_db()
    assert order.total_incl_tax == Decimal("2850.00")
