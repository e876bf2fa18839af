"""Gingerbread picked up at a tour's meeting point: on that departure's manifest, waiting for
its tour in the queue (with the delivery and the tour's date), handed over only from the
manifest and only on the day."""

import pytest
from django.contrib.auth.models import Group
from oscar.core.loading import get_model

from shop.activity.models import ActivityEntry
from shop.core.roles import STUDENTS, roles_ensure_groups
from shop.team.models import OrderHandling
from shop.team.services import TeamError, order_step
from tests.checkout.helpers import checkout_and_pay, gingerbread, make_departure
from tests.factories import start_today

pytestmark = [pytest.mark.payments, pytest.mark.django_db]

StockRecord = get_model("partner", "StockRecord")


@pytest.fixture
def guide(django_user_model):
    roles_ensure_groups()
    user = django_user_model.objects.create_user(username="guide", password="pw-123456")
    user.groups.add(Group.objects.get(name=STUDENTS))
    return user


@pytest.fixture
def at_the_tour(client, django_user_model):
    """A gift box to pick up at the meeting point of the tour booked with it, and another
    order for the same tour with the box picked up at the college."""
    departure = make_departure(capacity=10)
    box = gingerbread(title="Подарочный набор «Нерпа»", price="900", stock=5)
    orders = []
    for name, method in (("anna", "pickup-meeting-point"), ("boris", "pickup-college")):
        customer = django_user_model.objects.create_user(
            username=name, email=f"{name}@example.com", password="pw"
        )
        orders.append(
            checkout_and_pay(
                client, customer, products=[box], departures=[departure], method=method
            )
        )
        client.logout()
    return departure, box, orders[0], orders[1]


def test_the_manifest_lists_the_gingerbread_to_hand_over_at_its_meeting_point(
    client, guide, at_the_tour
):
    departure, _box, at_tour, at_college = at_the_tour
    assert at_tour.shipping_code == "pickup-meeting-point"
    client.force_login(guide)

    manifest = client.get(f"/team/tours/{departure.pk}/").content.decode()
    queue = client.get("/team/").content.decode()

    goods = manifest.split("Пряники к выдаче на месте сбора", 1)[1]
    assert f"№ {at_tour.number}" in goods and "Подарочный набор «Нерпа» × 1" in goods
    assert at_college.number not in goods
    row = queue.split(f"№ {at_tour.number}", 1)[1].split("</li>", 1)[0]
    assert "Получение на месте сбора экскурсии" in row
    assert departure.local_starts_at.strftime("%H:%M") in row


def test_it_is_handed_over_only_from_the_manifest_and_only_on_the_day(client, guide, at_the_tour):
    departure, box, at_tour, _at_college = at_the_tour
    client.force_login(guide)
    order_page = f"/team/orders/{at_tour.number}/"
    for stage in ("packed", "ready"):
        client.post(order_page, {"action": "step", "stage": stage})
    manifest = f"/team/tours/{departure.pk}/"
    hand_over = {"action": "hand_over", "order": at_tour.number}

    # From the order page: refused, with the way to do it.
    response = client.post(order_page, {"action": "step", "stage": "handed_over"}, follow=True)
    assert "отметьте выдачу в списке этой экскурсии" in response.content.decode()
    assert f'href="{manifest}"' in client.get(order_page).content.decode()
    # From the manifest, two days before the tour: refused.
    response = client.post(manifest, hand_over, follow=True)
    assert "выдаётся в день экскурсии" in response.content.decode()
    with pytest.raises(TeamError):
        order_step(order=at_tour, actor=guide, to_stage="handed_over")
    assert OrderHandling.objects.get(order=at_tour).stage == "ready"

    start_today(departure)
    assert "Выдан: заказ" in client.get(manifest).content.decode()
    client.post(manifest, hand_over)

    assert OrderHandling.objects.get(order=at_tour).stage == "handed_over"
    stock = StockRecord.objects.get(product=box)
    assert (stock.num_in_stock, stock.num_allocated) == (4, 1)  # the college's box still waits
    entry = ActivityEntry.objects.filter(action="order.step", order=at_tour).latest("pk")
    assert entry.actor == guide and entry.after == {"stage": "handed_over"}
    assert f"№ {at_tour.number}" not in client.get("/team/").content.decode()
