"""Basket and order line options that carry a booking.

Every tour booking is one basket line per ticket type, each with two options: the ticket type
code, and the booking itself (a reference shared by the booking's lines, the lead participant
and the others' names). Oscar copies line options to the order lines, so they reach the order
and the guide's manifest without a model of their own.
"""

TICKET_TYPE_OPTION = "ticket-type"
BOOKING_OPTION = "booking"


def option_value(options, code: str):
    """Value of the option with this code, from Oscar's [{"option": Option, "value": …}] list
    or from a line's attributes (Oscar passes either to `Basket.get_stock_info`)."""
    for item in options or []:
        option, value = (
            (item["option"], item["value"]) if isinstance(item, dict) else (item.option, item.value)
        )
        if option.code == code:
            return value
    return None


def line_option(line, code: str):
    """Value of a basket/order line's option (prefetch `attributes__option` in lists)."""
    for attribute in line.attributes.all():
        if attribute.option.code == code:
            return attribute.value
    return None


def ticket_type_names() -> dict[str, str]:
    """Ticket type names in the active language, by code."""
    from shop.bookings.models import TicketType

    return {t.code: t.get_name() for t in TicketType.objects.prefetch_related("translations")}


def booking_of(line) -> dict | None:
    """The booking a basket/order line belongs to: its ticket type and who is coming."""
    code = line_option(line, TICKET_TYPE_OPTION)
    if code is None:
        return None
    booking = line_option(line, BOOKING_OPTION) or {}
    return {
        "ticket_type": code,
        "ticket_type_name": ticket_type_names().get(code, code),
        "ref": booking.get("ref", ""),
        "lead_name": booking.get("lead_name", ""),
        "lead_phone": booking.get("lead_phone", ""),
        "participants": booking.get("participants", []),
        "organisation": booking.get("organisation", ""),
    }


def booking_description(title: str, line) -> str:
    booking = booking_of(line)
    if booking is None:
        return title
    return f"{title} — {booking['ticket_type_name']}"
