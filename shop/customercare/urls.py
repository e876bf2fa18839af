from django.urls import path

from shop.customercare import views

app_name = "customercare"
urlpatterns = [
    path("orders/<str:number>/<str:token>/", views.OrderStatusView.as_view(), name="order-status"),
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
