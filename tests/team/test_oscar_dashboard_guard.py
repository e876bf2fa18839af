"""Oscar's order dashboard lets anyone who may view an order post changes to it (notes,
payment and shipping events, the shipping address). Viewing is not changing."""

import pytest
from oscar.core.loading import get_model

from shop.core.roles import STUDENTS, TEACHERS
from tests.checkout.helpers import ADDRESS, basket_for, gingerbread, russia
from tests.factories import make_member
from tests.payments.helpers import pay

pytestmark = [pytest.mark.payments, pytest.mark.django_db]

Order = get_model("order", "Order")
OrderNote = get_model("order", "OrderNote")
ShippingEvent = get_model("order", "ShippingEvent")
PaymentEvent = get_model("order", "PaymentEvent")
ShippingAddress = get_model("order", "ShippingAddress")


@pytest.fixture
def order(client, django_user_model):
    russia()
    customer = django_user_model.objects.create_user(
        username="tourist", email="tourist@example.com", password="pw-123456"
    )
    client.force_login(customer)
    basket_for(customer, products=[gingerbread(price="500", stock=5)])
    client.post("/shop/checkout/shipping-method/", {"method_code": "post-russia"})
    client.post("/shop/checkout/shipping-address/", ADDRESS)
    placed = pay(client)
    client.logout()
    return placed


def changes(order):
    return (
        OrderNote.objects.filter(order=order).count(),
        ShippingEvent.objects.filter(order=order).count(),
        PaymentEvent.objects.filter(order=order).count(),
        Order.objects.get(pk=order.pk).status,
        ShippingAddress.objects.get(pk=order.shipping_address_id).line1,
    )


def attempts(order):
    line = order.lines.first()
    detail = f"/shop/dashboard/orders/{order.number}/"
    return [
        (detail, {"order_action": "save_note", "message": "I was here"}),
        (f"{detail}notes/1/", {"order_action": "save_note", "message": "Me too"}),
        (detail, {"order_action": "change_order_status", "new_status": "Cancelled"}),
        (detail, {"order_action": "create_order_payment_event", "amount": "1", "event_type": 1}),
        (
            detail,
            {
                "line_action": "create_shipping_event",
                "selected_line": [line.pk],
                f"selected_line_qty_{line.pk}": 1,
                "shipping_event_type": 1,
            },
        ),
        (
            detail,
            {"line_action": "change_line_statuses", "selected_line": [line.pk], "new_status": "x"},
        ),
        (
            f"{detail}shipping-address/",
            {**{k: v for k, v in ADDRESS.items()}, "line1": "Somewhere else", "country": "RU"},
        ),
        (
            "/shop/dashboard/orders/",
            {
                "action": "change_order_statuses",
                "selected_order": [order.pk],
                "new_status": "Cancelled",
            },
        ),
    ]


@pytest.mark.parametrize(
    ("group", "fields"),
    [(STUDENTS, {}), (TEACHERS, {}), (TEACHERS, {"is_staff": True})],
    ids=["student", "teacher", "teacher-with-dashboard"],
)
def test_viewers_cannot_change_an_order_in_oscars_dashboard(
    client, django_user_model, order, group, fields
):
    viewer = make_member(group, **fields)
    client.force_login(viewer)
    before = changes(order)

    for url, data in attempts(order):
        response = client.post(url, data)
        assert response.status_code in (403, 404), (url, data, response.status_code)

    assert changes(order) == before


def test_a_viewer_still_sees_the_order(client, django_user_model, order):
    teacher = make_member(TEACHERS, is_staff=True)
    client.force_login(teacher)

    assert client.get(f"/shop/dashboard/orders/{order.number}/").status_code == 200


def test_an_order_manager_can_still_write_a_note(client, django_user_model, order):
    manager = django_user_model.objects.create_user(
        username="boss", password="pw-123456", is_staff=True
    )
    from django.contrib.auth.models import Permission

    manager.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="order", codename__in=["view_order", "change_order"]
        )
    )
    client.force_login(manager)

    client.post(
        f"/shop/dashboard/orders/{order.number}/",
        {"order_action": "save_note", "message": "Called the customer"},
    )

    assert OrderNote.objects.filter(order=order, message="Called the customer").exists()
