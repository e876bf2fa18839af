from django.urls import path

import shop.core.converters  # noqa: F401  (registers <rowid:…>)
from shop.teaching import views as teaching
from shop.team import views

app_name = "team"
urlpatterns = [
    path("", views.QueueView.as_view(), name="queue"),
    path("orders/<str:number>/", views.OrderView.as_view(), name="order"),
    path("tours/", views.ToursView.as_view(), name="tours"),
    path("tours/<rowid:pk>/", views.ManifestView.as_view(), name="manifest"),
    path("reports/", teaching.ReportsView.as_view(), name="reports"),
    path("students/", teaching.StudentsView.as_view(), name="students"),
    path("students/<rowid:pk>/", teaching.PortfolioView.as_view(), name="portfolio"),
    path("students/<rowid:pk>/assess/", teaching.AssessView.as_view(), name="assess"),
    path("rubrics/", teaching.RubricsView.as_view(), name="rubrics"),
    path("rubrics/<rowid:pk>/", teaching.RubricView.as_view(), name="rubric"),
    path("periods/<rowid:pk>/", teaching.PeriodView.as_view(), name="period"),
    path("gradebook/", teaching.GradebookView.as_view(), name="gradebook"),
]
