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


NAMES_CACHE_KEY = "bookings:ticket-type-names:{language}"


def ticket_type_names() -> dict[str, str]:
    """Ticket type names in the active language, by code.

    Read for every booked line on a page, so cached; shop.bookings.apps clears the cache
    when a ticket type or its translation changes.
    """
    from django.core.cache import cache
    from django.utils.translation import get_language

    from shop.bookings.models import TicketType

    key = NAMES_CACHE_KEY.format(language=get_language() or "")
    names = cache.get(key)
    if names is None:
        names = {
            t.code: str(t.get_name()) for t in TicketType.objects.prefetch_related("translations")
        }
        cache.set(key, names, 60 * 60)
    return names


def ticket_type_names_forget() -> None:
    from django.conf import settings
    from django.core.cache import cache

    cache.delete_many([NAMES_CACHE_KEY.format(language=code) for code, _name in settings.LANGUAGES])


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
