"""Can N seats or pieces be bought now, and if not, why: the one answer, in the shop's words.

Every place that asks (the booking form and view, the basket, checkout, the order creator
under its lock, the product and tour pages) calls `departure_refusal` or `stock_refusal`, or
reads Oscar's availability policies below, which call them too. So a customer reads the same
sentence wherever the answer is no.

The answer is only as fresh as the numbers it is given: the guarded allocation in
shop/order/utils.py is what finally stops an oversale under concurrency; these words explain it.
"""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, ngettext_lazy
from oscar.apps.partner.availability import *  # noqa: F403
from oscar.apps.partner.availability import Base, StockRequired

SEATS = "seats"
PIECES = "pieces"

WORDS = {
    SEATS: {
        "none": _("This departure is sold out."),
        "too_many": ngettext_lazy(
            "Only %(count)d seat is left on this departure.",
            "Only %(count)d seats are left on this departure.",
            "count",
        ),
        "short_some": _("Seats available"),
        "short_none": _("Sold out"),
        "left": ngettext_lazy("%(count)d seat left", "%(count)d seats left", "count"),
    },
    PIECES: {
        "none": _("This product is out of stock."),
        "too_many": ngettext_lazy(
            "Only %(count)d piece is left in stock.",
            "Only %(count)d pieces are left in stock.",
            "count",
        ),
        "short_some": _("In stock"),
        "short_none": _("Out of stock"),
        "left": ngettext_lazy("In stock: %(count)d piece", "In stock: %(count)d pieces", "count"),
    },
}


def stock_refusal(unit: str, *, left: int, quantity: int, in_basket: int = 0) -> str | None:
    """Why `quantity` more (on top of `in_basket` already chosen) cannot be had when `left`
    are free; None when they can. `unit` is SEATS or PIECES."""
    words = WORDS[unit]
    if left <= 0:
        return str(words["none"])
    if quantity + in_basket <= left:
        return None
    text = words["too_many"] % {"count": left}
    if in_basket:
        text += " " + ngettext(
            "Your basket already has %(count)d person on it.",
            "Your basket already has %(count)d people on it.",
            in_basket,
        ) % {"count": in_basket}
    return text


def departure_refusal(departure, quantity: int = 1, *, in_basket: int = 0, held: int = 0, now=None):
    """Why `quantity` people cannot book the departure now (cancelled, started, closed, not
    enough seats); None when they can. Reads the departure's stock record as loaded; `held`
    seats (kept for this visitor by the waiting list) count as theirs."""
    return departure.closed_reason(now) or stock_refusal(
        SEATS, left=departure.seats_left + held, quantity=quantity, in_basket=in_basket
    )


def booking_size_refusal(tour, people: int) -> str | None:
    """Why one booking of `people` is not allowed on the tour (none, or over its limit)."""
    if people < 1:
        return str(_("Choose at least one ticket."))
    if people > tour.max_per_booking:
        return ngettext(
            "One booking can include at most %(count)d person.",
            "One booking can include at most %(count)d people.",
            tour.max_per_booking,
        ) % {"count": tour.max_per_booking}
    return None


class NotSold(Base):
    """A product or ticket type that cannot be bought (e.g. a fare withdrawn by staff)."""

    code = "unavailable"

    def __init__(self, reason):
        self.reason = reason

    @property
    def message(self):
        return self.reason

    @property
    def short_message(self):
        return self.reason

    def is_purchase_permitted(self, quantity):
        return False, self.reason


class DepartureClosed(NotSold):
    """A departure nobody can book: cancelled, closed by staff, past its booking cut-off."""

    code = "closed"

    @property
    def short_message(self):
        return _("Booking closed")


class CountedStock(StockRequired):
    """Stock counted in units (seats, pieces), in the words of `stock_refusal`."""

    unit = None

    def is_purchase_permitted(self, quantity):
        reason = stock_refusal(self.unit, left=self.num_available, quantity=quantity)
        return reason is None, reason or ""

    @property
    def short_message(self):
        words = WORDS[self.unit]
        return words["short_some"] if self.num_available > 0 else words["short_none"]

    @property
    def message(self):
        if self.num_available <= 0:
            return WORDS[self.unit]["short_none"]
        return WORDS[self.unit]["left"] % {"count": self.num_available}


class SeatsAvailable(CountedStock):
    """Seats left on an open departure."""

    unit = SEATS


class PiecesInStock(CountedStock):
    """Gingerbread (and any other stocked goods)."""

    unit = PIECES
