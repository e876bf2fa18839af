from django import template

from shop.payments.dashboard import RefundForm
from shop.payments.services import order_refundable

register = template.Library()


@register.simple_tag
def refund_panel(order) -> dict:
    refundable = order_refundable(order)
    return {
        "refundable": refundable,
        "refunds": list(order.refunds.select_related("created_by")),
        "form": RefundForm(refundable=refundable) if refundable > 0 else None,
    }
