"""A customer cancels a booking (whole, or some of its people) or moves it to another date,
from the order's signed status link, through the real pages, with the money going back
through the payment layer to localstripe."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone
from oscar.core.loading import get_model

from shop.activity.models import ActivityEntry
from shop.bookings.changes import booking_change_refund, booking_changes_refund_missing
from shop.bookings.models import BookingChange, Departure, Ticket, TicketVoid
from shop.bookings.tickets import CheckInError, ticket_check_in
from shop.customercare.services import order_status_path
from shop.payments.models import Refund
from tests.bookings.helpers import (
    GUEST,
    book_and_pay,
    change_path,
    changes_of,
    form_key,
    money_kept_and_refunded,
    seats_sold,
    stripe_refunded,
    ticket_of,
)
from tests.factories import make_staff, make_tour, make_voucher

pytestmark = [pytest.mark.payments, pytest.mark.django_db]

Order = get_model("order", "Order")
Line = get_model("order", "Line")


@pytest.fixture
def tour():
    """Three dates: adult 900 ₽, child 450 ₽; the third one cheaper (700/350), a fourth dearer."""
    product = make_tour(
        departures=4, capacity=10, fares={"adult": "900", "child": "450"}, max_per_booking=6
    )
    third, fourth = list(product.tour.departures.order_by("starts_at"))[2:]
    third.fares.filter(ticket_type__code="adult").update(price=700)
    third.fares.filter(ticket_type__code="child").update(price=350)
    fourth.fares.filter(ticket_type__code="adult").update(price=1200)
    return product.tour


@pytest.fixture
def dates(tour):
    return list(Departure.objects.filter(tour=tour).order_by("starts_at"))


@pytest.fixture
def submit(client, django_capture_on_commit_callbacks):
    """A form sent as the browser sends it; what waits for the commit (the refund, the
    e-mail's task) runs as after a real request, although each test is one transaction."""

    def submit(url, data):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(url, data)

    return submit


@pytest.fixture
def order(client, dates):
    """A guest's paid order: 2 adults and a child (2 250 ₽) on the first date."""
    return book_and_pay(client, dates[0])


def cancel_one_adult(client, submit, order, ticket, *, name="Борис Иванов"):
    url = change_path(order, ticket, "cancel")
    page = client.get(url)
    data = {"action": "preview", "key": form_key(page.content.decode()), "people_adult": 1}
    if name:
        data["names"] = [name]
    preview = submit(url, data)
    assert preview.status_code == 200, preview.content.decode()
    assert "Отменить этих участников" in preview.content.decode()
    return submit(url, {**data, "action": "confirm_part"})


def test_the_status_page_offers_the_changes_until_the_cut_off(client, order):
    html = client.get(order_status_path(order)).content.decode()

    ticket = ticket_of(order)
    assert change_path(order, ticket, "cancel") in html
    assert change_path(order, ticket, "date") in html
    assert "Бесплатная отмена или перенос даты до" in html


def test_a_guest_cancels_one_person_of_three_and_gets_that_seat_back(submit, client, order, dates):
    ticket = ticket_of(order)
    response = cancel_one_adult(client, submit, order, ticket)

    assert response.status_code == 303 and response.url == order_status_path(order)
    assert seats_sold(dates[0]) == 2
    ticket.refresh_from_db()
    assert ticket.people == 2 and not ticket.is_void
    # The adult line keeps one adult; the cancelled one is a line of its own.
    lines = sorted(
        (line.quantity, line.status, line.line_price_incl_tax) for line in order.lines.all()
    )
    assert lines == [
        (1, "Cancelled", Decimal("900.00")),
        (1, "Pending", Decimal("450.00")),
        (1, "Pending", Decimal("900.00")),
    ]
    refund = Refund.objects.get(order=order)
    assert (refund.amount, refund.status) == (Decimal("900.00"), "succeeded")
    assert stripe_refunded(order) == Decimal("900.00")
    assert money_kept_and_refunded(order) == (Decimal("1350.00"), Decimal("900.00"))
    entry = ActivityEntry.objects.get(action="booking.part_cancelled")
    assert entry.actor_kind == "customer" and entry.actor is None and entry.order == order
    assert entry.after["people"] == 1 and entry.after["refund"] == "900.00"
    # The customer reads it all on the status page and in an e-mail in the order's language.
    page = client.get(response.url).content.decode()
    assert "1 человек убран из брони. 900\xa0₽ вернутся на вашу карту" in page
    who = page.split("Кто поедет")[1].split("</dd>")[0]
    assert "Вера Иванова" in who and "Борис Иванов" not in who
    assert "1 участник отменён вами (Борис Иванов)" in page
    message = next(m for m in mail.outbox if "отмен" in m.subject.lower())
    assert message.to == [GUEST] and "900\xa0₽" in message.body


def test_the_same_form_sent_twice_cancels_and_refunds_once(submit, client, order, dates):
    ticket = ticket_of(order)
    first = cancel_one_adult(client, submit, order, ticket)
    assert first.status_code == 303
    key = BookingChange.objects.get().key
    url = change_path(order, ticket, "cancel")
    again = submit(
        url,
        {"action": "confirm_part", "key": key, "people_adult": 1, "names": ["Борис Иванов"]},
    )

    assert again.status_code == 303
    assert BookingChange.objects.count() == 1
    assert seats_sold(dates[0]) == 2
    assert stripe_refunded(order) == Decimal("900.00")
    # Sending the change's refund again (a retry, reconciliation) sends nothing more.
    change = BookingChange.objects.get()
    assert booking_change_refund(change).pk == Refund.objects.get().pk
    assert booking_changes_refund_missing() == 0
    assert stripe_refunded(order) == Decimal("900.00")


def test_cancelling_the_whole_booking_voids_its_ticket_and_refunds_what_was_paid(
    submit, client, order, dates
):
    ticket = ticket_of(order)
    url = change_path(order, ticket, "cancel")
    page = client.get(url).content.decode()
    assert "Вернётся на карту: <strong>2\xa0250\xa0₽</strong>" in page

    response = submit(url, {"action": "cancel", "key": form_key(page)})

    assert response.status_code == 303
    ticket.refresh_from_db()
    assert ticket.void_reason == TicketVoid.CANCELLED
    order.refresh_from_db()
    assert order.status == "Cancelled"
    assert seats_sold(dates[0]) == 0
    assert money_kept_and_refunded(order) == (Decimal("0.00"), Decimal("2250.00"))
    with pytest.raises(CheckInError, match="бронирование отменено"):
        ticket_check_in(
            departure=dates[0], code=ticket.code, actor=make_staff(), now=dates[0].starts_at
        )
    ticket_page = client.get(f"/shop/tickets/{ticket_token(ticket)}/").content.decode()
    assert "Билет недействителен" in ticket_page
    status = client.get(order_status_path(order)).content.decode()
    assert "Бронь отменена. Возвращено 2\xa0250\xa0₽." in status
    assert change_path(order, ticket, "cancel") not in status


def ticket_token(ticket):
    from shop.bookings.ticket_documents import ticket_token as token

    return token(ticket)


def test_after_the_cut_off_nothing_can_be_cancelled_or_moved(submit, client, order, dates):
    Departure.objects.filter(pk=dates[0].pk).update(
        starts_at=timezone.now() + dt.timedelta(hours=20)
    )
    ticket = ticket_of(order)
    status = client.get(order_status_path(order)).content.decode()
    assert "Бесплатная отмена и перенос даты закончились" in status
    assert change_path(order, ticket, "cancel") not in status

    url = change_path(order, ticket, "cancel")
    page = client.get(url)
    response = submit(url, {"action": "cancel", "key": "a" * 32})
    moved = submit(change_path(order, ticket, "date"), {"key": "b" * 32, "to": dates[1].pk})

    assert "закончились" in page.content.decode()
    assert response.status_code == moved.status_code == 400
    assert "закончились" in response.content.decode()
    assert seats_sold(dates[0]) == 3 and seats_sold(dates[1]) == 0
    assert not BookingChange.objects.exists() and not Refund.objects.exists()


@pytest.fixture
def customer(client, django_user_model):
    user = django_user_model.objects.create_user(
        username="anna", email="anna@example.com", password="secret-pass-1"
    )
    client.force_login(user)
    return user


def test_a_voucher_discount_is_shared_to_the_kopeck_and_never_more_than_paid(
    submit, client, customer, dates
):
    make_voucher(code="SCHOOL", amount="100", kind="Absolute")
    order = book_and_pay(
        client, dates[0], adult=3, child=0, names=("Б", "В"), voucher="SCHOOL", signed_in=True
    )
    # What the card was charged is the discounted total (2 700 ₽ less 100 ₽).
    assert order.total_incl_tax == Decimal("2600.00")
    assert money_kept_and_refunded(order) == (Decimal("2600.00"), Decimal("0.00"))
    ticket = ticket_of(order)
    url = change_path(order, ticket, "cancel")
    refunds = []
    for name in ("Б", "В"):
        key = form_key(client.get(url).content.decode())
        data = {"key": key, "people_adult": 1, "names": [name], "action": "confirm_part"}
        assert submit(url, data).status_code == 303
        refunds.append(BookingChange.objects.latest("pk").refund_amount)
    last = submit(url, {"action": "cancel", "key": form_key(client.get(url).content.decode())})

    assert last.status_code == 303
    refunds.append(BookingChange.objects.latest("pk").refund_amount)
    assert refunds == [Decimal("866.67"), Decimal("866.67"), Decimal("866.66")]
    assert money_kept_and_refunded(order) == (Decimal("0.00"), Decimal("2600.00"))


def test_a_guest_pays_the_discounted_total_with_a_voucher(client, dates):
    make_voucher(code="STUDENT", amount="10")
    order = book_and_pay(client, dates[0], adult=1, child=0, names=(), voucher="STUDENT")
    assert order.total_incl_tax == Decimal("810.00")


def test_moving_to_a_date_of_the_same_price_issues_a_new_ticket(submit, client, order, dates):
    old = ticket_of(order)
    url = change_path(order, old, "date")
    listing = client.get(url).content.decode()
    assert "та же цена" in listing
    assert "600\xa0₽ доплатить" in listing  # the dearer fourth date, for its difference
    confirm = client.get(url, {"to": dates[1].pk}).content.decode()
    assert "Та же цена: ничего не нужно платить" in confirm

    response = submit(url, {"key": form_key(confirm), "to": dates[1].pk})

    assert response.status_code == 303
    assert (seats_sold(dates[0]), seats_sold(dates[1])) == (0, 3)
    old.refresh_from_db()
    new = Ticket.objects.get(order=order, departure=dates[1])
    assert old.replaced_by == new and old.void_reason == TicketVoid.MOVED
    assert new.people == 3 and new.code != old.code
    assert all(line.product_id == dates[1].pk for line in order.lines.all())
    assert not Refund.objects.exists()
    with pytest.raises(CheckInError, match="перенесена"):
        ticket_check_in(
            departure=dates[0], code=old.code, actor=make_staff(), now=dates[0].starts_at
        )
    entry = ActivityEntry.objects.get(action="booking.moved")
    assert entry.actor_kind == "customer" and entry.departure == dates[1]
    message = next(m for m in mail.outbox if "перенесена" in m.subject)
    assert [name for name, _content, _type in message.attachments] == [
        f"ticket-{new.code}.png",
        f"ticket-{new.code}.ics",
    ]
    old_page = client.get(f"/shop/tickets/{ticket_token(old)}/").content.decode()
    assert "Этот билет недействителен" in old_page and ticket_token(new) in old_page


def test_moving_to_a_cheaper_date_refunds_the_difference(submit, client, order, dates):
    ticket = ticket_of(order)
    url = change_path(order, ticket, "date")
    confirm = client.get(url, {"to": dates[2].pk}).content.decode()
    assert "Новая дата дешевле: <strong>500\xa0₽</strong>" in confirm

    submit(url, {"key": form_key(confirm), "to": dates[2].pk})

    assert seats_sold(dates[2]) == 3 and seats_sold(dates[0]) == 0
    assert money_kept_and_refunded(order) == (Decimal("1750.00"), Decimal("500.00"))
    assert sum(line.line_price_incl_tax for line in order.lines.all()) == Decimal("1750.00")


def test_a_dearer_date_waits_for_its_difference_and_moves_nothing(submit, client, order, dates):
    ticket = ticket_of(order)
    url = change_path(order, ticket, "date")
    confirm = client.get(url, {"to": dates[3].pk}).content.decode()

    response = submit(url, {"key": form_key(confirm), "to": dates[3].pk})

    # On to the pay step (tests/payments/test_supplements.py); nothing has moved.
    assert "Перейти к оплате" in confirm
    assert response.status_code == 303 and "/date/pay/" in response.url
    assert seats_sold(dates[3]) == 0 and seats_sold(dates[0]) == 3
    assert changes_of(order)[0].status == "awaiting_payment"


def test_if_the_new_date_fills_meanwhile_nothing_changes(submit, client, order, dates):
    ticket = ticket_of(order)
    url = change_path(order, ticket, "date")
    confirm = client.get(url, {"to": dates[1].pk}).content.decode()
    get_model("partner", "StockRecord").objects.filter(product_id=dates[1].pk).update(
        num_allocated=8
    )

    response = submit(url, {"key": form_key(confirm), "to": dates[1].pk})

    assert response.status_code == 400
    assert "Осталось только 2 места" in response.content.decode()
    assert (seats_sold(dates[0]), seats_sold(dates[1])) == (3, 8)
    assert Ticket.objects.filter(order=order).count() == 1
    assert not BookingChange.objects.exists()


@pytest.mark.parametrize(
    "data",
    [
        {"action": "preview", "people_adult": 5},
        {"action": "preview", "people_adult": -1},
        {"action": "preview", "people_adult": "x"},
        {"action": "preview", "people_adult": 2, "people_child": 1},  # everyone
        {"action": "preview", "people_adult": 0},
        {"action": "confirm_part", "people_adult": 1, "names": ["Кто-то чужой"]},
        {"action": "cancel", "key": "not-a-key"},
    ],
)
def test_bad_cancel_input_is_refused_in_words_and_changes_nothing(
    submit, client, order, dates, data
):
    ticket = ticket_of(order)
    url = change_path(order, ticket, "cancel")
    data = {"key": form_key(client.get(url).content.decode()), **data}

    response = submit(url, data)

    assert response.status_code == 400
    assert seats_sold(dates[0]) == 3 and not BookingChange.objects.exists()


def test_a_forged_code_or_another_orders_ticket_is_not_found(submit, client, order, dates):
    ticket = ticket_of(order)
    other = book_and_pay(client, dates[1], email="boris@example.com")
    forged = f"/shop/orders/{order.number}/{order.number}:forged/bookings/{ticket.code}/cancel/"
    foreign = change_path(other, ticket, "cancel")

    for url in (forged, foreign, change_path(order, ticket, "date").replace(ticket.code, "ZZZ")):
        assert client.get(url).status_code == 404
        assert submit(url, {"action": "cancel", "key": "d" * 32}).status_code == 404
    assert seats_sold(dates[0]) == 3 and not BookingChange.objects.exists()


def test_looking_at_the_change_pages_changes_nothing(client, order, dates):
    ticket = ticket_of(order)
    before = (ActivityEntry.objects.count(), seats_sold(dates[0]), seats_sold(dates[1]))

    for url, params in (
        (change_path(order, ticket, "cancel"), {"action": "cancel"}),
        (change_path(order, ticket, "date"), {"to": dates[1].pk}),
    ):
        assert client.get(url, params).status_code == 200

    after = (ActivityEntry.objects.count(), seats_sold(dates[0]), seats_sold(dates[1]))
    assert before == after and not BookingChange.objects.exists()


def test_a_signed_in_customer_changes_from_the_account_and_comes_back_there(
    submit, client, dates, django_user_model
):
    user = django_user_model.objects.create_user(
        username="anna", email="anna@example.com", password="secret-pass-1"
    )
    client.force_login(user)
    order = book_and_pay(client, dates[0], signed_in=True)
    account = f"/shop/accounts/orders/{order.number}/"
    html = client.get(account).content.decode()
    ticket = ticket_of(order)
    url = change_path(order, ticket, "cancel")
    assert f"{url}?from=account" in html

    page = client.get(url, {"from": "account"}).content.decode()
    response = submit(url, {"action": "cancel", "key": form_key(page), "back": "account"})

    assert response.status_code == 303 and response.url == account
    entry = ActivityEntry.objects.get(action="booking.cancelled")
    assert (entry.actor_kind, entry.actor) == ("customer", user)
    assert BookingChange.objects.get().by_user == user


def test_a_refund_the_payment_service_missed_is_sent_once_later(
    submit, client, order, dates, settings
):
    ticket = ticket_of(order)
    url = change_path(order, ticket, "cancel")
    page = client.get(url).content.decode()
    localstripe = settings.STRIPE_API_BASE
    settings.STRIPE_API_BASE = "http://127.0.0.1:9"  # the payment service does not answer

    response = submit(url, {"action": "cancel", "key": form_key(page)})

    assert response.status_code == 303
    assert seats_sold(dates[0]) == 0  # the booking is cancelled all the same
    refund = Refund.objects.get()
    assert refund.status == "pending"
    settings.STRIPE_API_BASE = localstripe
    change = changes_of(order)[0]
    booking_change_refund(change)
    booking_change_refund(change)
    refund.refresh_from_db()
    assert refund.status == "succeeded"
    assert money_kept_and_refunded(order) == (Decimal("0.00"), Decimal("2250.00"))
