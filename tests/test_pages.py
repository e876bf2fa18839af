"""Every public page renders, in Russian and in English, with real content."""

import pytest

from tests.databases import refetched, rows_for_the_module
from tests.factories import (
    make_gingerbread,
    make_home_page,
    make_standard_page,
    make_tour,
    make_translation,
)

# The main pages once more on SQLite, the database of `make run`.
pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]


@pytest.fixture(scope="module")
def _shop_rows(django_db_setup, django_db_blocker):
    with rows_for_the_module(django_db_blocker):
        home = make_home_page()
        make_translation(home, "en", title="Baikal tour bureau", hero_title="Baikalsk by students")
        about = make_standard_page(home, title="О нас", slug="about", intro="Учимся действием")
        make_translation(about, "en", title="About us", intro="Learning by doing")
        yield {
            "home": home,
            "tour": make_tour(en_title="Astral places of Baikalsk"),
            "gingerbread": make_gingerbread(en_title="Nerpa gingerbread"),
        }


@pytest.fixture
def shop(db, _shop_rows):
    return refetched(_shop_rows)


def test_home_page_shows_hero_and_live_products(client, shop):
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Байкальск глазами студентов" in html
    assert "Астральные места Байкальска" in html
    assert "Пряник «Нерпа»" in html
    assert '<html lang="ru"' in html


def test_home_page_in_english(client, shop):
    response = client.get("/en/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Baikalsk by students" in html
    assert "Astral places of Baikalsk" in html
    assert '<html lang="en"' in html


def test_catalogue_lists_every_public_product(client, shop):
    response = client.get("/shop/catalogue/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Астральные места Байкальска" in html
    assert "Пряник «Нерпа»" in html


def test_catalogue_filters_by_product_type(client, shop):
    html = client.get("/shop/catalogue/?type=gingerbread").content.decode()
    assert "Пряник «Нерпа»" in html
    assert "Астральные места Байкальска" not in html


def test_catalogue_in_english_uses_translated_titles(client, shop):
    html = client.get("/en/shop/catalogue/").content.decode()
    assert "Nerpa gingerbread" in html
    assert "Astral places of Baikalsk" in html


def test_tour_page_lists_departures_with_seats(client, shop):
    response = client.get(shop["tour"].get_absolute_url())
    assert response.status_code == 200
    html = response.content.decode()
    assert "Астральные места Байкальска" in html
    assert html.count('class="departure departure--open"') == 2
    # Each departure shows the adult's fare and says so, not the child's 450 ₽.
    assert html.count("Взрослый: 900\xa0₽") == 2 and "450\xa0₽" not in html


def test_gingerbread_page_shows_price_weight_and_basket_form(client, shop):
    response = client.get(shop["gingerbread"].get_absolute_url())
    assert response.status_code == 200
    html = response.content.decode()
    assert "250\xa0₽" in html
    assert "90" in html
    assert 'id="add_to_basket_form"' in html
    assert '<input type="number" name="quantity"' in html


def test_gingerbread_page_in_english(client, shop):
    url = "/en" + shop["gingerbread"].get_absolute_url()
    html = client.get(url).content.decode()
    assert "Nerpa gingerbread" in html
    assert "Weight" in html


def test_empty_basket_page(client, shop):
    response = client.get("/shop/basket/")
    assert response.status_code == 200
    assert "Ваша корзина пуста" in response.content.decode()


def test_adding_gingerbread_fills_the_basket_summary(client, shop):
    product = shop["gingerbread"]
    client.post(f"/shop/basket/add/{product.pk}/", {"quantity": 2})
    html = client.get("/shop/basket/").content.decode()
    assert "Пряник «Нерпа»" in html
    assert "500\xa0₽" in html


def test_about_page_in_both_languages(client, shop):
    assert "Учимся действием" in client.get("/about/").content.decode()
    assert "Learning by doing" in client.get("/en/about/").content.decode()


@pytest.mark.parametrize("url", ["/cms/", "/shop/dashboard/"])
def test_staff_areas_ask_anonymous_visitors_to_sign_in(client, shop, url):
    response = client.get(url)
    assert response.status_code == 302
    assert "login" in response["Location"]
    login = client.get(response["Location"])
    assert login.status_code == 200


def _switch_link(html: str, language: str) -> str:
    import re

    match = re.search(rf'<a href="([^"]+)" hreflang="{language}"', html)
    assert match, f"no {language} link in the language switch"
    return match.group(1)


@pytest.mark.parametrize(
    "url,english,russian_text,english_text",
    [
        ("/about/", "/en/about/", "Учимся действием", "Learning by doing"),
        ("/shop/catalogue/", "/en/shop/catalogue/", "Все товары", "All products"),
        ("/", "/en/", "Байкальск глазами студентов", "Baikalsk by students"),
    ],
)
def test_language_switch_keeps_the_visitor_on_the_same_page(
    client, shop, url, english, russian_text, english_text
):
    russian_html = client.get(url).content.decode()
    assert russian_text in russian_html
    assert _switch_link(russian_html, "en") == english
    english_page = client.get(english)
    assert english_page.status_code == 200
    english_html = english_page.content.decode()
    assert english_text in english_html
    assert _switch_link(english_html, "ru") == url


def test_a_page_without_translation_switches_to_the_translated_home(client, shop):
    make_standard_page(shop["home"], title="Только по-русски", slug="tolko")
    html = client.get("/tolko/").content.decode()
    assert _switch_link(html, "en") == "/en/"


def test_interface_is_in_russian_by_default_and_english_under_en(client, shop):
    assert "Корзина" in client.get("/").content.decode()
    assert "Cart" in client.get("/en/").content.decode()


@pytest.fixture
def admin_user(django_user_model):
    return django_user_model.objects.create_superuser(
        username="admin@example.com", email="admin@example.com", password="baikal-demo"
    )


@pytest.mark.parametrize("url", ["/cms/", "/shop/dashboard/"])
def test_admin_reaches_the_staff_areas_after_signing_in(client, shop, admin_user, url):
    assert client.login(username="admin@example.com", password="baikal-demo")
    response = client.get(url)
    assert response.status_code == 200


@pytest.mark.parametrize("query", ["?page=abc", "?page=999"])
def test_catalogue_page_that_does_not_exist_is_not_found_in_russian(client, shop, query):
    response = client.get("/shop/catalogue/" + query)
    assert response.status_code == 404
    assert "Страница не найдена" in response.content.decode()


@pytest.mark.parametrize("query", ["?type=<script>", "?type=nothing"])
def test_catalogue_unknown_type_shows_everything(client, shop, query):
    response = client.get("/shop/catalogue/" + query)
    html = response.content.decode()
    assert response.status_code == 200 and "<h1>Все товары</h1>" in html.replace("\n", "")
    assert shop["tour"].title in html and shop["gingerbread"].title in html
    assert "<script>" not in html.split("<main", 1)[1].split("</main>", 1)[0]


def test_unknown_product_and_category_are_not_found(client, shop):
    assert client.get("/shop/catalogue/nothing_999999/").status_code == 404
    assert client.get("/shop/catalogue/category/nothing_999999/").status_code == 404


def test_a_departure_has_no_page_of_its_own(client, shop):
    departure = shop["tour"].children.first()
    response = client.get(departure.get_absolute_url())
    assert response.status_code == 301
    assert response["Location"] == shop["tour"].get_absolute_url()


def test_departure_times_are_shown_in_baikalsk_local_time(client, shop):
    from django.utils import timezone

    departure = shop["tour"].tour.departures.first()
    local = timezone.localtime(departure.starts_at)
    html = client.get(shop["tour"].get_absolute_url()).content.decode()
    assert f'<span class="departure__time">{local:%H:%M} <abbr' in html


def test_not_found_page_speaks_russian_in_the_site_layout(client, shop):
    response = client.get("/shop/catalogue/nothing_999999/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "Страница не найдена" in html
    assert "site-header" in html


def test_catalogue_query_count_does_not_grow_with_products(client, shop):
    import collections

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries():
        # The listing's cached fragment is dropped first: this measures a page built anew.
        from shop.core.freshness import catalogue_changed

        catalogue_changed()
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/shop/catalogue/").status_code == 200
        return collections.Counter(query["sql"][:100] for query in captured.captured_queries)

    queries()  # first request fills per-process caches (site, locales)
    few = queries()
    for index in range(6):
        make_gingerbread(title=f"Пряник {index}")
        make_tour(title=f"Экскурсия {index}", departures=3)
    many = queries()
    assert sum(many.values()) == sum(few.values()), many - few


def test_english_home_button_leads_to_the_english_tours(client, shop):
    shop["home"].hero_cta_text = "Выбрать экскурсию"
    shop["home"].save_revision().publish()
    english = shop["home"].get_translation(
        shop["home"].get_translations().get(locale__language_code="en").locale
    )
    english.hero_cta_text = "Choose a tour"
    english.save_revision().publish()
    assert 'href="/shop/catalogue/?type=tour"' in client.get("/").content.decode()
    assert 'href="/en/shop/catalogue/?type=tour"' in client.get("/en/").content.decode()
