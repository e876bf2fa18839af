"""Send the customer e-mails still unsent (the mail server or the queue was down)."""

from django.core.management.base import BaseCommand

from shop.customercare.services import messages_send_pending


class Command(BaseCommand):
    help = "Send customer e-mails that are still unsent, up to five tries each."

    def handle(self, *args, **options):
        sent, failed = messages_send_pending()
        self.stdout.write(f"{sent} sent, {failed} failed.")
