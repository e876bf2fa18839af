"""The checkout's first step (go on as a guest with an e-mail, or sign in) and the step bar:
the steps a basket needs, numbered the same on every page, the current one marked."""

import re

import pytest
from django.urls import reverse

from tests.checkout.helpers import ADDRESS, basket_for, gingerbread, make_departure, russia
from tests.payments.helpers import pay

pytestmark = [pytest.mark.django_db]

GATEWAY = "/shop/checkout/"
METHOD = "/shop/checkout/shipping-method/"
ADDRESS_URL = "/shop/checkout/shipping-address/"
PAYMENT = "/shop/checkout/payment-details/"


@pytest.fixture
def customer(django_user_model):
    return django_user_model.objects.create_user(
        username="anna", email="anna@example.com", password="secret-pass-1"
    )


@pytest.fixture
def visitor_with_gingerbread(client):
    russia()
    box = gingerbread()
    client.post(reverse("basket:add", kwargs={"pk": box.pk}), {"quantity": 1})
    return client


def steps_of(html: str) -> list[tuple[str, int, str]]:
    """(step, number, state) of each step in the bar, in order."""
    return [
        (key, int(number), state)
        for state, key, number in re.findall(
            r'class="checkout-progress__step is-(\w+)" data-step="(\w+)" data-number="(\d+)"', html
        )
    ]


def test_the_first_step_offers_a_guest_e_mail_or_signing_in(visitor_with_gingerbread):
    html = visitor_with_gingerbread.get(GATEWAY).content.decode()

    assert "Продолжить без регистрации" in html and "Войти и продолжить" in html
    assert re.findall(r'name="options" value="(\w+)"', html) == ["anonymous", "existing"]
    assert 'type="radio"' not in html and "Кто Вы" not in html and "уже был" not in html
    assert f'href="/shop/accounts/register/?next={METHOD}"' in html


def test_a_guest_goes_on_to_delivery_with_their_e_mail(visitor_with_gingerbread):
    response = visitor_with_gingerbread.post(
        GATEWAY, {"options": "anonymous", "username": "Guest@Example.com"}
    )

    assert response.status_code == 302 and response.url == METHOD
    page = visitor_with_gingerbread.get(METHOD).content.decode()
    assert ("contact", 1, "done") in steps_of(page)


def test_a_customer_signs_in_and_goes_on_with_the_same_basket(visitor_with_gingerbread, customer):
    response = visitor_with_gingerbread.post(
        GATEWAY,
        {"options": "existing", "username": "anna@example.com", "password": "secret-pass-1"},
    )

    assert response.status_code == 302 and response.url == METHOD
    page = visitor_with_gingerbread.get(METHOD)
    assert page.wsgi_request.user == customer
    assert page.wsgi_request.basket.num_items == 1


def test_a_wrong_password_is_told_in_words_and_signs_nobody_in(visitor_with_gingerbread, customer):
    response = visitor_with_gingerbread.post(
        GATEWAY, {"options": "existing", "username": "anna@example.com", "password": "wrong"}
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "Неверная эл. почта или пароль" in html
    assert not response.wsgi_request.user.is_authenticated
    # The message sits in the sign-in form, which keeps the e-mail typed.
    assert 'id="signin-username"' in html and 'value="anna@example.com"' in html


def test_a_guest_cannot_take_the_e_mail_of_an_account(visitor_with_gingerbread, customer):
    response = visitor_with_gingerbread.post(
        GATEWAY, {"options": "anonymous", "username": "anna@example.com"}
    )

    assert response.status_code == 200
    assert "С этой эл. почтой уже есть учётная запись" in response.content.decode()
    assert visitor_with_gingerbread.get(METHOD).url == GATEWAY  # still no e-mail for the order


def test_a_forged_choice_is_refused_with_a_message(visitor_with_gingerbread):
    response = visitor_with_gingerbread.post(
        GATEWAY, {"options": "new", "username": "new@example.com"}
    )

    assert response.status_code == 200
    assert 'class="alert alert-danger"' in response.content.decode()


def test_a_signed_in_customer_skips_the_first_step(client, customer):
    client.force_login(customer)
    basket_for(customer, products=[gingerbread()])

    response = client.get(GATEWAY)

    assert response.status_code == 302 and response.url == METHOD


def test_tours_only_take_two_steps_contact_and_payment(client):
    departure = make_departure()
    client.post(
        f"/shop/tours/{departure.tour.product_id}/book/",
        {
            "departure": departure.pk,
            "booking_ref": "c" * 32,
            "tickets_adult": 1,
            "lead_name": "Анна Иванова",
            "lead_phone": "+79025551234",
        },
    )

    first = client.get(GATEWAY).content.decode()
    client.post(GATEWAY, {"options": "anonymous", "username": "guest@example.com"})
    client.get(METHOD)  # no delivery for tours: straight on
    payment = client.get(PAYMENT).content.decode()

    assert steps_of(first) == [("contact", 1, "current"), ("payment", 2, "todo")]
    assert steps_of(payment) == [("contact", 1, "done"), ("payment", 2, "current")]


def test_gingerbread_takes_three_steps_and_the_address_is_part_of_delivery(
    visitor_with_gingerbread,
):
    client = visitor_with_gingerbread
    first = client.get(GATEWAY).content.decode()
    client.post(GATEWAY, {"options": "anonymous", "username": "guest@example.com"})
    delivery = client.get(METHOD).content.decode()
    client.post(METHOD, {"method_code": "post-russia"})
    address = client.get(ADDRESS_URL).content.decode()
    client.post(ADDRESS_URL, ADDRESS)
    client.get("/shop/checkout/payment-method/")
    payment = client.get(PAYMENT).content.decode()

    assert steps_of(first) == [
        ("contact", 1, "current"),
        ("delivery", 2, "todo"),
        ("payment", 3, "todo"),
    ]
    assert steps_of(delivery) == [
        ("contact", 1, "done"),
        ("delivery", 2, "current"),
        ("payment", 3, "todo"),
    ]
    assert steps_of(address) == steps_of(delivery)
    assert steps_of(payment) == [
        ("contact", 1, "done"),
        ("delivery", 2, "done"),
        ("payment", 3, "current"),
    ]
    # A guest may go back to change the e-mail; the delivery step links back too.
    assert f'<a href="{GATEWAY}">' in payment and f'<a href="{METHOD}">' in payment


@pytest.mark.payments
def test_the_thank_you_page_shows_no_step_bar(client, customer):
    client.force_login(customer)
    basket_for(customer, departures=[make_departure()])
    client.get(METHOD)
    pay(client)

    html = client.get("/shop/checkout/thank-you/").content.decode()

    assert "Спасибо! Заказ оплачен" in html
    assert "checkout-progress" not in html
