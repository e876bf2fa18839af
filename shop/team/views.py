"""The student workspace under /team/: a phone-sized queue, order pages, the week's tours
and their manifests."""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.generic import TemplateView
from oscar.core.loading import get_model

from shop.bookings.cancellation import CancellationError, departure_cancel_for_everyone
from shop.bookings.go_no_go import DecisionError, departure_cancel_too_few, departure_run_anyway
from shop.bookings.models import CancelReason, Departure, DepartureStatus, Ticket
from shop.bookings.selectors import (
    departure_waiting_list,
    departures_awaiting_decision,
    guide_candidates,
)
from shop.bookings.services import DepartureChangeError, departure_guides_set
from shop.bookings.tickets import (
    CheckInError,
    check_in_window,
    ticket_check_in,
    ticket_check_in_undo,
    ticket_no_show,
    ticket_no_show_undo,
)
from shop.core.converters import row_id
from shop.core.table_versions import kept, rendered, rendered_forms, with_token
from shop.team import services
from shop.team.forms import ReasonForm, StepForm
from shop.team.models import Stage
from shop.team.selectors import (
    departure_manifest,
    departures_of_the_week,
    order_workspace,
    orders_needing_the_team,
    queue_rows,
    started_in_the_week,
    week_of,
    week_start,
)

Order = get_model("order", "Order")


class TeamAccessMixin(LoginRequiredMixin, PermissionRequiredMixin):
    """Students and teachers: both may look; only those who process orders may act."""

    permission_required = "order.view_order"
    raise_exception = True

    def handle_no_permission(self):
        if not self.request.user.is_authenticated:
            return redirect_to_login(self.request.get_full_path(), self.get_login_url())
        raise PermissionDenied

    def can_act(self) -> bool:
        return self.request.user.has_perm("team.process_order")


class QueueView(TeamAccessMixin, TemplateView):
    template_name = "team/queue.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        # The same for every member of the team: rendered once and kept until an order, a
        # line or a step is written (shop/core/table_versions.py).
        context["queue"] = kept(
            "team-queue",
            (),
            lambda: rendered(
                "team/_queue_list.html", {"rows": queue_rows(orders_needing_the_team())}
            ),
        )
        context["can_act"] = self.can_act()
        return context


class OrderView(TeamAccessMixin, TemplateView):
    template_name = "team/order.html"

    def dispatch(self, request, *args, **kwargs):
        self.order = get_object_or_404(Order, number=kwargs["number"])
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(order_workspace(self.order))
        context["can_act"] = self.can_act()
        context["confirm_cancel"] = self.request.GET.get("confirm") == "cancel"
        return context

    def post(self, request, *args, **kwargs):
        if not self.can_act():
            return self.handle_no_permission()
        action = request.POST.get("action", "")
        try:
            if action == "claim":
                services.order_claim(order=self.order, actor=request.user)
                messages.success(request, _("The order is yours."))
            elif action == "step":
                form = StepForm(request.POST)
                if not form.is_valid():
                    raise services.TeamError(_("Choose a step."))
                services.order_step(
                    order=self.order,
                    actor=request.user,
                    to_stage=form.cleaned_data["stage"],
                    tracking_number=form.cleaned_data["tracking_number"],
                )
                messages.success(request, _("Done."))
            elif action in ("correct", "cancel"):
                form = ReasonForm(request.POST)
                if not form.is_valid():
                    raise services.TeamError(_("Say why."))
                handler = (
                    services.order_correct
                    if action == "correct"
                    else services.order_cancel_with_refund
                )
                handler(order=self.order, actor=request.user, reason=form.cleaned_data["reason"])
                messages.success(
                    request,
                    _("Corrected.") if action == "correct" else _("Cancelled and refunded."),
                )
            else:
                raise services.TeamError(_("Unknown action."))
        except services.TeamError as error:
            messages.error(request, str(error))
        return redirect("team:order", number=self.order.number)


class ToursView(TeamAccessMixin, TemplateView):
    """A week's departures (Monday to Sunday) with seats sold, and what awaits a decision."""

    template_name = "team/tours.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        today = timezone.localdate()
        monday = week_of(self.request.GET.get("week"), today)
        context.update(
            {
                "today": today,
                "monday": monday,
                "sunday": monday + dt.timedelta(days=6),
                "previous_week": monday - dt.timedelta(days=7),
                "next_week": monday + dt.timedelta(days=7),
                "this_week": week_start(today),
                "awaiting": departures_awaiting_decision(),
            }
        )
        # The same for every member of the team: kept until a departure, its seats, fares or
        # guides are written (shop/core/table_versions.py), and rendered again when the day
        # turns or one of them starts (it no longer awaits a decision).
        clock = (today.isoformat(), started_in_the_week(monday, timezone.now()))
        context["week"] = kept(
            "team-week",
            (monday.isoformat(), *clock),
            lambda: rendered(
                "team/_week.html", {"rows": departures_of_the_week(monday), "today": today}
            ),
        )
        return context


class ManifestView(TeamAccessMixin, TemplateView):
    """Who is coming on one departure, the gingerbread to hand over there, check-in by code
    (on the day; the day before when the guide says so), no-shows after the start, undo,
    guides, the go/no-go decision and cancelling for everyone."""

    template_name = "team/manifest.html"

    def dispatch(self, request, *args, **kwargs):
        self.departure = get_object_or_404(
            Departure.objects.select_related("tour__product"), pk=kwargs["pk"]
        )
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        now = timezone.now()
        window = check_in_window(self.departure)
        decided = {
            "can_act": self.can_act(),
            "is_cancelled": self.departure.status == DepartureStatus.CANCELLED,
            "check_in_over": now >= window.closes,
            "no_show_open": window.allows_no_show(now),
            "hand_over_today": window.opens <= now < window.closes,
        }
        context.update(decided)
        context.update(self.manifest(decided))
        context["waiting_list"] = departure_waiting_list(self.departure)
        context.update(
            {
                "departure": self.departure,
                "confirm_cancel": self.request.GET.get("confirm") == "cancel",
                "check_in_open": window.allows_check_in(now),
                "check_in_early": window.allows_early_check_in(now),
                "check_in_opens": timezone.localtime(window.opens),
                "awaits_decision": self.departure.awaits_decision(now),
                "guides": list(self.departure.guides.all()),
                "guide_choices": guide_candidates(),
                "cancel_reasons": CancelReason.choices,
                "money_choices": (
                    _money_choices(self.departure)
                    if self.request.GET.get("confirm") == "cancel"
                    else []
                ),
            }
        )
        return context

    def manifest(self, decided: dict) -> dict:
        """Who comes and what to hand over, with the rows and the gingerbread rendered: kept
        until a ticket, an order or a line is written (shop/core/table_versions.py), under
        what the clock and the visitor's rights decide (`decided`). The forms carry a
        stand-in for the CSRF token; this visitor's own is put in here."""

        def compute():
            found = departure_manifest(self.departure)
            context = {**found, **decided}
            return {
                "people": found["people"],
                "checked_in": found["checked_in"],
                "rows_html": rendered_forms("team/_manifest_rows.html", context),
                "goods_html": rendered_forms("team/_manifest_goods.html", context),
            }

        found = kept("manifest", (self.departure.pk, *sorted(decided.items())), compute)
        return {
            "people": found["people"],
            "checked_in": found["checked_in"],
            "manifest_rows": with_token(self.request, found["rows_html"]),
            "manifest_goods": with_token(self.request, found["goods_html"]),
        }

    def post(self, request, *args, **kwargs):
        if not self.can_act():
            return self.handle_no_permission()
        action = request.POST.get("action") or "check_in"
        handler = getattr(self, f"do_{action}", None) if action in self.ACTIONS else None
        try:
            if handler is None:
                raise services.TeamError(_("Unknown action."))
            handler(request)
        except (
            CheckInError,
            services.TeamError,
            CancellationError,
            DecisionError,
            DepartureChangeError,
        ) as error:
            messages.error(request, str(error))
        return redirect("team:manifest", pk=self.departure.pk)

    ACTIONS = {
        "check_in",
        "undo_check_in",
        "no_show",
        "undo_no_show",
        "hand_over",
        "guides",
        "run_anyway",
        "cancel_too_few",
        "cancel_departure",
    }

    def _ticket(self, request):
        return get_object_or_404(
            Ticket, pk=row_id(request.POST.get("ticket")) or 0, departure=self.departure
        )

    def do_check_in(self, request):
        ticket = ticket_check_in(
            departure=self.departure,
            code=(request.POST.get("scan") or request.POST.get("code", ""))[:300],
            actor=request.user,
            early=request.POST.get("early") == "1",
        )
        messages.success(
            request,
            _("Checked in: %(name)s, %(people)s.")
            % {"name": ticket.lead_name, "people": ticket.people},
        )

    def do_undo_check_in(self, request):
        ticket = ticket_check_in_undo(ticket=self._ticket(request), actor=request.user)
        messages.success(request, _("Check-in undone: %(name)s.") % {"name": ticket.lead_name})

    def do_no_show(self, request):
        ticket_no_show(ticket=self._ticket(request), actor=request.user)
        messages.success(request, _("Marked as not come."))

    def do_undo_no_show(self, request):
        ticket = ticket_no_show_undo(ticket=self._ticket(request), actor=request.user)
        messages.success(
            request, _("“Did not come” undone: %(name)s.") % {"name": ticket.lead_name}
        )

    def do_hand_over(self, request):
        order = get_object_or_404(Order, number=(request.POST.get("order") or "")[:128])
        services.order_step(
            order=order, actor=request.user, to_stage=Stage.HANDED_OVER, at_departure=self.departure
        )
        messages.success(request, _("Order %(number)s is handed over.") % {"number": order.number})

    def do_guides(self, request):
        ids = [pk for pk in map(row_id, request.POST.getlist("guides")) if pk]
        guides = list(guide_candidates().filter(pk__in=ids))
        if len(guides) != len(set(ids)):
            raise services.TeamError(_("Only students can be named as guides."))
        changed = departure_guides_set(departure=self.departure, guides=guides, actor=request.user)
        messages.success(request, _("Guides saved.") if changed else _("Nothing has changed."))

    def do_run_anyway(self, request):
        departure_run_anyway(departure=self.departure, actor=request.user)
        messages.success(request, _("It runs: the guides are told on this page."))

    def do_cancel_too_few(self, request):
        self._cancelled(departure_cancel_too_few(departure=self.departure, actor=request.user))

    def do_cancel_departure(self, request):
        self._cancelled(
            departure_cancel_for_everyone(
                departure=self.departure,
                actor=request.user,
                reason=request.POST.get("reason", "")[:20],
                note=request.POST.get("note", "")[:255],
                offer_rebooking=request.POST.get("money") == "offer",
            )
        )

    def _cancelled(self, outcome):
        messages.success(
            self.request,
            _("The departure is cancelled: %(orders)s bookings refunded and told.")
            % {"orders": outcome.orders},
        )
        for number, why in outcome.failed:
            messages.error(self.request, f"{number}: {why}")


def _money_choices(departure) -> list[tuple[str, str]]:
    """The cancel form's choices for the customers' money: another date first (checked) when
    the tour has one with seats, the refund at once always."""
    from shop.bookings.dashboard.forms import MONEY_CHOICES, OFFER
    from shop.bookings.rebooking import rebook_possible

    if rebook_possible(departure):
        return MONEY_CHOICES
    return [choice for choice in MONEY_CHOICES if choice[0] != OFFER]
