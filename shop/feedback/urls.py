from django.urls import path

from shop.feedback import views

app_name = "feedback"
urlpatterns = [
    path("feedback/thanks/", views.FeedbackThanksView.as_view(), name="thanks"),
    path("feedback/<str:token>/", views.FeedbackView.as_view(), name="give"),
]
