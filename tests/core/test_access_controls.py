"""The controls of the resolver-walking tests (tests/core/test_access.py): each check they
make fails for a door built wrong on purpose."""

import pytest
from django.db import connection
from django.test import Client

from shop.core import access
from tests.core.access_walk import answer, expected
from tests.core.doors import WriteWatcher, fingerprint

pytestmark = [pytest.mark.django_db]

BAD = "tests.core.bad_doors_urls"


def test_a_route_missing_from_the_table_is_reported_and_refused_to_everyone(settings, client):
    settings.ROOT_URLCONF = BAD

    errors = access.check_every_route_has_an_area(None)

    assert [error.id for error in errors] == ["shop.E001", "shop.E001"]
    assert "'forgotten'" in errors[1].msg and "shop/core/access.py" in errors[1].hint
    assert client.get("/team/forgotten/").status_code == 404


def test_a_get_that_writes_is_caught(settings, monkeypatch):
    settings.ROOT_URLCONF = BAD
    monkeypatch.setitem(access.ROUTES, "writes-on-get", access.STOREFRONT)
    before = fingerprint()
    watcher = WriteWatcher()

    with connection.execute_wrapper(watcher):
        Client().get("/writes-on-get/")

    assert watcher.writes == ["INSERT teaching_period"]
    after = fingerprint()
    assert [table for table in before if before[table] != after[table]] == ["teaching_period"]


def test_a_role_reaching_a_door_outside_the_table_is_caught(settings, django_user_model):
    """Without the table enforced, Oscar's own check lets a teacher (who may view orders)
    into the dashboard's order list: the walk's comparison says so."""
    from django.contrib.auth.models import Group

    from shop.core.roles import TEACHERS, roles_ensure_groups

    settings.MIDDLEWARE = [
        m for m in settings.MIDDLEWARE if m != "shop.core.access.AccessMiddleware"
    ]
    roles_ensure_groups()
    teacher = django_user_model.objects.create_user(username="irina", password="x")
    teacher.groups.add(Group.objects.get(name=TEACHERS))
    client = Client()
    client.force_login(teacher)

    response = client.get("/shop/dashboard/orders/")

    assert answer(response) == "open"
    assert answer(response) not in expected(access.DASHBOARD, "teacher", "GET")
