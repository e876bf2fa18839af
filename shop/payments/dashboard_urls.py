from django.urls import path

from shop.payments.dashboard import OrderRefundView

app_name = "payments-dashboard"
urlpatterns = [
    path("<str:number>/refund/", OrderRefundView.as_view(), name="order-refund"),
]
