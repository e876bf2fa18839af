"""The student workspace under /team/: a phone-sized queue and order pages."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.generic import TemplateView
from oscar.core.loading import get_model

from shop.bookings.models import DepartureStatus
from shop.bookings.selectors import departure_waiting_list
from shop.core.converters import row_id
from shop.team import services
from shop.team.forms import ReasonForm, StepForm
from shop.team.selectors import (
    departure_manifest,
    departures_of_the_week,
    order_workspace,
    orders_needing_the_team,
    queue_rows,
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
        context["rows"] = queue_rows(orders_needing_the_team())
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
    """Today's and the coming week's departures with seats sold."""

    template_name = "team/tours.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["today"] = timezone.localdate()
        context["rows"] = departures_of_the_week(context["today"])
        return context


class ManifestView(TeamAccessMixin, TemplateView):
    """Who is coming on one departure; check-in by short code, no-show marking, printable."""

    template_name = "team/manifest.html"

    def dispatch(self, request, *args, **kwargs):
        from shop.bookings.models import Departure

        self.departure = get_object_or_404(
            Departure.objects.select_related("tour__product"), pk=kwargs["pk"]
        )
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(departure_manifest(self.departure))
        context["waiting_list"] = departure_waiting_list(self.departure)
        context.update(
            {
                "departure": self.departure,
                "can_act": self.can_act(),
                "confirm_cancel": self.request.GET.get("confirm") == "cancel",
                "is_cancelled": self.departure.status == DepartureStatus.CANCELLED,
            }
        )
        return context

    def post(self, request, *args, **kwargs):
        from shop.bookings.models import Ticket
        from shop.bookings.tickets import CheckInError, ticket_check_in, ticket_no_show

        if not self.can_act():
            return self.handle_no_permission()
        try:
            if request.POST.get("action") == "cancel_departure":
                outcome = services.departure_cancel_for_everyone(
                    departure=self.departure,
                    actor=request.user,
                    reason=request.POST.get("reason", "")[:255],
                )
                messages.success(
                    request,
                    _("The departure is cancelled: %(orders)s bookings refunded and told.")
                    % {"orders": outcome["orders"]},
                )
                for number, why in outcome["failed"]:
                    messages.error(request, f"{number}: {why}")
                return redirect("team:manifest", pk=self.departure.pk)
            if request.POST.get("action") == "no_show":
                ticket = get_object_or_404(
                    Ticket, pk=row_id(request.POST.get("ticket")) or 0, departure=self.departure
                )
                ticket_no_show(ticket=ticket, actor=request.user)
                messages.success(request, _("Marked as not come."))
            else:
                ticket = ticket_check_in(
                    departure=self.departure,
                    code=(request.POST.get("scan") or request.POST.get("code", ""))[:300],
                    actor=request.user,
                )
                messages.success(
                    request,
                    _("Checked in: %(name)s, %(people)s.")
                    % {"name": ticket.lead_name, "people": ticket.people},
                )
        except (CheckInError, services.TeamError) as error:
            messages.error(request, str(error))
        return redirect("team:manifest", pk=self.departure.pk)
