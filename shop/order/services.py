"""Cancelling orders and lines: the seats and stock they held go back on sale."""

import logging

from django.db import transaction
from django.utils.translation import gettext as _
from oscar.core.loading import get_model

from shop.activity import kinds
from shop.activity.services import activity_record
from shop.order.statuses import LineStatus, OrderStatus
from shop.order.utils import stock_release

Order = get_model("order", "Order")
Line = get_model("order", "Line")

logger = logging.getLogger(__name__)


class OrderChangeError(ValueError):
    pass


def _release(line) -> None:
    """Give the line's allocation back once, and mark it so Oscar's own event handling
    (which also looks at `num_allocated` and `allocation_cancelled`) cannot do it again."""
    if line.allocation_cancelled or not line.num_allocated or not line.stockrecord_id:
        return
    if not stock_release(line.stockrecord_id, line.num_allocated):
        logger.error(
            "Order line %s: stock record %s holds less than the %s units to release",
            line.pk,
            line.stockrecord_id,
            line.num_allocated,
        )
    Line.objects.filter(pk=line.pk).update(allocation_cancelled=True)


def order_line_cancel(*, line, actor, reason: str = ""):
    """Cancel one line (e.g. the child tickets of a booking) and free its seats or pieces."""
    with transaction.atomic():
        order = Order.objects.select_for_update().get(pk=line.order_id)
        line = Line.objects.select_related("product__parent__product_class").get(pk=line.pk)
        if line.status == LineStatus.CANCELLED:
            raise OrderChangeError(_("This line is cancelled already."))
        before = {"status": line.status}
        _release(line)
        line.status = LineStatus.CANCELLED
        line.save(update_fields=["status"])
        activity_record(
            actor=actor,
            action=kinds.LINE_CANCELLED,
            order=order,
            line=line,
            before=before,
            after={"status": LineStatus.CANCELLED},
            note=reason,
        )
        if not order.lines.exclude(status=LineStatus.CANCELLED).exists():
            _mark_order_cancelled(order, actor, reason)
    return line


def order_cancel(*, order, actor, reason: str = ""):
    """Cancel a whole order; lines not yet cancelled give their allocation back."""
    with transaction.atomic():
        order = Order.objects.select_for_update().get(pk=order.pk)
        if order.status == OrderStatus.CANCELLED:
            raise OrderChangeError(_("This order is cancelled already."))
        lines = order.lines.exclude(status=LineStatus.CANCELLED).select_related(
            "product__parent__product_class", "product__product_class"
        )
        for line in lines.order_by("stockrecord_id"):
            _release(line)
        lines.update(status=LineStatus.CANCELLED)
        _mark_order_cancelled(order, actor, reason)
    return order


def _mark_order_cancelled(order, actor, reason):
    before = {"status": order.status}
    order.status = OrderStatus.CANCELLED
    order.save(update_fields=["status"])
    activity_record(
        actor=actor,
        action=kinds.ORDER_CANCELLED,
        order=order,
        before=before,
        after={"status": OrderStatus.CANCELLED},
        note=reason,
    )
