"""What a ticket looks like outside the database: its signed code, QR image and calendar entry.

The QR code holds the ticket page's address, whose last part is the ticket's short code signed
with the site's secret key. Anyone can type the short code; only the site can make a signed one,
so a QR code that was altered or made up is refused at check-in.
"""

import datetime as dt
import io

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


def _ics_text(value: str) -> str:
    return (
        value.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
    )


def _ics_fold(line: str) -> str:
    """Lines longer than 75 octets continue on the next line after a space."""
    out, current = [], b""
    for char in line:
        encoded = char.encode()
        if len(current) + len(encoded) > (75 if not out else 74):
            out.append(current.decode())
            current = b""
        current += encoded
    out.append(current.decode())
    return "\r\n ".join(out)


def _ics_time(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def ticket_ics(ticket: Ticket) -> str:
    """A calendar entry for the departure, in the active language."""
    departure = ticket.departure
    tour = departure.tour
    summary = tour.product.get_title()
    description = _("%(people)s, lead participant %(name)s. Ticket %(code)s. Order %(number)s.") % {
        "people": ngettext("%(n)s person", "%(n)s people", ticket.people) % {"n": ticket.people},
        "name": ticket.lead_name,
        "code": ticket.code,
        "number": ticket.order.number,
    }
    if tour.get_what_to_bring():
        description += "\n" + _("What to bring: %(what)s") % {"what": tour.get_what_to_bring()}
    cancelled = departure.status == DepartureStatus.CANCELLED or ticket.order.is_cancelled
    host = settings.WAGTAILADMIN_BASE_URL.split("://")[-1].split("/")[0].split(":")[0]
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Baikalsk student tour bureau//Tickets//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "BEGIN:VEVENT",
        f"UID:ticket-{ticket.code}@{host}",
        f"DTSTAMP:{_ics_time(timezone.now())}",
        f"DTSTART:{_ics_time(departure.starts_at)}",
        f"DTEND:{_ics_time(departure.starts_at + dt.timedelta(minutes=tour.duration_minutes))}",
        f"SUMMARY:{_ics_text(summary)}",
        f"LOCATION:{_ics_text(tour.get_meeting_point())}",
        f"DESCRIPTION:{_ics_text(description)}",
        f"URL:{ticket_url(ticket)}",
        f"STATUS:{'CANCELLED' if cancelled else 'CONFIRMED'}",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    return "\r\n".join(_ics_fold(line) for line in lines) + "\r\n"
