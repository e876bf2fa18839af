"""Recording and sending the 54-FZ receipts of payments, refunds and delivered tours.

- The payment's receipt is built from the basket when the payment is started, sent with it
  (YooKassa registers it when the money is taken) and, once the order is placed, tied to
  the order's lines.
- A refund's receipt is built when the refund is recorded (under the order's lock, so two
  refunds never claim the same money) and sent with it.
- When a prepaid tour has taken place (its departure has started and was not cancelled),
  each order's lines for it get one settlement receipt: the task worker sends it at the
  departure's start (`settlement_receipts_send_task`); `manage.py receipts_settle` from cron
  is the fallback. A key per order and departure makes it exactly one, however often asked.
- Stripe cannot issue Russian receipts: its payments and refunds get rows saying so, with
  the items the bureau must register at its own cash register (nothing is sent anywhere).

Nothing here calls a provider inside a transaction: rows are written first, the provider is
told after, its answer recorded in a single update.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django_tasks import default_task_backend, task
from oscar.core.loading import get_model

from shop.activity import kinds
from shop.activity.actors import SystemProcess, system, system_process
from shop.activity.services import activity_record
from shop.order.statuses import LineStatus, OrderStatus
from shop.partner.strategy import departure_of
from shop.payments import providers, receipts
from shop.payments.models import (
    AttemptStatus,
    Receipt,
    ReceiptKind,
    ReceiptStatus,
    Refund,
)
from shop.payments.placement import basket_for_payment, shipping_for

logger = logging.getLogger(__name__)

Line = get_model("order", "Line")
Order = get_model("order", "Order")

# How far back the cron command looks for tours that have taken place.
SETTLEMENT_LOOKBACK = timedelta(days=30)


def _email(attempt) -> str:
    return attempt.guest_email or (attempt.user.email if attempt.user_id else "")


def receipt_body_for(attempt, items: list[dict]) -> dict:
    """The receipt as the provider gets it: items and the customer who receives it."""
    return receipts.receipt_body(items=items, email=_email(attempt))


# --- The payment's receipt -----------------------------------------------------------------


def payment_receipt_prepare(attempt) -> Receipt:
    """The receipt to send with the attempt's payment (unsaved: kept once the provider has
    accepted the payment), from the basket as the customer sees it now (a supplementary
    payment: from the change it pays for, see supplements.py)."""
    if attempt.is_supplementary:
        from shop.payments.supplements import supplement_receipt_items

        return Receipt(
            kind=ReceiptKind.PAYMENT,
            attempt=attempt,
            order=attempt.for_order,
            key=f"payment-{attempt.key}",
            amount=attempt.amount,
            items=supplement_receipt_items(attempt),
            tax_system_code=settings.RECEIPT_TAX_SYSTEM_CODE or None,
        )
    basket = basket_for_payment(attempt, lock=False)
    method, _address = shipping_for(attempt, basket)
    charge = method.calculate(basket).incl_tax
    lines = receipts.basket_receipt_lines(basket, shipping_code=method.code, shipping_charge=charge)
    return Receipt(
        kind=ReceiptKind.PAYMENT,
        attempt=attempt,
        key=f"payment-{attempt.key}",
        amount=attempt.amount,
        items=receipts.receipt_items(lines, attempt.amount),
        tax_system_code=settings.RECEIPT_TAX_SYSTEM_CODE or None,
    )


def _same_sums(first: list[dict], second: list[dict]) -> bool:
    def sums(items):
        return [
            (i["quantity"], i["amount"]["value"], i["payment_subject"], i["payment_mode"])
            for i in items
        ]

    return sums(first) == sums(second)


def payment_receipt_attach(attempt, order) -> None:
    """The order is placed: its payment receipt now names the order's lines (inside the
    placing transaction)."""
    receipt = Receipt.objects.filter(attempt=attempt, kind=ReceiptKind.PAYMENT).first()
    if receipt is None:
        return
    from_order = receipts.receipt_items(receipts.order_receipt_lines(order), attempt.amount)
    if _same_sums(receipt.items, from_order):
        # As sent, with the order's line ids in place of the basket's.
        items = [
            {**sent, "line": placed["line"]}
            for sent, placed in zip(receipt.items, from_order, strict=True)
        ]
    else:
        logger.error("The receipt sent for attempt %s differs from its order", attempt.pk)
        items = from_order
    Receipt.objects.filter(pk=receipt.pk).update(order=order, items=items)


def payment_receipt_paid(attempt, order) -> None:
    """The money is taken (inside the recording transaction). Stripe's payment gets its row
    for the bureau's cash register; a tour's settlement receipt is due at its start."""
    if not providers.get(attempt.provider).issues_receipts:
        Receipt.objects.get_or_create(
            key=f"payment-{attempt.key}",
            defaults={
                "kind": ReceiptKind.PAYMENT,
                "status": ReceiptStatus.NOT_ISSUED,
                "attempt": attempt,
                "order": order,
                "amount": attempt.amount,
                "items": _items_paid(attempt, order),
            },
        )
    departures = {
        departure_of(line.product)
        for line in order.lines.select_related("product__departure")
        if line.product_id
    }
    starts = {d.pk: d.starts_at for d in departures if d is not None}
    for departure_id, starts_at in starts.items():
        transaction.on_commit(
            lambda d=departure_id, s=starts_at: _settlement_schedule(order.pk, d, s), robust=True
        )


def _items_paid(attempt, order) -> list[dict]:
    if attempt.is_supplementary:
        from shop.payments.supplements import supplement_receipt_items

        return supplement_receipt_items(attempt)
    return receipts.receipt_items(receipts.order_receipt_lines(order), attempt.amount)


def _payment_items(attempt) -> list[dict]:
    receipt = Receipt.objects.filter(attempt=attempt, kind=ReceiptKind.PAYMENT).first()
    if receipt is not None:
        return receipt.items
    if attempt.order_id is not None:
        # Paid before receipts were recorded: what the order says was paid.
        return receipts.receipt_items(receipts.order_receipt_lines(attempt.order), attempt.amount)
    # Money that never became an order, through a provider that issues no receipts.
    return receipts.receipt_items(
        [
            receipts.ReceiptLine(
                ref=None,
                description=f"Оплата заказа {attempt.order_number}",
                quantity=1,
                total=attempt.amount,
                subject=receipts.COMMODITY,
                mode=receipts.FULL_PAYMENT,
                vat_code=receipts.vat_code("default"),
            )
        ],
        attempt.amount,
    )


def _refunded_items(attempt) -> list[dict]:
    items = []
    for receipt in Receipt.objects.filter(attempt=attempt, kind=ReceiptKind.REFUND).exclude(
        status=ReceiptStatus.FAILED
    ):
        items += receipt.items
    return items


# --- Refunds' receipts ---------------------------------------------------------------------


def refund_receipt_record(refund: Refund) -> Receipt:
    """The refund's receipt (inside the transaction that records the refund): cancelled
    lines first, then the rest in proportion to what is still unrefunded on each."""
    attempt = refund.attempt
    if refund.order_id is None:
        cancelled = {item.get("line") for item in _payment_items(attempt)}
    else:
        cancelled = set(
            Line.objects.filter(order_id=refund.order_id, status=LineStatus.CANCELLED).values_list(
                "pk", flat=True
            )
        )
    items = receipts.refund_items(
        paid=_payment_items(attempt),
        refunded=_refunded_items(attempt),
        amount=refund.amount,
        first=cancelled,
    )
    issued = providers.get(attempt.provider).issues_receipts
    return Receipt.objects.create(
        kind=ReceiptKind.REFUND,
        status=ReceiptStatus.PENDING if issued else ReceiptStatus.NOT_ISSUED,
        attempt=attempt,
        order_id=refund.order_id,
        refund=refund,
        key=f"refund-{refund.pk}",
        amount=refund.amount,
        items=items,
        tax_system_code=settings.RECEIPT_TAX_SYSTEM_CODE or None,
    )


def refund_receipt_sent(refund: Refund) -> None:
    """The provider accepted the refund: its receipt is on the way to the tax service."""
    Receipt.objects.filter(refund=refund, status=ReceiptStatus.FAILED).update(
        status=ReceiptStatus.PENDING
    )


def refund_receipt_failed(refund: Refund) -> None:
    """The refund was refused: its receipt was never issued and counts for nothing."""
    Receipt.objects.filter(refund=refund, status=ReceiptStatus.PENDING).update(
        status=ReceiptStatus.FAILED
    )


# --- Registration: what YooKassa says about the receipts sent ------------------------------


def receipts_refresh() -> int:
    """Ask the provider about receipts not registered yet; how many were looked up."""
    checked = 0
    pending = Receipt.objects.filter(status=ReceiptStatus.PENDING).select_related(
        "attempt", "refund"
    )
    for receipt in pending.order_by("pk"):
        provider = providers.get(receipt.attempt.provider)
        if not provider.issues_receipts:
            continue
        try:
            found = _registration(provider, receipt)
        except (providers.PaymentUnavailable, providers.PaymentRejected):
            logger.warning("Could not look up receipt %s", receipt.pk)
            continue
        checked += 1
        fields = {"checked_at": timezone.now(), **found}
        if found.get("status") == ReceiptStatus.SUCCEEDED:
            fields["registered_at"] = timezone.now()
        Receipt.objects.filter(pk=receipt.pk).update(**fields)
    return checked


def _registration(provider, receipt) -> dict:
    if receipt.provider_receipt_id:
        return {"status": _status(provider.receipt_status(receipt.provider_receipt_id))}
    if receipt.kind == ReceiptKind.SETTLEMENT:
        return {}  # never accepted: the settlement run sends it again
    if receipt.kind == ReceiptKind.REFUND:
        if not receipt.refund.provider_refund_id:
            return {}
        found = provider.receipts_of(refund_id=receipt.refund.provider_refund_id)
    else:
        attempt = receipt.attempt
        if attempt.is_final and attempt.status != AttemptStatus.PAID:
            return {"status": ReceiptStatus.CANCELED}  # no money taken, no receipt
        # The payment's own receipt: of type payment, and not one of our settlement receipts
        # (which are sent for the same payment and whose ids we keep).
        ours = set(
            Receipt.objects.filter(attempt=attempt)
            .exclude(provider_receipt_id="")
            .values_list("provider_receipt_id", flat=True)
        )
        found = [
            r
            for r in provider.receipts_of(payment_id=attempt.provider_payment_id)
            if r["type"] == "payment" and r["id"] not in ours
        ]
    if not found:
        return {}
    return {"provider_receipt_id": found[0]["id"], "status": _status(found[0]["status"])}


def _status(value: str) -> str:
    return {
        "succeeded": ReceiptStatus.SUCCEEDED,
        "canceled": ReceiptStatus.FAILED,
    }.get(value, ReceiptStatus.PENDING)


# --- Settlement receipts: the tour has taken place -----------------------------------------


def _settlement_schedule(order_id: int, departure_id: int, starts_at) -> None:
    """Queue the settlement receipt for when the departure starts (a backend that cannot
    wait, like the immediate one, leaves it to the cron command)."""
    if not default_task_backend.supports_defer:
        return
    settlement_receipts_send_task.using(run_after=starts_at).enqueue(order_id, departure_id)


@task()
def settlement_receipts_send_task(order_id: int, departure_id: int) -> None:
    from shop.bookings.models import Departure, DepartureStatus

    departure = Departure.objects.filter(pk=departure_id).first()
    order = Order.objects.filter(pk=order_id).first()
    if departure is None or order is None or departure.status == DepartureStatus.CANCELLED:
        return
    if departure.starts_at > timezone.now():
        # Moved to a later date since it was queued: wait for the new start.
        _settlement_schedule(order_id, departure_id, departure.starts_at)
        return
    with system_process(SystemProcess.RECEIPTS):
        settlement_receipt_send(order=order, departure=departure)


def settlement_receipts_due(now=None) -> list[tuple[int, int]]:
    """(order, departure) pairs whose tour has taken place and whose settlement receipt has
    not been sent yet: departures started within SETTLEMENT_LOOKBACK, not cancelled."""
    from shop.bookings.models import DepartureStatus

    now = now or timezone.now()
    pairs = (
        Line.objects.filter(
            product__departure__starts_at__lte=now,
            product__departure__starts_at__gte=now - SETTLEMENT_LOOKBACK,
            order__status=OrderStatus.PAID,
        )
        .exclude(product__departure__status=DepartureStatus.CANCELLED)
        .exclude(status=LineStatus.CANCELLED)
        .values_list("order_id", "product_id")
        .distinct()
    )
    sent = set(
        Receipt.objects.filter(kind=ReceiptKind.SETTLEMENT)
        .exclude(provider_receipt_id="", status=ReceiptStatus.PENDING)
        .values_list("order_id", "departure_id")
    )
    return sorted(pair for pair in pairs if pair not in sent)


@system_process(SystemProcess.RECEIPTS)
def settlement_receipts_send_due(now=None) -> int:
    """Send every settlement receipt that is due (the cron fallback); how many were sent."""
    from shop.bookings.models import Departure

    sent = 0
    for order_id, departure_id in settlement_receipts_due(now):
        order = Order.objects.get(pk=order_id)
        departure = Departure.objects.get(pk=departure_id)
        try:
            if settlement_receipt_send(order=order, departure=departure) is not None:
                sent += 1
        except providers.PaymentUnavailable:
            logger.warning("Settlement receipt for order %s is not sent yet", order.number)
    return sent


def settlement_receipt_send(*, order, departure) -> Receipt | None:
    """The settlement receipt of `order`'s lines for `departure`, sent once (None when
    nothing prepaid is left on them: cancelled or refunded in full). A difference paid for a
    move to a dearer date was an advance of its own: its payment gets its own settlement
    receipt (each offsets its own prepayment); the checkout's is returned."""
    attempt = getattr(order, "payment_attempt", None)
    if attempt is None or attempt.status != AttemptStatus.PAID:
        return None
    supplements = order.supplementary_attempts.filter(status=AttemptStatus.PAID).order_by("pk")
    for supplement in supplements:
        _settlement_send(
            order, departure, supplement, f"settlement-{order.pk}-{departure.pk}-{supplement.pk}"
        )
    return _settlement_send(order, departure, attempt, f"settlement-{order.pk}-{departure.pk}")


def _settlement_send(order, departure, attempt, key) -> Receipt | None:
    receipt = Receipt.objects.filter(key=key).first()
    if receipt is None:
        receipt = _settlement_record(order, departure, attempt, key)
        if receipt is None:
            return None
    if receipt.status != ReceiptStatus.PENDING or receipt.provider_receipt_id:
        return receipt
    provider = providers.get(attempt.provider)
    body = {
        "type": "payment",
        "payment_id": attempt.provider_payment_id,
        "send": True,
        "settlements": [
            {"type": "prepayment", "amount": {"value": f"{receipt.amount:.2f}", "currency": "RUB"}}
        ],
        **receipt_body_for(attempt, receipt.items),
    }
    try:
        receipt_id, status = provider.receipt_create(body, key=key)
    except providers.PaymentRejected as error:
        logger.error("Settlement receipt %s refused: %s", key, error)
        Receipt.objects.filter(pk=receipt.pk).update(
            status=ReceiptStatus.FAILED, checked_at=timezone.now()
        )
        receipt.status = ReceiptStatus.FAILED
        return receipt
    Receipt.objects.filter(pk=receipt.pk).update(
        provider_receipt_id=receipt_id, status=_status(status), checked_at=timezone.now()
    )
    receipt.refresh_from_db()
    return receipt


def _settlement_record(order, departure, attempt, key) -> Receipt | None:
    lines = set(
        order.lines.filter(product_id=departure.pk)
        .exclude(status=LineStatus.CANCELLED)
        .values_list("pk", flat=True)
    )
    items = receipts.settlement_items(
        paid=_payment_items(attempt), refunded=_refunded_items(attempt), refs=lines
    )
    if not items:
        return None
    issued = providers.get(attempt.provider).issues_receipts
    amount = receipts.items_total(items)
    try:
        with transaction.atomic():
            receipt = Receipt.objects.create(
                kind=ReceiptKind.SETTLEMENT,
                status=ReceiptStatus.PENDING if issued else ReceiptStatus.NOT_ISSUED,
                attempt=attempt,
                order=order,
                departure=departure,
                key=key,
                amount=amount,
                items=items,
                tax_system_code=settings.RECEIPT_TAX_SYSTEM_CODE or None,
            )
            activity_record(
                actor=system(),
                action=kinds.RECEIPT_SETTLED,
                order=order,
                departure=departure,
                after={"amount": str(amount), "receipt": key, "issued": issued},
            )
    except IntegrityError:
        # Another worker recorded it first: the same receipt, never a second one.
        return Receipt.objects.filter(key=key).first()
    return receipt
