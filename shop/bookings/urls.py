from django.urls import path

from shop.bookings.views import TourBookView

app_name = "bookings"
urlpatterns = [
    path("tours/<int:pk>/book/", TourBookView.as_view(), name="book"),
]
