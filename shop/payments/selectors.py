"""Reads of the payment layer's records for the staff pages."""

from django.db.models import Q

from shop.payments.models import AttemptStatus, PaymentAttempt, Receipt


def order_receipts(order) -> list[Receipt]:
    """The order's 54-FZ receipts (payment, refunds, settlements), oldest first."""
    return list(
        Receipt.objects.filter(order=order)
        .select_related("departure__tour__product")
        .order_by("created_at", "pk")
    )


def order_payments(order) -> list[PaymentAttempt]:
    """The order's payments that took or may still take money: the checkout's, then each
    supplementary one (a dearer date's difference, with the change it paid for), oldest first."""
    return list(
        PaymentAttempt.objects.filter(Q(order=order) | Q(for_order=order))
        .exclude(status__in=[AttemptStatus.DECLINED, AttemptStatus.ABANDONED])
        .exclude(provider_payment_id=None)
        .select_related("booking_change__to_departure")
        .order_by("created_at", "pk")
    )
