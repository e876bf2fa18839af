"""The access table (shop/core/access.py) against the site itself: every route the resolver
knows (ours, Oscar's, Wagtail's), made concrete with real ids from a site built by the demo
loader, is requested by each role, GET and POST (with a valid CSRF token), and answers as
the table says. On the way, no GET writes a row of any table, signs anybody out or answers
5xx, also with out-of-range values in its query string.
"""

import pytest
from django.db import DatabaseError, connection, transaction
from django.test import Client, override_settings
from django.urls import resolve, reverse

from shop.core import access
from tests.core.doors import (
    ROLES,
    UNCOUNTED_TABLES,
    World,
    WriteWatcher,
    fingerprint,
    routes,
)

pytestmark = [pytest.mark.payments, pytest.mark.django_db]

# The written policy, role × area: "G" may GET, "P" may POST. The table in shop/core/access.py
# must say the same (test_the_table_says_what_the_policy_says) and the site must do it.
POLICY = {
    #                        anonymous customer student teacher superuser
    "storefront": ("GP", "GP", "GP", "GP", "GP"),
    "sign-in": ("GP", "GP", "GP", "GP", "GP"),
    "password reset": ("GP", "", "", "", ""),
    "account": ("", "GP", "GP", "GP", "GP"),
    "team": ("", "", "GP", "G", "GP"),
    "teaching: reports": ("", "", "", "GP", "GP"),
    "teaching: students": ("", "", "", "GP", "GP"),
    # Another student's portfolio (a student's own: test_a_student_opens_only_their_own).
    "teaching: portfolio": ("", "", "", "G", "G"),
    "teaching: assessment": ("", "", "", "GP", "GP"),
    "dashboard": ("", "", "", "", "GP"),
    "wagtail": ("", "", "", "", "GP"),
    "closed": ("", "", "", "", ""),
}

# Values a clumsy user or a crawler sends: dates at the ends of the calendar, huge numbers.
ODD_QUERY = (
    "?month=9999-12&first=9999-12-29&last=9999-12-31&date_from=0001-01-01&date_to=9999-12-31"
    "&period=99999999999999999999&page=99999999999999999999&export=csv&response_format=csv"
    "&departure=-1"
)
CSRF = "k" * 32

# Admin views of Wagtail and Oscar that answer 500 to a POST without their form's fields
# (a KeyError on a field they expect). Their own pages always send the fields; only a
# signed-in superuser with a CSRF token can send such a POST. Every other POST, empty or
# not, answers without an error.
CRASH_ON_EMPTY_POST = {
    "wagtailadmin_pages:edit",
    "wagtailadmin_pages:preview_on_edit",
    "wagtailadmin_pages:copy",
    "wagtailadmin_pages:revisions_revert",
    "wagtailadmin_choose_page_external_link",
    "wagtailredirects:process_import",
    "wagtailsnippetchoosers_catalogue_producttranslation:create",
    "wagtailsnippetchoosers_bookings_tourtranslation:create",
    "wagtailsnippetchoosers_bookings_tickettypetranslation:create",
    "wagtailsnippetchoosers_catalogue_categorytranslation:create",
    "product_chooser:create",
    "tour_chooser:create",
    "dashboard:catalogue-category-update",
}


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, localstripe_url, tmp_path_factory):
    """Built once for the module, in a transaction rolled back at its end."""
    from shop.demo.loader import (
        demo_load_accounts,
        demo_load_catalogue,
        demo_load_pages,
        demo_load_teaching,
    )
    from shop.demo.orders import demo_load_orders

    stripe = {
        "STRIPE_LOCAL": True,
        "STRIPE_SECRET_KEY": "sk_test_localstripe",
        "STRIPE_API_BASE": localstripe_url,
        "STRIPE_WEBHOOK_SECRET": "whsec_test_suite",
        # The demo orders are paid through the session's localstripe only.
        "PAYMENT_PROVIDERS": ["stripe"],
    }
    media = str(tmp_path_factory.mktemp("media"))
    with django_db_blocker.unblock(), override_settings(**stripe, MEDIA_ROOT=media):
        outer = transaction.atomic()
        # Like the transaction a TestCase wraps a test in (and marked so): it holds no lock
        # another process waits for, so the payment layer may call localstripe inside it.
        outer._from_testcase = True
        outer.__enter__()
        try:
            demo_load_accounts()
            demo_load_catalogue()
            demo_load_pages()
            demo_load_teaching()
            assert demo_load_orders() == 5
            world = World()
            world.media_root = media
            yield world
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture(autouse=True)
def _the_worlds_media(settings, world):
    settings.MEDIA_ROOT = world.media_root


def addresses(world) -> list[tuple[access.Area, str, str]]:
    """(area, route key, address) of every route and every live page."""
    found = []
    for route in routes():
        url = world.url(route)
        if url is not None:
            match = resolve(url)
            found.append((access.area_of(match), access.route_key(match), url))
    found.append((access.WAGTAIL, "cms/.*/$", "/cms/nothing-here/"))
    found += [(access.STOREFRONT, "wagtail_serve", page) for page in world.pages()]
    return found


def client_for(world, role) -> Client:
    client = Client(raise_request_exception=False, enforce_csrf_checks=True)
    client.cookies["csrftoken"] = CSRF
    if world.users[role] is not None:
        client.force_login(world.users[role])
    return client


SIGN_IN_PAGES = {reverse(area.login) for area in access.AREAS if area.login}


def answer(response) -> str:
    """What the visitor got, as the table speaks of it."""
    if response.status_code >= 500:
        return "error"
    if response.status_code == 404:
        return "not found"
    if response.status_code == 403:
        return "refused"
    if response.status_code == 302 and response.url.split("?")[0] in SIGN_IN_PAGES:
        return "sent to sign in"
    return "open"


def expected(area, role, method) -> set[str]:
    may = ("G" if method == "GET" else "P") in POLICY[area.name][ROLES.index(role)]
    if may and area is access.SIGN_IN:
        return {"open", "not found", "sent to sign in"}  # e.g. signed out: sign in again
    if may:
        return {"open", "not found"}  # not found: an id the demo has nothing for
    if area is access.CLOSED:
        return {"not found"}
    return {"sent to sign in"} if role == "anonymous" else {"refused"}


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


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


def _anonymous():
    from django.contrib.auth.models import AnonymousUser

    return AnonymousUser()


@pytest.mark.parametrize("role", ROLES)
def test_every_get_answers_as_the_table_says_and_changes_nothing(world, role):
    client = client_for(world, role)
    user = world.users[role]
    client.get("/")  # Oscar makes a signed-in visitor's (empty) basket on their first visit
    before = fingerprint()

    problems = []
    for area, key, url in addresses(world):
        if area is None:
            problems.append(f"{key} ({url}) has no entry in ROUTES in shop/core/access.py")
            continue
        # The odd query for our views and Oscar's (Wagtail's admin and pages read none).
        odd = [] if url.startswith("/cms/") or key == "wagtail_serve" else [url + ODD_QUERY]
        for address in [url, *odd]:
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


@pytest.mark.parametrize("role", ROLES)
def test_every_post_answers_as_the_table_says(world, role):
    """With a valid CSRF token and no data; each POST is rolled back (an allowed one may do
    what it does), and the visitor's cookies are put back (a sign-out)."""
    client = client_for(world, role)
    cookies = {name: morsel.value for name, morsel in client.cookies.items()}

    problems = []
    for area, key, url in addresses(world):
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


def test_the_fingerprint_sees_a_changed_row(world):
    """The control: one field of one row changed is seen (and sessions are not counted)."""
    before = fingerprint()
    order = world.order
    order.guest_email = "changed@example.com"
    order.save()
    after = fingerprint()
    assert [table for table in before if before[table] != after[table]] == ["order_order"]
    assert "django_session" in UNCOUNTED_TABLES and "django_session" not in after
