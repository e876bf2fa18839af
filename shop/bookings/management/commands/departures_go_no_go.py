"""The go/no-go moment of each departure; a scheduler runs this every 15 minutes (it never
looks at a departure twice)."""

from django.core.management.base import BaseCommand

from shop.bookings.go_no_go import departures_go_no_go


class Command(BaseCommand):
    help = (
        "Decide the departures whose go/no-go moment has come: below the minimum group size "
        "they are cancelled (where the tour says so) or shown to the bureau to decide."
    )

    def handle(self, *args, **options):
        result = departures_go_no_go()
        self.stdout.write(
            f"{result.enough} run, {result.below} below the minimum (the bureau decides), "
            f"{result.cancelled} cancelled."
        )
