from django.core.management.base import BaseCommand

from shop.payments.receipt_services import settlement_receipts_send_due


class Command(BaseCommand):
    help = (
        "Send the settlement receipt (54-FZ) of every prepaid tour that has taken place and "
        "has none yet: the fallback for the task worker, safe to run as often as you like "
        "(one receipt per order and departure). Run it every hour (cron)."
    )

    def handle(self, *args, **options):
        sent = settlement_receipts_send_due()
        self.stdout.write(f"Settlement receipts sent: {sent}")
