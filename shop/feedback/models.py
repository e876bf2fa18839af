"""What tourists say about a tour they took: a rating and a comment, once per booking.

The day after a departure the lead participant of each booking is e-mailed a signed link
(shop/feedback/services.py). Feedback belongs to the departure, and through the departure's
guides to the students who led it: teachers read it in portfolios and may cite it in an
assessment. Staff publish it (or not) on the tour's page.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

RATINGS = range(1, 6)


class FeedbackStatus(models.TextChoices):
    NEW = "new", _("Waiting for moderation")
    PUBLISHED = "published", _("Published")
    HIDDEN = "hidden", _("Not published")


class FeedbackQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=FeedbackStatus.PUBLISHED)


class Feedback(models.Model):
    ticket = models.OneToOneField(
        "bookings.Ticket", on_delete=models.PROTECT, related_name="feedback"
    )
    departure = models.ForeignKey(
        "bookings.Departure", on_delete=models.PROTECT, related_name="feedback"
    )
    rating = models.PositiveSmallIntegerField(
        _("Rating"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    comment = models.TextField(_("Comment"), blank=True)
    # How a published review is signed; the tourist chooses it (blank: "a tourist").
    author_name = models.CharField(_("Signed as"), max_length=60, blank=True)
    language = models.CharField(_("Language"), max_length=10)
    submitted_at = models.DateTimeField(_("Received"), default=timezone.now, db_index=True)
    status = models.CharField(
        _("Status"),
        max_length=20,
        choices=FeedbackStatus.choices,
        default=FeedbackStatus.NEW,
        db_index=True,
    )
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    moderated_at = models.DateTimeField(null=True, blank=True)

    objects = FeedbackQuerySet.as_manager()

    class Meta:
        ordering = ["-submitted_at", "-pk"]
        verbose_name = _("Feedback")
        verbose_name_plural = _("Feedback")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(rating__gte=1, rating__lte=5), name="feedback_rating_1_to_5"
            )
        ]

    def __str__(self):
        return f"{self.departure_id}: {self.rating}"

    @property
    def stars(self) -> str:
        return "★" * self.rating + "☆" * (5 - self.rating)
