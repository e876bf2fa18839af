"""Teacher pages under /team/: reports, students, portfolios, assessment, rubrics, gradebook.

A student sees only their own portfolio and assessments; everything else needs the teachers'
permissions (shop/core/roles.py).
"""

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from shop.core.converters import row_id
from shop.core.table_versions import kept, rendered
from shop.feedback.selectors import feedback_on_guided_departures
from shop.teaching import charts, exports, reports
from shop.teaching.forms import CriterionForm, PeriodForm, RangeForm, RubricForm
from shop.teaching.models import Assessment, Criterion, Level, Period, Reflection, Rubric
from shop.teaching.portfolio import (
    TIMELINE_PAGE,
    current_period,
    period_range,
    portfolio,
    students,
    students_overview,
)
from shop.teaching.selectors import evidence_choices, gradebook_table, student_assessments
from shop.teaching.services import (
    AssessmentError,
    Judgement,
    assessment_sign,
    criterion_add,
    period_create,
    period_delete,
    period_update,
    reflection_save,
    rubric_create,
)
from shop.team.views import TeamAccessMixin

VIEW_REPORTS = "teaching.view_reports"
VIEW_PORTFOLIOS = "teaching.view_portfolios"
ASSESS = "teaching.assess_students"


class NeedsPermission(TeamAccessMixin):
    """Team access plus one teaching permission."""

    needs: str = ""

    def has_permission(self):
        return super().has_permission() and self.request.user.has_perm(self.needs)


def _export(request, tables, filename):
    kind = request.GET.get("export")
    wanted = request.GET.get("table")
    if wanted:
        tables = [t for t in tables if t.id == wanted]
        if not tables:
            raise Http404
    if kind == "csv":
        return exports.csv_response(tables, filename)
    if kind == "xlsx":
        return exports.xlsx_response(tables, filename)
    return None


class ReportsView(NeedsPermission, TemplateView):
    template_name = "teaching/reports.html"
    needs = VIEW_REPORTS

    def get(self, request, *args, **kwargs):
        form = RangeForm(request.GET or None, initial=RangeForm.default_initial())
        if not request.GET:
            form = RangeForm(RangeForm.default_initial())
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form, tables=[]))
        period = form.date_range()
        every = form.cleaned_data.get("every") or "day"
        target = form.cleaned_data.get("target") or 24
        every_label = dict(form.fields["every"].choices)[every]
        # The export links name what the form understood, nothing else of the address.
        query = urlencode({"first": period.first, "last": period.last, "every": every})
        query += f"&target={target}"

        def compute():
            tables = reports.report(period, every=every, target_hours=target)
            html = rendered(
                "teaching/_report_tables.html",
                {"tables": tables, "chart": _chart(tables, every_label), "query": query},
            )
            return tables, html

        # The figures and their tables rendered, kept until an order, a line, a refund or a
        # step is written (shop/core/table_versions.py).
        tables, html = kept("report", (query,), compute)
        response = _export(request, tables, f"report-{period.first:%Y%m%d}-{period.last:%Y%m%d}")
        if response is not None:
            return response
        return self.render_to_response(self.get_context_data(form=form, tables=tables, report=html))


def _chart(tables, every_label) -> str:
    trend = next(t for t in tables if t.id == "trend")
    return charts.bar_chart(
        [(row["short"], row["sales"]) for row in trend.rows],
        title=_("Sales by %(every)s") % {"every": every_label},
        unit="₽",
    )


class StudentsView(NeedsPermission, TemplateView):
    template_name = "teaching/students.html"
    needs = VIEW_PORTFOLIOS

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        period = _chosen_period(self.request)
        context.update(
            {
                "period": period,
                "periods": Period.objects.all(),
                "rows": students_overview(period) if period else [],
            }
        )
        return context


def _chosen_period(request) -> Period | None:
    pk = row_id(request.GET.get("period"))
    if pk is not None:
        return Period.objects.filter(pk=pk).first()
    return current_period()


class PortfolioAccessMixin(TeamAccessMixin):
    """The student themselves, or a teacher who may view portfolios."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.student = get_object_or_404(students(), pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def has_permission(self):
        user = self.request.user
        if not super().has_permission():
            return False
        return user.pk == self.student.pk or user.has_perm(VIEW_PORTFOLIOS)


class PortfolioView(PortfolioAccessMixin, TemplateView):
    template_name = "teaching/portfolio.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        period = _chosen_period(self.request)
        context.update(
            {
                "student": self.student,
                "period": period,
                "periods": Period.objects.all(),
                "is_self": self.request.user.pk == self.student.pk,
                "can_assess": self.request.user.has_perm(ASSESS),
            }
        )
        if period is None:
            return context
        page = row_id(self.request.GET.get("page")) or 1

        def compute():
            folio = portfolio(self.student, period, page=page)
            folio.timeline_html = rendered(
                "teaching/_timeline.html", {"timeline": folio.timeline[:TIMELINE_PAGE]}
            )
            return {
                "folio": folio,
                "reflection": Reflection.objects.filter(
                    student=self.student, period=period
                ).first(),
                "assessments": student_assessments(self.student, period),
            }

        # Kept until the activity log, an order, a feedback, a guide, a reflection or an
        # assessment is written (shop/core/table_versions.py); the student and the period as
        # they are now.
        parts = (self.student.pk, period.pk, period.starts_on, period.ends_on, page)
        found = kept("portfolio", parts, compute)
        folio = found["folio"]
        folio.student, folio.period = self.student, period
        context.update(
            {
                **found,
                "timeline": folio.timeline[:TIMELINE_PAGE],
                "next_page": page + 1 if len(folio.timeline) > TIMELINE_PAGE else None,
                "previous_page": page - 1 if page > 1 else None,
            }
        )
        return context

    def post(self, request, *args, **kwargs):
        if request.user.pk != self.student.pk:
            raise PermissionDenied
        period = get_object_or_404(Period, pk=row_id(request.POST.get("period")) or 0)
        try:
            reflection_save(student=self.student, period=period, text=request.POST.get("text", ""))
            messages.success(request, _("Your reflection is saved."))
        except AssessmentError as error:
            messages.error(request, str(error))
        return redirect(
            reverse("team:portfolio", kwargs={"pk": self.student.pk}) + f"?period={period.pk}"
        )


class AssessView(NeedsPermission, TemplateView):
    template_name = "teaching/assess.html"
    needs = ASSESS

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm(ASSESS):
            return self.handle_no_permission()
        self.student = get_object_or_404(students(), pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def setup_choice(self):
        self.period = get_object_or_404(
            Period,
            pk=row_id(self.request.GET.get("period") or self.request.POST.get("period")) or 0,
        )
        rubrics = Rubric.objects.prefetch_related(
            Prefetch(
                "criteria",
                queryset=Criterion.objects.prefetch_related(
                    Prefetch("levels", queryset=Level.objects.order_by("-points", "pk"))
                ),
            )
        )
        raw = self.request.GET.get("rubric") or self.request.POST.get("rubric")
        self.rubrics = list(rubrics)
        self.rubric = next((r for r in self.rubrics if r.pk == row_id(raw)), None) or (
            self.rubrics[0] if self.rubrics else None
        )
        self.current = (
            Assessment.objects.filter(
                student=self.student,
                period=self.period,
                rubric=self.rubric,
                superseded_by__isnull=True,
            )
            .prefetch_related("scores", "evidence", "feedback")
            .first()
            if self.rubric
            else None
        )

    def get_context_data(self, **kwargs):
        self.setup_choice()
        context = super().get_context_data(**kwargs)
        dates = period_range(self.period)
        scores = {s.criterion_id: s for s in self.current.scores.all()} if self.current else {}
        context.update(
            {
                "student": self.student,
                "period": self.period,
                "rubrics": self.rubrics,
                "rubric": self.rubric,
                "current": self.current,
                "scores": scores,
                "cited": {e.pk for e in self.current.evidence.all()} if self.current else set(),
                "entries": evidence_choices(self.student, dates, self.current),
                "feedback": feedback_on_guided_departures(self.student, dates),
                "cited_feedback": (
                    {f.pk for f in self.current.feedback.all()} if self.current else set()
                ),
                "posted": kwargs.get("posted"),
            }
        )
        return context

    def post(self, request, *args, **kwargs):
        self.setup_choice()
        if self.rubric is None:
            raise Http404
        judgements = {}
        for criterion in self.rubric.criteria.all():
            level = row_id(request.POST.get(f"level-{criterion.pk}"))
            if level is not None:
                judgements[criterion.pk] = Judgement(
                    level_id=level, comment=request.POST.get(f"comment-{criterion.pk}", "")[:2000]
                )
        evidence = [pk for pk in map(row_id, request.POST.getlist("evidence")) if pk]
        feedback = [pk for pk in map(row_id, request.POST.getlist("feedback")) if pk]
        # The version the teacher saw; if another was signed meanwhile, the service refuses.
        based_on = row_id(request.POST.get("revises"))
        revises = (
            Assessment.objects.filter(pk=based_on, student=self.student).first()
            if based_on
            else None
        )
        if based_on and revises is None:
            raise Http404
        try:
            assessment_sign(
                teacher=request.user,
                student=self.student,
                period=self.period,
                rubric=self.rubric,
                judgements=judgements,
                evidence_ids=evidence,
                feedback_ids=feedback,
                comment=request.POST.get("comment", "")[:5000],
                revises=revises,
            )
        except AssessmentError as error:
            messages.error(request, str(error))
            context = self.get_context_data(posted=request.POST)
            return self.render_to_response(context, status=400)
        messages.success(request, _("The assessment is signed."))
        return redirect(
            reverse("team:portfolio", kwargs={"pk": self.student.pk}) + f"?period={self.period.pk}"
        )


class RubricsView(NeedsPermission, TemplateView):
    template_name = "teaching/rubrics.html"
    needs = ASSESS

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            {
                "rubrics": Rubric.objects.prefetch_related("criteria__levels"),
                "periods": Period.objects.all(),
                "rubric_form": kwargs.get("rubric_form") or RubricForm(),
                "period_form": kwargs.get("period_form") or PeriodForm(),
            }
        )
        return context

    def post(self, request, *args, **kwargs):
        if request.POST.get("action") == "period":
            form = PeriodForm(request.POST)
            if form.is_valid():
                try:
                    period_create(teacher=request.user, **form.cleaned_data)
                except AssessmentError as error:
                    form.add_error(None, str(error))
                else:
                    messages.success(request, _("The period is added."))
                    return redirect("team:rubrics")
            return self.render_to_response(self.get_context_data(period_form=form), status=400)
        form = RubricForm(request.POST)
        if form.is_valid():
            rubric = rubric_create(teacher=request.user, **form.cleaned_data)
            return redirect("team:rubric", pk=rubric.pk)
        return self.render_to_response(self.get_context_data(rubric_form=form), status=400)


class PeriodView(NeedsPermission, TemplateView):
    """One period: its name and dates changed, or the period deleted while nothing cites it."""

    template_name = "teaching/period.html"
    needs = ASSESS

    def dispatch(self, request, *args, **kwargs):
        self.period = get_object_or_404(Period, pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        initial = {f: getattr(self.period, f) for f in ("name", "starts_on", "ends_on")}
        context.update(
            {
                "period": self.period,
                "form": kwargs.get("form") or PeriodForm(initial=initial),
                "cited": self.period.reflections.exists() or self.period.assessments.exists(),
            }
        )
        return context

    def post(self, request, *args, **kwargs):
        form = PeriodForm(request.POST)
        try:
            if request.POST.get("action") == "delete":
                period_delete(teacher=request.user, period=self.period)
                messages.success(request, _("The period is deleted."))
                return redirect("team:rubrics")
            if form.is_valid():
                period_update(teacher=request.user, period=self.period, **form.cleaned_data)
                messages.success(request, _("The period is saved."))
                return redirect("team:rubrics")
        except AssessmentError as error:
            messages.error(request, str(error))
            return redirect("team:period", pk=self.period.pk)
        return self.render_to_response(self.get_context_data(form=form), status=400)


class RubricView(NeedsPermission, TemplateView):
    template_name = "teaching/rubric.html"
    needs = ASSESS

    def dispatch(self, request, *args, **kwargs):
        self.rubric = get_object_or_404(
            Rubric.objects.prefetch_related("criteria__levels"), pk=kwargs["pk"]
        )
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            {
                "rubric": self.rubric,
                "form": kwargs.get("form") or CriterionForm(),
                "locked": self.rubric.assessments.exists(),
            }
        )
        return context

    def post(self, request, *args, **kwargs):
        form = CriterionForm(request.POST)
        if form.is_valid():
            try:
                criterion_add(
                    rubric=self.rubric,
                    name=form.cleaned_data["name"],
                    description=form.cleaned_data["description"],
                    levels_text=form.cleaned_data["levels"],
                )
                messages.success(request, _("The criterion is added."))
                return redirect("team:rubric", pk=self.rubric.pk)
            except AssessmentError as error:
                form.add_error(None, str(error))
        return self.render_to_response(self.get_context_data(form=form), status=400)


class GradebookView(NeedsPermission, TemplateView):
    template_name = "teaching/gradebook.html"
    needs = ASSESS

    def get(self, request, *args, **kwargs):
        period = _chosen_period(request)
        table = gradebook_table(period) if period else None
        if table is not None:
            response = _export(request, [table], f"gradebook-{period.starts_on:%Y%m%d}")
            if response is not None:
                return response
        return self.render_to_response(
            self.get_context_data(
                period=period,
                periods=Period.objects.all(),
                table=table,
                query=f"period={period.pk}" if period else None,
            )
        )
