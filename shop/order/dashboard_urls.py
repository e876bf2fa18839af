from shop.order.dashboard import urlpatterns_guarded

app_name = "order-dashboard-guarded"
urlpatterns = urlpatterns_guarded()
