"""Staff pages are the workspace's own: no shop basket, search or footer; teachers' pages use
a desktop's width."""

import pytest
from django.contrib.auth.models import Group

from shop.core.roles import STUDENTS, TEACHERS, roles_ensure_groups

pytestmark = [pytest.mark.django_db]


def member(django_user_model, username, group):
    roles_ensure_groups()
    user = django_user_model.objects.create_user(username=username, password="pw-123456")
    user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def teacher(django_user_model):
    return member(django_user_model, "irina", TEACHERS)


@pytest.fixture
def student(django_user_model):
    return member(django_user_model, "alexey", STUDENTS)


def test_teachers_pages_are_wide_and_without_the_shops_chrome(client, teacher):
    client.force_login(teacher)

    for path in ("/team/reports/", "/team/students/", "/team/rubrics/"):
        html = client.get(path).content.decode()
        assert "team-page--wide" in html, path
        assert "staff-header" in html and "site-footer" not in html, path
        assert "/shop/basket/" not in html, path


def test_the_students_workspace_keeps_its_phone_column(client, student):
    client.force_login(student)

    html = client.get("/team/tours/").content.decode()

    assert "team-page--wide" not in html and "staff-header" in html
