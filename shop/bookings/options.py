"""Basket and order line options that carry a booking.

Every tour booking is one basket line per ticket type, each with two options: the ticket type
code, and the booking itself (a reference shared by the booking's lines, the lead participant
and the others' names). Oscar copies line options to the order lines, so they reach the order
and the guide's manifest without a model of their own.
"""

TICKET_TYPE_OPTION = "ticket-type"
BOOKING_OPTION = "booking"


def option_value(options, code: str):
    """Value of the option with this code in Oscar's [{"option": Option, "value": …}] list."""
    for item in options or []:
        if item["option"].code == code:
            return item["value"]
    return None


def line_option(line, code: str):
    """Value of a basket/order line's option (prefetch `attributes__option` in lists)."""
    for attribute in line.attributes.all():
        if attribute.option.code == code:
            return attribute.value
    return None
