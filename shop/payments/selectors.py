"""Reads of the payment layer's records for the staff pages."""

from shop.payments.models import Receipt


def order_receipts(order) -> list[Receipt]:
    """The order's 54-FZ receipts (payment, refunds, settlements), oldest first."""
    return list(
        Receipt.objects.filter(order=order)
        .select_related("departure__tour__product")
        .order_by("created_at", "pk")
    )
