"""The waiting list, as a visitor meets it: joining a sold-out departure's list, and the page
the e-mailed link opens (the seats held, or the place in line) with the way to give it up.

Views parse, call one service of shop/bookings/waitlist.py and render; a change is a POST.
"""

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views import View
from django.views.generic import TemplateView
from django.views.generic.base import TemplateResponseMixin

from shop.bookings.forms import WaitlistForm
from shop.bookings.models import Departure, Tour, WaitStatus
from shop.bookings.selectors import departure_row, departures_with_booking_data
from shop.bookings.waitlist import (
    WaitlistError,
    entry_from_token,
    entry_token,
    waitlist_join,
    waitlist_leave,
)
from shop.core.converters import row_id
from shop.customercare.views import PrivatePageMixin


class WaitlistJoinView(TemplateResponseMixin, View):
    """A sold-out departure: leave an e-mail and how many people, and wait for seats."""

    template_name = "bookings/waitlist_join.html"

    def dispatch(self, request, *args, **kwargs):
        self.tour = get_object_or_404(
            Tour.objects.select_related("product"), product_id=kwargs["pk"], product__is_public=True
        )
        return super().dispatch(request, *args, **kwargs)

    def get_departure(self, raw):
        pk = row_id(raw)
        departure = (
            departures_with_booking_data(Departure.objects.filter(pk=pk, tour=self.tour)).first()
            if pk
            else None
        )
        return departure

    def back_to_tour(self, message):
        messages.error(self.request, message)
        return redirect(self.tour.product.get_absolute_url())

    def get(self, request, *args, **kwargs):
        departure = self.get_departure(request.GET.get("departure"))
        if departure is None:
            return self.back_to_tour(_("Choose a departure from the list."))
        if reason := departure.closed_reason():
            return self.back_to_tour(reason)
        return self.render(WaitlistForm(tour=self.tour, departure=departure), departure)

    def post(self, request, *args, **kwargs):
        departure = self.get_departure(request.POST.get("departure"))
        if departure is None:
            return self.back_to_tour(_("Choose a departure from the list."))
        form = WaitlistForm(request.POST, tour=self.tour, departure=departure)
        if not form.is_valid():
            return self.render(form, departure, status=400)
        try:
            entry = waitlist_join(
                departure=departure,
                email=form.cleaned_data["email"],
                people=form.cleaned_data["people"],
                language=translation.get_language(),
            )
        except WaitlistError as error:
            form.add_error(None, str(error))
            return self.render(form, departure, status=400)
        if entry.status == WaitStatus.OFFERED:
            text = _(
                "Seats have just come back: they are held for you. We have e-mailed the link "
                "to %(email)s."
            )
        else:
            text = ngettext(
                "You are on the waiting list for %(when)s (%(people)d person). When seats come "
                "back, we e-mail %(email)s and hold them for you.",
                "You are on the waiting list for %(when)s (%(people)d people). When seats come "
                "back, we e-mail %(email)s and hold them for you.",
                entry.people,
            )
        messages.success(
            request,
            text
            % {"when": departure.local_start_label(), "people": entry.people, "email": entry.email},
        )
        return HttpResponseRedirect(self.tour.product.get_absolute_url(), status=303)

    def render(self, form, departure, status=200):
        from django.utils import timezone

        return self.render_to_response(
            {
                "tour": self.tour,
                "product": self.tour.product,
                "departure": departure,
                "row": departure_row(departure, timezone.now()),
                "form": form,
                "hold_hours": settings.WAITLIST_HOLD_HOURS,
            },
            status=status,
        )


class WaitlistHoldView(PrivatePageMixin, TemplateView):
    """What the e-mailed link opens: the seats held (book them, or give them up)."""

    template_name = "bookings/waitlist_hold.html"

    def dispatch(self, request, *args, **kwargs):
        self.entry = entry_from_token(kwargs["token"])
        if self.entry is None:
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        entry = self.entry
        departure = entry.departure
        context.update(
            {
                "entry": entry,
                "departure": departure,
                "tour": departure.tour,
                "product": departure.tour.product,
                "holds": entry.holds_seats(),
                "book_url": (
                    f"{reverse('bookings:book', kwargs={'pk': departure.tour_id})}"
                    f"?departure={departure.pk}&hold={entry_token(entry)}"
                ),
            }
        )
        return context

    def post(self, request, *args, **kwargs):
        if request.POST.get("action") != "leave":
            raise Http404
        held = self.entry.status == WaitStatus.OFFERED
        entry = waitlist_leave(self.entry)
        if entry.status == WaitStatus.LEFT:
            messages.success(
                request,
                _("Thank you: the seats go to the next person in line.")
                if held
                else _("You have left the waiting list."),
            )
        return HttpResponseRedirect(request.path, status=303)
