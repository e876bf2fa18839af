"""Reads for a customer's own changes: one booking as it stands, whether it can still be
changed and why not, what cancelling gives back and which dates it can move to.

The rule is the tour's: free cancellation and date changes until `free_cancellation_hours`
before the start (`Departure.changes_close_at`); the words for every "no" live here, so the
pages, the e-mails and the services say the same thing.
"""

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from oscar.core.loading import get_model
from oscar.templatetags.currency_filters import currency

from shop.bookings.models import Departure, DepartureStatus, Ticket, TicketVoid
from shop.bookings.options import booking_of
from shop.bookings.selectors import DepartureRow, departure_row, departures_with_booking_data
from shop.core.dates import when_text
from shop.order.statuses import LineStatus
from shop.partner.availability import SEATS, stock_refusal

Line = get_model("order", "Line")

KOPECK = Decimal("0.01")


@dataclass
class Booking:
    """One booking of an order (its ticket) with the order lines it still holds."""

    ticket: Ticket
    departure: Departure
    # (line, its booking option) for each line still on, one per ticket type.
    lines: list[tuple[object, dict]] = field(default_factory=list)

    @property
    def order(self):
        return self.ticket.order

    @property
    def people(self) -> int:
        return sum(line.quantity for line, _b in self.lines)

    @property
    def paid(self) -> Decimal:
        """What was paid for the booking's seats still on, after discounts."""
        return sum((line.line_price_incl_tax for line, _b in self.lines), Decimal("0.00"))

    @property
    def quantities(self) -> dict[str, int]:
        """People per ticket type code."""
        counts: dict[str, int] = {}
        for line, booking in self.lines:
            counts[booking["ticket_type"]] = counts.get(booking["ticket_type"], 0) + line.quantity
        return counts

    @property
    def participants(self) -> list[str]:
        """The other participants' names (the lead is the ticket's)."""
        return next((b["participants"] for _line, b in self.lines), [])

    def type_names(self) -> dict[str, str]:
        return {b["ticket_type"]: b["ticket_type_name"] for _line, b in self.lines}


def booking_load(ticket: Ticket) -> Booking:
    """The booking of `ticket` with its order lines still on (fixed number of queries)."""
    lines = (
        Line.objects.filter(order_id=ticket.order_id, product_id=ticket.departure_id)
        .exclude(status=LineStatus.CANCELLED)
        .prefetch_related("attributes__option")
        .order_by("pk")
    )
    booking = Booking(ticket=ticket, departure=ticket.departure)
    for line in lines:
        option = booking_of(line)
        if option is not None and option["ref"] == ticket.booking_ref:
            booking.lines.append((line, option))
    return booking


def booking_change_refusal(booking: Booking, now: dt.datetime | None = None) -> str | None:
    """Why the customer cannot cancel or move this booking themselves now; None when they can."""
    now = now or timezone.now()
    ticket, departure = booking.ticket, booking.departure
    if ticket.void_reason == TicketVoid.MOVED:
        return _("This booking moved to another date: change it from its new ticket.")
    if ticket.is_void or not booking.lines or not booking.order.is_active:
        return _("This booking is cancelled.")
    if departure.status == DepartureStatus.CANCELLED:
        return _("We cancelled this departure: the money comes back without you asking.")
    if ticket.checked_in_at or ticket.no_show_at or departure.starts_at <= now:
        return _("The tour has started: the booking can no longer be changed.")
    if now >= departure.changes_close_at:
        return ngettext(
            "Free cancellation and date changes ended on %(when)s, %(hours)d hour before the "
            "start: the booking can no longer be cancelled or moved.",
            "Free cancellation and date changes ended on %(when)s, %(hours)d hours before the "
            "start: the booking can no longer be cancelled or moved.",
            departure.tour.free_cancellation_hours,
        ) % {
            "when": when_text(departure.changes_close_at, "date_time"),
            "hours": departure.tour.free_cancellation_hours,
        }
    return None


def cancel_quote(booking: Booking, people: dict[str, int] | None = None) -> Decimal:
    """What cancelling `people` (per ticket type; None: everyone) gives back: what was paid
    for those seats after discounts, shared as `line_units_cancel` will share it. The payment
    layer's `order_refundable` caps it."""
    from shop.order.services import units_share

    left = dict(booking.quantities if people is None else people)
    total = Decimal("0.00")
    for line, option in booking.lines:
        take = min(left.get(option["ticket_type"], 0), line.quantity)
        if take:
            total += units_share(line.line_price_incl_tax, take, line.quantity)
            left[option["ticket_type"]] -= take
    return total


# --- Moving to another date ----------------------------------------------------------------

# Why a date is not offered for a move.
SAME = "same"
CLOSED = "closed"
NO_FARE = "no_fare"
NO_SEATS = "no_seats"
DEARER = "dearer"


@dataclass
class MoveQuote:
    """What moving the booking to one departure would cost or give back."""

    row: DepartureRow
    price: Decimal  # the booking at the new date's fares, before discounts
    paid_after: Decimal  # what the seats would have cost there, after the booking's discounts
    difference: Decimal  # paid_after minus what was paid: above zero costs more
    refusal: str = ""  # why it cannot be chosen; empty when it can
    problem: str = ""

    @property
    def departure(self) -> Departure:
        return self.row.departure

    @property
    def refund(self) -> Decimal:
        return max(-self.difference, Decimal("0.00"))

    @property
    def to_pay(self) -> Decimal:
        return max(self.difference, Decimal("0.00"))

    @property
    def available(self) -> bool:
        return not self.refusal


def moved_line_prices(line, fare_price: Decimal) -> dict[str, Decimal]:
    """A line's prices at another date's fare, keeping its share of discounts: what was paid
    stays in the same proportion to the price before discounts."""
    before = (fare_price * line.quantity).quantize(KOPECK)
    if line.line_price_before_discounts_incl_tax:
        paid = (
            line.line_price_incl_tax * before / line.line_price_before_discounts_incl_tax
        ).quantize(KOPECK, rounding=ROUND_HALF_UP)
    else:
        paid = before
    return {
        "unit_price_incl_tax": fare_price,
        "unit_price_excl_tax": fare_price,
        "line_price_before_discounts_incl_tax": before,
        "line_price_before_discounts_excl_tax": before,
        "line_price_incl_tax": paid,
        "line_price_excl_tax": paid,
    }


def move_quote(booking: Booking, departure: Departure, now: dt.datetime) -> MoveQuote:
    """Moving `booking` to `departure` (loaded with departures_with_booking_data): its price
    there and whether it can be chosen now."""
    row = departure_row(departure, now)
    price = Decimal("0.00")
    paid_after = Decimal("0.00")
    missing = []
    for line, option in booking.lines:
        fare = departure.fare_for(option["ticket_type"])
        if fare is None:
            missing.append(option["ticket_type_name"])
            continue
        prices = moved_line_prices(line, fare.price)
        price += prices["line_price_before_discounts_incl_tax"]
        paid_after += prices["line_price_incl_tax"]
    quote = MoveQuote(
        row=row, price=price, paid_after=paid_after, difference=paid_after - booking.paid
    )
    if departure.pk == booking.departure.pk:
        quote.problem, quote.refusal = SAME, _("This is the booking's date.")
    elif reason := departure.closed_reason(now):
        quote.problem, quote.refusal = CLOSED, str(reason)
    elif missing:
        quote.problem = NO_FARE
        quote.refusal = _("This date has no tickets of this type: %(types)s.") % {
            "types": ", ".join(missing)
        }
    elif reason := stock_refusal(SEATS, left=row.seats_left, quantity=booking.people):
        quote.problem, quote.refusal = NO_SEATS, reason
    elif quote.difference > 0:
        # Not a refusal: the move is recorded as waiting for the difference, paid through the
        # payment layer (shop/payments/supplements.py) before it is applied.
        quote.problem = DEARER
        if not _pays_online(booking.order):
            quote.refusal = _(
                "Costs %(amount)s more: this booking was not paid online, so the difference "
                "cannot be paid here. Please write to us."
            ) % {"amount": currency(quote.difference)}
    return quote


def _pays_online(order) -> bool:
    """Whether the order was paid through a provider the difference can be paid with."""
    from shop.payments.supplements import supplement_provider

    return supplement_provider(order) is not None


def booking_move_quotes(booking: Booking, now: dt.datetime | None = None) -> list[MoveQuote]:
    """Every other upcoming departure of the booking's tour, earliest first, with what moving
    there would mean (fixed number of queries)."""
    now = now or timezone.now()
    departures = departures_with_booking_data(
        Departure.objects.filter(tour_id=booking.departure.tour_id, starts_at__gt=now)
        .exclude(pk=booking.departure.pk)
        .exclude(status=DepartureStatus.CANCELLED)
        .order_by("starts_at")
    )
    return [move_quote(booking, departure, now) for departure in departures]
