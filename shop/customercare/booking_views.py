"""A customer's own changes to one booking, from the order's signed status link (no account
needed) or from the account's order page (which links the same addresses).

GET shows what the change would do and asks to confirm; only a POST with its CSRF token and
the form's one-time key changes anything, through one service of shop/bookings/changes.py.
An address with a wrong code, another order's ticket or an unknown one is "not found" alike.
"""

from django.contrib import messages
from django.http import Http404, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
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
from shop.bookings.models import BookingChange, ChangeKind, Departure, Ticket
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
        already, so the customer goes where the first answer led."""
        key = self.request.POST.get("key", "")[:64]
        if key and BookingChange.objects.filter(key=key, ticket=self.ticket).exists():
            return HttpResponseRedirect(self.back_url(), status=303)
        return None


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
