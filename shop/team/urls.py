from django.urls import path

from shop.team import views

app_name = "team"
urlpatterns = [
    path("", views.QueueView.as_view(), name="queue"),
    path("orders/<str:number>/", views.OrderView.as_view(), name="order"),
]
