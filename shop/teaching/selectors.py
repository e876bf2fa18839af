"""Reads for the teachers' pages: a student's assessments, the evidence a teacher may cite,
the gradebook table (shown and exported)."""

from django.db.models import Exists, OuterRef, Prefetch
from django.utils.translation import gettext as _

from shop.activity.models import ActivityEntry
from shop.feedback.models import Feedback
from shop.teaching import reports
from shop.teaching.models import Assessment, Period, Score


def student_assessments(student, period) -> list:
    """Every version of the student's assessments in the period, each marked current or not,
    with its scores and cited evidence."""
    return list(
        Assessment.objects.filter(student=student, period=period)
        .annotate(current=~Exists(Assessment.objects.filter(supersedes=OuterRef("pk"))))
        .select_related("teacher", "rubric")
        .prefetch_related(
            Prefetch("scores", queryset=Score.objects.order_by("criterion__position", "pk")),
            Prefetch(
                "evidence",
                queryset=ActivityEntry.objects.select_related("order", "departure__tour__product"),
            ),
            Prefetch(
                "feedback", queryset=Feedback.objects.select_related("departure__tour__product")
            ),
        )
        .order_by("rubric__name", "-version")
    )


def evidence_choices(student, dates, current) -> list:
    """The student's latest 200 actions in the period, plus any the current version cites."""
    entries = ActivityEntry.objects.select_related("order", "departure__tour__product")
    latest = list(
        entries.by_staff().filter(dates.q("at"), actor=student).order_by("-at", "-pk")[:200]
    )
    cited = [e.pk for e in current.evidence.all()] if current else []
    missing = set(cited) - {e.pk for e in latest}
    if missing:
        latest += list(entries.filter(pk__in=missing))
    return sorted(latest, key=lambda e: (e.at, e.pk), reverse=True)


def gradebook_table(period: Period) -> reports.Table:
    """One row per current (latest) signed assessment in the period."""
    assessments = list(
        Assessment.objects.filter(period=period, superseded_by__isnull=True)
        .select_related("student", "teacher", "rubric")
        .prefetch_related("scores")
        .order_by("student__last_name", "student__first_name", "rubric__name")
    )
    # One pair of columns per criterion (by id: two criteria may share a name).
    criteria: dict[int, str] = {}
    several = len({a.rubric_id for a in assessments}) > 1
    for assessment in assessments:
        for score in assessment.scores.all():
            name = score.criterion_name
            criteria.setdefault(
                score.criterion_id, f"{assessment.rubric.name}: {name}" if several else name
            )
    columns = [
        reports.Column("student", _("Student")),
        reports.Column("period", _("Period")),
        reports.Column("rubric", _("Rubric")),
    ]
    for criterion_id, name in criteria.items():
        columns.append(reports.Column(f"c{criterion_id}", name))
        columns.append(
            reports.Column(
                f"p{criterion_id}", _("%(criterion)s, points") % {"criterion": name}, "int"
            )
        )
    columns += [
        reports.Column("total", _("Total points"), "int"),
        reports.Column("teacher", _("Teacher")),
        reports.Column("signed", _("Signed"), "datetime"),
        reports.Column("version", _("Version"), "int"),
    ]
    rows = []
    for assessment in assessments:
        row = {
            "student": assessment.student.get_full_name() or assessment.student.get_username(),
            "period": period.name,
            "rubric": assessment.rubric.name,
            "total": sum(s.points for s in assessment.scores.all()),
            "teacher": assessment.teacher.get_full_name() or assessment.teacher.get_username(),
            "signed": assessment.signed_at,
            "version": assessment.version,
        }
        for score in assessment.scores.all():
            row[f"c{score.criterion_id}"] = score.level_name
            row[f"p{score.criterion_id}"] = score.points
        rows.append(row)
    return reports.Table(id="gradebook", title=_("Gradebook"), columns=columns, rows=rows)
