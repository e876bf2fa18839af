"""Tourists' feedback: asked the day after the tour in the order's language, taken once by a
signed link (a second use or a forged link is refused politely), published by staff on the
tour's page at once, with the aggregate rating in its schema.org data."""

import datetime as dt
import io
import json
import re

import pytest
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.utils import timezone

from shop.activity.models import ActivityEntry
from shop.bookings.models import Departure, Ticket
from shop.feedback.models import Feedback
from shop.feedback.services import feedback_path
from shop.payments.models import PaymentAttempt
from tests.checkout.helpers import checkout_and_pay, make_departure
from tests.factories import make_staff

pytestmark = [pytest.mark.payments, pytest.mark.django_db]


@pytest.fixture
def yesterday(client, django_user_model):
    """Two paid bookings (one in English) on a departure that ran yesterday; a third
    customer did not come."""
    departure = make_departure(capacity=10)
    tickets = []
    for name, language in (("anna", "ru"), ("bob", "en"), ("vera", "ru")):
        customer = django_user_model.objects.create_user(
            username=name, email=f"{name}@example.com", password="pw"
        )
        order = checkout_and_pay(client, customer, departures=[departure])
        PaymentAttempt.objects.filter(order=order).update(language=language)
        tickets.append(Ticket.objects.get(order=order))
        client.logout()
    midnight = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    Departure.objects.filter(pk=departure.pk).update(starts_at=midnight - dt.timedelta(hours=14))
    Ticket.objects.filter(pk=tickets[2].pk).update(no_show_at=timezone.now())
    return departure, tickets


def link(message) -> str:
    return re.search(r"https?://\S+/feedback/\S+/", message.body).group(0)


def test_each_lead_participant_is_asked_once_in_their_language(
    yesterday, mailoutbox, django_capture_on_commit_callbacks
):
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        call_command("feedback_requests_send", stdout=(first := io.StringIO()))
        call_command("feedback_requests_send", stdout=(second := io.StringIO()))
    assert first.getvalue().startswith("2 new") and second.getvalue().startswith("0 new")

    subjects = {m.to[0]: m.subject for m in mailoutbox}
    assert set(subjects) == {"anna@example.com", "bob@example.com"}
    assert subjects["anna@example.com"].startswith("Как вам «")
    assert subjects["bob@example.com"].startswith("How was “")
    assert "/en/shop/feedback/" in link(next(m for m in mailoutbox if m.to == ["bob@example.com"]))
    asked = ActivityEntry.objects.filter(action="customer.messaged")
    assert asked.count() == 2
    assert set(asked.values_list("actor_kind", "process")) == {("system", "feedback_requests")}


def test_the_link_takes_one_answer_and_refuses_a_second_politely(client, yesterday):
    departure, tickets = yesterday
    path = feedback_path(tickets[0])

    form = client.get(path)
    assert form.status_code == 200 and "Как прошла экскурсия?" in form.content.decode()
    answer = {"rating": "5", "comment": "Гид Алексей рассказал про нерпу!", "author_name": "Анна"}
    response = client.post(path, answer)
    assert response.status_code == 302

    again = client.post(path, {**answer, "rating": "1"})
    assert again.status_code == 400
    assert "вы уже рассказали нам об этой экскурсии" in again.content.decode()
    assert client.get(path)["Location"].endswith("/feedback/thanks/?again=1")
    feedback = Feedback.objects.get()
    assert (feedback.rating, feedback.ticket_id, feedback.departure_id, feedback.status) == (
        5,
        tickets[0].pk,
        departure.pk,
        "new",
    )
    entry = ActivityEntry.objects.get(action="feedback.received")
    assert entry.actor_kind == "customer" and entry.order_id == tickets[0].order_id
    assert entry.phrase == "оценил(а) экскурсию на 5 из 5"


@pytest.mark.parametrize(
    "tamper",
    [
        lambda token: token[:-2] + ("AA" if not token.endswith("AA") else "BB"),
        lambda token: str(int(token.split(":")[0]) + 1) + ":" + token.split(":", 1)[1],
        lambda token: token.split(":")[0],
        lambda token: "x" * 400,
    ],
)
def test_a_forged_or_damaged_link_is_refused_politely_and_takes_nothing(client, yesterday, tamper):
    _departure, tickets = yesterday
    token = feedback_path(tickets[0]).rstrip("/").rsplit("/", 1)[1]
    path = f"/shop/feedback/{tamper(token)}/"

    page = client.get(path)
    response = client.post(path, {"rating": "5", "comment": "Подделка"})

    assert page.status_code == 200 and "Эта ссылка не наша" in page.content.decode()
    assert response.status_code == 400 and "Эта ссылка не наша" in response.content.decode()
    assert not Feedback.objects.exists()


@pytest.mark.parametrize("rating", ["", "0", "6", "five", "5" * 50])
def test_a_rating_out_of_range_is_refused_with_the_reason(client, yesterday, rating):
    _departure, tickets = yesterday

    response = client.post(feedback_path(tickets[0]), {"rating": rating})

    assert response.status_code == 400
    assert not Feedback.objects.exists()


def test_a_published_review_shows_on_the_tour_page_at_once_with_its_rating(
    client, settings, yesterday
):
    settings.PAGE_CACHE_SECONDS = 60
    departure, tickets = yesterday
    client.post(feedback_path(tickets[0]), {"rating": "5", "comment": "Лучшая экскурсия"})
    client.post(feedback_path(tickets[1]), {"rating": "4", "comment": "Great guides"})
    tour_page = departure.tour.product.get_absolute_url()
    before = client.get(tour_page).content.decode()
    assert client.get(tour_page)["X-Page-Cache"] == "hit"  # kept by the page cache
    assert "Лучшая экскурсия" not in before and "aggregateRating" not in before

    staff = make_staff("moderator@example.com")
    staff.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="feedback", codename__endswith="feedback"
        )
    )
    client.force_login(staff)
    listing = client.get("/shop/dashboard/tours/feedback/").content.decode()
    assert "Лучшая экскурсия" in listing and "Great guides" in listing
    for feedback in Feedback.objects.all():
        client.post(f"/shop/dashboard/tours/feedback/{feedback.pk}/", {"action": "publish"})
    client.post(
        f"/shop/dashboard/tours/feedback/{Feedback.objects.get(rating=4).pk}/", {"action": "hide"}
    )
    client.logout()

    response = client.get(tour_page)
    assert response["X-Page-Cache"] != "hit"  # publishing made the kept page stale
    after = response.content.decode()
    assert "Лучшая экскурсия" in after and "Great guides" not in after
    data = next(
        json.loads(block)
        for block in re.findall(r'<script type="application/ld\+json">(.*?)</script>', after)
        if "TouristTrip" in block
    )
    assert data["aggregateRating"] == {
        "@type": "AggregateRating",
        "ratingValue": "5.0",
        "reviewCount": 1,
        "bestRating": 5,
        "worstRating": 1,
    }
    assert data["review"][0]["reviewBody"] == "Лучшая экскурсия"
    assert list(
        ActivityEntry.objects.filter(action__startswith="feedback.")
        .order_by("pk")
        .values_list("action", flat=True)
    ) == [
        "feedback.received",
        "feedback.received",
        "feedback.published",
        "feedback.published",
        "feedback.hidden",
    ]
