from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CustomerCareConfig(AppConfig):
    name = "shop.customercare"
    label = "customercare"
    verbose_name = _("Customer messages")
