"""Another date instead of the refund, when we cancel a departure.

`departure_cancel_for_everyone` (cancellation.py) releases the seats and voids the tickets at
once either way. When the staff member chooses to offer another date (the go/no-go's
automatic cancellation always does), each paid order gets a `RebookOffer` instead of an
immediate refund, and its e-mail a signed link to choose:

- another date of the same tour, of the same or a lower price (`rebook_offer_accept`): the
  cancelled lines move there in place, seat-safe (the guarded allocation under the
  departures' locks: if the date fills meanwhile nothing changes and the refund stays
  scheduled), new tickets, the order active again; a cheaper date's difference goes back
  through the payment layer (the change's refund, shop/bookings/changes.py);
- the refund now (`rebook_offer_refund`), which is otherwise made by itself at `refund_by`
  (REBOOK_OFFER_HOURS after the cancellation: the task worker at that moment,
  `manage.py bookings_settle` and the payment reconciliation as the fallbacks).

- a dearer date (`rebook_offer_accept` records a `BookingChange` waiting for the difference,
  linked to the offer): the customer pays the difference through the same pay step as their
  own move to a dearer date (shop/payments/supplements.py), and once it is authorised the
  payment layer applies it under the attempt's lock (`rebook_offer_apply_paid`): the offer
  must still be open, the date still have the seats and the same price; then the lines move
  as above and the money is captured. Otherwise nothing is charged and the offer stays as it
  was. The refund keeps its deadline while the customer pays: if it comes first, the refund
  is made and the payment released.

Each way is taken once, under the offer's row lock; the refund's key is the departure
cancellation's (`refund_key`), so whichever runs, the money goes back once.
"""

import datetime as dt
import logging
import uuid
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import CharField, Exists, OuterRef, Value
from django.db.models.functions import Cast, Concat
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task
from oscar.core.loading import get_model

from shop.activity import kinds
from shop.activity.actors import SystemProcess, customer_of, system, system_process
from shop.activity.services import activity_record
from shop.bookings.change_selectors import (
    Booking,
    MoveQuote,
    move_quote,
)
from shop.bookings.changes import (
    ChangeRefused,
    _customer_user,
    _refund_after_commit,
    _tell_customer,
    line_move,
    locked_target,
    paid_already,
)
from shop.bookings.models import (
    BookingChange,
    ChangeKind,
    ChangeStatus,
    Departure,
    DepartureStatus,
    OfferStatus,
    RebookOffer,
    Ticket,
    TicketVoid,
)
from shop.bookings.options import booking_of
from shop.bookings.selectors import departures_with_booking_data
from shop.bookings.tickets import ticket_issue
from shop.customercare.models import MessageKind
from shop.order.statuses import OrderStatus
from shop.order.utils import stock_allocate

logger = logging.getLogger(__name__)

Order = get_model("order", "Order")
Line = get_model("order", "Line")
StockRecord = get_model("partner", "StockRecord")


# --- Offering ------------------------------------------------------------------------------


def rebook_dates(departure, now=None):
    """The tour's other dates a booking of `departure` could go to now (earliest first)."""
    now = now or timezone.now()
    return departures_with_booking_data(
        Departure.objects.filter(tour_id=departure.tour_id, starts_at__gt=now)
        .exclude(pk=departure.pk)
        .exclude(status=DepartureStatus.CANCELLED)
        .order_by("starts_at")
    )


def rebook_possible(departure, now=None) -> bool:
    """Whether the tour has another date with a free seat that takes bookings now (the
    staff's choice "offer another date" is then the default)."""
    from shop.bookings.selectors import departure_row

    now = now or timezone.now()
    return any(
        departure_row(d, now).seats_left > 0 and d.closed_reason(now) is None
        for d in rebook_dates(departure, now)
    )


def rebook_offer_make(*, order, departure, amount: Decimal, lines: list[int]) -> RebookOffer:
    """The order's offer for the cancelled departure (once; a second run finds it)."""
    refund_by = timezone.now() + dt.timedelta(hours=settings.REBOOK_OFFER_HOURS)
    offer, created = RebookOffer.objects.get_or_create(
        order=order,
        departure=departure,
        defaults={"amount": amount, "lines": lines, "refund_by": refund_by},
    )
    if created:
        _refund_at_deadline(offer)
    return offer


def rebook_offer_path(offer) -> str:
    """The customer's page of the offer, under the order's signed link."""
    return reverse(
        "customercare:rebook",
        kwargs={
            "number": offer.order.number,
            "token": offer.order.verification_hash(),
            "departure": offer.departure_id,
        },
    )


def _refund_at_deadline(offer) -> None:
    backend = rebook_offer_refund_task.get_backend()
    if not backend.supports_defer:
        return
    when = offer.refund_by + dt.timedelta(seconds=5)
    transaction.on_commit(
        lambda: rebook_offer_refund_task.using(run_after=when).enqueue(offer.pk), robust=True
    )


# --- The refund ----------------------------------------------------------------------------


def rebook_offer_refund(*, offer, actor=None):
    """Refund the offer's booking now (the customer asked, or its time is up); once: an offer
    already refunded or rebooked refunds nothing more. `actor` None: the customer."""
    from shop.bookings.cancellation import reason_text, refund_key
    from shop.payments.services import RefundError, order_refund, order_refundable

    with transaction.atomic():
        offer = RebookOffer.objects.select_for_update().select_related("order").get(pk=offer.pk)
        if offer.status == OfferStatus.REBOOKED:
            raise ChangeRefused(_("You chose another date: this booking is on it."))
        first = offer.status == OfferStatus.OPEN
        if first:
            offer.status = OfferStatus.REFUNDED
            offer.decided_at = timezone.now()
            offer.save(update_fields=["status", "decided_at"])
            activity_record(
                actor=actor or customer_of(offer.order),
                action=kinds.BOOKING_REFUND_CHOSEN,
                order=offer.order,
                departure=offer.departure,
                after={"amount": str(offer.amount)},
            )
    order, departure = offer.order, offer.departure
    key = refund_key(departure, order)
    already = order.refunds.filter(idempotency_key=key).first()
    amount = already.amount if already else min(offer.amount, order_refundable(order))
    if amount <= 0:
        return None
    try:
        return order_refund(
            order=order,
            amount=amount,
            actor=None,  # the payment layer logs it as the shop's own
            reason=reason_text(departure.cancel_reason, departure.status_reason),
            key=key,
        )
    except RefundError:
        logger.warning("Refund of offer %s is pending; reconciliation sends it", offer.pk)
        return order.refunds.filter(idempotency_key=key).first()


def rebook_offers_refund_due(now=None) -> int:
    """Refund every offer whose time is up, and send again those a provider did not confirm
    (bookings_settle and the payment reconciliation call it). Returns how many were sent."""
    from shop.payments.models import Refund

    now = now or timezone.now()
    sent = 0
    due = RebookOffer.objects.filter(status=OfferStatus.OPEN, refund_by__lte=now)
    # Decided, but the refund never reached the payment layer (a crash right after).
    key = Concat(
        Value("departure-"),
        Cast("departure_id", CharField()),
        Value("-order-"),
        Cast("order_id", CharField()),
    )
    missing = (
        RebookOffer.objects.filter(status=OfferStatus.REFUNDED)
        .annotate(key=key)
        .filter(~Exists(Refund.objects.filter(idempotency_key=OuterRef("key"))))
    )
    with system_process(SystemProcess.BOOKING_CHANGE):
        for offer in [*due.order_by("pk"), *missing.order_by("pk")]:
            if rebook_offer_refund(offer=offer, actor=system()) is not None:
                sent += 1
    return sent


@task()
def rebook_offer_refund_task(offer_id: int) -> int:
    offer = RebookOffer.objects.filter(pk=offer_id, status=OfferStatus.OPEN).first()
    if offer is None or offer.refund_by > timezone.now():
        return 0
    with system_process(SystemProcess.BOOKING_CHANGE):
        return int(rebook_offer_refund(offer=offer, actor=system()) is not None)


# --- Another date --------------------------------------------------------------------------


def rebook_booking(offer) -> Booking:
    """The cancelled booking as the quotes read it: its lines, at what was paid for them."""
    lines = list(
        Line.objects.filter(pk__in=offer.lines, order_id=offer.order_id)
        .prefetch_related("attributes__option")
        .order_by("pk")
    )
    pairs = [(line, booking_of(line)) for line in lines]
    pairs = [(line, option) for line, option in pairs if option is not None]
    refs = {option["ref"] for _line, option in pairs}
    ticket = (
        Ticket.objects.filter(order_id=offer.order_id, departure_id=offer.departure_id)
        .filter(booking_ref__in=refs)
        .select_related("order", "departure__tour__product")
        .order_by("pk")
        .first()
    )
    return Booking(ticket=ticket, departure=offer.departure, lines=pairs)


def rebook_quotes(offer, now=None) -> list[MoveQuote]:
    """Every date the offer's booking could go to, with what it would cost or give back."""
    now = now or timezone.now()
    booking = rebook_booking(offer)
    return [_quote(booking, d, now) for d in rebook_dates(offer.departure, now)]


def _quote(booking, departure, now) -> MoveQuote:
    """A date for the offer's booking: as the customer's own move quotes it (a dearer date
    can be chosen when the order was paid online, its difference paid first)."""
    return move_quote(booking, departure, now)


def _offer_refusal(offer, change=None) -> str | None:
    """Why the offer can no longer be rebooked (by `change`, a pay step of it); None if it can."""
    if offer.status == OfferStatus.REFUNDED:
        return _("The booking has been refunded: book a new date, if you like.")
    if offer.status == OfferStatus.REBOOKED:
        if change is not None and offer.change_id == change.pk:
            return None
        return _("You chose another date already: this booking is on it.")
    return None


def rebook_pay_refusal(change) -> str | None:
    """Why the pay step of a dearer date chosen instead of the refund cannot be paid now."""
    offer = change.rebook_offer
    if reason := _offer_refusal(offer, change):
        return reason
    if change.status != ChangeStatus.AWAITING_PAYMENT:
        return change.message or _("This change is no longer waiting for payment.")
    if offer.refund_by <= timezone.now():
        return _("The time to choose has passed: the booking is being refunded.")
    return None


def rebook_offer_accept(*, offer, to_departure, key: str, user=None) -> BookingChange:
    """Move the offer's booking to `to_departure` instead of the refund; once (the form's key,
    and the offer's status under its lock). Raises ChangeRefused with the reason (nothing
    changes then, and the refund stays scheduled)."""
    if change := BookingChange.objects.filter(key=key).first():
        if change.pk != offer.change_id and change.rebook_offer_id != offer.pk:
            raise ChangeRefused(_("This form was already used for another booking."))
        if change.status not in (ChangeStatus.APPLIED, ChangeStatus.AWAITING_PAYMENT):
            # A dearer date's pay step that ran out or could not be applied.
            raise ChangeRefused(change.message or _("This form has been used: choose again."))
        return change
    now = timezone.now()
    with transaction.atomic():
        order = Order.objects.select_for_update().get(pk=offer.order_id)
        offer = RebookOffer.objects.select_for_update().get(pk=offer.pk)
        if reason := _offer_refusal(offer):
            raise ChangeRefused(reason)
        target = locked_target(offer.departure_id, to_departure.pk)
        booking = rebook_booking(offer)
        if (
            target is None
            or target.tour_id != offer.departure.tour_id
            or not booking.lines
            or booking.ticket is None
        ):
            raise ChangeRefused(_("Choose one of this tour's dates."))
        quote = _quote(booking, target, now)
        if quote.refusal:
            raise ChangeRefused(quote.refusal)
        if quote.difference > 0:
            return _pay_step(order, offer, booking, target, quote, key, user)
        record = _seats(target, booking)
        change = _new_change(order, offer, booking, target, key, user, refund_amount=quote.refund)
        _move_lines(order, offer, booking, target, record, change, now)
    return change


def _new_change(order, offer, booking, target, key, user, **fields) -> BookingChange:
    """The record of the offer's booking moving to `target` (its form's key, who asked)."""
    return BookingChange.objects.create(
        key=key,
        order=order,
        ticket=booking.ticket,
        kind=ChangeKind.MOVE,
        from_departure=offer.departure,
        to_departure=target,
        people=booking.people,
        tickets=booking.quantities,
        by_user=_customer_user(order, user),
        **fields,
    )


def _seats(target, booking):
    """The new date's seats for the booking (guarded), or ChangeRefused: nothing changes."""
    record = StockRecord.objects.filter(product_id=target.pk).first()
    if record is None or not stock_allocate(record.pk, booking.people):
        raise ChangeRefused(
            _(
                "The seats on that date have just been taken. Nothing has changed: choose "
                "another date, or the refund is made as planned."
            )
        )
    return record


def _pay_step(order, offer, booking, target, quote, key, user) -> BookingChange:
    """A dearer date: the move waits for its difference (the pay step). The same date chosen
    again while its pay step is open is that pay step, not a second one."""
    from shop.bookings.changes import _expire_later

    if offer.refund_by <= timezone.now():
        raise ChangeRefused(_("The time to choose has passed: the booking is being refunded."))
    waiting = BookingChange.objects.filter(
        rebook_offer=offer,
        to_departure=target,
        status=ChangeStatus.AWAITING_PAYMENT,
        amount_due=quote.difference,
    ).first()
    if waiting is not None:
        return waiting
    change = _new_change(
        order,
        offer,
        booking,
        target,
        key,
        user,
        status=ChangeStatus.AWAITING_PAYMENT,
        amount_due=quote.difference,
        rebook_offer=offer,
    )
    _expire_later(change)
    return change


def rebook_offer_apply_paid(*, change_id: int, paid_with: str, actor=None) -> BookingChange:
    """Apply a dearer date chosen instead of the refund, whose difference the payment
    `paid_with` has just authorised (inside the payment layer's transaction, as
    `booking_change_apply_paid`, which hands such changes over). Once; refused, with nothing
    changed, when the offer was refunded or rebooked meanwhile, the date filled or its price
    changed (the caller then releases the money)."""
    pending = BookingChange.objects.get(pk=change_id)
    order = Order.objects.select_for_update().get(pk=pending.order_id)
    offer = RebookOffer.objects.select_for_update().get(pk=pending.rebook_offer_id)
    change = BookingChange.objects.select_for_update().get(pk=change_id)
    if paid_already(change, paid_with):
        return change
    if reason := _offer_refusal(offer):
        raise ChangeRefused(reason)
    now = timezone.now()
    target = locked_target(offer.departure_id, change.to_departure_id)
    booking = rebook_booking(offer)
    quote = _quote(booking, target, now)
    if quote.refusal:
        raise ChangeRefused(quote.refusal)
    if quote.difference != change.amount_due:
        raise ChangeRefused(
            _("The price of that date changed while you were paying: choose it again.")
        )
    record = _seats(target, booking)
    change.paid_with = paid_with
    change.save(update_fields=["paid_with"])
    return _move_lines(order, offer, booking, target, record, change, now, actor=actor)


def _move_lines(order, offer, booking, target, record, change, now, actor=None) -> BookingChange:
    """The cancelled lines, active again on `target` (in place: the payment's receipt keeps
    naming them), new tickets for the old, the order active again; `change` applied."""
    new_tickets = {}
    old_tickets = {
        t.booking_ref: t for t in Ticket.objects.filter(order=order, departure=offer.departure)
    }
    for line, option in booking.lines:
        ref = option["ref"]
        new_ref = new_tickets.setdefault(ref, (uuid.uuid4().hex, 0))[0]
        # Cancelled with the departure: on again.
        line_move(line, option, target, record, new_ref, status=settings.OSCAR_INITIAL_LINE_STATUS)
        new_tickets[ref] = (new_ref, new_tickets[ref][1] + line.quantity)
    issued = []
    for ref, (new_ref, people) in new_tickets.items():
        old = old_tickets.get(ref)
        ticket = ticket_issue(
            order=order,
            departure_id=target.pk,
            ref=new_ref,
            people=people,
            lead_name=old.lead_name if old else "",
            lead_phone=old.lead_phone if old else "",
        )
        if old is not None:
            old.voided_at = old.voided_at or now
            old.void_reason = TicketVoid.MOVED
            old.replaced_by = ticket
            old.save(update_fields=["voided_at", "void_reason", "replaced_by"])
        issued.append((old, ticket))
    before = {"status": order.status}
    if order.status == OrderStatus.CANCELLED:
        # The departure's cancellation cancelled the order with its last line; it is paid and
        # on again.
        order.status = OrderStatus.PAID
        order.save(update_fields=["status"])
    old, new = issued[0]
    change.new_ticket = new
    change.status = ChangeStatus.APPLIED
    change.applied_at = now
    change.save(update_fields=["new_ticket", "status", "applied_at"])
    offer.status = OfferStatus.REBOOKED
    offer.to_departure = target
    offer.change = change
    offer.decided_at = now
    offer.save(update_fields=["status", "to_departure", "change", "decided_at"])
    activity_record(
        actor=actor or customer_of(order),
        action=kinds.BOOKING_MOVED,
        order=order,
        departure=target,
        before={
            "ticket": old.code if old else "",
            "starts_at": offer.departure.starts_at.isoformat(),
            **before,
        },
        after={
            "ticket": new.code,
            "starts_at": target.starts_at.isoformat(),
            "people": booking.people,
            "refund": str(change.refund_amount),
            "paid": str(change.amount_due),
            "status": order.status,
            "instead_of_refund": str(offer.amount),
        },
    )
    _tell_customer(change, MessageKind.BOOKING_MOVED)
    _refund_after_commit(change)
    return change
