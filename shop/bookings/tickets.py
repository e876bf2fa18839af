"""Tickets for paid bookings, and checking people in at the meeting point."""

import secrets

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from shop.activity import kinds
from shop.activity.services import activity_record
from shop.bookings.models import SHORT_CODE_ALPHABET, Departure, Ticket, TicketVoid
from shop.bookings.options import booking_of
from shop.order.statuses import LineStatus


class CheckInError(ValueError):
    """The check-in cannot be done; the message is for the guide."""


def _new_code() -> str:
    return "".join(secrets.choice(SHORT_CODE_ALPHABET) for _ in range(8))


def tickets_issue(order) -> list[Ticket]:
    """One ticket per booking on each departure of a paid order (again: nothing new)."""
    bookings: dict[tuple[int, str], dict] = {}
    for line in order.lines.prefetch_related("attributes__option"):
        booking = booking_of(line)
        if booking is None or not line.product_id:
            continue
        key = (line.product_id, booking["ref"])
        row = bookings.setdefault(
            key,
            {"people": 0, "lead_name": booking["lead_name"], "lead_phone": booking["lead_phone"]},
        )
        row["people"] += line.quantity
    return [
        ticket_issue(order=order, departure_id=departure_id, ref=ref, **row)
        for (departure_id, ref), row in bookings.items()
    ]


def ticket_issue(*, order, departure_id: int, ref: str, **fields) -> Ticket:
    """The ticket of one booking (`ref`) on a departure, made once with a fresh short code."""
    existing = Ticket.objects.filter(order=order, departure_id=departure_id, booking_ref=ref)
    ticket = existing.first()
    while ticket is None:
        try:
            with transaction.atomic():
                ticket = Ticket.objects.create(
                    order=order,
                    departure_id=departure_id,
                    booking_ref=ref,
                    code=_new_code(),
                    **fields,
                )
        except IntegrityError:
            ticket = existing.first()  # a code clash retries; a duplicate is found
    return ticket


def _booking_active(ticket) -> bool:
    """Whether any of the booking's order lines is still on (not cancelled)."""
    for line in ticket.order.lines.filter(product_id=ticket.departure_id).prefetch_related(
        "attributes__option"
    ):
        booking = booking_of(line)
        if booking and booking["ref"] == ticket.booking_ref and line.status != LineStatus.CANCELLED:
            return True
    return False


def _name(user) -> str:
    return user.get_full_name() or user.get_username()


def code_from_input(text: str) -> str:
    """The short code in what the guide typed or scanned: the code itself, or the QR code's
    content (the ticket page's address, or its signed last part)."""
    from shop.bookings.ticket_documents import ticket_code_from_token

    text = text.strip()
    if "/" in text or ":" in text:
        token = text.rstrip("/").rsplit("/", 1)[-1]
        code = ticket_code_from_token(token) if ":" in token else None
        if code is None:
            raise CheckInError(
                _("This QR code is not one of our tickets: it is damaged or forged.")
            )
        return code
    code = "".join(text.split()).upper()
    if not code or len(code) > 12 or any(c not in SHORT_CODE_ALPHABET for c in code):
        raise CheckInError(_("This is not a ticket code."))
    return code


def ticket_check_in(*, departure: Departure, code: str, actor) -> Ticket:
    code = code_from_input(code)
    with transaction.atomic():
        ticket = (
            Ticket.objects.select_for_update(of=("self",))
            .select_related("order", "departure", "checked_in_by", "replaced_by__departure")
            .filter(code=code)
            .first()
        )
        if ticket is None:
            raise CheckInError(_("No ticket has this code."))
        if ticket.departure_id != departure.pk:
            raise CheckInError(
                _("This ticket is for another departure: %(when)s.")
                % {"when": ticket.departure.local_start_label()}
            )
        if ticket.void_reason == TicketVoid.MOVED and ticket.replaced_by_id:
            raise CheckInError(
                _("This ticket is void: the booking moved to %(when)s.")
                % {"when": ticket.replaced_by.departure.local_start_label()}
            )
        if ticket.is_void or not ticket.order.is_active or not _booking_active(ticket):
            raise CheckInError(_("This booking is cancelled."))
        if ticket.checked_in_at:
            raise CheckInError(
                _("Already checked in at %(time)s by %(name)s.")
                % {
                    "time": date_format(timezone.localtime(ticket.checked_in_at), "H:i"),
                    "name": _name(ticket.checked_in_by),
                }
            )
        ticket.checked_in_at = timezone.now()
        ticket.checked_in_by = actor
        ticket.no_show_at = None
        ticket.no_show_by = None
        ticket.save(update_fields=["checked_in_at", "checked_in_by", "no_show_at", "no_show_by"])
        activity_record(
            actor=actor,
            action=kinds.TICKET_CHECKED_IN,
            order=ticket.order,
            departure=departure,
            before={"checked_in": False},
            after={"checked_in": True, "ticket": ticket.code, "people": ticket.people},
        )
    return ticket


def ticket_no_show(*, ticket: Ticket, actor) -> Ticket:
    with transaction.atomic():
        ticket = (
            Ticket.objects.select_for_update(of=("self",))
            .select_related("order", "departure")
            .get(pk=ticket.pk)
        )
        if ticket.checked_in_at:
            raise CheckInError(_("These people are checked in already."))
        if ticket.no_show_at:
            return ticket
        ticket.no_show_at = timezone.now()
        ticket.no_show_by = actor
        ticket.save(update_fields=["no_show_at", "no_show_by"])
        activity_record(
            actor=actor,
            action=kinds.TICKET_NO_SHOW,
            order=ticket.order,
            departure=ticket.departure,
            before={"no_show": False},
            after={"no_show": True, "ticket": ticket.code},
        )
    return ticket
