"""Staff manage tours and their departures in Oscar's dashboard.

Views stay thin: they check permissions, validate a form and call one service from
shop.bookings.services (which owns the transaction and the activity log).
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.db.models import Count, Min, Q, Sum
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views import View
from django.views.generic import ListView, TemplateView

from catalogue.translation import translation_languages
from shop.bookings.cancellation import CancellationError, departure_cancel_for_everyone
from shop.bookings.dashboard.forms import (
    OFFER,
    DepartureCancelForm,
    DepartureForm,
    OneDepartureForm,
    ScheduleForm,
    TourFactsForm,
    TourTranslationForm,
)
from shop.bookings.go_no_go import DecisionError, departure_cancel_too_few, departure_run_anyway
from shop.bookings.models import Departure, DepartureStatus, Tour
from shop.bookings.rebooking import rebook_possible
from shop.bookings.selectors import (
    departure_waiting_list,
    departures_awaiting_decision,
    departures_with_booking_data,
    tour_translations,
)
from shop.bookings.services import (
    DepartureChangeError,
    ScheduleError,
    departure_add,
    departure_close,
    departure_reopen,
    departure_schedule_create,
    departure_update,
    tour_update,
)

DEPARTURES_PER_PAGE = 50

VIEW_TOUR = "bookings.view_tour"
VIEW_DEPARTURE = "bookings.view_departure"
CHANGE_TOUR = "bookings.change_tour"
ADD_DEPARTURE = "bookings.add_departure"
CHANGE_DEPARTURE = "bookings.change_departure"


class DashboardPermissionMixin(PermissionRequiredMixin):
    """Anonymous visitors go to the dashboard login; signed-in users without the permission
    get 403. Checked before anything is loaded, so a 404 never tells them what exists."""

    raise_exception = True
    login_url = reverse_lazy("dashboard:login")

    def handle_no_permission(self):
        if not self.request.user.is_authenticated:
            return redirect_to_login(
                self.request.get_full_path(), self.get_login_url(), self.get_redirect_field_name()
            )
        return super().handle_no_permission()

    def get_context_data(self, **kwargs):
        user = self.request.user
        kwargs.setdefault("can_change_tour", user.has_perm(CHANGE_TOUR))
        kwargs.setdefault("can_add_departure", user.has_perm(ADD_DEPARTURE))
        kwargs.setdefault("can_change_departure", user.has_perm(CHANGE_DEPARTURE))
        kwargs.setdefault("tour_zone", settings.TIME_ZONE)
        return super().get_context_data(**kwargs)


class TourMixin:
    """Loads the tour of the URL (after the permission check of the mixin before it)."""

    def dispatch(self, request, *args, **kwargs):
        self.tour = get_object_or_404(
            Tour.objects.select_related("product").prefetch_related("product__translations"),
            pk=kwargs["pk"],
        )
        return super().dispatch(request, *args, **kwargs)

    def tour_url(self, anchor: str = "") -> str:
        url = reverse("bookings-dashboard:tour-detail", kwargs={"pk": self.tour.pk})
        return f"{url}#{anchor}" if anchor else url

    def get_context_data(self, **kwargs):
        kwargs.setdefault("tour", self.tour)
        kwargs.setdefault("tour_title", self.tour.product.get_title())
        return super().get_context_data(**kwargs)


class DepartureMixin(TourMixin):
    """Loads a departure of the URL's tour: another tour's departure is a 404."""

    def get_departure(self) -> Departure:
        return get_object_or_404(
            departures_with_booking_data(Departure.objects.filter(tour=self.tour)),
            pk=self.kwargs["departure_pk"],
        )

    def departure_anchor(self, departure) -> str:
        return f"departure-{departure.pk}"


# --- Tours ----------------------------------------------------------------------------------


class TourListView(DashboardPermissionMixin, ListView):
    permission_required = (VIEW_TOUR,)
    template_name = "bookings/dashboard/tour_list.html"
    context_object_name = "tours"

    def get_queryset(self):
        upcoming = Q(departures__starts_at__gt=timezone.now()) & ~Q(
            departures__status=DepartureStatus.CANCELLED
        )
        stock = "departures__product__stockrecords__"
        return (
            Tour.objects.select_related("product")
            .prefetch_related("product__translations")
            .annotate(
                upcoming_count=Count("departures", filter=upcoming, distinct=True),
                next_start=Min("departures__starts_at", filter=upcoming),
                seats_sold=Sum(f"{stock}num_allocated", filter=upcoming),
                seats_total=Sum(f"{stock}num_in_stock", filter=upcoming),
            )
            .order_by("product__title", "pk")
        )

    def get_context_data(self, **kwargs):
        kwargs.setdefault("awaiting", departures_awaiting_decision())
        return super().get_context_data(**kwargs)


class TourDetailView(DashboardPermissionMixin, TourMixin, TemplateView):
    """The tour's booking facts (editable with change_tour) and its departures."""

    permission_required = (VIEW_TOUR, VIEW_DEPARTURE)
    template_name = "bookings/dashboard/tour_detail.html"

    def get_permission_required(self):
        permissions = tuple(super().get_permission_required())
        if self.request.method == "POST":
            permissions += (CHANGE_TOUR,)
        return permissions

    def get_forms(self, data=None):
        # A fresh copy: an invalid form must not alter the tour the page describes.
        instance = Tour.objects.get(pk=self.tour.pk)
        facts = TourFactsForm(data, instance=instance, prefix="tour")
        rows = tour_translations(instance)
        translations = [
            TourTranslationForm(data, instance=rows[code], prefix=code, language_name=name)
            for code, name in translation_languages()
        ]
        if not self.request.user.has_perm(CHANGE_TOUR):
            for form in (facts, *translations):
                for field in form.fields.values():
                    field.disabled = True
        return facts, translations

    def get(self, request, *args, **kwargs):
        facts, translations = self.get_forms()
        return self.render_to_response(
            self.get_context_data(facts_form=facts, translation_forms=translations)
        )

    def post(self, request, *args, **kwargs):
        facts, translations = self.get_forms(request.POST)
        if facts.is_valid() and all(form.is_valid() for form in translations):
            changed = tour_update(
                tour=facts.instance, facts=facts, translations=translations, actor=request.user
            )
            if changed:
                messages.success(request, _("The tour is saved."))
            else:
                messages.info(request, _("Nothing has changed."))
            return redirect(self.tour_url())
        return self.render_to_response(
            self.get_context_data(facts_form=facts, translation_forms=translations)
        )

    def get_context_data(self, **kwargs):
        now = timezone.now()
        show_past = self.request.GET.get("past") == "1"
        departures = Departure.objects.filter(tour=self.tour)
        upcoming_count = departures.filter(starts_at__gt=now).count()
        past_count = departures.filter(starts_at__lte=now).count()
        if show_past:
            departures = departures.filter(starts_at__lte=now).order_by("-starts_at")
        else:
            departures = departures.filter(starts_at__gt=now).order_by("starts_at")
        paginator = Paginator(
            departures_with_booking_data(departures).prefetch_related("guides"),
            DEPARTURES_PER_PAGE,
        )
        page = paginator.get_page(self.request.GET.get("page"))
        translation_forms = kwargs.get("translation_forms") or []
        kwargs.update(
            translation_errors=any(form.errors for form in translation_forms),
            now=now,
            show_past=show_past,
            upcoming_count=upcoming_count,
            past_count=past_count,
            departures=page.object_list,
            page_obj=page,
            paginator=paginator,
        )
        return super().get_context_data(**kwargs)


# --- Schedule -------------------------------------------------------------------------------


class ScheduleView(DashboardPermissionMixin, TourMixin, TemplateView):
    """Create many departures at once; a start that already exists is skipped."""

    permission_required = (VIEW_TOUR, ADD_DEPARTURE)
    template_name = "bookings/dashboard/schedule_form.html"

    def get(self, request, *args, **kwargs):
        # Prices start as those of the tour's latest departure: usually they stay the same.
        latest = (
            self.tour.departures.order_by("-starts_at")
            .prefetch_related("fares__ticket_type")
            .first()
        )
        prices = {f.ticket_type.code: f.price for f in latest.fares.all()} if latest else None
        form = ScheduleForm(tour=self.tour, prices=prices)
        return self.render_to_response(self.get_context_data(form=form))

    def post(self, request, *args, **kwargs):
        form = ScheduleForm(request.POST, tour=self.tour)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        now = timezone.now()
        data = form.cleaned_data
        try:
            result = departure_schedule_create(
                tour=self.tour,
                date_from=data["date_from"],
                date_to=data["date_to"],
                weekdays=set(data["weekdays"]),
                times=data["times"],
                capacity=data["capacity"],
                prices=form.prices(),
                actor=request.user,
                now=now,
            )
        except ScheduleError as error:
            form.add_error(None, str(error))
            return self.render_to_response(self.get_context_data(form=form))
        created, skipped = len(result.created), len(result.skipped)
        summary = " ".join(
            [
                ngettext("%(count)d departure created.", "%(count)d departures created.", created)
                % {"count": created},
                ngettext(
                    "%(count)d already existed or has already started: skipped.",
                    "%(count)d already existed or have already started: skipped.",
                    skipped,
                )
                % {"count": skipped},
            ]
        )
        if created:
            messages.success(request, summary)
        else:
            messages.info(request, summary)
        skipped_rows = [
            {"starts_at": starts_at, "past": starts_at <= now} for starts_at in result.skipped
        ]
        return self.render_to_response(
            self.get_context_data(
                form=form,
                result=result,
                created=result.created,
                skipped=skipped_rows,
            )
        )


class DepartureAddView(DashboardPermissionMixin, TourMixin, TemplateView):
    """One extra departure on a date and time of its own, from the tour's page."""

    permission_required = (VIEW_TOUR, ADD_DEPARTURE)
    template_name = "bookings/dashboard/departure_add.html"

    def get(self, request, *args, **kwargs):
        latest = (
            self.tour.departures.order_by("-starts_at")
            .prefetch_related("fares__ticket_type")
            .first()
        )
        prices = {f.ticket_type.code: f.price for f in latest.fares.all()} if latest else None
        form = OneDepartureForm(tour=self.tour, prices=prices)
        return self.render_to_response(self.get_context_data(form=form))

    def post(self, request, *args, **kwargs):
        form = OneDepartureForm(request.POST, tour=self.tour)
        if form.is_valid():
            try:
                departure = departure_add(
                    tour=self.tour,
                    starts_at=form.starts_at(),
                    capacity=form.cleaned_data["capacity"],
                    prices=form.prices(),
                    actor=request.user,
                )
            except ScheduleError as error:
                form.add_error(None, str(error))
            else:
                messages.success(
                    request,
                    _("The departure of %(start)s is added.")
                    % {"start": departure.local_start_label()},
                )
                return redirect(self.tour_url(f"departure-{departure.pk}"))
        return self.render_to_response(self.get_context_data(form=form))


# --- One departure --------------------------------------------------------------------------


class DepartureEditView(DashboardPermissionMixin, DepartureMixin, TemplateView):
    """Capacity and a price per ticket type; capacity never drops below the seats sold."""

    permission_required = (VIEW_DEPARTURE, CHANGE_DEPARTURE)
    template_name = "bookings/dashboard/departure_form.html"

    def get_context_data(self, **kwargs):
        kwargs.setdefault("waiting_list", departure_waiting_list(kwargs["departure"]))
        return super().get_context_data(**kwargs)

    def get(self, request, *args, **kwargs):
        departure = self.get_departure()
        return self.render_to_response(
            self.get_context_data(departure=departure, form=DepartureForm(departure=departure))
        )

    def post(self, request, *args, **kwargs):
        departure = self.get_departure()
        form = DepartureForm(request.POST, departure=departure)
        if form.is_valid():
            try:
                departure_update(
                    departure=departure,
                    capacity=form.cleaned_data["capacity"],
                    prices=form.prices(),
                    guides=form.cleaned_data["guides"],
                    actor=request.user,
                )
            except DepartureChangeError as error:
                form.add_error("capacity", str(error))
            except ScheduleError as error:
                form.add_error(None, str(error))
            else:
                messages.success(
                    request,
                    _("The departure of %(start)s is saved.")
                    % {"start": departure.local_start_label()},
                )
                return redirect(self.tour_url(self.departure_anchor(departure)))
        return self.render_to_response(self.get_context_data(departure=departure, form=form))


class DepartureStatusView(DashboardPermissionMixin, DepartureMixin, View):
    """Close or reopen booking on a departure (a POST from the departures table)."""

    permission_required = (VIEW_DEPARTURE, CHANGE_DEPARTURE)
    http_method_names = ["post"]
    service = None
    done_message = ""

    def post(self, request, *args, **kwargs):
        departure = self.get_departure()
        try:
            self.service(departure=departure, actor=request.user)
        except DepartureChangeError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request, str(self.done_message) % {"start": departure.local_start_label()}
            )
        return redirect(self.tour_url(self.departure_anchor(departure)))


class DepartureCloseView(DepartureStatusView):
    service = staticmethod(departure_close)
    done_message = gettext_lazy("Booking is closed for the departure of %(start)s.")


class DepartureReopenView(DepartureStatusView):
    service = staticmethod(departure_reopen)
    done_message = gettext_lazy("Booking is open again for the departure of %(start)s.")


class DepartureCancelView(DashboardPermissionMixin, DepartureMixin, TemplateView):
    """Confirm first: say how many people are booked, that each is refunded and e-mailed."""

    permission_required = (VIEW_DEPARTURE, CHANGE_DEPARTURE)
    template_name = "bookings/dashboard/departure_cancel.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(rebook_hours=settings.REBOOK_OFFER_HOURS, **kwargs)

    def get(self, request, *args, **kwargs):
        departure = self.get_departure()
        return self.render_to_response(
            self.get_context_data(
                departure=departure,
                form=DepartureCancelForm(offer_possible=rebook_possible(departure)),
            )
        )

    def post(self, request, *args, **kwargs):
        departure = self.get_departure()
        form = DepartureCancelForm(request.POST, offer_possible=rebook_possible(departure))
        if form.is_valid():
            if departure.status == DepartureStatus.CANCELLED:
                form.add_error(None, _("This departure is cancelled already."))
            else:
                try:
                    outcome = departure_cancel_for_everyone(
                        departure=departure,
                        actor=request.user,
                        reason=form.cleaned_data["reason"],
                        note=form.cleaned_data["note"],
                        offer_rebooking=form.cleaned_data["money"] == OFFER,
                    )
                except CancellationError as error:
                    form.add_error(None, str(error))
                else:
                    _cancellation_messages(request, outcome)
                    return redirect(self.tour_url(self.departure_anchor(departure)))
        return self.render_to_response(self.get_context_data(departure=departure, form=form))


def _cancellation_messages(request, outcome) -> None:
    messages.success(
        request,
        ngettext(
            "The departure of %(start)s is cancelled: %(count)d booking refunded and told.",
            "The departure of %(start)s is cancelled: %(count)d bookings refunded and told.",
            outcome.orders,
        )
        % {"start": outcome.departure.local_start_label(), "count": outcome.orders},
    )
    for number, why in outcome.failed:
        messages.error(
            request,
            _("Order %(number)s: the refund is not finished: %(why)s")
            % {"number": number, "why": why},
        )


class DepartureDecisionView(DashboardPermissionMixin, DepartureMixin, View):
    """The go/no-go decision in one tap: run it anyway, or cancel it for everyone."""

    permission_required = (VIEW_DEPARTURE, CHANGE_DEPARTURE)
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        departure = self.get_departure()
        decision = request.POST.get("decision")
        try:
            if decision == "run":
                departure_run_anyway(departure=departure, actor=request.user)
                messages.success(
                    request,
                    _("The departure of %(start)s runs.")
                    % {"start": departure.local_start_label()},
                )
            elif decision == "cancel":
                outcome = departure_cancel_too_few(departure=departure, actor=request.user)
                _cancellation_messages(request, outcome)
            else:
                messages.error(request, _("Choose: run it, or cancel it."))
        except (DecisionError, CancellationError) as error:
            messages.error(request, str(error))
        back = request.POST.get("back") == "list"
        if back:
            return redirect("bookings-dashboard:tour-list")
        return redirect(self.tour_url(self.departure_anchor(departure)))
