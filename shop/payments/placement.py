"""Placing the order an attempt paid for: exactly the basket the customer saw, or nothing.

The order is placed inside the caller's transaction (the settle step that holds the attempt's
lock), with the guarded order creator that takes the seats and stock; anything that changed
since the customer started paying (the basket, the total, the seats, the delivery method)
stops it with a message for the customer.
"""

import hashlib

from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.utils.translation import gettext as _
from oscar.core.loading import get_class, get_model

from shop.activity import kinds
from shop.activity.actors import system
from shop.activity.services import activity_record
from shop.bookings.basket_services import basket_booking_problems
from shop.order.exceptions import PromoCodeUsedUp, UnableToPlaceOrder
from shop.order.utils import OrderCreator
from shop.partner.strategy import Selector

Basket = get_model("basket", "Basket")
Order = get_model("order", "Order")
ShippingAddress = get_model("order", "ShippingAddress")
Country = get_model("address", "Country")
OrderTotalCalculator = get_class("checkout.calculators", "OrderTotalCalculator")
Applicator = get_class("offer.applicator", "Applicator")


class CannotPlace(Exception):
    """The order cannot be placed; the message is for the customer."""


def basket_fingerprint(basket) -> str:
    """What the basket holds (lines with their options, quantities and prices)."""
    parts = sorted(
        f"{line.line_reference}|{line.quantity}|{line.unit_price_incl_tax}"
        for line in basket.all_lines()
    )
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def basket_for_payment(attempt, *, lock: bool = True) -> Basket:
    """The attempt's basket with its prices and offers applied (locked when placing)."""
    baskets = Basket.objects.select_for_update() if lock else Basket.objects
    basket = baskets.get(pk=attempt.basket_id)
    if basket.status != Basket.OPEN:
        raise CannotPlace(_("This basket has already been ordered or paid for."))
    basket.strategy = Selector().strategy(user=attempt.user)
    # As the basket middleware does: a guest is an AnonymousUser, not None (for None Oscar
    # applies no voucher, and the order would cost more than the customer was charged).
    Applicator().apply(basket, attempt.user or AnonymousUser(), None)
    return basket


def used_up_code(basket, user) -> str | None:
    """A code of the basket that another order has used up since the customer started paying
    (the basket, priced again, no longer gets its discount); None when there is none."""
    for voucher in basket.vouchers.prefetch_related("offers"):
        if not voucher.is_active():
            continue
        available, _message = voucher.is_available_to_user(user=user)
        if not available or any(not offer.is_available() for offer in voucher.offers.all()):
            return voucher.code
    return None


def shipping_for(attempt, basket):
    """The delivery method the customer chose (and their address, unsaved)."""
    from shop.shipping.repository import Repository

    address = None
    if attempt.shipping_address:
        fields = dict(attempt.shipping_address)
        country = Country.objects.filter(pk=fields.pop("country", "RU")).first()
        address = ShippingAddress(country=country, **fields)
    methods = Repository().get_shipping_methods(basket, shipping_addr=address)
    method = next((m for m in methods if m.code == attempt.shipping_method_code), None)
    if method is None:
        raise CannotPlace(_("The delivery method you chose is no longer available."))
    return method, address


def order_place_from_attempt(attempt) -> Order:
    """Place the order the attempt paid for (inside the caller's transaction)."""
    basket = basket_for_payment(attempt)
    if basket.is_empty:
        raise CannotPlace(_("The basket is empty."))
    method, address = shipping_for(attempt, basket)
    charge = method.calculate(basket)
    total = OrderTotalCalculator().calculate(basket, charge)
    if total.incl_tax != attempt.amount or (
        attempt.basket_fingerprint and basket_fingerprint(basket) != attempt.basket_fingerprint
    ):
        if code := used_up_code(basket, attempt.user or AnonymousUser()):
            raise CannotPlace(str(PromoCodeUsedUp(code)))
        raise CannotPlace(
            _("Your basket changed while you were paying. Please check it and pay again.")
        )
    problems = []
    for line in basket.all_lines():
        info = basket.strategy.fetch_for_line(line)
        permitted, reason = info.availability.is_purchase_permitted(line.quantity)
        if not permitted:
            problems.append(f"{line.description}: {reason}")
    problems = problems or basket_booking_problems(basket)
    if problems:
        raise CannotPlace(" ".join(str(p) for p in problems))
    if address is not None:
        address.save()
    try:
        with transaction.atomic():
            order = OrderCreator().place_order(
                basket=basket,
                total=total,
                shipping_method=method,
                shipping_charge=charge,
                user=attempt.user or AnonymousUser(),  # a guest, as Oscar's checkout passes one
                shipping_address=address,
                guest_email=attempt.guest_email if attempt.user_id is None else "",
            )
    except UnableToPlaceOrder as error:
        raise CannotPlace(str(error)) from error
    basket.submit()
    activity_record(
        actor=system(),
        action=kinds.ORDER_PLACED,
        order=order,
        after={"number": order.number, "total": str(order.total_incl_tax)},
    )
    return order
