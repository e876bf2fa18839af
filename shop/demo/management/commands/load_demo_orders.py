from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from shop.demo.orders import demo_load_orders


class Command(BaseCommand):
    help = "Place and pay a few demo orders through localstripe (once; dev only)."

    def handle(self, *args, **options):
        if not settings.DEMO_DATA_ALLOWED or not settings.STRIPE_LOCAL:
            raise CommandError("Demo orders need development settings and the local Stripe.")
        placed = demo_load_orders()
        self.stdout.write(self.style.SUCCESS(f"{placed} demo order(s) placed and paid."))
