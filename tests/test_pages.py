"""Every public page renders, in Russian and in English, with real content."""

import pytest

from tests.factories import make_gingerbread, make_standard_page, make_tour, make_translation

pytestmark = [pytest.mark.django_db, pytest.mark.smoke]


@pytest.fixture
def shop(site_home):
    make_translation(site_home, "en", title="Baikal tour bureau", hero_title="Baikalsk by students")
    about = make_standard_page(site_home, title="О нас", slug="about", intro="Учимся действием")
    make_translation(about, "en", title="About us", intro="Learning by doing")
    return {
        "home": site_home,
        "tour": make_tour(en_title="Astral places of Baikalsk"),
        "gingerbread": make_gingerbread(en_title="Nerpa gingerbread"),
    }


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
    assert html.count('class="departure"') == 2
    assert "900 ₽" in html


def test_gingerbread_page_shows_price_weight_and_basket_form(client, shop):
    response = client.get(shop["gingerbread"].get_absolute_url())
    assert response.status_code == 200
    html = response.content.decode()
    assert "250 ₽" in html
    assert "90" in html
    assert 'id="add_to_basket_form"' in html


def test_gingerbread_page_in_english(client, shop):
    url = "/en" + shop["gingerbread"].get_absolute_url()
    html = client.get(url).content.decode()
    assert "Nerpa gingerbread" in html
    assert "Weight" in html


def test_basket_page(client, shop):
    response = client.get("/shop/basket/")
    assert response.status_code == 200
    assert "basket" in response.content.decode().lower()


def test_adding_gingerbread_fills_the_basket_summary(client, shop):
    product = shop["gingerbread"]
    client.post(f"/shop/basket/add/{product.pk}/", {"quantity": 2})
    html = client.get("/shop/basket/").content.decode()
    assert "Пряник «Нерпа»" in html
    assert "500 ₽" in html


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


def test_language_switch_keeps_the_visitor_on_the_same_page(client, shop):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/about/"})
    assert response.status_code == 302
    assert response["Location"] == "/en/about/"


def test_language_switch_links_point_to_the_page_translation(client, shop):
    html = client.get("/about/").content.decode()
    assert 'name="next" value="/en/about/"' in html
