from django.urls import path

import shop.core.converters  # noqa: F401  (registers <rowid:…>)
from shop.payments import views

app_name = "payments"
urlpatterns = [
    path("start/", views.PaymentStartView.as_view(), name="start"),
    path("yookassa/", views.YooKassaStartView.as_view(), name="yookassa-start"),
    path("sbp/<rowid:attempt>/", views.SbpView.as_view(), name="sbp"),
    path("check/<rowid:attempt>/", views.PaymentCheckView.as_view(), name="check"),
    path("return/", views.PaymentReturnView.as_view(), name="return"),
]

webhook_urlpatterns = [
    path(
        "shop/payments/stripe/webhook/",
        views.StripeWebhookView.as_view(),
        name="stripe-webhook",
    ),
    path(
        "shop/payments/yookassa/notifications/",
        views.YooKassaNotificationView.as_view(),
        name="yookassa-notifications",
    ),
]
