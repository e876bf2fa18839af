"""The student workspace under /team/: a phone-sized queue and order pages."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.generic import TemplateView
from oscar.core.loading import get_model

from shop.bookings.options import booking_of
from shop.team import services
from shop.team.forms import ReasonForm, StepForm
from shop.team.models import OrderHandling, Stage
from shop.team.selectors import order_history, orders_needing_the_team, queue_rows

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
        handling = OrderHandling.objects.filter(order=self.order).first()
        stage = handling.stage if handling else Stage.CONFIRMED
        lines = list(self.order.lines.prefetch_related("attributes__option"))
        context.update(
            {
                "order": self.order,
                "handling": handling,
                "stage": Stage(stage),
                "lines": [(line, booking_of(line)) for line in lines],
                "has_goods": bool(services.goods_lines(self.order)),
                "next_stages": [Stage(s) for s in services.next_stages(self.order, stage)],
                "can_correct": stage in services.BACK,
                "can_cancel": stage not in services.FINAL_STAGES
                and self.order.status in services.ACTIVE_ORDER_STATUSES,
                "history": order_history(self.order),
                "can_act": self.can_act(),
                "confirm_cancel": self.request.GET.get("confirm") == "cancel",
            }
        )
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
