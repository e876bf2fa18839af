"""What the shop knows about Stripe payments.

A `PaymentAttempt` is one try to pay for a basket: the Stripe PaymentIntent it created and
everything needed to place the order later without the customer's session (delivery,
address, e-mail, language), because the order may be placed by the webhook after the
customer has closed the browser. The money itself is recorded on the order with Oscar's
payment models (Source, Transaction, PaymentEvent).
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AttemptStatus(models.TextChoices):
    STARTED = "started", _("Waiting for the card")
    PAID = "paid", _("Paid: order placed")
    DECLINED = "declined", _("Declined by the bank")
    NOT_PLACED = "not_placed", _("Not charged: the order could not be placed")
    REFUNDED = "refunded", _("Refunded: the order could not be placed")
    ABANDONED = "abandoned", _("Abandoned")


def new_key() -> str:
    return uuid.uuid4().hex


class PaymentAttempt(models.Model):
    # Stripe's idempotency key for creating the PaymentIntent: unique across databases, so a
    # reset database or a second site on the same Stripe account never reuses one.
    key = models.CharField(max_length=32, unique=True, default=new_key, editable=False)
    basket = models.ForeignKey(
        "basket.Basket", on_delete=models.PROTECT, related_name="payment_attempts"
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
    # The basket's lines, quantities and prices when the card was authorised: the order is
    # placed only for exactly what the customer saw and paid for.
    basket_fingerprint = models.CharField(max_length=64, blank=True)
    payment_intent_id = models.CharField(max_length=255, unique=True, null=True, blank=True)
    status = models.CharField(
        max_length=20, choices=AttemptStatus.choices, default=AttemptStatus.STARTED
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

    def __str__(self):
        return f"{self.payment_intent_id or '—'} ({self.get_status_display()})"

    @property
    def is_final(self) -> bool:
        return self.status != AttemptStatus.STARTED


class ProcessedEvent(models.Model):
    """Each Stripe event id is handled once; a replay finds its row and changes nothing."""

    event_id = models.CharField(max_length=255, primary_key=True)
    event_type = models.CharField(max_length=100)
    payment_intent_id = models.CharField(max_length=255, blank=True, db_index=True)
    received_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"{self.event_id} {self.event_type}"


class RefundStatus(models.TextChoices):
    PENDING = "pending", _("Sent to Stripe")
    SUCCEEDED = "succeeded", _("Refunded")
    FAILED = "failed", _("Failed")


class Refund(models.Model):
    """Money given back on an order. Written before Stripe is asked, so a retry with the same
    key never refunds twice, and the order can never be refunded more than was paid."""

    # A refund of money taken for an order that could not be placed has no order.
    order = models.ForeignKey(
        "order.Order", on_delete=models.PROTECT, null=True, blank=True, related_name="refunds"
    )
    attempt = models.ForeignKey(PaymentAttempt, on_delete=models.PROTECT, related_name="refunds")
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    reason = models.CharField(max_length=255, blank=True)
    idempotency_key = models.CharField(max_length=100, unique=True, default=new_key)
    stripe_refund_id = models.CharField(max_length=255, blank=True)
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
