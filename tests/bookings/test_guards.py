"""Side doors around the booking rules: Oscar's dashboard, basket merges, changed fares,
odd ids and dates. Each test is a way seats or money could go wrong that is now closed."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from oscar.apps.shipping.methods import NoShippingRequired
from oscar.core.loading import get_class, get_model

from shop.bookings.basket_services import BookingRequest, basket_add_booking
from shop.bookings.services import (
    ScheduleError,
    departure_schedule_create,
    departure_update,
)
from shop.order.services import order_cancel
from shop.order.utils import OrderCreator
from shop.partner.strategy import Selector
from tests.factories import make_gingerbread, make_staff, make_tour

pytestmark = [pytest.mark.django_db]

Basket = get_model("basket", "Basket")
BasketLine = get_model("basket", "Line")
Order = get_model("order", "Order")
Product = get_model("catalogue", "Product")
StockRecord = get_model("partner", "StockRecord")
OrderTotalCalculator = get_class("checkout.calculators", "OrderTotalCalculator")
EventHandler = get_class("order.processing", "EventHandler")
StockRecordForm = get_class("dashboard.catalogue.forms", "StockRecordForm")


def departure_of_new_tour(capacity=10, **fields):
    return make_tour(departures=1, capacity=capacity, **fields).tour.departures.get()


def basket(owner=None):
    result = Basket.objects.create(owner=owner)
    result.strategy = Selector().strategy()
    return result


def book(target, departure, ref=None, **tickets):
    request = BookingRequest(tickets=tickets, lead_name="Иван Петров", lead_phone="+79141234567")
    if ref:
        request.ref = ref
    return basket_add_booking(target, departure, request)


def place(target):
    shipping = NoShippingRequired()
    charge = shipping.calculate(target)
    total = OrderTotalCalculator().calculate(target, charge)
    return OrderCreator().place_order(
        basket=target, total=total, shipping_method=shipping, shipping_charge=charge
    )


def order_for(departure, **tickets):
    target = basket()
    book(target, departure, **tickets)
    return place(target)


def sold(departure):
    return StockRecord.objects.get(product_id=departure.pk).num_allocated


def start_checkout(client):
    client.get("/shop/checkout/shipping-method/")
    return client.get("/shop/checkout/payment-method/")


def test_oscar_dashboard_cannot_cancel_an_order_behind_the_seats_back(client):
    departure = departure_of_new_tour()
    order = order_for(departure, adult=3)
    client.force_login(make_staff("boss@example.com", is_superuser=True))

    client.post(
        f"/shop/dashboard/orders/{order.number}/",
        {"order_action": "change_order_status", "new_status": "Cancelled"},
    )

    order.refresh_from_db()
    assert order.status == "Pending"
    assert sold(departure) == 3
    assert client.get(f"/shop/dashboard/orders/{order.number}/").status_code == 200


def test_a_fare_withdrawn_after_booking_keeps_the_basket_working_but_blocks_checkout(
    client, django_user_model
):
    departure = departure_of_new_tour()
    user = django_user_model.objects.create_user(username="a", email="a@example.com", password="p")
    book(basket(user), departure, adult=1, child=1)
    departure_update(
        departure=departure, capacity=10, prices={"adult": Decimal("900")}, actor=make_staff()
    )
    client.force_login(user)

    page = client.get("/shop/basket/")
    response = start_checkout(client)

    assert page.status_code == 200
    assert "больше не продаётся" in page.content.decode()
    assert response.status_code == 302 and response.url == "/shop/basket/"


def test_checkout_counts_all_lines_of_a_departure_against_its_seats(client, django_user_model):
    departure = departure_of_new_tour(capacity=10)
    user = django_user_model.objects.create_user(username="b", email="b@example.com", password="p")
    book(basket(user), departure, adult=4, child=4)
    StockRecord.objects.filter(product_id=departure.pk).update(num_allocated=4)  # 6 left
    client.force_login(user)

    response = start_checkout(client)

    assert response.status_code == 302 and response.url == "/shop/basket/"
    assert "Осталось только 6 мест" in client.get("/shop/basket/").content.decode()


def test_a_basket_merged_at_sign_in_cannot_check_out_more_people_than_seats(
    client, django_user_model
):
    departure = departure_of_new_tour(capacity=10, max_per_booking=6)
    user = django_user_model.objects.create_user(
        username="u", email="u@example.com", password="pw-123456"
    )
    book(basket(user), departure, adult=6)
    page = client.get(f"/shop/tours/{departure.tour_id}/book/", {"departure": departure.pk})
    ref = re.search(r'name="booking_ref" value="([0-9a-f]{32})"', page.content.decode()).group(1)
    client.post(
        f"/shop/tours/{departure.tour_id}/book/",
        {
            "departure": departure.pk,
            "booking_ref": ref,
            "tickets_adult": "4",
            "lead_name": "Анна",
            "lead_phone": "+79140000000",
        },
    )
    StockRecord.objects.filter(product_id=departure.pk).update(num_allocated=2)  # 8 left
    assert client.login(username="u", password="pw-123456")

    response = start_checkout(client)

    assert response.status_code == 302 and response.url == "/shop/basket/"
    assert Order.objects.count() == 0


def test_oscar_stock_form_cannot_change_a_departures_seats_or_undercut_sold_stock():
    departure = departure_of_new_tour(capacity=10)
    order_for(departure, adult=6)
    record = StockRecord.objects.get(product_id=departure.pk)
    staff = make_staff("s2@example.com", is_superuser=True)
    data = {
        "partner": record.partner_id,
        "partner_sku": record.partner_sku,
        "price_currency": "RUB",
        "price": "1",
        "num_in_stock": "2",
    }
    departure_form = StockRecordForm(
        departure.product.get_product_class(), staff, data=data, instance=record
    )
    gingerbread = make_gingerbread(stock=10)
    StockRecord.objects.filter(product=gingerbread).update(num_allocated=4)
    goods = StockRecord.objects.get(product=gingerbread)
    goods_form = StockRecordForm(
        gingerbread.get_product_class(),
        staff,
        data=data | {"partner_sku": goods.partner_sku, "num_in_stock": "3", "price": "250"},
        instance=goods,
    )

    assert not departure_form.is_valid()
    assert not goods_form.is_valid()
    assert "num_in_stock" in goods_form.errors
    record.refresh_from_db()
    assert (record.num_in_stock, record.num_allocated) == (10, 6)


def test_a_stock_record_save_never_writes_back_a_stale_allocation():
    product = make_gingerbread(stock=10)
    stale = StockRecord.objects.get(product=product)
    StockRecord.objects.filter(pk=stale.pk).update(num_allocated=3)  # an order meanwhile

    stale.low_stock_threshold = 2
    stale.save()

    assert StockRecord.objects.get(pk=stale.pk).num_allocated == 3


def test_two_full_bookings_do_not_lock_the_basket_form(client):
    departure = departure_of_new_tour(capacity=20, max_per_booking=5)
    gingerbread = make_gingerbread(stock=10)
    for ref in ("a" * 32, "b" * 32):
        client.post(
            f"/shop/tours/{departure.tour_id}/book/",
            {
                "departure": departure.pk,
                "booking_ref": ref,
                "tickets_adult": "5",
                "lead_name": "Анна",
                "lead_phone": "+79140000000",
            },
        )
    client.post(f"/shop/basket/add/{gingerbread.pk}/", {"quantity": 1})
    lines = list(BasketLine.objects.order_by("pk"))
    data = {
        "form-TOTAL_FORMS": str(len(lines)),
        "form-INITIAL_FORMS": str(len(lines)),
        "form-MIN_NUM_FORMS": "0",
        "form-MAX_NUM_FORMS": "1000",
    }
    for index, line in enumerate(lines):
        data[f"form-{index}-id"] = line.pk
        data[f"form-{index}-quantity"] = 3 if line.product_id == gingerbread.pk else line.quantity

    client.post("/shop/basket/", data)

    assert BasketLine.objects.get(product=gingerbread).quantity == 3


def test_free_children_do_not_make_a_paid_tour_look_free(client):
    tour = make_tour(departures=1, capacity=10, fares={"adult": "900", "child": "0"})

    page = client.get(tour.get_absolute_url()).content.decode()
    card = client.get("/shop/catalogue/?type=tour").content.decode()

    assert "Взрослый: 900\xa0₽" in page and "от 900\xa0₽" in card
    assert "Бесплатно" not in page and "Бесплатно" not in card


def test_the_free_group_tour_reads_free_in_the_basket(client):
    tour = make_tour(
        departures=1, capacity=30, fares={"group": "0"}, is_group_booking=True, max_per_booking=30
    )
    departure = tour.tour.departures.get()
    client.post(
        f"/shop/tours/{tour.pk}/book/",
        {
            "departure": departure.pk,
            "booking_ref": "c" * 32,
            "tickets_group": "12",
            "lead_name": "Ольга Учитель",
            "lead_phone": "+79140000000",
            "organisation": "Школа № 10",
        },
    )

    html = client.get("/shop/basket/").content.decode()

    assert "Бесплатно" in html
    assert "&mdash;" not in html


@pytest.mark.parametrize("raw", ["99999999999999999999", "0", "-1", "сегодня"])
def test_huge_or_odd_ids_on_the_booking_page_send_back_to_the_tour(client, raw):
    departure = departure_of_new_tour()
    book = f"/shop/tours/{departure.tour_id}/book/"

    for send in (client.get, client.post):
        response = send(book, {"departure": raw})
        assert response.status_code == 302
        assert response["Location"] == departure.tour.product.get_absolute_url()
        told = [str(m) for m in response.wsgi_request._messages]
        assert told[-1] == "Выберите дату и время из списка.", told
    assert client.get("/shop/tours/99999999999999999999/book/").status_code == 404


def test_an_id_with_spaces_around_still_names_its_departure(client):
    departure = departure_of_new_tour()
    book = f"/shop/tours/{departure.tour_id}/book/"

    page = client.get(book, {"departure": f" {departure.pk} "})
    sent = client.post(book, {"departure": f" {departure.pk} "})  # and no tickets

    assert page.status_code == 200 and 'name="booking_ref"' in page.content.decode()
    assert sent.status_code == 400 and "Выберите хотя бы один билет." in sent.content.decode()


def test_a_schedule_at_the_end_of_the_calendar_is_refused_not_crashed():
    tour = make_tour(departures=0)

    with pytest.raises(ScheduleError):
        departure_schedule_create(
            tour=tour.tour,
            date_from=dt.date(9999, 12, 31),
            date_to=dt.date(9999, 12, 31),
            weekdays=set(range(7)),
            times=[dt.time(10)],
            capacity=10,
            prices={"adult": Decimal("900")},
            actor=make_staff(),
        )


def test_a_sold_out_departure_sends_the_tourist_back_with_the_reason(client):
    departure = departure_of_new_tour(capacity=5)
    StockRecord.objects.filter(product_id=departure.pk).update(num_allocated=5)

    response = client.get(f"/shop/tours/{departure.tour_id}/book/", {"departure": departure.pk})

    assert response.status_code == 302
    assert "распроданы" in " ".join(str(m) for m in response.wsgi_request._messages)


def test_a_tour_variant_made_by_hand_without_a_date_cannot_be_bought(client):
    departure = departure_of_new_tour()
    tour = departure.tour.product
    stray = Product.objects.create(parent=tour, structure=Product.CHILD, is_public=True)
    StockRecord.objects.create(
        product=stray,
        partner=StockRecord.objects.get(product_id=departure.pk).partner,
        partner_sku="STRAY",
        price=Decimal("100"),
        num_in_stock=10,
    )

    client.post(f"/shop/basket/add/{stray.pk}/", {"quantity": 1})
    client.post(f"/shop/basket/add/{tour.pk}/", {"quantity": 1, "child_id": stray.pk})

    assert BasketLine.objects.count() == 0


def test_a_cancelled_order_cannot_release_its_seats_again_through_oscar():
    departure = departure_of_new_tour(capacity=10)
    order = order_for(departure, adult=3)
    other = order_for(departure, adult=2)
    order_cancel(order=order, actor=make_staff())

    lines = list(order.lines.all())
    EventHandler().cancel_stock_allocations(order, lines, [line.quantity for line in lines])

    assert sold(departure) == 2  # only the other order's seats
    assert other.lines.get().num_allocated == 2
