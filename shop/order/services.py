"""Cancelling orders and lines: the seats and stock they held go back on sale."""

import logging
from decimal import ROUND_HALF_UP, Decimal

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


def units_share(amount, part: int, whole: int) -> Decimal:
    """`part` of `whole` units' worth of `amount`, to the kopeck."""
    if part == whole:
        return amount
    return (amount * part / whole).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def line_units_cancel(line, quantity: int) -> tuple[object, Decimal]:
    """Cancel `quantity` units of a line and free their seats or pieces, inside the caller's
    transaction (the caller records the action); returns the cancelled line and what those
    units were paid, after discounts.

    All of a line: the line itself is cancelled. Part of it (one person of three): the line
    keeps the rest and a cancelled line is split off it with the cancelled units and their
    share of its prices (to the kopeck, rounded half up; the units left keep the remainder, so
    the lines still add up to what was paid). The split line keeps the original's options, so
    it stays part of the same booking.
    """
    if not 0 < quantity <= line.quantity or line.status == LineStatus.CANCELLED:
        raise OrderChangeError(_("There are not that many to cancel."))
    if quantity == line.quantity:
        paid = line.line_price_incl_tax
        _release(line)
        line.status = LineStatus.CANCELLED
        line.save(update_fields=["status"])
        return line, paid
    prices = [
        "line_price_incl_tax",
        "line_price_excl_tax",
        "line_price_before_discounts_incl_tax",
        "line_price_before_discounts_excl_tax",
    ]
    shares = {name: units_share(getattr(line, name), quantity, line.quantity) for name in prices}
    attributes = list(line.attributes.all())
    part = Line.objects.get(pk=line.pk)
    part.pk = part.id = None
    part.quantity = quantity
    part.status = LineStatus.CANCELLED
    part.num_allocated = 0
    part.allocation_cancelled = True
    for name, share in shares.items():
        setattr(part, name, share)
    part.save()
    for attribute in attributes:
        part.attributes.create(option=attribute.option, type=attribute.type, value=attribute.value)
    held = min(line.num_allocated or 0, quantity)
    releasable = held and line.stockrecord_id and not line.allocation_cancelled
    if releasable and not stock_release(line.stockrecord_id, held):
        logger.error("Order line %s: could not release %s units", line.pk, held)
    line.quantity -= quantity
    line.num_allocated = max((line.num_allocated or 0) - held, 0)
    for name, share in shares.items():
        setattr(line, name, getattr(line, name) - share)
    line.save(update_fields=["quantity", "num_allocated", *prices])
    return part, shares["line_price_incl_tax"]


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


def order_cancel_if_empty(*, order, actor, reason: str = "") -> bool:
    """Mark the order cancelled when none of its lines is left (inside the caller's
    transaction, the order row locked); True when it was."""
    if (
        order.status == OrderStatus.CANCELLED
        or order.lines.exclude(status=LineStatus.CANCELLED).exists()
    ):
        return False
    _mark_order_cancelled(order, actor, reason)
    return True


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
