"""The order status page and the ticket, reached from the e-mail without an account."""

import datetime as dt

import icalendar
import pytest

from shop.bookings.cancellation import departure_cancel_for_everyone
from shop.bookings.models import Ticket
from shop.bookings.ticket_documents import ticket_path, ticket_token
from shop.customercare.services import order_status_path
from shop.team.services import order_claim, order_step
from tests.checkout.helpers import basket_for, gingerbread, make_departure
from tests.payments.helpers import pay

pytestmark = [pytest.mark.payments, pytest.mark.django_db]


@pytest.fixture
def paid(client, django_user_model):
    """A tour booking and a box of gingerbread to pick up at the college, paid."""
    customer = django_user_model.objects.create_user(
        username="tourist", email="tourist@example.com", password="pw-123456"
    )
    client.force_login(customer)
    departure = make_departure(capacity=10)
    box = gingerbread(price="1350", stock=10)
    basket_for(customer, products=[box], departures=[departure])
    client.post("/shop/checkout/shipping-method/", {"method_code": "pickup-college"})
    order = pay(client)
    client.logout()
    return order, departure


def test_the_status_page_follows_the_order_without_an_account(client, paid, student):
    order, departure = paid
    url = order_status_path(order)

    page = client.get(url).content.decode()
    assert "Оплачен" in page and "Забронировано" in page
    assert ticket_path(Ticket.objects.get(order=order)) in page

    order_claim(order=order, actor=student)
    order_step(order=order, actor=student, to_stage="packed")
    order_step(order=order, actor=student, to_stage="ready")
    page = client.get(url).content.decode()
    assert '<li class="is-done">Готов к выдаче: Самовывоз' in page

    departure_cancel_for_everyone(
        departure=departure, actor=student, reason="weather", note="Шторм"
    )
    page = client.get(url).content.decode()
    assert "Выезд отменён: Погода: Шторм" in page
    assert "Возвращено 900\xa0₽" in page and "900\xa0₽ — возвращено на карту" in page


@pytest.mark.parametrize(
    "tamper",
    [
        lambda number, token: (number, token[:-1] + ("A" if token[-1] != "A" else "B")),
        lambda number, token: (str(int(number) + 1), token),
        lambda number, token: (number, "nonsense"),
        lambda number, token: ("x" * 300, token),
    ],
)
def test_a_wrong_or_forged_status_link_is_not_found(client, paid, tamper):
    order, _departure = paid
    number, token = tamper(order.number, order.verification_hash())

    assert client.get(f"/shop/orders/{number}/{token}/").status_code == 404


def test_the_ticket_page_shows_the_qr_code_and_what_the_guide_needs(client, paid):
    order, departure = paid
    ticket = Ticket.objects.get(order=order)

    response = client.get(ticket_path(ticket))
    page = response.content.decode()

    assert response.status_code == 200
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert "<svg" in page and ticket.code in page
    assert departure.tour.meeting_point in page
    assert "Взрослый × 1" in page


def test_the_calendar_entry_and_the_image(client, paid):
    order, departure = paid
    ticket = Ticket.objects.get(order=order)
    base = ticket_path(ticket)

    ics = client.get(base + "calendar.ics")
    png = client.get(base + "qr.png")

    assert ics["Content-Type"].startswith("text/calendar")
    text = ics.content.decode()
    assert text.startswith("BEGIN:VCALENDAR\r\n") and text.endswith("END:VCALENDAR\r\n")
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))
    assert f"UID:ticket-{ticket.code}@" in text and "STATUS:CONFIRMED" in text
    # A calendar program reads back what the ticket says: escaped, folded text unfolds whole.
    event = icalendar.Calendar.from_ical(ics.content).walk("VEVENT")[0]
    assert event.decoded("dtstart") == departure.starts_at
    assert event.decoded("dtend") - event.decoded("dtstart") == dt.timedelta(
        minutes=departure.tour.duration_minutes
    )
    assert str(event["summary"]) == departure.tour.product.get_title()
    assert str(event["location"]) == departure.tour.get_meeting_point()
    assert ticket.code in str(event["description"]) and order.number in str(event["description"])
    assert str(event["url"]).endswith(base)
    assert png["Content-Type"] == "image/png" and png.content[:8] == b"\x89PNG\r\n\x1a\n"


def test_the_calendar_entry_keeps_commas_semicolons_and_long_lines_intact(client, paid):
    order, departure = paid
    ticket = Ticket.objects.get(order=order)
    tour = departure.tour
    tour.meeting_point = "Байкальск, ул. Ленина, 1; вход со двора\\калитка"
    tour.what_to_bring = "Тёплую куртку, термос; " * 12
    tour.save()

    text = client.get(ticket_path(ticket) + "calendar.ics").content

    assert all(len(line) <= 75 for line in text.split(b"\r\n"))
    event = icalendar.Calendar.from_ical(text).walk("VEVENT")[0]
    assert str(event["location"]) == tour.meeting_point
    assert str(event["description"]).endswith(tour.what_to_bring)


@pytest.mark.parametrize(
    "token",
    ["ABCDEFGH", "ABCDEFGH:forged-signature", "%00", "A" * 500],
)
def test_a_forged_ticket_is_not_found(client, paid, token):
    assert client.get(f"/shop/tickets/{token}/").status_code == 404
    assert client.get(f"/shop/tickets/{token}/calendar.ics").status_code == 404


def test_a_ticket_for_another_code_cannot_borrow_a_signature(client, paid):
    order, _departure = paid
    ticket = Ticket.objects.get(order=order)
    signature = ticket_token(ticket).split(":", 1)[1]
    other = "Z" if ticket.code[0] != "Z" else "Y"

    assert client.get(f"/shop/tickets/{other}{ticket.code[1:]}:{signature}/").status_code == 404


def test_the_confirmation_page_links_the_status_page_and_the_ticket(client, django_user_model):
    customer = django_user_model.objects.create_user(
        username="tourist", email="tourist@example.com", password="pw-123456"
    )
    client.force_login(customer)
    basket_for(customer, departures=[make_departure()])
    client.get("/shop/checkout/shipping-method/")
    order = pay(client)

    page = client.get("/shop/checkout/thank-you/").content.decode()

    assert order_status_path(order) in page
    assert ticket_path(Ticket.objects.get(order=order)) in page
