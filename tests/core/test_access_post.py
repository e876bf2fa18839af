"""The access table against the site, POST: every routed URL, with a valid CSRF token and no
data, as each role, answers as the table says (tests/core/access_walk.py has the policy and the
site; GET is walked in tests/core/test_access.py)."""

import pytest
from django.db import DatabaseError, transaction

from tests.core.access_walk import (
    CRASH_ON_EMPTY_POST,
    CSRF,
    addresses,
    answer,
    client_for,
    expected,
)
from tests.core.doors import ROLES

pytestmark = [
    pytest.mark.payments,
    pytest.mark.django_db,
    pytest.mark.usefixtures("_the_worlds_media"),
]


@pytest.mark.parametrize("role", ROLES)
def test_every_post_answers_as_the_table_says(world, role):
    """With a valid CSRF token and no data; each POST is rolled back (an allowed one may do
    what it does), and the visitor's cookies are put back (a sign-out)."""
    client = client_for(world, role)
    cookies = {name: morsel.value for name, morsel in client.cookies.items()}

    problems = []
    for area, key, url in addresses(world, role):
        if area is None:
            problems.append(f"{key} ({url}) has no entry in ROUTES in shop/core/access.py")
            continue
        try:
            with transaction.atomic():
                response = client.post(url, {"csrfmiddlewaretoken": CSRF})
                transaction.set_rollback(True)
        except DatabaseError as error:
            problems.append(f"POST {url} failed in the database: {error}")
            continue
        got = answer(response)
        tolerated = got == "error" and key in CRASH_ON_EMPTY_POST and role == "superuser"
        wrong = got not in expected(area, role, "POST")
        if wrong and not tolerated:
            problems.append(f"POST {url} ({area.name}): {got}, {response.status_code}")
        client.cookies.clear()
        for name, value in cookies.items():
            client.cookies[name] = value

    assert not problems, "\n".join(problems)
