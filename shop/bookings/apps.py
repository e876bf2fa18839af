from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BookingsConfig(AppConfig):
    name = "shop.bookings"
    label = "bookings"
    verbose_name = _("Tour bookings")

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from shop.bookings.models import TicketType, TicketTypeTranslation
        from shop.bookings.options import ticket_type_names_forget

        def forget(**kwargs):
            ticket_type_names_forget()

        for model in (TicketType, TicketTypeTranslation):
            post_save.connect(forget, sender=model, weak=False)
            post_delete.connect(forget, sender=model, weak=False)
