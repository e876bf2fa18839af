import pytest
from oscar.core.loading import get_model
from wagtail.models import Locale

from tests.databases import refetched, rows_for_the_module
from tests.factories import (
    make_content_pages,
    make_gingerbread,
    make_home_page,
    make_tour,
    make_translation,
)


@pytest.fixture(scope="module")
def _content_rows(django_db_setup, django_db_blocker):
    # A second of building per test otherwise: built once for each module that uses it.
    with rows_for_the_module(django_db_blocker):
        Locale.objects.get_or_create(language_code="en")
        Locale.objects.get_or_create(language_code="zh-hans")
        tour = make_tour(departures=3, capacity=10, en_title="Astral places")
        gingerbread = make_gingerbread(title="Пряник «Нерпа»", price="250", en_title="Nerpa")
        category = get_model("catalogue", "Category").add_root(name="Пряники", slug="gingerbread")
        get_model("catalogue", "ProductCategory").objects.create(
            product=gingerbread, category=category
        )
        home = make_home_page()
        english_home = make_translation(home, "en", title="Home", hero_title="Baikalsk")
        pages = make_content_pages(home, tour, gingerbread)
        pages["english"]["home"] = english_home
        yield {"home": home, "tour": tour, "gingerbread": gingerbread, **pages}


@pytest.fixture
def content(db, _content_rows):
    """A small site: a home page with live sections, a tour landing page over a tour with
    three departures, an events calendar with an event served by the tour, a page embedding
    the gingerbread, a contact form and the navigation, in Russian and English."""
    return refetched(_content_rows)
