"""Cancelling a departure for everyone who booked it: the one way every screen does it.

The dashboard's tour page, the workspace's manifest and the go/no-go decision (by hand or
automatically, shop/bookings/go_no_go.py) all call `departure_cancel_for_everyone`:

1. the departure is cancelled, with the reason, under its row lock: nobody can book it and
   the tour page shows it cancelled; in the same transaction every active booking's order
   lines on it are cancelled (their seats go back to a stock nobody can buy from), which
   makes their tickets void: check-in refuses them;
2. after that commits, and never under a lock, each order is refunded what its lines on the
   departure cost, through the payment layer only, with one key per departure and order: a
   second run never refunds twice, and sends again a refund the provider did not confirm;
   or, when the staff member offers another date (`offer_rebooking`; the go/no-go's
   automatic cancellation does), the refund is scheduled instead: shop/bookings/rebooking.py
   makes it when the customer asks, or at the offer's deadline, unless they choose a date;
3. each customer is e-mailed once, in the order's language, with the reason, the refund, and
   with an offer the link to choose another date or the refund now, and the deadline.

Every step is in the activity log under the actor: a member of staff, or the system when the
go/no-go check cancels by itself.
"""

import logging
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _
from oscar.core.loading import get_model

from shop.activity import kinds
from shop.activity.actors import SystemActor
from shop.activity.services import activity_record
from shop.bookings.models import CancelReason, Departure, DepartureStatus
from shop.bookings.rebooking import rebook_offer_make, rebook_possible
from shop.order.statuses import ACTIVE_ORDER_STATUSES, LineStatus

Line = get_model("order", "Line")

logger = logging.getLogger(__name__)


class CancellationError(ValueError):
    """The departure cannot be cancelled so; the message is for the member of staff."""


@dataclass
class CancellationOutcome:
    departure: Departure
    cancelled_now: bool = False  # False: it was cancelled before (a second run)
    orders: int = 0  # bookings cancelled by this run
    refunded: int = 0  # refunds the payment provider confirmed in this run
    offered: int = 0  # bookings offered another date, their refunds scheduled
    failed: list[tuple[str, str]] = field(default_factory=list)  # (order number, why)


def refund_key(departure, order) -> str:
    """The idempotency key of the refund a departure's cancellation gives an order."""
    return f"departure-{departure.pk}-order-{order.pk}"


def departure_rebook_url(order, departure) -> str | None:
    """Where the customer of `order` can choose another date instead of the refund (the
    offer's signed page, shop/bookings/rebooking.py), or None when no date was offered."""
    from shop.bookings.models import OfferStatus, RebookOffer
    from shop.bookings.rebooking import rebook_offer_path
    from shop.customercare.services import site_url

    offer = RebookOffer.objects.filter(order=order, departure=departure).first()
    if offer is None or offer.status != OfferStatus.OPEN:
        return None
    return site_url(rebook_offer_path(offer))


def reason_text(reason: str, note: str = "") -> str:
    """The reason as staff and customers read it, in the active language."""
    label = str(CancelReason(reason).label) if reason in CancelReason.values else ""
    note = note.strip()
    if label and note:
        return f"{label}: {note}"
    return label or note


def departure_cancel_for_everyone(
    *,
    departure,
    actor,
    reason: str,
    note: str = "",
    only_below_minimum: bool = False,
    offer_rebooking: bool = False,
) -> CancellationOutcome:
    """Cancel the departure, every booking on it, refund and tell each customer; see above.
    With `offer_rebooking`, paid bookings are offered another date (when the tour has one
    with seats) and their refunds wait for the customer's choice or the deadline.

    `reason` is a CancelReason; `note` says more in staff's words (required for "another
    reason"); `actor` is a member of staff or `system(...)`. With `only_below_minimum` the
    departure is cancelled only if, under its lock, it still has fewer people than the
    tour's minimum (a booking may have come in since the decision was asked for).
    """
    from shop.order.services import order_line_cancel

    note = note.strip()[:255]
    if reason not in CancelReason.values:
        raise CancellationError(_("Choose why the departure is cancelled."))
    if reason == CancelReason.OTHER and not note:
        raise CancellationError(_("Say why the departure is cancelled."))
    outcome = CancellationOutcome(departure=departure)
    cancelled_lines: dict[int, list] = {}
    with transaction.atomic():
        departure = (
            Departure.objects.select_for_update()
            .select_related("tour__product")
            .get(pk=departure.pk)
        )
        outcome.departure = departure
        if (
            only_below_minimum
            and departure.status != DepartureStatus.CANCELLED
            and _people_booked(departure) >= departure.tour.min_group_size
        ):
            raise CancellationError(
                _("It has %(people)s people now, enough to run: it is not cancelled.")
                % {"people": _people_booked(departure)}
            )
        if departure.status != DepartureStatus.CANCELLED:
            before = {"status": departure.status, "reason": departure.status_reason}
            departure.status = DepartureStatus.CANCELLED
            departure.status_reason = note
            departure.cancel_reason = reason
            departure.save(update_fields=["status", "status_reason", "cancel_reason"])
            activity_record(
                actor=actor,
                action=kinds.DEPARTURE_CANCELLED,
                departure=departure,
                before=before,
                after={"status": DepartureStatus.CANCELLED, "reason": reason, "note": note},
                note=reason_text(reason, note),
            )
            outcome.cancelled_now = True
        lines = (
            Line.objects.filter(product_id=departure.pk, order__status__in=ACTIVE_ORDER_STATUSES)
            .exclude(status=LineStatus.CANCELLED)
            .order_by("order_id", "pk")
        )
        for line in lines:
            order_line_cancel(line=line, actor=actor, reason=reason_text(reason, note))
            cancelled_lines.setdefault(line.order_id, []).append(line)
    outcome.orders = len(cancelled_lines)

    # What to refund: this run's bookings, and refunds an earlier run left unconfirmed.
    from shop.payments.models import Refund, RefundStatus

    amounts = {
        order_id: sum((line.line_price_incl_tax for line in order_lines), Decimal("0"))
        for order_id, order_lines in cancelled_lines.items()
    }
    unfinished = Refund.objects.filter(
        idempotency_key__startswith=f"departure-{departure.pk}-order-"
    ).exclude(status=RefundStatus.SUCCEEDED)
    for refund in unfinished:
        amounts.setdefault(refund.order_id, refund.amount)
    Order = get_model("order", "Order")
    orders = Order.objects.in_bulk(list(amounts))
    offering = offer_rebooking and rebook_possible(departure)
    for order_id in sorted(amounts):
        order = orders[order_id]
        if (
            offering
            and order_id in cancelled_lines
            and _offer(order, departure, amounts, cancelled_lines)
        ):
            _tell_customer(order, departure, Decimal("0"), actor, False)
            outcome.offered += 1
            continue
        _refund_and_tell(order, departure, amounts[order_id], actor, outcome)
    return outcome


def _offer(order, departure, amounts, cancelled_lines) -> bool:
    """Another date instead of the refund, for a booking that was paid for (a free one has
    nothing to wait for)."""
    from shop.payments.services import order_refundable

    amount = min(amounts[order.pk], order_refundable(order))
    if amount <= 0:
        return False
    rebook_offer_make(
        order=order,
        departure=departure,
        amount=amount,
        lines=[line.pk for line in cancelled_lines[order.pk]],
    )
    return True


def _people_booked(departure) -> int:
    StockRecord = get_model("partner", "StockRecord")
    record = StockRecord.objects.filter(product_id=departure.pk).first()
    return (record.num_allocated or 0) if record else 0


def _refund_and_tell(order, departure, amount, actor, outcome) -> None:
    from shop.payments.models import RefundStatus
    from shop.payments.services import RefundError, order_refund, order_refundable

    key = refund_key(departure, order)
    already = order.refunds.filter(idempotency_key=key).first()
    refund_amount = already.amount if already else min(amount, order_refundable(order))
    pending = False
    if refund_amount > 0:
        try:
            refund = order_refund(
                order=order,
                amount=refund_amount,
                # The payment layer logs a refund without a named actor as the system's.
                actor=None if isinstance(actor, SystemActor) else actor,
                reason=reason_text(departure.cancel_reason, departure.status_reason),
                key=key,
            )
            outcome.refunded += refund.status == RefundStatus.SUCCEEDED
        except RefundError as error:
            # Staff retry it (here, from the order's page) and reconciliation sends it again;
            # the customer is told it is on its way.
            outcome.failed.append((order.number, str(error)))
            pending = True
    _tell_customer(order, departure, refund_amount, actor, pending)


def _tell_customer(order, departure, amount, actor, refund_pending) -> None:
    from shop.customercare.services import departure_cancelled_queue

    with transaction.atomic():
        message, created = departure_cancelled_queue(
            order=order,
            departure=departure,
            refunded=amount,
            reason=departure.cancel_reason,
            note=departure.status_reason,
            refund_pending=refund_pending,
            rebook_url=departure_rebook_url(order, departure),
            offer=_open_offer(order, departure),
        )
        if created:
            activity_record(
                actor=actor,
                action=kinds.CUSTOMER_MESSAGED,
                order=order,
                departure=departure,
                after={"message": message.key, "kind": message.kind},
            )


def _open_offer(order, departure):
    from shop.bookings.models import OfferStatus, RebookOffer

    return RebookOffer.objects.filter(
        order=order, departure=departure, status=OfferStatus.OPEN
    ).first()
