"""Checkout state: the delivery method comes first, the address only for the post.

Oscar asks for the address before the method and requires one for every basket that needs
shipping. Here a pickup never has an address (`get_shipping_address` is None, so none is
saved with the order), and the post cannot go further until a valid address is entered.
"""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from oscar.apps.checkout import exceptions
from oscar.apps.checkout import session as oscar_session

from shop.bookings.basket_services import basket_booking_problems
from shop.shipping.methods import code_requires_address, requires_address


class CheckoutSessionMixin(oscar_session.CheckoutSessionMixin):
    def chosen_method_requires_address(self, basket) -> bool:
        """True when the delivery method stored in the session is one that needs an address."""
        if not basket.is_shipping_required():
            return False
        return code_requires_address(self.checkout_session.shipping_method_code(basket))

    # Pre-conditions

    def check_basket_is_valid(self, request):
        """Oscar checks each line alone; a departure's lines share its seats."""
        super().check_basket_is_valid(request)
        problems = basket_booking_problems(request.basket)
        if problems:
            raise exceptions.FailedPreCondition(url=reverse("basket:summary"), messages=problems)

    def check_shipping_data_is_captured(self, request):
        basket = request.basket
        if not basket.is_shipping_required():
            # Oscar's behaviour: the "no shipping required" code must be stored.
            if not self.checkout_session.is_shipping_method_set(basket):
                raise exceptions.FailedPreCondition(url=reverse("checkout:shipping-method"))
            return
        # Method first, then (for the post only) the address.
        self.check_a_valid_shipping_method_is_captured()
        if self.chosen_method_requires_address(basket):
            self.check_a_valid_shipping_address_is_captured()

    def check_a_valid_shipping_method_is_captured(self):
        basket = self.request.basket
        if not self.checkout_session.is_shipping_method_set(basket):
            raise exceptions.FailedPreCondition(
                url=reverse("checkout:shipping-method"),
                message=_("Please choose how you would like to receive your order."),
            )
        # Still offered for this basket (e.g. the meeting point needs a tour in it).
        address = self.get_shipping_address(basket)
        if not self.get_shipping_method(basket, shipping_address=address):
            raise exceptions.FailedPreCondition(
                url=reverse("checkout:shipping-method"),
                message=_(
                    "The delivery method you chose is no longer available for this order. "
                    "Please choose another one."
                ),
            )

    def check_a_valid_shipping_address_is_captured(self):
        if not self.checkout_session.is_shipping_address_set():
            raise exceptions.FailedPreCondition(
                url=reverse("checkout:shipping-address"),
                message=_("Please enter the address for the parcel."),
            )
        if not self.get_shipping_address(basket=self.request.basket):
            # A saved address that has since been deleted.
            raise exceptions.FailedPreCondition(
                url=reverse("checkout:shipping-address"),
                message=_("The address you chose is no longer available. Please enter it again."),
            )

    def check_shipping_method_is_chosen(self, request):
        """For the address step: a valid delivery method must already be chosen."""
        if request.basket.is_shipping_required():
            self.check_a_valid_shipping_method_is_captured()

    # Skip conditions

    def skip_unless_chosen_method_requires_address(self, request):
        """The address step is only for the post; pickups go straight on to payment."""
        basket = request.basket
        if self.checkout_session.is_shipping_method_set(
            basket
        ) and not self.chosen_method_requires_address(basket):
            raise exceptions.PassedSkipCondition(url=reverse("checkout:payment-method"))

    # Helpers

    def get_shipping_address(self, basket):
        if not self.chosen_method_requires_address(basket):
            return None
        return super().get_shipping_address(basket)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        method = ctx.get("shipping_method")
        ctx["address_needed"] = bool(method and requires_address(method))
        return ctx
