"""Ask yesterday's tourists how the tour was; a scheduler runs this daily (it never asks
twice)."""

from django.core.management.base import BaseCommand

from shop.feedback.services import feedback_requests_queue


class Command(BaseCommand):
    help = "E-mail each booking of a tour that ended before today a link to rate it, once."

    def handle(self, *args, **options):
        queued = feedback_requests_queue()
        self.stdout.write(f"{queued} new feedback request(s) queued.")
