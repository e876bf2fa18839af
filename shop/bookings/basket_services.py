"""Booking a departure into the basket: one line per ticket type, with who is coming.

Seats are not held in the basket; they are allocated when the order is placed
(shop/order/utils.py). What is checked here is that the booking could be bought right now,
with the words of shop/partner/availability.py.
"""

import uuid
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _
from oscar.core.loading import get_model

from shop.bookings.models import Departure, WaitingListEntry
from shop.bookings.options import BOOKING_OPTION, TICKET_TYPE_OPTION, line_option
from shop.partner.availability import SeatsAvailable, booking_size_refusal, departure_refusal

Option = get_model("catalogue", "Option")


class BookingError(ValueError):
    """A booking that cannot be added; the message is for the customer."""


@dataclass
class BookingRequest:
    tickets: dict[str, int]
    lead_name: str
    lead_phone: str
    participants: list[str] = field(default_factory=list)
    organisation: str = ""
    ref: str = field(default_factory=lambda: uuid.uuid4().hex)
    # The waiting-list entry whose held seats this booking takes (shop/bookings/waitlist.py).
    hold: object = None

    @property
    def people(self) -> int:
        return sum(self.tickets.values())

    def as_option(self) -> dict:
        option = {
            "ref": self.ref,
            "lead_name": self.lead_name,
            "lead_phone": self.lead_phone,
            "participants": self.participants,
            "organisation": self.organisation,
        }
        if self.hold is not None:
            option["hold"] = self.hold.pk
        return option


def basket_has_booking(basket, ref: str) -> bool:
    if not basket.id:
        return False
    return any(
        (line_option(line, BOOKING_OPTION) or {}).get("ref") == ref
        for line in basket.lines.prefetch_related("attributes__option")
    )


def basket_add_booking(basket, departure: Departure, booking: BookingRequest) -> list:
    """Put a booking into the basket as one line per ticket type.

    Seats are not held here (they are allocated when the order is placed), but nothing is
    added that could not be bought right now: the departure must have a fare for each ticket
    type and, by `departure_refusal`, be open with enough seats for this booking plus what the
    basket already holds for it.
    """
    departure = (
        Departure.objects.select_related("tour__product")
        .prefetch_related("fares__ticket_type", "product__stockrecords")
        .get(pk=departure.pk)
    )
    tour = departure.tour
    tickets = {code: qty for code, qty in booking.tickets.items() if qty}
    if any(qty < 0 for qty in tickets.values()):
        raise BookingError(_("The number of people cannot be negative."))
    people = sum(tickets.values())
    if reason := booking_size_refusal(tour, people):
        raise BookingError(reason)
    for code in tickets:
        if departure.fare_for(code) is None:
            raise BookingError(_("This departure has no such ticket type."))
    if not booking.lead_name.strip() or not booking.lead_phone.strip():
        raise BookingError(_("Give the lead participant's name and phone."))
    if tour.is_group_booking and not booking.organisation.strip():
        raise BookingError(_("Give the name of the school or organisation."))
    in_basket = 0
    if basket.id:
        in_basket = (
            basket.lines.filter(product_id=departure.pk).aggregate(total=Sum("quantity"))["total"]
            or 0
        )
    hold = booking.hold
    if hold is not None and (hold.departure_id != departure.pk or not hold.holds_seats()):
        raise BookingError(_("The seats held for you have run out or were for another date."))
    reason = departure_refusal(
        departure, people, in_basket=in_basket, held=hold.people if hold is not None else 0
    )
    if reason:
        raise BookingError(reason)
    options = {
        o.code: o for o in Option.objects.filter(code__in=[TICKET_TYPE_OPTION, BOOKING_OPTION])
    }
    lines = []
    with transaction.atomic():
        for fare in departure.fares_in_order():
            qty = tickets.get(fare.ticket_type.code)
            if not qty:
                continue
            line, _created = basket.add_product(
                departure.product,
                qty,
                options=[
                    {"option": options[TICKET_TYPE_OPTION], "value": fare.ticket_type.code},
                    {"option": options[BOOKING_OPTION], "value": booking.as_option()},
                ],
            )
            lines.append(line)
        if hold is not None:
            # From now on only this basket may use the held seats.
            WaitingListEntry.objects.filter(pk=hold.pk).update(basket=basket)
    return lines


def basket_booking_problems(
    basket, *, strategy=None, changed_line=None, new_quantity=None
) -> list[str]:
    """Why the basket's tour bookings cannot be bought as they are; empty when they can.

    Lines of one departure share its seats, so they are checked together (Oscar checks each
    line alone); each booking stays within the tour's limit per booking. With `changed_line`
    and `new_quantity`, checks the basket as it would be after that change.
    """
    from shop.partner.strategy import Selector, departure_of

    strategy = strategy or getattr(basket, "strategy", None) or Selector().strategy()
    problems = []
    per_departure: dict[int, list] = {}
    for line in basket.all_lines():
        quantity = (
            new_quantity
            if changed_line is not None and line.pk == changed_line.pk
            else line.quantity
        )
        if departure_of(line.product) is not None and quantity:
            per_departure.setdefault(line.product_id, []).append((line, quantity))
    for lines in per_departure.values():
        first = lines[0][0]
        departure = departure_of(first.product)
        label = str(departure.product)
        total = sum(quantity for _line, quantity in lines)
        info = strategy.fetch_for_product(first.product)
        availability = info.availability
        held = _held_for_lines(strategy, [line for line, _quantity in lines])
        if held and isinstance(availability, SeatsAvailable):
            availability = SeatsAvailable(availability.num_available + held)
        permitted, reason = availability.is_purchase_permitted(total)
        if not permitted:
            problems.append(f"{label}: {reason}")
            continue
        people: dict[str, int] = {}
        for line, quantity in lines:
            ref = (line_option(line, BOOKING_OPTION) or {}).get("ref", "")
            people[ref] = people.get(ref, 0) + quantity
        reason = next(
            filter(None, (booking_size_refusal(departure.tour, n) for n in people.values())),
            None,
        )
        if reason:
            problems.append(f"{label}: {reason}")
    return problems


def _held_for_lines(strategy, lines) -> int:
    """Seats the waiting list holds for these lines' basket (each hold counted once)."""
    held = {}
    for line in lines:
        hold_id = (line_option(line, BOOKING_OPTION) or {}).get("hold")
        if hold_id and hold_id not in held and hasattr(strategy, "held_for_line"):
            held[hold_id] = strategy.held_for_line(line)
    return sum(held.values())
