"""Students see their own portfolio and nothing of the teachers'; teachers see it all."""

import pytest

from shop.teaching.models import Period

pytestmark = [pytest.mark.django_db]

TEACHER_PAGES = ["/team/reports/", "/team/students/", "/team/rubrics/", "/team/gradebook/"]


@pytest.fixture
def period():
    return Period.objects.create(name="Осень", starts_on="2026-09-01", ends_on="2026-12-31")


@pytest.mark.parametrize("url", TEACHER_PAGES)
def test_a_student_cannot_open_teacher_pages(client, student, period, url):
    client.force_login(student)
    assert client.get(url).status_code == 403
    assert (
        client.post(
            url,
            {"action": "period", "name": "x", "starts_on": "2026-01-01", "ends_on": "2026-01-02"},
        ).status_code
        == 403
    )
    assert Period.objects.count() == 1


def test_a_student_cannot_assess_or_see_another_student(client, student, other_student, period):
    client.force_login(student)
    assert client.get(f"/team/students/{other_student.pk}/").status_code == 403
    assert (
        client.get(f"/team/students/{other_student.pk}/assess/?period={period.pk}").status_code
        == 403
    )
    assert client.get(f"/team/students/{student.pk}/").status_code == 200


@pytest.mark.parametrize("url", TEACHER_PAGES)
def test_a_teacher_opens_every_teacher_page(client, teacher, period, url):
    client.force_login(teacher)
    assert client.get(url).status_code == 200


def test_tourists_and_strangers_are_kept_out(client, django_user_model, student):
    for url in [*TEACHER_PAGES, f"/team/students/{student.pk}/"]:
        assert client.get(url).status_code == 302
    client.force_login(django_user_model.objects.create_user(username="t", password="x"))
    for url in [*TEACHER_PAGES, f"/team/students/{student.pk}/"]:
        assert client.get(url).status_code == 403


def test_a_student_cannot_tell_who_else_is_a_student(client, teacher, student, other_student):
    """Another student, a teacher and nobody at all: the same refusal (no existence oracle)."""
    client.force_login(student)
    for pk in (other_student.pk, teacher.pk, 987654):
        assert client.get(f"/team/students/{pk}/").status_code == 403
        assert client.get(f"/team/students/{pk}/assess/").status_code == 403


def test_a_teacher_is_not_a_student_whose_portfolio_can_be_opened(client, teacher):
    client.force_login(teacher)
    assert client.get(f"/team/students/{teacher.pk}/").status_code == 404


def test_a_period_added_by_a_teacher_says_who_added_it(client, teacher):
    client.force_login(teacher)

    client.post(
        "/team/rubrics/",
        {"action": "period", "name": "Декабрь", "starts_on": "2026-12-01", "ends_on": "2026-12-31"},
    )

    assert Period.objects.get(name="Декабрь").created_by == teacher
