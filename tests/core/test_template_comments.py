"""Django's `{# … #}` comment ends on its own line: one that runs over several lines is not a
comment, and the page shows it to the customer word for word (as the other dates of a tour
once showed a note meant for developers)."""

from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)


def test_no_template_comment_runs_over_two_lines():
    unclosed = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in sorted((ROOT / "templates").rglob("*.html"))
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if "{#" in line and "#}" not in line.split("{#", 1)[1]
    ]
    assert not unclosed, f"use {{% comment %}} for these: {unclosed}"


def test_the_other_dates_of_a_tour_show_no_developer_note():
    from django.template.loader import render_to_string

    page = render_to_string("customercare/_move_dates.html", {"quotes": []})
    assert "{#" not in page and "MoveQuote" not in page
