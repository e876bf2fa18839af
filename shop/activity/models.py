"""The append-only record of what staff did: the evidence students are assessed on."""

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ActivityEntryQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionDenied("Activity entries are append-only.")

    def delete(self):
        raise PermissionDenied("Activity entries are append-only.")


class ActivityEntry(models.Model):
    """Who did what, when, to which order, line or departure, with the state before/after."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="activity_entries",
        verbose_name=_("Who"),
    )
    at = models.DateTimeField(_("When"), default=timezone.now, db_index=True)
    action = models.CharField(_("Action"), max_length=64, db_index=True)
    order = models.ForeignKey(
        "order.Order", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    line = models.ForeignKey(
        "order.Line", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    departure = models.ForeignKey(
        "bookings.Departure",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="activity_entries",
    )
    before = models.JSONField(_("Before"), default=dict, blank=True, encoder=DjangoJSONEncoder)
    after = models.JSONField(_("After"), default=dict, blank=True, encoder=DjangoJSONEncoder)
    note = models.TextField(_("Note"), blank=True)

    objects = ActivityEntryQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("Activity entry")
        verbose_name_plural = _("Activity log")

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor} {self.action}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionDenied("Activity entries are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionDenied("Activity entries are append-only.")
