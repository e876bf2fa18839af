from django import template

from shop.payments.selectors import order_receipts as receipts_of_order

register = template.Library()


@register.simple_tag
def order_receipts(order) -> list:
    return receipts_of_order(order)


@register.simple_tag
def order_payments(order) -> list:
    from shop.payments.selectors import order_payments as payments_of_order

    return payments_of_order(order)
