"""The report's trend: every day (week, month) of the range on the axis, with or without
orders, and bars of a sane size however few they are."""

import datetime as dt
import re

import pytest

from shop.teaching import charts, reports
from tests.teaching.test_reports import DAY, known  # noqa: F401  (the known orders)

pytestmark = [pytest.mark.payments, pytest.mark.django_db]


def bars(svg: str) -> list[tuple[float, float]]:
    """(width, height) of each bar."""
    return [
        (float(w), float(h))
        for w, h in re.findall(r'<rect [^>]*width="([\d.]+)" height="([\d.]+)"', svg)
    ]


def test_every_day_of_the_range_is_on_the_axis(known):  # noqa: F811
    period = reports.DateRange(DAY - dt.timedelta(days=5), DAY + dt.timedelta(days=5))

    rows = reports.trend(period, "day").rows

    assert [row["short"] for row in rows] == [
        (DAY + dt.timedelta(days=n)).strftime("%d.%m") for n in range(-5, 6)
    ]
    orders = {row["short"]: row["orders"] for row in rows}
    assert orders[DAY.strftime("%d.%m")] == 3
    assert orders[(DAY + dt.timedelta(days=1)).strftime("%d.%m")] == 1
    assert sum(orders.values()) == 4  # nine days with no order are there, with zero
    weeks = reports.trend(reports.DateRange(dt.date(2026, 11, 1), dt.date(2026, 11, 30)), "week")
    assert len(weeks.rows) == 6  # the weeks of 26 Oct … 30 Nov: all of November
    months = reports.trend(reports.DateRange(dt.date(2026, 9, 15), dt.date(2027, 1, 10)), "month")
    assert [row["short"] for row in months.rows] == [
        "09.2026",
        "10.2026",
        "11.2026",
        "12.2026",
        "01.2027",
    ]


def test_a_single_day_is_one_slim_bar_not_a_block(client, teacher, known):  # noqa: F811
    client.force_login(teacher)

    response = client.get("/team/reports/", {"first": DAY.isoformat(), "last": DAY.isoformat()})

    svg = response.context["chart"]
    assert len(bars(svg)) == 1
    width, height = bars(svg)[0]
    assert width <= charts.MAX_BAR and height == charts.HEIGHT - charts.TOP - charts.BOTTOM
    assert 'viewBox="0 0 640 220"' in svg


def test_a_month_has_a_bar_for_every_day_and_labels_that_do_not_crowd(client, teacher, known):  # noqa: F811
    client.force_login(teacher)
    first, last = DAY.replace(day=1), DAY.replace(day=30)

    svg = client.get("/team/reports/", {"first": first, "last": last}).context["chart"]

    assert len(bars(svg)) == 30
    assert sum(1 for _w, h in bars(svg) if h > 0) == 2
    assert 0 < len(re.findall(r"<text [^>]*text-anchor=\"middle\"", svg)) <= charts.MAX_LABELS
