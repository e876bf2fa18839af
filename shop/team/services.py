"""What students do with an order: claim it, move its gingerbread through the steps, correct
a step, cancel it. Each function owns its transaction and appends to the activity log."""

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from oscar.core.loading import get_model

from shop.activity import kinds
from shop.activity.services import activity_record
from shop.core.freshness import stockrecords_changed
from shop.customercare.models import MessageKind
from shop.customercare.services import message_queue, stage_message_queue
from shop.order.services import order_cancel
from shop.order.statuses import ACTIVE_ORDER_STATUSES, LineStatus
from shop.partner.strategy import departure_of
from shop.shipping.methods import PostRussia
from shop.team.models import FINAL_STAGES, OrderHandling, Stage

Order = get_model("order", "Order")
Line = get_model("order", "Line")
StockRecord = get_model("partner", "StockRecord")


FORWARD = {
    Stage.CONFIRMED: {Stage.PACKED},
    Stage.PACKED: {Stage.READY, Stage.SHIPPED},
    Stage.READY: {Stage.HANDED_OVER},
    Stage.SHIPPED: {Stage.DELIVERED},
}
BACK = {
    Stage.PACKED: Stage.CONFIRMED,
    Stage.READY: Stage.PACKED,
    Stage.SHIPPED: Stage.PACKED,
    Stage.HANDED_OVER: Stage.READY,
    Stage.DELIVERED: Stage.SHIPPED,
}
CONSUMING = {Stage.HANDED_OVER, Stage.DELIVERED}


class TeamError(ValueError):
    """The action cannot be done; the message is for the student."""


def goods_lines(order):
    """The order's lines that are goods to hand over (not tour seats)."""
    return [
        line
        for line in order.lines.select_related("product__parent", "stockrecord")
        if line.product_id and departure_of(line.product) is None
    ]


def tour_started(order, now=None) -> bool:
    """Whether a tour the order still books has started: the booking has been used, and the
    order is no longer the team's to cancel (a refund after it is the bureau's decision, made
    in the dashboard's refund panel)."""
    from shop.bookings.models import Departure

    now = now or timezone.now()
    booked = order.lines.exclude(status=LineStatus.CANCELLED).values("product_id")
    return Departure.objects.filter(pk__in=booked, starts_at__lte=now).exists()


def next_stages(order, stage) -> list[str]:
    """The steps that can follow, for this order's delivery method."""
    options = FORWARD.get(stage, set())
    if stage == Stage.PACKED:
        options = {Stage.SHIPPED} if order.shipping_code == PostRussia.code else {Stage.READY}
    return [s for s in Stage.values if s in options]


def _locked(order):
    OrderHandling.objects.get_or_create(order=order)
    handling = (
        OrderHandling.objects.select_for_update(of=("self",))
        .select_related("claimed_by", "order")
        .get(order=order)
    )
    if handling.order.status not in ACTIVE_ORDER_STATUSES or handling.stage == Stage.CANCELLED:
        raise TeamError(_("This order is cancelled: nothing more can be done with it."))
    return handling


def _who(user) -> str:
    return user.get_full_name() or user.get_username()


def order_claim(*, order, actor) -> OrderHandling:
    """ "I'm on it": the first student to claim an order gets it; the others are told who."""
    with transaction.atomic():
        handling = _locked(order)
        if handling.claimed_by_id == actor.pk:
            return handling
        if handling.claimed_by_id is not None:
            raise TeamError(
                _("%(name)s took this order at %(time)s.")
                % {
                    "name": _who(handling.claimed_by),
                    "time": date_format(timezone.localtime(handling.claimed_at), "H:i"),
                }
            )
        handling.claimed_by = actor
        handling.claimed_at = timezone.now()
        handling.save(update_fields=["claimed_by", "claimed_at", "updated_at"])
        activity_record(
            actor=actor,
            action=kinds.ORDER_CLAIMED,
            order=handling.order,
            before={"claimed_by": None},
            after={"claimed_by": _who(actor)},
        )
    return handling


def _refuse_hand_over_away_from_the_tour(order, at_departure, now) -> None:
    """Gingerbread for pickup at a tour's meeting point is handed over by the guide, there,
    on the tour's day: from that departure's manifest only."""
    from shop.team.selectors import pickup_departure

    departure = pickup_departure(order)
    if departure is None:
        return  # not a meeting-point pickup, or its tours are cancelled: the usual hand-over
    when = departure.local_start_label()
    if at_departure is None or at_departure.pk != departure.pk:
        raise TeamError(
            _(
                "This order is handed over at the meeting point of the tour on %(when)s: "
                "mark it on that tour's manifest."
            )
            % {"when": when}
        )
    if timezone.localtime(now).date() != departure.local_starts_at.date():
        raise TeamError(
            _("This order is handed over on the day of the tour: %(when)s.") % {"when": when}
        )


def order_step(
    *, order, actor, to_stage: str, tracking_number: str = "", at_departure=None, now=None
) -> OrderHandling:
    """One step forward (packed, ready, shipped, handed over, delivered). `at_departure` is
    the tour whose manifest the hand-over is marked on."""
    now = now or timezone.now()
    with transaction.atomic():
        handling = _locked(order)
        if to_stage not in next_stages(handling.order, handling.stage):
            raise TeamError(
                _("“%(step)s” cannot follow “%(current)s”.")
                % {
                    "step": Stage(to_stage).label if to_stage in Stage.values else to_stage,
                    "current": handling.get_stage_display(),
                }
            )
        if to_stage == Stage.HANDED_OVER:
            _refuse_hand_over_away_from_the_tour(handling.order, at_departure, now)
        tracking_number = tracking_number.strip()
        if to_stage == Stage.SHIPPED and not tracking_number:
            raise TeamError(_("Enter the parcel's tracking number."))
        before = {"stage": handling.stage}
        if to_stage in CONSUMING:
            _consume(handling.order)
        handling.stage = to_stage
        if to_stage != Stage.SHIPPED:
            tracking_number = ""  # a parcel number belongs to the parcel's step only
        if tracking_number:
            handling.tracking_number = tracking_number[:64]
        handling.save(update_fields=["stage", "tracking_number", "updated_at"])
        after = {"stage": to_stage}
        if tracking_number:
            after["tracking_number"] = handling.tracking_number
        activity_record(
            actor=actor, action=kinds.ORDER_STEP, order=handling.order, before=before, after=after
        )
        stage_message_queue(handling.order, to_stage)
    return handling


def order_correct(*, order, actor, reason: str) -> OrderHandling:
    """Undo the last step, as a new recorded action (nothing is erased)."""
    if not reason.strip():
        raise TeamError(_("Say what went wrong: the correction is part of the record."))
    with transaction.atomic():
        handling = _locked(order)
        previous = BACK.get(handling.stage)
        if previous is None:
            raise TeamError(_("There is no step to correct yet."))
        before = {"stage": handling.stage}
        if handling.stage in CONSUMING:
            _unconsume(handling.order)
        handling.stage = previous
        handling.save(update_fields=["stage", "updated_at"])
        activity_record(
            actor=actor,
            action=kinds.ORDER_CORRECTED,
            order=handling.order,
            before=before,
            after={"stage": previous},
            note=reason.strip(),
        )
    return handling


def order_cancel_with_refund(*, order, actor, reason: str) -> OrderHandling:
    """Cancel before hand-over: seats and stock go back, the money goes back to the card."""
    from shop.payments.services import RefundError, order_refund, order_refundable

    if not reason.strip():
        raise TeamError(_("Say why the order is cancelled."))
    with transaction.atomic():
        handling = _locked(order)
        if handling.stage in FINAL_STAGES:
            raise TeamError(_("This order has been handed over: it can no longer be cancelled."))
        if tour_started(handling.order):
            raise TeamError(
                _(
                    "The tour of this order has started: it can no longer be cancelled here. "
                    "A refund, if one is due, is made in the dashboard."
                )
            )
        before = {"stage": handling.stage}
        order_cancel(order=handling.order, actor=actor, reason=reason.strip())
        handling.stage = Stage.CANCELLED
        handling.save(update_fields=["stage", "updated_at"])
        activity_record(
            actor=actor,
            action=kinds.ORDER_STEP,
            order=handling.order,
            before=before,
            after={"stage": Stage.CANCELLED},
            note=reason.strip(),
        )
    order = handling.order
    refundable = order_refundable(order)
    failure = None
    if refundable > 0:
        try:
            order_refund(
                order=order,
                amount=refundable,
                actor=actor,
                reason=reason.strip(),
                key=f"cancel-order-{order.pk}",
            )
        except RefundError as error:
            failure = error  # pending: the reconciliation sends it
    # The customer hears of it from us, in the order's language, once.
    message_queue(
        kind=MessageKind.ORDER_CANCELLED,
        order=order,
        key=f"order-{order.pk}-cancelled",
        details={
            "refunded": str(max(refundable, 0)),
            "refund_pending": failure is not None,
        },
    )
    if failure is not None:
        raise TeamError(
            _("The order is cancelled, but the refund is not finished: %(why)s") % {"why": failure}
        ) from failure
    return handling


def _consume(order):
    """Goods leave the shelf: the allocation becomes a reduction of stock."""
    for line in goods_lines(order):
        if not line.stockrecord_id or line.allocation_cancelled or not line.num_allocated:
            continue
        changed = StockRecord.objects.filter(
            pk=line.stockrecord_id,
            num_allocated__gte=line.num_allocated,
            num_in_stock__gte=line.num_allocated,
        ).update(
            num_allocated=F("num_allocated") - line.num_allocated,
            num_in_stock=F("num_in_stock") - line.num_allocated,
        )
        if not changed:
            raise TeamError(_("The stock of %(item)s does not add up.") % {"item": line.title})
        Line.objects.filter(pk=line.pk).update(num_allocated=0)
        stockrecords_changed(line.stockrecord_id)


def _unconsume(order):
    """A hand-over recorded by mistake: put the goods back on the shelf, still allocated."""
    for line in goods_lines(order):
        if not line.stockrecord_id or line.allocation_cancelled or line.num_allocated:
            continue
        StockRecord.objects.filter(pk=line.stockrecord_id).update(
            num_allocated=F("num_allocated") + line.quantity,
            num_in_stock=F("num_in_stock") + line.quantity,
        )
        Line.objects.filter(pk=line.pk).update(num_allocated=line.quantity)
        stockrecords_changed(line.stockrecord_id)
