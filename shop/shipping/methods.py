"""How a gingerbread order reaches the customer.

Two pickups need no address: at the college in Baikalsk, or from the guide at the meeting
point of a tour the customer has booked in the same order. The post sends the parcel anywhere
in Russia for a flat rate and is the only method that asks for an address.

Tours alone need no delivery at all: Oscar's `NoShippingRequired` covers that basket.
"""

from decimal import Decimal

from django.conf import settings
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from oscar.apps.shipping.methods import FixedPrice, Free
from oscar.core import prices

# The only country the post delivers to (ISO 3166-1 alpha-2).
POST_COUNTRY = "RU"


class CollegePickup(Free):
    code = "pickup-college"
    name = _("Pickup at the college in Baikalsk")
    description = _(
        "Collect your order at the college: Baikalsk, Gagarina district, 200. "
        "We will e-mail you when it is ready."
    )
    requires_address = False


class MeetingPointPickup(Free):
    """Handed over by the guide at the start of a tour booked in the same order."""

    code = "pickup-meeting-point"
    name = _("Pickup at the tour meeting point")
    requires_address = False

    def __init__(self, departures=()):
        # Earliest first: the guide of the first tour brings the order.
        self.departures = sorted(departures, key=lambda departure: departure.starts_at)

    @property
    def description(self):
        if not self.departures:
            return _("Your guide hands the order over at the start of your tour.")
        first = self.departures[0]
        return format_html(
            str(
                _(
                    'Your guide hands the order over at the start of the tour "{tour}" on '
                    "{start}. Meeting point: {place}."
                )
            ),
            tour=first.tour.product.get_title(),
            start=first.local_start_label(),
            place=first.tour.get_meeting_point(),
        )


class PostRussia(FixedPrice):
    code = "post-russia"
    name = _("Post within Russia")
    description = _("A parcel by Russian Post to any address in Russia, usually in 5 to 14 days.")
    requires_address = True

    def __init__(self, charge=None):
        # Read the rate when the method is built, so a changed setting applies at once.
        charge = Decimal(settings.SHOP_POST_FLAT_RATE if charge is None else charge)
        super().__init__(charge_excl_tax=charge, charge_incl_tax=charge)

    def calculate(self, basket):
        # Prices include all taxes (see shop.partner.strategy): the rate is the final charge.
        return prices.Price(
            currency=settings.OSCAR_DEFAULT_CURRENCY,
            excl_tax=self.charge_excl_tax,
            incl_tax=self.charge_incl_tax,
            tax=Decimal("0.00"),
        )

    @staticmethod
    def accepts(address) -> bool:
        """True for an address the post delivers to (None: not entered yet)."""
        return address is None or getattr(address, "country_id", None) == POST_COUNTRY


DELIVERY_METHODS = {
    method.code: method for method in (CollegePickup, MeetingPointPickup, PostRussia)
}


def unwrap(method):
    """The method itself, also when an offer wraps it to discount the charge."""
    return getattr(method, "method", method)


def requires_address(method) -> bool:
    return bool(getattr(unwrap(method), "requires_address", False))


def code_requires_address(code) -> bool:
    method = DELIVERY_METHODS.get(code)
    return bool(method and method.requires_address)
