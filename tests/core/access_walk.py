"""What the resolver-walking tests share (tests/core/test_access.py for GET and the table,
tests/core/test_access_post.py for POST, two modules so that two pytest processes share the
work): the written policy, a site built once per module with the demo loader, and how an
answer is read."""

from django.test import Client
from django.urls import resolve, reverse

from shop.core import access
from tests.core.doors import (
    ROLES,
    routes,
)

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


def addresses(world, role: str = "anonymous") -> list[tuple[access.Area, str, str]]:
    """(area, route key, address) of every route and of the live pages: every page for the
    anonymous visitor (each page's whole text rendered and, for GET, cached), one page of each
    kind for a signed-in role (the kind decides what a role meets on it)."""
    found = []
    for route in routes():
        url = world.url(route)
        if url is not None:
            match = resolve(url)
            found.append((access.area_of(match), access.route_key(match), url))
    found.append((access.WAGTAIL, "cms/.*/$", "/cms/nothing-here/"))
    pages = world.pages(every=role == "anonymous")
    found += [(access.STOREFRONT, "wagtail_serve", page) for page in pages]
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


def _anonymous():
    from django.contrib.auth.models import AnonymousUser

    return AnonymousUser()
