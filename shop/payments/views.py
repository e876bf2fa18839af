"""The payment page and the steps around it: start a payment with the chosen provider, the
SBP page with its QR code, the return from the provider, and the providers' notifications.

Views parse, call one service, render; what happens to money is in services.py.
"""

import contextlib
import json

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.decorators.csrf import csrf_exempt
from django.views.generic import TemplateView
from oscar.apps.checkout.exceptions import FailedPreCondition, PassedSkipCondition
from oscar.core.loading import get_class, get_model

from shop.basket.views import basket_parts, keeps_basket_pages
from shop.core.converters import row_id
from shop.core.table_versions import kept, rendered_content, with_token
from shop.payments import providers
from shop.payments.models import AttemptStatus, PaymentAttempt, PaymentMethod, Provider
from shop.payments.notifications import webhook_receive, yookassa_notification_receive
from shop.payments.providers import PaymentDeclined, PaymentRejected, PaymentUnavailable
from shop.payments.services import (
    CannotPlace,
    attempt_create,
    attempt_settle,
    attempt_start,
    order_place_free,
)

CheckoutSessionMixin = get_class("checkout.session", "CheckoutSessionMixin")
CheckoutSessionData = get_class("checkout.utils", "CheckoutSessionData")
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
NOT_CONFIRMED_YET = gettext_lazy(
    "We could not confirm your payment with the bank yet. If it went through, your order is "
    "placed within minutes and e-mailed to you; nothing is charged otherwise."
)


def _error(message, status):
    return JsonResponse({"status": "error", "message": str(message)}, status=status)


class CheckoutAttemptMixin(CheckoutSessionMixin):
    pre_conditions = CHECKOUT_PRE_CONDITIONS

    def new_attempt(self, provider: str, method: str = "") -> PaymentAttempt:
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
            provider=provider,
            method=method,
        )
        remember_attempt(self.request, attempt)
        return attempt

    def thank_you(self, order):
        self.checkout_session.flush()
        self.request.session["checkout_order_id"] = order.pk
        return redirect("checkout:thank-you")


def remember_attempt(request, attempt) -> None:
    """This browser's own attempt: its SBP page, check and return answer it, no other's."""
    ids = request.session.get(SESSION_ATTEMPTS, [])
    request.session[SESSION_ATTEMPTS] = [*ids[-19:], attempt.pk]


def stripe_start(request, new_attempt) -> JsonResponse:
    """The Stripe card form's request: authorise a new attempt (`new_attempt()`, called once
    the card and consent are checked) on the card token; the JSON answer for payment.js."""
    if Provider.STRIPE not in providers.enabled():
        return _error(_("This way to pay is not available."), 400)
    try:
        data = json.loads(request.body or b"{}")
        token_id, card_id = str(data["token"]), str(data["card"])
    except (ValueError, KeyError, TypeError):
        return _error(_("Please enter your card again."), 400)
    if data.get("consent") is not True:
        return _error(CONSENT_NEEDED, 400)
    if not token_id.startswith("tok_") or not card_id.startswith("card_"):
        return _error(_("Please enter your card again."), 400)
    attempt = new_attempt(Provider.STRIPE, PaymentMethod.CARD)
    if attempt.amount <= 0:
        return _error(_("There is nothing to pay."), 400)
    try:
        remote = attempt_start(attempt, token_id=token_id, card_id=card_id)
    except PaymentDeclined as declined:
        return JsonResponse({"status": "declined", "message": declined.message})
    except PaymentUnavailable:
        return _error(providers.UNAVAILABLE_MESSAGE, 503)
    except PaymentRejected:
        return _error(_("The card could not be used. Please enter it again."), 400)
    except CannotPlace as why:
        return _error(why, 409)
    if remote.confirmation is not None and remote.confirmation.kind == "stripe_action":
        return JsonResponse(
            {
                "status": "requires_action",
                "client_secret": remote.confirmation.target,
                "return_url": return_url(attempt),
            }
        )
    return JsonResponse({"status": "authorized", "return_url": return_url(attempt)})


def yookassa_start(request, new_attempt, back):
    """The "Russian card or SBP" form: create the YooKassa payment of a new attempt and send
    the customer to confirm it (the card page, or our page with the SBP QR code); `back` is
    where a refusal sends them, with its message."""
    if Provider.YOOKASSA not in providers.enabled():
        messages.error(request, _("This way to pay is not available."))
        return back
    if not request.POST.get("consent"):
        messages.error(request, CONSENT_NEEDED)
        return back
    method = request.POST.get("method", "")
    if method not in PaymentMethod.values:
        messages.error(request, _("Choose how to pay: a card or SBP."))
        return back
    attempt = new_attempt(Provider.YOOKASSA, method)
    if attempt.amount <= 0:
        messages.error(request, _("There is nothing to pay."))
        return back
    try:
        attempt_start(
            attempt, method=method, return_url=request.build_absolute_uri(return_url(attempt))
        )
    except PaymentDeclined as declined:
        messages.error(request, declined.message)
        return back
    except (PaymentUnavailable, PaymentRejected):
        messages.error(request, providers.UNAVAILABLE_MESSAGE)
        return back
    except CannotPlace as why:
        messages.error(request, str(why))
        return back
    if method == PaymentMethod.SBP:
        return redirect("payments:sbp", attempt=attempt.pk)
    # 303: the browser follows with a GET to YooKassa's card page.
    response = HttpResponseRedirect(attempt.confirmation_url)
    response.status_code = 303
    return response


def session_attempt(request, raw_id) -> PaymentAttempt:
    """One of this browser's own attempts (another's is a 404, as is a missing one)."""
    attempt_id = row_id(raw_id)
    if attempt_id is None or attempt_id not in request.session.get(SESSION_ATTEMPTS, []):
        raise Http404
    attempt = PaymentAttempt.objects.filter(pk=attempt_id).first()
    if attempt is None:
        raise Http404
    return attempt


def return_url(attempt) -> str:
    return f"{reverse('payments:return')}?attempt={attempt.pk}"


class PaymentDetailsView(CheckoutAttemptMixin, TemplateView):
    """The payment page: the order summary and the ways to pay that are on (a Russian card
    or SBP through YooKassa, a foreign card through Stripe), or, for a free booking, a
    confirm button. Replaces Oscar's payment details and preview steps."""

    template_name = "oscar/checkout/payment_details.html"
    preview = False

    def dispatch(self, request, *args, **kwargs):
        if self.preview or not keeps_basket_pages(request):
            return super().dispatch(request, *args, **kwargs)
        # The summary and the forms, checked and rendered, kept under the checkout's choices
        # (shop/basket/views.py says under what else).
        self.checkout_session = CheckoutSessionData(request)
        choices = json.dumps(request.session.get("checkout_data", {}), sort_keys=True, default=str)
        try:
            found = kept("payment-page", basket_parts(request, choices), self.checked_content)
        except (FailedPreCondition, PassedSkipCondition):
            # Not ready to pay: Oscar's answer (the step to go back to, and why).
            return super().dispatch(request, *args, **kwargs)
        return self.render_to_response(
            {
                **self.page_context(is_free=found["is_free"]),
                "view": self,
                "shipping_required": found["shipping_required"],
                "kept_content": with_token(request, found["content"]),
            }
        )

    def checked_content(self) -> dict:
        """The page's content, if the checkout's conditions hold (else they raise)."""
        self.check_skip_conditions(self.request)
        self.check_pre_conditions(self.request)
        context = self.get_context_data()
        return {
            "is_free": context["is_free"],
            "shipping_required": self.request.basket.is_shipping_required(),
            "content": rendered_content(self.template_name, context, self.request),
        }

    def get(self, request, *args, **kwargs):
        if self.preview:
            return redirect("checkout:payment-details")
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        total = context.get("order_total")
        context.update(self.page_context(is_free=total is not None and total.incl_tax == 0))
        return context

    def page_context(self, *, is_free: bool) -> dict:
        enabled = providers.enabled()
        return {
            "is_free": is_free,
            "providers": enabled,
            "stripe_on": Provider.STRIPE in enabled,
            "yookassa_on": Provider.YOOKASSA in enabled,
            "stripe_publishable_key": settings.STRIPE_PUBLISHABLE_KEY,
            "stripe_js_url": settings.STRIPE_JS_URL,
            "payment_start_url": reverse("payments:start"),
        }

    def post(self, request, *args, **kwargs):
        """Confirm a free booking (a paid order is paid through a payment form instead)."""
        if not request.POST.get("consent"):
            messages.error(request, CONSENT_NEEDED)
            return redirect("checkout:payment-details")
        attempt = self.new_attempt(Provider.NONE)
        if attempt.amount != 0:
            messages.error(request, _("Please choose how to pay to place this order."))
            return redirect("checkout:payment-details")
        try:
            order = order_place_free(attempt)
        except CannotPlace as why:
            messages.error(request, str(why))
            return redirect("basket:summary")
        return self.thank_you(order)


class PaymentStartView(CheckoutAttemptMixin, View):
    """Called by the Stripe card form: authorise the basket's total on the card token."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        return stripe_start(request, self.new_attempt)


class YooKassaStartView(CheckoutAttemptMixin, View):
    """The "Russian card or SBP" form: create the YooKassa payment and send the customer to
    confirm it (the card page, or our page with the SBP QR code and bank-app link)."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        return yookassa_start(request, self.new_attempt, redirect("checkout:payment-details"))


class SbpView(TemplateView):
    """Pay by SBP: a QR code to scan with the bank's app on a computer, the same address as a
    link that opens the bank's app on a phone. The page looks for the outcome by itself."""

    template_name = "checkout/sbp.html"

    def get_context_data(self, **kwargs):
        import segno

        context = super().get_context_data(**kwargs)
        attempt = session_attempt(self.request, kwargs["attempt"])
        if attempt.provider != Provider.YOOKASSA or not attempt.confirmation_url:
            raise Http404
        qr = segno.make(attempt.confirmation_url, error="m")
        context.update(
            {
                "attempt": attempt,
                "qr_svg": qr.svg_inline(scale=5, dark="#0b3550", title=_("SBP QR code")),
                "check_url": reverse("payments:check", kwargs={"attempt": attempt.pk}),
                "return_url": return_url(attempt),
            }
        )
        return context


class PaymentCheckView(View):
    """Asked by the SBP page (or its "I have paid" button): is the payment done yet?"""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        attempt = session_attempt(request, kwargs["attempt"])
        wants_json = request.headers.get("Accept", "").startswith("application/json")
        # Unreachable now: asked again in a moment (the notification may settle it meanwhile).
        with contextlib.suppress(PaymentUnavailable, PaymentRejected):
            attempt = attempt_settle(attempt)
        done = attempt.is_final
        if wants_json:
            return JsonResponse({"done": done, "next": return_url(attempt)})
        if done:
            return redirect(return_url(attempt))
        messages.info(request, _("The bank has not confirmed the payment yet."))
        return redirect("payments:sbp", attempt=attempt.pk)


class PaymentReturnView(CheckoutAttemptMixin, View):
    """Where the provider sends the customer back: settle the payment, show the outcome.

    A GET, as providers send it; it only brings the shop's record in line with what the
    provider says already happened to this browser's own payment."""

    pre_conditions = []

    def get(self, request, *args, **kwargs):
        attempt = session_attempt(request, request.GET.get("attempt", ""))
        if attempt.is_supplementary:
            from shop.customercare.booking_views import change_payment_outcome

            return change_payment_outcome(request, attempt)
        try:
            attempt = attempt_settle(attempt)
        except (PaymentUnavailable, PaymentRejected):
            messages.warning(request, NOT_CONFIRMED_YET)
            return redirect("checkout:payment-details")
        if attempt.status == AttemptStatus.PAID and attempt.order_id:
            return self.thank_you(attempt.order)
        if attempt.status == AttemptStatus.STARTED:
            if attempt.pending_action:
                messages.warning(request, NOT_CONFIRMED_YET)
            else:
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


@method_decorator(csrf_exempt, name="dispatch")
class YooKassaNotificationView(View):
    """YooKassa's HTTP notifications (unsigned: checked by the sender's address)."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        status = yookassa_notification_receive(body=request.body, request=request)
        return HttpResponse(status=status)
