"""The one price a departure shows before the tourist chooses tickets.

A departure has a fare per ticket type (adult 900 ₽, child 450 ₽, student 600 ₽). The price
shown for it is its full fare, the one an adult pays: the highest fare, free only when every
fare is free. Showing the cheapest ("from 450 ₽", a child's fare) told an adult a price they
would not pay. The departure's stock record carries the same price, so Oscar's price sorting,
a tour's price (the lowest full fare among its bookable departures: "from 900 ₽") and the
schema.org offers agree with what the page says.
"""

from collections.abc import Iterable
from decimal import Decimal


def full_price(prices: Iterable[Decimal]) -> Decimal | None:
    """The full price among a departure's fares; None when it has no fares."""
    return max(prices, default=None)


def full_fare(fares: Iterable):
    """The fare whose price is the full price (the first ticket type when two share it)."""
    fares = sorted(fares, key=lambda f: (f.ticket_type.position, f.ticket_type_id))
    price = full_price(fare.price for fare in fares)
    return next((fare for fare in fares if fare.price == price), None)
