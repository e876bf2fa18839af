from oscar.apps.basket.abstract_models import AbstractBasket, AbstractLine

from shop.bookings.options import booking_description


class Basket(AbstractBasket):
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
