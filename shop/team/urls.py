from django.urls import path

import shop.core.converters  # noqa: F401  (registers <rowid:…>)
from shop.team import views

app_name = "team"
urlpatterns = [
    path("", views.QueueView.as_view(), name="queue"),
    path("orders/<str:number>/", views.OrderView.as_view(), name="order"),
    path("tours/", views.ToursView.as_view(), name="tours"),
    path("tours/<rowid:pk>/", views.ManifestView.as_view(), name="manifest"),
]
