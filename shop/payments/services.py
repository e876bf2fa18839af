"""Taking money for a basket and turning it into exactly one order, whichever the provider.

The payment is only authorised first (Stripe: a PaymentIntent with manual capture; YooKassa:
a payment with `capture: false`). The order is then placed (its seats and stock allocated by
the guarded order creator) and only after that is the money captured. So:

- no seats without money: nothing is allocated before the payment is authorised;
- no money without seats: if the order cannot be placed (sold out, booking closed, basket
  changed), the authorisation is released and nothing is charged; if the money was somehow
  captured already, it is refunded;
- one order per payment: the browser's return, the provider's notification and the
  reconciliation job all call `attempt_settle`, which re-reads the payment from the provider
  and does only what is still missing.

No provider is called while our transaction holds a lock (providers/base.py refuses): each
step of `attempt_settle` reads the provider's state outside any transaction, decides and
records under the attempt's row lock (placing the order there, and noting what the provider
must still be told in `pending_action`), commits, then calls the provider (capture, cancel,
refund) and records its answer in a new short transaction. A crash between the commit and the
call leaves the `pending_action`, which the next settle or reconciliation carries out.

One module on purpose (over 400 lines): starting, settling, reconciliation and refunds are
one state machine over the same attempt and refund rows, and read best together. Placing the
order is in placement.py, the receipts in receipts.py and receipt_services.py, the
providers' notifications in notifications.py.
"""

import datetime as dt
import logging
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import Q, Sum
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from oscar.core.loading import get_model

from shop.activity import kinds
from shop.activity.actors import SystemProcess, system, system_process
from shop.activity.services import activity_record
from shop.bookings.tickets import tickets_issue
from shop.customercare.services import order_confirmation_queue
from shop.order.statuses import OrderStatus, PaymentEventName
from shop.payments import providers, receipt_services
from shop.payments.models import (
    AttemptStatus,
    PaymentAttempt,
    PendingAction,
    Provider,
    Refund,
    RefundStatus,
)
from shop.payments.placement import CannotPlace, basket_fingerprint, order_place_from_attempt
from shop.payments.providers import (
    PaymentDeclined,
    PaymentRejected,
    PaymentState,
    PaymentUnavailable,
    RemotePayment,
)

logger = logging.getLogger(__name__)

Order = get_model("order", "Order")
PaymentEventType = get_model("order", "PaymentEventType")
PaymentEvent = get_model("order", "PaymentEvent")
Source = get_model("payment", "Source")
SourceType = get_model("payment", "SourceType")


class RefundError(ValueError):
    pass


# --- Starting a payment --------------------------------------------------------------------


def attempt_create(
    *,
    basket,
    user,
    guest_email: str,
    shipping_method_code: str,
    shipping_address: dict,
    amount: Decimal,
    consented_at=None,
    provider: str = Provider.STRIPE,
    method: str = "",
) -> PaymentAttempt:
    return PaymentAttempt.objects.create(
        provider=provider,
        method=method,
        consented_at=consented_at,
        basket=basket,
        basket_fingerprint=basket_fingerprint(basket),
        user=user if user is not None and user.is_authenticated else None,
        guest_email=guest_email or "",
        language=translation.get_language() or settings.LANGUAGE_CODE,
        shipping_method_code=shipping_method_code,
        shipping_address=shipping_address or {},
        amount=amount,
        currency=settings.PAYMENT_CURRENCY,
    )


def attempt_start(attempt: PaymentAttempt, **details) -> RemotePayment:
    """Create the provider's payment for the attempt, and return it.

    Stripe (`token_id`, `card_id`): the card is authorised at once, or waits for 3-D Secure
    in the page. YooKassa (`method`: card or sbp, `return_url`): the payment waits for the
    customer to confirm it at `attempt.confirmation_url`; it carries its 54-FZ receipt.

    Raises PaymentDeclined (attempt marked declined), PaymentUnavailable or PaymentRejected
    (attempt abandoned; nothing can have been charged without our capture), or CannotPlace
    when the basket has been paid for already.
    """
    # Earlier unfinished attempts of this basket (or booking change) are settled first: one
    # of them may have been authorised in another tab, and a basket is paid for once.
    same = (
        Q(booking_change_id=attempt.booking_change_id)
        if attempt.is_supplementary
        else Q(basket_id=attempt.basket_id)
    )
    for earlier in PaymentAttempt.objects.filter(same, status=AttemptStatus.STARTED).exclude(
        pk=attempt.pk
    ):
        attempt_settle(earlier, cancel_unfinished=True)
        if earlier.status == AttemptStatus.PAID:
            raise CannotPlace(_("This basket has already been paid for."))
    provider = providers.get(attempt.provider)
    receipt = None
    if provider.issues_receipts:
        receipt = receipt_services.payment_receipt_prepare(attempt)
        details["receipt"] = receipt_services.receipt_body_for(attempt, receipt.items)
    try:
        remote = provider.start(attempt, **details)
    except PaymentDeclined as declined:
        _finish(attempt, AttemptStatus.DECLINED, declined.message, payment_id=declined.payment_id)
        raise
    except (PaymentUnavailable, PaymentRejected):
        _finish(attempt, AttemptStatus.ABANDONED, str(providers.UNAVAILABLE_MESSAGE))
        raise
    confirmation = remote.confirmation
    fields = {"provider_payment_id": remote.id, "updated_at": timezone.now()}
    if confirmation is not None and confirmation.kind in ("redirect", "qr"):
        fields["confirmation_url"] = confirmation.target
    PaymentAttempt.objects.filter(pk=attempt.pk).update(**fields)
    for name, value in fields.items():
        setattr(attempt, name, value)
    if receipt is not None:
        receipt.save()
    return remote


def _finish(attempt, status, message="", payment_id=None):
    fields = {"status": status, "message": message, "updated_at": timezone.now()}
    if payment_id:
        fields["provider_payment_id"] = payment_id
    PaymentAttempt.objects.filter(pk=attempt.pk).update(**fields)
    for name, value in fields.items():
        setattr(attempt, name, value)


def _pending(attempt, action: str) -> None:
    if attempt.pending_action != action:
        attempt.pending_action = action
        attempt.save(update_fields=["pending_action", "updated_at"])


# --- Settling: the one place where money becomes an order ---------------------------------


@dataclass(frozen=True)
class _Call:
    """What the provider must be told once the decision is committed."""

    action: str  # capture, cancel or refund
    refund: Refund | None = None


def attempt_settle(attempt: PaymentAttempt, *, cancel_unfinished: bool = False) -> PaymentAttempt:
    """Bring the attempt in line with its provider's payment; safe to call any number of
    times, from any number of processes at once.

    Raises PaymentUnavailable when the provider cannot be asked or told (what was decided
    is kept and finished by the next settle or reconciliation).
    """
    if not attempt.provider_payment_id:
        return attempt
    provider = providers.get(attempt.provider)
    with translation.override(attempt.language):
        remote = _read(provider, attempt.provider_payment_id)
        # Each round: decide under the lock and commit, then tell the provider. Two rounds
        # are the most a payment needs (place and capture, then record the capture).
        for _round in range(4):
            call = _settle_decide(attempt.pk, remote, provider, cancel_unfinished)
            if call is None:
                break
            if call.action == "refund":
                # Committed first, sent now: a failure leaves a pending refund that the next
                # settle or reconciliation sends with the same key, never an order.
                _send_quietly(call.refund, system().process)
                break
            remote = _settle_call(provider, remote, call)
    attempt.refresh_from_db()
    return attempt


def _read(provider, payment_id: str) -> RemotePayment | None:
    """The payment as the provider has it; None when the provider does not know it (e.g.
    another account's)."""
    try:
        return provider.retrieve(payment_id)
    except PaymentRejected as rejected:
        if not rejected.missing:
            raise
        return None


def _settle_call(provider, remote: RemotePayment, call: _Call) -> RemotePayment | None:
    """Carry out a committed capture or release; the payment's new state."""
    try:
        if call.action == PendingAction.CAPTURE:
            return provider.capture(remote.id)
        return provider.cancel(remote.id)
    except PaymentRejected:
        # The payment moved meanwhile (captured by a racing settle, expired…): look again.
        return _read(provider, remote.id)


def _matches(attempt, remote: RemotePayment) -> bool:
    return (
        remote.amount == attempt.amount
        and remote.currency.upper() == attempt.currency.upper()
        and remote.attempt == str(attempt.pk)
    )


def _settle_decide(attempt_id, remote, provider, cancel_unfinished) -> _Call | None:
    """One step of the state machine under the attempt's lock; what to tell the provider."""
    with transaction.atomic():
        attempt = PaymentAttempt.objects.select_for_update().get(pk=attempt_id)
        unplaced = attempt.refunds.filter(order=None).first()
        if unplaced is not None:
            # Money taken without an order is on its way back: never turn it into an order.
            return _Call("refund", unplaced) if unplaced.status == RefundStatus.PENDING else None
        if remote is None:
            if not attempt.is_final:
                _finish(attempt, AttemptStatus.ABANDONED)
            _pending(attempt, PendingAction.NONE)
            return None
        if not _matches(attempt, remote):
            logger.error("Payment %s does not match attempt %s", remote.id, attempt.pk)
            if remote.state == PaymentState.AUTHORISED:
                return _decided(attempt, PendingAction.CANCEL)
            if remote.state == PaymentState.CAPTURED and attempt.order_id is None:
                refund = _refund_unplaced(attempt, remote, _("The payment could not be matched."))
                return _Call("refund", refund)
            return None
        if remote.state == PaymentState.AUTHORISED:
            return _authorised(attempt)
        if remote.state == PaymentState.CAPTURED:
            return _captured(attempt, remote)
        return _not_taken(attempt, remote, provider, cancel_unfinished)


def _place(attempt) -> Order:
    order = order_place_from_attempt(attempt)
    receipt_services.payment_receipt_attach(attempt, order)
    return order


def _decided(attempt, action: str) -> _Call:
    _pending(attempt, action)
    return _Call(action)


def _authorised(attempt) -> _Call:
    """The money is reserved: place the order and capture, or release it."""
    if attempt.is_supplementary:
        return _supplement_authorised(attempt)
    if attempt.order_id is None:
        if attempt.is_final:
            # The customer was told this payment failed: release the authorisation.
            return _decided(attempt, PendingAction.CANCEL)
        try:
            with transaction.atomic():
                order = _place(attempt)
        except CannotPlace as why:
            _finish(
                attempt,
                AttemptStatus.NOT_PLACED,
                # One gettext call for the whole sentence: a call inside an f-string is not
                # found by makemessages (the message used to reach customers in English).
                _("%(why)s Nothing was charged: the payment is cancelled.") % {"why": why},
            )
            return _decided(attempt, PendingAction.CANCEL)
        attempt.order = order
        attempt.save(update_fields=["order", "updated_at"])
    return _decided(attempt, PendingAction.CAPTURE)


def _supplement_authorised(attempt) -> _Call:
    """The difference is reserved: apply the booking change it pays for and capture, or
    release it (the date filled, the change ran out or was paid by another payment)."""
    from shop.bookings.changes import (
        ChangeRefused,
        booking_change_apply_paid,
        booking_change_not_applied,
        move_actor,
    )

    change = attempt.booking_change
    if change.paid_with == attempt.key:
        return _decided(attempt, PendingAction.CAPTURE)
    if attempt.is_final:
        return _decided(attempt, PendingAction.CANCEL)
    try:
        with transaction.atomic():
            booking_change_apply_paid(
                change_id=change.pk, paid_with=attempt.key, actor=move_actor(attempt.for_order)
            )
    except ChangeRefused as why:
        booking_change_not_applied(change_id=change.pk, why=str(why))
        _finish(
            attempt,
            AttemptStatus.NOT_PLACED,
            _("%(why)s Nothing was charged: the payment is cancelled.") % {"why": why},
        )
        return _decided(attempt, PendingAction.CANCEL)
    return _decided(attempt, PendingAction.CAPTURE)


def _applied_by(attempt) -> bool:
    """Whether the attempt's money has become its order's (placed it, or applied its change)."""
    if attempt.is_supplementary:
        return attempt.booking_change.paid_with == attempt.key
    return attempt.order_id is not None


def _captured(attempt, remote) -> _Call | None:
    """The money is taken: it becomes the order's, or goes back."""
    if attempt.is_supplementary and not _applied_by(attempt):
        # Taken without the change applied (we capture only after applying; another path
        # captured it): it goes back in full.
        if remote.refunded >= remote.amount:
            _finish(attempt, AttemptStatus.REFUNDED, attempt.message)
            _pending(attempt, PendingAction.NONE)
            return None
        why = attempt.message or _("The booking could not be changed.")
        return _Call("refund", _refund_unplaced(attempt, remote, why))
    if attempt.order_id is None and not attempt.is_supplementary:
        if remote.refunded >= remote.amount:
            _finish(attempt, AttemptStatus.REFUNDED, attempt.message)
            _pending(attempt, PendingAction.NONE)
            return None
        try:
            with transaction.atomic():
                attempt.order = _place(attempt)
            attempt.save(update_fields=["order", "updated_at"])
        except CannotPlace as why:
            return _Call("refund", _refund_unplaced(attempt, remote, str(why)))
    if attempt.status != AttemptStatus.PAID:
        _record_payment(attempt, remote)
        _finish(attempt, AttemptStatus.PAID)
        if not attempt.is_supplementary:
            # (A paid move's e-mail, with its new ticket, went when the move was applied.)
            order_confirmation_queue(attempt.order)
    _pending(attempt, PendingAction.NONE)
    return None


def _not_taken(attempt, remote, provider, cancel_unfinished) -> _Call | None:
    """Waiting for the customer, declined or let go: nothing is reserved."""
    if remote.state in (PaymentState.DECLINED, PaymentState.CANCELED):
        _pending(attempt, PendingAction.NONE)
        if attempt.order_id is not None and attempt.status != AttemptStatus.PAID:
            # Placed, but the authorisation ran out before the capture was made (the capture
            # failed for days): the order holds seats nobody paid for.
            _order_unpaid_cancel(attempt)
            return None
        if attempt.is_supplementary and _applied_by(attempt) and not attempt.is_final:
            # Applied, but the authorisation ran out before the capture: the move stays (its
            # new ticket is sent), the difference is unpaid. Staff see it on the order.
            logger.error("The difference of booking change %s was not taken", attempt.pk)
            _finish(attempt, AttemptStatus.NOT_PLACED, attempt.message)
            return None
    if attempt.is_final:
        return None
    if remote.state == PaymentState.DECLINED:
        _finish(attempt, AttemptStatus.DECLINED, remote.message)
    elif remote.state == PaymentState.CANCELED:
        _finish(attempt, AttemptStatus.ABANDONED)
    elif cancel_unfinished and provider.cancels_unconfirmed:
        _finish(attempt, AttemptStatus.ABANDONED)
        return _decided(attempt, PendingAction.CANCEL)
    return None


def _order_unpaid_cancel(attempt) -> None:
    from shop.order.services import order_cancel

    why = _("The payment was not taken in time. Nothing was charged.")
    order_cancel(order=attempt.order, actor=system(), reason=why)
    _finish(attempt, AttemptStatus.NOT_PLACED, why)


def _refund_unplaced(attempt, remote, why) -> Refund:
    """The money was captured but no order can be made: a full refund, sent after commit."""
    _finish(
        attempt,
        AttemptStatus.REFUNDED,
        _("%(why)s The payment has been refunded in full.") % {"why": why},
    )
    _pending(attempt, PendingAction.NONE)
    refund = Refund.objects.create(
        attempt=attempt,
        amount=remote.amount - remote.refunded,
        reason=str(why)[:255],
        idempotency_key=f"unplaced-{attempt.key}",
    )
    receipt_services.refund_receipt_record(refund)
    return refund


def _record_payment(attempt, remote: RemotePayment):
    """Oscar's payment models and the order's status, once per attempt. A supplementary
    payment adds its money to the order's total (what was charged in all), as a payment
    source of its own."""
    provider = providers.get(attempt.provider)
    order = Order.objects.select_for_update().get(pk=attempt.paid_order.pk)
    source_type, _created = SourceType.objects.get_or_create(
        code=provider.code, defaults={"name": provider.name}
    )
    source = Source.objects.create(
        order=order,
        source_type=source_type,
        currency=order.currency,
        amount_allocated=remote.amount,
        amount_debited=remote.amount,
        reference=remote.id,
        label=remote.label or provider.name,
    )
    source.transactions.create(
        txn_type="Debit", amount=remote.amount, reference=remote.reference, status="succeeded"
    )
    _payment_event(order, remote.amount, remote.id, PaymentEventName.PAID)
    before = {"status": order.status}
    after = {"status": order.status, "amount": str(remote.amount), "payment": remote.id}
    if attempt.is_supplementary:
        before["total"] = str(order.total_incl_tax)
        order.total_incl_tax += remote.amount
        order.total_excl_tax += remote.amount
        order.save(update_fields=["total_incl_tax", "total_excl_tax"])
        after.update(total=str(order.total_incl_tax), change=attempt.booking_change_id)
    else:
        order.status = OrderStatus.PAID
        order.save(update_fields=["status"])
        after["status"] = order.status
    activity_record(
        actor=system(), action=kinds.ORDER_PAID, order=order, before=before, after=after
    )
    if not attempt.is_supplementary:
        tickets_issue(order)
    receipt_services.payment_receipt_paid(attempt, order)


def _payment_event(order, amount, reference, name):
    event_type, _created = PaymentEventType.objects.get_or_create(
        code=name.lower(), defaults={"name": name}
    )
    event = PaymentEvent.objects.create(
        order=order, amount=amount, reference=reference, event_type=event_type
    )
    for line in order.lines.all():
        event.line_quantities.create(line=line, quantity=line.quantity)
    return event


# --- Free orders ---------------------------------------------------------------------------


def order_place_free(attempt: PaymentAttempt) -> Order:
    """A booking that costs nothing (the career-guidance tour): no payment at all."""
    if attempt.amount != 0:
        raise CannotPlace(_("This order is not free."))
    with transaction.atomic(), translation.override(attempt.language):
        order = order_place_from_attempt(attempt)
        order.status = OrderStatus.CONFIRMED
        order.save(update_fields=["status"])
        tickets_issue(order)
        attempt.order = order
        attempt.status = AttemptStatus.PAID
        attempt.save(update_fields=["order", "status", "updated_at"])
        order_confirmation_queue(order)
    return order


# --- Reconciliation ------------------------------------------------------------------------


@system_process(SystemProcess.RECONCILIATION)
def attempts_reconcile(*, older_than_seconds: int | None = None) -> dict[str, int]:
    """Settle attempts nobody finished (browser closed, notification lost), carry out what a
    crash left decided but not done (a capture, a release), cancel stale unfinished payments,
    send refunds the provider has not confirmed and look up receipts not yet registered.
    One failing attempt never stops the rest."""
    if older_than_seconds is None:
        older_than_seconds = settings.PAYMENT_ATTEMPT_STALE_AFTER
    cutoff = timezone.now() - dt.timedelta(seconds=older_than_seconds)
    counts: dict[str, int] = {}
    stale = PaymentAttempt.objects.filter(status=AttemptStatus.STARTED, created_at__lt=cutoff)
    # Never reached the provider (it was unreachable): nothing can have been authorised.
    stale.filter(provider_payment_id=None).update(status=AttemptStatus.ABANDONED)
    unfinished = PaymentAttempt.objects.filter(
        Q(status=AttemptStatus.STARTED, created_at__lt=cutoff)
        | (~Q(pending_action=PendingAction.NONE) & Q(updated_at__lt=cutoff))
    ).exclude(provider_payment_id=None)
    for attempt in unfinished.order_by("pk"):
        try:
            attempt_settle(attempt, cancel_unfinished=True)
        except Exception:
            logger.exception("Could not settle payment attempt %s", attempt.pk)
            continue
        counts[attempt.status] = counts.get(attempt.status, 0) + 1
    for refund in Refund.objects.filter(status=RefundStatus.PENDING, created_at__lt=cutoff):
        try:
            refund_send(refund)
        except Exception:
            logger.exception("Could not send refund %s", refund.pk)
            continue
        counts["refunds sent"] = counts.get("refunds sent", 0) + 1
    # The backstop of a cancelled departure's scheduled refunds (bookings_settle and the task
    # worker make them at their deadline).
    from shop.bookings.rebooking import rebook_offers_refund_due

    try:
        due = rebook_offers_refund_due()
    except Exception:
        logger.exception("Could not make the refunds of cancelled departures that are due")
        due = 0
    if due:
        counts["scheduled refunds sent"] = due
    checked = receipt_services.receipts_refresh()
    if checked:
        counts["receipts checked"] = checked
    return counts


# --- Refunds -------------------------------------------------------------------------------


def _paid_attempts(order) -> list[PaymentAttempt]:
    """The order's payments that took money: the checkout's, then its supplementary ones
    (a dearer date's difference), oldest first."""
    return list(
        PaymentAttempt.objects.filter(
            Q(order=order) | Q(for_order=order), status=AttemptStatus.PAID
        )
        .exclude(provider_payment_id=None)
        .order_by("pk")
    )


def _refundable_per_attempt(order) -> list[tuple[PaymentAttempt, Decimal]]:
    refunded = dict(
        order.refunds.exclude(status=RefundStatus.FAILED)
        .values_list("attempt_id")
        .annotate(total=Sum("amount"))
    )
    return [
        (attempt, attempt.amount - refunded.get(attempt.pk, Decimal("0.00")))
        for attempt in _paid_attempts(order)
    ]


def order_refundable(order) -> Decimal:
    """What can still be refunded on the order: every payment that took money for it, less
    what was refunded."""
    return sum((left for _a, left in _refundable_per_attempt(order)), Decimal("0.00"))


def order_refund(*, order, amount: Decimal, actor=None, reason: str = "", key: str = "") -> Refund:
    """Refund part or all of what was paid for an order; the same key never refunds twice.

    Staff refunds name the actor and are written to the activity log. A refund the provider
    did not confirm stays pending; calling this again with the same key, the Retry button or
    the reconciliation job sends it (with the same idempotency key). Called inside a
    transaction, the refund is recorded there and sent once it commits.
    """
    amount = Decimal(amount).quantize(Decimal("0.01"))
    with transaction.atomic():
        order = Order.objects.select_for_update().get(pk=order.pk)
        refund = Refund.objects.filter(idempotency_key=key).first() if key else None
        if refund is not None and refund.order_id != order.pk:
            raise RefundError(_("This refund key belongs to another order."))
        parts = [refund] if refund is not None else []
        if refund is not None:
            parts += Refund.objects.filter(idempotency_key__startswith=f"{key}/").order_by("pk")
        if refund is None:
            if amount <= 0:
                raise RefundError(_("The refund must be more than zero."))
            if amount > order_refundable(order):
                raise RefundError(
                    _("At most %(amount)s can still be refunded on this order.")
                    % {"amount": order_refundable(order)}
                )
            parts = _refund_parts(order, amount, actor=actor, reason=reason, key=key)
    # One refund per payment it comes from (a moved booking's difference was a payment of
    # its own): the newest money first, each part with a key of its own.
    for part in parts[1:]:
        try:
            refund_send(part)
        except RefundError:
            logger.warning("Refund %s is pending; reconciliation will send it", part.pk)
    return refund_send(parts[0])


def _refund_parts(order, amount, *, actor, reason, key) -> list[Refund]:
    parts = []
    left = amount
    for attempt, refundable in reversed(_refundable_per_attempt(order)):
        take = min(left, refundable)
        if take <= 0:
            continue
        fields = {}
        if key:
            fields["idempotency_key"] = key if not parts else f"{key}/{attempt.pk}"
        part = Refund.objects.create(
            order=order,
            attempt=attempt,
            amount=take,
            reason=reason[:255],
            created_by=actor if actor is not None and actor.is_authenticated else None,
            **fields,
        )
        receipt_services.refund_receipt_record(part)
        parts.append(part)
        left -= take
        if left <= 0:
            break
    return parts


def refund_send(refund: Refund) -> Refund:
    """Ask the provider for a saved refund (again, with the same key) and record the result
    once. Inside a caller's transaction it is sent after the commit."""
    if refund.status == RefundStatus.SUCCEEDED:
        return refund
    if providers.in_transaction():
        process = system().process  # the callback runs outside this call
        transaction.on_commit(lambda: _send_quietly(refund, process), robust=True)
        return refund
    attempt = refund.attempt
    provider = providers.get(attempt.provider)
    receipt = getattr(refund, "receipt", None)
    try:
        result = provider.refund(
            payment_id=attempt.provider_payment_id,
            amount=refund.amount,
            key=refund.idempotency_key,
            receipt=receipt_services.receipt_body_for(attempt, receipt.items)
            if provider.issues_receipts and receipt is not None
            else None,
            refund_ref=str(refund.pk),
        )
    except PaymentUnavailable as error:
        raise RefundError(
            _(
                "The payment service is not answering right now. The refund is saved; "
                "try again in a few minutes and it will be sent once."
            )
        ) from error
    except PaymentRejected as error:
        _refund_failed(refund)
        raise RefundError(
            _("The payment service refused this refund: %(why)s") % {"why": error}
        ) from error
    if not result.succeeded:
        _refund_failed(refund)
        raise RefundError(_("The payment service refused this refund."))
    return _refund_record(refund, result)


def _refund_failed(refund) -> None:
    with transaction.atomic():
        Refund.objects.filter(pk=refund.pk).update(status=RefundStatus.FAILED)
        receipt_services.refund_receipt_failed(refund)
    refund.status = RefundStatus.FAILED


def _refund_record(refund, result) -> Refund:
    with transaction.atomic():
        refund = Refund.objects.select_for_update().get(pk=refund.pk)
        if refund.status == RefundStatus.SUCCEEDED:
            return refund
        refund.status = RefundStatus.SUCCEEDED
        refund.provider_refund_id = result.id
        refund.save(update_fields=["status", "provider_refund_id"])
        receipt_services.refund_receipt_sent(refund)
        if refund.order_id is None:
            # Money that never became an order: the shop sent it back by itself.
            activity_record(
                actor=system(),
                action=kinds.PAYMENT_REFUNDED,
                after={"amount": str(refund.amount), "refund": result.id},
                note=refund.reason,
            )
            return refund
        order = Order.objects.select_for_update().get(pk=refund.order_id)
        sources = Source.objects.select_for_update().filter(order=order)
        # The payment source the refunded money came from (the first one: paid before each
        # source named its payment).
        source = (
            sources.filter(reference=refund.attempt.provider_payment_id).first()
            or sources.order_by("pk").first()
        )
        if source is not None:
            source.refund(refund.amount, reference=result.id, status="succeeded")
        _payment_event(order, refund.amount, result.id, PaymentEventName.REFUNDED)
        activity_record(
            # A refund nobody asked for by name (e.g. sent again by reconciliation for a
            # customer's cancellation) is the shop's own.
            actor=refund.created_by if refund.created_by is not None else system(),
            action=kinds.ORDER_REFUNDED,
            order=order,
            after={"amount": str(refund.amount), "refund": result.id},
            note=refund.reason,
        )
    return refund


def _send_quietly(refund, process):
    try:
        with system_process(process):
            refund_send(Refund.objects.get(pk=refund.pk))
    except RefundError:
        logger.warning("Refund %s is pending; reconciliation will send it", refund.pk)
