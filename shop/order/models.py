from oscar.apps.order.abstract_models import AbstractLine, AbstractOrder

from shop.bookings.options import booking_description
from shop.order.statuses import ACTIVE_ORDER_STATUSES, LineStatus, OrderStatus, order_status_label


class Order(AbstractOrder):
    """Oscar's order, with its status read through shop/order/statuses.py (templates too)."""

    @property
    def status_label(self) -> str:
        return order_status_label(self.status)

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_ORDER_STATUSES

    @property
    def is_paid(self) -> bool:
        return self.status == OrderStatus.PAID

    @property
    def is_free_confirmed(self) -> bool:
        return self.status == OrderStatus.CONFIRMED

    @property
    def is_cancelled(self) -> bool:
        return self.status == OrderStatus.CANCELLED


class Line(AbstractLine):
    @property
    def description(self):
        return booking_description(self.title, self)

    @property
    def is_cancelled(self) -> bool:
        return self.status == LineStatus.CANCELLED


from oscar.apps.order.models import *  # noqa: E402, F403
