"""`{{ value|when:"day_time" }}`: a date in the active language's style (shop/core/dates.py).
Registered as a template builtin (settings.TEMPLATES), so no {% load %} is needed."""

from django import template

from shop.core.dates import when_text

register = template.Library()


@register.filter
def when(value, name):
    return when_text(value, name)
