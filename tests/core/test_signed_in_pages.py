"""Pages of signed-in people: what is kept between requests is as fresh as before, and each
page's queries neither regress nor grow with the data (the benchmark, `make bench` and
`make bench-signed-in`, loads the same pages)."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext

from shop.core.roles import STUDENTS

pytestmark = [pytest.mark.django_db]


def test_a_permission_taken_away_is_refused_on_the_very_next_request(client, student):
    client.force_login(student)
    assert client.get("/team/").status_code == 200

    student.groups.remove(Group.objects.get(name=STUDENTS))
    assert client.get("/team/").status_code != 200

    student.groups.add(Group.objects.get(name=STUDENTS))
    assert client.get("/team/").status_code == 200

    students = Group.objects.get(name=STUDENTS)
    process = Permission.objects.get(codename="view_order", content_type__app_label="order")
    students.permissions.remove(process)
    assert client.get("/team/").status_code != 200
    students.permissions.add(process)
    assert client.get("/team/").status_code == 200


def test_a_workspace_page_reads_the_permissions_once_until_they_change(client, student):
    client.force_login(student)
    client.get("/team/")

    def permission_queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/team/").status_code == 200
        return [q for q in captured.captured_queries if "auth_permission" in q["sql"]]

    assert permission_queries() == []
    Group.objects.get(name=STUDENTS).permissions.add(Permission.objects.get(codename="add_group"))
    assert len(permission_queries()) == 2
    assert permission_queries() == []


def test_a_signed_in_visitor_sees_new_contacts_on_the_next_page(client, django_user_model):
    from cms.models import ContactSettings
    from tests.factories import make_home_page

    home = make_home_page()
    client.force_login(django_user_model.objects.create_user("anna", "anna@example.com", "pw"))
    contacts = ContactSettings.for_site(home.get_site())
    contacts.phone = "+7 (39542) 2-22-22"
    contacts.save()
    assert "+7 (39542) 2-22-22" in client.get("/").content.decode()

    contacts.phone = "+7 (39542) 3-33-33"
    contacts.save()
    html = client.get("/").content.decode()
    assert "+7 (39542) 3-33-33" in html and "2-22-22" not in html


# The queries of each page today: a page that needs more fails here, and so does one whose
# count changes when its data triples. (With the tests' settings: the production settings
# read the session from the cache, one query fewer on each.)
QUERIES = {
    "customer: home": 7,
    "customer: account orders": 9,
    "customer: an order": 13,
    "customer: basket": 13,
    "customer: booking page": 6,
    "customer: payment page": 11,
    "student: queue": 6,
    "student: tours": 9,
    "student: manifest": 13,
    "teacher: report (orders)": 16,
    "teacher: portfolio": 15,
    "teacher: gradebook": 5,
}


def test_signed_in_pages_cost_the_same_queries_with_three_times_the_data():
    from bench import signed_in

    state = signed_in.build(report_orders=60)
    small = signed_in.query_counts(state, {}, signed_in.pages(state))
    signed_in._add(state, 2)
    large = signed_in.query_counts(state, {}, signed_in.pages(state))
    assert small == large
    assert {name: count for name, count in small.items() if count > QUERIES[name]} == {}


def test_a_session_is_read_from_the_cache_and_ends_at_once_when_its_owner_signs_out(
    client, django_user_model, settings
):
    # As the production settings keep sessions (the tests' cache is each process's own).
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    settings.SESSION_CACHE_ALIAS = "pages"

    from tests.factories import make_home_page

    make_home_page()
    client.force_login(django_user_model.objects.create_user("anna", "anna@example.com", "pw"))
    client.get("/")
    with CaptureQueriesContext(connection) as captured:
        html = client.get("/").content.decode()
    assert 'href="/shop/accounts/login/"' not in html  # signed in
    assert [q for q in captured.captured_queries if "django_session" in q["sql"]] == []

    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    client.logout()
    client.cookies[settings.SESSION_COOKIE_NAME] = cookie  # the old cookie, replayed
    html = client.get("/").content.decode()
    assert 'href="/shop/accounts/login/"' in html
