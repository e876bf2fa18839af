"""What the customer hears from us after paying: e-mails in the order's language, and the
order status page they link to.

`message_queue` writes a `CustomerMessage` (its unique key makes a second request a no-op)
and, once the transaction commits, queues `message_send` as a task. The task takes the
message, renders it in the order's language and sends it through Django's e-mail backend.
"""

import datetime as dt
import logging

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Q, prefetch_related_objects
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_tasks import task
from oscar.core.loading import get_model

from shop.bookings.models import (
    BookingChange,
    ChangeKind,
    DepartureStatus,
    OfferStatus,
    RebookOffer,
    Ticket,
    TicketVoid,
)
from shop.bookings.options import booking_of
from shop.bookings.ticket_documents import (
    site_url,
    ticket_ics,
    ticket_path,
    ticket_qr_png,
    ticket_token,
)
from shop.core.table_versions import kept
from shop.customercare.models import CustomerMessage, MessageKind
from shop.order import statuses
from shop.order.statuses import ACTIVE_ORDER_STATUSES
from shop.payments.providers.yookassa import SBP_LABEL
from shop.shipping.methods import PostRussia
from shop.team.models import OrderHandling, Stage

Order = get_model("order", "Order")

logger = logging.getLogger(__name__)

# A sender that took a message this long ago and never finished is presumed dead.
SENDING_TIMEOUT = dt.timedelta(minutes=10)
MAX_ATTEMPTS = 5


def order_language(order) -> str:
    attempt = getattr(order, "payment_attempt", None)
    language = getattr(attempt, "language", None) or settings.LANGUAGE_CODE
    codes = {code for code, _name in settings.LANGUAGES}
    return language if language in codes else settings.LANGUAGE_CODE


def order_status_path(order) -> str:
    return reverse(
        "customercare:order-status",
        kwargs={"number": order.number, "token": order.verification_hash()},
    )


def order_status_url(order) -> str:
    return site_url(order_status_path(order))


def order_status_label(order) -> str:
    """The order's state in the customer's words (the stored statuses are English codes)."""
    return statuses.order_status_label(order.status)


# --- What the order holds, for the e-mails and the status page ------------------------------


def _booking_state(ticket, lines, now) -> str:
    departure = ticket.departure
    cancelled = (
        ticket.order.is_cancelled
        or ticket.is_void
        or (lines and all(line.is_cancelled for line in lines))
    )
    if departure.status == DepartureStatus.CANCELLED:
        return "departure_cancelled"
    if cancelled:
        return "cancelled"
    if ticket.checked_in_at:
        return "checked_in"
    if ticket.no_show_at:
        return "no_show"
    if departure.starts_at + dt.timedelta(minutes=departure.tour.duration_minutes) < now:
        return "past"
    return "booked"


def _fares(pairs) -> list[dict]:
    return [
        {
            "name": booking["ticket_type_name"],
            "quantity": line.quantity,
            "price": line.line_price_incl_tax,
        }
        for line, booking in pairs
    ]


def _change_label(change) -> str:
    """What a customer's change was, in the active language (for its refund)."""
    people = ngettext("%(count)d person", "%(count)d people", change.people) % {
        "count": change.people
    }
    if change.kind == ChangeKind.MOVE:
        return _("moved to %(when)s") % {"when": change.to_departure.local_start_label()}
    if change.kind == ChangeKind.CANCEL_PART:
        return _("%(people)s cancelled") % {"people": people}
    return _("booking cancelled")


def _order_reads(order) -> dict:
    """The rows the order's summary shows: its lines, tickets (not those moved away), changes,
    open offers of another date for its cancelled departures, refunds, handling, payments."""
    lines = list(
        order.lines.select_related("product").prefetch_related("attributes__option").order_by("pk")
    )
    tickets = list(
        Ticket.objects.filter(order=order)
        .exclude(void_reason=TicketVoid.MOVED)
        .select_related("departure__tour__product", "order")
        .prefetch_related("departure__tour__translations")
        .order_by("departure__starts_at", "pk")
    )
    # The titles of the lines' products and the tickets' tours, in one query.
    products = [line.product for line in lines if line.product is not None]
    prefetch_related_objects(
        products + [ticket.departure.tour.product for ticket in tickets], "translations"
    )
    # Departures we cancelled whose refund waits for the customer's choice of another date
    # (asked only when one of the order's departures is cancelled: most orders have none).
    cancelled = {t.departure_id for t in tickets if t.departure.status == DepartureStatus.CANCELLED}
    offers = (
        {
            offer.departure_id: offer
            for offer in RebookOffer.objects.filter(
                order=order, status=OfferStatus.OPEN, departure_id__in=cancelled
            )
        }
        if cancelled
        else {}
    )
    return {
        "lines": lines,
        "tickets": tickets,
        "changes": list(
            BookingChange.objects.filter(order=order).select_related("to_departure__tour__product")
        ),
        "offers": offers,
        "refunds": list(order.refunds.filter(status__in=("pending", "succeeded"))),
        "handling": OrderHandling.objects.filter(order=order).first(),
        "payments": list(order.sources.all()),
    }


def order_summary(order) -> dict:
    """The order as the customer sees it, in the active language.

    A booking moved to another date shows as its new ticket only (the change says where it
    came from); a cancelled booking stays, marked cancelled, with what came back."""
    from shop.bookings.change_selectors import Booking, booking_change_refusal

    # What the order's rows say, kept until one of their tables is written
    # (shop/core/table_versions.py); what the clock decides is worked out below.
    reads = kept("order-summary", (order.pk,), lambda: _order_reads(order))
    lines, tickets, changes = reads["lines"], reads["tickets"], reads["changes"]
    offers, refunds = reads["offers"], reads["refunds"]
    handling, payments = reads["handling"], reads["payments"]
    now = timezone.now()
    refunds_by_key = {r.idempotency_key: r for r in refunds}
    for change in changes:
        refund = refunds_by_key.get(f"booking-change-{change.pk}")
        if refund is not None:
            refund.label = _change_label(change)
    by_ref: dict[tuple[int, str], list] = {}
    goods = []
    for line in lines:
        booking = booking_of(line)
        if booking is None:
            goods.append(line)
        else:
            by_ref.setdefault((line.product_id, booking["ref"]), []).append((line, booking))
    token = order.verification_hash()
    bookings = []
    cancelled_fares = []
    for ticket in tickets:
        pairs = by_ref.get((ticket.departure_id, ticket.booking_ref), [])
        active = [(line, b) for line, b in pairs if not line.is_cancelled]
        gone = [(line, b) for line, b in pairs if line.is_cancelled]
        departure = ticket.departure
        own_changes = [c for c in changes if ticket.pk in (c.ticket_id, c.new_ticket_id)]
        # What came back for this booking: a cancelled departure, or the customer's changes.
        refund_keys = {f"departure-{departure.pk}-order-{order.pk}"} | {
            f"booking-change-{c.pk}" for c in own_changes
        }
        shown = active or gone
        state = _booking_state(ticket, [line for line, _b in pairs], now)
        b = {
            "ticket": ticket,
            "departure": departure,
            "tour": departure.tour,
            "title": departure.tour.product.get_title(),
            "starts_at": departure.local_starts_at,
            "ends_at": timezone.localtime(
                departure.starts_at + dt.timedelta(minutes=departure.tour.duration_minutes)
            ),
            "meeting_point": departure.tour.get_meeting_point(),
            "map_url": departure.tour.meeting_point_map_url,
            "what_to_bring": departure.tour.get_what_to_bring(),
            "kinds": [(booking["ticket_type_name"], line.quantity) for line, booking in shown],
            "fares": _fares(active if state != "cancelled" else []),
            "price": sum((line.line_price_incl_tax for line, _b in active), 0),
            "participants": next((b["participants"] for _l, b in shown if b), []),
            "state": state,
            "cancel_reason": departure.reason_text,
            "refunded": sum(
                (r.amount for r in refunds if r.idempotency_key in refund_keys),
                0,
            ),
            "changes": own_changes,
            "ticket_url": site_url(ticket_path(ticket)),
            "ticket_path": ticket_path(ticket),
            "qr_path": reverse("customercare:ticket-image", kwargs={"token": ticket_token(ticket)}),
        }
        if state == "booked":
            b["change_refusal"] = booking_change_refusal(
                Booking(ticket=ticket, departure=departure, lines=active), now
            )
            b["changes_close_at"] = departure.changes_close_at
            path = {"number": order.number, "token": token, "code": ticket.code}
            b["cancel_path"] = reverse("customercare:booking-cancel", kwargs=path)
            b["move_path"] = reverse("customercare:booking-move", kwargs=path)
        if state == "departure_cancelled" and departure.pk in offers:
            offer = offers[departure.pk]
            b["offer"] = offer
            b["rebook_path"] = reverse(
                "customercare:rebook",
                kwargs={"number": order.number, "token": token, "departure": departure.pk},
            )
        bookings.append(b)
        cancelled_fares += [
            {**fare, "title": b["title"], "starts_at": b["starts_at"]} for fare in _fares(gone)
        ]
    from shop.shipping.repository import method_for_order

    stage = handling.stage if handling else Stage.CONFIRMED
    if order.is_cancelled:
        stage = Stage.CANCELLED
    return {
        "order": order,
        "status_label": order_status_label(order),
        "bookings": bookings,
        "cancelled_fares": cancelled_fares,
        "goods": [line for line in goods if not line.is_cancelled],
        "goods_stage": stage if goods else None,
        "goods_stage_label": Stage(stage).label if goods else "",
        "tracking_number": handling.tracking_number if handling else "",
        "is_post": order.shipping_code == PostRussia.code,
        "delivery_method": method_for_order(order) if goods else None,
        "payments": payments,
        # Paid by SBP: the money went from, and comes back to, a bank account, not a card.
        "paid_by_sbp": any(source.label == SBP_LABEL for source in payments),
        "refunds": refunds,
        "refunded": sum((r.amount for r in refunds), 0),
        "status_url": order_status_url(order),
    }


# --- Queueing and sending ------------------------------------------------------------------


def message_queue(
    *, kind: str, order, key: str, ticket=None, details: dict | None = None, waiting=None
) -> tuple[CustomerMessage, bool]:
    """Write the message (once per key) and send it after the transaction commits. A message
    is about an order, or (`waiting`, no order) about a place on a waiting list."""
    to = order.email if order is not None else waiting.email
    if not to:
        return None, False
    language = order_language(order) if order is not None else waiting.language
    with transaction.atomic():
        message, created = CustomerMessage.objects.get_or_create(
            key=key,
            defaults={
                "kind": kind,
                "order": order,
                "waiting": waiting,
                "ticket": ticket,
                "to": to,
                "language": language,
                "details": details or {},
            },
        )
        if created:
            pk = message.pk
            transaction.on_commit(lambda: _enqueue(pk))
    return message, created


def _enqueue(pk: int) -> None:
    try:
        message_send.enqueue(pk)
    except Exception:
        # The message stays unsent in the table; `customer_messages_send` picks it up.
        logger.exception("Could not queue customer message %s", pk)


def _take(pk: int) -> dt.datetime | None:
    """Mark the message as being sent, unless it is sent or another sender has it; returns
    the mark (None when not taken)."""
    now = timezone.now()
    taken = (
        CustomerMessage.objects.filter(pk=pk, sent_at__isnull=True)
        .filter(Q(sending_since__isnull=True) | Q(sending_since__lt=now - SENDING_TIMEOUT))
        .update(sending_since=now)
    )
    return now if taken else None


@task()
def message_send(message_id: int) -> bool:
    """Send one message; True when this call sent it. Never sends a message twice, unless the
    mail server accepted it and this process died before noting so."""
    taken_at = _take(message_id)
    if taken_at is None:
        return False
    message = CustomerMessage.objects.select_related("order", "ticket").get(pk=message_id)
    try:
        email = render_message(message)
        if email is None:
            CustomerMessage.objects.filter(pk=message_id).update(
                attempts=MAX_ATTEMPTS, last_error="Not sent: the booking is no longer active."
            )
            return False
        email.send()
    except Exception as error:
        CustomerMessage.objects.filter(pk=message_id).update(
            sending_since=None,
            attempts=message.attempts + 1,
            last_error=f"{type(error).__name__}: {error}"[:2000],
        )
        logger.exception("Could not send customer message %s", message.key)
        raise
    CustomerMessage.objects.filter(pk=message_id, sending_since=taken_at).update(
        sent_at=timezone.now(), attempts=message.attempts + 1, last_error=""
    )
    return True


def messages_send_pending() -> tuple[int, int]:
    """Send what is still unsent (the queue was down, or the mail server failed): (sent, failed)."""
    sent = failed = 0
    pending = CustomerMessage.objects.filter(sent_at__isnull=True, attempts__lt=MAX_ATTEMPTS)
    for pk in pending.values_list("pk", flat=True):
        try:
            sent += bool(message_send.call(pk))
        except Exception:
            failed += 1
    return sent, failed


def render_message(message: CustomerMessage) -> EmailMultiAlternatives | None:
    """The e-mail in the message's language; None when there is nothing left to say."""
    with translation.override(message.language):
        if message.order_id is None:
            return _render_waiting(message)
        order = message.order
        summary = order_summary(order)
        if message.ticket_id:
            summary["bookings"] = [
                b for b in summary["bookings"] if b["ticket"].pk == message.ticket_id
            ]
        if departure_id := message.details.get("departure"):
            summary["bookings"] = [
                b for b in summary["bookings"] if b["departure"].pk == departure_id
            ]
        if message.kind == MessageKind.REMINDER and not any(
            b["state"] == "booked" for b in summary["bookings"]
        ):
            return None  # cancelled or checked in since the reminder was queued
        context = {**summary, "message": message, "details": message.details}
        if change_id := message.details.get("change"):
            context["change"] = (
                BookingChange.objects.select_related("from_departure", "to_departure")
                .filter(pk=change_id)
                .first()
            )
        if message.kind == MessageKind.DEPARTURE_CANCELLED:
            context["reason"] = _cancel_reason(message.details)
            if refund_by := message.details.get("refund_by"):
                context["refund_by"] = dt.datetime.fromisoformat(refund_by)
        if message.kind == MessageKind.FEEDBACK_REQUEST:
            from shop.feedback.services import feedback_already_given, feedback_url

            if not summary["bookings"] or feedback_already_given(message.ticket):
                return None  # cancelled meanwhile, or answered before the e-mail went out
            context["feedback_url"] = feedback_url(message.ticket)
        email = _email(message, context)
        if message.kind in (
            MessageKind.CONFIRMATION,
            MessageKind.REMINDER,
            MessageKind.BOOKING_MOVED,
        ):
            for booking in summary["bookings"]:
                if booking["state"] != "booked":
                    continue
                ticket = booking["ticket"]
                email.attach(f"ticket-{ticket.code}.png", ticket_qr_png(ticket), "image/png")
                email.attach(
                    f"ticket-{ticket.code}.ics",
                    ticket_ics(ticket),
                    "text/calendar; charset=utf-8; method=PUBLISH",
                )
    return email


def _email(message, context) -> EmailMultiAlternatives:
    base = f"customercare/email/{message.kind}"
    subject = " ".join(render_to_string(f"{base}_subject.txt", context).split())
    context["subject"] = subject
    email = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string(f"{base}.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[message.to],
    )
    email.attach_alternative(render_to_string(f"{base}.html", context), "text/html")
    return email


def _render_waiting(message) -> EmailMultiAlternatives | None:
    """The waiting list's offer: the seats held, until when, the link that books them."""
    from shop.bookings.waitlist import entry_token

    entry = message.waiting
    if entry is None or not entry.holds_seats():
        return None  # booked, given up or run out since it was queued
    departure = entry.departure
    token = entry_token(entry)
    context = {
        "message": message,
        "entry": entry,
        "departure": departure,
        "title": departure.tour.product.get_title(),
        "starts_at": departure.local_starts_at,
        "hold_url": site_url(reverse("bookings:waitlist-hold", kwargs={"token": token})),
    }
    return _email(message, context)


def _cancel_reason(details: dict) -> str:
    """The reason in the message's language (older messages kept staff's words only)."""
    from shop.bookings.cancellation import reason_text
    from shop.bookings.models import CancelReason

    reason = details.get("reason", "")
    if reason in CancelReason.values:
        return reason_text(reason, details.get("note", ""))
    return reason


# --- The messages themselves ---------------------------------------------------------------


def order_confirmation_queue(order) -> None:
    message_queue(kind=MessageKind.CONFIRMATION, order=order, key=f"order-{order.pk}-confirmation")


def departure_cancelled_queue(
    *,
    order,
    departure,
    refunded,
    reason,
    note="",
    refund_pending=False,
    rebook_url=None,
    offer=None,
) -> tuple[CustomerMessage | None, bool]:
    """The departure is cancelled (shop/bookings/cancellation.py): why (a CancelReason and
    staff's words), what is refunded, and, with another date offered (`offer`), where to
    choose it or the refund now, what the refund will be and when it is made by itself."""
    offered = {}
    if offer is not None:
        offered = {"offer_amount": str(offer.amount), "refund_by": offer.refund_by.isoformat()}
    return message_queue(
        kind=MessageKind.DEPARTURE_CANCELLED,
        order=order,
        key=f"departure-{departure.pk}-order-{order.pk}-cancelled",
        details={
            "departure": departure.pk,
            "refunded": str(refunded),
            "refund_pending": refund_pending,
            "reason": reason,
            "note": note,
            "rebook_url": rebook_url or "",
            **offered,
        },
    )


# The team's steps that the customer hears about, and the e-mail each one sends. A step and
# an e-mail are different things that happen to share some words ("ready", "shipped").
STAGE_MESSAGES = {Stage.READY: MessageKind.READY, Stage.SHIPPED: MessageKind.SHIPPED}


def stage_message_queue(order, stage: str) -> None:
    """Tell the customer their gingerbread is ready for pickup or on its way."""
    kind = STAGE_MESSAGES.get(stage)
    if kind is None:
        return
    message_queue(kind=kind, order=order, key=f"order-{order.pk}-{kind}")


def reminders_queue(now: dt.datetime | None = None) -> int:
    """Queue a reminder for every booking on a departure that starts within the next day
    (from 2 to 30 hours ahead, so a daily run covers each departure once). Returns how many
    reminders are new; running it again queues nothing twice."""
    now = now or timezone.now()
    tickets = (
        Ticket.objects.filter(
            departure__starts_at__gt=now + dt.timedelta(hours=2),
            departure__starts_at__lte=now + dt.timedelta(hours=30),
            order__status__in=ACTIVE_ORDER_STATUSES,
            checked_in_at__isnull=True,
        )
        .exclude(departure__status=DepartureStatus.CANCELLED)
        .select_related("order")
    )
    new = 0
    for ticket in tickets:
        _message, created = message_queue(
            kind=MessageKind.REMINDER,
            order=ticket.order,
            key=f"ticket-{ticket.pk}-reminder",
            ticket=ticket,
        )
        new += created
    return new


def waitlist_offer_queue(entry) -> None:
    """E-mail a waiting visitor that seats are held for them (once per hold)."""
    message_queue(
        kind=MessageKind.WAITLIST_OFFER,
        order=None,
        waiting=entry,
        key=f"waitlist-{entry.pk}-offer",
    )
