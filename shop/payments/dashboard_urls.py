from django.urls import path

import shop.core.converters  # noqa: F401  (registers <rowid:…>)
from shop.payments.dashboard import OrderRefundView, RefundRetryView

app_name = "payments-dashboard"
urlpatterns = [
    path("<str:number>/refund/", OrderRefundView.as_view(), name="order-refund"),
    path(
        "<str:number>/refunds/<rowid:pk>/retry/",
        RefundRetryView.as_view(),
        name="refund-retry",
    ),
]
