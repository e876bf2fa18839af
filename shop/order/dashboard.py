"""Oscar's order dashboard, with changes kept to those allowed to change orders.

Oscar lets anyone who may view an order (`order.view_order`, which students and teachers
have) post to its detail page: notes, payment and shipping events, statuses, the shipping
address. Here a POST that changes anything needs `order.change_order`; viewing stays as it
was. (The dashboard as a whole is for staff: shop/core/access.py.)

Oscar's order CSV writes what customers typed as it is: a name "=HYPERLINK(…)" became a live
formula in the spreadsheet. Every cell goes through the shop's `formula_safe` here. Its date
filter answered 500 for a date at the end of the calendar; dates outside the site's are
refused with a message.
"""

from django.apps import apps
from django.core.exceptions import PermissionDenied
from django.urls import path
from oscar.core.loading import get_class

from shop.teaching.exports import formula_safe
from shop.teaching.forms import in_the_sites_calendar

CHANGE_PERMISSION = "order.change_order"

OscarOrderListView = get_class("dashboard.orders.views", "OrderListView")
OscarOrderDetailView = get_class("dashboard.orders.views", "OrderDetailView")
OscarOrderSearchForm = get_class("dashboard.orders.forms", "OrderSearchForm")
OscarShippingAddressView = get_class("dashboard.orders.views", "ShippingAddressUpdateView")


def _require_change(request):
    if not request.user.has_perm(CHANGE_PERMISSION):
        raise PermissionDenied


class OrderSearchForm(OscarOrderSearchForm):
    """Oscar's search, its dates within the site's calendar (an invalid search lists every
    order, with the form's message, as Oscar does)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("date_from", "date_to"):
            self.fields[name].validators.append(in_the_sites_calendar)


class OrderListView(OscarOrderListView):
    form_class = OrderSearchForm

    def get_row_values(self, order):
        return {key: formula_safe(value) for key, value in super().get_row_values(order).items()}

    def post(self, request, *args, **kwargs):
        if request.POST.get("action") != "download_selected_orders":
            _require_change(request)
        return super().post(request, *args, **kwargs)


class OrderDetailView(OscarOrderDetailView):
    def post(self, request, *args, **kwargs):
        _require_change(request)
        return super().post(request, *args, **kwargs)


class ShippingAddressUpdateView(OscarShippingAddressView):
    def post(self, request, *args, **kwargs):
        _require_change(request)
        return super().post(request, *args, **kwargs)


def urlpatterns_guarded():
    """The same addresses and access checks as Oscar's, served by the guarded views."""
    config = apps.get_app_config("orders_dashboard")
    return config.post_process_urls(
        [
            path("", OrderListView.as_view(), name="order-list"),
            path("<str:number>/", OrderDetailView.as_view(), name="order-detail"),
            path(
                "<str:number>/notes/<int:note_id>/",
                OrderDetailView.as_view(),
                name="order-detail-note",
            ),
            path(
                "<str:number>/shipping-address/",
                ShippingAddressUpdateView.as_view(),
                name="order-shipping-address",
            ),
        ]
    )
