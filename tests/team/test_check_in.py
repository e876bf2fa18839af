"""Tickets for paid bookings and checking people in at the meeting point."""

import pytest
from django.test import Client
from oscar.core.loading import get_model

from shop.activity.models import ActivityEntry
from shop.bookings.models import Departure, Ticket
from shop.core.roles import TEACHERS
from tests.checkout.helpers import basket_for, make_departure
from tests.factories import make_member, start_today
from tests.payments.helpers import pay

pytestmark = [pytest.mark.payments, pytest.mark.django_db]

Order = get_model("order", "Order")


@pytest.fixture
def booked(client, django_user_model):
    """A paid order with one booking (one adult) on a departure."""
    customer = django_user_model.objects.create_user(
        username="tourist", email="tourist@example.com", password="pw-123456"
    )
    client.force_login(customer)
    departure = make_departure(capacity=10)
    basket_for(customer, departures=[departure])
    client.get("/shop/checkout/shipping-method/")
    order = pay(client)
    client.logout()
    return order, start_today(departure)


def manifest(departure):
    return f"/team/tours/{departure.pk}/"


def test_a_paid_booking_gets_one_ticket_with_a_short_code(booked):
    order, departure = booked

    ticket = Ticket.objects.get(order=order)

    assert ticket.departure_id == departure.pk and ticket.people == 1
    assert len(ticket.code) == 8 and ticket.code.isalnum()


def test_a_guide_checks_a_group_in_by_typing_its_code(client, booked, student):
    order, departure = booked
    ticket = Ticket.objects.get(order=order)
    client.force_login(student)

    page = client.get(manifest(departure)).content.decode()
    assert ticket.code in page and "0 из 1" in page
    response = client.post(
        manifest(departure), {"code": ticket.code.lower()[:4] + " " + ticket.code[4:]}
    )

    ticket.refresh_from_db()
    assert ticket.checked_in_at and ticket.checked_in_by == student
    messages = " ".join(str(m) for m in response.wsgi_request._messages)
    assert "Отмечены" in messages
    entry = ActivityEntry.objects.get(action="ticket.checked_in")
    assert entry.actor == student and entry.departure_id == departure.pk and entry.order == order
    assert "1 из 1" in client.get(manifest(departure)).content.decode()


@pytest.mark.django_db(transaction=True)
def test_the_manifest_kept_between_visits_shows_a_check_in_and_its_undo_at_once(
    client, booked, student, other_student
):
    """Who comes is kept, rendered, until a ticket, an order or a line is written
    (shop/core/table_versions.py): the guide's next visit shows what changed, and the forms
    of a kept manifest carry the guide's own CSRF token."""
    import re

    order, departure = booked
    ticket = Ticket.objects.get(order=order)
    guide = Client(enforce_csrf_checks=True)
    guide.force_login(other_student)
    for _ in range(3):  # the last visits are answered from what was kept
        assert "0 из 1" in guide.get(manifest(departure)).content.decode()

    client.force_login(student)
    client.post(manifest(departure), {"code": ticket.code})
    for _ in range(3):
        page = guide.get(manifest(departure)).content.decode()
        assert "1 из 1" in page and "stand-in" not in page

    undo = page.split('class="team-undo"', 1)[1]
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', undo).group(1)
    response = guide.post(
        manifest(departure),
        {"action": "undo_check_in", "ticket": ticket.pk, "csrfmiddlewaretoken": token},
    )
    assert response.status_code == 302
    assert "0 из 1" in guide.get(manifest(departure)).content.decode()


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("", "Это не код билета"),
        ("<script>", "Это не код билета"),
        ("ZZZZZZZZ", "Билета с таким кодом нет"),
        ("x" * 500, "Это не код билета"),
    ],
)
def test_bad_codes_get_a_clear_message_and_change_nothing(client, booked, student, code, message):
    order, departure = booked
    client.force_login(student)

    response = client.post(manifest(departure), {"code": code})

    assert message in " ".join(str(m) for m in response.wsgi_request._messages)
    assert not Ticket.objects.filter(checked_in_at__isnull=False).exists()
    assert not ActivityEntry.objects.filter(action="ticket.checked_in").exists()


@pytest.mark.parametrize("scanned", ["url", "token"])
def test_the_scanned_qr_code_checks_the_group_in(client, booked, student, scanned):
    from shop.bookings.ticket_documents import ticket_token, ticket_url

    order, departure = booked
    ticket = Ticket.objects.get(order=order)
    client.force_login(student)
    content = ticket_url(ticket) if scanned == "url" else ticket_token(ticket)

    response = client.post(manifest(departure), {"scan": content, "code": ""})

    assert "Отмечены" in " ".join(str(m) for m in response.wsgi_request._messages)
    ticket.refresh_from_db()
    assert ticket.checked_in_by == student


@pytest.mark.parametrize(
    "scanned",
    [
        "http://127.0.0.1:8000/shop/tickets/{code}:forged/",
        "{code}:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        "https://example.com/some/other/qr",
        "WIFI:S:cafe;T:WPA;P:secret;;",
    ],
)
def test_a_forged_or_foreign_qr_code_is_refused(client, booked, student, scanned):
    order, departure = booked
    ticket = Ticket.objects.get(order=order)
    client.force_login(student)

    response = client.post(manifest(departure), {"scan": scanned.format(code=ticket.code)})

    assert "повреждён или подделан" in " ".join(str(m) for m in response.wsgi_request._messages)
    ticket.refresh_from_db()
    assert ticket.checked_in_at is None
    assert not ActivityEntry.objects.filter(action="ticket.checked_in").exists()


def test_scanning_twice_says_when_and_who(client, booked, student):
    order, departure = booked
    ticket = Ticket.objects.get(order=order)
    client.force_login(student)
    client.post(manifest(departure), {"code": ticket.code})

    response = client.post(manifest(departure), {"code": ticket.code})

    text = " ".join(str(m) for m in response.wsgi_request._messages)
    assert "Уже отмечены в" in text and "Алексей Студент" in text
    assert ActivityEntry.objects.filter(action="ticket.checked_in").count() == 1


def test_a_ticket_for_another_departure_is_refused(client, booked, student):
    order, departure = booked
    ticket = Ticket.objects.get(order=order)
    other = make_departure(capacity=10)
    Departure.objects.filter(pk=other.pk).update(starts_at=departure.starts_at)
    client.force_login(student)

    response = client.post(manifest(other), {"code": ticket.code})

    assert "другое время" in " ".join(str(m) for m in response.wsgi_request._messages)
    ticket.refresh_from_db()
    assert ticket.checked_in_at is None


def test_a_booking_cancelled_on_its_own_is_refused_at_check_in(client, booked, student):
    from shop.order.services import order_line_cancel

    order, departure = booked
    ticket = Ticket.objects.get(order=order)
    for line in order.lines.all():
        order_line_cancel(line=line, actor=student, reason="Передумали")
    Order.objects.filter(pk=order.pk).update(status="Paid")  # the order itself stays on
    client.force_login(student)

    response = client.post(manifest(departure), {"code": ticket.code})

    assert "отменено" in " ".join(str(m) for m in response.wsgi_request._messages)
    ticket.refresh_from_db()
    assert ticket.checked_in_at is None


def test_no_show_is_recorded_once(client, booked, student):
    order, departure = booked
    ticket = Ticket.objects.get(order=order)
    client.force_login(student)

    client.post(manifest(departure), {"action": "no_show", "ticket": ticket.pk})
    client.post(manifest(departure), {"action": "no_show", "ticket": ticket.pk})
    client.post(manifest(departure), {"action": "no_show", "ticket": "999999999999"})

    ticket.refresh_from_db()
    assert ticket.no_show_at and ticket.no_show_by == student
    assert ActivityEntry.objects.filter(action="ticket.no_show").count() == 1


def test_a_teacher_sees_the_manifest_but_cannot_check_in(client, django_user_model, booked):
    order, departure = booked
    teacher = make_member(TEACHERS, "irina")
    ticket = Ticket.objects.get(order=order)
    client.force_login(teacher)

    assert client.get("/team/tours/").status_code == 200
    assert client.get(manifest(departure)).status_code == 200
    assert client.post(manifest(departure), {"code": ticket.code}).status_code == 403

    ticket.refresh_from_db()
    assert ticket.checked_in_at is None


def test_the_week_lists_the_departure_with_seats_sold(client, booked, student):
    order, departure = booked
    client.force_login(student)

    html = client.get("/team/tours/").content.decode()

    assert manifest(departure) in html
    assert "1 из 10 мест" in html
