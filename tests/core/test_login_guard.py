"""Every sign-in form slows password guessing down (django-axes): after a few wrong passwords
for one account, or from one address, signing in is refused for a while, even with the
right password, with a page in the visitor's language; staff see and clear lockouts."""

import datetime as dt

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.test import Client

from shop.activity.models import ActivityEntry

pytestmark = [pytest.mark.django_db]

PASSWORD = "Байкал-нерпа-2026"

# (address, the form's data for an e-mail and a password)
FORMS = {
    "account": (
        "/shop/accounts/login/",
        lambda email, password: {
            "login-username": email,
            "login-password": password,
            "login_submit": "1",
        },
    ),
    "dashboard": (
        "/shop/dashboard/login/",
        lambda email, password: {"username": email, "password": password},
    ),
    "wagtail": (
        "/cms/login/",
        lambda email, password: {"username": email, "password": password},
    ),
}


@pytest.fixture
def admin(django_user_model, site_home):
    return django_user_model.objects.create_superuser(
        username="boss", email="boss@example.com", password=PASSWORD
    )


def sign_in(client, form, email, password, language=""):
    url, data = FORMS[form]
    return client.post(f"{language}{url}", data(email, password), REMOTE_ADDR="203.0.113.7")


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


@pytest.mark.parametrize("form", FORMS)
def test_five_wrong_passwords_lock_the_account_even_for_the_right_one(admin, form):
    guesser = Client()
    for _ in range(5):
        response = sign_in(guesser, form, "boss@example.com", "wrong-password")
        assert response.status_code in (200, 429) and not signed_in(guesser)

    response = sign_in(guesser, form, "BOSS@example.com", PASSWORD)

    assert response.status_code == 429
    assert "Вход приостановлен" in response.content.decode()
    assert not signed_in(guesser)


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("", "попробуйте снова через 15 минут"),
        ("/en", "try again in 15 minutes"),
        ("/zh-hans", "15 分钟"),
    ],
)
def test_the_refusal_speaks_the_visitors_language(admin, language, words):
    guesser = Client()
    for _ in range(6):
        response = sign_in(guesser, "account", "boss@example.com", "wrong", language)
    assert response.status_code == 429
    assert words in response.content.decode()


def test_one_address_trying_many_accounts_is_locked_too(admin, django_user_model):
    guesser = Client()
    for index in range(5):
        sign_in(guesser, "account", f"someone{index}@example.com", "wrong")

    response = sign_in(guesser, "account", "boss@example.com", PASSWORD)

    assert response.status_code == 429 and not signed_in(guesser)


def test_behind_the_trusted_proxy_each_visitor_is_counted_on_their_own(admin, settings):
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    url, data = FORMS["account"]
    guesser, customer = Client(), Client()
    for index in range(5):
        guesser.post(
            url,
            data(f"someone{index}@example.com", "wrong"),
            REMOTE_ADDR="127.0.0.1",
            HTTP_X_FORWARDED_FOR="198.51.100.1",
        )

    response = customer.post(
        url,
        data("boss@example.com", PASSWORD),
        REMOTE_ADDR="127.0.0.1",
        HTTP_X_FORWARDED_FOR="198.51.100.2",
    )

    assert response.status_code == 302 and signed_in(customer)
    assert AccessAttempt.objects.filter(ip_address="198.51.100.1").exists()


def test_the_lockout_ends_after_its_time(admin):
    guesser = Client()
    for _ in range(5):
        sign_in(guesser, "wagtail", "boss@example.com", "wrong")
    AccessAttempt.objects.update(attempt_time=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))

    response = sign_in(guesser, "wagtail", "boss@example.com", PASSWORD)

    assert response.status_code == 302 and signed_in(guesser)


def test_staff_see_and_clear_a_lockout(admin, django_user_model):
    guesser = Client()
    for _ in range(5):
        sign_in(guesser, "account", "boss@example.com", "wrong")
    helper = django_user_model.objects.create_user(
        username="helper", email="helper@example.com", password="x", is_staff=True
    )
    helper.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="axes",
            codename__in=["view_accessattempt", "delete_accessattempt"],
        )
    )
    staff = Client()
    staff.force_login(helper)

    page = staff.get("/shop/dashboard/lockouts/").content.decode()
    assert "boss@example.com" in page and "203.0.113.7" in page
    attempt = AccessAttempt.objects.get(username="boss@example.com")
    staff.post("/shop/dashboard/lockouts/", {"attempt": attempt.pk})

    assert "boss@example.com" not in staff.get("/shop/dashboard/lockouts/").content.decode()
    entry = ActivityEntry.objects.get(action="lockout.cleared")
    assert entry.actor == helper and "boss@example.com" in entry.note
    assert sign_in(guesser, "account", "boss@example.com", PASSWORD).status_code == 302


def test_staff_without_the_permission_cannot_clear(admin, django_user_model):
    guesser = Client()
    for _ in range(5):
        sign_in(guesser, "account", "boss@example.com", "wrong")
    staff = Client()
    staff.force_login(
        get_user_model().objects.create_user(username="s", password="x", is_staff=True)
    )
    attempt = AccessAttempt.objects.get(username="boss@example.com")

    assert staff.get("/shop/dashboard/lockouts/").status_code == 403
    assert staff.post("/shop/dashboard/lockouts/", {"attempt": attempt.pk}).status_code == 403
    assert AccessAttempt.objects.filter(pk=attempt.pk).exists()
