"""The append-only record of who did what: the evidence students are assessed on.

Who acted is a member of staff, a customer or the shop itself (shop/activity/actors.py); only
staff entries are a student's work. What was done is one of the kinds in
shop/activity/kinds.py.
"""

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shop.activity.actors import ActorKind, actor_label


class ActivityEntryQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionDenied("Activity entries are append-only.")

    def delete(self):
        raise PermissionDenied("Activity entries are append-only.")

    def by_staff(self):
        """What staff did: customers' and automatic entries are nobody's coursework."""
        return self.filter(actor_kind=ActorKind.STAFF)


class ActivityEntry(models.Model):
    """Who did what, when, to which order, line or departure, with the state before/after."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="activity_entries",
        verbose_name=_("Who"),
    )
    actor_kind = models.CharField(
        _("Acted as"), max_length=10, choices=ActorKind.choices, default=ActorKind.STAFF
    )
    # The automatic process that acted (shop.activity.actors.SystemProcess), for system entries.
    process = models.CharField(_("Process"), max_length=30, blank=True)
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
        constraints = [
            # Staff are always named; the system never is; a customer is named or, as a
            # guest, known through the order.
            models.CheckConstraint(
                condition=(
                    models.Q(actor_kind=ActorKind.STAFF, actor__isnull=False)
                    | models.Q(actor_kind=ActorKind.SYSTEM, actor__isnull=True)
                    & ~models.Q(process="")
                    | models.Q(actor_kind=ActorKind.CUSTOMER)
                    & (models.Q(actor__isnull=False) | models.Q(order__isnull=False))
                ),
                name="activity_actor_named",
            )
        ]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.action}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionDenied("Activity entries are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionDenied("Activity entries are append-only.")

    @property
    def actor_label(self) -> str:
        """Who acted, as the log shows it ("Anna Petrova", "Automatically · checkout")."""
        return actor_label(self.actor_kind, self.actor, self.process)

    @property
    def label(self) -> str:
        from shop.activity.kinds import action_label

        return action_label(self.action)

    @property
    def phrase(self) -> str:
        from shop.activity.kinds import action_phrase

        return action_phrase(self)
