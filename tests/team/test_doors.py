"""Every role tries the doors that are not theirs (GET and POST): each is refused, and
nothing changes behind it."""

import pytest
from django.contrib.auth.models import Group
from oscar.core.loading import get_model

from shop.activity.models import ActivityEntry
from shop.bookings.models import Departure, Ticket
from shop.core.roles import STUDENTS, TEACHERS, roles_ensure_groups
from shop.payments.models import Refund
from shop.team.models import OrderHandling
from tests.checkout.helpers import checkout_and_pay, gingerbread, make_departure

pytestmark = [pytest.mark.payments, pytest.mark.django_db]

Order = get_model("order", "Order")


@pytest.fixture
def world(client, django_user_model):
    """Two tourists with a paid order each (a tour and gingerbread), a student, a teacher."""
    roles_ensure_groups()
    departure = make_departure(capacity=10)
    box = gingerbread(price="500", stock=10)
    orders = {}
    for name in ("anna", "boris"):
        user = django_user_model.objects.create_user(
            username=name, email=f"{name}@example.com", password="pw-123456"
        )
        orders[name] = checkout_and_pay(client, user, products=[box], departures=[departure])
        client.logout()
    people = {"anonymous": None}
    people["tourist"] = django_user_model.objects.get(username="anna")
    for username, group in (("student", STUDENTS), ("teacher", TEACHERS)):
        user = django_user_model.objects.create_user(username=username, password="pw-123456")
        user.groups.add(Group.objects.get(name=group))
        people[username] = user
    return {"people": people, "order": orders["boris"], "departure": departure}


def state():
    return (
        ActivityEntry.objects.count(),
        Refund.objects.count(),
        OrderHandling.objects.exclude(claimed_by=None).count(),
        Ticket.objects.exclude(checked_in_at=None).count(),
        Departure.objects.filter(status="cancelled").count(),
        sorted(Order.objects.values_list("status", flat=True)),
    )


def doors(order, departure):
    ticket = Ticket.objects.get(order=order)
    return {
        "team queue": ("get", "/team/", {}),
        "claim an order": ("post", f"/team/orders/{order.number}/", {"action": "claim"}),
        "step an order": (
            "post",
            f"/team/orders/{order.number}/",
            {"action": "step", "stage": "packed"},
        ),
        "check a ticket in": ("post", f"/team/tours/{departure.pk}/", {"code": ticket.code}),
        "cancel a departure": (
            "post",
            f"/team/tours/{departure.pk}/",
            {"action": "cancel_departure", "reason": "x"},
        ),
        "refund": (
            "post",
            f"/shop/dashboard/orders/{order.number}/refund/",
            {"amount": "100", "reason": "x"},
        ),
        "tours dashboard": ("get", "/shop/dashboard/tours/", {}),
        "cancel in the tours dashboard": (
            "post",
            f"/shop/dashboard/tours/departures/{departure.pk}/cancel/",
            {"reason": "x"},
        ),
        "undo a check-in": (
            "post",
            f"/team/tours/{departure.pk}/",
            {"action": "undo_check_in", "ticket": ticket.pk},
        ),
        "name the guides": ("post", f"/team/tours/{departure.pk}/", {"action": "guides"}),
        "run a departure anyway": (
            "post",
            f"/team/tours/{departure.pk}/",
            {"action": "run_anyway"},
        ),
        "decide in the tours dashboard": (
            "post",
            f"/shop/dashboard/tours/{departure.tour_id}/departures/{departure.pk}/decide/",
            {"decision": "cancel"},
        ),
        "tourists' feedback in the dashboard": ("get", "/shop/dashboard/tours/feedback/", {}),
        "publish a review": ("post", "/shop/dashboard/tours/feedback/1/", {"action": "publish"}),
        "another tourist's order": ("get", f"/shop/accounts/orders/{order.number}/", {}),
        "status page without its code": (
            "get",
            f"/shop/orders/{order.number}/{order.number}:guess/",
            {},
        ),
        "Wagtail admin": ("get", "/cms/", {}),
    }


# What each role may do; every other door must be shut.
ALLOWED = {
    "student": {
        "team queue",
        "claim an order",
        "step an order",
        "check a ticket in",
        "cancel a departure",
        "undo a check-in",
        "name the guides",
        "run a departure anyway",
    },
    "teacher": {"team queue"},
    "tourist": set(),
    "anonymous": set(),
}
# The student's allowed POSTs change things; those are tested in the workspace tests.
SHUT = (302, 403, 404, 405)


@pytest.mark.parametrize("role", ["anonymous", "tourist", "student", "teacher"])
def test_each_role_finds_the_other_doors_shut(client, world, role):
    user = world["people"][role]
    if user is not None:
        client.force_login(user)
    before = state()

    for name, (method, url, data) in doors(world["order"], world["departure"]).items():
        if name in ALLOWED[role]:
            continue
        response = getattr(client, method)(url, data)
        assert response.status_code in SHUT, (role, name, response.status_code)
        if response.status_code == 302:
            assert "/login/" in response.url, (role, name, response.url)

    assert state() == before


def test_a_teacher_may_look_at_the_queue_and_manifest(client, world):
    client.force_login(world["people"]["teacher"])

    assert client.get("/team/").status_code == 200
    assert client.get(f"/team/tours/{world['departure'].pk}/").status_code == 200
