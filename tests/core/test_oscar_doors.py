"""The doors Oscar and Wagtail left open on a GET: a planted link no longer changes anything.
Linking a customer to the partner (which granted the dashboard) and wishlists are shut;
signing out and making an address the default ask first and act on the POST; the password
reset pages tell a signed-in visitor what to do instead of failing."""

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from oscar.core.loading import get_model

from tests.checkout.helpers import russia
from tests.factories import make_gingerbread

pytestmark = [pytest.mark.django_db]

Partner = get_model("partner", "Partner")
WishList = get_model("wishlists", "WishList")
UserAddress = get_model("address", "UserAddress")


@pytest.fixture
def customer(django_user_model):
    return django_user_model.objects.create_user(
        username="tourist", email="tourist@example.com", password="pw-123456"
    )


def signed_in_as(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_planted_link_no_longer_gives_a_customer_the_dashboard(django_user_model, customer):
    partner = Partner.objects.create(name="Турбюро")
    admin = django_user_model.objects.create_superuser(
        username="boss", email="boss@example.com", password="x"
    )

    for action in ("link", "unlink"):
        response = signed_in_as(admin).get(
            f"/shop/dashboard/partners/{partner.pk}/users/{customer.pk}/{action}/"
        )
        assert response.status_code == 404

    assert not partner.users.exists()
    customer.refresh_from_db()
    assert not customer.user_permissions.filter(codename="dashboard_access").exists()
    assert signed_in_as(customer).get("/shop/dashboard/orders/").status_code == 403


def test_even_a_partner_user_with_dashboard_access_is_no_staff(customer):
    """What such a link used to grant (done before this change) opens nothing now."""
    Partner.objects.create(name="Турбюро").users.add(customer)
    customer.user_permissions.add(Permission.objects.get(codename="dashboard_access"))

    client = signed_in_as(customer)
    for url in ("/shop/dashboard/", "/shop/dashboard/orders/?response_format=csv"):
        assert client.get(url).status_code == 403, url


def test_adding_to_a_wishlist_by_a_link_creates_nothing(customer):
    product = make_gingerbread(title="Пряник «Нерпа»")

    response = signed_in_as(customer).get(f"/shop/accounts/wishlists/add/{product.pk}/")

    assert response.status_code == 404
    assert WishList.objects.count() == 0


@pytest.mark.parametrize("url", ["/shop/accounts/logout/", "/cms/logout/"])
def test_signing_out_asks_and_happens_on_the_post(customer, url):
    client = signed_in_as(customer)

    page = client.get(url)
    assert page.status_code == 200 and "Выйти из учётной записи" in page.content.decode()
    assert "_auth_user_id" in client.session and "sessionid" in client.cookies
    assert client.cookies["sessionid"].value

    client.post(url)
    assert "_auth_user_id" not in client.session


def test_making_an_address_the_default_asks_and_happens_on_the_post(customer):
    address = UserAddress.objects.create(
        user=customer,
        first_name="Анна",
        last_name="Иванова",
        line1="ул. Ленина, 5",
        line4="Иркутск",
        postcode="664003",
        country=russia(),
    )
    url = f"/shop/accounts/addresses/{address.pk}/default_for_shipping/"
    client = signed_in_as(customer)

    assert "по умолчанию" in client.get(url).content.decode()
    address.refresh_from_db()
    assert not address.is_default_for_shipping

    client.post(url)
    address.refresh_from_db()
    assert address.is_default_for_shipping


@pytest.mark.parametrize(
    "url",
    [
        "/shop/password-reset/",
        "/shop/password-reset/done/",
        "/shop/password-reset/confirm/MQ/set-password/",
        "/shop/password-reset/complete/",
    ],
)
def test_the_password_reset_pages_tell_a_signed_in_visitor_what_to_do(customer, url):
    response = signed_in_as(customer).get(url)

    assert response.status_code == 403
    assert "Вы уже вошли" in response.content.decode()
