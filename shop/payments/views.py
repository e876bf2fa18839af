import json

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.decorators.csrf import csrf_exempt
from django.views.generic import TemplateView
from oscar.core.loading import get_class, get_model

from shop.payments import gateway
from shop.payments.gateway import PaymentDeclined, PaymentRejected, PaymentUnavailable
from shop.payments.models import AttemptStatus, PaymentAttempt
from shop.payments.services import (
    CannotPlace,
    attempt_create,
    attempt_settle,
    attempt_start,
    order_place_free,
    webhook_receive,
)

CheckoutSessionMixin = get_class("checkout.session", "CheckoutSessionMixin")
ShippingAddress = get_model("order", "ShippingAddress")

SESSION_ATTEMPTS = "payment_attempts"
CHECKOUT_PRE_CONDITIONS = [
    "check_basket_is_not_empty",
    "check_basket_is_valid",
    "check_user_email_is_captured",
    "check_shipping_data_is_captured",
]


def address_snapshot(address) -> dict:
    """An unsaved shipping address as plain data, to rebuild it when the order is placed."""
    if address is None:
        return {}
    data = {}
    for field in ShippingAddress._meta.concrete_fields:
        if field.primary_key or field.name == "search_text":
            continue
        if field.name == "country":
            data["country"] = address.country_id
            continue
        value = getattr(address, field.name)
        data[field.name] = str(value) if value is not None else ""
    return data


# Asked on the payment page before any payment (Federal Law 152-FZ on personal data).
CONSENT_NEEDED = gettext_lazy("Please agree to the processing of your personal data.")


def _error(message, status):
    return JsonResponse({"status": "error", "message": str(message)}, status=status)


class CheckoutAttemptMixin(CheckoutSessionMixin):
    pre_conditions = CHECKOUT_PRE_CONDITIONS

    def new_attempt(self) -> PaymentAttempt:
        """An attempt to pay for the basket; the caller has checked the customer's consent."""
        submission = self.build_submission()
        attempt = attempt_create(
            basket=self.request.basket,
            user=self.request.user,
            guest_email=submission["order_kwargs"].get("guest_email", ""),
            shipping_method_code=submission["shipping_method"].code,
            shipping_address=address_snapshot(submission["shipping_address"]),
            amount=submission["order_total"].incl_tax,
            consented_at=timezone.now(),
        )
        ids = self.request.session.get(SESSION_ATTEMPTS, [])
        self.request.session[SESSION_ATTEMPTS] = [*ids[-19:], attempt.pk]
        return attempt

    def thank_you(self, order):
        self.checkout_session.flush()
        self.request.session["checkout_order_id"] = order.pk
        return redirect("checkout:thank-you")


class PaymentDetailsView(CheckoutAttemptMixin, TemplateView):
    """The payment page: the order summary and Stripe's card form (or, for a free booking,
    a confirm button). Replaces Oscar's payment details and preview steps."""

    template_name = "oscar/checkout/payment_details.html"
    preview = False

    def get(self, request, *args, **kwargs):
        if self.preview:
            return redirect("checkout:payment-details")
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        total = context.get("order_total")
        context.update(
            {
                "is_free": total is not None and total.incl_tax == 0,
                "stripe_publishable_key": settings.STRIPE_PUBLISHABLE_KEY,
                "stripe_js_url": settings.STRIPE_JS_URL,
                "payment_start_url": reverse("payments:start"),
            }
        )
        return context

    def post(self, request, *args, **kwargs):
        """Confirm a free booking (a paid order is paid through the card form instead)."""
        if not request.POST.get("consent"):
            messages.error(request, CONSENT_NEEDED)
            return redirect("checkout:payment-details")
        attempt = self.new_attempt()
        if attempt.amount != 0:
            messages.error(request, _("Please pay with your card to place this order."))
            return redirect("checkout:payment-details")
        try:
            order = order_place_free(attempt)
        except CannotPlace as why:
            messages.error(request, str(why))
            return redirect("basket:summary")
        return self.thank_you(order)


class PaymentStartView(CheckoutAttemptMixin, View):
    """Called by the card form: authorise the basket's total on the card token."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        try:
            data = json.loads(request.body or b"{}")
            token_id, card_id = str(data["token"]), str(data["card"])
        except (ValueError, KeyError, TypeError):
            return JsonResponse(
                {"status": "error", "message": _("Please enter your card again.")}, status=400
            )
        if data.get("consent") is not True:
            return _error(CONSENT_NEEDED, 400)
        if not token_id.startswith("tok_") or not card_id.startswith("card_"):
            return JsonResponse(
                {"status": "error", "message": _("Please enter your card again.")}, status=400
            )
        attempt = self.new_attempt()
        if attempt.amount <= 0:
            return JsonResponse(
                {"status": "error", "message": _("There is nothing to pay.")}, status=400
            )
        try:
            intent = attempt_start(attempt, token_id=token_id, card_id=card_id)
        except PaymentDeclined as declined:
            return JsonResponse({"status": "declined", "message": declined.message})
        except PaymentUnavailable:
            return _error(gateway.UNAVAILABLE_MESSAGE, 503)
        except PaymentRejected:
            return _error(_("The card could not be used. Please enter it again."), 400)
        except CannotPlace as why:
            return _error(why, 409)
        return_url = f"{reverse('payments:return')}?attempt={attempt.pk}"
        if intent.status == "requires_action":
            return JsonResponse(
                {
                    "status": "requires_action",
                    "client_secret": intent.client_secret,
                    "return_url": return_url,
                }
            )
        return JsonResponse({"status": "authorized", "return_url": return_url})


class PaymentReturnView(CheckoutAttemptMixin, View):
    """Where the card form sends the customer: settle the payment and show the outcome."""

    pre_conditions = []

    def get(self, request, *args, **kwargs):
        try:
            attempt_id = int(request.GET.get("attempt", ""))
        except ValueError:
            raise Http404 from None
        if attempt_id not in request.session.get(SESSION_ATTEMPTS, []):
            raise Http404
        attempt = PaymentAttempt.objects.filter(pk=attempt_id).first()
        if attempt is None:
            raise Http404
        try:
            attempt = attempt_settle(attempt)
        except (PaymentUnavailable, PaymentRejected):
            messages.warning(
                request,
                _(
                    "We could not confirm your payment with the bank yet. If it went through, "
                    "your order is placed within minutes and e-mailed to you; nothing is "
                    "charged otherwise."
                ),
            )
            return redirect("checkout:payment-details")
        if attempt.status == AttemptStatus.PAID and attempt.order_id:
            return self.thank_you(attempt.order)
        if attempt.status == AttemptStatus.STARTED:
            messages.error(request, _("The payment was not completed. Nothing was charged."))
        else:
            messages.error(request, attempt.message or _("The payment did not go through."))
        return redirect("checkout:payment-details")


@method_decorator(csrf_exempt, name="dispatch")
class StripeWebhookView(View):
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        status = webhook_receive(request.body, request.META.get("HTTP_STRIPE_SIGNATURE", ""))
        return HttpResponse(status=status)
