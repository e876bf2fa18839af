from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PaymentsConfig(AppConfig):
    # Not "payment": Oscar's payment app owns that label.
    name = "shop.payments"
    label = "payments"
    verbose_name = _("Payments")
