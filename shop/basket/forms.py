from django import forms
from django.utils.translation import gettext_lazy as _
from oscar.apps.basket import forms as oscar_forms
from oscar.apps.basket.forms import *  # noqa: F403

from shop.bookings.basket_services import basket_booking_problems
from shop.partner.strategy import departure_of, is_tour_variant


class BasketLineForm(oscar_forms.BasketLineForm):
    """A departure's lines (one per ticket type) share its seats: a quantity change is
    checked with the other lines of the departure, and within the booking's limit."""

    def check_permission(self, qty):
        line = self.instance
        if departure_of(line.product) is None:
            return super().check_permission(qty)
        problems = basket_booking_problems(
            line.basket, strategy=line.strategy, changed_line=line, new_quantity=qty
        )
        if problems:
            raise forms.ValidationError(problems)


class AddToBasketForm(oscar_forms.AddToBasketForm):
    """Oscar's generic "add to basket" form: tours are booked on their own booking page."""

    def clean(self):
        product = getattr(self, "child_product", None) or getattr(self, "parent_product", None)
        if product is not None and (
            departure_of(product) is not None
            or is_tour_variant(product)
            or (product.is_parent and hasattr(product, "tour"))
        ):
            raise forms.ValidationError(
                _("Choose a date and the tickets on the tour's booking page.")
            )
        return super().clean()


class SimpleAddToBasketForm(AddToBasketForm):
    """Oscar's one-click variant, with the same rule."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "quantity" in self.fields:
            self.fields["quantity"].initial = 1
            self.fields["quantity"].widget = forms.HiddenInput()
