"""Orders made from bookings keep who is coming, and cancelling gives seats and stock back."""

import pytest
from django.core.exceptions import PermissionDenied
from oscar.apps.shipping.methods import NoShippingRequired
from oscar.core.loading import get_class, get_model

from shop.activity.models import ActivityEntry
from shop.bookings.basket_services import BookingRequest, basket_add_booking
from shop.order.services import OrderChangeError, order_cancel, order_line_cancel
from shop.order.utils import OrderCreator
from shop.partner.strategy import Selector
from tests.factories import make_gingerbread, make_staff, make_tour

pytestmark = [pytest.mark.django_db]

Basket = get_model("basket", "Basket")
StockRecord = get_model("partner", "StockRecord")
OrderTotalCalculator = get_class("checkout.calculators", "OrderTotalCalculator")


def place(basket):
    shipping = NoShippingRequired()
    charge = shipping.calculate(basket)
    total = OrderTotalCalculator().calculate(basket, charge)
    return OrderCreator().place_order(
        basket=basket, total=total, shipping_method=shipping, shipping_charge=charge
    )


@pytest.fixture
def order_with_booking_and_gingerbread():
    tour = make_tour(departures=1, capacity=10)
    departure = tour.tour.departures.get()
    gingerbread = make_gingerbread(stock=20)
    basket = Basket.objects.create()
    basket.strategy = Selector().strategy()
    basket_add_booking(
        basket,
        departure,
        BookingRequest(
            tickets={"adult": 2, "child": 1},
            lead_name="Иван Петров",
            lead_phone="+79141234567",
            participants=["Мария Петрова"],
        ),
    )
    basket.add_product(gingerbread, 4)
    return place(basket), departure, gingerbread


def seats_sold(departure):
    return StockRecord.objects.get(product_id=departure.pk).num_allocated


def pieces_allocated(product):
    return StockRecord.objects.get(product=product).num_allocated


def test_order_lines_carry_departure_time_ticket_type_and_participants(
    order_with_booking_and_gingerbread,
):
    order, departure, _gingerbread = order_with_booking_and_gingerbread

    lines = {line.description: line for line in order.lines.all()}
    label = f"Астральные места Байкальска, {departure.local_start_label()}"
    assert set(lines) == {
        f"{label} — Взрослый",
        f"{label} — Детский",
        "Пряник «Нерпа»",
    }
    adult = lines[f"{label} — Взрослый"]
    assert adult.quantity == 2 and adult.unit_price_incl_tax == 900
    booking = adult.attributes.get(option__code="booking").value
    assert booking["lead_name"] == "Иван Петров"
    assert booking["participants"] == ["Мария Петрова"]
    assert order.total_incl_tax == 2 * 900 + 450 + 4 * 250
    assert seats_sold(departure) == 3


def test_cancelling_an_order_returns_its_seats_and_stock_and_is_logged(
    order_with_booking_and_gingerbread,
):
    order, departure, gingerbread = order_with_booking_and_gingerbread
    student = make_staff("student@example.com")

    order_cancel(order=order, actor=student, reason="Турист передумал")

    order.refresh_from_db()
    assert order.status == "Cancelled"
    assert set(order.lines.values_list("status", flat=True)) == {"Cancelled"}
    assert seats_sold(departure) == 0
    assert pieces_allocated(gingerbread) == 0
    entry = ActivityEntry.objects.get(action="order.cancelled")
    assert entry.actor == student and entry.order == order
    assert entry.before == {"status": "Pending"} and entry.note == "Турист передумал"


def test_cancelling_twice_gives_nothing_back_twice(order_with_booking_and_gingerbread):
    order, departure, gingerbread = order_with_booking_and_gingerbread
    staff = make_staff()
    order_cancel(order=order, actor=staff)

    with pytest.raises(OrderChangeError):
        order_cancel(order=order, actor=staff)

    assert seats_sold(departure) == 0
    assert pieces_allocated(gingerbread) == 0


def test_cancelling_one_line_returns_only_its_seats(order_with_booking_and_gingerbread):
    order, departure, gingerbread = order_with_booking_and_gingerbread
    staff = make_staff()
    child = order.lines.get(title__contains="Астральные", attributes__value="child")

    order_line_cancel(line=child, actor=staff, reason="Ребёнок заболел")

    assert seats_sold(departure) == 2
    assert pieces_allocated(gingerbread) == 4
    order.refresh_from_db()
    assert order.status == "Pending"
    with pytest.raises(OrderChangeError):
        order_line_cancel(line=child, actor=staff)
    assert seats_sold(departure) == 2


def test_cancelling_every_line_cancels_the_order(order_with_booking_and_gingerbread):
    order, departure, _gingerbread = order_with_booking_and_gingerbread
    staff = make_staff()
    for line in order.lines.all():
        order_line_cancel(line=line, actor=staff)

    order.refresh_from_db()
    assert order.status == "Cancelled"
    assert ActivityEntry.objects.filter(action="line.cancelled").count() == 3


def test_staff_actions_need_a_signed_in_actor(order_with_booking_and_gingerbread):
    order, departure, _gingerbread = order_with_booking_and_gingerbread

    with pytest.raises(ValueError):
        order_cancel(order=order, actor=None)

    assert seats_sold(departure) == 3


def test_activity_entries_cannot_be_changed_or_deleted(order_with_booking_and_gingerbread):
    order, _departure, _gingerbread = order_with_booking_and_gingerbread
    order_cancel(order=order, actor=make_staff())
    entry = ActivityEntry.objects.get(action="order.cancelled")

    entry.note = "исправлено задним числом"
    with pytest.raises(PermissionDenied):
        entry.save()
    with pytest.raises(PermissionDenied):
        entry.delete()
    with pytest.raises(PermissionDenied):
        ActivityEntry.objects.filter(pk=entry.pk).update(note="x")
    with pytest.raises(PermissionDenied):
        ActivityEntry.objects.all().delete()
