from django import template

from shop.bookings.options import booking_of

register = template.Library()


@register.filter
def booking(line):
    """The booking details of a basket or order line, or None for goods."""
    return booking_of(line)
