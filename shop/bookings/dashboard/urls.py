from django.urls import path, register_converter

from shop.bookings.dashboard import views


class RowId:
    """A primary key that fits any database's integer column: a longer number is a 404,
    not an overflow error in the query."""

    regex = "[0-9]{1,9}"

    def to_python(self, value):
        return int(value)

    def to_url(self, value):
        return str(value)


register_converter(RowId, "rowid")

app_name = "bookings-dashboard"
urlpatterns = [
    path("", views.TourListView.as_view(), name="tour-list"),
    path("<rowid:pk>/", views.TourDetailView.as_view(), name="tour-detail"),
    path("<rowid:pk>/schedule/", views.ScheduleView.as_view(), name="tour-schedule"),
    path(
        "<rowid:pk>/departures/<rowid:departure_pk>/",
        views.DepartureEditView.as_view(),
        name="departure-edit",
    ),
    path(
        "<rowid:pk>/departures/<rowid:departure_pk>/close/",
        views.DepartureCloseView.as_view(),
        name="departure-close",
    ),
    path(
        "<rowid:pk>/departures/<rowid:departure_pk>/reopen/",
        views.DepartureReopenView.as_view(),
        name="departure-reopen",
    ),
    path(
        "<rowid:pk>/departures/<rowid:departure_pk>/cancel/",
        views.DepartureCancelView.as_view(),
        name="departure-cancel",
    ),
]
