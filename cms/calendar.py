"""The events calendar's month grid: weeks from Monday, each day with the events on it."""

import calendar
import datetime as dt
import re

MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")
# How far from today the calendar goes: enough for planning a trip, not an endless crawl.
YEARS_EITHER_WAY = 2


def month_from_query(value: str | None, today: dt.date) -> dt.date:
    """The first day of the month asked for as ?month=YYYY-MM, or of this month."""
    match = MONTH_RE.match(value or "")
    if match:
        year, month = int(match[1]), int(match[2])
        if 1 <= month <= 12 and abs(year - today.year) <= YEARS_EITHER_WAY:
            return dt.date(year, month, 1)
    return today.replace(day=1)


def _shift(month: dt.date, months: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


UPCOMING = 30


def month_grid(month: dt.date, events, today: dt.date) -> dict:
    """The month as weeks of days (each with its events), the month's events and what is
    coming from today on; `events` is a queryset, read once."""
    weeks = calendar.Calendar(firstweekday=0).monthdatescalendar(month.year, month.month)
    first, last = weeks[0][0], weeks[-1][-1]
    since = min(first, today)
    loaded = list(
        events.filter(start_date__lte=max(last, today) + dt.timedelta(days=366))
        .exclude(end_date__lt=since)
        .exclude(end_date=None, start_date__lt=since)
        .select_related("image")
    )
    in_view = [e for e in loaded if e.start_date <= last and e.last_date >= first]
    upcoming = [e for e in loaded if e.last_date >= today][:UPCOMING]
    by_day: dict[dt.date, list] = {}
    for event in in_view:
        day = max(event.start_date, first)
        while day <= min(event.last_date, last):
            by_day.setdefault(day, []).append(event)
            day += dt.timedelta(days=1)
    previous, following = _shift(month, -1), _shift(month, 1)
    return {
        "month": month,
        "weeks": [
            [
                {
                    "date": day,
                    "in_month": day.month == month.month,
                    "today": day == today,
                    "events": by_day.get(day, []),
                }
                for day in week
            ]
            for week in weeks
        ],
        "month_events": [
            e for e in in_view if e.start_date < _shift(month, 1) and e.last_date >= month
        ],
        "upcoming": upcoming,
        "weekdays": [weeks[0][i] for i in range(7)],
        "previous_month": previous if abs(previous.year - today.year) <= YEARS_EITHER_WAY else None,
        "next_month": following if abs(following.year - today.year) <= YEARS_EITHER_WAY else None,
    }
