from django.urls import path

from shop.payments import views

app_name = "payments"
urlpatterns = [
    path("start/", views.PaymentStartView.as_view(), name="start"),
    path("return/", views.PaymentReturnView.as_view(), name="return"),
]

webhook_urlpatterns = [
    path(
        "shop/payments/stripe/webhook/",
        views.StripeWebhookView.as_view(),
        name="stripe-webhook",
    ),
]
