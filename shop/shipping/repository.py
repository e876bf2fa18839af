"""Which delivery methods a basket can use.

Oscar's `Repository.get_shipping_methods` keeps its special case: a basket that needs no
shipping (tours only) gets `NoShippingRequired` and nothing else.
"""

from oscar.apps.shipping import repository

from shop.partner.strategy import departure_of
from shop.shipping.methods import (
    DELIVERY_METHODS,
    CollegePickup,
    MeetingPointPickup,
    PostRussia,
)


def basket_departures(basket) -> list:
    """The tour departures booked in the basket, each once."""
    if not basket.id:
        return []
    departures = {}
    for line in basket.all_lines():
        departure = departure_of(line.product)
        if departure is not None:
            departures[departure.pk] = departure
    return list(departures.values())


class Repository(repository.Repository):
    def get_available_shipping_methods(self, basket, shipping_addr=None, **kwargs):
        methods = [CollegePickup()]
        departures = basket_departures(basket)
        if departures:
            methods.append(MeetingPointPickup(departures))
        # Before the address is known the post is offered; afterwards only inside Russia.
        if PostRussia.accepts(shipping_addr):
            methods.append(PostRussia())
        return methods


def method_for_order(order):
    """The delivery method of a placed order, for showing its name and description."""
    method = DELIVERY_METHODS.get(order.shipping_code)
    if method is MeetingPointPickup:
        lines = order.lines.select_related("product__departure__tour__product")
        departures = [departure_of(line.product) for line in lines if line.product_id]
        return MeetingPointPickup([d for d in departures if d is not None])
    return method() if method is not None else None
