"""Oscar's order dashboard, with changes kept to those allowed to change orders.

Oscar lets anyone who may view an order (`order.view_order`, which students and teachers
have) post to its detail page: notes, payment and shipping events, statuses, the shipping
address. Here a POST that changes anything needs `order.change_order`; viewing and the CSV
download stay as they were.
"""

from django.apps import apps
from django.core.exceptions import PermissionDenied
from django.urls import path
from oscar.core.loading import get_class

CHANGE_PERMISSION = "order.change_order"

OscarOrderListView = get_class("dashboard.orders.views", "OrderListView")
OscarOrderDetailView = get_class("dashboard.orders.views", "OrderDetailView")
OscarShippingAddressView = get_class("dashboard.orders.views", "ShippingAddressUpdateView")


def _require_change(request):
    if not request.user.has_perm(CHANGE_PERMISSION):
        raise PermissionDenied


class OrderListView(OscarOrderListView):
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
