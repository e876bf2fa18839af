from oscar.apps.order.abstract_models import AbstractLine

from shop.bookings.options import booking_description


class Line(AbstractLine):
    @property
    def description(self):
        return booking_description(self.title, self)


from oscar.apps.order.models import *  # noqa: E402, F403
