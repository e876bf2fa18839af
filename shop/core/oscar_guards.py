"""Oscar's and Wagtail's views that changed state on a GET (or broke on odd input), served at
their own addresses by guarded versions. Their links keep working: a GET shows a page with
one button, and only its POST (with the CSRF token) does what the GET used to do.

- signing out (Oscar's account, Wagtail's admin): a planted link signed the visitor out;
- the address book's "set as default" and the stock alert's confirm/cancel links;
- a notification, which Oscar marked read on a GET and showed to any signed-in user by id;
- a line of one's order, which answered 500 (Oscar has no page for it);
- the dashboard's product lookup, which answered 500 to a page number it could not use, and
  its product deletion, which answered 500 for a product that orders or a tour hold.

`urlpatterns_before_oscar` and `urlpatterns_before_wagtail` go in front of those apps' own
patterns in shop/urls.py; the access table (shop/core/access.py) names each of them.
"""

from django.contrib import messages
from django.db.models import ProtectedError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, re_path
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views import View
from oscar.core.loading import get_class, get_model
from wagtail.admin.views.account import LogoutView as WagtailLogoutView

from shop.core.converters import row_id

Order = get_model("order", "Order")
OscarLogoutView = get_class("customer.views", "LogoutView")
OscarAddressChangeStatusView = get_class("customer.views", "AddressChangeStatusView")
OscarAlertConfirmView = get_class("customer.alerts.views", "ProductAlertConfirmView")
OscarAlertCancelView = get_class("customer.alerts.views", "ProductAlertCancelView")
OscarNotificationView = get_class("communication.notifications.views", "DetailView")
OscarProductLookupView = get_class("dashboard.catalogue.views", "ProductLookupView")
OscarOrderLineView = get_class("customer.views", "OrderLineView")
OscarProductDeleteView = get_class("dashboard.catalogue.views", "ProductDeleteView")


class ConfirmOnGet:
    """GET: a page asking to confirm, whose button POSTs here. POST: the original GET."""

    title = ""
    question = ""
    button = ""

    def get(self, request, *args, **kwargs):
        context = {"title": self.title, "question": self.question, "button": self.button}
        return render(request, "core/confirm.html", context)

    def post(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class CustomerLogoutView(ConfirmOnGet, OscarLogoutView):
    title = _("Sign out")
    question = _("Sign out of your account on this device?")
    button = _("Sign out")


class AdminLogoutView(View):
    """Wagtail's sign-out deleted the session cookie on any method, a GET included."""

    def get(self, request, *args, **kwargs):
        context = {
            "title": CustomerLogoutView.title,
            "question": CustomerLogoutView.question,
            "button": CustomerLogoutView.button,
        }
        return render(request, "core/confirm.html", context)

    def post(self, request, *args, **kwargs):
        return WagtailLogoutView.as_view()(request, *args, **kwargs)


class AddressChangeStatusView(ConfirmOnGet, OscarAddressChangeStatusView):
    title = _("Default address")
    question = _("Use this address by default?")
    button = _("Use by default")


class AlertConfirmView(ConfirmOnGet, OscarAlertConfirmView):
    title = _("Stock alert")
    question = _("Tell me by e-mail when this product is back in stock?")
    button = _("Confirm the alert")


class AlertCancelView(ConfirmOnGet, OscarAlertCancelView):
    title = _("Stock alert")
    question = _("Stop the e-mail about this product?")
    button = _("Cancel the alert")

    def get_redirect_url(self, *args, **kwargs):
        # Oscar followed any ?next=, another site's included.
        wanted = self.request.GET.get("next", "")
        if url_has_allowed_host_and_scheme(wanted, {self.request.get_host()}):
            return wanted
        return self.alert.product.get_absolute_url()


class NotificationView(OscarNotificationView):
    """Only one's own notifications, and reading one changes nothing (the inbox's POST
    actions mark them read)."""

    def get_queryset(self):
        return self.model._default_manager.filter(recipient=self.request.user)

    def get_object(self, queryset=None):
        return super(OscarNotificationView, self).get_object(queryset)


class OrderLineView(OscarOrderLineView):
    """A line of one's order: Oscar has no page for it (a GET answered 500) and a line of
    another order than the one named answered 500 too; its POST (re-order) stays."""

    def get(self, request, *args, **kwargs):
        return redirect("customer:order", order_number=kwargs["order_number"])

    def get_object(self, queryset=None):
        order = get_object_or_404(Order, user=self.request.user, number=self.kwargs["order_number"])
        return get_object_or_404(order.lines, id=self.kwargs["line_id"])


class ProductLookupView(OscarProductLookupView):
    """The dashboard's product search for choosers, with its numbers parsed safely."""

    MAX_PAGE_LIMIT = 100

    def get_args(self):
        query = self.request.GET
        initial = ",".join(
            str(pk) for pk in map(row_id, query.get("initial", "").split(",")) if pk is not None
        )
        page = row_id(query.get("page")) or 1
        limit = min(row_id(query.get("page_limit")) or 20, self.MAX_PAGE_LIMIT)
        return initial or None, query.get("q"), page, limit


class ProductDeleteView(OscarProductDeleteView):
    """A product that orders, tickets or a tour hold on to is not deleted: Oscar answered
    500 (a protected foreign key); the dashboard says why instead."""

    def delete(self, request, *args, **kwargs):
        try:
            return super().delete(request, *args, **kwargs)
        except ProtectedError:
            messages.error(
                request,
                _(
                    "This product has orders or bookings, so it stays: take it off sale "
                    "(or close its departures) instead."
                ),
            )
            return redirect("dashboard:catalogue-product", pk=kwargs["pk"])


urlpatterns_before_oscar = [
    path("accounts/logout/", CustomerLogoutView.as_view(), name="customer-logout"),
    re_path(
        r"^accounts/addresses/(?P<pk>\d+)/(?P<action>default_for_(billing|shipping))/$",
        AddressChangeStatusView.as_view(),
        name="address-default",
    ),
    path("accounts/alerts/confirm/<str:key>/", AlertConfirmView.as_view(), name="alert-confirm"),
    path(
        "accounts/alerts/cancel/key/<str:key>/",
        AlertCancelView.as_view(),
        name="alert-cancel-by-key",
    ),
    path("accounts/alerts/cancel/<int:pk>/", AlertCancelView.as_view(), name="alert-cancel-by-pk"),
    path(
        "accounts/orders/<str:order_number>/<int:line_id>/",
        OrderLineView.as_view(),
        name="order-line",
    ),
    path(
        "accounts/notifications/<int:pk>/",
        NotificationView.as_view(),
        name="notification-detail",
    ),
    path(
        "dashboard/catalogue/products/<int:pk>/delete/",
        ProductDeleteView.as_view(),
        name="dashboard-product-delete",
    ),
    path(
        "dashboard/catalogue/product-lookup/",
        ProductLookupView.as_view(),
        name="dashboard-product-lookup",
    ),
]

urlpatterns_before_wagtail = [
    path("logout/", AdminLogoutView.as_view(), name="cms-logout"),
]
