"""A refusal does not tell whether the order, student or rubric asked for exists: the same
answer for a real one and for one that is not there."""

import pytest
from django.test import Client
from oscar.test.factories import create_order

from shop.teaching.models import Rubric

pytestmark = [pytest.mark.django_db]


@pytest.fixture
def real(student, teacher):
    rubric = Rubric.objects.create(name="Работа с заказами", created_by=teacher)
    order = create_order(number="100001")
    return {"student": student, "teacher": teacher, "rubric": rubric, "order": order}


def urls(order_number, user_id, rubric_id):
    return [
        f"/team/orders/{order_number}/",
        f"/team/students/{user_id}/",
        f"/team/students/{user_id}/assess/",
        f"/team/rubrics/{rubric_id}/",
    ]


def answers(client, *ids):
    out = []
    for url in urls(*ids):
        response = client.get(url)
        out.append((response.status_code, response.get("Location", "").split("?")[0]))
    return out


def test_a_customer_gets_the_same_refusal_for_what_exists_and_what_does_not(
    django_user_model, real
):
    customer = django_user_model.objects.create_user(username="t", password="x")
    client = Client()
    client.force_login(customer)
    existing = answers(client, real["order"].number, real["student"].pk, real["rubric"].pk)
    missing = answers(client, "999999", 987654, 987654)

    assert existing == missing == [(403, "")] * 4


def test_a_stranger_is_sent_to_sign_in_alike(real):
    existing = answers(Client(), real["order"].number, real["student"].pk, real["rubric"].pk)
    missing = answers(Client(), "999999", 987654, 987654)

    assert existing == missing
    assert {status for status, _where in existing} == {302}


def test_a_student_gets_the_same_refusal_for_a_real_rubric_and_none(client, real):
    client.force_login(real["student"])

    assert client.get(f"/team/rubrics/{real['rubric'].pk}/").status_code == 403
    assert client.get("/team/rubrics/987654/").status_code == 403
