"""Every e-mail the shop sends a customer, written before it is sent.

A message has a key saying what it is about ("order-12-confirmation", "ticket-5-reminder"), and
the key is unique: asking to send the same message twice finds the first one and sends nothing.
Sending happens later, in a task, so a slow mail server never slows a checkout.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class MessageKind(models.TextChoices):
    CONFIRMATION = "confirmation", _("Order confirmation")
    REMINDER = "reminder", _("Reminder the day before a tour")
    DEPARTURE_CANCELLED = "departure_cancelled", _("Tour cancelled")
    READY = "ready", _("Ready for pickup")
    SHIPPED = "shipped", _("Sent by post")
    BOOKING_CANCELLED = "booking_cancelled", _("Booking cancelled")
    BOOKING_MOVED = "booking_moved", _("Booking moved to another date")
    WAITLIST_OFFER = "waitlist_offer", _("Seats held from the waiting list")
    FEEDBACK_REQUEST = "feedback_request", _("How was the tour?")
    ORDER_CANCELLED = "order_cancelled", _("Order cancelled by the bureau")


class CustomerMessage(models.Model):
    key = models.CharField(max_length=100, unique=True)
    kind = models.CharField(_("Kind"), max_length=30, choices=MessageKind.choices)
    # Every message is about an order, except the waiting list's (a visitor with no order yet).
    order = models.ForeignKey(
        "order.Order",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="customer_messages",
    )
    waiting = models.ForeignKey(
        "bookings.WaitingListEntry",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    ticket = models.ForeignKey(
        "bookings.Ticket", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    to = models.EmailField(_("To"))
    language = models.CharField(max_length=10)
    # What only this message knows, e.g. why a departure was cancelled and what was refunded.
    details = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # A sender takes a message by setting `sending_since`; one that died is retried later.
    sending_since = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(_("Sent"), null=True, blank=True, db_index=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("Customer message")
        verbose_name_plural = _("Customer messages")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(order__isnull=False) | models.Q(waiting__isnull=False),
                name="customer_message_about_something",
            )
        ]

    def __str__(self):
        return self.key
