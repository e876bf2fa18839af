from django.db.models import Prefetch
from oscar.apps.basket.abstract_models import AbstractBasket, AbstractLine

from shop.bookings.options import booking_description


class Basket(AbstractBasket):
    def all_lines(self):
        """Oscar's cached lines, with what pricing a booking and showing a line reads
        (the departure, its tour and fares, the ticket type option, stock, images) loaded
        up front, so the basket costs the same queries for one booking or ten."""
        if self.id is None:
            return self.lines.model.objects.none()
        if self._lines is None:
            from oscar.core.loading import get_model

            from shop.bookings.models import Fare

            LineAttribute = get_model("basket", "LineAttribute")  # noqa: N806
            self._lines = (
                self.lines.select_related(
                    "product__parent__product_class",
                    "product__product_class",
                    "product__departure__tour__product",
                    "stockrecord",
                )
                .prefetch_related(
                    Prefetch(
                        "attributes",
                        queryset=LineAttribute.objects.select_related("option"),
                    ),
                    "product__images",
                    "product__parent__images",
                    "product__stockrecords",
                    Prefetch(
                        "product__departure__fares",
                        queryset=Fare.objects.select_related("ticket_type"),
                    ),
                )
                .order_by(self._meta.pk.name)
            )
        return self._lines

    @property
    def num_lines(self):
        """Oscar counts the lines with a query each time it asks whether the basket is empty
        (the middleware before applying offers, checkout's checks): they are read once, with
        what pricing them needs, and counted here. Oscar forgets the lines it read whenever
        it adds, merges or flushes lines."""
        return len(self.all_lines())

    def get_stock_info(self, product, options):
        # A departure's price depends on the ticket type option (see shop.partner.strategy).
        fetch = getattr(self.strategy, "fetch_for_options", None)
        if fetch is None:
            return super().get_stock_info(product, options)
        return fetch(product, options)


class Line(AbstractLine):
    @property
    def description(self):
        # "Tour, 28 ноября 2026, 18:00 — Взрослый" instead of Oscar's raw option values.
        return booking_description(str(self.product), self)


from oscar.apps.basket.models import *  # noqa: E402, F403
