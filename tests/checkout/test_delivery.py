"""Delivery methods and the checkout order: delivery first, an address only for the post."""

from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import translation
from oscar.core.loading import get_model

from shop.checkout.forms import CHOOSE_METHOD
from shop.shipping.methods import CollegePickup, MeetingPointPickup, PostRussia
from shop.shipping.repository import Repository
from tests.checkout.helpers import (
    ADDRESS,
    MEETING_POINT,
    basket_for,
    gingerbread,
    make_departure,
    russia,
)
from tests.payments.helpers import pay

pytestmark = [pytest.mark.django_db, pytest.mark.payments]

Order = get_model("order", "Order")
ShippingAddress = get_model("order", "ShippingAddress")
UserAddress = get_model("address", "UserAddress")
Country = get_model("address", "Country")

METHOD = "/shop/checkout/shipping-method/"
ADDRESS_URL = "/shop/checkout/shipping-address/"
PAYMENT_METHOD = "/shop/checkout/payment-method/"
PAYMENT_DETAILS = "/shop/checkout/payment-details/"
PREVIEW = "/shop/checkout/payment-details/"  # the payment page shows the whole order
THANK_YOU = "/shop/checkout/thank-you/"


@pytest.fixture(autouse=True)
def _russia(db):
    russia()


@pytest.fixture
def customer(django_user_model):
    return django_user_model.objects.create_user(
        username="anna", email="anna@example.com", password="secret-pass-1"
    )


@pytest.fixture
def shopper(client, customer):
    client.force_login(customer)
    return client


def codes(methods):
    return [method.code for method in methods]


def messages_of(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def place_order(client):
    """From the payment step to the placed order, paying by card as the browser does it."""
    return pay(client)


# --- Which methods a basket gets -----------------------------------------------------------


def test_gingerbread_gets_college_pickup_and_post(customer):
    basket = basket_for(customer, products=[gingerbread()])
    methods = Repository().get_shipping_methods(basket)
    assert codes(methods) == ["pickup-college", "post-russia"]


def test_gingerbread_with_a_departure_also_gets_meeting_point_pickup(customer):
    basket = basket_for(customer, products=[gingerbread()], departures=[make_departure()])
    methods = Repository().get_shipping_methods(basket)
    assert codes(methods) == ["pickup-college", "pickup-meeting-point", "post-russia"]


def test_tours_only_need_no_shipping(customer):
    basket = basket_for(customer, departures=[make_departure()])
    assert not basket.is_shipping_required()
    assert codes(Repository().get_shipping_methods(basket)) == ["no-shipping-required"]


def test_post_only_to_russia(customer):
    basket = basket_for(customer, products=[gingerbread()])
    abroad = Country.objects.create(
        iso_3166_1_a2="KZ", printable_name="Казахстан", name="Казахстан"
    )
    in_russia = ShippingAddress(country=Country.objects.get(pk="RU"), **ADDRESS)
    elsewhere = ShippingAddress(country=abroad, **ADDRESS)
    repository = Repository()
    assert "post-russia" in codes(repository.get_shipping_methods(basket, in_russia))
    assert "post-russia" not in codes(repository.get_shipping_methods(basket, elsewhere))


def test_post_charges_the_flat_rate_and_pickups_are_free(customer, settings):
    settings.SHOP_POST_FLAT_RATE = Decimal("420.00")
    basket = basket_for(customer, products=[gingerbread()], departures=[make_departure()])
    charges = {m.code: m.calculate(basket) for m in Repository().get_shipping_methods(basket)}
    assert charges["post-russia"].incl_tax == Decimal("420.00")
    assert charges["post-russia"].currency == settings.OSCAR_DEFAULT_CURRENCY
    assert charges["post-russia"].is_tax_known
    assert charges["pickup-college"].incl_tax == Decimal("0.00")
    assert charges["pickup-meeting-point"].incl_tax == Decimal("0.00")


def test_method_texts_name_the_places(customer):
    departure = make_departure()
    with translation.override("en"):
        assert "Gagarina district, 200" in str(CollegePickup.description)
        assert str(CollegePickup.name) == "Pickup at the college in Baikalsk"
        assert str(PostRussia.name) == "Post within Russia"
        meeting = str(MeetingPointPickup([departure]).description)
    assert MEETING_POINT in meeting


# --- The flow ------------------------------------------------------------------------------


def test_gateway_leads_to_the_delivery_method_first(shopper, customer):
    basket_for(customer, products=[gingerbread()])
    response = shopper.get("/shop/checkout/")
    assert response.status_code == 302
    assert response.url == METHOD


def test_delivery_page_offers_the_basket_methods(shopper, customer):
    basket_for(customer, products=[gingerbread()], departures=[make_departure()])
    response = shopper.get(METHOD)
    assert response.status_code == 200
    html = response.content.decode()
    for code in ("pickup-college", "pickup-meeting-point", "post-russia"):
        assert f'value="{code}"' in html
    assert 'type="radio"' in html


def test_college_pickup_asks_for_no_address(shopper, customer):
    basket_for(customer, products=[gingerbread(price="250")])
    response = shopper.post(METHOD, {"method_code": "pickup-college"})
    assert response.status_code == 302
    assert response.url == PAYMENT_METHOD
    # The address page is skipped for a pickup.
    response = shopper.get(ADDRESS_URL)
    assert response.status_code == 302
    assert response.url == PAYMENT_METHOD

    order = place_order(shopper)
    assert order.shipping_code == "pickup-college"
    assert order.shipping_incl_tax == Decimal("0.00")
    assert order.shipping_address is None
    assert order.total_incl_tax == Decimal("250.00")

    html = shopper.get(THANK_YOU).content.decode()
    assert "Gagarina" in html or "Гагарина" in html


def test_meeting_point_pickup_with_a_tour(shopper, customer):
    departure = make_departure(price="900")
    basket_for(customer, products=[gingerbread(price="250")], departures=[departure])
    response = shopper.post(METHOD, {"method_code": "pickup-meeting-point"})
    assert response.status_code == 302
    assert response.url == PAYMENT_METHOD

    preview = shopper.get(PREVIEW)
    assert preview.status_code == 200
    assert "Юбилейный" in preview.content.decode()

    order = place_order(shopper)
    assert order.shipping_code == "pickup-meeting-point"
    assert order.shipping_incl_tax == Decimal("0.00")
    assert order.shipping_address is None
    assert order.total_incl_tax == Decimal("1150.00")
    assert "Юбилейный" in shopper.get(THANK_YOU).content.decode()


def test_post_asks_for_an_address_then_charges_the_flat_rate(shopper, customer, settings):
    basket_for(customer, products=[gingerbread(price="250")])
    response = shopper.post(METHOD, {"method_code": "post-russia"})
    assert response.status_code == 302
    assert response.url == ADDRESS_URL

    # Payment cannot be reached before the address is entered.
    response = shopper.get(PAYMENT_METHOD)
    assert response.status_code == 302
    assert response.url == ADDRESS_URL

    page = shopper.get(ADDRESS_URL)
    assert page.status_code == 200
    assert 'name="country"' not in page.content.decode()

    response = shopper.post(ADDRESS_URL, {**ADDRESS, "postcode": ""})
    assert response.status_code == 200
    assert response.context["form"].errors["postcode"]

    response = shopper.post(ADDRESS_URL, ADDRESS)
    assert response.status_code == 302
    assert response.url == PAYMENT_METHOD

    order = place_order(shopper)
    assert order.shipping_code == "post-russia"
    assert order.shipping_incl_tax == settings.SHOP_POST_FLAT_RATE
    assert order.total_incl_tax == Decimal("250.00") + settings.SHOP_POST_FLAT_RATE
    assert order.shipping_address.country_id == "RU"
    assert order.shipping_address.line4 == "Иркутск"


def test_tours_only_skip_delivery_and_address(shopper, customer):
    basket_for(customer, departures=[make_departure(price="900")])
    response = shopper.get(METHOD)
    assert response.status_code == 302
    assert response.url == PAYMENT_METHOD
    response = shopper.get(ADDRESS_URL)
    assert response.status_code == 302
    order = place_order(shopper)
    assert order.shipping_code == "no-shipping-required"
    assert order.shipping_address is None
    assert order.shipping_incl_tax == Decimal("0.00")


def test_switching_from_post_to_pickup_drops_the_address(shopper, customer):
    basket_for(customer, products=[gingerbread()])
    shopper.post(METHOD, {"method_code": "post-russia"})
    shopper.post(ADDRESS_URL, ADDRESS)
    response = shopper.post(METHOD, {"method_code": "pickup-college"})
    assert response.url == PAYMENT_METHOD
    order = place_order(shopper)
    assert order.shipping_code == "pickup-college"
    assert order.shipping_address is None


def test_saved_address_from_the_address_book(shopper, customer):
    basket_for(customer, products=[gingerbread()])
    saved = UserAddress.objects.create(user=customer, country_id="RU", **ADDRESS)
    shopper.post(METHOD, {"method_code": "post-russia"})
    page = shopper.get(ADDRESS_URL)
    assert f'name="address_id" value="{saved.pk}"' in page.content.decode()
    response = shopper.post(ADDRESS_URL, {"action": "ship_to", "address_id": saved.pk})
    assert response.status_code == 302
    assert response.url == PAYMENT_METHOD
    order = place_order(shopper)
    assert order.shipping_code == "post-russia"
    assert order.shipping_address.line1 == ADDRESS["line1"]


def test_guest_checkout_through_the_gateway(client):
    product = gingerbread()
    response = client.post(reverse("basket:add", kwargs={"pk": product.pk}), {"quantity": 2})
    assert response.status_code == 302
    response = client.post(
        "/shop/checkout/", {"username": "guest@example.com", "options": "anonymous"}
    )
    assert response.status_code == 302
    assert response.url == METHOD
    response = client.post(METHOD, {"method_code": "pickup-college"})
    assert response.url == PAYMENT_METHOD
    order = place_order(client)
    assert order.guest_email == "guest@example.com"
    assert order.shipping_code == "pickup-college"
    assert order.num_items == 2


# --- Forged and out-of-order requests ------------------------------------------------------


def test_unknown_method_code_is_refused(shopper, customer):
    basket_for(customer, products=[gingerbread()])
    response = shopper.post(METHOD, {"method_code": "teleport"})
    assert response.status_code == 200
    assert messages_of(response)
    assert shopper.session.get("checkout_data", {}).get("shipping", {}).get("method_code") is None
    response = shopper.get(PREVIEW)
    assert response.status_code == 302
    assert response.url == METHOD


def test_empty_method_choice_is_refused(shopper, customer):
    basket_for(customer, products=[gingerbread()])
    response = shopper.post(METHOD, {})
    assert response.status_code == 200
    assert str(CHOOSE_METHOD) in messages_of(response)


def test_meeting_point_pickup_needs_a_tour_in_the_basket(shopper, customer):
    basket_for(customer, products=[gingerbread()])
    response = shopper.post(METHOD, {"method_code": "pickup-meeting-point"})
    assert response.status_code == 200
    [message] = messages_of(response)
    assert message != str(CHOOSE_METHOD)
    response = shopper.get(PREVIEW)
    assert response.status_code == 302
    assert response.url == METHOD
    assert not Order.objects.exists()


def test_meeting_point_pickup_is_dropped_when_the_tour_leaves_the_basket(shopper, customer):
    departure = make_departure()
    basket = basket_for(customer, products=[gingerbread()], departures=[departure])
    shopper.post(METHOD, {"method_code": "pickup-meeting-point"})
    basket.lines.filter(product=departure.product).delete()
    response = shopper.get(PREVIEW)
    assert response.status_code == 302
    assert response.url == METHOD
    response = shopper.post(PREVIEW, {"action": "place_order"})
    assert response.status_code == 302
    assert response.url == METHOD
    assert not Order.objects.exists()


def test_post_without_an_address_cannot_be_placed(shopper, customer):
    basket_for(customer, products=[gingerbread()])
    shopper.post(METHOD, {"method_code": "post-russia"})
    response = shopper.get(PREVIEW)
    assert response.status_code == 302
    assert response.url == ADDRESS_URL
    assert messages_of(response)
    response = shopper.post(PREVIEW, {"action": "place_order"})
    assert response.status_code == 302
    assert response.url == ADDRESS_URL
    assert not Order.objects.exists()


def test_jumping_straight_to_preview_goes_back_to_delivery(shopper, customer):
    basket_for(customer, products=[gingerbread()])
    for url in (PREVIEW, PAYMENT_DETAILS, PAYMENT_METHOD):
        response = shopper.get(url)
        assert response.status_code == 302
        assert response.url == METHOD
    response = shopper.post(PREVIEW, {"action": "place_order"})
    assert response.status_code == 302
    assert response.url == METHOD
    assert not Order.objects.exists()


def test_address_page_before_a_method_goes_back_to_delivery(shopper, customer):
    basket_for(customer, products=[gingerbread()])
    response = shopper.get(ADDRESS_URL)
    assert response.status_code == 302
    assert response.url == METHOD
    response = shopper.post(ADDRESS_URL, ADDRESS)
    assert response.status_code == 302
    assert response.url == METHOD


def test_pickup_ignores_a_posted_address(shopper, customer):
    basket_for(customer, products=[gingerbread()])
    shopper.post(METHOD, {"method_code": "pickup-college"})
    response = shopper.post(ADDRESS_URL, ADDRESS)
    assert response.status_code == 302
    assert response.url == PAYMENT_METHOD
    order = place_order(shopper)
    assert order.shipping_address is None


@pytest.mark.parametrize(
    "data",
    [
        {"action": "ship_to", "address_id": "999999"},
        {"action": "ship_to", "address_id": "not-a-number"},
        {"action": "delete", "address_id": "1"},
    ],
)
def test_forged_saved_address_is_refused(shopper, customer, data):
    basket_for(customer, products=[gingerbread()])
    shopper.post(METHOD, {"method_code": "post-russia"})
    response = shopper.post(ADDRESS_URL, data)
    assert response.status_code == 302
    assert response.url == ADDRESS_URL
    assert messages_of(response)
    assert shopper.get(PREVIEW).url == ADDRESS_URL


def test_someone_elses_saved_address_is_refused(shopper, customer, django_user_model):
    other = django_user_model.objects.create_user(username="boris", email="b@example.com")
    theirs = UserAddress.objects.create(user=other, country_id="RU", **ADDRESS)
    basket_for(customer, products=[gingerbread()])
    shopper.post(METHOD, {"method_code": "post-russia"})
    response = shopper.post(ADDRESS_URL, {"action": "ship_to", "address_id": theirs.pk})
    assert response.status_code == 302
    assert response.url == ADDRESS_URL
    assert shopper.get(PREVIEW).url == ADDRESS_URL


def test_saved_address_abroad_is_refused(shopper, customer):
    abroad = Country.objects.create(iso_3166_1_a2="KZ", printable_name="Казахстан", name="KZ")
    saved = UserAddress.objects.create(user=customer, country=abroad, **ADDRESS)
    basket_for(customer, products=[gingerbread()])
    shopper.post(METHOD, {"method_code": "post-russia"})
    response = shopper.post(ADDRESS_URL, {"action": "ship_to", "address_id": saved.pk})
    assert response.status_code == 302
    assert response.url == ADDRESS_URL
    assert messages_of(response)


def test_anonymous_visitor_without_email_goes_to_the_gateway(client):
    product = gingerbread()
    client.post(reverse("basket:add", kwargs={"pk": product.pk}), {"quantity": 1})
    response = client.post(METHOD, {"method_code": "pickup-college"})
    assert response.status_code == 302
    assert response.url == "/shop/checkout/"


# --- Pages ---------------------------------------------------------------------------------


def test_gateway_page_renders_for_a_visitor(client):
    product = gingerbread()
    client.post(reverse("basket:add", kwargs={"pk": product.pk}), {"quantity": 1})
    response = client.get("/shop/checkout/")
    assert response.status_code == 200
    assert 'data-step="delivery"' in response.content.decode()
