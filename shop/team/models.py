"""How far the team has got with an order: who is on it and which step it has reached.

The order's own status stays about money (Paid, Confirmed, Cancelled); the steps of getting
the gingerbread to the customer live here. Every change is made by shop/team/services.py and
appended to the activity log.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Stage(models.TextChoices):
    CONFIRMED = "confirmed", _("Confirmed")
    PACKED = "packed", _("Packed")
    READY = "ready", _("Ready for pickup")
    SHIPPED = "shipped", _("Shipped")
    HANDED_OVER = "handed_over", _("Handed over")
    DELIVERED = "delivered", _("Delivered")
    CANCELLED = "cancelled", _("Cancelled")


FINAL_STAGES = {Stage.HANDED_OVER, Stage.DELIVERED, Stage.CANCELLED}


class OrderHandling(models.Model):
    order = models.OneToOneField(
        "order.Order", on_delete=models.CASCADE, primary_key=True, related_name="handling"
    )
    stage = models.CharField(
        _("Step"), max_length=20, choices=Stage.choices, default=Stage.CONFIRMED, db_index=True
    )
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="claimed_orders",
        verbose_name=_("Handled by"),
    )
    claimed_at = models.DateTimeField(null=True, blank=True)
    tracking_number = models.CharField(_("Tracking number"), max_length=64, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("Order handling")
        verbose_name_plural = _("Order handling")
        permissions = [
            ("process_order", _("Can claim orders and move them through the steps")),
        ]

    def __str__(self):
        return f"{self.order_id}: {self.stage}"
