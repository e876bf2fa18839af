from django import template

from shop.basket.summary import basket_summary as summary_of

register = template.Library()


@register.simple_tag(takes_context=True)
def basket_summary(context):
    """The count and total of the visitor's basket for the header (shop/basket/summary.py)."""
    return summary_of(context["request"])
