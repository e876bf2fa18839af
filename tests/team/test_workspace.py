"""The student workspace: a paid order walked through every step, with the record to show."""

import threading
from decimal import Decimal

import pytest
from django.db import connections
from django.test import Client
from oscar.core.loading import get_model

from shop.activity.models import ActivityEntry
from shop.team.models import OrderHandling, Stage
from shop.team.services import TeamError, order_cancel_with_refund, order_claim, order_step
from tests.checkout.helpers import ADDRESS, basket_for, gingerbread, make_departure, russia
from tests.factories import start_today
from tests.payments.helpers import pay

pytestmark = [pytest.mark.payments, pytest.mark.django_db]

StockRecord = get_model("partner", "StockRecord")
Order = get_model("order", "Order")
METHOD = "/shop/checkout/shipping-method/"


def paid_order(client, django_user_model, *, post=False, with_tour=False, goods=True):
    russia()
    customer = django_user_model.objects.create_user(
        username="tourist", email="tourist@example.com", password="pw-123456"
    )
    client.force_login(customer)
    box = gingerbread(price="1350", stock=10)
    departures = [make_departure()] if with_tour else []
    basket_for(customer, products=[box] if goods else [], departures=departures)
    if goods:
        client.post(METHOD, {"method_code": "post-russia" if post else "pickup-college"})
    else:
        client.get(METHOD)  # seats only: no delivery to choose, the checkout moves on
    if post:
        client.post("/shop/checkout/shipping-address/", ADDRESS)
    order = pay(client)
    client.logout()
    return order, box


def seats_left(departure) -> int:
    record = StockRecord.objects.get(product_id=departure.pk)
    return record.num_in_stock - (record.num_allocated or 0)


def stock(product):
    record = StockRecord.objects.get(product=product)
    return record.num_in_stock, record.num_allocated


def act(client, order, **data):
    return client.post(f"/team/orders/{order.number}/", data)


@pytest.mark.django_db(transaction=True)
def test_the_queue_kept_between_visits_shows_each_step_at_once(
    client, django_user_model, student, other_student
):
    """The queue is rendered once for the team and kept until an order, a line or a step is
    written (shop/core/table_versions.py): each visit after a step shows it."""
    order, _box = paid_order(client, django_user_model)
    watcher = Client()
    watcher.force_login(other_student)

    def row():
        queue = watcher.get("/team/").content.decode()
        if f"№ {order.number}" not in queue:
            return None
        return queue.split(f"№ {order.number}", 1)[1].split("</li>", 1)[0]

    for _ in range(3):  # the last visits are answered from what was kept
        assert "Нужно упаковать" in row() and "Пока никто" in row()
    order_claim(order=order, actor=student)
    assert "Алексей Студент" in row()
    order_step(order=order, actor=student, to_stage="packed")
    assert "Нужно упаковать" not in row()
    for stage in ("ready", "handed_over"):
        order_step(order=order, actor=student, to_stage=stage)
    assert row() is None


def test_a_student_walks_a_gingerbread_order_to_the_customer(client, django_user_model, student):
    order, box = paid_order(client, django_user_model)
    assert stock(box) == (10, 1)
    client.force_login(student)

    queue = client.get("/team/").content.decode()
    assert order.number in queue and "Нужно упаковать" in queue
    act(client, order, action="claim")
    act(client, order, action="step", stage="packed")
    act(client, order, action="step", stage="ready")
    act(client, order, action="step", stage="handed_over")

    assert OrderHandling.objects.get(order=order).stage == Stage.HANDED_OVER
    assert stock(box) == (9, 0)  # the allocation is consumed: one box left the shelf
    log = list(ActivityEntry.objects.filter(order=order).order_by("at", "pk"))
    assert [(e.action, e.after.get("stage"), e.actor) for e in log] == [
        ("order.placed", None, None),  # the shop placed it and took the money by itself
        ("order.paid", None, None),
        ("order.claimed", None, student),
        ("order.step", "packed", student),
        ("order.step", "ready", student),
        ("order.step", "handed_over", student),
    ]
    assert order.number not in client.get("/team/").content.decode()
    page = client.get(f"/team/orders/{order.number}/").content.decode()
    assert "Алексей Студент</strong> взял(а) заказ" in page
    assert "отметил(а): Выдан" in page


def test_a_student_walks_gingerbread_and_a_tour_booking_through_every_step(
    client, django_user_model, student, mailoutbox, django_capture_on_commit_callbacks
):
    from shop.bookings.models import Ticket
    from shop.customercare.services import order_status_path

    with django_capture_on_commit_callbacks(execute=True):
        order, box = paid_order(client, django_user_model, with_tour=True)
    ticket = Ticket.objects.get(order=order)
    start_today(ticket.departure)  # the day of the tour: check-in is open
    client.force_login(student)

    with django_capture_on_commit_callbacks(execute=True):
        act(client, order, action="claim")
        act(client, order, action="step", stage="packed")
        act(client, order, action="step", stage="ready")
        act(client, order, action="step", stage="handed_over")
        client.post(f"/team/tours/{ticket.departure_id}/", {"code": ticket.code})

    log = list(ActivityEntry.objects.by_staff().filter(order=order).order_by("at", "pk"))
    assert [(e.action, e.after.get("stage")) for e in log] == [
        ("order.claimed", None),
        ("order.step", "packed"),
        ("order.step", "ready"),
        ("order.step", "handed_over"),
        ("ticket.checked_in", None),
    ]
    assert {e.actor for e in log} == {student}
    assert log[-1].departure_id == ticket.departure_id
    assert [m.subject for m in mailoutbox] == [
        f"Заказ {order.number}: ваши билеты",
        f"Заказ {order.number} можно забрать",
    ]
    client.logout()
    status = client.get(order_status_path(order)).content.decode()
    assert '<li class="is-done">Выдан</li>' in status and "Отмечены в" in status


def test_a_parcel_needs_its_tracking_number(client, django_user_model, student):
    order, box = paid_order(client, django_user_model, post=True)
    client.force_login(student)
    act(client, order, action="step", stage="packed", tracking_number="typed too early")
    assert OrderHandling.objects.get(order=order).tracking_number == ""

    act(client, order, action="step", stage="shipped", tracking_number="  ")
    assert OrderHandling.objects.get(order=order).stage == Stage.PACKED
    act(client, order, action="step", stage="shipped", tracking_number="RA123456789RU")
    act(client, order, action="step", stage="delivered")

    handling = OrderHandling.objects.get(order=order)
    assert handling.stage == Stage.DELIVERED and handling.tracking_number == "RA123456789RU"
    assert stock(box) == (9, 0)


@pytest.mark.parametrize("stage", ["handed_over", "ready", "shipped", "delivered", "nonsense"])
def test_steps_out_of_order_are_refused_and_change_nothing(
    client, django_user_model, student, stage
):
    order, box = paid_order(client, django_user_model)
    client.force_login(student)

    response = act(client, order, action="step", stage=stage)

    assert response.status_code == 302
    assert OrderHandling.objects.filter(order=order, stage=Stage.CONFIRMED).exists() or not (
        OrderHandling.objects.filter(order=order).exists()
    )
    assert stock(box) == (10, 1)
    assert not ActivityEntry.objects.filter(order=order, action="order.step").exists()


def test_a_wrong_hand_over_is_undone_by_a_recorded_correction(client, django_user_model, student):
    order, box = paid_order(client, django_user_model)
    client.force_login(student)
    for stage in ("packed", "ready", "handed_over"):
        act(client, order, action="step", stage=stage)

    act(client, order, action="correct", reason="")  # a correction needs a reason
    assert OrderHandling.objects.get(order=order).stage == Stage.HANDED_OVER
    act(client, order, action="correct", reason="Отдали не тому покупателю")

    assert OrderHandling.objects.get(order=order).stage == Stage.READY
    assert stock(box) == (10, 1)
    entry = ActivityEntry.objects.get(order=order, action="order.corrected")
    assert entry.before == {"stage": "handed_over"} and entry.note == "Отдали не тому покупателю"
    assert ActivityEntry.objects.filter(order=order, action="order.step").count() == 3


def test_cancelling_refunds_once_and_returns_seats_and_stock(
    client, django_user_model, student, django_capture_on_commit_callbacks
):
    order, box = paid_order(client, django_user_model, with_tour=True)
    departure_record = StockRecord.objects.exclude(product=box).get()
    assert departure_record.num_allocated == 1
    client.force_login(student)

    confirm = client.get(f"/team/orders/{order.number}/?confirm=cancel").content.decode()
    assert "Отменить весь заказ и вернуть деньги?" in confirm
    act(client, order, action="cancel", reason="Покупатель передумал")
    act(client, order, action="cancel", reason="Покупатель передумал")  # a second tap

    order.refresh_from_db()
    assert order.status == "Cancelled"
    assert stock(box) == (10, 0)
    departure_record.refresh_from_db()
    assert departure_record.num_allocated == 0
    refunds = order.refunds.all()
    assert len(refunds) == 1 and refunds[0].amount == order.total_incl_tax
    assert refunds[0].status == "succeeded"


def test_a_booking_alone_is_cancelled_from_the_workspace_and_the_customer_told(
    client, django_user_model, student, mailoutbox, django_capture_on_commit_callbacks
):
    from shop.bookings.models import Ticket
    from shop.bookings.tickets import CheckInError, ticket_check_in

    order, _box = paid_order(client, django_user_model, with_tour=True, goods=False)
    ticket = Ticket.objects.get(order=order)
    client.force_login(student)

    page = client.get(f"/team/orders/{order.number}/").content.decode()
    assert "Отменить заказ…" in page and "Я беру" not in page  # nothing to claim or pack
    with django_capture_on_commit_callbacks(execute=True):
        act(client, order, action="cancel", reason="Турист позвонил: заболел")

    order.refresh_from_db()
    assert order.status == "Cancelled" and seats_left(ticket.departure) == 15
    (refund,) = order.refunds.all()
    assert refund.amount == Decimal("900.00") and refund.status == "succeeded"
    with pytest.raises(CheckInError):
        ticket_check_in(
            departure=ticket.departure,
            code=ticket.code,
            actor=student,
            now=ticket.departure.starts_at,
        )
    (message,) = [m for m in mailoutbox if "отменён" in m.subject]
    assert message.to == ["tourist@example.com"] and order.number in message.subject
    assert "Мы вернули 900\xa0₽ на вашу карту" in message.body
    assert "Турист позвонил" not in message.body  # the staff's reason stays inside


def test_an_order_whose_tour_has_started_is_not_cancelled_by_the_team(
    client, django_user_model, student
):
    order, box = paid_order(client, django_user_model, with_tour=True)
    departure_line = order.lines.exclude(product=box).get()
    start_today(departure_line.product.departure)
    client.force_login(student)

    page = client.get(f"/team/orders/{order.number}/").content.decode()
    assert "Отменить заказ…" not in page
    with pytest.raises(TeamError, match="Экскурсия этого заказа уже началась"):
        order_cancel_with_refund(order=order, actor=student, reason="Покупатель передумал")
    order.refresh_from_db()
    assert order.status == "Paid" and not order.refunds.exists()


@pytest.mark.sqlite  # a race for a row lock
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_students_claiming_at_once_one_wins_the_other_is_told(
    client, django_user_model, student, other_student
):
    order, _box = paid_order(client, django_user_model)
    barrier = threading.Barrier(2)
    results = {}

    def claim(user):
        try:
            barrier.wait(timeout=10)
            order_claim(order=Order.objects.get(pk=order.pk), actor=user)
            results[user.username] = "won"
        except TeamError as error:
            results[user.username] = str(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=claim, args=(u,)) for u in (student, other_student)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(results.values()).count("won") == 1
    loser = next(message for message in results.values() if message != "won")
    winner = OrderHandling.objects.get(order=order).claimed_by
    assert winner.first_name in loser
    assert ActivityEntry.objects.filter(order=order, action="order.claimed").count() == 1


def test_a_teacher_can_look_but_not_act(client, django_user_model, teacher):
    order, box = paid_order(client, django_user_model)
    client.force_login(teacher)

    assert client.get("/team/").status_code == 200
    assert client.get(f"/team/orders/{order.number}/").status_code == 200
    response = act(client, order, action="step", stage="packed")

    assert response.status_code == 403
    assert not ActivityEntry.objects.by_staff().filter(order=order).exists()


def test_tourists_and_strangers_are_kept_out(client, django_user_model):
    order, box = paid_order(client, django_user_model)
    assert client.get("/team/").status_code == 302  # to the login page
    assert act(client, order, action="claim").status_code == 302
    client.force_login(django_user_model.objects.get(username="tourist"))
    assert client.get("/team/").status_code == 403
    assert client.get(f"/team/orders/{order.number}/").status_code == 403
    assert act(client, order, action="claim").status_code == 403
    assert not ActivityEntry.objects.by_staff().filter(order=order).exists()


def test_the_service_refuses_steps_on_a_cancelled_order(client, django_user_model, student):
    order, box = paid_order(client, django_user_model)
    order_cancel_with_refund(order=order, actor=student, reason="Покупатель передумал")

    with pytest.raises(TeamError):
        order_step(order=order, actor=student, to_stage="packed")
