"""Dates as each language writes them.

Russian and English share Django's date letters ("27 ноября, 18:00", "27 November, 18:00");
Chinese puts the month first ("11月27日 18:00"). The formats live in settings.DATE_STYLES, so
another language needs a line there, not a template change. Templates use the `when` filter
(shop/core/templatetags/dates.py): `{{ departure.starts_at|when:"day_time" }}`.
"""

from django.conf import settings
from django.utils import timezone
from django.utils.dateformat import format as date_format

from catalogue.translation import active_language


def style(name: str) -> str:
    styles = settings.DATE_STYLES
    return styles.get(active_language(), {}).get(name) or styles["default"][name]


def when_text(value, name: str) -> str:
    """The date or time in the active language's style `name` (local time)."""
    if value in (None, ""):
        return ""
    if hasattr(value, "tzinfo") and timezone.is_aware(value):
        value = timezone.localtime(value)
    return date_format(value, style(name))
