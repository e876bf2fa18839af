"""What teachers need to assess students on their real work in the enterprise.

The evidence is the activity log (shop/activity). Here live the periods a student is assessed
for, the student's own reflections, the rubrics and the signed assessments. A signed
assessment is never changed: a revision is a new version that supersedes it, and the old one
stays visible.
"""

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


class Period(models.Model):
    """A stretch of coursework a student is assessed for, e.g. "November 2026"."""

    name = models.CharField(_("Name"), max_length=100)
    starts_on = models.DateField(_("From"))
    ends_on = models.DateField(_("To (inclusive)"))
    # The teacher who added it (none for periods the demo data adds).
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-starts_on", "pk"]
        verbose_name = _("Period")
        verbose_name_plural = _("Periods")
        permissions = [
            ("view_reports", _("Can view the sales and service reports")),
            ("view_portfolios", _("Can view every student's portfolio")),
            ("assess_students", _("Can define rubrics and assess students")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")), name="period_in_order"
            )
        ]

    def __str__(self):
        return self.name

    def clean(self):
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError(_("The period ends before it starts."))


class Reflection(models.Model):
    """The student's own words on a period: what they did, learned, would do differently."""

    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="reflections"
    )
    period = models.ForeignKey(Period, on_delete=models.PROTECT, related_name="reflections")
    text = models.TextField(_("Reflection"))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["student", "period"], name="one_reflection_per_period")
        ]

    def __str__(self):
        return f"{self.student} · {self.period}"


class Rubric(models.Model):
    name = models.CharField(_("Name"), max_length=150)
    description = models.TextField(_("Description"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("Rubric")
        verbose_name_plural = _("Rubrics")

    def __str__(self):
        return self.name

    @property
    def max_points(self) -> int:
        return sum(
            max((lv.points for lv in c.levels.all()), default=0) for c in self.criteria.all()
        )


class Criterion(models.Model):
    rubric = models.ForeignKey(Rubric, on_delete=models.CASCADE, related_name="criteria")
    name = models.CharField(_("Criterion"), max_length=150)
    description = models.TextField(_("What it looks at"), blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self):
        return self.name


class Level(models.Model):
    criterion = models.ForeignKey(Criterion, on_delete=models.CASCADE, related_name="levels")
    name = models.CharField(_("Level"), max_length=100)
    descriptor = models.TextField(_("Descriptor"), blank=True)
    points = models.PositiveSmallIntegerField(_("Points"))

    class Meta:
        ordering = ["-points", "pk"]

    def __str__(self):
        return f"{self.name} ({self.points})"


class SignedQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionDenied("Signed assessments are never changed; sign a new version.")

    def delete(self):
        raise PermissionDenied("Signed assessments are never deleted.")


class Signed(models.Model):
    """Rows written once, when the teacher signs; never updated or deleted."""

    objects = SignedQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionDenied("Signed assessments are never changed; sign a new version.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionDenied("Signed assessments are never deleted.")


class Assessment(Signed):
    """One teacher's signed judgement of one student for one period, on one rubric."""

    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="assessments"
    )
    period = models.ForeignKey(Period, on_delete=models.PROTECT, related_name="assessments")
    rubric = models.ForeignKey(Rubric, on_delete=models.PROTECT, related_name="assessments")
    teacher = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="assessments_signed"
    )
    signed_at = models.DateTimeField(_("Signed"))
    version = models.PositiveSmallIntegerField(default=1)
    supersedes = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="superseded_by"
    )
    comment = models.TextField(_("Overall comment"), blank=True)
    evidence = models.ManyToManyField(
        "activity.ActivityEntry", through="AssessmentEvidence", related_name="cited_in"
    )
    # Tourists' ratings and comments on departures the student guided, cited as evidence.
    feedback = models.ManyToManyField(
        "feedback.Feedback", through="AssessmentFeedback", related_name="cited_in"
    )

    class Meta:
        ordering = ["-signed_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["student", "period", "rubric", "version"], name="one_version_number"
            )
        ]

    def __str__(self):
        return f"{self.student} · {self.period} · v{self.version}"

    @property
    def total_points(self) -> int:
        return sum(score.points for score in self.scores.all())

    @property
    def is_current(self) -> bool:
        return not hasattr(self, "superseded_by")


class Score(Signed):
    assessment = models.ForeignKey(Assessment, on_delete=models.PROTECT, related_name="scores")
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="+")
    level = models.ForeignKey(Level, on_delete=models.PROTECT, related_name="+")
    # As signed: a later edit of the rubric's wording does not change a signed assessment.
    criterion_name = models.CharField(max_length=150)
    level_name = models.CharField(max_length=100)
    points = models.PositiveSmallIntegerField()
    comment = models.TextField(blank=True)

    class Meta:
        ordering = ["criterion__position", "criterion__pk"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "criterion"], name="one_score_each")
        ]

    def __str__(self):
        return f"{self.criterion_name}: {self.level_name} ({self.points})"


class AssessmentEvidence(Signed):
    assessment = models.ForeignKey(Assessment, on_delete=models.PROTECT)
    entry = models.ForeignKey("activity.ActivityEntry", on_delete=models.PROTECT)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["assessment", "entry"], name="cite_once")]

    def __str__(self):
        return f"{self.assessment_id} cites {self.entry_id}"


class AssessmentFeedback(Signed):
    assessment = models.ForeignKey(Assessment, on_delete=models.PROTECT)
    feedback = models.ForeignKey("feedback.Feedback", on_delete=models.PROTECT)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["assessment", "feedback"], name="cite_feedback_once")
        ]

    def __str__(self):
        return f"{self.assessment_id} cites feedback {self.feedback_id}"
