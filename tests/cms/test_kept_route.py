"""Wagtail's route to a page and its view restrictions are kept between requests
(cms/serving.py) until a page, a locale or a restriction is written: a signed-in visitor (whom
the page cache never serves) sees a page retitled, moved, unpublished or restricted at once."""

import re

import pytest
from django.test import Client

from tests.factories import make_home_page, make_standard_page

pytestmark = [pytest.mark.django_db(transaction=True)]


@pytest.fixture
def anna(django_user_model):
    client = Client()
    client.force_login(django_user_model.objects.create_user("anna", "anna@example.com"))
    return client


@pytest.fixture
def page():
    return make_standard_page(make_home_page(), title="О турбюро", slug="about")


def visits(client, url):
    for _ in range(4):  # the last visits are answered from what was kept
        response = client.get(url)
    return response


def title(response) -> str:
    return re.search(r"<h1[^>]*>\s*([^<]+?)\s*</h1>", response.content.decode()).group(1)


def test_a_page_retitled_moved_and_unpublished_shows_at_once(anna, page):
    assert title(visits(anna, "/about/")) == "О турбюро"

    page.title = "Кто мы"
    page.save_revision().publish()
    assert title(anna.get("/about/")) == "Кто мы"

    visits(anna, "/about/")
    page.slug = "who-we-are"
    page.save_revision().publish()
    moved = anna.get("/about/")  # the old address leads to the new one
    assert moved.status_code == 301 and moved["Location"] == "/who-we-are/"
    assert title(visits(anna, "/who-we-are/")) == "Кто мы"

    page.unpublish()
    assert anna.get("/who-we-are/").status_code == 404


def test_a_restriction_added_asks_for_the_password_at_once_and_lets_in_who_knows_it(
    anna, page, django_user_model
):
    from wagtail.models import PageViewRestriction

    assert visits(anna, "/about/").status_code == 200
    PageViewRestriction.objects.create(
        page=page, restriction_type=PageViewRestriction.PASSWORD, password="secret"
    )
    html = anna.get("/about/").content.decode()
    assert 'name="password"' in html and "<h1>Нужен пароль</h1>" in html

    action = re.search(r'action="([^"]+)"[^>]*class="password-form"', html).group(1)
    anna.post(action, {"password": "secret", "return_url": "/about/"})
    assert title(visits(anna, "/about/")) == "О турбюро"
    stranger = Client()
    stranger.force_login(django_user_model.objects.create_user("boris", "boris@example.com"))
    assert 'name="password"' in stranger.get("/about/").content.decode()


@pytest.mark.parametrize(
    ("prefix", "asked"),
    [
        ("", "Эта страница открыта тем, у кого есть её пароль."),
        ("/zh-hans", "此页面仅对知道其密码的人开放。"),
    ],
)
def test_the_password_is_asked_in_the_sites_own_page(client, page, prefix, asked):
    from wagtail.models import PageViewRestriction

    PageViewRestriction.objects.create(
        page=page, restriction_type=PageViewRestriction.PASSWORD, password="secret"
    )
    html = client.get(f"{prefix}/about/").content.decode()

    assert asked in html and 'class="site-header' in html
    assert 'type="password"' in html and 'class="button"' not in html


def test_a_page_for_signed_in_people_sends_to_the_sites_sign_in(client, page):
    from wagtail.models import PageViewRestriction

    PageViewRestriction.objects.create(page=page, restriction_type=PageViewRestriction.LOGIN)
    response = client.get("/about/")

    assert response.status_code == 302
    assert response["Location"] == "/shop/accounts/login/?next=/about/"
