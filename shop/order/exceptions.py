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
