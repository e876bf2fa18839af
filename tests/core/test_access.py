"""The access table (shop/core/access.py) against the site itself: every route the resolver
knows (ours, Oscar's, Wagtail's), made concrete with real ids from a site built by the demo
loader, is requested by each role, GET and POST (with a valid CSRF token), and answers as
the table says. On the way, no GET writes a row of any table, signs anybody out or answers
5xx, also with out-of-range values in its query string.
"""

import pytest
from django.db import DatabaseError, connection, transaction

from shop.core import access
from tests.core.access_walk import (
    ODD_QUERY,
    POLICY,
    _anonymous,
    addresses,
    answer,
    client_for,
    expected,
    signed_in,
)
from tests.core.doors import ROLES, UNCOUNTED_TABLES, WriteWatcher, fingerprint

pytestmark = [
    pytest.mark.payments,
    pytest.mark.django_db,
    pytest.mark.usefixtures("_the_worlds_media"),
]


def test_every_route_has_an_area_and_every_entry_a_route():
    keys = {key for key, _route in access.routed()}
    assert [key for key, route in access.routed() if access.area_for(key, route) is None] == []
    # Routed only in some settings (make run's media files, make bench's baseline).
    conditional = {"^media/(?P<path>.*)$", "bench-bare"}
    assert set(access.ROUTES) - keys - conditional == set()


def test_the_table_says_what_the_policy_says(world):
    kwargs = {"pk": world.other_student.pk}
    for area in access.AREAS:
        for index, role in enumerate(ROLES):
            user = world.users[role] or _anonymous()
            said = "".join(
                letter
                for letter, method in (("G", "GET"), ("P", "POST"))
                if area.allows(user, method, kwargs)
            )
            assert said == POLICY[area.name][index], (area.name, role)


@pytest.mark.parametrize("role", ROLES)
def test_every_get_answers_as_the_table_says_and_changes_nothing(world, role):
    client = client_for(world, role)
    user = world.users[role]
    client.get("/")  # Oscar makes a signed-in visitor's (empty) basket on their first visit
    before = fingerprint()

    problems = []
    for area, key, url in addresses(world, role):
        if area is None:
            problems.append(f"{key} ({url}) has no entry in ROUTES in shop/core/access.py")
            continue
        # The odd query for our views and Oscar's (Wagtail's admin and pages read none), sent
        # when the plain address reached the view: a refusal or a sign-in redirect comes from
        # the access middleware before any view reads the query, so it would only repeat.
        odd = [] if url.startswith("/cms/") or key == "wagtail_serve" else [url + ODD_QUERY]
        got = None
        for address in [url, *odd]:
            if address != url and got in ("refused", "sent to sign in"):
                break
            watcher = WriteWatcher()
            try:
                # A savepoint each: on PostgreSQL a failed query would spoil the test's
                # transaction for every request after it (a real request has its own).
                with connection.execute_wrapper(watcher), transaction.atomic():
                    response = client.get(address)
            except DatabaseError as error:
                problems.append(f"GET {address} failed in the database: {error}")
                continue
            got = answer(response)
            if got == "error":
                problems.append(f"GET {address} answered {response.status_code}")
            elif address == url and got not in expected(area, role, "GET"):
                problems.append(f"GET {url} ({area.name}): {got}, {response.status_code}")
            if watcher.writes:
                problems.append(f"GET {address} wrote: {sorted(set(watcher.writes))}")
            if user is not None and not signed_in(client):
                problems.append(f"GET {address} signed the visitor out")
                client.force_login(user)

    assert not problems, "\n".join(problems)
    after = fingerprint()
    assert after == before, [table for table in before if before[table] != after.get(table)]


def test_the_fingerprint_sees_a_changed_row(world):
    """The control: one field of one row changed is seen (and sessions are not counted)."""
    before = fingerprint()
    order = world.order
    order.guest_email = "changed@example.com"
    order.save()
    after = fingerprint()
    assert [table for table in before if before[table] != after[table]] == ["order_order"]
    assert "django_session" in UNCOUNTED_TABLES and "django_session" not in after
