"""Teachers sign assessments and define rubrics and periods; students write reflections."""

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shop.activity import kinds
from shop.activity.models import ActivityEntry
from shop.activity.services import activity_record
from shop.feedback.selectors import feedback_on_guided_departures
from shop.teaching.models import (
    Assessment,
    AssessmentEvidence,
    AssessmentFeedback,
    Criterion,
    Level,
    Period,
    Reflection,
    Rubric,
    Score,
)
from shop.teaching.portfolio import period_range


class AssessmentError(ValueError):
    """The assessment cannot be signed; the message is for the teacher."""


@dataclass
class Judgement:
    level_id: int
    comment: str = ""


def assessment_sign(
    *,
    teacher,
    student,
    period: Period,
    rubric: Rubric,
    judgements: dict[int, Judgement],
    evidence_ids: list[int],
    feedback_ids: list[int] = (),
    comment: str = "",
    revises: Assessment | None = None,
) -> Assessment:
    """Sign an assessment: a level for every criterion of the rubric, optionally citing the
    student's own activity in the period and tourists' feedback on the departures they
    guided in it. Revising a signed assessment signs a new version that supersedes it; the
    old one stays as it was."""
    if teacher.pk == student.pk:
        raise AssessmentError(_("Nobody assesses themselves."))
    criteria = list(rubric.criteria.prefetch_related("levels"))
    if not criteria:
        raise AssessmentError(_("This rubric has no criteria yet."))
    scores = []
    for criterion in criteria:
        judgement = judgements.get(criterion.pk)
        level = next(
            (lv for lv in criterion.levels.all() if judgement and lv.pk == judgement.level_id),
            None,
        )
        if level is None:
            raise AssessmentError(
                _("Choose a level for “%(criterion)s”.") % {"criterion": criterion.name}
            )
        scores.append((criterion, level, judgement.comment.strip()))
    dates = period_range(period)
    entries = list(
        ActivityEntry.objects.by_staff().filter(dates.q("at"), actor=student, pk__in=evidence_ids)
    )
    if len(entries) != len(set(evidence_ids)):
        raise AssessmentError(_("Evidence must be the student's own actions in this period."))
    cited_feedback = [
        f for f in feedback_on_guided_departures(student, dates) if f.pk in set(feedback_ids)
    ]
    if len(cited_feedback) != len(set(feedback_ids)):
        raise AssessmentError(
            _("Feedback cited must be on a tour the student guided in this period.")
        )
    with transaction.atomic():
        # A criterion added meanwhile would leave this assessment without its score.
        Rubric.objects.select_for_update().filter(pk=rubric.pk).first()
        if rubric.criteria.count() != len(criteria):
            raise AssessmentError(_("The rubric changed meanwhile: open the form again."))
        current = (
            Assessment.objects.select_for_update(of=("self",))
            .filter(student=student, period=period, rubric=rubric, superseded_by__isnull=True)
            .order_by("-version")
            .first()
        )
        if (revises is None) != (current is None) or (
            revises is not None and revises.pk != current.pk
        ):
            raise AssessmentError(
                _("Someone signed this assessment meanwhile: open it again and revise the latest.")
            )
        try:
            assessment = Assessment.objects.create(
                student=student,
                period=period,
                rubric=rubric,
                teacher=teacher,
                signed_at=timezone.now(),
                version=(current.version + 1) if current else 1,
                supersedes=current,
                comment=comment.strip(),
            )
        except IntegrityError as error:
            raise AssessmentError(
                _("Someone signed this assessment meanwhile: open it again and revise the latest.")
            ) from error
        Score.objects.bulk_create(
            Score(
                assessment=assessment,
                criterion=criterion,
                level=level,
                criterion_name=criterion.name,
                level_name=level.name,
                points=level.points,
                comment=text,
            )
            for criterion, level, text in scores
        )
        AssessmentEvidence.objects.bulk_create(
            AssessmentEvidence(assessment=assessment, entry=entry) for entry in entries
        )
        AssessmentFeedback.objects.bulk_create(
            AssessmentFeedback(assessment=assessment, feedback=feedback)
            for feedback in cited_feedback
        )
    return assessment


def reflection_save(*, student, period: Period, text: str) -> Reflection:
    text = text.strip()
    if not text:
        raise AssessmentError(_("Write a few words first."))
    if Assessment.objects.filter(student=student, period=period).exists():
        raise AssessmentError(
            _("This period is assessed already: the reflection stays as the teacher read it.")
        )
    reflection, _created = Reflection.objects.update_or_create(
        student=student, period=period, defaults={"text": text[:10000]}
    )
    return reflection


def rubric_create(*, teacher, name: str, description: str = "") -> Rubric:
    return Rubric.objects.create(
        name=name.strip(), description=description.strip(), created_by=teacher
    )


def criterion_add(*, rubric: Rubric, name: str, description: str, levels_text: str) -> Criterion:
    """Levels come one per line as "points | name | descriptor"."""
    levels = []
    for number, line in enumerate(levels_text.splitlines(), start=1):
        if not line.strip():
            continue
        parts = [part.strip() for part in line.split("|")]
        if len(parts) < 2 or not parts[0].isdigit() or not parts[1]:
            raise AssessmentError(
                _("Line %(n)s: write “points | level | descriptor”, e.g. “3 | Excellent | …”.")
                % {"n": number}
            )
        levels.append((int(parts[0]), parts[1][:100], " | ".join(parts[2:])))
    if len(levels) < 2:
        raise AssessmentError(_("A criterion needs at least two levels."))
    with transaction.atomic():
        Rubric.objects.select_for_update().filter(pk=rubric.pk).first()
        if rubric.assessments.exists():
            raise AssessmentError(
                _("Students have been assessed with this rubric: make a new one instead.")
            )
        criterion = Criterion.objects.create(
            rubric=rubric,
            name=name.strip()[:150],
            description=description.strip(),
            position=rubric.criteria.count(),
        )
        Level.objects.bulk_create(
            Level(criterion=criterion, points=points, name=level_name, descriptor=descriptor)
            for points, level_name, descriptor in levels
        )
    return criterion


# --- Periods ----------------------------------------------------------------------------------


def _period_state(period: Period) -> dict:
    return {"name": period.name, "starts_on": period.starts_on, "ends_on": period.ends_on}


def _period_check(starts_on, ends_on) -> None:
    from shop.teaching.reports import EARLIEST, LATEST

    if not (EARLIEST <= starts_on <= LATEST and EARLIEST <= ends_on <= LATEST):
        raise AssessmentError(
            _("Choose a date from %(first)s to %(last)s.")
            % {"first": EARLIEST.isoformat(), "last": LATEST.isoformat()}
        )
    if ends_on < starts_on:
        raise AssessmentError(_("The period ends before it starts."))


def period_create(*, teacher, name: str, starts_on, ends_on) -> Period:
    _period_check(starts_on, ends_on)
    with transaction.atomic():
        period = Period.objects.create(
            name=name.strip()[:100], starts_on=starts_on, ends_on=ends_on, created_by=teacher
        )
        activity_record(
            actor=teacher,
            action=kinds.PERIOD_CREATED,
            after=_period_state(period),
            note=period.name,
        )
    return period


def period_update(*, teacher, period: Period, name: str, starts_on, ends_on) -> Period:
    _period_check(starts_on, ends_on)
    with transaction.atomic():
        period = Period.objects.select_for_update().get(pk=period.pk)
        before = _period_state(period)
        period.name, period.starts_on, period.ends_on = name.strip()[:100], starts_on, ends_on
        if _period_state(period) == before:
            return period
        period.save(update_fields=["name", "starts_on", "ends_on"])
        activity_record(
            actor=teacher,
            action=kinds.PERIOD_UPDATED,
            before=before,
            after=_period_state(period),
            note=period.name,
        )
    return period


def period_delete(*, teacher, period: Period) -> None:
    """Only a period no reflection or assessment cites: those keep the dates they were
    written for."""
    with transaction.atomic():
        period = Period.objects.select_for_update().get(pk=period.pk)
        if period.reflections.exists() or period.assessments.exists():
            raise AssessmentError(
                _("Reflections or assessments cite this period: it cannot be deleted.")
            )
        before = _period_state(period)
        period.delete()
        activity_record(
            actor=teacher, action=kinds.PERIOD_DELETED, before=before, note=before["name"]
        )
