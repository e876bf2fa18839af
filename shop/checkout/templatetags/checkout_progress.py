"""The checkout's step bar: the steps this basket needs, the current one marked.

Tours only: contact → payment. With gingerbread: contact → delivery → payment (the post's
address is part of the delivery step, so choosing the post does not renumber the steps). The
payment page shows the whole order, so there is no separate preview step, and the thank-you
page, once the order is placed, shows no bar at all.
"""

from django import template
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

register = template.Library()

# Oscar's templates pass `step` as a number meaning the page: 0 gateway, 1 shipping address,
# 2 shipping method, 3 payment, 4 preview. They keep that meaning here.
PAGE_STEPS = {0: "contact", 1: "delivery", 2: "delivery", 3: "payment", 4: "payment"}


@register.simple_tag(takes_context=True)
def checkout_steps(context, step=0):
    """A list of {"key", "number", "label", "url", "state"}; state is "done", "current" or
    "todo". Earlier steps link back to their page, except a signed-in customer's contact
    (their account's e-mail)."""
    request = context.get("request")
    signed_in = bool(request is not None and request.user.is_authenticated)
    steps = [("contact", _("Your e-mail"), None if signed_in else "checkout:index")]
    # A page kept between visits says so itself (shop/payments/views.py), without the basket.
    shipping_required = context.get("shipping_required")
    if shipping_required is None:
        basket = context.get("basket") or getattr(request, "basket", None)
        shipping_required = basket is not None and basket.is_shipping_required()
    if shipping_required:
        steps.append(("delivery", _("Delivery"), "checkout:shipping-method"))
    steps.append(("payment", _("Payment"), "checkout:payment-details"))

    keys = [key for key, _label, _url in steps]
    current = PAGE_STEPS.get(step)
    position = keys.index(current) if current in keys else -1
    result = []
    for index, (key, label, url_name) in enumerate(steps):
        if index == position:
            state = "current"
        elif index < position:
            state = "done"
        else:
            state = "todo"
        result.append(
            {
                "key": key,
                "number": index + 1,
                "label": label,
                "url": reverse(url_name) if url_name and state == "done" else "",
                "state": state,
            }
        )
    return result
