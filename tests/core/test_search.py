"""The site search (/search/): products and pages, case-insensitive for Cyrillic on SQLite
as on PostgreSQL, in the visitor's language, never a 500."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from oscar.core.loading import get_model

from shop.core.search import QUERY_MAX_LENGTH, search_query_clean, search_terms
from tests.factories import make_gingerbread, make_standard_page, make_tour, make_translation

pytestmark = pytest.mark.django_db

ProductTranslation = get_model("catalogue", "ProductTranslation")


def search(client, query, *, prefix="", **params):
    return client.get(f"{prefix}/search/", {"q": query, **params})


def found(response) -> list[str]:
    """Titles of the products and pages found, in order."""
    context = response.context
    return [p.get_title() for p in context["found_products"]] + [
        page.title for page in context["found_pages"]
    ]


@pytest.mark.sqlite
@pytest.mark.parametrize("query", ["нерпа", "НЕРПА", "Нерпа", "  нЕрПа  ", "пряник нерпа"])
def test_a_russian_word_finds_the_product_whatever_its_case(client, site_home, query):
    make_gingerbread(title="Пряник «Нерпа»", price="250")
    make_gingerbread(title="Пряник «Омуль»", price="200")

    response = search(client, query)

    assert response.status_code == 200
    assert found(response) == ["Пряник «Нерпа»"]
    html = response.content.decode()
    assert "Пряник «Нерпа»" in html and "250" in html
    assert "<title>Поиск: " in html
    assert '<meta name="robots" content="noindex">' in html


@pytest.mark.sqlite
def test_the_description_and_every_words_match_count(client, site_home):
    product = make_gingerbread(title="Пряник «Нерпа»")
    product.description = "<p>С начинкой из САДОВОЙ земляники и кедрового ореха.</p>"
    product.save()

    assert found(search(client, "земляники кедрового")) == ["Пряник «Нерпа»"]
    assert found(search(client, "земляники омуль")) == []


@pytest.mark.sqlite
def test_an_english_query_finds_the_product_through_its_english_translation(client, site_home):
    make_gingerbread(title="Пряник «Нерпа»", en_title="Nerpa gingerbread")
    make_gingerbread(title="Пряник «Омуль»", en_title="Omul gingerbread")

    response = search(client, "NERPA", prefix="/en")

    assert response.status_code == 200
    assert found(response) == ["Nerpa gingerbread"]  # shown with its English title
    assert "<title>Search: NERPA" in response.content.decode()


@pytest.mark.sqlite
def test_translations_in_any_language_are_searched(client, site_home):
    product = make_gingerbread(title="Пряник «Нерпа»")
    ProductTranslation.objects.create(
        product=product, language="zh-hans", title="贝加尔湖海豹姜饼", description="草莓和雪松果"
    )

    assert found(search(client, "海豹")) == ["Пряник «Нерпа»"]
    assert found(search(client, "雪松")) == ["Пряник «Нерпа»"]


def test_a_tour_is_found_with_its_price_from(client, site_home):
    make_tour(title="Встреча рассвета на Байкале", price="900", departures=2)

    response = search(client, "рассвет")

    assert found(response) == ["Встреча рассвета на Байкале"]
    assert "от 900\xa0₽" in response.content.decode()  # the adult fare, not the child's 450


def test_a_product_that_is_not_public_or_a_departure_is_not_found(client, site_home):
    hidden = make_gingerbread(title="Пряник «Нерпа» (черновик)")
    hidden.is_public = False
    hidden.save()
    make_tour(title="Нерпа-тур", departures=1)

    assert found(search(client, "нерпа")) == ["Нерпа-тур"]  # no draft, no departure


@pytest.mark.sqlite
def test_a_russian_page_is_found_by_a_lowercase_word_of_its_title(client, site_home):
    make_standard_page(
        site_home, title="Встреча рассвета на Байкале", slug="rassvet", intro="Ранний выезд."
    )
    make_standard_page(site_home, title="Контакты", slug="contacts")

    response = search(client, "рассвета")

    assert found(response) == ["Встреча рассвета на Байкале"]
    html = response.content.decode()
    assert 'href="/rassvet/"' in html and "Ранний выезд." in html
    assert found(search(client, "РАССВЕТА")) == ["Встреча рассвета на Байкале"]


def test_pages_are_searched_in_the_current_language_only(client, site_home):
    russian = make_standard_page(site_home, title="Байкальск: о городе", slug="gorod")
    make_translation(site_home, "en", title="Baikal tour bureau", hero_title="Baikalsk")
    make_translation(russian, "en", title="Baikalsk: about the town", slug="town")

    english = search(client, "baikalsk", prefix="/en")
    assert found(english) == ["Baikalsk: about the town"]
    assert 'href="/en/town/"' in english.content.decode()

    assert found(search(client, "байкальск", prefix="/en")) == []
    assert found(search(client, "байкальск")) == ["Байкальск: о городе"]
    assert found(search(client, "town")) == []


def test_products_come_before_pages_and_both_are_paginated(client, site_home):
    for number in range(3):
        make_gingerbread(title=f"Нерпа {number}")
    for number in range(2):
        make_standard_page(site_home, title=f"Нерпа, статья {number}", slug=f"nerpa-{number}")

    from shop.core.search import SiteSearchView

    first = search(client, "нерпа")
    assert first.context["paginator"].count == 5
    SiteSearchView.paginate_by, saved = 2, SiteSearchView.paginate_by
    try:
        pages = [found(search(client, "нерпа", page=n)) for n in (1, 2, 3)]
    finally:
        SiteSearchView.paginate_by = saved

    assert pages[0] == ["Нерпа 0", "Нерпа 1"]
    assert pages[1][0] == "Нерпа 2" and pages[1][1].startswith("Нерпа, статья")
    assert len(pages[2]) == 1 and pages[2][0].startswith("Нерпа, статья")


@pytest.mark.sqlite
@pytest.mark.parametrize(
    "query",
    [
        "н" * 5000,
        "нерпа\x00",
        "\x00",
        '"',
        "'; DROP TABLE catalogue_product; --",
        "*** (( )) ^ : - AND OR NEAR(",
        "%_%",
        "贝加尔湖",
        "😀",
        "\u202e\u200b",
    ],
)
def test_any_input_gets_a_page_not_an_error(client, site_home, query):
    make_gingerbread(title="Пряник «Нерпа»")
    make_standard_page(site_home, title="Нерпа и Байкал", slug="nerpa")

    response = search(client, query)

    assert response.status_code == 200
    assert response.context["search_query"] == search_query_clean(query)[0]


def test_an_empty_query_shows_the_form_and_a_hint(client, site_home):
    for response in (client.get("/search/"), search(client, "   "), search(client, "\x00")):
        assert response.status_code == 200
        html = response.content.decode()
        assert 'type="search" name="q"' in html
        assert "Введите слово" in html
        assert response.context["found_products"] == []


def test_nothing_found_says_so(client, site_home):
    response = search(client, "!!!")
    assert response.status_code == 200
    assert "Ничего не найдено по запросу «!!!»." in response.content.decode()


def test_a_very_long_query_is_cut_and_the_visitor_told(client, site_home):
    make_gingerbread(title="Пряник «Нерпа»")

    response = search(client, "нерпа " + "x" * 500)

    assert response.status_code == 200
    assert len(response.context["search_query"]) == QUERY_MAX_LENGTH
    assert "Искали только по первым 100 символам запроса." in response.content.decode()


def test_a_bad_page_number_is_a_404_as_in_the_catalogue(client, site_home):
    make_gingerbread(title="Пряник «Нерпа»")
    assert search(client, "нерпа", page="last").status_code == 200
    assert search(client, "нерпа", page="abc").status_code == 404
    assert search(client, "нерпа", page="99").status_code == 404
    assert client.get("/shop/catalogue/", {"page": "abc"}).status_code == 404


def test_oscars_search_address_leads_to_ours_with_the_query(client):
    response = client.get("/shop/search/", {"q": "нерпа"})
    assert response.status_code == 301
    assert response["Location"] == "/search/?q=%D0%BD%D0%B5%D1%80%D0%BF%D0%B0"

    assert client.get("/en/shop/search/", {"q": "x"})["Location"] == "/en/search/?q=x"
    assert client.get("/shop/search/")["Location"] == "/search/"


def test_the_url_in_every_language(settings):
    from django.utils import translation

    assert reverse("site-search") == "/search/"
    for code, _name in settings.LANGUAGES[1:]:
        with translation.override(code):
            assert reverse("site-search") == f"/{code}/search/"


def test_robots_keeps_search_results_out(client, settings):
    text = client.get("/robots.txt").content.decode()
    assert "Disallow: /search/\n" in text
    for code, _name in settings.LANGUAGES[1:]:
        assert f"Disallow: /{code}/search/\n" in text


def test_queries_do_not_grow_with_the_number_of_products_found(client, site_home):
    make_tour(title="Нерпа-тур", departures=3)
    make_standard_page(site_home, title="Нерпа", slug="nerpa")
    for number in range(2):
        make_gingerbread(title=f"Пряник «Нерпа» {number}", en_title=f"Nerpa {number}")
    for _warm_up in range(2):  # the site's header and footer settle their caches
        search(client, "нерпа")

    def queries():
        with CaptureQueriesContext(connection) as captured:
            response = search(client, "нерпа")
        assert response.status_code == 200
        return len(found(response)), len(captured)

    few = queries()
    for number in range(2, 6):
        make_gingerbread(title=f"Пряник «Нерпа» {number}", en_title=f"Nerpa {number}")
    many = queries()

    assert (few[0], many[0]) == (4, 8)
    assert many[1] <= few[1], f"{few[1]} queries for 3 products, {many[1]} for 7"


def test_the_query_is_cleaned_and_split_into_words():
    assert search_query_clean("  Нерпа\x00 \t пряник ") == ("Нерпа пряник", False)
    assert search_query_clean("x" * 101) == ("x" * 100, True)
    assert search_terms("«Нерпа», НЕРПА и пряник!") == ["нерпа", "и", "пряник"]
    assert search_terms("?!*") == []
    assert len(search_terms(" ".join(f"w{n}" for n in range(50)))) == 8


def test_a_language_without_pages_finds_products_but_no_other_languages_pages(client, site_home):
    make_gingerbread(title="Пряник «Нерпа»")
    make_standard_page(site_home, title="Нерпа", slug="nerpa")

    response = search(client, "нерпа", prefix="/zh-hans")

    assert response.status_code == 200
    assert found(response) == ["Пряник «Нерпа»"]


def test_private_and_draft_pages_are_not_found(client, site_home):
    from wagtail.models import PageViewRestriction

    private = make_standard_page(site_home, title="Нерпа: для своих", slug="private")
    PageViewRestriction.objects.create(
        page=private, restriction_type=PageViewRestriction.PASSWORD, password="secret"
    )
    draft = make_standard_page(site_home, title="Нерпа: черновик", slug="draft")
    draft.unpublish()
    make_standard_page(site_home, title="Нерпа для всех", slug="public")

    assert found(search(client, "нерпа")) == ["Нерпа для всех"]


def test_the_query_is_shown_escaped(client, site_home):
    html = search(client, '<script>alert("x")</script>').content.decode()
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
