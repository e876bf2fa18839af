from django.core.management.base import BaseCommand

from shop.payments.services import attempts_reconcile


class Command(BaseCommand):
    help = (
        "Settle payments nobody finished: place and capture authorised ones whose customer "
        "never came back, cancel stale unfinished ones. Run it every few minutes (cron)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--older-than",
            type=int,
            default=None,
            help="Seconds an attempt must be old (default: STRIPE_ATTEMPT_STALE_AFTER).",
        )

    def handle(self, *args, older_than=None, **options):
        counts = attempts_reconcile(older_than_seconds=older_than)
        summary = ", ".join(f"{status}: {count}" for status, count in counts.items()) or "none"
        self.stdout.write(f"Settled payment attempts: {summary}")
