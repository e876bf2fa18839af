"""The page a tourist reaches from the feedback e-mail: stars and a comment, once."""

from django.shortcuts import redirect
from django.urls import reverse
from django.views.generic import TemplateView

from catalogue.translation import active_language
from shop.customercare.views import PrivatePageMixin
from shop.feedback.forms import FeedbackForm
from shop.feedback.services import (
    FeedbackError,
    feedback_already_given,
    feedback_submit,
    feedback_ticket,
)


class FeedbackView(PrivatePageMixin, TemplateView):
    template_name = "feedback/give.html"

    def _ticket(self):
        try:
            return feedback_ticket(self.kwargs["token"]), None
        except FeedbackError as error:
            return None, str(error)

    def get(self, request, *args, **kwargs):
        ticket, refusal = self._ticket()
        if ticket is not None and feedback_already_given(ticket):
            return redirect(reverse("feedback:thanks") + "?again=1")
        return self.render_to_response(
            self.get_context_data(ticket=ticket, refusal=refusal, form=FeedbackForm())
        )

    def post(self, request, *args, **kwargs):
        ticket, refusal = self._ticket()
        form = FeedbackForm(request.POST)
        if ticket is None or not form.is_valid():
            return self.render_to_response(
                self.get_context_data(ticket=ticket, refusal=refusal, form=form), status=400
            )
        try:
            feedback_submit(
                token=kwargs["token"],
                rating=form.cleaned_data["rating"],
                comment=form.cleaned_data["comment"],
                author_name=form.cleaned_data["author_name"],
                language=active_language(),
            )
        except FeedbackError as error:
            return self.render_to_response(
                self.get_context_data(ticket=None, refusal=str(error), form=form), status=400
            )
        return redirect("feedback:thanks")


class FeedbackThanksView(PrivatePageMixin, TemplateView):
    template_name = "feedback/thanks.html"

    def get_context_data(self, **kwargs):
        kwargs["again"] = self.request.GET.get("again") == "1"
        return super().get_context_data(**kwargs)
