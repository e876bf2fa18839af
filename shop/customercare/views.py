"""Pages a customer reaches from our e-mails without an account (the order status and
tickets), and the signed-in customer's own orders in the account.

The e-mailed addresses carry a code signed with the site's secret key, so they cannot be
guessed from an order number or a ticket's short code. The account's pages show only the
signed-in customer's own orders; another's order is "not found", as a made-up number is.
"""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.views import View
from django.views.generic import RedirectView, TemplateView
from oscar.core.loading import get_model

from shop.bookings.models import Ticket, TicketVoid
from shop.bookings.ticket_documents import (
    ticket_code_from_token,
    ticket_ics,
    ticket_qr_png,
    ticket_qr_svg,
    ticket_token,
)
from shop.core.converters import row_id
from shop.core.table_versions import kept, rendered
from shop.customercare.selectors import customer_orders_page
from shop.customercare.services import order_status_path, order_summary

Order = get_model("order", "Order")


class PrivatePageMixin:
    """Not for search engines, and no address leaks to other sites through the Referer."""

    def dispatch(self, request, *args, **kwargs):
        response = super().dispatch(request, *args, **kwargs)
        response["X-Robots-Tag"] = "noindex, nofollow"
        # "same-origin": the signed address goes to no other site, and a form on the page still
        # posts with the site's Origin (under "no-referrer" Chromium sends `Origin: null`, which
        # Django's CSRF check refuses).
        response["Referrer-Policy"] = "same-origin"
        response["Cache-Control"] = "private, no-cache"
        return response


class OrderStatusView(PrivatePageMixin, TemplateView):
    template_name = "customercare/order_status.html"

    def get_context_data(self, **kwargs):
        order = Order.objects.filter(number=kwargs["number"][:128]).first()
        if order is None or not order.check_verification_hash(kwargs["token"][:200]):
            raise Http404
        context = super().get_context_data(**kwargs)
        context.update(order_summary(order))
        return context


def _ticket_or_404(token: str) -> Ticket:
    code = ticket_code_from_token(token[:200])
    if code is None:
        raise Http404
    return get_object_or_404(
        Ticket.objects.select_related("order", "departure__tour__product").prefetch_related(
            "departure__tour__translations", "departure__tour__product__translations"
        ),
        code=code,
    )


class TicketView(PrivatePageMixin, TemplateView):
    template_name = "customercare/ticket.html"

    def get_context_data(self, **kwargs):
        ticket = _ticket_or_404(kwargs["token"])
        if ticket.void_reason == TicketVoid.MOVED:
            # The booking moved to another date: this ticket is void and says where it went.
            context = super().get_context_data(**kwargs)
            moved_to = _moved_to(ticket)
            context.update(
                {
                    "ticket": ticket,
                    "order": ticket.order,
                    "moved_to": moved_to,
                    "moved_to_token": ticket_token(moved_to) if moved_to else "",
                }
            )
            return context
        summary = order_summary(ticket.order)
        booking = next(b for b in summary["bookings"] if b["ticket"].pk == ticket.pk)
        context = super().get_context_data(**kwargs)
        context.update(
            {
                "booking": booking,
                "ticket": ticket,
                "order": ticket.order,
                "qr_svg": ticket_qr_svg(ticket),
                "token": kwargs["token"],
            }
        )
        return context


def _moved_to(ticket) -> Ticket | None:
    """The ticket its booking has now, following every later move."""
    seen = {ticket.pk}
    while ticket.replaced_by_id and ticket.replaced_by_id not in seen:
        ticket = Ticket.objects.select_related("departure__tour__product").get(
            pk=ticket.replaced_by_id
        )
        seen.add(ticket.pk)
    return ticket if len(seen) > 1 else None


class TicketCalendarView(PrivatePageMixin, View):
    def get(self, request, token):
        ticket = _ticket_or_404(token)
        response = HttpResponse(ticket_ics(ticket), content_type="text/calendar; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="ticket-{ticket.code}.ics"'
        return response


class TicketImageView(PrivatePageMixin, View):
    def get(self, request, token):
        ticket = _ticket_or_404(token)
        response = HttpResponse(ticket_qr_png(ticket), content_type="image/png")
        response["Content-Disposition"] = f'inline; filename="ticket-{ticket.code}.png"'
        return response


# --- The signed-in customer's orders (in place of Oscar's account order pages) -------------

ORDERS_PER_PAGE = 20


class AccountOrderListView(LoginRequiredMixin, TemplateView):
    template_name = "customercare/account_orders.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        # A page number, or the first page (the paginator answers a number past the end with
        # the last page): junk in the address makes no entries of its own.
        user, page = self.request.user, row_id(self.request.GET.get("page")) or 1
        # Kept until an order, a line or a ticket is written (shop/core/table_versions.py).
        context["orders"] = kept(
            "account-orders",
            (user.pk, page),
            lambda: rendered(
                "customercare/_account_order_list.html",
                {"page_obj": customer_orders_page(user, page, per_page=ORDERS_PER_PAGE)},
            ),
        )
        return context


class AccountOrderView(LoginRequiredMixin, TemplateView):
    """One of the customer's orders, as its status page shows it, with the account around it.

    GET only: Oscar's page took a POST to reorder every line, dated tours included."""

    template_name = "customercare/account_order.html"

    def get_context_data(self, **kwargs):
        order = get_object_or_404(
            Order, user=self.request.user, number=kwargs["order_number"][:128]
        )
        context = super().get_context_data(**kwargs)
        context.update(order_summary(order))
        context["status_path"] = order_status_path(order)
        context["from_account"] = True  # its bookings' change pages lead back here
        return context


class AccountOrderLineView(LoginRequiredMixin, RedirectView):
    """Oscar's per-line address (it reordered one line on POST) leads to the order's page."""

    pattern_name = "customercare:account-order"

    def get_redirect_url(self, *args, **kwargs):
        return super().get_redirect_url(order_number=kwargs["order_number"])
