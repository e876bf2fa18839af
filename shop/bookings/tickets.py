"""Tickets for paid bookings, and checking people in at the meeting point.

Check-in follows the calendar: it opens at midnight (Baikalsk time) of the departure's day
and closes at the midnight after it (or when the tour ends, if later). The day before, a
guide may check a group in early by saying so explicitly; the entry in the log says it was
early. "Did not come" can be marked only once the tour has started. Both have an undo, which
is logged too: nothing is erased.
"""

import datetime as dt
import secrets
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from shop.activity import kinds
from shop.activity.services import activity_record
from shop.bookings.models import SHORT_CODE_ALPHABET, Departure, DepartureStatus, Ticket
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
    tickets = []
    for (departure_id, ref), row in bookings.items():
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
                        **row,
                    )
            except IntegrityError:
                ticket = existing.first()  # a code clash retries; a duplicate is found
        tickets.append(ticket)
    return tickets


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


@dataclass(frozen=True)
class CheckInWindow:
    early_from: dt.datetime  # the day before: only when the guide says it is early
    opens: dt.datetime  # midnight of the departure's day, local time
    closes: dt.datetime
    starts: dt.datetime

    def allows_check_in(self, now: dt.datetime, *, early: bool = False) -> bool:
        return (self.early_from if early else self.opens) <= now < self.closes

    def allows_early_check_in(self, now: dt.datetime) -> bool:
        return self.early_from <= now < self.opens

    def allows_no_show(self, now: dt.datetime) -> bool:
        return self.starts <= now < self.closes


def check_in_window(departure: Departure) -> CheckInWindow:
    local = departure.local_starts_at
    opens = timezone.make_aware(dt.datetime.combine(local.date(), dt.time.min), local.tzinfo)
    midnight_after = timezone.make_aware(
        dt.datetime.combine(local.date() + dt.timedelta(days=1), dt.time.min), local.tzinfo
    )
    return CheckInWindow(
        early_from=timezone.make_aware(
            dt.datetime.combine(local.date() - dt.timedelta(days=1), dt.time.min), local.tzinfo
        ),
        opens=opens,
        closes=max(midnight_after, departure.ends_at),
        starts=departure.starts_at,
    )


def _refuse_outside_the_window(departure, now, *, early=False) -> None:
    window = check_in_window(departure)
    if window.allows_check_in(now, early=early):
        return
    when = date_format(timezone.localtime(window.opens), "j E")
    if now >= window.closes:
        raise CheckInError(_("This tour was on %(day)s: check-in is closed.") % {"day": when})
    if window.allows_early_check_in(now):
        raise CheckInError(
            _(
                "Check-in opens on the day of the tour (%(day)s). Checking in the day before "
                "needs the “early check-in” box ticked."
            )
            % {"day": when}
        )
    raise CheckInError(_("Check-in opens on the day of the tour: %(day)s.") % {"day": when})


def ticket_check_in(
    *, departure: Departure, code: str, actor, early: bool = False, now=None
) -> Ticket:
    """Check a booking in by its code; `early` says the guide means to do it the day before."""
    code = code_from_input(code)
    now = now or timezone.now()
    departure = Departure.objects.select_related("tour").get(pk=departure.pk)
    if departure.status == DepartureStatus.CANCELLED:
        raise CheckInError(_("This departure is cancelled: its tickets are void."))
    _refuse_outside_the_window(departure, now, early=early)
    early = now < check_in_window(departure).opens
    with transaction.atomic():
        ticket = (
            Ticket.objects.select_for_update(of=("self",))
            .select_related("order", "departure", "checked_in_by")
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
        if not ticket.order.is_active or not _booking_active(ticket):
            raise CheckInError(_("This booking is cancelled."))
        if ticket.checked_in_at:
            raise CheckInError(
                _("Already checked in at %(time)s by %(name)s.")
                % {
                    "time": date_format(timezone.localtime(ticket.checked_in_at), "H:i"),
                    "name": _name(ticket.checked_in_by),
                }
            )
        ticket.checked_in_at = now
        ticket.checked_in_by = actor
        ticket.no_show_at = None
        ticket.no_show_by = None
        ticket.save(update_fields=["checked_in_at", "checked_in_by", "no_show_at", "no_show_by"])
        after = {"checked_in": True, "ticket": ticket.code, "people": ticket.people}
        if early:
            after["early"] = True
        activity_record(
            actor=actor,
            action=kinds.TICKET_CHECKED_IN,
            order=ticket.order,
            departure=departure,
            before={"checked_in": False},
            after=after,
        )
    return ticket


def _locked_ticket(ticket) -> Ticket:
    return (
        Ticket.objects.select_for_update(of=("self",))
        .select_related("order", "departure__tour")
        .get(pk=ticket.pk)
    )


def ticket_check_in_undo(*, ticket: Ticket, actor, now=None) -> Ticket:
    """A check-in recorded by mistake (the wrong group, a mistyped code): undone, logged."""
    now = now or timezone.now()
    with transaction.atomic():
        ticket = _locked_ticket(ticket)
        if not ticket.checked_in_at:
            raise CheckInError(_("These people are not checked in."))
        if now >= check_in_window(ticket.departure).closes:
            raise CheckInError(_("The tour is over: its check-ins stay as they are."))
        before = {"checked_in": True, "at": ticket.checked_in_at.isoformat()}
        ticket.checked_in_at = None
        ticket.checked_in_by = None
        ticket.save(update_fields=["checked_in_at", "checked_in_by"])
        activity_record(
            actor=actor,
            action=kinds.TICKET_CHECK_IN_UNDONE,
            order=ticket.order,
            departure=ticket.departure,
            before=before,
            # Negative, so that the portfolio's sum of people checked in stays true.
            after={"checked_in": False, "ticket": ticket.code, "people": -ticket.people},
        )
    return ticket


def ticket_no_show(*, ticket: Ticket, actor, now=None) -> Ticket:
    now = now or timezone.now()
    with transaction.atomic():
        ticket = _locked_ticket(ticket)
        if ticket.checked_in_at:
            raise CheckInError(_("These people are checked in already."))
        if ticket.no_show_at:
            return ticket
        if ticket.departure.status == DepartureStatus.CANCELLED:
            raise CheckInError(_("This departure is cancelled: its tickets are void."))
        window = check_in_window(ticket.departure)
        if now < window.starts:
            raise CheckInError(
                _("“Did not come” can be marked once the tour has started (%(time)s).")
                % {"time": date_format(timezone.localtime(window.starts), "j E, H:i")}
            )
        if now >= window.closes:
            raise CheckInError(_("The tour is over: its check-ins stay as they are."))
        ticket.no_show_at = now
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


def ticket_no_show_undo(*, ticket: Ticket, actor, now=None) -> Ticket:
    """They came after all (late, or marked by mistake): undone, logged."""
    now = now or timezone.now()
    with transaction.atomic():
        ticket = _locked_ticket(ticket)
        if not ticket.no_show_at:
            raise CheckInError(_("These people are not marked as absent."))
        if now >= check_in_window(ticket.departure).closes:
            raise CheckInError(_("The tour is over: its check-ins stay as they are."))
        ticket.no_show_at = None
        ticket.no_show_by = None
        ticket.save(update_fields=["no_show_at", "no_show_by"])
        activity_record(
            actor=actor,
            action=kinds.TICKET_NO_SHOW_UNDONE,
            order=ticket.order,
            departure=ticket.departure,
            before={"no_show": True},
            after={"no_show": False, "ticket": ticket.code},
        )
    return ticket
