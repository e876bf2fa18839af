from django.urls import path

import shop.core.converters  # noqa: F401  (registers <rowid:…>)
from shop.bookings.views import TourBookView
from shop.bookings.waitlist_views import WaitlistHoldView, WaitlistJoinView

app_name = "bookings"
urlpatterns = [
    path("tours/<rowid:pk>/book/", TourBookView.as_view(), name="book"),
    path("tours/<rowid:pk>/waitlist/", WaitlistJoinView.as_view(), name="waitlist"),
    # The link e-mailed to a visitor on the waiting list (signed).
    path("waitlist/<str:token>/", WaitlistHoldView.as_view(), name="waitlist-hold"),
]
