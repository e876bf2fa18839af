"""Availability policies in the shop's own words: seats for tours, pieces for gingerbread."""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy
from oscar.apps.partner.availability import *  # noqa: F403
from oscar.apps.partner.availability import Base, StockRequired


class DepartureClosed(Base):
    """A departure nobody can book: cancelled, closed by staff, past its booking cut-off."""

    code = "closed"

    def __init__(self, reason):
        self.reason = reason

    @property
    def message(self):
        return self.reason

    @property
    def short_message(self):
        return _("Booking closed")

    def is_purchase_permitted(self, quantity):
        return False, self.reason


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


class CountedStock(StockRequired):
    """Stock counted in units, with the words for those units (seats, pieces)."""

    refused_none = None  # "sold out" when buying
    refused_too_many = None  # "only N left", plural on "count"
    short_some = None
    short_none = None
    left = None  # "N left", plural on "count"

    def is_purchase_permitted(self, quantity):
        if self.num_available <= 0:
            return False, self.refused_none
        if quantity > self.num_available:
            return False, self.refused_too_many % {"count": self.num_available}
        return True, ""

    @property
    def short_message(self):
        return self.short_some if self.num_available > 0 else self.short_none

    @property
    def message(self):
        if self.num_available <= 0:
            return self.short_none
        return self.left % {"count": self.num_available}


class SeatsAvailable(CountedStock):
    """Seats left on an open departure."""

    refused_none = _("This departure is sold out.")
    refused_too_many = ngettext_lazy(
        "Only %(count)d seat is left on this departure.",
        "Only %(count)d seats are left on this departure.",
        "count",
    )
    short_some = _("Seats available")
    short_none = _("Sold out")
    left = ngettext_lazy("%(count)d seat left", "%(count)d seats left", "count")


class PiecesInStock(CountedStock):
    """Gingerbread (and any other stocked goods)."""

    refused_none = _("This product is out of stock.")
    refused_too_many = ngettext_lazy(
        "Only %(count)d piece is left in stock.",
        "Only %(count)d pieces are left in stock.",
        "count",
    )
    short_some = _("In stock")
    short_none = _("Out of stock")
    left = ngettext_lazy("In stock: %(count)d piece", "In stock: %(count)d pieces", "count")
