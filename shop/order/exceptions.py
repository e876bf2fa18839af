from django.utils.translation import gettext_lazy as _
from oscar.apps.order.exceptions import *  # noqa: F403
from oscar.apps.order.exceptions import UnableToPlaceOrder


class NotEnoughStock(UnableToPlaceOrder):
    """Another customer took the last seats or pieces while this order was being placed."""

    def __init__(self, product, requested: int, left: int):
        self.product = product
        self.requested = requested
        self.left = max(left, 0)
        if self.left == 0:
            message = _("Sorry, %(product)s is sold out.") % {"product": product}
        else:
            message = _(
                "Sorry, only %(left)d left of %(product)s; you asked for %(requested)d."
            ) % {"product": product, "left": self.left, "requested": requested}
        super().__init__(message)


class DepartureNotBookable(UnableToPlaceOrder):
    """The departure was cancelled, closed or reached its booking cut-off."""

    def __init__(self, product, reason):
        self.product = product
        super().__init__(f"{product}: {reason}")
