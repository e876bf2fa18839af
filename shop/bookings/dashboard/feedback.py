"""Staff read tourists' feedback and publish it on the tour's page, or keep it off."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from shop.bookings.dashboard.views import DashboardPermissionMixin
from shop.feedback.models import Feedback, FeedbackStatus
from shop.feedback.selectors import feedback_for_moderation
from shop.feedback.services import feedback_moderate

VIEW_FEEDBACK = "feedback.view_feedback"
CHANGE_FEEDBACK = "feedback.change_feedback"


class FeedbackModerationView(DashboardPermissionMixin, TemplateView):
    permission_required = (VIEW_FEEDBACK,)
    template_name = "bookings/dashboard/feedback.html"

    def get_context_data(self, **kwargs):
        status = self.request.GET.get("status") or FeedbackStatus.NEW
        if status not in FeedbackStatus.values and status != "all":
            status = FeedbackStatus.NEW
        kwargs.update(
            status=status,
            statuses=FeedbackStatus.choices,
            rows=feedback_for_moderation(None if status == "all" else status),
            can_moderate=self.request.user.has_perm(CHANGE_FEEDBACK),
        )
        return super().get_context_data(**kwargs)


class FeedbackModerateView(DashboardPermissionMixin, View):
    permission_required = (VIEW_FEEDBACK, CHANGE_FEEDBACK)
    http_method_names = ["post"]

    def post(self, request, pk):
        feedback = get_object_or_404(Feedback, pk=pk)
        action = request.POST.get("action")
        if action not in ("publish", "hide"):
            messages.error(request, _("Choose: publish it, or keep it off the page."))
        else:
            feedback_moderate(feedback=feedback, publish=action == "publish", actor=request.user)
            messages.success(
                request,
                _("The review is published on the tour's page.")
                if action == "publish"
                else _("The review is kept off the tour's page."),
            )
        status = request.POST.get("status")
        if status not in FeedbackStatus.values and status != "all":
            status = FeedbackStatus.NEW
        return redirect(reverse("bookings-dashboard:feedback") + f"?status={status}")
