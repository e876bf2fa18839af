"""A customer's own changes to a booking: cancel it, cancel some of its people, move it to
another date of the same tour.

Each change is one service that owns its transaction: under the order's and the ticket's row
locks it re-checks the tour's rule (shop/bookings/change_selectors.py), changes the seats with
the guarded allocation of shop/order/utils.py, the order lines and the tickets, records a
`BookingChange`, writes the activity entry naming the customer and queues the e-mail in the
order's language. The money goes back afterwards, through the payment layer only
(`order_refund` with the key `booking-change-<id>`), once the change is committed: no
provider is called while rows are locked, a retry sends the same refund, and a crash in
between is caught up by `bookings_settle` (`booking_changes_refund_missing`).

Every change carries the one-time key of the form that asked for it: the same form sent twice
(a double tap, a retried request) finds the first change and changes nothing more.

Moving to a dearer date needs the difference paid first. `booking_move` then records the
change as AWAITING_PAYMENT and changes nothing else; the payment layer's supplementary payment
(shop/payments/supplements.py) authorises the difference, and `attempt_settle` calls
`booking_change_apply_paid` under its lock, whichever comes first of the customer's return and
the provider's notification: the move is applied once (the change remembers the attempt that
paid it), then the money is captured. If the date filled meanwhile the change is NOT_APPLIED
and the authorisation released: nothing charged, the booking as it was. A pay step left
unfinished runs out (`booking_changes_expire`, from `bookings_settle` and the task worker).
"""

import datetime as dt
import logging
import uuid
from decimal import Decimal

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task
from oscar.core.loading import get_model

from shop.activity import kinds
from shop.activity.actors import SystemProcess, customer_of, system, system_process
from shop.activity.services import activity_record
from shop.bookings.change_selectors import (
    DEARER,
    Booking,
    booking_change_refusal,
    booking_load,
    move_quote,
    moved_line_prices,
)
from shop.bookings.models import (
    BookingChange,
    ChangeKind,
    ChangeStatus,
    Departure,
    Ticket,
    TicketVoid,
)
from shop.bookings.options import BOOKING_OPTION
from shop.bookings.selectors import departures_with_booking_data
from shop.bookings.tickets import ticket_issue
from shop.customercare.models import MessageKind
from shop.customercare.services import message_queue, order_language
from shop.order.services import line_units_cancel, order_cancel_if_empty
from shop.order.utils import stock_allocate, stock_release

logger = logging.getLogger(__name__)

Order = get_model("order", "Order")
Line = get_model("order", "Line")
LineAttribute = get_model("order", "LineAttribute")
StockRecord = get_model("partner", "StockRecord")


class ChangeRefused(ValueError):
    """The change cannot be made; the message is for the customer."""


def _customer_user(order, user):
    """The signed-in user when they are the order's customer (a guest otherwise)."""
    if user is not None and user.is_authenticated and order.user_id == user.pk:
        return user
    return None


def _existing(key: str, ticket: Ticket) -> BookingChange | None:
    change = BookingChange.objects.filter(key=key).first()
    if change is not None and change.ticket_id != ticket.pk:
        raise ChangeRefused(_("This form was already used for another booking."))
    return change


def _lock(ticket: Ticket) -> Booking:
    """Lock the order and the ticket (in that order, as every service does) and read the
    booking as it is now."""
    Order.objects.select_for_update().get(pk=ticket.order_id)
    ticket = (
        Ticket.objects.select_for_update(of=("self",))
        .select_related("order", "departure__tour__product")
        .get(pk=ticket.pk)
    )
    return booking_load(ticket)


def locked_target(from_id: int, to_id: int) -> Departure | None:
    """Both departures of a move locked in one order (ids ascending, as the order creator
    does), and the new one loaded with its booking data; None when it does not exist."""
    list(Departure.objects.select_for_update().filter(pk__in=[from_id, to_id]).order_by("pk"))
    return (
        departures_with_booking_data(Departure.objects.filter(pk=to_id))
        .select_related("tour__product")
        .first()
    )


def line_move(line, option, target, record, ref: str, **fields) -> None:
    """One order line of a booking, in place, on `target`: its product and seats (`record`,
    allocated already), its price at the new date's fare keeping its share of discounts, and
    the booking's new reference `ref` (its new ticket's). `fields`: more of the line's."""
    prices = moved_line_prices(line, target.fare_for(option["ticket_type"]).price)
    Line.objects.filter(pk=line.pk).update(
        product=target.product,
        stockrecord=record,
        partner_sku=record.partner_sku,
        upc=target.product.upc,
        title=str(target.product),
        num_allocated=line.quantity,
        allocation_cancelled=False,
        **prices,
        **fields,
    )
    for attribute in line.attributes.all():
        if attribute.option.code == BOOKING_OPTION and isinstance(attribute.value, dict):
            LineAttribute.objects.filter(pk=attribute.pk).update(
                value={**attribute.value, "ref": ref}
            )


def paid_already(change: BookingChange, paid_with: str) -> bool:
    """Whether the payment `paid_with` has applied `change` already (the caller returns it);
    raises ChangeRefused when another payment did, or the change no longer waits for one."""
    if change.paid_with:
        if change.paid_with == paid_with:
            return True
        raise ChangeRefused(_("This change has already been paid for."))
    if change.status != ChangeStatus.AWAITING_PAYMENT:
        raise ChangeRefused(change.message or _("This change is no longer waiting for payment."))
    return False


def _set_participants(booking: Booking, names: list[str]) -> None:
    """Write the booking's other participants' names on each of its lines still on."""
    for line, _option in booking.lines:
        for attribute in line.attributes.all():
            if attribute.option.code == BOOKING_OPTION and isinstance(attribute.value, dict):
                LineAttribute.objects.filter(pk=attribute.pk).update(
                    value={**attribute.value, "participants": names}
                )


def _refund_after_commit(change: BookingChange) -> None:
    if change.refund_amount > 0:
        pk = change.pk
        transaction.on_commit(lambda: booking_change_refund(BookingChange.objects.get(pk=pk)))


def _tell_customer(change: BookingChange, kind: str) -> None:
    message_queue(
        kind=kind,
        order=change.order,
        key=f"booking-change-{change.pk}",
        ticket=change.new_ticket or change.ticket,
        details={"change": change.pk},
    )


# --- Cancelling ----------------------------------------------------------------------------


def booking_cancel(
    *,
    ticket: Ticket,
    key: str,
    user=None,
    people: dict[str, int] | None = None,
    names_removed: list[str] | tuple = (),
) -> BookingChange:
    """Cancel the booking of `ticket`, whole (`people` None) or some of its people (`people`:
    how many of each ticket type), while the tour's rule allows it.

    Their seats go back on sale (and to the waiting list), what was paid for them after
    discounts goes back to the card, and the ticket is void (whole) or counts fewer people.
    `names_removed` are other participants' names taken off the booking. `user` is the
    signed-in visitor, named in the log when the order is theirs.
    """
    if change := _existing(key, ticket):
        return change
    now = timezone.now()
    with transaction.atomic():
        booking = _lock(ticket)
        if change := _existing(key, ticket):
            return change
        ticket, order = booking.ticket, booking.order
        if reason := booking_change_refusal(booking, now):
            raise ChangeRefused(reason)
        have = booking.quantities
        wanted = dict(have) if people is None else {c: n for c, n in people.items() if n}
        if any(n < 0 or n > have.get(code, 0) for code, n in wanted.items()):
            raise ChangeRefused(_("The booking does not have that many people of this type."))
        cancelled = sum(wanted.values())
        if cancelled < 1:
            raise ChangeRefused(_("Choose at least one person to cancel."))
        whole = cancelled == booking.people
        names = list(booking.participants)
        removed = [name for name in names_removed if name in names]
        if len(set(removed)) != len(set(names_removed)):
            raise ChangeRefused(_("These names are not on the booking."))
        if len(removed) > cancelled:
            raise ChangeRefused(_("More names are taken off than people cancelled."))
        if not whole and len(names) - len(removed) > booking.people - cancelled - 1:
            raise ChangeRefused(
                _("Tick the names of the people who are not coming (one name for each person).")
            )
        paid = Decimal("0.00")
        left = dict(wanted)
        for line, option in booking.lines:
            take = min(left.get(option["ticket_type"], 0), line.quantity)
            if take:
                _part, share = line_units_cancel(line, take)
                paid += share
                left[option["ticket_type"]] -= take
        from shop.payments.services import order_refundable

        refund = max(min(paid, order_refundable(order)), Decimal("0.00"))
        before = {"ticket": ticket.code, "people": booking.people}
        if whole:
            ticket.voided_at = now
            ticket.void_reason = TicketVoid.CANCELLED
            ticket.save(update_fields=["voided_at", "void_reason"])
        else:
            ticket.people -= cancelled
            ticket.save(update_fields=["people"])
            remaining = [name for name in names if name not in removed]
            if remaining != names:
                _set_participants(booking_load(ticket), remaining)
        change = BookingChange.objects.create(
            key=key,
            order=order,
            ticket=ticket,
            kind=ChangeKind.CANCEL if whole else ChangeKind.CANCEL_PART,
            from_departure=booking.departure,
            people=cancelled,
            tickets=wanted,
            names_removed=removed,
            refund_amount=refund,
            by_user=_customer_user(order, user),
            applied_at=now,
        )
        actor = customer_of(order)
        activity_record(
            actor=actor,
            action=kinds.BOOKING_CANCELLED if whole else kinds.BOOKING_PART_CANCELLED,
            order=order,
            departure=booking.departure,
            before=before,
            after={
                "ticket": ticket.code,
                "people": cancelled,
                "left": booking.people - cancelled,
                "tickets": wanted,
                "refund": str(refund),
            },
        )
        order_cancel_if_empty(order=order, actor=actor, reason=_("Cancelled by the customer"))
        _tell_customer(change, MessageKind.BOOKING_CANCELLED)
        _refund_after_commit(change)
    return change


# --- Moving to another date ----------------------------------------------------------------


def booking_move(*, ticket: Ticket, to_departure: Departure, key: str, user=None) -> BookingChange:
    """Move the booking of `ticket` to another departure of the same tour.

    The new date's seats are allocated (guarded) before the old ones are released, in one
    transaction: if the new date fills meanwhile, nothing changes. A cheaper date gives the
    difference back (what was paid keeps its share of discounts); a dearer one is recorded as
    waiting for the difference to be paid and applied once it is (see the module's note).
    """
    if change := _existing(key, ticket):
        return change
    now = timezone.now()
    with transaction.atomic():
        booking = _lock(ticket)
        if change := _existing(key, ticket):
            return change
        if reason := booking_change_refusal(booking, now):
            raise ChangeRefused(reason)
        target = locked_target(booking.departure.pk, to_departure.pk)
        if target is None or target.tour_id != booking.departure.tour_id:
            raise ChangeRefused(_("Choose one of this tour's dates."))
        quote = move_quote(booking, target, now)
        if quote.refusal:
            raise ChangeRefused(quote.refusal)
        # A form of the same booking sent for a dearer date before: that change is the one
        # being paid for (the customer came back to the pay step), not a second one.
        if quote.difference > 0 and (
            waiting := BookingChange.objects.filter(
                ticket=booking.ticket,
                to_departure=target,
                status=ChangeStatus.AWAITING_PAYMENT,
                amount_due=quote.difference,
            ).first()
        ):
            return waiting
        change = BookingChange.objects.create(
            key=key,
            order=booking.order,
            ticket=booking.ticket,
            kind=ChangeKind.MOVE,
            status=ChangeStatus.AWAITING_PAYMENT if quote.difference > 0 else ChangeStatus.APPLIED,
            from_departure=booking.departure,
            to_departure=target,
            people=booking.people,
            tickets=booking.quantities,
            refund_amount=quote.refund,
            amount_due=max(quote.difference, Decimal("0.00")),
            by_user=_customer_user(booking.order, user),
        )
        if change.status == ChangeStatus.AWAITING_PAYMENT:
            _expire_later(change)
        return booking_change_apply(change, booking=booking, target=target)


def booking_change_apply(
    change: BookingChange, *, booking=None, target=None, actor=None
) -> BookingChange:
    """Carry out a recorded move (inside the caller's transaction, rows locked): the one place
    a booking changes its date. A move still waiting for its difference to be paid is left
    as it is (`booking_change_apply_paid` applies it once paid)."""
    if change.kind != ChangeKind.MOVE or change.applied_at is not None:
        return change
    if change.amount_due > 0 and not change.paid_with:
        return change
    now = timezone.now()
    booking = booking or booking_load(change.ticket)
    target = target or change.to_departure
    old_ticket = booking.ticket
    new_record = StockRecord.objects.filter(product_id=target.pk).first()
    if new_record is None or not stock_allocate(new_record.pk, booking.people):
        raise ChangeRefused(
            _("The seats on that date have just been taken: your booking has not changed.")
        )
    new_ref = uuid.uuid4().hex
    for line, option in booking.lines:
        held = line.num_allocated or 0
        if held and line.stockrecord_id and not line.allocation_cancelled:
            stock_release(line.stockrecord_id, held)
        line_move(line, option, target, new_record, new_ref)
    new_ticket = ticket_issue(
        order=booking.order,
        departure_id=target.pk,
        ref=new_ref,
        people=booking.people,
        lead_name=old_ticket.lead_name,
        lead_phone=old_ticket.lead_phone,
    )
    old_ticket.voided_at = now
    old_ticket.void_reason = TicketVoid.MOVED
    old_ticket.replaced_by = new_ticket
    old_ticket.save(update_fields=["voided_at", "void_reason", "replaced_by"])
    change.new_ticket = new_ticket
    change.status = ChangeStatus.APPLIED
    change.applied_at = now
    change.save(update_fields=["new_ticket", "status", "applied_at"])
    activity_record(
        actor=actor or customer_of(booking.order),
        action=kinds.BOOKING_MOVED,
        order=booking.order,
        departure=target,
        before={"ticket": old_ticket.code, "starts_at": booking.departure.starts_at.isoformat()},
        after={
            "ticket": new_ticket.code,
            "starts_at": target.starts_at.isoformat(),
            "people": booking.people,
            "refund": str(change.refund_amount),
            "paid": str(change.amount_due),
        },
    )
    _tell_customer(change, MessageKind.BOOKING_MOVED)
    _refund_after_commit(change)
    return change


# --- A dearer date, once its difference is paid -----------------------------------------------


def booking_change_apply_paid(*, change_id: int, paid_with: str, actor=None) -> BookingChange:
    """Apply a move whose difference the payment `paid_with` (an attempt's key) has just
    authorised, inside the caller's transaction (the payment layer's settle step, which holds
    the attempt's lock and captures only after this commits).

    Once: a change applied already by this payment is returned as it is; by another payment,
    or no longer waiting (ran out, not applied), is refused, and the caller releases the
    money. The booking and the new date are checked again as `booking_move` checks them, and
    the difference must still be what is being paid. Raises ChangeRefused (the booking is
    unchanged; the caller records why with `booking_change_not_applied`).
    """
    change = BookingChange.objects.select_related("ticket").get(pk=change_id)
    if change.rebook_offer_id:
        # Another date instead of the refund: the booking is the offer's cancelled lines.
        from shop.bookings.rebooking import rebook_offer_apply_paid

        return rebook_offer_apply_paid(change_id=change_id, paid_with=paid_with, actor=actor)
    booking = _lock(change.ticket)
    change = BookingChange.objects.select_for_update().get(pk=change_id)
    if paid_already(change, paid_with):
        return change
    now = timezone.now()
    if reason := booking_change_refusal(booking, now):
        raise ChangeRefused(reason)
    target = locked_target(booking.departure.pk, change.to_departure_id)
    quote = move_quote(booking, target, now)
    if quote.refusal and quote.problem != DEARER:
        raise ChangeRefused(quote.refusal)
    if quote.difference != change.amount_due:
        raise ChangeRefused(
            _("The price of that date changed while you were paying: choose it again.")
        )
    change.paid_with = paid_with
    change.save(update_fields=["paid_with"])
    return booking_change_apply(change, booking=booking, target=target, actor=actor)


def booking_change_not_applied(*, change_id: int, why: str) -> None:
    """The change waiting for payment will not be applied (the date filled, the price
    changed): it says why, and the booking stays as it was."""
    with transaction.atomic():
        change = BookingChange.objects.select_for_update().get(pk=change_id)
        if change.status != ChangeStatus.AWAITING_PAYMENT or change.paid_with:
            return
        change.status = ChangeStatus.NOT_APPLIED
        change.message = str(why)
        change.save(update_fields=["status", "message"])


def booking_changes_expire(*, now=None) -> int:
    """Moves waiting for payment longer than BOOKING_CHANGE_PAYMENT_MINUTES: their payments
    are settled first through the payment layer (one may have been paid just now and is then
    applied); the rest run out, the booking as it was. They took nothing, so they free
    nothing. Returns how many ran out."""
    from django.conf import settings

    from shop.payments.supplements import supplements_settle

    now = now or timezone.now()
    cutoff = now - dt.timedelta(minutes=settings.BOOKING_CHANGE_PAYMENT_MINUTES)
    waiting = BookingChange.objects.filter(
        status=ChangeStatus.AWAITING_PAYMENT, created_at__lt=cutoff
    )
    expired = 0
    for change in waiting.order_by("pk"):
        if not supplements_settle(change):
            continue  # the payment service did not answer: asked again on the next run
        with transaction.atomic():
            change = BookingChange.objects.select_for_update().get(pk=change.pk)
            if change.status != ChangeStatus.AWAITING_PAYMENT or change.paid_with:
                continue
            change.status = ChangeStatus.EXPIRED
            with translation.override(order_language(change.order)):
                change.message = _("The difference was not paid in time: the booking is unchanged.")
            change.save(update_fields=["status", "message"])
            expired += 1
    return expired


def _expire_later(change: BookingChange) -> None:
    """Ask the task worker to let the pay step run out when its time is up (a worker that
    cannot wait is covered by `bookings_settle`)."""
    from django.conf import settings

    backend = booking_changes_expire_task.get_backend()
    if not backend.supports_defer:
        return
    minutes = settings.BOOKING_CHANGE_PAYMENT_MINUTES
    until = timezone.now() + dt.timedelta(minutes=minutes, seconds=5)
    transaction.on_commit(
        lambda: booking_changes_expire_task.using(run_after=until).enqueue(), robust=True
    )


@task()
def booking_changes_expire_task() -> int:
    return booking_changes_expire()


def move_actor(order):
    """Who applies a paid move: the customer when their own request settles the payment, the
    shop itself when a provider's notification or the reconciliation job does."""
    from shop.activity.actors import current_process

    if current_process() == SystemProcess.CHECKOUT:
        return customer_of(order)
    return system()


# --- The money ------------------------------------------------------------------------------


def _refund_reason(change: BookingChange) -> str:
    with translation.override(order_language(change.order)):
        if change.kind == ChangeKind.MOVE:
            return _("Booking moved to a cheaper date")
        return _("Booking cancelled by the customer")


def booking_change_refund(change: BookingChange):
    """Send what the change gives back through the payment layer; the same change never
    refunds twice (its key). Returns the refund, or None when there is nothing to send or the
    payment service did not answer (the refund then stays pending for reconciliation)."""
    from shop.payments.services import RefundError, order_refund, order_refundable

    if change.refund_amount <= 0:
        return None
    order = change.order
    with system_process(SystemProcess.BOOKING_CHANGE):
        refund = order.refunds.filter(idempotency_key=change.refund_key).first()
        amount = change.refund_amount
        if refund is None:
            amount = min(amount, order_refundable(order))
            if amount <= 0:
                logger.error("Booking change %s: nothing left to refund on the order", change.pk)
                return None
        try:
            return order_refund(
                order=order,
                amount=amount,
                actor=None,
                reason=_refund_reason(change),
                key=change.refund_key,
            )
        except RefundError:
            logger.warning("Refund of booking change %s is pending", change.pk, exc_info=True)
            return None


def booking_changes_refund_missing() -> int:
    """Refunds of applied changes that never reached the payment layer (a crash right after
    the change was committed): sent now. Returns how many were sent or re-sent."""
    from shop.payments.models import Refund

    keys = set(
        Refund.objects.filter(idempotency_key__startswith="booking-change-").values_list(
            "idempotency_key", flat=True
        )
    )
    sent = 0
    changes = BookingChange.objects.filter(
        status=ChangeStatus.APPLIED, refund_amount__gt=0
    ).select_related("order")
    for change in changes:
        if change.refund_key in keys:
            continue
        if booking_change_refund(change) is not None:
            sent += 1
    return sent
