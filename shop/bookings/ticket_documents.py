"""What a ticket looks like outside the database: its signed code, QR image and calendar entry.

The QR code holds the ticket page's address, whose last part is the ticket's short code signed
with the site's secret key. Anyone can type the short code; only the site can make a signed one,
so a QR code that was altered or made up is refused at check-in.
"""

import datetime as dt
import io
from urllib.parse import urlsplit

import icalendar
import segno
from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from shop.bookings.models import DepartureStatus, Ticket

_signer = signing.Signer(salt="shop.bookings.ticket")


def ticket_token(ticket: Ticket) -> str:
    return _signer.sign(ticket.code)


def ticket_code_from_token(token: str) -> str | None:
    """The short code inside a signed token, or None when the token is forged or damaged."""
    try:
        return _signer.unsign(token.strip())
    except signing.BadSignature:
        return None


def site_url(path: str) -> str:
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + path


def ticket_path(ticket: Ticket) -> str:
    return reverse("customercare:ticket", kwargs={"token": ticket_token(ticket)})


def ticket_url(ticket: Ticket) -> str:
    return site_url(ticket_path(ticket))


def _qr(ticket: Ticket):
    return segno.make(ticket_url(ticket), error="m")


def ticket_qr_svg(ticket: Ticket) -> str:
    """An inline SVG that scales with its box (no fixed width or height)."""
    return _qr(ticket).svg_inline(scale=1, border=2, omitsize=True, title=ticket.code)


def ticket_qr_png(ticket: Ticket) -> bytes:
    out = io.BytesIO()
    _qr(ticket).save(out, kind="png", scale=8, border=4)
    return out.getvalue()


# --- Calendar entry (RFC 5545) -----------------------------------------------------------


def ticket_ics(ticket: Ticket) -> str:
    """A calendar entry for the departure, in the active language (icalendar escapes and
    folds the text; times are in UTC, so every calendar shows them in its own zone)."""
    departure = ticket.departure
    tour = departure.tour
    description = _("%(people)s, lead participant %(name)s. Ticket %(code)s. Order %(number)s.") % {
        "people": ngettext("%(n)s person", "%(n)s people", ticket.people) % {"n": ticket.people},
        "name": ticket.lead_name,
        "code": ticket.code,
        "number": ticket.order.number,
    }
    if tour.get_what_to_bring():
        description += "\n" + _("What to bring: %(what)s") % {"what": tour.get_what_to_bring()}
    cancelled = departure.status == DepartureStatus.CANCELLED or ticket.order.is_cancelled
    host = urlsplit(settings.WAGTAILADMIN_BASE_URL).hostname or "localhost"

    event = icalendar.Event()
    event.add("uid", f"ticket-{ticket.code}@{host}")
    event.add("dtstamp", timezone.now().astimezone(dt.UTC))
    event.add("dtstart", departure.starts_at.astimezone(dt.UTC))
    event.add(
        "dtend",
        (departure.starts_at + dt.timedelta(minutes=tour.duration_minutes)).astimezone(dt.UTC),
    )
    event.add("summary", tour.product.get_title())
    event.add("location", tour.get_meeting_point())
    event.add("description", description)
    event.add("url", ticket_url(ticket))
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//Baikalsk student tour bureau//Tickets//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add_component(event)
    return calendar.to_ical().decode()
