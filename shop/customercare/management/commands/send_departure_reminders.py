"""Queue tomorrow's reminders; a scheduler runs this daily (or hourly: it never repeats)."""

from django.core.management.base import BaseCommand

from shop.customercare.services import reminders_queue


class Command(BaseCommand):
    help = "E-mail every booking on a departure within the next day a reminder, once."

    def handle(self, *args, **options):
        queued = reminders_queue()
        self.stdout.write(f"{queued} new reminder(s) queued.")
