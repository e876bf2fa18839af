"""A tourist changes their own booking in a real browser, and a visitor books from the waiting
list: Chromium on the live server, paying through the session's localstripe, the money then
checked against localstripe (captured = kept + refunded, nothing refunded twice)."""

import re
from decimal import Decimal

import pytest
from django.core import mail
from oscar.core.loading import get_model
from playwright.sync_api import expect

from shop.bookings.models import Ticket, WaitingListEntry
from shop.customercare.services import order_status_path
from tests.bookings.helpers import money_kept_and_refunded
from tests.e2e.conftest import ADULT, CHILD, SCREENSHOTS, TOUR_TITLE
from tests.e2e.test_checkout import (
    CARD_OK,
    GUEST_EMAIL,
    LEAD_NAME,
    LEAD_PHONE,
    enter_card,
    pay_button,
    seats_sold,
)

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.payments,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

Order = get_model("order", "Order")
StockRecord = get_model("partner", "StockRecord")


def book_and_pay(page, departure_id: int, *, adults: int, children: int, email: str) -> Order:
    """The booking form of the departure → basket → checkout as a guest → card: the order."""
    page.get_by_label("Взрослый").fill(str(adults))
    page.get_by_label("Детский").fill(str(children))
    page.get_by_label("Имя и фамилия контактного участника").fill(LEAD_NAME)
    page.get_by_label("Телефон").fill(LEAD_PHONE)
    page.get_by_role("button", name="В корзину").click()
    page.wait_for_url(re.compile(r"/shop/basket/$"))
    page.get_by_role("link", name="Оформить заказ").click()
    page.wait_for_url(re.compile(r"/shop/checkout/$"))
    guest = page.locator(
        "section", has=page.get_by_role("heading", name="Продолжить без регистрации")
    )
    guest.get_by_label("Эл. почта").fill(email)
    guest.get_by_role("button", name="Продолжить").click()
    page.wait_for_url(re.compile(r"/shop/checkout/payment-details/$"))
    enter_card(page, CARD_OK)
    pay_button(page).click()
    page.wait_for_url(re.compile(r"/shop/checkout/thank-you/$"))
    number = re.search(r"Заказ (\d+)", page.locator(".checkout-lead").inner_text()).group(1)
    return Order.objects.get(number=number)


def open_booking_form(page, departure) -> None:
    page.goto(f"/shop/tours/{departure.tour_id}/book/?departure={departure.pk}")


def test_a_guest_cancels_one_person_then_moves_the_rest_to_another_date(page, storefront):
    first, second = storefront.departures
    open_booking_form(page, first)
    order = book_and_pay(page, first.pk, adults=2, children=1, email=GUEST_EMAIL)
    assert order.total_incl_tax == 2 * ADULT + CHILD

    # From the status link: one adult of three does not come.
    page.goto(order_status_path(order))
    page.get_by_role("link", name="Отменить бронь или часть участников").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Отменить бронь")
    page.get_by_label("Взрослый").fill("1")
    page.get_by_role("button", name="Продолжить").click()
    page.get_by_role("button", name="Отменить этих участников").click()
    page.wait_for_url(re.compile(re.escape(order_status_path(order)) + "$"))
    expect(page.locator("#messages")).to_contain_text("900\xa0₽ вернутся на вашу карту")
    assert seats_sold(first.pk) == 2
    assert money_kept_and_refunded(order) == (Decimal(ADULT + CHILD), Decimal(ADULT))

    # The two left go on the second date (same price: nothing to pay, nothing back).
    page.get_by_role("link", name="Перенести на другую дату").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Перенести на другую дату")
    page.locator(".move-date").first.get_by_role("link", name=re.compile("^Выбрать")).click()
    page.get_by_role("button", name="Перенести бронь").click()
    page.wait_for_url(re.compile(re.escape(order_status_path(order)) + "$"))
    expect(page.locator("main")).to_contain_text(TOUR_TITLE)

    assert (seats_sold(first.pk), seats_sold(second.pk)) == (0, 2)
    ticket = Ticket.objects.get(order=order, voided_at=None)
    assert (ticket.departure_id, ticket.people) == (second.pk, 2)
    assert money_kept_and_refunded(order) == (Decimal(ADULT + CHILD), Decimal(ADULT))


def test_a_visitor_on_the_waiting_list_books_the_held_seat_a_third_cannot_take(
    browser, live_server, page, storefront
):
    departure = storefront.departures[0]
    record = StockRecord.objects.get(product_id=departure.pk)
    StockRecord.objects.filter(pk=record.pk).update(num_allocated=record.num_in_stock)

    # Sold out: the booking form leads to the waiting list.
    open_booking_form(page, departure)
    page.wait_for_url(re.compile(r"/waitlist/"))
    page.get_by_label("Эл. почта").fill("second@example.com")
    page.get_by_label("Сколько человек").fill("1")
    page.get_by_label(re.compile("обработку моих персональных данных")).check()
    page.get_by_role("button", name="Встать в лист ожидания").click()
    expect(page.locator("#messages")).to_contain_text("Вы в листе ожидания")

    # A seat comes back (as a cancellation gives it back): it is held for the visitor.
    from shop.order.utils import stock_release

    stock_release(record.pk, 1)
    entry = WaitingListEntry.objects.get(departure=departure)
    assert entry.status == "offered"
    message = next(m for m in mail.outbox if m.to == ["second@example.com"])
    link = re.search(r"https?://[^/\s]+(/shop/waitlist/\S+/)", message.body).group(1)

    # A third visitor finds no seat: the held one is not for sale.
    third = browser.new_context(base_url=live_server.url, locale="ru-RU").new_page()
    open_booking_form(third, departure)
    third.wait_for_url(re.compile(r"/waitlist/"))
    third.context.close()

    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("Места придержаны для вас")
    page.get_by_role("link", name="Забронировать места").click()
    order = book_and_pay(page, departure.pk, adults=1, children=0, email="second@example.com")

    entry.refresh_from_db()
    assert entry.status == "booked" and entry.order == order
    assert seats_sold(departure.pk) == record.num_in_stock
    assert money_kept_and_refunded(order) == (Decimal(ADULT), Decimal("0"))


def test_a_guest_moves_two_people_to_a_dearer_date_and_pays_the_difference_by_card(
    page, storefront
):
    first, second = storefront.departures
    second.fares.filter(ticket_type__code="adult").update(price=ADULT + 300)
    open_booking_form(page, first)
    order = book_and_pay(page, first.pk, adults=2, children=0, email=GUEST_EMAIL)

    page.goto(order_status_path(order))
    page.get_by_role("link", name="Перенести на другую дату").click()
    dearer = page.locator(".move-date").first
    expect(dearer).to_contain_text("600\xa0₽ доплатить")
    dearer.get_by_role("link", name=re.compile("^Выбрать")).click()
    expect(page.locator(".change-confirm")).to_contain_text("600\xa0₽")
    page.get_by_role("button", name="Перейти к оплате").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Доплата за перенос")
    assert seats_sold(first.pk) == 2 and seats_sold(second.pk) == 0  # nothing moved yet
    expect(page.locator("#card-element input")).to_have_count(5)
    enter_card(page, CARD_OK)
    expect(pay_button(page)).to_have_text("Оплатить 600\xa0₽")
    pay_button(page).click()

    page.wait_for_url(re.compile(re.escape(order_status_path(order)) + "$"))
    expect(page.locator("#messages")).to_contain_text("разница 600\xa0₽ оплачена")
    ticket = Ticket.objects.get(order=order, voided_at=None)
    assert (ticket.departure_id, ticket.people) == (second.pk, 2)
    expect(page.locator("main")).to_contain_text(ticket.code)
    assert (seats_sold(first.pk), seats_sold(second.pk)) == (0, 2)
    order.refresh_from_db()
    assert order.total_incl_tax == 2 * ADULT + 600


def test_we_cancel_a_tour_and_the_guest_pays_for_a_dearer_date_instead_of_the_refund(
    page, storefront
):
    from shop.activity.actors import system
    from shop.bookings.cancellation import departure_cancel_for_everyone
    from shop.bookings.models import OfferStatus, RebookOffer
    from shop.bookings.rebooking import rebook_offer_path

    first, second = storefront.departures
    second.fares.filter(ticket_type__code="adult").update(price=ADULT + 300)
    open_booking_form(page, first)
    order = book_and_pay(page, first.pk, adults=2, children=0, email=GUEST_EMAIL)
    departure_cancel_for_everyone(
        departure=first, actor=system(), reason="weather", offer_rebooking=True
    )
    offer = RebookOffer.objects.get(order=order)

    # The link of the cancellation e-mail, on a phone.
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(rebook_offer_path(offer))
    expect(page.get_by_role("heading", level=1)).to_have_text("Другая дата или возврат")
    dearer = page.locator(".move-date").first
    expect(dearer).to_contain_text("600\xa0₽ доплатить")
    dearer.get_by_role("link", name=re.compile("^Выбрать")).click()
    expect(page.locator(".change-confirm").last).to_contain_text("600\xa0₽ к оплате")
    page.screenshot(path=f"{SCREENSHOTS}/e2e-rebook-dearer.png", full_page=True)
    page.get_by_role("button", name="Перейти к оплате разницы").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Доплата за перенос")
    expect(page.locator("main")).to_contain_text("Вместо возврата 1\xa0800\xa0₽")
    assert seats_sold(second.pk) == 0  # nothing has moved yet
    enter_card(page, CARD_OK)
    expect(pay_button(page)).to_have_text("Оплатить 600\xa0₽")
    page.screenshot(path=f"{SCREENSHOTS}/e2e-rebook-pay.png", full_page=True)
    pay_button(page).click()

    page.wait_for_url(re.compile(re.escape(order_status_path(order)) + "$"))
    expect(page.locator("#messages")).to_contain_text("разница 600\xa0₽ оплачена")
    ticket = Ticket.objects.get(order=order, voided_at=None)
    assert (ticket.departure_id, ticket.people) == (second.pk, 2)
    expect(page.locator("main")).to_contain_text(ticket.code)
    offer.refresh_from_db()
    assert offer.status == OfferStatus.REBOOKED and seats_sold(second.pk) == 2
    assert money_kept_and_refunded(order) == (Decimal(2 * ADULT), Decimal("0.00"))
    order.refresh_from_db()
    assert order.total_incl_tax == 2 * ADULT + 600
