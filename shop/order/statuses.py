"""The words an order and its lines can be in: the one place that names them.

The order's status is about money: waiting for payment, paid, confirmed without payment (a
free booking), cancelled. The steps of getting gingerbread to the customer are the team's
(`shop.team.models.Stage`), not statuses. The values are stored in Oscar's `status` columns as
they are, so they never change; the labels are what a student or a customer reads.

Statuses change only through services (`shop/order/services.py`, `shop/payments/services.py`):
Oscar's status pipelines are empty in the settings, so its dashboard can set none.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class OrderStatus(models.TextChoices):
    PENDING = "Pending", _("Awaiting payment")
    PAID = "Paid", _("Paid")
    CONFIRMED = "Confirmed", _("Confirmed, nothing to pay")  # a free booking
    CANCELLED = "Cancelled", _("Cancelled")


class LineStatus(models.TextChoices):
    PENDING = "Pending", _("Awaiting payment")
    CANCELLED = "Cancelled", _("Cancelled")


# Orders that hold seats or goods someone is waiting for: paid, or confirmed for free.
ACTIVE_ORDER_STATUSES = (OrderStatus.PAID, OrderStatus.CONFIRMED)


class PaymentEventName(models.TextChoices):
    """Names of Oscar's payment events (`order.PaymentEventType`) the payment layer writes."""

    PAID = "Paid", _("Paid")
    REFUNDED = "Refunded", _("Refunded")


def order_status_label(status: str) -> str:
    """The label of a stored status; an unknown one (an old row) is shown as it is."""
    return str(OrderStatus(status).label) if status in OrderStatus.values else str(status)
