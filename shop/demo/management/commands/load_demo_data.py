from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from shop.demo.loader import (
    demo_load_accounts,
    demo_load_catalogue,
    demo_load_pages,
    demo_load_promo_codes,
    demo_load_teaching,
)


class Command(BaseCommand):
    help = "Load the demo tours, gingerbread, pages and accounts (idempotent; dev only)."

    def handle(self, *args, **options):
        if not settings.DEMO_DATA_ALLOWED:
            raise CommandError(
                "Demo data is disabled in these settings: production never loads demo "
                "accounts. Use shop.settings.dev."
            )
        with transaction.atomic():
            demo_load_accounts()
            demo_load_catalogue()
            demo_load_promo_codes()
            demo_load_pages()
            demo_load_teaching()
        self.stdout.write(self.style.SUCCESS("Demo data is loaded."))
