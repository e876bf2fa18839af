"""What the customer receives: the confirmation with tickets, the reminder, the news."""

import datetime as dt
import email
import io

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone
from PIL import Image

from shop.bookings.models import Departure, Ticket
from shop.customercare.models import CustomerMessage
from shop.customercare.services import message_send, reminders_queue
from tests.checkout.helpers import basket_for, make_departure
from tests.payments.helpers import pay

pytestmark = [pytest.mark.payments, pytest.mark.django_db]


def paid_booking(client, django_user_model, *, language_prefix="", starts_in=None, people=1):
    customer = django_user_model.objects.create_user(
        username="tourist", email="tourist@example.com", password="pw-123456"
    )
    client.force_login(customer)
    departure = make_departure(capacity=10)
    basket_for(customer, departures=[departure])
    client.get(f"{language_prefix}/shop/checkout/shipping-method/")
    order = pay(client, prefix=language_prefix)
    client.logout()
    if starts_in is not None:  # time passes: the departure is now this close
        Departure.objects.filter(pk=departure.pk).update(starts_at=timezone.now() + starts_in)
    return order, Departure.objects.get(pk=departure.pk)


def attachments(message) -> dict:
    return {name: (content, mimetype) for name, content, mimetype in message.attachments}


def test_a_paid_booking_is_confirmed_once_in_russian_with_its_ticket(
    client, django_user_model, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        order, departure = paid_booking(client, django_user_model)
    ticket = Ticket.objects.get(order=order)

    [sent] = mailoutbox
    assert sent.to == ["tourist@example.com"]
    assert order.number in sent.subject and "билеты" in sent.subject
    assert "Место сбора" in sent.body and ticket.code in sent.body
    assert departure.local_starts_at.strftime("%H:%M") in sent.body
    assert f"/shop/orders/{order.number}/" in sent.body
    html, mimetype = sent.alternatives[0]
    assert mimetype == "text/html" and ticket.code in html
    files = attachments(sent)
    png, png_type = files[f"ticket-{ticket.code}.png"]
    assert png_type == "image/png" and Image.open(io.BytesIO(png)).size[0] > 200
    ics, ics_type = files[f"ticket-{ticket.code}.ics"]
    assert ics_type.startswith("text/calendar")
    assert "DTSTART:" + departure.starts_at.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ") in ics

    # Asking again (a webhook after the return page, say) sends nothing more.
    from shop.customercare.services import order_confirmation_queue

    with django_capture_on_commit_callbacks(execute=True):
        order_confirmation_queue(order)
    assert len(mailoutbox) == 1
    assert CustomerMessage.objects.get(order=order).sent_at is not None


def test_an_order_paid_in_english_is_confirmed_in_english(
    client, django_user_model, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        order, _departure = paid_booking(client, django_user_model, language_prefix="/en")

    [sent] = mailoutbox
    assert "your tickets" in sent.subject
    assert "Meeting point" in sent.body and "Место сбора" not in sent.body
    assert f"/en/shop/orders/{order.number}/" in sent.body


def test_the_e_mail_waits_in_the_queue_until_a_worker_sends_it(
    client, django_user_model, mailoutbox, django_capture_on_commit_callbacks, monkeypatch
):
    """With the production queue, paying sends nothing itself: a slow mail server cannot
    slow the checkout. The worker then sends the confirmation."""
    from django_tasks_db.models import DBTaskResult

    with override_settings(TASKS={"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}):
        with django_capture_on_commit_callbacks(execute=True):
            order, _departure = paid_booking(client, django_user_model)
        assert mailoutbox == []
        assert DBTaskResult.objects.filter(task_path__endswith="message_send").count() == 1

        # The worker closes "old" connections between tasks, which would close the test's own
        # (it runs inside a transaction that is rolled back at the end).
        monkeypatch.setattr(
            "django_tasks_db.management.commands.db_worker.close_old_connections", lambda: None
        )
        call_command("db_worker", batch=True, interval=0)

    [sent] = mailoutbox
    assert order.number in sent.subject


class BrokenMailServer:
    """The mail server refuses every message (an edge we cannot run here)."""

    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("the mail server is down")


def test_a_failed_send_is_kept_and_sent_later(
    client, django_user_model, mailoutbox, django_capture_on_commit_callbacks
):
    with (
        override_settings(EMAIL_BACKEND=f"{__name__}.BrokenMailServer"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        order, _departure = paid_booking(client, django_user_model)
    message = CustomerMessage.objects.get(order=order)
    assert message.sent_at is None and message.attempts == 1
    assert "mail server is down" in message.last_error
    assert mailoutbox == []

    call_command("customer_messages_send")
    call_command("customer_messages_send")

    assert len(mailoutbox) == 1
    message.refresh_from_db()
    assert message.sent_at is not None and message.last_error == ""


def test_a_message_being_sent_is_not_sent_again_by_a_second_sender(
    client, django_user_model, mailoutbox, django_capture_on_commit_callbacks
):
    order, _departure = paid_booking(client, django_user_model)  # on_commit not run: unsent
    message = CustomerMessage.objects.get(order=order)
    CustomerMessage.objects.filter(pk=message.pk).update(sending_since=timezone.now())

    assert message_send.call(message.pk) is False
    assert mailoutbox == []


def test_the_reminder_goes_out_once_the_day_before(
    client, django_user_model, mailoutbox, django_capture_on_commit_callbacks
):
    order, departure = paid_booking(client, django_user_model, starts_in=dt.timedelta(hours=20))
    ticket = Ticket.objects.get(order=order)

    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_departure_reminders")
    with django_capture_on_commit_callbacks(execute=True):
        call_command("send_departure_reminders")

    [reminder] = [m for m in mailoutbox if "Завтра" in m.subject]
    assert departure.local_starts_at.strftime("%H:%M") in reminder.subject
    assert ticket.code in reminder.body
    assert f"ticket-{ticket.code}.ics" in attachments(reminder)


@pytest.mark.parametrize("starts_in", [dt.timedelta(hours=1), dt.timedelta(days=3)])
def test_no_reminder_too_early_or_too_late(client, django_user_model, starts_in):
    paid_booking(client, django_user_model, starts_in=starts_in)

    assert reminders_queue() == 0


def test_no_reminder_for_a_cancelled_departure(client, django_user_model):
    _order, departure = paid_booking(client, django_user_model, starts_in=dt.timedelta(hours=20))
    Departure.objects.filter(pk=departure.pk).update(status="cancelled")

    assert reminders_queue() == 0


def test_a_reminder_for_a_departure_cancelled_meanwhile_is_not_sent(
    client, django_user_model, mailoutbox
):
    _order, departure = paid_booking(client, django_user_model, starts_in=dt.timedelta(hours=20))
    assert reminders_queue() == 1  # queued; the worker has not run yet
    Departure.objects.filter(pk=departure.pk).update(status="cancelled")

    message = CustomerMessage.objects.get(kind="reminder")
    assert message_send.call(message.pk) is False
    assert mailoutbox == []
    message.refresh_from_db()
    assert message.sent_at is None and "no longer active" in message.last_error


def test_the_html_part_is_a_whole_document(
    client, django_user_model, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        paid_booking(client, django_user_model)
    raw = mailoutbox[0].message().as_bytes()
    parsed = email.message_from_bytes(raw)
    html = next(
        part.get_payload(decode=True).decode()
        for part in parsed.walk()
        if part.get_content_type() == "text/html"
    )
    assert html.lstrip().startswith("<!doctype html>") and "</html>" in html
    assert mail.outbox[0].from_email


def test_a_closed_departure_still_gets_its_reminder(client, django_user_model):
    _order, departure = paid_booking(client, django_user_model, starts_in=dt.timedelta(hours=20))
    Departure.objects.filter(pk=departure.pk).update(status="closed")

    assert reminders_queue() == 1


def test_a_refund_stripe_has_not_confirmed_is_not_called_done(
    client, django_user_model, mailoutbox, django_capture_on_commit_callbacks
):
    from shop.customercare.services import departure_cancelled_queue

    order, departure = paid_booking(client, django_user_model)
    with django_capture_on_commit_callbacks(execute=True):
        departure_cancelled_queue(
            order=order,
            departure=departure,
            refunded="900.00",
            reason="Шторм",
            refund_pending=True,
        )

    [sent] = mailoutbox
    assert "ещё не подтвердил" in sent.body and "Мы вернули" not in sent.body
