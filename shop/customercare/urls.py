from django.urls import path

import shop.core.converters  # noqa: F401  (registers <rowid:…>)
from shop.customercare import booking_views, views

app_name = "customercare"
urlpatterns = [
    path("orders/<str:number>/<str:token>/", views.OrderStatusView.as_view(), name="order-status"),
    # A customer's own changes to one booking (its ticket's code), from the same signed link.
    path(
        "orders/<str:number>/<str:token>/bookings/<str:code>/cancel/",
        booking_views.BookingCancelView.as_view(),
        name="booking-cancel",
    ),
    path(
        "orders/<str:number>/<str:token>/bookings/<str:code>/date/",
        booking_views.BookingMoveView.as_view(),
        name="booking-move",
    ),
    # The pay step of a move to a dearer date (the change waiting for its difference).
    path(
        "orders/<str:number>/<str:token>/bookings/<str:code>/date/pay/<rowid:change>/",
        booking_views.BookingPayView.as_view(),
        name="booking-pay",
    ),
    path(
        "orders/<str:number>/<str:token>/bookings/<str:code>/date/pay/<rowid:change>/card/",
        booking_views.BookingPayCardView.as_view(),
        name="booking-pay-card",
    ),
    path(
        "orders/<str:number>/<str:token>/bookings/<str:code>/date/pay/<rowid:change>/yookassa/",
        booking_views.BookingPayYooKassaView.as_view(),
        name="booking-pay-yookassa",
    ),
    # Another date instead of the refund, when we cancelled a departure (its e-mail's link).
    path(
        "orders/<str:number>/<str:token>/rebook/<rowid:departure>/",
        booking_views.RebookView.as_view(),
        name="rebook",
    ),
    path("tickets/<str:token>/", views.TicketView.as_view(), name="ticket"),
    path(
        "tickets/<str:token>/calendar.ics",
        views.TicketCalendarView.as_view(),
        name="ticket-calendar",
    ),
    path("tickets/<str:token>/qr.png", views.TicketImageView.as_view(), name="ticket-image"),
    # In place of Oscar's account order pages (same addresses: these come first in shop.urls,
    # so Oscar's names customer:order-list and customer:order lead here too).
    path("accounts/orders/", views.AccountOrderListView.as_view(), name="account-orders"),
    path(
        "accounts/orders/<str:order_number>/",
        views.AccountOrderView.as_view(),
        name="account-order",
    ),
    path(
        "accounts/orders/<str:order_number>/<int:line_id>/",
        views.AccountOrderLineView.as_view(),
        name="account-order-line",
    ),
]
