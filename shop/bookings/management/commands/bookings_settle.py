"""What the customers' own changes and the waiting list leave for later; a scheduler runs this
every few minutes (each pass is safe to repeat and to run beside the task worker)."""

from django.core.management.base import BaseCommand

from shop.bookings.changes import booking_changes_expire, booking_changes_refund_missing
from shop.bookings.rebooking import rebook_offers_refund_due
from shop.bookings.waitlist import waitlist_offer_everywhere


class Command(BaseCommand):
    help = (
        "Release waiting-list holds that ran out and offer free seats to the next in line; "
        "send the refunds of booking changes that never reached the payment layer; settle or "
        "let run out moves to a dearer date whose difference was not paid in time; refund the "
        "bookings of cancelled departures whose offer of another date ran out."
    )

    def handle(self, *args, **options):
        offered = waitlist_offer_everywhere()
        refunds = booking_changes_refund_missing()
        expired = booking_changes_expire()
        due = rebook_offers_refund_due()
        self.stdout.write(
            f"{offered} offered seats from a waiting list, {refunds} refunds sent, "
            f"{expired} unpaid date changes ran out, {due} refunds of cancelled departures "
            "made at their deadline."
        )
