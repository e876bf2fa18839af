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
    assert 'name="password"' in html and "О турбюро</h1>" not in html

    action = re.search(r'<form[^>]+action="([^"]+)"', html).group(1)
    anna.post(action, {"password": "secret", "return_url": "/about/"})
    assert title(visits(anna, "/about/")) == "О турбюро"
    stranger = Client()
    stranger.force_login(django_user_model.objects.create_user("boris", "boris@example.com"))
    assert 'name="password"' in stranger.get("/about/").content.decode()
