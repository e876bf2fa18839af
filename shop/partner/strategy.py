"""Prices and availability of products, with tour departures handled as seats.

A departure is bookable only while it is scheduled and before its booking cut-off; its price
depends on the ticket type chosen (a basket line option), so strategies price lines from the
departure's fares rather than from the stock record alone.
"""

from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from oscar.apps.partner import strategy as oscar_strategy
from oscar.apps.partner.prices import FixedPrice
from oscar.apps.partner.prices import Unavailable as UnavailablePrice

from shop.bookings.options import TICKET_TYPE_OPTION, option_value
from shop.partner.availability import DepartureClosed, NotSold, PiecesInStock, SeatsAvailable


def departure_of(product):
    """The Departure row of a child product, or None (uses a cached/select_related row)."""
    if not product.is_child:
        return None
    try:
        return product.departure
    except product.__class__.departure.RelatedObjectDoesNotExist:
        return None


class Selector:
    def strategy(self, request=None, user=None, **kwargs):
        return Default(request)


def is_tour_variant(product) -> bool:
    """A child of a tour: sold only through its Departure row."""
    return bool(product.is_child and product.parent_id and hasattr(product.parent, "tour"))


class DepartureAwareStock(oscar_strategy.StockRequired):
    def availability_policy(self, product, stockrecord):
        departure = departure_of(product)
        if departure is None and is_tour_variant(product):
            # Made by hand in Oscar's dashboard, with no date, status or fares.
            return NotSold(_("This tour date cannot be booked."))
        if departure is not None:
            reason = departure.closed_reason(timezone.now())
            if reason:
                return DepartureClosed(reason)
            if not stockrecord:
                return oscar_strategy.Unavailable()
            return SeatsAvailable(stockrecord.net_stock_level)
        if stockrecord and product.get_product_class().track_stock:
            return PiecesInStock(stockrecord.net_stock_level)
        return super().availability_policy(product, stockrecord)


class Default(
    oscar_strategy.UseFirstStockRecord,
    DepartureAwareStock,
    oscar_strategy.NoTax,
    oscar_strategy.Structured,
):
    """Prices include all taxes (Russian retail prices are shown and charged with VAT)."""

    def parent_pricing_policy(self, product, children_stock):
        """A tour's "from" price: the lowest among the full fares (shop/bookings/pricing.py)
        of the departures one can still book."""
        candidates = [
            record
            for child, record in children_stock
            if record is not None
            and record.price is not None
            and self.availability_policy(child, record).is_available_to_buy
        ]
        if not candidates:
            return UnavailablePrice()
        cheapest = min(candidates, key=lambda record: record.price)
        return FixedPrice(
            currency=cheapest.price_currency, excl_tax=cheapest.price, tax=Decimal("0.00")
        )

    def fetch_for_options(self, product, options):
        """Purchase info for a product with basket line options (a ticket type)."""
        info = self.fetch_for_product(product)
        code = option_value(options, TICKET_TYPE_OPTION)
        departure = departure_of(product)
        if departure is None or code is None:
            return info
        fare = departure.fare_for(code)
        if fare is None:
            # Staff stopped selling this ticket type after it went into the basket.
            return oscar_strategy.PurchaseInfo(
                price=UnavailablePrice(),
                availability=NotSold(
                    _("This ticket type is no longer sold for this date. Remove it and book again.")
                ),
                stockrecord=info.stockrecord,
            )
        price = FixedPrice(currency=info.price.currency, excl_tax=fare.price, tax=Decimal("0.00"))
        return oscar_strategy.PurchaseInfo(
            price=price, availability=info.availability, stockrecord=info.stockrecord
        )

    def fetch_for_line(self, line, stockrecord=None):
        options = [
            {"option": attribute.option, "value": attribute.value}
            for attribute in line.attributes.all()
        ]
        return self.fetch_for_options(line.product, options)
