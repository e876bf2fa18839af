"""The go/no-go moment: a departure below its tour's minimum group size is shown to the guides
and the bureau (and e-mailed to the bureau) to decide in one tap, or cancelled by the system
where the tour says so; the check never looks at a departure twice."""

import datetime as dt
import io

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command
from oscar.core.loading import get_model

from shop.activity.models import ActivityEntry
from shop.bookings.go_no_go import departures_go_no_go
from shop.bookings.models import Departure, Tour
from shop.core.roles import STUDENTS, roles_ensure_groups
from shop.payments.models import Refund
from shop.payments.providers import stripe
from tests.checkout.helpers import checkout_and_pay, make_departure
from tests.factories import make_staff

pytestmark = [pytest.mark.payments, pytest.mark.django_db]

Order = get_model("order", "Order")


@pytest.fixture
def bureau():
    user = make_staff("bureau@example.com", first_name="Ольга", last_name="Бюро")
    user.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="bookings",
            codename__in=["view_tour", "view_departure", "change_departure"],
        )
    )
    return type(user).objects.get(pk=user.pk)


@pytest.fixture
def guide(django_user_model):
    roles_ensure_groups()
    user = django_user_model.objects.create_user(username="guide", password="pw-123456")
    user.groups.add(Group.objects.get(name=STUDENTS))
    return user


def below_minimum(client, django_user_model, *, automatic=False, booked=2):
    """A departure two days ahead whose tour needs 4 people and decides 72 hours before: its
    moment has come, with `booked` people paid for."""
    departure = make_departure(capacity=10)
    Tour.objects.filter(pk=departure.tour_id).update(
        min_group_size=4, decision_hours=72, cancel_below_minimum=automatic
    )
    orders = []
    for n in range(booked):
        customer = django_user_model.objects.create_user(
            username=f"c{n}", email=f"c{n}@example.com", password="pw"
        )
        orders.append(checkout_and_pay(client, customer, departures=[departure]))
        client.logout()
    return Departure.objects.select_related("tour").get(pk=departure.pk), orders


def test_below_the_minimum_the_bureau_is_told_and_decides_in_one_tap_to_run(
    client,
    django_user_model,
    bureau,
    guide,
    mailoutbox,
    settings,
    django_capture_on_commit_callbacks,
):
    settings.SHOP_BUREAU_EMAIL = "bureau@baikal-college.example"
    departure, orders = below_minimum(client, django_user_model)
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        call_command("departures_go_no_go", stdout=(first := io.StringIO()))
        call_command("departures_go_no_go", stdout=(second := io.StringIO()))
    assert "1 below the minimum" in first.getvalue()
    assert "0 below the minimum" in second.getvalue()

    departure.refresh_from_db()
    assert departure.minimum_checked_at and departure.status == "scheduled"
    entry = ActivityEntry.objects.get(action="departure.below_minimum")
    assert (entry.actor_kind, entry.process, entry.departure_id) == (
        "system",
        "go_no_go",
        departure.pk,
    )
    assert entry.actor_label == "Автоматически · решение о проведении"
    assert "записано 2 из 4" in entry.phrase
    assert [m.to for m in mailoutbox] == [["bureau@baikal-college.example"]]
    assert "2 из 4" in mailoutbox[0].body
    assert f"/team/tours/{departure.pk}/" in mailoutbox[0].body

    # The guides see it in the workspace, the bureau in the dashboard.
    client.force_login(guide)
    week = client.get("/team/tours/").content.decode()
    assert "Меньше минимума: нужно решить" in week and f"/team/tours/{departure.pk}/" in week
    manifest = client.get(f"/team/tours/{departure.pk}/").content.decode()
    assert "Меньше минимума: проводим?" in manifest
    client.force_login(bureau)
    tours = client.get("/shop/dashboard/tours/").content.decode()
    decide = f"/shop/dashboard/tours/{departure.tour_id}/departures/{departure.pk}/decide/"
    assert decide in tours

    response = client.post(decide, {"decision": "run", "back": "list"})

    assert response.status_code == 302 and response["Location"] == "/shop/dashboard/tours/"
    departure.refresh_from_db()
    assert departure.runs_anyway_by == bureau and departure.status == "scheduled"
    ran = ActivityEntry.objects.get(action="departure.runs_anyway")
    assert ran.actor == bureau and ran.after == {"runs_anyway": True, "people": 2, "minimum": 4}
    assert decide not in client.get("/shop/dashboard/tours/").content.decode()
    client.force_login(guide)
    assert "Меньше минимума: нужно решить" not in client.get("/team/tours/").content.decode()
    assert Refund.objects.count() == 0
    assert all(Order.objects.get(pk=o.pk).status == "Paid" for o in orders)


def test_the_guides_may_cancel_it_for_everyone_in_one_tap(
    client, django_user_model, guide, mailoutbox, django_capture_on_commit_callbacks
):
    departure, orders = below_minimum(client, django_user_model)
    with django_capture_on_commit_callbacks(execute=True):
        departures_go_no_go()
    mailoutbox.clear()
    client.force_login(guide)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/team/tours/{departure.pk}/", {"action": "cancel_too_few"})

    departure.refresh_from_db()
    assert (departure.status, departure.cancel_reason) == ("cancelled", "too_few")
    assert ActivityEntry.objects.get(action="departure.cancelled").actor == guide
    for order in orders:
        intent = stripe.retrieve(order.payment_attempt.provider_payment_id)
        assert intent.refunded == intent.amount
    assert len(mailoutbox) == 2
    assert all("Записалось слишком мало людей" in m.body for m in mailoutbox)


def test_where_the_tour_says_so_the_system_cancels_it_at_the_moment(
    client, django_user_model, mailoutbox, django_capture_on_commit_callbacks
):
    departure, orders = below_minimum(client, django_user_model, automatic=True)
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        first = departures_go_no_go()
        second = departures_go_no_go()

    assert (first.cancelled, second.cancelled) == (1, 0)
    departure.refresh_from_db()
    assert (departure.status, departure.cancel_reason) == ("cancelled", "too_few")
    assert departure.seats_sold == 0
    for order in orders:
        intent = stripe.retrieve(order.payment_attempt.provider_payment_id)
        assert intent.refunded == intent.amount
    assert Refund.objects.filter(created_by=None).count() == 2
    automatic = ActivityEntry.objects.filter(
        action__in=["departure.cancelled", "line.cancelled", "order.refunded", "customer.messaged"]
    )
    assert automatic.count() == 1 + 2 + 2 + 2
    assert set(automatic.values_list("actor_kind", "process")) == {("system", "go_no_go")}
    assert sorted(m.to[0] for m in mailoutbox) == ["c0@example.com", "c1@example.com"]
    assert all("Записалось слишком мало людей" in m.body for m in mailoutbox)


def test_enough_people_or_a_moment_not_yet_come_changes_nothing(client, django_user_model):
    enough, _orders = below_minimum(client, django_user_model, automatic=True, booked=1)
    Tour.objects.filter(pk=enough.tour_id).update(min_group_size=1)
    later = make_departure(capacity=10)  # decides 24 h before a start two days ahead

    result = departures_go_no_go()

    assert (result.enough, result.below, result.cancelled) == (1, 0, 0)
    enough.refresh_from_db()
    later.refresh_from_db()
    assert enough.minimum_checked_at and enough.status == "scheduled"
    assert later.minimum_checked_at is None
    result = departures_go_no_go(now=later.starts_at - dt.timedelta(hours=23))
    assert result.cancelled == 0 and result.below == 1  # no booking on it: the bureau decides
    assert not ActivityEntry.objects.filter(action="departure.cancelled").exists()


def test_a_booking_after_the_flag_keeps_the_bureau_from_cancelling_it(
    client, django_user_model, bureau, django_capture_on_commit_callbacks
):
    departure, _orders = below_minimum(client, django_user_model, booked=1)
    departures_go_no_go()
    Tour.objects.filter(pk=departure.tour_id).update(min_group_size=1)  # enough now
    client.force_login(bureau)
    decide = f"/shop/dashboard/tours/{departure.tour_id}/departures/{departure.pk}/decide/"

    response = client.post(decide, {"decision": "cancel"}, follow=True)

    assert "этого достаточно" in response.content.decode()
    departure.refresh_from_db()
    assert departure.status == "scheduled"
    assert client.post(decide, {"decision": "explode"}).status_code == 302
    assert client.get(decide).status_code == 405
    departure.refresh_from_db()
    assert departure.status == "scheduled" and departure.runs_anyway_at is None
