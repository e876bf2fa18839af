"""Builders for checkout tests: tours with real departures, baskets, a filled-in address."""

from oscar.core.loading import get_class, get_model

from shop.bookings.models import Departure
from shop.bookings.options import TICKET_TYPE_OPTION
from tests.factories import make_gingerbread, make_tour

Basket = get_model("basket", "Basket")
Country = get_model("address", "Country")
Option = get_model("catalogue", "Option")
Selector = get_class("partner.strategy", "Selector")

MEETING_POINT = "Площадь у ДК «Юбилейный»"


def russia():
    """Russia as a shipping country (a migration creates it; transactional tests flush it)."""
    country, _created = Country.objects.get_or_create(
        iso_3166_1_a2="RU",
        defaults={
            "iso_3166_1_a3": "RUS",
            "iso_3166_1_numeric": "643",
            "printable_name": "Россия",
            "name": "Российская Федерация",
            "is_shipping_country": True,
        },
    )
    return country


def make_departure(*, price="900", capacity=15, meeting_point=MEETING_POINT) -> Departure:
    """A tour (needs no shipping) with one open departure."""
    tour_product = make_tour(
        departures=1, price=price, capacity=capacity, meeting_point=meeting_point
    )
    return Departure.objects.get(tour__product=tour_product)


def gingerbread(**kwargs):
    product = make_gingerbread(**kwargs)
    product_class = product.product_class
    if not product_class.requires_shipping:
        product_class.requires_shipping = True
        product_class.save(update_fields=["requires_shipping"])
    return product


def basket_for(user, *, products=(), departures=()):
    """The user's open basket holding one of each product and one adult seat per departure."""
    basket = Basket.objects.create(owner=user)
    basket.strategy = Selector().strategy()
    for product in products:
        basket.add_product(product, 1)
    if departures:
        option = Option.objects.get_or_create(
            code=TICKET_TYPE_OPTION, defaults={"name": "Тип билета", "required": False}
        )[0]
        for departure in departures:
            basket.add_product(departure.product, 1, options=[{"option": option, "value": "adult"}])
    return basket


ADDRESS = {
    "first_name": "Анна",
    "last_name": "Иванова",
    "line1": "ул. Ленина, д. 5, кв. 12",
    "line4": "Иркутск",
    "state": "Иркутская область",
    "postcode": "664003",
    "phone_number": "+79025551234",
}


def checkout_and_pay(client, user, *, products=(), departures=(), method="pickup-college"):
    """`user`, signed in on `client`, buys one of each through the checkout and pays by card
    (localstripe): the order."""
    from tests.payments.helpers import pay

    client.force_login(user)
    basket_for(user, products=products, departures=departures)
    client.post("/shop/checkout/shipping-method/", {"method_code": method})
    return pay(client)
