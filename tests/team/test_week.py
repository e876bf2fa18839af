"""/team/tours/ follows the calendar: a week from Monday to Sunday, previous and next, a date
picker; a date it cannot read or too far away shows this week, never an error."""

import datetime as dt

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from shop.bookings.models import Departure
from shop.core.roles import STUDENTS, roles_ensure_groups
from tests.factories import make_tour

pytestmark = [pytest.mark.django_db]


@pytest.fixture
def guide(django_user_model):
    roles_ensure_groups()
    user = django_user_model.objects.create_user(username="guide", password="pw-123456")
    user.groups.add(Group.objects.get(name=STUDENTS))
    return user


def monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def at_noon(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(12)))


def test_a_guide_walks_from_week_to_week(client, guide):
    this_monday = monday(timezone.localdate())
    next_monday = this_monday + dt.timedelta(days=7)
    tour = make_tour(departures=2, first_start=at_noon(next_monday + dt.timedelta(days=6)))
    sunday, following_monday = Departure.objects.filter(tour__product=tour).order_by("starts_at")
    client.force_login(guide)

    this_week = client.get("/team/tours/").content.decode()
    next_week = client.get("/team/tours/", {"week": next_monday.isoformat()}).content.decode()
    picked = client.get("/team/tours/", {"week": following_monday.starts_at.date()})

    assert f"/team/tours/{sunday.pk}/" not in this_week
    assert f'href="?week={next_monday.isoformat()}"' in this_week
    assert f"/team/tours/{sunday.pk}/" in next_week
    assert f"/team/tours/{following_monday.pk}/" not in next_week
    assert f'href="?week={this_monday.isoformat()}"' in next_week  # previous, and "this week"
    assert f"/team/tours/{following_monday.pk}/" in picked.content.decode()
    assert picked.context["monday"] == next_monday + dt.timedelta(days=7)


@pytest.mark.parametrize(
    "week",
    [
        "",
        "tomorrow",
        "2026-13-45",
        "9999-12-31",
        "0001-01-01",
        "1" * 500,
        "2027-03-01x",
        "20270301",
    ],
)
def test_a_date_it_cannot_use_shows_this_week(client, guide, week):
    client.force_login(guide)

    response = client.get("/team/tours/", {"week": week})

    assert response.status_code == 200
    assert response.context["monday"] == monday(timezone.localdate())


@pytest.mark.payments
@pytest.mark.django_db(transaction=True)
def test_the_week_kept_between_visits_shows_a_seat_sold_and_a_guide_named_at_once(
    client, guide, django_user_model
):
    """The week's departures are kept until a departure, its seats or its guides are written
    (shop/core/table_versions.py): the next visit shows what changed."""
    from django.test import Client

    from shop.bookings.services import departure_guides_set
    from tests.checkout.helpers import checkout_and_pay, make_departure

    departure = make_departure(capacity=10)
    week = {"week": departure.local_starts_at.date().isoformat()}
    watcher = Client()
    watcher.force_login(guide)

    def row() -> str:
        page = watcher.get("/team/tours/", week).content.decode()
        return page.split(f"/team/tours/{departure.pk}/", 1)[1].split("</li>", 1)[0]

    for _ in range(3):  # the last visits are answered from what was kept
        assert "0 из 10 мест" in row() and "гид не назначен" in row()

    customer = django_user_model.objects.create_user("tourist", "t@example.com", "pw-123456")
    checkout_and_pay(client, customer, departures=[departure])
    assert "1 из 10 мест" in row()

    departure_guides_set(departure=departure, guides=[guide], actor=guide)
    assert "guide" in row() and "гид не назначен" not in row()


@pytest.mark.django_db(transaction=True)
def test_the_kept_week_turns_with_the_clock(guide, monkeypatch):
    """A departure below its minimum awaits a decision until it starts: the week kept for the
    team shows that end with no write to the database, by the clock alone."""
    from django.test import Client

    now = timezone.now()
    tour = make_tour(departures=1, first_start=now + dt.timedelta(minutes=30), min_group_size=4)
    departure = Departure.objects.get(tour__product=tour)
    Departure.objects.filter(pk=departure.pk).update(minimum_checked_at=now)
    week = {"week": departure.local_starts_at.date().isoformat()}
    watcher = Client()
    watcher.force_login(guide)

    def row() -> str:
        page = watcher.get("/team/tours/", week).content.decode()
        # The week's own row (the list of what awaits a decision comes before it).
        return page.rsplit(f"/team/tours/{departure.pk}/", 1)[0].rsplit("<li", 1)[1]

    for _ in range(3):  # the last visits are answered from what was kept
        assert "queue__item--decide" in row()

    monkeypatch.setattr(timezone, "now", lambda: now + dt.timedelta(minutes=31))
    assert "queue__item--decide" not in row()
