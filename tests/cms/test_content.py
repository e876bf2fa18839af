"""Content pages show the shop's live data: prices, seats and events are read, never copied,
and whatever is cached goes stale when they change."""

import json
import re
import secrets
import time

import pytest
from django.contrib.auth import get_user_model
from django.core import mail, signing
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from oscar.core.loading import get_model
from wagtail.contrib.forms.models import FormSubmission

from cms.forms import LIMIT_PER_HOUR, SALT
from cms.models import EventPage, NavigationSettings, TourPage
from shop.order.utils import stock_allocate
from tests.factories import make_translation

pytestmark = [pytest.mark.django_db]

StockRecord = get_model("partner", "StockRecord")


def text(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode().replace("\xa0", " ")


def queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


def json_ld(html: str, kind: str) -> dict:
    for block in re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S):
        data = json.loads(block)
        if data.get("@type") == kind:
            return data
    raise AssertionError(f"no {kind} JSON-LD")


def first_departure(tour):
    return tour.children.order_by("departure__starts_at")[0].departure


# --- live product blocks -------------------------------------------------------------------


@pytest.mark.sqlite
def test_home_page_shows_tours_with_seats_the_gingerbread_and_the_events(client, content):
    html = text(client, "/")
    assert "Астральные места Байкальска" in html
    assert html.count("Осталось 10 мест") == 3  # the next three departures
    assert "Пряник «Нерпа»" in html and "250 ₽" in html
    assert "Ледовые выходные" in html


def product_form_data(response) -> dict:
    """What Oscar's product form would post back unchanged: every field of every form and
    formset in the page's context, with the management forms."""
    data = {}
    for name in (
        "form",
        "stockrecord_formset",
        "category_formset",
        "image_formset",
        "recommended_formset",
    ):
        item = response.context.get(name)
        if item is None:
            continue
        if hasattr(item, "management_form"):
            # Only the rows that exist: an empty extra row left as it is stays unsaved.
            forms = [item.management_form, *item.initial_forms]
        else:
            forms = [item]
        for form in forms:
            for field in form:
                value = field.value()
                if value is None or value is False:
                    continue
                data[field.html_name] = value
        if hasattr(item, "management_form"):
            data[f"{item.prefix}-TOTAL_FORMS"] = len(item.initial_forms)
    return data


def test_a_price_edited_in_the_oscar_dashboard_shows_on_every_page_that_embeds_it(client, content):
    gingerbread = content["gingerbread"]
    # Warm every cached fragment first: the change must make them stale, not find them empty.
    for url in ("/", "/pryanik/", "/en/gingerbread/"):
        assert "250 ₽" in text(client, url)

    admin = get_user_model().objects.create_superuser("admin@example.com", "admin@example.com", "x")
    client.force_login(admin)
    edit = f"/shop/dashboard/catalogue/products/{gingerbread.pk}/"
    data = product_form_data(client.get(edit))
    price_field = next(k for k in data if k.startswith("stockrecords") and k.endswith("-price"))
    data[price_field] = "280"
    response = client.post(edit, data)
    assert response.status_code == 302, [
        (name, form.errors, getattr(form, "non_form_errors", list)())
        for context in response.context
        for name, form in context.flatten().items()
        if hasattr(form, "errors")
        and (any(form.errors) or getattr(form, "non_form_errors", list)())
    ]
    assert StockRecord.objects.get(product=gingerbread).price == 280
    client.logout()

    for url in ("/", "/pryanik/", "/en/gingerbread/"):
        html = text(client, url)
        assert "280 ₽" in html and "250 ₽" not in html, url


def test_a_seat_sold_shows_at_once_on_the_home_and_tour_pages(client, content):
    departure = first_departure(content["tour"])
    tour_url = content["tour_page"].url
    assert "Осталось 10 мест" in text(client, "/")
    assert text(client, tour_url).count("10 мест") >= 1

    stock = departure.product.stockrecords.get()
    assert stock_allocate(stock.pk, 3)

    assert "Осталось 7 мест" in text(client, "/")
    assert "Осталось 7 мест" in text(client, tour_url)


def test_a_hidden_product_disappears_from_the_page_that_embeds_it(client, content):
    assert "Пряник «Нерпа»" in text(client, "/pryanik/")
    gingerbread = content["gingerbread"]
    gingerbread.is_public = False
    gingerbread.save()
    assert "Пряник «Нерпа»" not in text(client, "/pryanik/")


# --- tour landing pages --------------------------------------------------------------------


@pytest.mark.sqlite
def test_tour_landing_page_lists_the_shops_departures_with_booking_links(client, content):
    tour = content["tour"]
    html = text(client, content["tour_page"].url)
    assert "Вечерняя прогулка" in html and "Старый причал" in html and "Можно с детьми?" in html
    departures = [child.departure for child in tour.children.order_by("departure__starts_at")]
    for departure in departures:
        assert f"/shop/tours/{tour.pk}/book/?departure={departure.pk}" in html
    trip = json_ld(html, "TouristTrip")
    # Each departure is offered at its full fare, the adult's (not the child's 450 ₽).
    assert len(trip["offers"]) == 3 and trip["offers"][0]["price"] == "900.00"


def test_a_tour_page_without_a_tour_still_shows(client, content):
    page = content["tour_page"]
    page.tour = None
    page.save_revision().publish()
    html = text(client, TourPage.objects.get(pk=page.pk).url)
    assert "Вечерняя прогулка" in html and "Забронировать" not in html


# --- events calendar -----------------------------------------------------------------------


@pytest.mark.sqlite
def test_events_calendar_shows_the_month_and_whats_coming(client, content):
    event = content["event"]
    month = event.start_date.strftime("%Y-%m")
    html = text(client, f"/sobytiya/?month={month}")
    # The event sits in the grid on both of its days, and in the list of what is coming.
    assert html.count('class="calendar__event"') == 2
    assert "Ледовые выходные" in html.split('id="upcoming-title"')[1]
    for bad in ("2026-13", "garbage", "1999-01", "%00", "9" * 50):
        assert text(client, f"/sobytiya/?month={bad}")


def test_event_page_lists_the_departures_on_its_days_with_seats(client, content):
    tour = content["tour"]
    html = text(client, content["event"].url)
    rows = re.findall(r'class="departure departure--', html)
    assert len(rows) == 2  # two days, one departure a day; the third is after the event
    assert html.count("Осталось 10 мест") == 2
    event = json_ld(html, "Event")
    assert event["startDate"] == content["event"].start_date.isoformat()
    assert len(event["offers"]) == 2
    assert all(f"/shop/tours/{tour.pk}/book/" in offer["url"] for offer in event["offers"])


def test_an_event_cannot_end_before_it_starts(content):
    event = EventPage.objects.get(pk=content["event"].pk)
    event.end_date = event.start_date.replace(year=event.start_date.year - 1)
    with pytest.raises(ValidationError):
        event.full_clean()


# --- languages -----------------------------------------------------------------------------


def switch_links(html: str) -> dict:
    nav = html.split('class="lang-switch"')[1].split("</div>")[0]
    return dict(re.findall(r'href="([^"]+)" hreflang="([^"]+)"', nav)[i][::-1] for i in range(3))


@pytest.mark.sqlite
def test_the_language_switch_keeps_the_visitor_on_the_same_page(client, content):
    english = content["english"]
    product_url = content["gingerbread"].get_absolute_url()  # in Russian, before any request
    links = switch_links(text(client, content["tour_page"].url))
    assert links["en"] == english["tour_page"].url
    links = switch_links(text(client, english["tour_page"].url))
    assert links["ru"] == content["tour_page"].url
    # A shop page exists in every language under its prefix.
    links = switch_links(text(client, product_url))
    assert links["en"] == "/en" + product_url and links["zh-hans"] == "/zh-hans" + product_url


def test_the_language_switch_follows_a_translation_unpublished_at_once(
    client, content, django_user_model
):
    """The page's translations are kept under the content version (signed in: no page cache)."""
    client.force_login(django_user_model.objects.create_user("anna", "anna@example.com", "pw"))
    english = content["english"]
    for _ in range(2):
        links = switch_links(text(client, content["tour_page"].url))
        assert links["en"] == english["tour_page"].url

    english["tour_page"].unpublish()

    html = text(client, content["tour_page"].url)
    assert switch_links(html)["en"] == english["home"].url
    assert english["tour_page"].url not in html


# --- navigation ----------------------------------------------------------------------------


def menu(html: str) -> list[str]:
    nav = html.split('id="site-nav"')[1].split("</ul>")[0]
    return re.findall(r">([^<]+)</a></li>", nav)


def test_the_menu_comes_from_the_navigation_settings_and_follows_edits(client, content):
    assert menu(text(client, "/")) == ["Экскурсии", "Пряники", "События", "Контакты"]
    english = menu(text(client, "/en/"))
    assert "Gingerbread" in english
    footer = text(client, "/en/").split("<footer")[1]
    assert ">Gingerbread</a>" in footer  # the English translation of the footer's page

    navigation = NavigationSettings.for_site(content["home"].get_site())
    navigation.main_menu = [{"type": "page", "value": content["contact"].pk}]
    navigation.save()
    assert menu(text(client, "/")) == ["Контакты"]

    content["contact"].unpublish()
    assert menu(text(client, "/")) != ["Контакты"]


# --- contact form --------------------------------------------------------------------------


def stamp(seconds_ago: int) -> str:
    """The stamp of a form shown `seconds_ago` (as cms.forms makes them)."""
    nonce = secrets.token_hex(6)
    return signing.TimestampSigner(salt=SALT).sign(f"{int(time.time()) - seconds_ago}:{nonce}")


def message(**extra) -> dict:
    return {
        "name": "Мария",
        "email": "maria@example.com",
        "message": "Можно ли забронировать для группы из 20 человек?",
        "consent": "on",
        "started": stamp(30),
        **extra,
    }


def test_a_contact_message_is_kept_and_mailed_with_the_consent_recorded(
    client, content, django_capture_on_commit_callbacks
):
    url = content["contact"].url
    form = text(client, url)
    assert 'name="consent"' in form and content["privacy"].url in form
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, message())
    assert "Спасибо" in response.content.decode()
    submission = FormSubmission.objects.get()
    data = submission.form_data
    assert data["name"] == "Мария" and data["consented_at"]
    assert not {"website", "started", "consent"} & set(data)
    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    assert sent.to == ["bureau@example.com"] and sent.reply_to == ["maria@example.com"]
    assert "20 человек" in sent.body and "started" not in sent.body


@pytest.mark.parametrize(
    ("change", "shown"),
    [
        ({"consent": ""}, "согласие"),
        ({"website": "http://spam.example"}, "не удалось отправить"),
        ({"started": lambda: stamp(0)}, "слишком быстро"),
        ({"started": "1700000000:forged"}, "устарела"),
        ({"started": ""}, "устарела"),
        ({"email": "not an address"}, "адрес"),
    ],
)
def test_spam_and_bad_messages_are_refused_and_nothing_is_kept(client, content, change, shown):
    data = message(**{k: v() if callable(v) else v for k, v in change.items()})
    response = client.post(content["contact"].url, {k: v for k, v in data.items() if v})
    assert response.status_code == 200
    assert shown in response.content.decode().lower()
    assert FormSubmission.objects.count() == 0 and not mail.outbox


def test_one_address_can_send_only_a_few_messages_an_hour(client, content):
    url = content["contact"].url
    for _ in range(LIMIT_PER_HOUR):
        assert "Спасибо" in client.post(url, message()).content.decode()
    refused = client.post(url, message()).content.decode()
    assert "Слишком много сообщений" in refused
    assert FormSubmission.objects.count() == LIMIT_PER_HOUR


# --- queries and search engines ------------------------------------------------------------


def add_more(content, count):
    from tests.factories import make_gingerbread, make_tour

    for index in range(count):
        make_tour(title=f"Экскурсия {index}", departures=3)
        make_gingerbread(title=f"Пряник {index}")


@pytest.mark.parametrize(
    "url", ["/", "/sobytiya/", "/ekskursii/", "/pryanik/", "/ekskursii/astral/", "/sobytiya/led/"]
)
def test_content_pages_cost_few_queries_whatever_the_catalogue_size(client, content, url, settings):
    from django.core.cache import cache

    settings.PAGE_CACHE_SECONDS = 0  # pages rendered, from their cached fragments
    text(client, url)
    small = queries(client, url)
    add_more(content, 4)
    cache.clear()
    text(client, url)
    large = queries(client, url)
    assert small == large
    assert large <= 12, url


def test_the_sitemap_lists_each_page_with_its_translations(client, content):
    xml = client.get("/sitemap.xml").content.decode()
    tour_ru = "http://127.0.0.1:8000" + content["tour_page"].url
    tour_en = "http://127.0.0.1:8000" + content["english"]["tour_page"].url
    entry = xml.split(f"<loc>{tour_ru}</loc>")[1].split("</url>")[0]
    assert f'hreflang="en" href="{tour_en}"' in entry
    assert f'hreflang="ru" href="{tour_ru}"' in entry


def test_an_editor_translates_a_product_into_chinese_in_the_wagtail_admin(client, content):
    gingerbread = content["gingerbread"]
    product_url = gingerbread.get_absolute_url()  # in Russian, before any request
    admin = get_user_model().objects.create_superuser("ed@example.com", "ed@example.com", "x")
    client.force_login(admin)
    listing = client.get("/cms/snippets/catalogue/producttranslation/")
    assert listing.status_code == 200
    response = client.post(
        "/cms/snippets/catalogue/producttranslation/add/",
        {
            "product": gingerbread.pk,
            "language": "zh-hans",
            "title": "贝加尔海豹姜饼",
            "description": "<p>草莓和松子</p>",
            "meta_description": "",
        },
    )
    assert response.status_code == 302
    client.logout()
    assert "贝加尔海豹姜饼" in text(client, "/zh-hans" + product_url)


def test_the_contacts_are_shown_in_the_visitors_language(client, content):
    from cms.models import ContactSettings

    contacts = ContactSettings.for_site(content["home"].get_site())
    contacts.organisation = "Байкальский техникум"
    contacts.hours = "Пн–Пт 9:00–17:00"
    contacts.phone = "+7 (39542) 3-00-00"
    contacts.translations = [
        {
            "type": "texts",
            "value": {
                "language": "en",
                "organisation": "Baikal College",
                "address": "",
                "hours": "Mon–Fri 9:00–17:00",
            },
        }
    ]
    contacts.save()
    english = text(client, "/en/").split("<footer")[1]
    assert "Baikal College" in english and "Mon–Fri" in english
    assert "+7 (39542) 3-00-00" in english
    russian = text(client, "/").split("<footer")[1]
    assert "Байкальский техникум" in russian and "Пн–Пт" in russian
    # No Chinese texts given: the Russian ones are shown.
    assert "Байкальский техникум" in text(client, "/zh-hans/").split("<footer")[1]


def test_a_form_shown_again_gets_a_fresh_stamp_and_a_stamp_sends_once(client, content):
    url = content["contact"].url
    expired = client.post(url, message(started="1700000000:forged")).content.decode()
    fresh = re.search(r'name="started" value="([^"]+)"', expired)[1]
    assert signing.TimestampSigner(salt=SALT).unsign(fresh, max_age=60)

    sent_once = message()
    assert "Спасибо" in client.post(url, sent_once).content.decode()
    again = client.post(url, sent_once).content.decode()
    assert "устарела" in again
    assert FormSubmission.objects.count() == 1


def test_behind_a_trusted_proxy_each_visitor_has_their_own_limit(client, content, settings):
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    url = content["contact"].url
    for _ in range(LIMIT_PER_HOUR):
        client.post(url, message(), HTTP_X_FORWARDED_FOR="203.0.113.7", REMOTE_ADDR="127.0.0.1")
    refused = client.post(
        url, message(), HTTP_X_FORWARDED_FOR="203.0.113.7", REMOTE_ADDR="127.0.0.1"
    )
    assert "Слишком много сообщений" in refused.content.decode()
    other = client.post(
        url, message(), HTTP_X_FORWARDED_FOR="198.51.100.2", REMOTE_ADDR="127.0.0.1"
    )
    assert "Спасибо" in other.content.decode()
    # An address the visitor made up is not believed from an untrusted sender.
    spoofed = client.post(
        url, message(), HTTP_X_FORWARDED_FOR="192.0.2.1", REMOTE_ADDR="203.0.113.7"
    )
    assert "Слишком много сообщений" in spoofed.content.decode()


def test_the_reply_address_is_the_forms_email_field_whatever_its_name(
    client, content, django_capture_on_commit_callbacks
):
    contact = content["contact"]
    field = contact.form_fields.get(clean_name="email")
    field.clean_name = "u042du043bu0435u043a"
    field.save()
    data = message()
    data["u042du043bu0435u043a"] = data.pop("email")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(contact.url, data)
    assert mail.outbox[0].reply_to == ["maria@example.com"]


def test_a_hidden_tour_is_not_offered_on_its_content_pages(client, content):
    tour = content["tour"]
    tour.is_public = False
    tour.save()
    landing = text(client, content["tour_page"].url)
    assert "Вечерняя прогулка" in landing and "/book/" not in landing
    event = text(client, content["event"].url)
    assert "/book/" not in event and '"offers"' not in event


def test_chinese_pages_are_found_by_part_of_a_word(client, content):
    make_translation(content["contact"], "zh-hans", title="联系我们")
    html = text(client, "/zh-hans/search/?q=联系")
    assert "联系我们" in html


def test_a_shop_translation_is_for_one_of_the_sites_languages(client, content):
    admin = get_user_model().objects.create_superuser("ed@example.com", "ed@example.com", "x")
    client.force_login(admin)
    response = client.post(
        "/cms/snippets/catalogue/producttranslation/add/",
        {"product": content["gingerbread"].pk, "language": "xx", "title": "?"},
    )
    assert response.status_code == 200
    assert not get_model("catalogue", "ProductTranslation").objects.filter(language="xx").exists()


def test_the_product_chooser_finds_products_on_sale_in_any_case(client, content):
    from django.urls import reverse

    admin = get_user_model().objects.create_superuser("ed@example.com", "ed@example.com", "x")
    client.force_login(admin)
    url = reverse("product_chooser:choose_results")
    found = client.get(url, {"q": "НЕРПА"}).content.decode()
    assert "Пряник «Нерпа»" in found
    gingerbread = content["gingerbread"]
    gingerbread.is_public = False
    gingerbread.save()
    assert "Пряник «Нерпа»" not in client.get(url, {"q": "нерпа"}).content.decode()
