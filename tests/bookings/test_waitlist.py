"""The waiting list of a sold-out departure, through the real pages: a visitor joins it, is
e-mailed a link when a seat comes back, and books the held seat while nobody else can take
it; a hold that runs out goes to the next in line (the cron pass of `bookings_settle`)."""

import datetime as dt
import io
import re

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from shop.activity.models import ActivityEntry
from shop.bookings.changes import booking_cancel
from shop.bookings.models import Departure, WaitingListEntry
from tests.bookings.helpers import book, book_and_pay, checkout_as_guest, seats_sold, ticket_of
from tests.factories import make_tour
from tests.payments.helpers import pay

pytestmark = [pytest.mark.payments, pytest.mark.django_db]

FIRST = "first.waiting@example.com"
SECOND = "second.waiting@example.com"


@pytest.fixture
def departure():
    """A departure of three seats, sold out to a guest (two adults and a child)."""
    product = make_tour(departures=1, capacity=3, fares={"adult": "900", "child": "450"})
    return Departure.objects.get(tour=product.tour)


@pytest.fixture
def sold_out(client, departure):
    order = book_and_pay(client, departure)
    assert seats_sold(departure) == 3
    return order


def join(visitor, departure, email, people=1):
    url = f"/shop/tours/{departure.tour_id}/waitlist/"
    page = visitor.get(url, {"departure": departure.pk})
    assert page.status_code == 200
    return visitor.post(
        url, {"departure": departure.pk, "email": email, "people": people, "consent": "on"}
    )


def hold_link(email) -> str:
    message = next(m for m in reversed(mail.outbox) if m.to == [email])
    return re.search(r"https?://[^/\s]+(/shop/waitlist/[^\s\"<]+/)", message.body).group(1)


def cancel_one_child(order, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        booking_cancel(
            ticket=ticket_of(order),
            key="free-a-seat",
            people={"child": 1},
            names_removed=["Вера Иванова"],
        )


def test_a_visitor_waits_is_emailed_a_held_seat_and_books_it_while_nobody_else_can(
    sold_out, departure, django_capture_on_commit_callbacks
):
    second, third = Client(), Client()
    # Sold out: the booking form sends a visitor to the waiting list.
    refused = second.get(f"/shop/tours/{departure.tour_id}/book/", {"departure": departure.pk})
    assert refused.status_code == 302 and "/waitlist/" in refused.url
    joined = join(second, departure, SECOND.upper())
    assert joined.status_code == 303
    entry = WaitingListEntry.objects.get(departure=departure)
    assert (entry.email, entry.people, entry.status) == (SECOND, 1, "waiting")

    cancel_one_child(sold_out, django_capture_on_commit_callbacks)

    entry.refresh_from_db()
    assert entry.status == "offered" and entry.hold_expires_at > timezone.now()
    # The held seat counts as taken: the freed seat is not for sale to anyone else.
    assert seats_sold(departure) == 3
    link = hold_link(SECOND)
    page = second.get(link).content.decode()
    assert "Места придержаны для вас" in page
    refused = third.get(f"/shop/tours/{departure.tour_id}/book/", {"departure": departure.pk})
    assert refused.status_code == 302 and "/waitlist/" in refused.url

    book_url = re.search(r'href="(/shop/tours/[^"]+hold=[^"]+)"', page).group(1)
    token = book_url.split("hold=")[1].replace("&amp;", "&")
    added = book(second, departure, adult=1, child=0, names=(), hold=token)
    assert added.status_code == 302 and added.url.endswith("/shop/basket/")
    checkout_as_guest(second, SECOND)
    order = pay(second)

    entry.refresh_from_db()
    assert entry.status == "booked" and entry.order == order
    assert seats_sold(departure) == 3  # the hold was used, not allocated a second time
    assert ActivityEntry.objects.filter(action="waitlist.booked", order=order).exists()
    # Opening the link again only says so.
    assert "Вы забронировали эти места" in second.get(link).content.decode()


def test_a_hold_that_runs_out_goes_to_the_next_in_line(
    sold_out, departure, django_capture_on_commit_callbacks
):
    join(Client(), departure, FIRST)
    join(Client(), departure, SECOND)
    cancel_one_child(sold_out, django_capture_on_commit_callbacks)
    first = WaitingListEntry.objects.get(email=FIRST)
    assert first.status == "offered"
    assert WaitingListEntry.objects.get(email=SECOND).status == "waiting"
    # Looking at the link changes nothing, even after the hold ran out.
    WaitingListEntry.objects.filter(pk=first.pk).update(
        hold_expires_at=timezone.now() - dt.timedelta(minutes=1)
    )
    Client().get(hold_link(FIRST))
    assert WaitingListEntry.objects.get(pk=first.pk).status == "offered"

    with django_capture_on_commit_callbacks(execute=True):
        call_command("bookings_settle", stdout=io.StringIO())

    assert WaitingListEntry.objects.get(pk=first.pk).status == "lapsed"
    assert WaitingListEntry.objects.get(email=SECOND).status == "offered"
    assert seats_sold(departure) == 3
    assert "/shop/waitlist/" in hold_link(SECOND)


def test_a_forged_link_is_not_found(client, departure):
    assert client.get("/shop/waitlist/not-a-token/").status_code == 404
