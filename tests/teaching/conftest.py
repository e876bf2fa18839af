import pytest
from django.contrib.auth.models import Group

from shop.core.roles import STUDENTS, TEACHERS, roles_ensure_groups


def member(django_user_model, username, group, **names):
    roles_ensure_groups()
    user = django_user_model.objects.create_user(
        username=username, email=f"{username}@example.com", password="pw-123456", **names
    )
    user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def student(django_user_model):
    return member(django_user_model, "alexey", STUDENTS, first_name="Алексей", last_name="Студент")


@pytest.fixture
def other_student(django_user_model):
    return member(django_user_model, "maria", STUDENTS, first_name="Мария", last_name="Студентка")


@pytest.fixture
def teacher(django_user_model):
    return member(django_user_model, "irina", TEACHERS, first_name="Ирина", last_name="Учитель")
