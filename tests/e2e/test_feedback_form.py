"""A tourist rates the tour from the link in the e-mail, in a real browser: the form's POST
is accepted (a private page's Referrer-Policy must still let the browser send the site's
own Origin, or the CSRF check refuses it)."""

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone
from playwright.sync_api import expect

from shop.bookings.models import Departure, Ticket
from shop.feedback.models import Feedback
from shop.feedback.services import feedback_path
from tests.checkout.helpers import checkout_and_pay, make_departure

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.payments,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_the_tourist_rates_the_tour_from_the_link(page, django_user_model):
    departure = make_departure(capacity=10)
    customer = django_user_model.objects.create_user(
        username="anna", email="anna@example.com", password="pw-123456"
    )
    order = checkout_and_pay(Client(), customer, departures=[departure])
    yesterday = timezone.localtime().replace(hour=10, minute=0) - dt.timedelta(days=1)
    Departure.objects.filter(pk=departure.pk).update(starts_at=yesterday)
    ticket = Ticket.objects.get(order=order)

    page.goto(feedback_path(ticket))
    page.get_by_label("5 звёзд").check()
    page.get_by_label("Что понравилось").fill("Отличные гиды, всё рассказали про нерпу")
    page.get_by_role("button", name="Отправить").click()

    expect(page.get_by_role("heading", name="Спасибо!")).to_be_visible()
    feedback = Feedback.objects.get()
    assert (feedback.rating, feedback.ticket_id) == (5, ticket.pk)
