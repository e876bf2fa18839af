"""Whole pages served to anonymous visitors from the cache (shop/core/page_cache.py): each
visitor gets their own CSRF token and basket, nobody gets another's messages, account or
restricted page, and a change shows at once."""

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from oscar.core.loading import get_model

pytestmark = [pytest.mark.django_db]

StockRecord = get_model("partner", "StockRecord")
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def visit(client, url):
    """(response, html, queries) of a GET."""
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    return response, response.content.decode().replace("\xa0", " "), len(captured)


def basket_count(html) -> str:
    return re.search(r'basket-link__count">([^<]*)<', html).group(1)


@pytest.fixture
def product_url(content):
    return content["gingerbread"].get_absolute_url()


def test_the_next_visitor_gets_the_page_from_the_cache_with_a_token_of_their_own(
    content, product_url
):
    first = Client(enforce_csrf_checks=True)
    response, html, _ = visit(first, product_url)
    assert response["X-Page-Cache"] == "miss"
    first_token = TOKEN.search(html).group(1)

    second = Client(enforce_csrf_checks=True)
    response, html, queries = visit(second, product_url)
    assert response["X-Page-Cache"] == "hit" and queries == 0
    assert "Пряник «Нерпа»" in html and "250 ₽" in html
    tokens = set(TOKEN.findall(html))
    assert tokens and first_token not in tokens and "csrf-token" not in html
    assert "csrftoken" in response.cookies

    # The token is this visitor's: the first visitor's is refused, theirs accepted.
    add = f"/shop/basket/add/{content['gingerbread'].pk}/"
    refused = second.post(add, {"quantity": 2, "csrfmiddlewaretoken": first_token})
    assert refused.status_code == 403
    added = second.post(add, {"quantity": 2, "csrfmiddlewaretoken": tokens.pop()})
    assert added.status_code == 302


def test_a_visitor_with_a_basket_sees_their_own_basket_on_a_cached_page(content, product_url):
    visit(Client(), product_url)  # cached for everyone
    shopper = Client()
    shopper.post(f"/shop/basket/add/{content['gingerbread'].pk}/", {"quantity": 2})
    shopper.get("/shop/basket/")  # reads the "added to your basket" message

    response, html, _ = visit(shopper, product_url)
    assert response["X-Page-Cache"] == "hit"
    assert basket_count(html) == "2" and "500 ₽" in html

    response, html, _ = visit(Client(), product_url)
    assert response["X-Page-Cache"] == "hit"
    assert basket_count(html) == "0" and "500 ₽" not in html


def test_a_page_rendered_for_a_visitor_with_a_basket_is_not_kept(content, product_url):
    shopper = Client()
    shopper.post(f"/shop/basket/add/{content['gingerbread'].pk}/", {"quantity": 1})
    shopper.get("/shop/basket/")
    response, html, _ = visit(shopper, product_url)
    assert basket_count(html) == "1" and "X-Page-Cache" not in response

    response, html, _ = visit(Client(), product_url)
    assert response["X-Page-Cache"] == "miss" and basket_count(html) == "0"


def test_a_message_waiting_for_a_visitor_is_shown_and_never_cached(content, product_url):
    visit(Client(), product_url)
    shopper = Client()
    shopper.post(f"/shop/basket/add/{content['gingerbread'].pk}/", {"quantity": 1})
    # The message waits in the visitor's cookie: the page is rendered for them.
    response, html, _ = visit(shopper, product_url)
    assert "X-Page-Cache" not in response
    assert "добавлен" in html.lower()
    response, html, _ = visit(Client(), product_url)
    assert response["X-Page-Cache"] == "hit" and "добавлен" not in html.lower()


def test_signed_in_visitors_are_never_served_from_the_cache_nor_cached(
    content, product_url, django_user_model
):
    django_user_model.objects.create_user(username="t", email="t@example.com", password="pw")
    customer = Client()
    customer.login(username="t", password="pw")
    for _ in range(2):
        response, html, _ = visit(customer, content["home"].url)
        assert "X-Page-Cache" not in response and "/shop/accounts/" in html
    response, html, _ = visit(Client(), content["home"].url)
    assert response["X-Page-Cache"] == "miss"


def test_a_contact_form_is_rendered_for_each_visitor(content):
    url = content["contact"].url
    stamps = set()
    for _ in range(2):
        response, html, _ = visit(Client(), url)
        assert "X-Page-Cache" not in response
        stamps.add(re.search(r'name="started" value="([^"]+)"', html).group(1))
    assert len(stamps) == 2


def test_a_password_protected_page_is_never_shared(content):
    from wagtail.models import PageViewRestriction

    page = content["privacy"]
    assert visit(Client(), page.url)[0]["X-Page-Cache"] == "miss"  # kept while still open
    PageViewRestriction.objects.create(
        page=page, restriction_type=PageViewRestriction.PASSWORD, password="secret"
    )
    insider = Client()
    form = insider.get(page.url).content.decode()
    assert 'name="password"' in form
    action = re.search(r'action="([^"]+)"[^>]*class="password-form"', form).group(1)
    insider.post(action, {"password": "secret", "return_url": page.url})
    for _ in range(2):
        response, html, _ = visit(insider, page.url)
        assert page.title in html and 'name="password"' not in html
        assert "X-Page-Cache" not in response
    response, html, _ = visit(Client(), page.url)
    assert 'name="password"' in html


def test_each_query_and_language_is_a_page_of_its_own(content):
    visit(Client(), "/shop/catalogue/")
    response, html, _ = visit(Client(), "/shop/catalogue/?type=tour")
    assert response["X-Page-Cache"] == "miss" and "Пряник «Нерпа»" not in html
    response, html, _ = visit(Client(), "/en/shop/catalogue/")
    assert response["X-Page-Cache"] == "miss" and "Nerpa" in html
    response, html, _ = visit(Client(), "/shop/catalogue/")
    assert response["X-Page-Cache"] == "hit" and "Пряник «Нерпа»" in html


def test_a_cached_page_shows_a_change_at_once(content, product_url):
    from cms.models import ContactSettings

    home = content["home"].url
    for url in (home, product_url):
        visit(Client(), url)
        assert visit(Client(), url)[0]["X-Page-Cache"] == "hit"

    record = StockRecord.objects.get(product=content["gingerbread"])
    record.price = "290.00"
    record.save()
    for url in (home, product_url):
        response, html, _ = visit(Client(), url)
        assert response["X-Page-Cache"] == "miss" and "290 ₽" in html and "250 ₽" not in html

    contacts = ContactSettings.for_site(content["home"].get_site())
    contacts.phone = "+7 (39542) 3-33-33"
    contacts.save()
    response, html, _ = visit(Client(), home)
    assert response["X-Page-Cache"] == "miss" and "+7 (39542) 3-33-33" in html

    content["home"].hero_title = "Новый заголовок"
    content["home"].save_revision().publish()
    response, html, _ = visit(Client(), home)
    assert "Новый заголовок" in html


def test_page_cache_seconds_0_turns_it_off(content, settings, product_url):
    settings.PAGE_CACHE_SECONDS = 0
    for _ in range(2):
        response, html, _ = visit(Client(), product_url)
        assert "X-Page-Cache" not in response and "250 ₽" in html


@pytest.fixture
def clock(monkeypatch):
    """Moves the clock forward: Django's time and the cache's."""
    import datetime as dt
    import time

    from django.utils import timezone

    offset = [0.0]
    real_time, real_now = time.time, timezone.now
    monkeypatch.setattr(time, "time", lambda: real_time() + offset[0])
    monkeypatch.setattr(timezone, "now", lambda: real_now() + dt.timedelta(seconds=offset[0]))
    return offset


def test_a_booking_that_closes_by_the_clock_loses_its_book_link_at_once(content, clock):
    import datetime as dt

    from django.utils import timezone

    from shop.bookings.models import Departure

    tour = content["tour"]
    departure = Departure.objects.filter(tour__product=tour).order_by("starts_at").first()
    cutoff = departure.tour.booking_cutoff
    departure.starts_at = timezone.now() + cutoff + dt.timedelta(seconds=20)
    departure.save()
    book = f"?departure={departure.pk}"
    for url in (tour.get_absolute_url(), content["tour_page"].url):
        visit(Client(), url)
        response, html, _ = visit(Client(), url)
        assert response["X-Page-Cache"] == "hit" and book in html

    clock[0] = 21  # booking closed a second ago; the page and its fragments are 21 s old
    for url in (tour.get_absolute_url(), content["tour_page"].url):
        response, html, _ = visit(Client(), url)
        assert response["X-Page-Cache"] == "miss" and book not in html


def test_tracking_tags_and_junk_queries_are_rendered_not_kept(content):
    for query in ("?utm_source=vk", "?type=tour&x=1", "?type=<script>", "?type=a&type=b"):
        for _ in range(2):
            response, html, _ = visit(Client(), "/shop/catalogue/" + query)
            assert response.status_code == 200 and "X-Page-Cache" not in response


def test_many_pages_never_push_out_the_contact_forms_one_time_stamps(content):
    from tests.cms.test_content import message

    form = message()
    sender = Client()
    assert "Спасибо" in sender.post(content["contact"].url, form).content.decode()
    # More kept pages than the default cache holds (a bad month shows this month's calendar).
    calendar = content["calendar"].url
    for index in range(320):
        assert visit(Client(), f"{calendar}?month=x{index}")[0]["X-Page-Cache"] == "miss"
    assert "устарела" in sender.post(content["contact"].url, form).content.decode()


def test_a_page_without_a_form_sets_no_csrf_cookie(content):
    url = content["privacy"].url
    first, _, _ = visit(Client(), url)
    second, html, _ = visit(Client(), url)
    assert second["X-Page-Cache"] == "hit"
    assert ("csrftoken" in second.cookies) == ("csrfmiddlewaretoken" in html)
    assert ("csrftoken" in first.cookies) == ("csrftoken" in second.cookies)


def test_head_is_answered_from_a_kept_page(content, product_url):
    visit(Client(), product_url)
    response = Client().head(product_url)
    assert response.status_code == 200 and response["X-Page-Cache"] == "hit"
