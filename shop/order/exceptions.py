from django.utils.translation import gettext as _
from oscar.apps.order.exceptions import *  # noqa: F403
from oscar.apps.order.exceptions import UnableToPlaceOrder

from shop.partner.availability import PIECES, SEATS, stock_refusal


class NotEnoughStock(UnableToPlaceOrder):
    """Another customer took the last seats or pieces while this order was being placed."""

    def __init__(self, product, requested: int, left: int, *, seats: bool = False):
        self.product = product
        self.requested = requested
        self.left = max(left, 0)
        reason = stock_refusal(SEATS if seats else PIECES, left=self.left, quantity=requested)
        super().__init__(f"{product}: {reason}")


class DepartureNotBookable(UnableToPlaceOrder):
    """The departure was cancelled, closed or reached its booking cut-off."""

    def __init__(self, product, reason):
        self.product = product
        super().__init__(f"{product}: {reason}")


class PromoCodeUsedUp(UnableToPlaceOrder):
    """Another order took the last use of a promo code (or of an offer's total limit) while
    this one was being placed: its discount is gone, so the order is not placed at its price."""

    def __init__(self, code: str):
        self.code = code
        super().__init__(
            _("The promo code %(code)s has just been used up by another order.") % {"code": code}
        )
