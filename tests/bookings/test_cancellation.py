"""One departure cancellation for every screen: the dashboard's tour page and the workspace's
manifest give the same outcome for three paid bookings (refunds, e-mails in each customer's
language, void tickets, the log, the seats), and neither does anything twice."""

from collections import Counter

import pytest
from django.contrib.auth.models import Permission
from oscar.core.loading import get_model

from shop.activity.models import ActivityEntry
from shop.bookings.models import Departure, Ticket
from shop.core.roles import STUDENTS, roles_ensure_groups
from shop.payments.models import PaymentAttempt, Refund
from shop.payments.providers import stripe
from tests.checkout.helpers import checkout_and_pay, make_departure
from tests.factories import make_staff

pytestmark = [pytest.mark.payments, pytest.mark.django_db]

Order = get_model("order", "Order")
StockRecord = get_model("partner", "StockRecord")
LANGUAGES = ["ru", "en", "zh-hans"]
SUBJECT_WORDS = {"ru": "отменена", "en": "is cancelled", "zh-hans": "取消"}


@pytest.fixture
def manager():
    user = make_staff("manager@example.com")
    user.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="bookings",
            codename__in=["view_tour", "view_departure", "change_departure"],
        )
    )
    return type(user).objects.get(pk=user.pk)


@pytest.fixture
def guide(django_user_model):
    from django.contrib.auth.models import Group

    roles_ensure_groups()
    user = django_user_model.objects.create_user(username="guide", password="pw-123456")
    user.groups.add(Group.objects.get(name=STUDENTS))
    return user


def three_paid_bookings(client, django_user_model, departure, tag):
    """Three customers pay for a seat each; their orders speak Russian, English, Chinese."""
    orders = []
    for language in LANGUAGES:
        customer = django_user_model.objects.create_user(
            username=f"{tag}-{language}", email=f"{tag}-{language}@example.com", password="pw"
        )
        order = checkout_and_pay(client, customer, departures=[departure])
        PaymentAttempt.objects.filter(order=order).update(language=language)
        orders.append(order)
        client.logout()
    return orders


def cancel_from_the_dashboard(client, manager, departure):
    client.force_login(manager)
    path = f"/shop/dashboard/tours/{departure.tour_id}/departures/{departure.pk}/cancel/"
    return client.post(path, {"reason": "weather", "note": "Шторм"})


def cancel_from_the_workspace(client, guide, departure):
    client.force_login(guide)
    data = {"action": "cancel_departure", "reason": "weather", "note": "Шторм"}
    return client.post(f"/team/tours/{departure.pk}/", data)


def outcome(client, guide, departure, orders, mailoutbox) -> dict:
    """Everything a customer, the guide or a teacher could notice, the actor left aside."""
    departure.refresh_from_db()
    refunds = []
    for order in orders:
        order.refresh_from_db()
        intent = stripe.retrieve(order.payment_attempt.provider_payment_id)
        refunds.append(
            (
                order.status,
                order.refunds.count(),
                intent.refunded == intent.amount,
            )
        )
    mails = sorted(
        (message.to[0].split("-", 1)[1].split("@")[0], message.subject)
        for message in mailoutbox
        if message.to[0].startswith(orders[0].email.split("-")[0])
    )
    client.force_login(guide)
    check_ins = []
    for ticket in Ticket.objects.filter(departure=departure):
        response = client.post(f"/team/tours/{departure.pk}/", {"code": ticket.code})
        check_ins.append([str(m) for m in response.wsgi_request._messages][-1])
    return {
        "departure": (departure.status, departure.cancel_reason, departure.status_reason),
        "seats sold": StockRecord.objects.get(product_id=departure.pk).num_allocated,
        "refunds": refunds,
        "e-mails": [
            (language, SUBJECT_WORDS[language] in subject.lower()) for language, subject in mails
        ],
        "check-in": check_ins,
        "log": Counter(
            ActivityEntry.objects.filter(departure=departure).values_list("action", flat=True)
        )
        + Counter(
            ActivityEntry.objects.filter(order__in=orders, departure=None).values_list(
                "action", flat=True
            )
        ),
    }


def test_the_dashboard_and_the_workspace_cancel_three_paid_bookings_alike(
    client, django_user_model, manager, guide, mailoutbox, django_capture_on_commit_callbacks
):
    by_dashboard, by_workspace = make_departure(capacity=10), make_departure(capacity=10)
    dashboard_orders = three_paid_bookings(client, django_user_model, by_dashboard, "d")
    workspace_orders = three_paid_bookings(client, django_user_model, by_workspace, "w")
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        assert cancel_from_the_dashboard(client, manager, by_dashboard).status_code == 302
        assert cancel_from_the_workspace(client, guide, by_workspace).status_code == 302

    seen = outcome(client, guide, by_dashboard, dashboard_orders, mailoutbox)
    assert seen == outcome(client, guide, by_workspace, workspace_orders, mailoutbox)
    assert seen["departure"] == ("cancelled", "weather", "Шторм")
    assert seen["seats sold"] == 0
    assert seen["refunds"] == [("Cancelled", 1, True)] * 3
    assert seen["e-mails"] == [("en", True), ("ru", True), ("zh-hans", True)]
    assert all("аннулированы" in text for text in seen["check-in"])
    assert seen["log"] == {
        "departure.created": 1,
        "order.placed": 3,
        "order.paid": 3,
        "departure.cancelled": 1,
        "customer.messaged": 3,
        "line.cancelled": 3,
        "order.cancelled": 3,
        "order.refunded": 3,
    }
    cancelled_by = ActivityEntry.objects.filter(action="departure.cancelled")
    assert sorted(cancelled_by.values_list("actor__username", flat=True)) == [
        "guide",
        "manager@example.com",
    ]
    english = next(m for m in mailoutbox if m.to == ["d-en@example.com"])
    assert "The weather: Шторм" in english.body and "refunded" in english.body


def test_a_second_cancellation_does_nothing_twice_and_finishes_an_unconfirmed_refund(
    client, django_user_model, guide, mailoutbox, settings, django_capture_on_commit_callbacks
):
    departure = make_departure(capacity=10)
    orders = three_paid_bookings(client, django_user_model, departure, "r")
    mailoutbox.clear()
    working = settings.STRIPE_API_BASE
    settings.STRIPE_API_BASE = "http://127.0.0.1:9"  # the payment service does not answer

    with django_capture_on_commit_callbacks(execute=True):
        response = cancel_from_the_workspace(client, guide, departure)
    messages = [str(m) for m in response.wsgi_request._messages]
    assert sum(order.number in text for order in orders for text in messages) == 3
    assert Refund.objects.filter(status="pending").count() == 3
    assert len(mailoutbox) == 3
    russian = next(m for m in mailoutbox if m.to == ["r-ru@example.com"])
    assert "не подтвердил" in russian.body

    settings.STRIPE_API_BASE = working
    with django_capture_on_commit_callbacks(execute=True):
        cancel_from_the_workspace(client, guide, departure)
        cancel_from_the_workspace(client, guide, departure)

    assert Refund.objects.count() == 3
    assert set(Refund.objects.values_list("status", flat=True)) == {"succeeded"}
    for order in orders:
        intent = stripe.retrieve(order.payment_attempt.provider_payment_id)
        assert intent.refunded == intent.amount
    assert len(mailoutbox) == 3
    assert ActivityEntry.objects.filter(action="departure.cancelled").count() == 1
    assert ActivityEntry.objects.filter(action="order.refunded").count() == 3
    assert Departure.objects.get(pk=departure.pk).seats_sold == 0
