"""Taking money for a basket and turning it into exactly one order.

The card is only authorised in the browser (a PaymentIntent with manual capture). The order
is then placed (its seats and stock allocated by the guarded order creator) and only after
that is the money captured, all while the attempt row is locked. So:

- no seats without money: nothing is allocated before the card is authorised;
- no money without seats: if the order cannot be placed (sold out, booking closed, basket
  changed), the authorisation is cancelled and nothing is charged; if the money was somehow
  captured already, it is refunded;
- one order per PaymentIntent: the browser's return, the webhook and the reconciliation job
  all call `attempt_settle`, which re-reads the PaymentIntent from Stripe and, under the
  lock, does only what is still missing.

One module on purpose (over 400 lines): placing, settling, webhooks, reconciliation and
refunds are one state machine over the same attempt and refund rows, and read best together.
"""

import datetime as dt
import hashlib
import logging
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from oscar.core.loading import get_class, get_model

from shop.activity import kinds
from shop.activity.actors import SystemProcess, system, system_process
from shop.activity.services import activity_record
from shop.bookings.basket_services import basket_booking_problems
from shop.bookings.tickets import tickets_issue
from shop.core.converters import row_id
from shop.customercare.services import order_confirmation_queue
from shop.order.exceptions import UnableToPlaceOrder
from shop.order.statuses import OrderStatus, PaymentEventName
from shop.order.utils import OrderCreator
from shop.partner.strategy import Selector
from shop.payments import gateway
from shop.payments.gateway import PaymentDeclined, PaymentRejected, PaymentUnavailable
from shop.payments.models import (
    AttemptStatus,
    PaymentAttempt,
    ProcessedEvent,
    Refund,
    RefundStatus,
)

logger = logging.getLogger(__name__)

Basket = get_model("basket", "Basket")
Order = get_model("order", "Order")
ShippingAddress = get_model("order", "ShippingAddress")
PaymentEventType = get_model("order", "PaymentEventType")
PaymentEvent = get_model("order", "PaymentEvent")
Source = get_model("payment", "Source")
SourceType = get_model("payment", "SourceType")
Country = get_model("address", "Country")
OrderTotalCalculator = get_class("checkout.calculators", "OrderTotalCalculator")
Applicator = get_class("offer.applicator", "Applicator")


class CannotPlace(Exception):
    """The order cannot be placed; the message is for the customer."""


class RefundError(ValueError):
    pass


# --- Placing the order from an attempt -----------------------------------------------------


def basket_fingerprint(basket) -> str:
    """What the basket holds (lines with their options, quantities and prices)."""
    parts = sorted(
        f"{line.line_reference}|{line.quantity}|{line.unit_price_incl_tax}"
        for line in basket.all_lines()
    )
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def _basket_for(attempt) -> Basket:
    basket = Basket.objects.select_for_update().get(pk=attempt.basket_id)
    if basket.status != Basket.OPEN:
        raise CannotPlace(_("This basket has already been ordered or paid for."))
    basket.strategy = Selector().strategy(user=attempt.user)
    Applicator().apply(basket, attempt.user, None)
    return basket


def _shipping(attempt, basket):
    from shop.shipping.repository import Repository

    address = None
    if attempt.shipping_address:
        fields = dict(attempt.shipping_address)
        country = Country.objects.filter(pk=fields.pop("country", "RU")).first()
        address = ShippingAddress(country=country, **fields)
    methods = Repository().get_shipping_methods(basket, shipping_addr=address)
    method = next((m for m in methods if m.code == attempt.shipping_method_code), None)
    if method is None:
        raise CannotPlace(_("The delivery method you chose is no longer available."))
    return method, address


def order_place_from_attempt(attempt) -> Order:
    """Place the order the attempt paid for (inside the caller's transaction)."""
    basket = _basket_for(attempt)
    if basket.is_empty:
        raise CannotPlace(_("The basket is empty."))
    method, address = _shipping(attempt, basket)
    charge = method.calculate(basket)
    total = OrderTotalCalculator().calculate(basket, charge)
    if total.incl_tax != attempt.amount or (
        attempt.basket_fingerprint and basket_fingerprint(basket) != attempt.basket_fingerprint
    ):
        raise CannotPlace(
            _("Your basket changed while you were paying. Please check it and pay again.")
        )
    problems = []
    for line in basket.all_lines():
        info = basket.strategy.fetch_for_line(line)
        permitted, reason = info.availability.is_purchase_permitted(line.quantity)
        if not permitted:
            problems.append(f"{line.description}: {reason}")
    problems = problems or basket_booking_problems(basket)
    if problems:
        raise CannotPlace(" ".join(str(p) for p in problems))
    if address is not None:
        address.save()
    try:
        with transaction.atomic():
            order = OrderCreator().place_order(
                basket=basket,
                total=total,
                shipping_method=method,
                shipping_charge=charge,
                user=attempt.user,
                shipping_address=address,
                guest_email=attempt.guest_email if attempt.user_id is None else "",
            )
    except UnableToPlaceOrder as error:
        raise CannotPlace(str(error)) from error
    basket.submit()
    activity_record(
        actor=system(),
        action=kinds.ORDER_PLACED,
        order=order,
        after={"number": order.number, "total": str(order.total_incl_tax)},
    )
    return order


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
) -> PaymentAttempt:
    return PaymentAttempt.objects.create(
        consented_at=consented_at,
        basket=basket,
        basket_fingerprint=basket_fingerprint(basket),
        user=user if user is not None and user.is_authenticated else None,
        guest_email=guest_email or "",
        language=translation.get_language() or settings.LANGUAGE_CODE,
        shipping_method_code=shipping_method_code,
        shipping_address=shipping_address or {},
        amount=amount,
        currency=settings.STRIPE_CURRENCY,
    )


def attempt_start(attempt: PaymentAttempt, *, token_id: str, card_id: str):
    """Authorise the attempt's amount on the card; returns the PaymentIntent.

    Raises PaymentDeclined (attempt marked declined) or PaymentUnavailable (attempt
    abandoned; nothing can have been charged without our capture).
    """
    # Earlier unfinished attempts of this basket are settled first: one of them may have
    # been authorised in another tab, and a basket is paid for once.
    for earlier in PaymentAttempt.objects.filter(
        basket_id=attempt.basket_id, status=AttemptStatus.STARTED
    ).exclude(pk=attempt.pk):
        attempt_settle(earlier, cancel_unfinished=True)
        if earlier.status == AttemptStatus.PAID:
            raise CannotPlace(_("This basket has already been paid for."))
    try:
        intent = gateway.intent_create_and_confirm(
            amount=attempt.amount,
            payment_method=gateway.payment_method_from_card(token_id, card_id),
            metadata={"attempt": str(attempt.pk), "basket": str(attempt.basket_id)},
            idempotency_key=f"attempt-{attempt.key}",
        )
    except PaymentDeclined as declined:
        _finish(
            attempt,
            AttemptStatus.DECLINED,
            declined.message,
            intent_id=declined.payment_intent_id,
        )
        raise
    except (PaymentUnavailable, PaymentRejected):
        _finish(attempt, AttemptStatus.ABANDONED, str(gateway.UNAVAILABLE_MESSAGE))
        raise
    PaymentAttempt.objects.filter(pk=attempt.pk).update(payment_intent_id=intent.id)
    attempt.payment_intent_id = intent.id
    return intent


def _finish(attempt, status, message="", intent_id=None):
    fields = {"status": status, "message": message, "updated_at": timezone.now()}
    if intent_id:
        fields["payment_intent_id"] = intent_id
    PaymentAttempt.objects.filter(pk=attempt.pk).update(**fields)
    for name, value in fields.items():
        setattr(attempt, name, value)


# --- Settling: the one place where money becomes an order ---------------------------------


def attempt_settle(attempt: PaymentAttempt, *, cancel_unfinished: bool = False) -> PaymentAttempt:
    """Bring the attempt in line with its PaymentIntent; safe to call any number of times.

    Raises PaymentUnavailable when Stripe cannot be asked (nothing changes then).
    """
    if not attempt.payment_intent_id:
        return attempt
    refund = None
    with transaction.atomic(), translation.override(attempt.language):
        locked = PaymentAttempt.objects.select_for_update().get(pk=attempt.pk)
        try:
            intent = gateway.intent_retrieve(locked.payment_intent_id)
        except PaymentRejected as rejected:
            if not rejected.missing:
                raise
            # Stripe does not know this PaymentIntent (e.g. another Stripe account): no money.
            if not locked.is_final:
                _finish(locked, AttemptStatus.ABANDONED)
            intent = None
        if intent is not None:
            refund = _settle_locked(locked, intent, cancel_unfinished)
        if refund is not None:
            # Committed first, sent after: a crash in between leaves a pending refund that
            # the next settle (or reconciliation) sends with the same key, never an order.
            process = system().process  # the callback runs outside this call
            transaction.on_commit(lambda: _send_quietly(refund, process), robust=True)
    attempt.refresh_from_db()
    return attempt


def _intent_matches(attempt, intent) -> bool:
    metadata = intent.metadata.to_dict() if getattr(intent, "metadata", None) else {}
    return (
        intent.amount == gateway.to_minor_units(attempt.amount)
        and (intent.currency or "").lower() == attempt.currency.lower()
        and metadata.get("attempt") == str(attempt.pk)
    )


def _settle_locked(attempt, intent, cancel_unfinished):
    """One step of the state machine under the attempt's lock; returns a refund to send."""
    status = intent.status
    pending_refund = attempt.refunds.filter(order=None).first()
    if pending_refund is not None:
        # Money taken without an order is on its way back: never turn it into an order.
        return pending_refund if pending_refund.status != RefundStatus.SUCCEEDED else None
    if not _intent_matches(attempt, intent):
        logger.error("PaymentIntent %s does not match attempt %s", intent.id, attempt.pk)
        if status == "requires_capture":
            gateway.intent_cancel(intent.id)
        elif status == "succeeded" and attempt.order_id is None:
            return _refund_unplaced(attempt, intent, _("The payment could not be matched."))
        return None
    if status == "requires_capture":
        if attempt.order_id is None:
            if attempt.is_final:
                # The customer was told this payment failed: release the authorisation.
                gateway.intent_cancel(intent.id)
                return None
            try:
                with transaction.atomic():
                    order = order_place_from_attempt(attempt)
            except CannotPlace as why:
                gateway.intent_cancel(intent.id)
                _finish(
                    attempt,
                    AttemptStatus.NOT_PLACED,
                    f"{why} {_('Nothing was charged: the card authorisation is cancelled.')}",
                )
                return None
            attempt.order = order
            attempt.save(update_fields=["order", "updated_at"])
        intent = gateway.intent_capture(intent.id)
        status = intent.status
    if status == "succeeded":
        if attempt.order_id is None:
            if _charge_refunded(intent):
                _finish(attempt, AttemptStatus.REFUNDED, attempt.message)
                return None
            try:
                with transaction.atomic():
                    attempt.order = order_place_from_attempt(attempt)
                attempt.save(update_fields=["order", "updated_at"])
            except CannotPlace as why:
                return _refund_unplaced(attempt, intent, str(why))
        if attempt.status != AttemptStatus.PAID:
            _record_payment(attempt, intent)
            _finish(attempt, AttemptStatus.PAID)
            order_confirmation_queue(attempt.order)
        return None
    if attempt.is_final:
        return None
    if status == "requires_payment_method":
        error = getattr(intent, "last_payment_error", None)
        _finish(
            attempt, AttemptStatus.DECLINED, gateway.decline_message(getattr(error, "code", None))
        )
    elif status == "canceled":
        _finish(attempt, AttemptStatus.ABANDONED)
    elif cancel_unfinished and status in ("requires_action", "requires_confirmation"):
        gateway.intent_cancel(intent.id)
        _finish(attempt, AttemptStatus.ABANDONED)
    return None


def _charge_refunded(intent) -> bool:
    charge = getattr(intent, "latest_charge", None)
    if charge is None or isinstance(charge, str):
        return False
    return bool(charge.refunded) or (charge.amount_refunded or 0) >= intent.amount


def _refund_unplaced(attempt, intent, why) -> Refund:
    """The money was captured but no order can be made: a full refund, sent after commit."""
    _finish(
        attempt,
        AttemptStatus.REFUNDED,
        _("%(why)s The payment has been refunded in full.") % {"why": why},
    )
    return Refund.objects.create(
        attempt=attempt,
        amount=gateway.from_minor_units(intent.amount),
        reason=str(why)[:255],
        idempotency_key=f"unplaced-{attempt.key}",
    )


def _card_label(intent) -> str:
    charge = getattr(intent, "latest_charge", None)
    details = getattr(charge, "payment_method_details", None) if charge else None
    card = getattr(details, "card", None) if details else None
    if card is not None and getattr(card, "last4", None):
        return f"{(card.brand or 'card').title()} •••• {card.last4}"
    return "Stripe"


def _record_payment(attempt, intent):
    """Oscar's payment models and the order's status, once per attempt."""
    order = Order.objects.select_for_update().get(pk=attempt.order_id)
    amount = gateway.from_minor_units(intent.amount)
    source_type, _created = SourceType.objects.get_or_create(
        code="stripe", defaults={"name": "Stripe"}
    )
    source = Source.objects.create(
        order=order,
        source_type=source_type,
        currency=order.currency,
        amount_allocated=amount,
        amount_debited=amount,
        reference=intent.id,
        label=_card_label(intent),
    )
    charge = getattr(intent, "latest_charge", None)
    source.transactions.create(
        txn_type="Debit",
        amount=amount,
        reference=getattr(charge, "id", charge) or intent.id,
        status="succeeded",
    )
    _payment_event(order, amount, intent.id, PaymentEventName.PAID)
    before = {"status": order.status}
    order.status = OrderStatus.PAID
    order.save(update_fields=["status"])
    activity_record(
        actor=system(),
        action=kinds.ORDER_PAID,
        order=order,
        before=before,
        after={"status": order.status, "amount": str(amount), "payment": intent.id},
    )
    tickets_issue(order)


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
    """A booking that costs nothing (the career-guidance tour): no card, no Stripe."""
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


# --- Webhooks ------------------------------------------------------------------------------

SETTLING_EVENTS = {
    "payment_intent.succeeded",
    "payment_intent.amount_capturable_updated",
    "payment_intent.payment_failed",
    "payment_intent.canceled",
}


# The columns an event's ids are kept in (ProcessedEvent, PaymentAttempt).
EVENT_ID_MAX = ProcessedEvent._meta.get_field("event_id").max_length
EVENT_TYPE_MAX = ProcessedEvent._meta.get_field("event_type").max_length


def _text(value, longest: int) -> str | None:
    return value if isinstance(value, str) and 0 < len(value) <= longest else None


@system_process(SystemProcess.PAYMENT_NOTIFICATION)
def webhook_receive(payload: bytes, signature: str) -> int:
    """Handle one delivery; returns the HTTP status for Stripe: 400 for a bad signature or an
    event of a shape it cannot be (logged), 200 for one handled or not ours to handle."""
    import stripe

    try:
        event = gateway.event_from_webhook(payload, signature or "")
    except (ValueError, stripe.SignatureVerificationError):
        return 400
    # Signed, so Stripe's; but its shape is checked before anything is read from it.
    event_id = _text(event.get("id"), EVENT_ID_MAX) if isinstance(event, dict) else None
    event_type = _text(event.get("type"), EVENT_TYPE_MAX) if isinstance(event, dict) else None
    if event_id is None or event_type is None:
        logger.warning("A signed Stripe event without a usable id or type: refused")
        return 400
    if event_type not in SETTLING_EVENTS:
        return 200
    data = event.get("data")
    obj = data.get("object") if isinstance(data, dict) else None
    intent_id = _text(obj.get("id"), EVENT_ID_MAX) if isinstance(obj, dict) else None
    if intent_id is None:
        logger.warning(
            "Stripe event %s (%s) has no usable PaymentIntent: refused", event_id, event_type
        )
        return 400
    attempt = PaymentAttempt.objects.filter(payment_intent_id=intent_id).first()
    if attempt is None:
        metadata = obj.get("metadata")
        attempt_id = row_id(metadata.get("attempt")) if isinstance(metadata, dict) else None
        attempt = PaymentAttempt.objects.filter(pk=attempt_id).first() if attempt_id else None
        if attempt is not None and not attempt.payment_intent_id:
            # The webhook came before our own request finished saving the id.
            _finish(attempt, attempt.status, attempt.message, intent_id=intent_id)
    try:
        with transaction.atomic():
            try:
                with transaction.atomic():
                    ProcessedEvent.objects.create(
                        event_id=event_id, event_type=event_type, payment_intent_id=intent_id
                    )
            except IntegrityError:
                return 200  # delivered before: nothing changes
            if attempt is not None:
                attempt_settle(attempt)
    except PaymentUnavailable:
        return 503  # not recorded as processed: Stripe will deliver it again
    except PaymentRejected:
        logger.exception("Stripe refused a request while handling event %s", event_id)
        return 500
    return 200


# --- Reconciliation ------------------------------------------------------------------------


@system_process(SystemProcess.RECONCILIATION)
def attempts_reconcile(*, older_than_seconds: int | None = None) -> dict[str, int]:
    """Settle attempts nobody finished (browser closed, webhook lost), cancel stale unfinished
    ones, and send refunds Stripe has not confirmed. One failing attempt never stops the rest."""
    if older_than_seconds is None:
        older_than_seconds = settings.STRIPE_ATTEMPT_STALE_AFTER
    cutoff = timezone.now() - dt.timedelta(seconds=older_than_seconds)
    counts: dict[str, int] = {}
    stale = PaymentAttempt.objects.filter(status=AttemptStatus.STARTED, created_at__lt=cutoff)
    # Never reached Stripe (it was unreachable): nothing can have been authorised with us.
    stale.filter(payment_intent_id=None).update(status=AttemptStatus.ABANDONED)
    for attempt in stale.exclude(payment_intent_id=None):
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
    return counts


# --- Refunds -------------------------------------------------------------------------------


def order_refundable(order) -> Decimal:
    attempt = getattr(order, "payment_attempt", None)
    if attempt is None or attempt.status != AttemptStatus.PAID or not attempt.payment_intent_id:
        return Decimal("0.00")
    refunded = (
        order.refunds.exclude(status=RefundStatus.FAILED).aggregate(total=Sum("amount"))["total"]
        or 0
    )
    return attempt.amount - refunded


def order_refund(*, order, amount: Decimal, actor=None, reason: str = "", key: str = "") -> Refund:
    """Refund part or all of what was paid for an order; the same key never refunds twice.

    Staff refunds name the actor and are written to the activity log. A refund Stripe did not
    confirm stays pending; calling this again with the same key, the Retry button or the
    reconciliation job sends it (with the same idempotency key).
    """
    amount = Decimal(amount).quantize(Decimal("0.01"))
    with transaction.atomic():
        order = Order.objects.select_for_update().get(pk=order.pk)
        refund = Refund.objects.filter(idempotency_key=key).first() if key else None
        if refund is not None and refund.order_id != order.pk:
            raise RefundError(_("This refund key belongs to another order."))
        if refund is None:
            if amount <= 0:
                raise RefundError(_("The refund must be more than zero."))
            if amount > order_refundable(order):
                raise RefundError(
                    _("At most %(amount)s can still be refunded on this order.")
                    % {"amount": order_refundable(order)}
                )
            fields = {"idempotency_key": key} if key else {}
            refund = Refund.objects.create(
                order=order,
                attempt=order.payment_attempt,
                amount=amount,
                reason=reason[:255],
                created_by=actor if actor is not None and actor.is_authenticated else None,
                **fields,
            )
    return refund_send(refund)


def refund_send(refund: Refund) -> Refund:
    """Ask Stripe for a saved refund (again, with the same key) and record the result once."""
    if refund.status == RefundStatus.SUCCEEDED:
        return refund
    try:
        result = gateway.refund_create(
            intent_id=refund.attempt.payment_intent_id,
            amount=refund.amount,
            idempotency_key=refund.idempotency_key,
        )
    except PaymentUnavailable as error:
        raise RefundError(
            _(
                "The payment service is not answering right now. The refund is saved; "
                "try again in a few minutes and it will be sent once."
            )
        ) from error
    except PaymentRejected as error:
        Refund.objects.filter(pk=refund.pk).update(status=RefundStatus.FAILED)
        raise RefundError(_("Stripe refused this refund: %(why)s") % {"why": error}) from error
    with transaction.atomic():
        refund = Refund.objects.select_for_update().get(pk=refund.pk)
        if refund.status == RefundStatus.SUCCEEDED:
            return refund
        refund.status = RefundStatus.SUCCEEDED
        refund.stripe_refund_id = result.id
        refund.save(update_fields=["status", "stripe_refund_id"])
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
        source = Source.objects.select_for_update().filter(order=order).first()
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
            refund_send(refund)
    except RefundError:
        logger.warning("Refund %s is pending; reconciliation will send it", refund.pk)
