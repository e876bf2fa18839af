from django import forms
from django.db.models import Sum
from django.utils.translation import gettext_lazy as _
from oscar.apps.basket import forms as oscar_forms
from oscar.apps.basket.forms import *  # noqa: F403

from shop.partner.strategy import departure_of


class BasketLineForm(oscar_forms.BasketLineForm):
    """Quantity changes are checked against everything the basket holds for the product.

    A departure appears on several lines (one per ticket type) that share its seats, so the
    check counts the other lines too, and a booking never grows past the tour's limit.
    """

    def check_permission(self, qty):
        line = self.instance
        others = (
            line.basket.lines.filter(product_id=line.product_id)
            .exclude(pk=line.pk)
            .aggregate(total=Sum("quantity"))["total"]
            or 0
        )
        is_available, reason = line.purchase_info.availability.is_purchase_permitted(
            quantity=qty + others
        )
        if not is_available:
            raise forms.ValidationError(reason)
        departure = departure_of(line.product)
        if departure is not None and qty + others > departure.tour.max_per_booking:
            raise forms.ValidationError(
                _("One booking can include at most %(count)d people.")
                % {"count": departure.tour.max_per_booking}
            )


class AddToBasketForm(oscar_forms.AddToBasketForm):
    """Oscar's generic "add to basket" form: tours are booked on their own booking page."""

    def clean(self):
        product = getattr(self, "child_product", None) or getattr(self, "parent_product", None)
        if product is not None and (
            departure_of(product) is not None or (product.is_parent and hasattr(product, "tour"))
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
