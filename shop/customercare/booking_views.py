"""A customer's own changes to one booking, from the order's signed status link (no account
needed) or from the account's order page (which links the same addresses).

GET shows what the change would do and asks to confirm; only a POST with its CSRF token and
the form's one-time key changes anything, through one service of shop/bookings/changes.py.
An address with a wrong code, another order's ticket or an unknown one is "not found" alike.
"""

from django.contrib import messages
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views import View
from django.views.generic import TemplateView
from oscar.core.loading import get_model
from oscar.templatetags.currency_filters import currency

from shop.bookings.change_selectors import (
    booking_change_refusal,
    booking_load,
    booking_move_quotes,
    cancel_quote,
)
from shop.bookings.changes import ChangeRefused, booking_cancel, booking_move
from shop.bookings.models import BookingChange, ChangeKind, ChangeStatus, Departure, Ticket
from shop.core.converters import row_id
from shop.customercare.forms import CancelPeopleForm, ChangeForm, MoveForm
from shop.customercare.services import order_status_path, order_summary
from shop.customercare.views import PrivatePageMixin

Order = get_model("order", "Order")


class SignedBookingMixin(PrivatePageMixin):
    """The booking of the address: the order's number and signed code, then its ticket."""

    def dispatch(self, request, *args, **kwargs):
        order = Order.objects.filter(number=kwargs["number"][:128]).first()
        if order is None or not order.check_verification_hash(kwargs["token"][:200]):
            raise Http404
        ticket = (
            Ticket.objects.select_related("order", "departure__tour__product")
            .prefetch_related(
                "departure__tour__translations", "departure__tour__product__translations"
            )
            .filter(order=order, code=kwargs["code"][:12].upper())
            .first()
        )
        if ticket is None:
            raise Http404
        self.order, self.ticket = order, ticket
        return super().dispatch(request, *args, **kwargs)

    def from_account(self) -> bool:
        source = self.request.POST.get("back") or self.request.GET.get("from")
        user = self.request.user
        return source == "account" and user.is_authenticated and self.order.user_id == user.pk

    def back_url(self) -> str:
        if self.from_account():
            return reverse("customercare:account-order", kwargs={"order_number": self.order.number})
        return order_status_path(self.order)

    def booking_card(self) -> tuple[dict | None, list]:
        """The booking as the order's pages show it, and the order's gingerbread."""
        summary = order_summary(self.order)
        card = next((b for b in summary["bookings"] if b["ticket"].pk == self.ticket.pk), None)
        return card, summary["goods"]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        booking = booking_load(self.ticket)
        card, goods = self.booking_card()
        context.update(
            {
                "order": self.order,
                "ticket": self.ticket,
                "booking": booking,
                "b": card,
                "goods": goods,
                "refusal": booking_change_refusal(booking),
                "back_url": self.back_url(),
                "back": "account" if self.from_account() else "",
            }
        )
        return context

    def done(self, text: str):
        messages.success(self.request, text)
        return HttpResponseRedirect(self.back_url(), status=303)

    def done_before(self):
        """The same form sent again (a double tap, a resent request): its change is made
        already, so the customer goes where the first answer led (a move waiting for its
        difference: the pay step)."""
        key = self.request.POST.get("key", "")[:64]
        change = BookingChange.objects.filter(key=key, ticket=self.ticket).first() if key else None
        if change is None:
            return None
        if change.status == ChangeStatus.AWAITING_PAYMENT:
            return HttpResponseRedirect(self.pay_url(change), status=303)
        return HttpResponseRedirect(self.back_url(), status=303)

    def pay_url(self, change) -> str:
        url = change_pay_path(change, self.ticket)
        return f"{url}?from=account" if self.from_account() else url


def change_pay_path(change, ticket) -> str:
    """The pay step of a move to a dearer date, under the order's signed link."""
    order = change.order
    return reverse(
        "customercare:booking-pay",
        kwargs={
            "number": order.number,
            "token": order.verification_hash(),
            "code": ticket.code,
            "change": change.pk,
        },
    )


def _refund_words(change) -> str:
    if change.refund_amount > 0:
        return _("%(amount)s goes back to your card; banks usually show it within a few days.") % {
            "amount": currency(change.refund_amount)
        }
    return _("Nothing was paid for these seats, so there is nothing to refund.")


class BookingCancelView(SignedBookingMixin, TemplateView):
    """Cancel the whole booking, or some of its people (with a step that shows the refund)."""

    template_name = "customercare/booking_cancel.html"

    def get_context_data(self, **kwargs):
        from shop.payments.services import order_refundable

        context = super().get_context_data(**kwargs)
        booking = context["booking"]
        refundable = order_refundable(self.order)
        context["whole_form"] = kwargs.get("whole_form") or ChangeForm()
        context["whole_refund"] = min(cancel_quote(booking), refundable)
        if booking.people > 1:
            context["part_form"] = kwargs.get("part_form") or CancelPeopleForm(booking=booking)
            context["per_person"] = [
                (bound, have, min(cancel_quote(booking, {code: 1}), refundable))
                for bound, code, have in context["part_form"].people_fields
            ]
        return context

    def post(self, request, *args, **kwargs):
        if done := self.done_before():
            return done
        action = request.POST.get("action")
        if action == "cancel":
            form = ChangeForm(request.POST)
            if not form.is_valid():
                return self.refuse(_("This form is damaged: open the page again."))
            return self.cancel(key=form.cleaned_data["key"])
        booking = booking_load(self.ticket)
        form = CancelPeopleForm(request.POST, booking=booking)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(part_form=form), status=400)
        people = form.people()
        names = form.cleaned_data.get("names", [])
        if action == "confirm_part":
            return self.cancel(key=form.cleaned_data["key"], people=people, names=names)
        from shop.payments.services import order_refundable

        # The step between: exactly what goes and what comes back, before anything changes.
        context = self.get_context_data()
        context.update(
            {
                "confirm_form": form,
                "confirm_people": [
                    (bound.label, people[code]) for bound, code, _have in form.people_fields
                ],
                "confirm_names": names,
                "confirm_refund": min(cancel_quote(booking, people), order_refundable(self.order)),
            }
        )
        return self.render_to_response(context)

    def refuse(self, reason):
        context = self.get_context_data()
        context["error"] = reason
        return self.render_to_response(context, status=400)

    def cancel(self, *, key, people=None, names=()):
        try:
            change = booking_cancel(
                ticket=self.ticket,
                key=key,
                user=self.request.user,
                people=people,
                names_removed=list(names),
            )
        except ChangeRefused as refused:
            return self.refuse(str(refused))
        if change.kind == ChangeKind.CANCEL:
            text = _("The booking is cancelled.")
        else:
            text = ngettext(
                "%(count)d person is taken off the booking.",
                "%(count)d people are taken off the booking.",
                change.people,
            ) % {"count": change.people}
        return self.done(f"{text} {_refund_words(change)}")


class BookingMoveView(SignedBookingMixin, TemplateView):
    """Choose another date of the same tour, then confirm the move."""

    template_name = "customercare/booking_move.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        booking = context["booking"]
        quotes = booking_move_quotes(booking) if not context["refusal"] else []
        chosen = kwargs.get("chosen") or row_id(self.request.GET.get("to"))
        context["quotes"] = quotes
        context["chosen"] = next(
            (q for q in quotes if q.departure.pk == chosen and q.available), None
        )
        if context["chosen"] is not None:
            context["form"] = MoveForm(initial={"to": context["chosen"].departure.pk})
        return context

    def post(self, request, *args, **kwargs):
        if done := self.done_before():
            return done
        form = MoveForm(request.POST)
        if not form.is_valid():
            return self.refuse(_("Choose one of the dates below."))
        target = Departure.objects.filter(pk=form.cleaned_data["to"]).first()
        if target is None:
            return self.refuse(_("Choose one of the dates below."))
        try:
            change = booking_move(
                ticket=self.ticket,
                to_departure=target,
                key=form.cleaned_data["key"],
                user=request.user,
            )
        except ChangeRefused as refused:
            return self.refuse(str(refused))
        if change.status == ChangeStatus.AWAITING_PAYMENT:
            # Nothing has changed yet: the booking moves once the difference is paid.
            return HttpResponseRedirect(self.pay_url(change), status=303)
        text = _(
            "Done: the booking is now on %(when)s. Here is its new ticket; the old one is void."
        ) % {"when": change.to_departure.local_start_label()}
        if change.refund_amount > 0:
            text = f"{text} {_refund_words(change)}"
        return self.done(text)

    def refuse(self, reason):
        context = self.get_context_data()
        context["error"] = reason
        return self.render_to_response(context, status=400)


# --- Paying the difference of a dearer date ------------------------------------------------


class ChangePaymentMixin(SignedBookingMixin):
    """A move of this booking waiting for its difference (another booking's is "not found")."""

    def dispatch(self, request, *args, **kwargs):
        self.change_id = kwargs["change"]
        return super().dispatch(request, *args, **kwargs)

    def get_change(self) -> BookingChange:
        change = (
            BookingChange.objects.select_related(
                "to_departure__tour", "order", "rebook_offer__departure__tour__product"
            )
            .filter(pk=self.change_id, ticket=self.ticket, kind=ChangeKind.MOVE)
            .first()
        )
        if change is None or change.amount_due <= 0:
            raise Http404
        return change

    def new_attempt_for(self, change):
        from shop.payments.supplements import supplement_create
        from shop.payments.views import remember_attempt

        def new_attempt(provider, method):
            attempt = supplement_create(change=change, method=method)
            remember_attempt(self.request, attempt)
            return attempt

        return new_attempt


class BookingPayView(ChangePaymentMixin, TemplateView):
    """The pay step: the dearer date, the difference, and the way to pay the order was paid
    with (its card form, or YooKassa's card page and SBP), as on the checkout's payment page."""

    template_name = "customercare/booking_pay.html"

    def get(self, request, *args, **kwargs):
        change = self.get_change()
        if change.status == ChangeStatus.APPLIED:
            return HttpResponseRedirect(self.back_url())
        return self.render_to_response(self.get_context_data(change=change))

    def get_context_data(self, **kwargs):
        from django.conf import settings

        from shop.payments.supplements import supplement_provider

        context = super().get_context_data(**kwargs)
        change = kwargs["change"]
        provider = supplement_provider(self.order)
        kwargs = {
            "number": self.order.number,
            "token": self.order.verification_hash(),
            "code": self.ticket.code,
            "change": change.pk,
        }
        move_url = reverse(
            "customercare:booking-move",
            kwargs={k: v for k, v in kwargs.items() if k != "change"},
        )
        if change.rebook_offer_id:
            from shop.bookings.rebooking import rebook_offer_path, rebook_pay_refusal

            # Another date instead of the refund: the cancelled booking's offer, not the ticket.
            context["refusal"] = rebook_pay_refusal(change)
            context["offer"] = change.rebook_offer
            move_url = rebook_offer_path(change.rebook_offer)
        context.update(
            {
                "change": change,
                "waiting": change.status == ChangeStatus.AWAITING_PAYMENT,
                "providers": [provider] if provider else [],
                "amount": change.amount_due,
                "stripe_publishable_key": settings.STRIPE_PUBLISHABLE_KEY,
                "stripe_js_url": settings.STRIPE_JS_URL,
                "payment_start_url": reverse("customercare:booking-pay-card", kwargs=kwargs),
                "yookassa_start_url": reverse("customercare:booking-pay-yookassa", kwargs=kwargs),
                "move_url": move_url,
            }
        )
        return context


def _pay_refusal(view, change):
    """Why this change cannot be paid for now through `view.provider` (None when it can)."""
    from shop.payments.supplements import supplement_provider

    if change.rebook_offer_id:
        from shop.bookings.rebooking import rebook_pay_refusal

        if reason := rebook_pay_refusal(change):
            return reason
    elif change.status != ChangeStatus.AWAITING_PAYMENT:
        return change.message or _("This change is no longer waiting for payment.")
    elif reason := booking_change_refusal(booking_load(view.ticket)):
        return reason
    if supplement_provider(view.order) != view.provider:
        return _("This way to pay is not available.")
    return None


class BookingPayCardView(ChangePaymentMixin, View):
    """Called by the card form of the pay step: authorise the difference on the card."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        from shop.payments.models import Provider
        from shop.payments.views import stripe_start

        self.provider = Provider.STRIPE
        change = self.get_change()
        if refusal := _pay_refusal(self, change):
            return JsonResponse({"status": "error", "message": str(refusal)}, status=409)
        return stripe_start(request, self.new_attempt_for(change))


class BookingPayYooKassaView(ChangePaymentMixin, View):
    """The "card or SBP" form of the pay step: on to YooKassa's card page or the SBP page."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        from shop.payments.models import Provider
        from shop.payments.views import yookassa_start

        self.provider = Provider.YOOKASSA
        change = self.get_change()
        back = HttpResponseRedirect(change_pay_path(change, self.ticket), status=303)
        if refusal := _pay_refusal(self, change):
            messages.error(request, str(refusal))
            return back
        return yookassa_start(request, self.new_attempt_for(change), back)


def change_payment_outcome(request, attempt):
    """Where the provider sends the customer back from paying a difference (the payments'
    return view hands these over): settle it, then say what happened to the booking."""
    import contextlib

    from shop.payments.models import AttemptStatus
    from shop.payments.providers import PaymentRejected, PaymentUnavailable
    from shop.payments.services import attempt_settle

    with contextlib.suppress(PaymentUnavailable, PaymentRejected):
        attempt = attempt_settle(attempt)
    change = BookingChange.objects.select_related("to_departure", "ticket", "order").get(
        pk=attempt.booking_change_id
    )
    pay_url = change_pay_path(change, change.ticket)
    if change.paid_with == attempt.key:
        messages.success(
            request,
            _(
                "Done: the booking is now on %(when)s and the difference of %(amount)s is paid. "
                "Here is its new ticket; the old one is void."
            )
            % {
                "when": change.to_departure.local_start_label(),
                "amount": currency(change.amount_due),
            },
        )
        return HttpResponseRedirect(order_status_path(change.order))
    if attempt.status == AttemptStatus.STARTED:
        messages.warning(
            request,
            _(
                "We could not confirm your payment with the bank yet. If it went through, your "
                "booking moves within minutes and we e-mail you; nothing is charged otherwise."
            ),
        )
        return HttpResponseRedirect(pay_url)
    messages.error(request, attempt.message or _("The payment did not go through."))
    if change.status == ChangeStatus.AWAITING_PAYMENT:
        return HttpResponseRedirect(pay_url)
    return HttpResponseRedirect(change_move_path(change))


def change_move_path(change) -> str:
    """Where the customer chooses a date again: the booking's move page, or for another date
    instead of the refund, the offer's page."""
    if change.rebook_offer_id:
        from shop.bookings.rebooking import rebook_offer_path

        return rebook_offer_path(change.rebook_offer)
    order = change.order
    return reverse(
        "customercare:booking-move",
        kwargs={
            "number": order.number,
            "token": order.verification_hash(),
            "code": change.ticket.code,
        },
    )


# --- Another date instead of the refund (a departure we cancelled) -------------------------


class RebookView(PrivatePageMixin, TemplateView):
    """The page the cancellation e-mail links to: the tour's other dates instead of the refund
    (a dearer one through the pay step), or the refund now; the deadline the refund waits for.
    GET shows; a POST with its CSRF token and the form's key decides, once."""

    template_name = "customercare/rebook.html"

    def dispatch(self, request, *args, **kwargs):
        from shop.bookings.models import RebookOffer

        order = Order.objects.filter(number=kwargs["number"][:128]).first()
        if order is None or not order.check_verification_hash(kwargs["token"][:200]):
            raise Http404
        self.offer = (
            RebookOffer.objects.select_related("order", "departure__tour__product", "change")
            .filter(order=order, departure_id=kwargs["departure"])
            .first()
        )
        if self.offer is None:
            raise Http404
        self.order = order
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        from shop.bookings.models import OfferStatus
        from shop.bookings.rebooking import rebook_quotes

        context = super().get_context_data(**kwargs)
        is_open = self.offer.status == OfferStatus.OPEN
        quotes = rebook_quotes(self.offer) if is_open else []
        chosen = kwargs.get("chosen") or row_id(self.request.GET.get("to"))
        context.update(
            {
                "order": self.order,
                "offer": self.offer,
                "is_open": is_open,
                "quotes": quotes,
                "chosen": next(
                    (q for q in quotes if q.departure.pk == chosen and q.available), None
                ),
                "form": ChangeForm(),
                "back_url": order_status_path(self.order),
            }
        )
        return context

    def post(self, request, *args, **kwargs):
        from shop.bookings.rebooking import rebook_offer_accept, rebook_offer_refund

        form = ChangeForm(request.POST)
        if not form.is_valid():
            return self.refuse(_("This form is damaged: open the page again."))
        try:
            if request.POST.get("action") == "refund":
                rebook_offer_refund(offer=self.offer)
                text = _(
                    "%(amount)s goes back to your card; banks usually show it within a few days."
                ) % {"amount": currency(self.offer.amount)}
            else:
                target = Departure.objects.filter(pk=row_id(request.POST.get("to"))).first()
                if target is None:
                    return self.refuse(_("Choose one of the dates below."))
                change = rebook_offer_accept(
                    offer=self.offer,
                    to_departure=target,
                    key=form.cleaned_data["key"],
                    user=request.user,
                )
                if change.status == ChangeStatus.AWAITING_PAYMENT:
                    # A dearer date: nothing has changed yet; it is taken once the difference
                    # is paid (the refund keeps its deadline meanwhile).
                    return HttpResponseRedirect(change_pay_path(change, change.ticket), status=303)
                text = _(
                    "Done: the booking is now on %(when)s. Here is its new ticket; the old one "
                    "is void."
                ) % {"when": change.to_departure.local_start_label()}
                if change.refund_amount > 0:
                    text = f"{text} {_refund_words(change)}"
        except ChangeRefused as refused:
            return self.refuse(str(refused))
        messages.success(request, text)
        return HttpResponseRedirect(order_status_path(self.order), status=303)

    def refuse(self, reason):
        self.offer.refresh_from_db()
        context = self.get_context_data()
        context["error"] = reason
        return self.render_to_response(context, status=400)
