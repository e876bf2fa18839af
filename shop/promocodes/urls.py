from django.urls import path

import shop.core.converters  # noqa: F401  (registers <rowid:…>)
from shop.promocodes import views

app_name = "promocodes-dashboard"
urlpatterns = [
    path("", views.PromoCodeListView.as_view(), name="list"),
    path("new/", views.PromoCodeFormView.as_view(), name="create"),
    path("<rowid:pk>/", views.PromoCodeFormView.as_view(), name="edit"),
    path("<rowid:pk>/end/", views.PromoCodeEndView.as_view(), name="end"),
]
