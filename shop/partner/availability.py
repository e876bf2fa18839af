"""Availability policies in the shop's own words: seats for tours, pieces for gingerbread."""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
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


class SeatsAvailable(StockRequired):
    """Seats left on an open departure."""

    def is_purchase_permitted(self, quantity):
        if self.num_available <= 0:
            return False, _("This departure is sold out.")
        if quantity > self.num_available:
            return False, ngettext(
                "Only %(count)d seat is left on this departure.",
                "Only %(count)d seats are left on this departure.",
                self.num_available,
            ) % {"count": self.num_available}
        return True, ""

    @property
    def short_message(self):
        return _("Seats available") if self.num_available > 0 else _("Sold out")

    @property
    def message(self):
        if self.num_available <= 0:
            return _("Sold out")
        return ngettext("%(count)d seat left", "%(count)d seats left", self.num_available) % {
            "count": self.num_available
        }


class PiecesInStock(StockRequired):
    """Gingerbread (and any other stocked goods)."""

    def is_purchase_permitted(self, quantity):
        if self.num_available <= 0:
            return False, _("This product is out of stock.")
        if quantity > self.num_available:
            return False, ngettext(
                "Only %(count)d piece is left in stock.",
                "Only %(count)d pieces are left in stock.",
                self.num_available,
            ) % {"count": self.num_available}
        return True, ""

    @property
    def short_message(self):
        return _("In stock") if self.num_available > 0 else _("Out of stock")

    @property
    def message(self):
        if self.num_available <= 0:
            return _("Out of stock")
        return ngettext(
            "In stock: %(count)d piece", "In stock: %(count)d pieces", self.num_available
        ) % {"count": self.num_available}
