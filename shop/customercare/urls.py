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
]
