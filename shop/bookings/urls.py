from django.urls import path

import shop.core.converters  # noqa: F401  (registers <rowid:…>)
from shop.bookings.views import TourBookView

app_name = "bookings"
urlpatterns = [
    path("tours/<rowid:pk>/book/", TourBookView.as_view(), name="book"),
]
