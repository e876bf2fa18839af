"""Wagtail's Site of a request comes from the cache (shop/core/site_cache.py): a site added,
moved to another root page or deleted answers the very next request."""

import pytest
from wagtail.models import Site

from tests.factories import make_home_page, make_standard_page

pytestmark = [pytest.mark.django_db]


def title(client) -> str:
    """The title of the page the site's root answers with at /."""
    html = client.get("/").content.decode()
    return html.split("<title>", 1)[1].split(" — ", 1)[0]


def test_a_site_added_changed_or_deleted_answers_the_next_request(client, django_user_model):
    home = make_home_page(title="Главная турбюро")
    school = make_standard_page(home, title="Центр профессиональных проб", slug="proby")
    client.force_login(django_user_model.objects.create_user("anna", "anna@example.com", "pw"))
    assert title(client) == "Главная турбюро"

    # A site of its own for this host (the default site answers every other host).
    site = Site.objects.create(hostname="testserver", port=80, root_page=school)
    assert title(client) == "Центр профессиональных проб"

    site.root_page = home
    site.save()
    assert title(client) == "Главная турбюро"

    site.root_page = school
    site.save()
    assert title(client) == "Центр профессиональных проб"
    site.delete()
    assert title(client) == "Главная турбюро"
