from django.urls import path

import shop.core.converters  # noqa: F401  (registers <rowid:…>)
from shop.bookings.dashboard import feedback, views

app_name = "bookings-dashboard"
urlpatterns = [
    path("", views.TourListView.as_view(), name="tour-list"),
    path("<rowid:pk>/", views.TourDetailView.as_view(), name="tour-detail"),
    path("<rowid:pk>/schedule/", views.ScheduleView.as_view(), name="tour-schedule"),
    path("<rowid:pk>/departures/add/", views.DepartureAddView.as_view(), name="departure-add"),
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
    path(
        "<rowid:pk>/departures/<rowid:departure_pk>/decide/",
        views.DepartureDecisionView.as_view(),
        name="departure-decide",
    ),
    path("feedback/", feedback.FeedbackModerationView.as_view(), name="feedback"),
    path(
        "feedback/<rowid:pk>/",
        feedback.FeedbackModerateView.as_view(),
        name="feedback-moderate",
    ),
]
