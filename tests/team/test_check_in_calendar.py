"""Check-in follows the calendar: refused before the departure's day, the day before only
when the guide says so (and logged as early), "did not come" only after the start, each with
a logged undo; after the tour's day the record stays as it is."""

import datetime as dt

import pytest
from django.contrib.auth.models import Group

from shop.activity.models import ActivityEntry
from shop.bookings.models import Departure, Ticket
from shop.bookings.tickets import CheckInError, ticket_check_in, ticket_no_show
from shop.core.roles import STUDENTS, roles_ensure_groups
from tests.checkout.helpers import checkout_and_pay, make_departure
from tests.factories import start_today

pytestmark = [pytest.mark.payments, pytest.mark.django_db]


@pytest.fixture
def guide(django_user_model):
    roles_ensure_groups()
    user = django_user_model.objects.create_user(
        username="guide", password="pw-123456", first_name="Алексей", last_name="Гид"
    )
    user.groups.add(Group.objects.get(name=STUDENTS))
    return user


@pytest.fixture
def ticket(client, django_user_model):
    """A paid booking on a departure two days ahead."""
    customer = django_user_model.objects.create_user(
        username="tourist", email="tourist@example.com", password="pw"
    )
    departure = make_departure(capacity=10)
    order = checkout_and_pay(client, customer, departures=[departure])
    client.logout()
    return Ticket.objects.select_related("departure").get(order=order)


def post(client, booking, **data):
    response = client.post(f"/team/tours/{booking.departure_id}/", data)
    booking.refresh_from_db()
    return [str(m) for m in response.wsgi_request._messages][-1]


def test_check_in_before_the_day_is_refused_and_changes_nothing(client, guide, ticket):
    client.force_login(guide)

    page = client.get(f"/team/tours/{ticket.departure_id}/").content.decode()
    said = post(client, ticket, code=ticket.code)
    said_early = post(client, ticket, code=ticket.code, early="1")
    post(client, ticket, action="no_show", ticket=ticket.pk)

    assert "Отметка открывается в день экскурсии" in page and 'name="code"' not in page
    assert "Отметка открывается в день экскурсии" in said
    assert "Отметка открывается в день экскурсии" in said_early
    assert ticket.checked_in_at is None and ticket.no_show_at is None
    assert not ActivityEntry.objects.filter(action__startswith="ticket.").exists()


def test_the_day_before_only_an_explicit_early_check_in_is_taken_and_logged_so(
    client, guide, ticket
):
    tomorrow = timezone_midnight_after() + dt.timedelta(hours=10)
    Departure.objects.filter(pk=ticket.departure_id).update(starts_at=tomorrow)
    client.force_login(guide)

    page = client.get(f"/team/tours/{ticket.departure_id}/").content.decode()
    refused = post(client, ticket, code=ticket.code)
    assert "поставьте галочку" in refused and ticket.checked_in_at is None
    assert 'name="early"' in page

    taken = post(client, ticket, code=ticket.code, early="1")

    assert "Отмечены" in taken and ticket.checked_in_by == guide
    entry = ActivityEntry.objects.get(action="ticket.checked_in")
    assert entry.after["early"] is True and "накануне" in entry.phrase


def test_on_the_day_a_check_in_and_a_no_show_are_each_undone_with_a_record(client, guide, ticket):
    start_today(ticket.departure, started=True)
    client.force_login(guide)
    assert (
        "Не пришли</button>" in client.get(f"/team/tours/{ticket.departure_id}/").content.decode()
    )

    post(client, ticket, code=ticket.code)
    assert ticket.checked_in_at
    post(client, ticket, action="undo_check_in", ticket=ticket.pk)
    assert ticket.checked_in_at is None
    post(client, ticket, action="no_show", ticket=ticket.pk)
    assert ticket.no_show_by == guide
    post(client, ticket, action="undo_no_show", ticket=ticket.pk)
    assert ticket.no_show_at is None
    post(client, ticket, code=ticket.code)
    assert ticket.checked_in_at

    actions = list(
        ActivityEntry.objects.filter(action__startswith="ticket.")
        .order_by("pk")
        .values_list("action", "actor__username")
    )
    assert actions == [
        ("ticket.checked_in", "guide"),
        ("ticket.check_in_undone", "guide"),
        ("ticket.no_show", "guide"),
        ("ticket.no_show_undone", "guide"),
        ("ticket.checked_in", "guide"),
    ]
    assert (
        "отменил(а) отметку билета"
        in ActivityEntry.objects.get(action="ticket.check_in_undone").phrase
    )


def test_did_not_come_waits_for_the_start(client, guide, ticket):
    start_today(ticket.departure, started=False)
    client.force_login(guide)

    page = client.get(f"/team/tours/{ticket.departure_id}/").content.decode()
    said = post(client, ticket, action="no_show", ticket=ticket.pk)

    assert "Не пришли</button>" not in page and 'name="code"' in page
    assert "когда экскурсия началась" in said and ticket.no_show_at is None


def test_after_the_tours_day_nothing_is_checked_in_or_marked(guide, ticket):
    later = ticket.departure.starts_at + dt.timedelta(days=2)

    with pytest.raises(CheckInError, match="отметка закрыта"):
        ticket_check_in(departure=ticket.departure, code=ticket.code, actor=guide, now=later)
    with pytest.raises(CheckInError, match="отметки остаются"):
        ticket_no_show(ticket=ticket, actor=guide, now=later)
    assert not ActivityEntry.objects.filter(action__startswith="ticket.").exists()


def timezone_midnight_after():
    from django.utils import timezone

    local = timezone.localtime()
    return local.replace(hour=0, minute=0, second=0, microsecond=0) + dt.timedelta(days=1)
