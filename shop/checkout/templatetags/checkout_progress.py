"""The checkout's step list: delivery → address (post only) → payment → done.

The payment page shows the whole order, so there is no separate preview step."""

from django import template
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from oscar.core.loading import get_class

register = template.Library()

NoShippingRequired = get_class("shipping.methods", "NoShippingRequired")

# Oscar's templates pass `step` as a number meaning the page: 0 gateway, 1 shipping address,
# 2 shipping method, 3 payment, 4 preview, 5 thank you. They keep that meaning here; only the
# order shown changes (the method comes before the address).
PAGE_STEPS = {1: "address", 2: "delivery", 3: "payment", 4: "payment", 5: "done"}


@register.simple_tag(takes_context=True)
def checkout_steps(context, step=0):
    """A list of {"key", "label", "url", "state"} with state "done", "current" or "todo"."""
    order = context.get("order")
    basket = context.get("basket") or getattr(context.get("request"), "basket", None)
    current = PAGE_STEPS.get(step)
    if order is not None and current == "done":
        shipping_needed = order.shipping_code != NoShippingRequired.code
        address_needed = order.shipping_address_id is not None
    else:
        shipping_needed = bool(basket is not None and basket.is_shipping_required())
        address_needed = current == "address" or bool(context.get("address_needed"))

    steps = []
    if shipping_needed:
        steps.append(("delivery", _("Delivery"), "checkout:shipping-method"))
    if address_needed:
        steps.append(("address", _("Address"), "checkout:shipping-address"))
    steps += [
        ("payment", _("Payment"), "checkout:payment-details"),
        ("done", _("Confirmation"), None),
    ]
    keys = [key for key, _label, _url in steps]
    position = keys.index(current) if current in keys else -1
    result = []
    for index, (key, label, url_name) in enumerate(steps):
        if index == position:
            state = "current"
        elif index < position:
            state = "done"
        else:
            state = "todo"
        # Earlier steps can be revisited until the order is placed.
        link = url_name and state == "done" and current != "done"
        result.append(
            {
                "key": key,
                "number": index + 1,
                "label": label,
                "url": reverse(url_name) if link else "",
                "state": state,
            }
        )
    return result
