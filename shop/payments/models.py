"""What the shop knows about payments, whichever provider took them.

A `PaymentAttempt` is one try to pay for a basket through one provider (Stripe or YooKassa):
the provider's payment it created and everything needed to place the order later without
the customer's session (delivery, address, e-mail, language), because the order may be
placed by a notification after the customer has closed the browser. The money itself is
recorded on the order with Oscar's payment models (Source, Transaction, PaymentEvent).

A supplementary attempt pays more for an order already placed (the difference of a booking
moved to a dearer date): it has no basket, names the order it pays for (`for_order`) and the
change it pays for (`booking_change`), and is settled by the same state machine, which applies
the change where a checkout's attempt places its order.

A `Receipt` is a 54-FZ receipt: sent with a payment or a refund, or on its own when a prepaid
tour has taken place (the settlement receipt). Stripe issues none; its rows say so.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Provider(models.TextChoices):
    YOOKASSA = "yookassa", _("YooKassa")
    STRIPE = "stripe", _("Stripe")
    NONE = "", _("None: nothing to pay")


class PaymentMethod(models.TextChoices):
    CARD = "card", _("Card")
    SBP = "sbp", _("SBP (Faster Payments System)")


class AttemptStatus(models.TextChoices):
    STARTED = "started", _("Waiting for the card")
    PAID = "paid", _("Paid: order placed")
    DECLINED = "declined", _("Declined by the bank")
    NOT_PLACED = "not_placed", _("Not charged: the order could not be placed")
    REFUNDED = "refunded", _("Refunded: the order could not be placed")
    ABANDONED = "abandoned", _("Abandoned")


class PendingAction(models.TextChoices):
    """What was decided under the attempt's lock and committed, but not yet confirmed by the
    provider (the call is made after the commit). Reconciliation finishes it after a crash."""

    NONE = "", _("Nothing")
    CAPTURE = "capture", _("Take the money")
    CANCEL = "cancel", _("Release the authorisation")


def new_key() -> str:
    return uuid.uuid4().hex


class PaymentAttempt(models.Model):
    # The provider's idempotency key for creating the payment: unique across databases, so a
    # reset database or a second site on the same account never reuses one.
    key = models.CharField(max_length=32, unique=True, default=new_key, editable=False)
    provider = models.CharField(max_length=20, choices=Provider.choices, blank=True)
    method = models.CharField(max_length=10, choices=PaymentMethod.choices, blank=True)
    # Empty for a supplementary payment (nothing is bought through a basket).
    basket = models.ForeignKey(
        "basket.Basket",
        on_delete=models.PROTECT,
        related_name="payment_attempts",
        null=True,
        blank=True,
    )
    # A supplementary payment: the placed order it pays more for, and the booking change
    # (a move to a dearer date) that the money is for. `order` stays empty on these, so
    # `order.payment_attempt` is always the checkout's payment.
    for_order = models.ForeignKey(
        "order.Order",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="supplementary_attempts",
    )
    booking_change = models.ForeignKey(
        "bookings.BookingChange",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="payment_attempts",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="payment_attempts",
    )
    guest_email = models.EmailField(blank=True)
    # When the customer agreed to the processing of their personal data (on the payment page).
    consented_at = models.DateTimeField(null=True, blank=True)
    language = models.CharField(max_length=10, default="ru")
    shipping_method_code = models.CharField(max_length=128)
    shipping_address = models.JSONField(default=dict, blank=True)
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    currency = models.CharField(max_length=12)
    # The basket's lines, quantities and prices when the payment was started: the order is
    # placed only for exactly what the customer saw and paid for.
    basket_fingerprint = models.CharField(max_length=64, blank=True)
    # The provider's payment: a Stripe PaymentIntent id or a YooKassa payment id.
    provider_payment_id = models.CharField(max_length=255, null=True, blank=True)
    # Where the customer confirms the payment (YooKassa's card page, or the SBP link that the
    # payment page shows as a QR code).
    confirmation_url = models.URLField(max_length=2048, blank=True)
    status = models.CharField(
        max_length=20, choices=AttemptStatus.choices, default=AttemptStatus.STARTED
    )
    pending_action = models.CharField(
        max_length=10, choices=PendingAction.choices, blank=True, default=PendingAction.NONE
    )
    # Why the order was not placed, in the customer's language, shown on the payment page.
    message = models.TextField(blank=True)
    order = models.OneToOneField(
        "order.Order",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="payment_attempt",
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("Payment attempt")
        verbose_name_plural = _("Payment attempts")
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "provider_payment_id"], name="one_attempt_per_payment"
            ),
            # A checkout's attempt pays for a basket; a supplementary one for a placed order.
            models.CheckConstraint(
                condition=models.Q(basket__isnull=False, for_order__isnull=True)
                | models.Q(basket__isnull=True, for_order__isnull=False, order__isnull=True),
                name="attempt_pays_basket_or_order",
            ),
        ]
        indexes = [
            models.Index(
                fields=["pending_action"],
                name="attempt_pending_action",
                condition=~models.Q(pending_action=""),
            )
        ]

    def __str__(self):
        return f"{self.provider} {self.provider_payment_id or '—'} ({self.get_status_display()})"

    @property
    def is_final(self) -> bool:
        return self.status != AttemptStatus.STARTED

    @property
    def is_supplementary(self) -> bool:
        return self.for_order_id is not None

    @property
    def paid_order(self):
        """The order the money is for: placed by this attempt, or paid more for by it."""
        return self.for_order if self.is_supplementary else self.order

    @property
    def order_number(self) -> str:
        """The number the order will have (Oscar's: 100000 + the basket's id), to name the
        payment before the order exists."""
        from oscar.core.loading import get_class

        if self.is_supplementary:
            return self.for_order.number

        generator = get_class("order.utils", "OrderNumberGenerator")()
        return str(generator.order_number(self.basket))


class ProcessedEvent(models.Model):
    """Each Stripe event id is handled once; a replay finds its row and changes nothing.
    (YooKassa's notifications carry no id: each is a reason to re-read the payment.)"""

    event_id = models.CharField(max_length=255, primary_key=True)
    event_type = models.CharField(max_length=100)
    payment_intent_id = models.CharField(max_length=255, blank=True, db_index=True)
    received_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"{self.event_id} {self.event_type}"


class RefundStatus(models.TextChoices):
    PENDING = "pending", _("Sent to the payment service")
    SUCCEEDED = "succeeded", _("Refunded")
    FAILED = "failed", _("Failed")


class Refund(models.Model):
    """Money given back on an order. Written before the provider is asked, so a retry with the
    same key never refunds twice, and the order can never be refunded more than was paid."""

    # A refund of money taken for an order that could not be placed has no order.
    order = models.ForeignKey(
        "order.Order", on_delete=models.PROTECT, null=True, blank=True, related_name="refunds"
    )
    attempt = models.ForeignKey(PaymentAttempt, on_delete=models.PROTECT, related_name="refunds")
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    reason = models.CharField(max_length=255, blank=True)
    idempotency_key = models.CharField(max_length=100, unique=True, default=new_key)
    provider_refund_id = models.CharField(max_length=255, blank=True)
    status = models.CharField(
        max_length=20, choices=RefundStatus.choices, default=RefundStatus.PENDING
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="refund_positive")
        ]

    def __str__(self):
        return f"{self.order_id}: {self.amount} ({self.status})"


class ReceiptKind(models.TextChoices):
    PAYMENT = "payment", _("Payment receipt")
    REFUND = "refund", _("Refund receipt")
    SETTLEMENT = "settlement", _("Settlement receipt")


class ReceiptStatus(models.TextChoices):
    PENDING = "pending", _("Sent, not registered yet")
    SUCCEEDED = "succeeded", _("Registered")
    CANCELED = "canceled", _("Not issued: no money was taken")
    FAILED = "failed", _("Refused by the payment service")
    # Stripe has no Russian online cash register: the bureau issues these receipts itself.
    NOT_ISSUED = "not_issued", _("Not issued by Stripe: issue it at the bureau's cash register")


class Receipt(models.Model):
    """A 54-FZ receipt as the shop sent it (or, for Stripe, as it should be issued by hand).

    `items` are the lines as sent, each with the order line it stands for (`line`, or
    "delivery"), so refunds and the settlement receipt know what was paid for each line.
    """

    kind = models.CharField(max_length=20, choices=ReceiptKind.choices)
    status = models.CharField(
        max_length=20, choices=ReceiptStatus.choices, default=ReceiptStatus.PENDING
    )
    attempt = models.ForeignKey(PaymentAttempt, on_delete=models.PROTECT, related_name="receipts")
    order = models.ForeignKey(
        "order.Order", on_delete=models.PROTECT, null=True, blank=True, related_name="receipts"
    )
    refund = models.OneToOneField(
        Refund, on_delete=models.PROTECT, null=True, blank=True, related_name="receipt"
    )
    departure = models.ForeignKey(
        "bookings.Departure",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # One receipt per key: the payment's, the refund's, a departure's settlement per order.
    key = models.CharField(max_length=100, unique=True)
    provider_receipt_id = models.CharField(max_length=255, blank=True)
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    items = models.JSONField(default=list)
    tax_system_code = models.PositiveSmallIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    checked_at = models.DateTimeField(null=True, blank=True)
    registered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("Receipt")
        verbose_name_plural = _("Receipts")

    def __str__(self):
        return f"{self.kind} {self.amount} ({self.status})"
