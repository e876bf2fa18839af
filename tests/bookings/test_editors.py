"""Editors: a product's translations in the product form itself (new products too), one extra
departure from the tour's page, a schedule that says why it made nothing."""

import datetime as dt

import pytest
from django.contrib.auth.models import Permission
from django.utils import timezone
from oscar.core.loading import get_model

from shop.activity.models import ActivityEntry
from shop.bookings.models import Departure
from tests.factories import make_gingerbread, make_staff, make_tour, partner, tours_category

pytestmark = [pytest.mark.django_db]

Product = get_model("catalogue", "Product")
ProductTranslation = get_model("catalogue", "ProductTranslation")


def posted(context, category) -> dict:
    """What the browser sends back for the forms of Oscar's product page, as they stand (the
    formsets' empty extra rows left out), in `category`."""
    data = {}
    forms = [context["form"]]
    for name in (
        "category_formset",
        "image_formset",
        "recommended_formset",
        "stockrecord_formset",
    ):
        formset = context[name]
        management = formset.management_form
        data[management["TOTAL_FORMS"].html_name] = formset.initial_form_count()
        data[management["INITIAL_FORMS"].html_name] = formset.initial_form_count()
        forms += formset.initial_forms
    forms += list(context["translation_formset"])
    if not context["category_formset"].initial_form_count():
        data.update(
            {"productcategory_set-TOTAL_FORMS": 1, "productcategory_set-0-category": category.pk}
        )
    for form in forms:
        for field in form:
            value = field.value()
            if value is None or field.widget_type == "file":
                continue
            if isinstance(value, bool):
                if value:
                    data[field.html_name] = "on"
                continue
            data[field.html_name] = value
    return data


@pytest.fixture
def editor(client):
    user = make_staff("editor@example.com", is_superuser=True)
    client.force_login(user)
    return user


def test_a_new_product_is_translated_in_the_form_that_creates_it(client, editor):
    box = make_gingerbread(title="Набор «Нерпа»")  # makes the product class and the partner
    partner()
    url = f"/shop/dashboard/catalogue/products/create/{box.product_class.slug}/"
    page = client.get(url)
    assert "Переводы" in page.content.decode()
    data = posted(page.context, tours_category())
    data.update(
        {
            "title": "Пряник «Омуль»",
            "stockrecords-TOTAL_FORMS": 1,
            "stockrecords-0-price_currency": "RUB",
            "stockrecords-0-partner": box.stockrecords.get().partner_id,
            "stockrecords-0-partner_sku": "OMUL-1",
            "stockrecords-0-price": "300",
            "stockrecords-0-num_in_stock": "20",
            "translation-en-title": "Omul gingerbread",
            "translation-zh-hans-title": "奥木尔鱼姜饼",
            "translation-zh-hans-description": "<p>贝加尔湖的鱼</p>",
        }
    )

    response = client.post(url, data)

    assert response.status_code == 302, response.context and [
        f.errors for f in response.context["translation_formset"]
    ]
    product = Product.objects.get(title="Пряник «Омуль»")
    titles = dict(product.translations.values_list("language", "title"))
    assert titles == {"en": "Omul gingerbread", "zh-hans": "奥木尔鱼姜饼"}
    client.logout()
    path = product.get_absolute_url()
    assert "Omul gingerbread" in client.get("/en" + path).content.decode()
    assert "奥木尔鱼姜饼" in client.get("/zh-hans" + path).content.decode()


def test_editing_a_product_changes_its_translation_and_a_blank_language_stays_russian(
    client, editor
):
    box = make_gingerbread(title="Набор «Нерпа»", en_title="Nerpa box")
    url = f"/shop/dashboard/catalogue/products/{box.pk}/"
    data = posted(client.get(url).context, tours_category())
    assert data["translation-en-title"] == "Nerpa box"
    data["translation-en-title"] = "Nerpa gift box"

    assert client.post(url, data).status_code == 302

    assert dict(box.translations.values_list("language", "title")) == {"en": "Nerpa gift box"}


@pytest.fixture
def manager(client):
    user = make_staff("manager@example.com")
    user.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="bookings",
            codename__in=["view_tour", "view_departure", "add_departure", "change_departure"],
        )
    )
    client.force_login(type(user).objects.get(pk=user.pk))
    return user


def one(day: dt.date, time="18:30", **extra) -> dict:
    return {
        "date": day.isoformat(),
        "time": time,
        "capacity": "12",
        "price_adult": "700",
        "price_child": "350",
        **extra,
    }


def test_one_extra_departure_is_added_from_the_tours_page(client, manager):
    tour = make_tour(departures=0).tour
    day = timezone.localdate() + dt.timedelta(days=9)
    page = client.get(f"/shop/dashboard/tours/{tour.pk}/").content.decode()
    add = f"/shop/dashboard/tours/{tour.pk}/departures/add/"
    assert add in page

    response = client.post(add, one(day))

    assert response.status_code == 302
    departure = Departure.objects.get(tour=tour)
    assert timezone.localtime(departure.starts_at).replace(tzinfo=None) == dt.datetime.combine(
        day, dt.time(18, 30)
    )
    assert (departure.capacity, departure.fare_for("adult").price) == (12, 700)
    entry = ActivityEntry.objects.get(action="departure.created", departure=departure)
    assert entry.actor == manager


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"time": "25:00"}, "time"),
        ({"date": "31.02.2027"}, "date"),
        ({"price_adult": "", "price_child": ""}, "__all__"),
        ({"capacity": "0"}, "capacity"),
        ({"past": True}, "__all__"),
        ({"twice": True}, "__all__"),
    ],
)
def test_a_bad_extra_departure_is_explained_and_adds_nothing(client, manager, change, field):
    tour = make_tour(departures=0).tour
    day = timezone.localdate() + dt.timedelta(days=9)
    add = f"/shop/dashboard/tours/{tour.pk}/departures/add/"
    if change.pop("twice", False):
        client.post(add, one(day))
    if change.pop("past", False):
        day = timezone.localdate() - dt.timedelta(days=1)
    before = Departure.objects.filter(tour=tour).count()

    response = client.post(add, one(day, **change))

    assert response.status_code == 200
    assert list(response.context["form"].errors) == [field]
    assert Departure.objects.filter(tour=tour).count() == before


def test_a_schedule_with_no_chosen_weekday_in_its_dates_says_why_it_makes_nothing(client, manager):
    tour = make_tour(departures=0).tour
    monday = timezone.localdate() + dt.timedelta(days=14)
    monday -= dt.timedelta(days=monday.weekday())

    response = client.post(
        f"/shop/dashboard/tours/{tour.pk}/schedule/",
        {
            "date_from": monday.isoformat(),
            "date_to": monday.isoformat(),
            "weekdays": ["1"],  # Tuesday
            "times": "10:00",
            "capacity": "10",
            "price_adult": "500",
        },
    )

    html = response.content.decode()
    assert "Создавать нечего" in html and "вторник" in html and "понедельник" in html
    assert not Departure.objects.filter(tour=tour).exists()
