import uuid

from django.contrib import messages
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views import View
from django.views.generic.base import TemplateResponseMixin

from shop.bookings.basket_services import (
    BookingError,
    BookingRequest,
    basket_add_booking,
    basket_has_booking,
)
from shop.bookings.forms import BookingForm
from shop.bookings.models import Departure, Tour
from shop.bookings.selectors import departure_row, departures_with_booking_data
from shop.bookings.waitlist import entry_from_token, entry_token
from shop.core.converters import row_id
from shop.core.table_versions import keeping, kept, rendered_content, with_token
from shop.partner.availability import departure_refusal

# Stands in for each visit's own booking reference in the kept form (TourBookView.kept_form).
REF_STAND_IN = "booking-ref-stand-in-5c0d2a7e41b9"


class TourBookView(TemplateResponseMixin, View):
    """Choose tickets and say who is coming, for one departure; the booking goes to the basket."""

    template_name = "bookings/book.html"

    def dispatch(self, request, *args, **kwargs):
        self.tour = get_object_or_404(
            Tour.objects.select_related("product"), product_id=kwargs["pk"], product__is_public=True
        )
        return super().dispatch(request, *args, **kwargs)

    def tour_url(self):
        return self.tour.product.get_absolute_url()

    def get_departure(self, raw, *, may_keep=False):
        pk = row_id(raw)
        if pk is None:
            return None

        def read():
            return (
                departures_with_booking_data(Departure.objects.filter(pk=pk))
                .select_related("tour__product")
                .first()
            )

        if not may_keep:
            return read()
        # For showing the form: kept until the departure, its seats, fares or tour are
        # written (shop/core/table_versions.py); whether it can be booked now is decided
        # from it on every request.
        return kept("booking-departure", (pk,), read)

    def choose_again(self, message):
        messages.error(self.request, message)
        return redirect(self.tour_url())

    def get_hold(self, token, departure):
        """The waiting-list hold of the link, when it still holds seats on this departure."""
        entry = entry_from_token(token) if token else None
        if entry is None or entry.departure_id != departure.pk or not entry.holds_seats():
            return None
        return entry

    def get(self, request, *args, **kwargs):
        departure = self.get_departure(request.GET.get("departure"), may_keep=True)
        if departure is None or departure.tour_id != self.tour.pk:
            return self.choose_again(_("Choose a departure from the list."))
        hold = self.get_hold(request.GET.get("hold", ""), departure)
        if reason := departure_refusal(departure, held=hold.people if hold else 0):
            if departure.closed_reason() is None:
                # Sold out: the waiting list is the way on.
                messages.info(request, reason)
                return redirect(waitlist_url(self.tour, departure))
            return self.choose_again(reason)
        if hold is not None:
            return self.render(
                BookingForm(tour=self.tour, departure=departure), departure, hold=hold
            )
        return self.kept_form(departure)

    def post(self, request, *args, **kwargs):
        departure = self.get_departure(request.POST.get("departure"))
        if departure is None:
            return self.choose_again(_("Choose a departure from the list."))
        if departure.tour_id != self.tour.pk:
            return self.choose_again(_("This departure is not one of this tour's."))
        # Closed sends the tourist back to the list; too few seats is said on the form
        # (by basket_add_booking), where they can choose fewer people.
        if reason := departure.closed_reason():
            return self.choose_again(reason)
        hold = self.get_hold(request.POST.get("hold", ""), departure)
        form = BookingForm(request.POST, tour=self.tour, departure=departure)
        if not form.is_valid():
            return self.render(form, departure, status=400, hold=hold)
        ref = form.cleaned_data["booking_ref"]
        if basket_has_booking(request.basket, ref):
            messages.info(request, _("This booking is already in your basket."))
            return HttpResponseRedirect(reverse("basket:summary"))
        booking = BookingRequest(
            tickets=form.tickets(),
            lead_name=form.cleaned_data["lead_name"],
            lead_phone=form.cleaned_data["lead_phone"],
            participants=form.cleaned_data["participants"],
            organisation=form.cleaned_data.get("organisation", ""),
            ref=ref,
            hold=hold,
        )
        try:
            basket_add_booking(request.basket, departure, booking)
        except BookingError as error:
            form.add_error(None, str(error))
            return self.render(form, departure, status=400, hold=hold)
        messages.success(
            request,
            ngettext(
                "%(tour)s, %(when)s: %(count)d person is in your basket.",
                "%(tour)s, %(when)s: %(count)d people are in your basket.",
                booking.people,
            )
            % {
                "tour": self.tour.product.get_title(),
                "when": departure.local_start_label(),
                "count": booking.people,
            },
        )
        return HttpResponseRedirect(reverse("basket:summary"))

    def context(self, form, departure, row, hold=None) -> dict:
        return {
            "tour": self.tour,
            "product": self.tour.product,
            "departure": departure,
            "row": row,
            "form": form,
            "hold": hold,
            "hold_token": entry_token(hold) if hold else "",
        }

    def render(self, form, departure, status=200, hold=None):
        row = departure_row(departure, timezone.now())
        return self.render_to_response(self.context(form, departure, row, hold), status=status)

    def kept_form(self, departure):
        """The empty form, kept rendered until the departure, its seats, fares or tour are
        written (the departure is read inside, so its tables are noted), under what the clock
        decides of its row. A new booking reference and the visitor's CSRF token are put in
        on each visit."""
        if not keeping():  # nothing kept is served: rendered from the departure at hand
            return self.render(BookingForm(tour=self.tour, departure=departure), departure)
        row = departure_row(departure, timezone.now())

        def compute():
            departure = self.get_departure(str(row.departure.pk), may_keep=True)
            form = BookingForm(tour=self.tour, departure=departure)
            form.fields["booking_ref"].initial = REF_STAND_IN
            context = self.context(form, departure, departure_row(departure, timezone.now()))
            return rendered_content(self.template_name, context, self.request)

        content = with_token(self.request, kept("booking-form", (departure.pk, row.state), compute))
        context = self.context(None, departure, row)
        context["kept_content"] = mark_safe(content.replace(REF_STAND_IN, uuid.uuid4().hex))  # noqa: S308
        return self.render_to_response(context)


def waitlist_url(tour, departure) -> str:
    return f"{reverse('bookings:waitlist', kwargs={'pk': tour.pk})}?departure={departure.pk}"
